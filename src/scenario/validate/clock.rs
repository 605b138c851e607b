//! `[scenario]`: the name, the title and the clock every other section is
//! read against (start, duration, bin).

use super::super::bounds;
use super::super::echo::quoted;
use super::super::raw::RawMeta;
use super::super::units::parse_clock;
use super::check::Check;
use crate::engine::SimTime;
use chrono::{DateTime, Datelike, FixedOffset};

/// `scenario.start` when not given.
const DEFAULT_START: &str = "2021-01-01T00:00:00+00:00";

/// The run's length when `scenario.duration` is wrong: the other sections
/// are still checked, against an hour.
pub(super) const FALLBACK_DURATION: SimTime = SimTime::from_secs(3600);

/// Longest scenario name: a folder name, with room for `.NAME.tmp-PID`
/// beside it within the 255 bytes file systems allow.
const MAX_NAME: usize = 200;

/// Longest title [characters]: it heads every chart, on one line.
const MAX_TITLE: usize = 200;

/// The run's clock, as far as it could be read.
pub(super) struct Clock {
    pub start: DateTime<FixedOffset>,
    /// The duration, or `FALLBACK_DURATION` when it is wrong (its problem noted).
    pub duration: SimTime,
    /// `None` when wrong (its problem noted).
    pub bin: Option<SimTime>,
    /// The width of an arrival bin (`by_arrival.csv`): `bin` when not
    /// given; `None` when wrong.
    pub arrival_bin: Option<SimTime>,
}

/// The default start: where a run begins when the file does not say.
pub(super) fn default_start() -> DateTime<FixedOffset> {
    parse_clock(DEFAULT_START).expect("the default start parses")
}

/// Check `[scenario]`; the clock found is for the other sections.
pub(super) fn check(meta: &RawMeta, c: &mut Check) -> Clock {
    name(&meta.name, "scenario.name", c);
    if let Some(title) = &meta.title {
        c.text(title, "scenario.title", MAX_TITLE, "a title is one line on every chart");
    }
    let start = match meta.start.as_deref().map(parse_clock) {
        None => default_start(),
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            c.push("scenario.start", e);
            default_start()
        }
    };
    let duration = c.positive_duration(&meta.duration, "scenario.duration");
    let bin = c.positive_duration(meta.bin.as_deref().unwrap_or("1m"), "scenario.bin");
    if let (Some(d), Some(b)) = (duration, bin) {
        if b > d {
            c.push("scenario.bin", format!("found {b}, expected at most the run's duration {d}"));
        }
    }
    // Checked only when written: the default is `bin`, whose problems are
    // `bin`'s own, said once.
    let arrival_bin = match &meta.arrival_bin {
        None => bin,
        Some(text) => {
            let b = c.positive_duration(text, "scenario.arrival_bin");
            match (duration, b) {
                // Arrivals are kept to the millisecond, and a row per bin
                // finer than a second would be a table of noise (and of
                // gigabytes over a night).
                (_, Some(b)) if b < SimTime::from_secs(1) => {
                    c.push("scenario.arrival_bin", format!("found {b}, expected at least 1s"));
                    None
                }
                (Some(d), Some(b)) if b > d => {
                    c.push("scenario.arrival_bin", format!("found {b}, expected at most the run's duration {d}"));
                    None
                }
                _ => b,
            }
        }
    };
    if let Some(d) = duration {
        // A first attempt at the end must fit the model's clock.
        if d > SimTime::from_secs(bounds::MAX_DAYS * 86_400) {
            c.push("scenario.duration", format!("found {d}, expected at most {} days", bounds::MAX_DAYS));
        }
        end(start, d, c);
    }
    Clock { start, duration: duration.unwrap_or(FALLBACK_DURATION), bin, arrival_bin }
}

/// Names become folder names: keep them to a safe alphabet.
fn name(name: &str, path: &str, c: &mut Check) {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        let name = quoted(name);
        c.push(
            path,
            format!("found {name}, expected letters, digits, '-', '_' or '.' (not first): it names the output folder"),
        );
    } else if name.len() > MAX_NAME {
        let n = name.len();
        c.push(path, format!("found {n} characters, expected at most {MAX_NAME}: it names the output folder"));
    }
}

/// The run must end where timeseries.csv can still write its clock:
/// RFC 3339 has four-digit years, so nothing after 9999-12-31 (on the
/// scenario's own offset, the one its times are written in).
fn end(start: DateTime<FixedOffset>, duration: SimTime, c: &mut Check) {
    let length = chrono::Duration::microseconds(i64::try_from(duration.0).unwrap_or(i64::MAX));
    let end = start.checked_add_signed(length);
    if end.is_none_or(|e| e.year() > 9999) {
        c.push(
            "scenario.start",
            format!(
                "found \"{}\", too late for a run of {duration}: it would end after 9999-12-31, \
                 the last day an RFC 3339 time (timeseries.csv) can write",
                start.to_rfc3339()
            ),
        );
    }
}

