//! `[[cohort]] split`: a rotation written as one cohort.
//!
//! ```toml
//! [[cohort]]
//! name = "53-54"
//! people = 1500000
//! windows = [{ opens = "2021-07-19T20:00:00+09:00", closes = "2021-07-20T18:00:00+09:00" }]
//! split = { groups = 10, every = "1h", shift = "opens" }
//! ```
//!
//! becomes the cohorts `53-54 0` ... `53-54 9` (or `53-54 LABEL` with
//! `labels`), in place of the one written. Group k's windows open `k *
//! every` later: with `shift = "opens"` (the default) only the openings
//! move and every group books until the same closes; with `"window"` the
//! whole windows move (a ten-day rotation with one window a day is one
//! cohort with the first day's window). The people are split evenly, or
//! in proportion to `weights`, rounded so that they add up to the
//! cohort's exactly (the largest remainders get the odd people, the first
//! group on a tie); the cohort's own `slots` are split the same way. Each
//! group keeps the cohort's eligibility and arrival curve, so each has its
//! own rush after its own opening (the surge applies per window). A
//! piecewise or trace curve is written at clock times a split cannot move:
//! refused.

use super::super::raw::RawSplit;
use super::super::{bounds, CatchUp, Cohort, Curve, Window};
use super::check::{one_of, Check};
use crate::engine::SimTime;

/// Which part of each window moves from group to group.
#[derive(Clone, Copy)]
enum Shift {
    Opens,
    Window,
}

/// The groups of `cohort` (checked as written, at `path`), or `None` when
/// the split is wrong (its problems noted). `room` bounds the groups'
/// names as it bounds any cohort's.
pub(super) fn groups(cohort: &Cohort, raw: &RawSplit, path: &str, c: &mut Check, room: Room) -> Option<Vec<Cohort>> {
    let here = format!("{path}.split");
    let before = c.count();
    let n = count(raw.groups, room.cohorts, &here, c);
    let every = c.positive_duration(&raw.every, &format!("{here}.every"));
    let shift = match raw.shift.as_deref().unwrap_or("opens") {
        "opens" => Some(Shift::Opens),
        "window" => Some(Shift::Window),
        other => {
            c.push(format!("{here}.shift"), one_of(other, &["opens", "window"]));
            None
        }
    };
    let names = n.map(|n| names(cohort, raw.labels.as_deref(), n, &here, c, room.name));
    let weights = n.and_then(|n| weights(raw.weights.as_deref(), n, &here, c));
    if matches!(cohort.arrivals, Curve::Piecewise { .. } | Curve::Trace { .. }) {
        let message = "found a split of a piecewise or trace curve, expected a constant or surge curve (the other curves are written at clock times a split cannot move)";
        c.push(here.clone(), message);
    }
    let (Some(every), Some(shift), Some(names), Some(weights)) = (every, shift, names, weights) else { return None };
    if c.count() > before {
        // Labels noted as wrong (one per group, not empty) are still made
        // into names: groups from them would not line up with the weights.
        return None;
    }
    let people = apportion(cohort.people, &weights);
    let slots = cohort.slots.map(|s| apportion(s, &weights));
    let mut out = Vec::with_capacity(names.len());
    for (k, name) in names.into_iter().enumerate() {
        let fine = c.count();
        let windows = moved(&cohort.windows, every, k, shift, &name, &here, c);
        let catch_up = rounds(&cohort.catch_up, every, k, shift, &name, &here, c);
        if c.count() > fine {
            // Later groups open later still: they would only repeat it.
            return None;
        }
        out.push(Cohort {
            name,
            people: people[k],
            after_end: 0,
            eligible: cohort.eligible,
            windows,
            arrivals: cohort.arrivals.clone(),
            slots: slots.as_ref().map(|s| s[k]),
            clients: cohort.clients.clone(),
            catch_up,
        });
    }
    (c.count() == before).then_some(out)
}

/// What a split may make: `cohorts` more at most (what the model numbers,
/// less the other cohorts), names of `name` characters at most.
#[derive(Clone, Copy)]
pub(super) struct Room {
    pub cohorts: usize,
    pub name: usize,
}

