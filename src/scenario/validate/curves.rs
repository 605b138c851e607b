//! A cohort's `arrivals`: when its first attempts come. Each curve takes
//! its own keys and no other (a `tau` on a piecewise curve is a mistake
//! about which curve was meant, not a value to ignore).

use super::super::raw::{RawArrivals, RawPoint};
use super::super::units::parse_duration;
use super::super::{trace, volume, Curve, RatePoint};
use super::check::{one_of, Check};
use crate::engine::SimTime;

/// Longest trace path [characters]: what file systems allow.
const MAX_PATH: usize = 4096;

/// The curve at `path` (constant when not given), or `None` when wrong.
pub(super) fn check(raw: Option<&RawArrivals>, path: &str, c: &mut Check) -> Option<Curve> {
    let Some(raw) = raw else {
        return Some(Curve::Constant);
    };
    let fields: [(&str, bool); 6] = [
        ("share", raw.share.is_some()),
        ("tau", raw.tau.is_some()),
        ("early", raw.early.is_some()),
        ("early_share", raw.early_share.is_some()),
        ("points", raw.points.is_some()),
        ("file", raw.file.is_some()),
    ];
    let allowed: &[&str] = match raw.curve.as_str() {
        "constant" => &[],
        "surge" => &["share", "tau", "early", "early_share"],
        "piecewise" => &["points"],
        "trace" => &["file"],
        other => {
            c.push(format!("{path}.curve"), one_of(other, &["constant", "surge", "piecewise", "trace"]));
            return None;
        }
    };
    for (f, present) in fields {
        if present && !allowed.contains(&f) {
            c.push(format!("{path}.{f}"), format!("curve \"{}\" does not take `{f}`", raw.curve));
        }
    }
    match raw.curve.as_str() {
        "surge" => surge(raw, path, c),
        "piecewise" => piecewise(raw.points.as_deref(), path, c),
        "trace" => traced(raw.file.as_deref(), path, c),
        _ => Some(Curve::Constant),
    }
}

/// A burst after each opening: `share` of the people decaying with time
/// constant `tau`, `early_share` over `early` before opening; the two
/// leave room for the rest, spread over the window.
fn surge(raw: &RawArrivals, path: &str, c: &mut Check) -> Option<Curve> {
    let before = c.count();
    let share = raw.share.unwrap_or(0.5);
    c.share(share, &format!("{path}.share"));
    let early_share = raw.early_share.unwrap_or(0.0);
    c.share(early_share, &format!("{path}.early_share"));
    // A share out of range has said so; their sum would only repeat it.
    if c.count() == before && share + early_share > 1.0 + 1e-9 {
        let message =
            format!("found share {share} + early_share {early_share} > 1, expected them to leave room for the rest");
        c.push(format!("{path}.early_share"), message);
    }
    let tau = c.positive_duration(raw.tau.as_deref().unwrap_or("10m"), &format!("{path}.tau"))?;
    let early = match raw.early.as_deref().map(parse_duration) {
        None => SimTime::ZERO,
        Some(Ok(d)) => d,
        Some(Err(e)) => {
            c.push(format!("{path}.early"), e);
            SimTime::ZERO
        }
    };
    if early_share > 0.0 && early == SimTime::ZERO {
        c.push(format!("{path}.early"), "missing, expected how long before opening the early_share arrives");
    }
    Some(Curve::Surge { share, tau, early, early_share })
}

/// Rate points, linearly interpolated.
fn piecewise(points: Option<&[RawPoint]>, path: &str, c: &mut Check) -> Option<Curve> {
    let Some(points) = points else {
        c.push(format!("{path}.points"), "missing, expected a list like [{ at = \"0m\", rate = 100.0 }, ...]");
        return None;
    };
    let points = rate_points(points, path, c)?;
    Some(Curve::Piecewise { points })
}

