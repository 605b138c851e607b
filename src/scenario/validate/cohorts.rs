//! `[[cohort]]`: who comes, how many, in which booking windows. The
//! arrival curve of each is checked in `curves`.

use super::super::echo::quoted;
use super::super::raw::{RawCohort, RawWindow};
use super::super::{bounds, volume, Cohort, Curve, Window};
use super::check::Check;
use super::curves;
use crate::engine::SimTime;
use std::collections::HashSet;

/// Longest cohort name [characters]: it labels legends and table rows.
const MAX_COHORT_NAME: usize = 100;

/// Every cohort; those with problems are left out (their problems noted).
pub(super) fn check(list: &[RawCohort], c: &mut Check) -> Vec<Cohort> {
    if list.is_empty() {
        c.push("cohort", "found no [[cohort]], expected at least one");
    }
    if list.len() > bounds::MAX_COHORTS {
        c.push("cohort", format!("found {} cohorts, expected at most {}", list.len(), bounds::MAX_COHORTS));
    }
    let mut cohorts = Vec::new();
    let mut names = HashSet::new();
    for (i, rc) in list.iter().enumerate() {
        let path = format!("cohort[{i}]");
        // Names label the rows of cohorts.csv: two alike could not be told apart.
        if !names.insert(rc.name.as_str()) {
            c.push(format!("{path}.name"), format!("found {} twice, expected unique cohort names", quoted(&rc.name)));
        }
        cohorts.extend(cohort(rc, &path, c));
    }
    cohorts
}

/// One cohort at `path`, or `None` when any of its parts is wrong.
fn cohort(rc: &RawCohort, path: &str, c: &mut Check) -> Option<Cohort> {
    let before = c.count();
    if rc.name.is_empty() {
        c.push(format!("{path}.name"), "found an empty name, expected a cohort name");
    }
    c.text(&rc.name, &format!("{path}.name"), MAX_COHORT_NAME, "a cohort name labels legends and table rows");
    let windows = match &rc.windows {
        None => vec![Window { opens: SimTime::ZERO, closes: c.duration, share: 1.0 }],
        Some(list) if list.is_empty() => {
            let message = "found an empty list, expected at least one window (or leave it out for the whole run)";
            c.push(format!("{path}.windows"), message);
            vec![]
        }
        Some(list) => windows(list, path, c),
    };
    let arrivals = curves::check(rc.arrivals.as_ref(), &format!("{path}.arrivals"), c);
    let people = people(rc, arrivals.as_ref(), path, c);
    if c.count() > before {
        return None;
    }
    Some(Cohort {
        name: rc.name.clone(),
        people,
        eligible: rc.eligible.unwrap_or(true),
        windows,
        arrivals: arrivals?,
        slots: rc.slots,
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
        out.push(Window { opens, closes: closes.min(c.duration), share });
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

