//! `[[cohort]]`: who comes, how many, in which booking windows. The
//! arrival curve of each is checked in `curves`, a `split` into groups in
//! `split` (the groups then stand in the cohort's place).

use super::super::echo::quoted;
use super::super::raw::{RawCohort, RawWindow};
use super::super::{bounds, volume, Cohort, Curve, Window};
use super::check::Check;
use super::{catch_up, clients, curves, split};
use crate::engine::SimTime;
use std::collections::HashSet;

/// Longest cohort name [characters]: it labels legends and table rows.
const MAX_COHORT_NAME: usize = 100;

/// Every cohort; those with problems are left out (their problems noted).
pub(super) fn check(list: &[RawCohort], base: clients::Base<'_>, c: &mut Check) -> Vec<Cohort> {
    if list.is_empty() {
        c.push("cohort", "found no [[cohort]], expected at least one");
    }
    if list.len() > bounds::MAX_COHORTS {
        c.push("cohort", format!("found {} cohorts, expected at most {}", list.len(), bounds::MAX_COHORTS));
    }
    let mut cohorts = Vec::new();
    let mut names = HashSet::new();
    // For each cohort made, the split it comes from, if any.
    let mut from_split: Vec<Option<usize>> = Vec::new();
    for (i, rc) in list.iter().enumerate() {
        let path = format!("cohort[{i}]");
        // Names label the rows of cohorts.csv: two alike could not be told apart.
        if !names.insert(rc.name.as_str()) {
            c.push(format!("{path}.name"), format!("found {} twice, expected unique cohort names", quoted(&rc.name)));
        }
        let Some(one) = cohort(rc, base, &path, c) else { continue };
        let made = match &rc.split {
            None => vec![one],
            Some(s) => {
                // Each cohort still to come takes one at least: what is left is this split's.
                let left = bounds::MAX_COHORTS.saturating_sub(cohorts.len() + (list.len() - i - 1));
                let room = split::Room { cohorts: left, name: MAX_COHORT_NAME };
                split::groups(&one, s, &path, c, room).unwrap_or_default()
            }
        };
        from_split.extend(made.iter().map(|_| rc.split.as_ref().map(|_| i)));
        cohorts.extend(made);
    }
    groups_apart(&cohorts, &from_split, c);
    for k in &mut cohorts {
        let written = k.people;
        super::super::due::settle(k, written, c.duration);
    }
    cohorts
}

/// A split's groups are cohorts like any other: their names unique among
/// all (a group named like a cohort written beside it), and their number
/// within what the model numbers.
fn groups_apart(cohorts: &[Cohort], from_split: &[Option<usize>], c: &mut Check) {
    if from_split.iter().all(Option::is_none) {
        return;
    }
    if cohorts.len() > bounds::MAX_COHORTS {
        c.push(
            "cohort",
            format!("found {} cohorts once split, expected at most {}", cohorts.len(), bounds::MAX_COHORTS),
        );
    }
    let mut seen: std::collections::HashMap<&str, Option<usize>> = std::collections::HashMap::new();
    for (made, origin) in cohorts.iter().zip(from_split) {
        match seen.insert(made.name.as_str(), *origin) {
            // Two cohorts written alike were reported at their names already.
            Some(other) if origin.is_some() || other.is_some() => {
                let i = origin.or(other).unwrap_or(0);
                let message = format!(
                    "makes the cohort {}, a name another cohort has too, expected unique cohort names",
                    quoted(&made.name)
                );
                c.push(format!("cohort[{i}].split"), message);
            }
            _ => {}
        }
    }
}