/// The points of a piecewise curve, checked: each point's time and rate,
/// then the curve as a whole. One problem per cause: the curve's checks
/// (order, volume) run only on points that are each valid, and stop at the
/// first that fails, so that "not in order" is not followed by an "all
/// zero" that only repeats it.
fn rate_points(points: &[RawPoint], path: &str, c: &mut Check) -> Option<Vec<RatePoint>> {
    let field = format!("{path}.points");
    if points.len() < 2 {
        c.push(&field, format!("found {} point(s), expected at least 2", points.len()));
    }
    let before = c.count();
    let mut out = Vec::with_capacity(points.len());
    for (k, pt) in points.iter().enumerate() {
        let pp = format!("{field}[{k}]");
        if let Some(at) = c.try_moment(&pt.at, &format!("{pp}.at")) {
            out.push(RatePoint { at, rate: pt.rate });
        }
        if !(pt.rate.is_finite() && pt.rate >= 0.0) {
            c.push(format!("{pp}.rate"), format!("found {}, expected a rate of at least 0 per minute", pt.rate));
        }
    }
    if c.count() > before || out.len() < 2 {
        return None;
    }
    if let Some(k) = out.windows(2).position(|w| w[1].at <= w[0].at) {
        let (a, b) = (out[k].at, out[k + 1].at);
        let message = format!(
            "found {b} after the start, not later than the point before it ({a}), expected times in increasing order"
        );
        c.push(format!("{field}[{}].at", k + 1), message);
        return None;
    }
    let v = volume(&out);
    if !v.is_finite() {
        c.push(&field, "found rates adding up to more arrivals than a number can hold");
        return None;
    }
    if v <= 0.0 {
        c.push(&field, "found rates that are all zero, expected some arrivals");
        return None;
    }
    Some(out)
}