/// The number of groups: at least 1, and no more than the cohorts the
/// model can still number (checked before any group is made: a file of
/// many large splits must not fill the memory before it is refused).
fn count(groups: u64, room: usize, here: &str, c: &mut Check) -> Option<usize> {
    match usize::try_from(groups) {
        Ok(n) if (1..=bounds::MAX_COHORTS).contains(&n) && n <= room => Some(n),
        Ok(n) if (1..=bounds::MAX_COHORTS).contains(&n) => {
            let most = bounds::MAX_COHORTS;
            let message = format!("found {n} groups, expected at most {room} (with the other cohorts, {most} in all)");
            c.push(format!("{here}.groups"), message);
            None
        }
        _ => {
            let message = format!("found {groups}, expected from 1 to {} groups", bounds::MAX_COHORTS);
            c.push(format!("{here}.groups"), message);
            None
        }
    }
}

/// The groups' names: the cohort's, a space and the group's label (its
/// number from 0 by default). Labels are one per group, not empty, and
/// the names they make are cohort names like any other.
fn names(cohort: &Cohort, labels: Option<&[String]>, n: usize, here: &str, c: &mut Check, max: usize) -> Vec<String> {
    let labels: Vec<String> = match labels {
        None => (0..n).map(|k| k.to_string()).collect(),
        Some(list) => {
            if list.len() != n {
                c.push(format!("{here}.labels"), format!("found {} labels, expected one per group ({n})", list.len()));
            }
            if let Some(j) = list.iter().position(|l| l.trim().is_empty()) {
                c.push(format!("{here}.labels[{j}]"), "found an empty label, expected text that names the group");
            }
            list.to_vec()
        }
    };
    let names: Vec<String> = labels.iter().map(|l| format!("{} {l}", cohort.name)).collect();
    for (j, name) in names.iter().enumerate() {
        let at = if labels.is_empty() { here.to_string() } else { format!("{here}.labels[{j}]") };
        c.text(name, &at, max, "a group's name, the cohort's and its label, labels legends and table rows");
    }
    names
}

/// The groups' weights: one per group, none negative, some above zero;
/// equal when not given.
fn weights(given: Option<&[f64]>, n: usize, here: &str, c: &mut Check) -> Option<Vec<f64>> {
    let Some(w) = given else { return Some(vec![1.0; n]) };
    let before = c.count();
    if w.len() != n {
        c.push(format!("{here}.weights"), format!("found {} weights, expected one per group ({n})", w.len()));
    }
    for (j, x) in w.iter().enumerate() {
        if !(x.is_finite() && *x >= 0.0) {
            c.push(format!("{here}.weights[{j}]"), format!("found {x}, expected a weight of at least 0"));
        }
    }
    let sum: f64 = w.iter().sum();
    if c.count() == before && sum <= 0.0 {
        c.push(format!("{here}.weights"), "found weights that are all 0, expected some above 0");
    }
    if c.count() == before && !sum.is_finite() {
        let message = "found weights adding up to more than a number can hold, expected smaller ones";
        c.push(format!("{here}.weights"), message);
    }
    (c.count() == before).then(|| w.to_vec())
}

/// `total` split in proportion to `weights` (finite, not negative, some
/// above zero), in whole numbers that add up to `total` exactly: each
/// group its share rounded down, then one more each to the groups with the
/// largest remainders (the first on a tie).
pub(super) fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let n = weights.len();
    let sum: f64 = weights.iter().sum();
    let equal = weights.windows(2).all(|w| w[0] == w[1]);
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    // Equal weights in whole numbers: no rounding error can reorder the remainders.
    let mut out: Vec<u64> =
        if equal { vec![total / n as u64; n] } else { exact.iter().map(|x| x.floor() as u64).collect() };
    let mut order: Vec<usize> = (0..n).collect();
    if !equal {
        let rest = |k: usize| exact[k] - exact[k].floor();
        order.sort_by(|&a, &b| rest(b).total_cmp(&rest(a)).then(a.cmp(&b)));
    }
    // Rounded down, the shares fall short by less than one each; a float a
    // hair above a true share could overshoot: taken back from the
    // smallest remainders. Either way a couple of rounds at most.
    let mut given: u64 = out.iter().sum();
    for &k in order.iter().cycle().take(2 * n) {
        if given < total {
            out[k] += 1;
            given += 1;
        }
    }
    for &k in order.iter().rev().cycle().take(2 * n) {
        if given > total && out[k] > 0 {
            out[k] -= 1;
            given -= 1;
        }
    }
    out
}