/// `scenario.milestones`: the clock times bookings are quoted at, in time
/// order, inside the run. Default: every eligible cohort's window and
/// catch-up round closes (inside the run), the moment a planner asks "how many got through?".
pub(super) fn milestones(given: Option<&[String]>, cohorts: &[super::super::Cohort], c: &mut Check) -> Vec<SimTime> {
    let mut out: Vec<SimTime> = match given {
        Some(list) => list
            .iter()
            .enumerate()
            .filter_map(|(i, text)| {
                let path = format!("scenario.milestones[{i}]");
                // A moment that does not read, or before the start, has its
                // problem from `try_moment` already.
                let at = c.try_moment(text, &path)?;
                if at == SimTime::ZERO || at > c.duration {
                    let message = format!(
                        "found {at} after the start, expected a moment after the start and by the end of the run ({})",
                        c.duration
                    );
                    c.push(path, message);
                }
                Some(at)
            })
            .collect(),
        None => cohorts
            .iter()
            .filter(|k| k.eligible)
            .flat_map(|k| k.windows.iter().map(|w| w.closes).chain(k.catch_up.iter().map(|r| r.closes)))
            .filter(|&t| t > SimTime::ZERO && t <= c.duration)
            .collect(),
    };
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::super::check::testing::{at, context, none, problem, raw};
    use super::*;

    /// `[scenario]` with `extra` lines after a valid name and duration.
    fn meta(extra: &str) -> RawMeta {
        raw(&format!("name = \"t\"\nduration = \"2h\"\n{extra}"))
    }

    #[test]
    fn a_good_section_gives_its_clock_and_defaults_the_rest() {
        let mut c = context();
        let clock = check(&meta("start = \"2021-07-19T20:00:00+09:00\"\nbin = \"5m\""), &mut c);
        none(&c);
        assert_eq!(clock.start.to_rfc3339(), "2021-07-19T20:00:00+09:00");
        assert_eq!((clock.duration, clock.bin), (SimTime::from_secs(7200), Some(SimTime::from_secs(300))));
        assert_eq!(clock.arrival_bin, clock.bin, "arrival bins are the run's bins unless said");
        let clock = check(&meta("arrival_bin = \"15m\""), &mut c);
        none(&c);
        assert_eq!(clock.arrival_bin, Some(SimTime::from_secs(900)));
        let clock = check(&meta(""), &mut c);
        none(&c);
        assert_eq!((clock.start, clock.bin), (default_start(), Some(SimTime::from_secs(60))));
    }

    #[test]
    fn names_are_safe_folder_names() {
        let bad = problem(|c| {
            check(&raw("name = \"../etc\"\nduration = \"2h\""), c);
        });
        let message =
            "found \"../etc\", expected letters, digits, '-', '_' or '.' (not first): it names the output folder";
        assert_eq!(bad, at("scenario.name", message));
        let long = problem(|c| {
            check(&raw(&format!("name = \"{}\"\nduration = \"2h\"", "n".repeat(201))), c);
        });
        assert_eq!(long, at("scenario.name", "found 201 characters, expected at most 200: it names the output folder"));
    }

    #[test]
    fn a_title_is_one_short_line() {
        let long = problem(|c| {
            check(&meta(&format!("title = \"{}\"", "t".repeat(201))), c);
        });
        let message = "found 201 characters, expected at most 200 (a title is one line on every chart)";
        assert_eq!(long, at("scenario.title", message));
    }

    #[test]
    fn a_wrong_clock_is_one_problem_each() {
        let (path, message) = problem(|c| {
            let clock = check(&meta("start = \"tonight\""), c);
            assert_eq!(clock.start, default_start(), "the others are read against the default");
        });
        assert_eq!(path, "scenario.start");
        assert!(message.starts_with("found \"tonight\", expected a clock time like"), "{message}");
        let zero = problem(|c| {
            let clock = check(&raw("name = \"t\"\nduration = \"0s\""), c);
            assert_eq!(clock.duration, FALLBACK_DURATION);
        });
        assert_eq!(zero, at("scenario.duration", "found \"0s\", expected a duration above zero"));
        let long = problem(|c| {
            check(&raw("name = \"t\"\nduration = \"46d\""), c);
        });
        assert_eq!(long, at("scenario.duration", "found 1104h, expected at most 45 days"));
        let bin = problem(|c| {
            check(&meta("bin = \"3h\""), c);
        });
        assert_eq!(bin, at("scenario.bin", "found 3h, expected at most the run's duration 2h"));
        let arrival_bin = problem(|c| {
            check(&meta("arrival_bin = \"3h\""), c);
        });
        assert_eq!(arrival_bin, at("scenario.arrival_bin", "found 3h, expected at most the run's duration 2h"));
        let fine = problem(|c| {
            check(&meta("arrival_bin = \"500ms\""), c);
        });
        assert_eq!(fine, at("scenario.arrival_bin", "found 500ms, expected at least 1s"));
    }

    #[test]
    fn the_run_ends_before_the_year_10000() {
        let (path, message) = problem(|c| {
            check(&meta("start = \"9999-12-31T23:00:00+00:00\""), c);
        });
        assert_eq!(path, "scenario.start");
        assert!(message.starts_with("found \"9999-12-31T23:00:00+00:00\", too late for a run of 2h"), "{message}");
        let mut c = context();
        check(&meta("start = \"9999-12-31T21:00:00+00:00\""), &mut c);
        none(&c);
    }
}