/// An empirical trace, read from its file (see `trace`).
fn traced(file: Option<&str>, path: &str, c: &mut Check) -> Option<Curve> {
    let Some(file) = file else {
        c.push(format!("{path}.file"), "missing, expected the path of a CSV file with columns time,count");
        return None;
    };
    // The file name is echoed in messages and written to summary.json.
    let before = c.count();
    c.text(file, &format!("{path}.file"), MAX_PATH, "a path");
    if c.count() > before {
        return None;
    }
    match trace::read(&c.base_dir.join(file), c.start) {
        Ok(points) => Some(Curve::Trace { file: file.to_string(), points }),
        Err(e) => {
            c.push(format!("{path}.file"), e);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::testing::{at, context, context_in, none, problem, raw};
    use super::*;

    /// The arrivals written as `text` (the inside of `arrivals = { ... }`).
    fn arrivals(text: &str) -> RawArrivals {
        raw(text)
    }

    /// The one problem of the arrivals written as `text`.
    fn problem_of(text: &str) -> (String, String) {
        problem(|c| {
            check(Some(&arrivals(text)), "a", c);
        })
    }

    #[test]
    fn each_curve_with_its_defaults() {
        let mut c = context();
        assert!(matches!(check(None, "a", &mut c), Some(Curve::Constant)));
        assert!(matches!(check(Some(&arrivals("curve = \"constant\"")), "a", &mut c), Some(Curve::Constant)));
        let surge = check(Some(&arrivals("curve = \"surge\"")), "a", &mut c);
        let Some(Curve::Surge { share, tau, early, early_share }) = surge else { panic!("{surge:?}") };
        assert_eq!((share, tau, early, early_share), (0.5, SimTime::from_secs(600), SimTime::ZERO, 0.0));
        let points = "curve = \"piecewise\"\npoints = [{ at = \"0m\", rate = 1.0 }, { at = \"1h\", rate = 3.0 }]";
        let Some(Curve::Piecewise { points }) = check(Some(&arrivals(points)), "a", &mut c) else { panic!() };
        assert_eq!(volume(&points), 120.0);
        none(&c);
    }

    #[test]
    fn a_curve_is_one_of_four_and_takes_only_its_own_keys() {
        let message =
            "found \"surg\", expected \"constant\", \"surge\", \"piecewise\" or \"trace\"; did you mean \"surge\"?";
        assert_eq!(problem_of("curve = \"surg\""), at("a.curve", message));
        assert_eq!(
            problem_of("curve = \"constant\"\ntau = \"1m\""),
            at("a.tau", "curve \"constant\" does not take `tau`")
        );
        assert_eq!(
            problem_of("curve = \"surge\"\nfile = \"t.csv\""),
            at("a.file", "curve \"surge\" does not take `file`")
        );
    }

    #[test]
    fn a_surge_leaves_room_for_the_rest() {
        let cases = [
            ("share = 1.5", "a.share", "found 1.5, expected a share from 0 to 1"),
            ("early_share = -0.1", "a.early_share", "found -0.1, expected a share from 0 to 1"),
            (
                "share = 0.8\nearly_share = 0.4\nearly = \"10m\"",
                "a.early_share",
                "found share 0.8 + early_share 0.4 > 1, expected them to leave room for the rest",
            ),
            ("tau = \"0s\"", "a.tau", "found \"0s\", expected a duration above zero"),
            ("early_share = 0.2", "a.early", "missing, expected how long before opening the early_share arrives"),
        ];
        for (extra, path, message) in cases {
            assert_eq!(problem_of(&format!("curve = \"surge\"\n{extra}")), at(path, message), "{extra}");
        }
        let (path, message) = problem_of("curve = \"surge\"\nearly = \"soon\"");
        assert_eq!(path, "a.early");
        assert!(message.starts_with("found \"soon\", expected a duration like"), "{message}");
    }

    #[test]
    fn piecewise_points_are_valid_in_order_and_bring_someone() {
        let curve = |points: &str| format!("curve = \"piecewise\"\npoints = [{points}]");
        let message = "missing, expected a list like [{ at = \"0m\", rate = 100.0 }, ...]";
        assert_eq!(problem_of("curve = \"piecewise\""), at("a.points", message));
        let one = problem_of(&curve("{ at = \"0m\", rate = 1.0 }"));
        assert_eq!(one, at("a.points", "found 1 point(s), expected at least 2"));
        let negative = problem_of(&curve("{ at = \"0m\", rate = 1.0 }, { at = \"1h\", rate = -1.0 }"));
        assert_eq!(negative, at("a.points[1].rate", "found -1, expected a rate of at least 0 per minute"));
        let (path, _) = problem_of(&curve("{ at = \"0m\", rate = 1.0 }, { at = \"soon\", rate = 1.0 }"));
        assert_eq!(path, "a.points[1].at");
        let unordered = problem_of(&curve("{ at = \"1h\", rate = 1.0 }, { at = \"1h\", rate = 1.0 }"));
        let message =
            "found 1h after the start, not later than the point before it (1h), expected times in increasing order";
        assert_eq!(unordered, at("a.points[1].at", message));
        let zero = problem_of(&curve("{ at = \"0m\", rate = 0.0 }, { at = \"1h\", rate = 0.0 }"));
        assert_eq!(zero, at("a.points", "found rates that are all zero, expected some arrivals"));
        let huge = problem_of(&curve("{ at = \"0m\", rate = 1e308 }, { at = \"1h\", rate = 1e308 }"));
        assert_eq!(huge, at("a.points", "found rates adding up to more arrivals than a number can hold"));
    }

    #[test]
    fn a_trace_is_a_readable_file_with_a_short_path() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join("t.csv"), "time,count\n0m,60\n10m,30\n").expect("written");
        let mut c = context_in(dir.path());
        let curve = check(Some(&arrivals("curve = \"trace\"\nfile = \"t.csv\"")), "a", &mut c);
        none(&c);
        assert!(matches!(curve, Some(Curve::Trace { ref file, ref points }) if file == "t.csv" && points.len() == 4));
        let message = "missing, expected the path of a CSV file with columns time,count";
        assert_eq!(problem_of("curve = \"trace\""), at("a.file", message));
        let (path, message) = problem_of("curve = \"trace\"\nfile = \"no-such.csv\"");
        assert_eq!(path, "a.file");
        assert!(message.starts_with("could not read trace './no-such.csv'"), "{message}");
        let (path, message) = problem_of("curve = \"trace\"\nfile = \"t\\u0007.csv\"");
        assert_eq!(path, "a.file");
        assert!(message.contains("with the control character \\u0007"), "{message}");
    }
}