/// Group `k`'s catch-up rounds: the cohort's, when only openings move
/// (every group's windows close together, and the rounds come after);
/// `k * every` later with whole windows (each group's rounds follow its
/// own windows), each still opening before the end of the run.
fn rounds(
    list: &[CatchUp],
    every: SimTime,
    k: usize,
    shift: Shift,
    name: &str,
    here: &str,
    c: &mut Check,
) -> Vec<CatchUp> {
    if matches!(shift, Shift::Opens) {
        return list.to_vec();
    }
    let by = every.0.checked_mul(k as u64);
    let mut out = Vec::with_capacity(list.len());
    for (j, r) in list.iter().enumerate() {
        let later = |t: SimTime| by.and_then(|by| t.0.checked_add(by)).map(SimTime);
        match (later(r.opens).filter(|o| *o < c.duration), later(r.cut_from.unwrap_or(r.closes))) {
            (Some(opens), Some(closes)) => {
                let cut_from = (closes > c.duration).then_some(closes);
                out.push(CatchUp { opens, closes: closes.min(c.duration), cut_from, ..r.clone() })
            }
            _ => {
                let message = format!(
                    "moves \"{name}\"'s catch-up round {j} past the end of the run ({}), expected fewer or closer groups",
                    c.duration
                );
                c.push(format!("{here}.every"), message);
            }
        }
    }
    out
}