/// One cohort at `path`, or `None` when any of its parts is wrong.
fn cohort(rc: &RawCohort, base: clients::Base<'_>, path: &str, c: &mut Check) -> Option<Cohort> {
    let before = c.count();
    if rc.name.is_empty() {
        c.push(format!("{path}.name"), "found an empty name, expected a cohort name");
    }
    c.text(&rc.name, &format!("{path}.name"), MAX_COHORT_NAME, "a cohort name labels legends and table rows");
    let windows = match &rc.windows {
        None => vec![Window { opens: SimTime::ZERO, closes: c.duration, share: 1.0, cut_from: None }],
        Some(list) if list.is_empty() => {
            let message = "found an empty list, expected at least one window (or leave it out for the whole run)";
            c.push(format!("{path}.windows"), message);
            vec![]
        }
        Some(list) => windows(list, path, c),
    };
    let arrivals = curves::check(rc.arrivals.as_ref(), &format!("{path}.arrivals"), c);
    let people = people(rc, arrivals.as_ref(), path, c);
    let clients = rc.clients.as_ref().map(|raw| clients::cohort(raw, base, &format!("{path}.clients"), c));
    let rounds =
        rc.catch_up.as_deref().map(|list| catch_up::check(list, &windows, people, &format!("{path}.catch_up"), c));
    if c.count() > before {
        return None;
    }
    Some(Cohort {
        name: rc.name.clone(),
        people,
        after_end: 0,
        eligible: rc.eligible.unwrap_or(true),
        windows,
        arrivals: arrivals?,
        slots: rc.slots,
        // With a problem in `[clients]`, that problem is the file's.
        clients: clients.flatten(),
        catch_up: rounds.unwrap_or_default(),
    })
}

/// How many people come. Piecewise and trace curves carry their own
/// volume; `people`, if given, rescales them. Constant and surge curves
/// need `people`. The model numbers people in 32 bits.
fn people(rc: &RawCohort, arrivals: Option<&Curve>, path: &str, c: &mut Check) -> u64 {
    let people = match (arrivals, rc.people) {
        (_, Some(n)) => n,
        (Some(Curve::Piecewise { points } | Curve::Trace { points, .. }), None) => volume(points).round() as u64,
        // A curve that would have given the volume failed: its own problem
        // says so, and "people missing" would only repeat it.
        (None, None) if rc.arrivals.as_ref().is_some_and(|a| matches!(a.curve.as_str(), "piecewise" | "trace")) => 0,
        (_, None) => {
            c.push(format!("{path}.people"), "missing, expected the number of people in the cohort");
            0
        }
    };
    if people > bounds::MAX_PEOPLE {
        let given = if rc.people.is_some() { "" } else { " (from the arrival curve)" };
        c.push(format!("{path}.people"), format!("found {people}{given}, expected at most {}", bounds::MAX_PEOPLE));
    }
    people
}

/// Booking windows: each inside the run and after the one before (the
/// model hands a person to one window at a time), shares on all or none
/// and adding up to 1 (they split the cohort's people).
fn windows(list: &[RawWindow], path: &str, c: &mut Check) -> Vec<Window> {
    let mut out = Vec::new();
    let given_shares = list.iter().filter(|w| w.share.is_some()).count();
    if given_shares != 0 && given_shares != list.len() {
        c.push(format!("{path}.windows"), "found `share` on some windows only, expected it on all or none");
    }
    for (j, w) in list.iter().enumerate() {
        let wp = format!("{path}.windows[{j}]");
        let opens = c.try_moment(&w.opens, &format!("{wp}.opens"));
        let closes = c.try_moment(&w.closes, &format!("{wp}.closes"));
        let share = w.share.unwrap_or(1.0 / list.len() as f64);
        c.share(share, &format!("{wp}.share"));
        let (Some(opens), Some(closes)) = (opens, closes) else {
            continue;
        };
        if closes <= opens {
            let message =
                format!("found {closes} after the start, expected later than opens ({opens} after the start)");
            c.push(format!("{wp}.closes"), message);
        }
        c.before_end(opens, &format!("{wp}.opens"));
        if out.last().is_some_and(|prev: &Window| opens < prev.closes) {
            c.push(format!("{wp}.opens"), "overlaps the previous window, expected windows in time order");
        }
        // A window past the end keeps its shape: those due after it are
        // counted apart (`due::settle`), not squeezed into the run.
        let cut_from = (closes > c.duration).then_some(closes);
        out.push(Window { opens, closes: closes.min(c.duration), share, cut_from });
    }
    // A share out of range has said so; the sum would only repeat it.
    let in_range = list.iter().filter_map(|w| w.share).all(|s| (0.0..=1.0).contains(&s));
    if given_shares == list.len() && in_range {
        let total: f64 = list.iter().filter_map(|w| w.share).sum();
        if (total - 1.0).abs() > 1e-9 {
            c.push(format!("{path}.windows"), format!("found shares adding up to {total}, expected 1"));
        }
    }
    out
}