/// Group `k`'s windows: the cohort's, `k * every` later (openings only,
/// or whole windows), each still opening before it closes and before the
/// end of the run.
fn moved(
    windows: &[Window],
    every: SimTime,
    k: usize,
    shift: Shift,
    name: &str,
    here: &str,
    c: &mut Check,
) -> Vec<Window> {
    let by = every.0.checked_mul(k as u64).map(SimTime);
    let mut out = Vec::with_capacity(windows.len());
    for (j, w) in windows.iter().enumerate() {
        let opens = by.and_then(|by| w.opens.0.checked_add(by.0)).map(SimTime);
        // The close as written (a window moved past the end keeps its
        // shape: see `due`), and the close in the run.
        let written = match shift {
            Shift::Opens => Some(w.cut_from.unwrap_or(w.closes)),
            Shift::Window => by.and_then(|by| w.cut_from.unwrap_or(w.closes).0.checked_add(by.0)).map(SimTime),
        };
        let closes = written.map(|t| t.min(c.duration));
        let (Some(opens), Some(closes)) = (opens.filter(|o| *o < c.duration), closes) else {
            let message = format!(
                "moves \"{name}\"'s window {j} past the end of the run ({}), expected fewer or closer groups",
                c.duration
            );
            c.push(format!("{here}.every"), message);
            continue;
        };
        if opens >= closes {
            let message = format!(
                "moves \"{name}\"'s window {j} to open at {opens} after the start, not before it closes ({closes}), expected openings before the closes (or shift = \"window\")"
            );
            c.push(format!("{here}.every"), message);
        }
        let cut_from = written.filter(|t| *t > c.duration);
        out.push(Window { opens, closes, share: w.share, cut_from });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::super::raw::RawCohort;
    use super::super::check::testing::{at, context, none, problem, raw};
    use super::super::cohorts;
    use super::*;

    const COHORT: &str = "name = \"53-54\"\npeople = 1000\nwindows = [{ opens = \"10m\", closes = \"1h40m\" }]\narrivals = { curve = \"surge\", tau = \"5m\" }\n";

    fn split(extra: &str) -> Vec<Cohort> {
        let mut c = context();
        let rc: RawCohort = raw(&format!("{COHORT}{extra}"));
        let out = cohorts::check_alone(&[rc], &mut c);
        none(&c);
        out
    }

    fn problem_of(extra: &str) -> (String, String) {
        problem(|c| {
            cohorts::check_alone(&[raw(&format!("{COHORT}{extra}"))], c);
        })
    }

    #[test]
    fn a_split_makes_groups_with_staggered_openings_and_the_people_shared() {
        let g = split("split = { groups = 3, every = \"20m\" }");
        let names: Vec<&str> = g.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["53-54 0", "53-54 1", "53-54 2"]);
        assert_eq!(g.iter().map(|c| c.people).collect::<Vec<_>>(), [334, 333, 333], "adding up to 1000");
        let opens: Vec<u64> = g.iter().map(|c| c.windows[0].opens.0 / 60_000_000).collect();
        assert_eq!(opens, [10, 30, 50]);
        assert!(g.iter().all(|c| c.windows[0].closes == SimTime::from_secs(6000)), "the same close");
        assert!(g.iter().all(|c| matches!(c.arrivals, Curve::Surge { .. })));
    }

    #[test]
    fn whole_windows_move_labels_name_and_weights_size_the_groups() {
        let g = split("slots = 100\nsplit = { groups = 2, every = \"1h\", shift = \"window\", labels = [\"odd\", \"even\"], weights = [3, 1] }");
        assert_eq!((g[0].name.as_str(), g[1].name.as_str()), ("53-54 odd", "53-54 even"));
        assert_eq!((g[0].people, g[0].slots, g[1].slots), (750, Some(75), Some(25)));
        let w = g[1].windows[0];
        assert_eq!((w.opens, w.closes), (SimTime::from_secs(4200), SimTime::from_secs(7200)), "moved, cut at the end");
        assert_eq!(w.cut_from, Some(SimTime::from_secs(9600)), "its close as written");
        // Its curve keeps its shape to 2h40m: those due after the end apart.
        assert_eq!(g[1].people + g[1].after_end, 250);
        assert!(g[1].after_end > 0 && g[1].people > g[1].after_end, "{} + {}", g[1].people, g[1].after_end);
    }

    #[test]
    fn apportioning_adds_up_exactly_and_favours_the_largest_remainders() {
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0]), [4, 3, 3]);
        assert_eq!(apportion(10, &[0.2, 0.5, 0.3]), [2, 5, 3]);
        assert_eq!(apportion(7, &[1.0, 2.0]), [2, 5], "2.33 and 4.67: the larger remainder gets the odd one");
        assert_eq!(apportion(0, &[1.0, 1.0]), [0, 0]);
        for total in [1_u64, 999, 1_500_000, 4_294_967_295] {
            let w = [0.1, 0.25, 0.05, 0.6];
            assert_eq!(apportion(total, &w).iter().sum::<u64>(), total);
        }
    }

    #[test]
    fn a_wrong_split_gets_one_message_per_mistake() {
        let cases = [
            ("split = { groups = 0, every = \"1h\" }", "cohort[0].split.groups", "found 0, expected from 1 to 65535 groups"),
            ("split = { groups = 2, every = \"0s\" }", "cohort[0].split.every", "found \"0s\", expected a duration above zero"),
            ("split = { groups = 2, every = \"1m\", shift = \"open\" }", "cohort[0].split.shift", "found \"open\", expected \"opens\" or \"window\"; did you mean \"opens\"?"),
            ("split = { groups = 2, every = \"1m\", labels = [\"a\"] }", "cohort[0].split.labels", "found 1 labels, expected one per group (2)"),
            ("split = { groups = 2, every = \"1m\", weights = [1, -1] }", "cohort[0].split.weights[1]", "found -1, expected a weight of at least 0"),
            ("split = { groups = 2, every = \"1m\", weights = [0, 0] }", "cohort[0].split.weights", "found weights that are all 0, expected some above 0"),
            (
                "split = { groups = 2, every = \"2h\" }",
                "cohort[0].split.every",
                "moves \"53-54 1\"'s window 0 past the end of the run (2h), expected fewer or closer groups",
            ),
            (
                "split = { groups = 2, every = \"1h30m\" }",
                "cohort[0].split.every",
                "moves \"53-54 1\"'s window 0 to open at 1h40m after the start, not before it closes (1h40m), expected openings before the closes (or shift = \"window\")",
            ),
        ];
        for (extra, path, message) in cases {
            assert_eq!(problem_of(extra), at(path, message), "{extra}");
        }
        let huge = problem_of("split = { groups = 2, every = \"1m\", weights = [1e308, 1e308] }");
        assert_eq!(huge.0, "cohort[0].split.weights");
        let (path, message) = problem(|c| {
            let many = raw(&format!("{COHORT}split = {{ groups = 65535, every = \"1us\" }}"));
            cohorts::check_alone(&[many, raw("name = \"b\"\npeople = 1")], c);
        });
        assert_eq!(path, "cohort[0].split.groups");
        assert_eq!(message, "found 65535 groups, expected at most 65534 (with the other cohorts, 65535 in all)");
        let piecewise = COHORT.replace(
            "curve = \"surge\", tau = \"5m\"",
            "curve = \"piecewise\", points = [{ at = \"0m\", rate = 1.0 }, { at = \"1h\", rate = 1.0 }]",
        );
        let (path, message) = problem(|c| {
            cohorts::check_alone(&[raw(&format!("{piecewise}split = {{ groups = 2, every = \"1m\" }}"))], c);
        });
        assert_eq!(path, "cohort[0].split");
        assert!(message.starts_with("found a split of a piecewise or trace curve"), "{message}");
    }
}