/// `check` under the default `[clients]`, for tests of cohorts alone.
#[cfg(test)]
pub(super) fn check_alone(list: &[RawCohort], c: &mut Check) -> Vec<Cohort> {
    let written = super::super::raw::RawClients::default();
    let checked = clients::check(&written, c);
    check(list, clients::Base { written: &written, checked: checked.as_ref() }, c)
}

#[cfg(test)]
mod tests {
    use super::super::check::testing::{at, context, none, problem, raw};
    use super::*;

    /// A `[[cohort]]` table: a valid name and size, and `extra`.
    fn cohort_with(extra: &str) -> RawCohort {
        raw(&format!("name = \"53-54\"\npeople = 1000\n{extra}"))
    }

    /// The one problem of a single cohort written with `extra`.
    fn problem_with(extra: &str) -> (String, String) {
        problem(|c| {
            check_alone(&[cohort_with(extra)], c);
        })
    }

    #[test]
    fn a_good_cohort_defaults_to_one_window_over_the_run() {
        let mut c = context();
        let cohorts = check_alone(&[cohort_with(""), raw("name = \"55+\"\npeople = 5\neligible = false")], &mut c);
        none(&c);
        assert_eq!(cohorts.len(), 2);
        let w = cohorts[0].windows[0];
        assert_eq!((w.opens, w.closes, w.share), (SimTime::ZERO, c.duration, 1.0));
        assert!(matches!(cohorts[0].arrivals, Curve::Constant) && !cohorts[1].eligible);
    }

    #[test]
    fn there_is_at_least_one_cohort_and_at_most_what_the_model_numbers() {
        let none_given = problem(|c| {
            check_alone(&[], c);
        });
        assert_eq!(none_given, at("cohort", "found no [[cohort]], expected at least one"));
        let many: Vec<RawCohort> =
            (0..=bounds::MAX_COHORTS).map(|i| raw(&format!("name = \"c{i}\"\npeople = 1"))).collect();
        let too_many = problem(|c| {
            check_alone(&many, c);
        });
        assert_eq!(too_many, at("cohort", "found 65536 cohorts, expected at most 65535"));
    }

    #[test]
    fn names_are_unique_short_and_not_empty() {
        let twice = problem(|c| {
            check_alone(&[cohort_with(""), cohort_with("")], c);
        });
        assert_eq!(twice, at("cohort[1].name", "found \"53-54\" twice, expected unique cohort names"));
        let empty = problem(|c| {
            check_alone(&[raw("name = \"\"\npeople = 1")], c);
        });
        assert_eq!(empty, at("cohort[0].name", "found an empty name, expected a cohort name"));
        let long = problem(|c| {
            check_alone(&[raw(&format!("name = \"{}\"\npeople = 1", "n".repeat(101)))], c);
        });
        let message = "found 101 characters, expected at most 100 (a cohort name labels legends and table rows)";
        assert_eq!(long, at("cohort[0].name", message));
    }

    #[test]
    fn people_are_given_or_come_from_the_curve_and_fit_the_model() {
        let missing = problem(|c| {
            check_alone(&[raw("name = \"a\"")], c);
        });
        assert_eq!(missing, at("cohort[0].people", "missing, expected the number of people in the cohort"));
        let beyond = problem(|c| {
            check_alone(&[raw("name = \"a\"\npeople = 4294967296")], c);
        });
        assert_eq!(beyond, at("cohort[0].people", "found 4294967296, expected at most 4294967295"));
        let mut c = context();
        let curve = "arrivals = { curve = \"piecewise\", points = [{ at = \"0m\", rate = 10.0 }, { at = \"1h\", rate = 10.0 }] }";
        let cohorts = check_alone(&[raw(&format!("name = \"a\"\n{curve}"))], &mut c);
        none(&c);
        assert_eq!(cohorts[0].people, 600, "ten a minute for an hour");
        let huge = curve.replace("10.0", "1e10");
        let from_curve = problem(|c| {
            check_alone(&[raw(&format!("name = \"a\"\n{huge}"))], c);
        });
        let message = "found 600000000000 (from the arrival curve), expected at most 4294967295";
        assert_eq!(from_curve, at("cohort[0].people", message));
    }

    #[test]
    fn windows_are_inside_the_run_in_order_and_share_the_people() {
        let mut c = context();
        let two = "windows = [{ opens = \"0m\", closes = \"30m\", share = 0.25 }, { opens = \"1h\", closes = \"3h\", share = 0.75 }]";
        let cohorts = check_alone(&[cohort_with(two)], &mut c);
        none(&c);
        let w = &cohorts[0].windows;
        assert_eq!(
            (w[1].opens, w[1].closes, w[1].share),
            (SimTime::from_secs(3600), c.duration, 0.75),
            "cut at the end"
        );
        let cases = [
            ("windows = []", "cohort[0].windows", "found an empty list, expected at least one window (or leave it out for the whole run)"),
            (
                "windows = [{ opens = \"0m\", closes = \"30m\", share = 1.0 }, { opens = \"1h\", closes = \"2h\" }]",
                "cohort[0].windows",
                "found `share` on some windows only, expected it on all or none",
            ),
            (
                "windows = [{ opens = \"0m\", closes = \"30m\", share = 0.5 }, { opens = \"1h\", closes = \"2h\", share = 0.3 }]",
                "cohort[0].windows",
                "found shares adding up to 0.8, expected 1",
            ),
            ("windows = [{ opens = \"0m\", closes = \"1h\", share = 1.5 }]", "cohort[0].windows[0].share", "found 1.5, expected a share from 0 to 1"),
            (
                "windows = [{ opens = \"1h\", closes = \"30m\" }]",
                "cohort[0].windows[0].closes",
                "found 30m after the start, expected later than opens (1h after the start)",
            ),
            (
                "windows = [{ opens = \"2h\", closes = \"3h\" }]",
                "cohort[0].windows[0].opens",
                "found 2h after the start, expected before the end of the run (2h)",
            ),
            (
                "windows = [{ opens = \"0m\", closes = \"1h\" }, { opens = \"30m\", closes = \"2h\" }]",
                "cohort[0].windows[1].opens",
                "overlaps the previous window, expected windows in time order",
            ),
        ];
        for (extra, path, message) in cases {
            assert_eq!(problem_with(extra), at(path, message), "{extra}");
        }
        let (path, message) = problem_with("windows = [{ opens = \"soon\", closes = \"1h\" }]");
        assert_eq!(path, "cohort[0].windows[0].opens");
        assert!(message.starts_with("found \"soon\", expected a clock time"), "{message}");
    }

    #[test]
    fn a_cohort_with_a_problem_is_left_out() {
        let mut c = context();
        let cohorts = check_alone(&[cohort_with("windows = []"), raw("name = \"b\"\npeople = 1")], &mut c);
        assert_eq!((cohorts.len(), cohorts[0].name.as_str()), (1, "b"));
    }
}
