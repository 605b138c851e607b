//! `[faults]`: what breaks on the night, and when (outages, error
//! windows, the clock bug).

use super::super::raw::{RawFaults, RawOutage, RawProbabilitySpan};
use super::super::{Faults, Outage, Span, Tier};
use super::check::{one_of, Check};

/// The faults (none when the section is left out).
pub(super) fn check(raw: Option<&RawFaults>, has: Tiers, c: &mut Check) -> Faults {
    let Some(raw) = raw else { return Faults::default() };
    let outages = outages(raw.outages.as_deref().unwrap_or(&[]), has, c);
    Faults {
        outages,
        error_windows: probabilities(raw.error_windows.as_deref(), "faults.error_windows", c),
        clock_bug: probabilities(raw.clock_bug.as_deref(), "faults.clock_bug", c),
    }
}

/// Which optional tiers the scenario has (an outage needs its tier).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Tiers {
    pub front: bool,
    pub identity: bool,
}

/// Outages: of a tier the scenario has, and apart within a tier (a tier
/// comes back up at the end of an outage; two at once would leave the
/// second's end undefined).
fn outages(list: &[RawOutage], has: Tiers, c: &mut Check) -> Vec<Outage> {
    let mut outages = Vec::new();
    for (i, o) in list.iter().enumerate() {
        let here = format!("faults.outages[{i}]");
        let tier = match o.tier.as_str() {
            "backend" => Tier::Backend,
            "front" => {
                if !has.front {
                    c.push(format!("{here}.tier"), "found \"front\", but the scenario has no [front] section");
                }
                Tier::Front
            }
            "identity" => {
                if !has.identity {
                    c.push(format!("{here}.tier"), "found \"identity\", but the scenario has no [identity] section");
                }
                Tier::Identity
            }
            other => {
                c.push(format!("{here}.tier"), one_of(other, &["front", "backend", "identity"]));
                Tier::Backend
            }
        };
        let (from, to) = c.interval(&o.from, &o.to, &here);
        outages.push(Outage { tier, from, to });
    }
    for tier in [Tier::Front, Tier::Backend, Tier::Identity] {
        let mut same: Vec<&Outage> = outages.iter().filter(|o| o.tier == tier).collect();
        same.sort_by_key(|o| o.from);
        if same.windows(2).any(|w| w[1].from < w[0].to) {
            c.push("faults.outages", "found overlapping outages of one tier, expected them apart");
        }
    }
    outages
}

/// Spans of a probability (error windows, the clock bug).
fn probabilities(list: Option<&[RawProbabilitySpan]>, path: &str, c: &mut Check) -> Vec<Span> {
    let spans = list.unwrap_or(&[]).iter().map(|x| (x.from.as_str(), x.to.as_str(), x.probability));
    c.spans(spans, path, "probability", 1.0)
}

#[cfg(test)]
mod tests {
    use super::super::check::testing::{at, context, none, problem, raw};
    use super::*;

    /// The one problem of `[faults]` written as `text`, with a front tier.
    fn problem_of(text: &str) -> (String, String) {
        problem(|c| {
            check(Some(&raw(text)), Tiers { front: true, identity: false }, c);
        })
    }

    #[test]
    fn good_faults_are_kept_in_their_lists() {
        let mut c = context();
        assert!(check(None, Tiers::default(), &mut c).outages.is_empty());
        let text = "outages = [{ tier = \"front\", from = \"0m\", to = \"10m\" }, { tier = \"backend\", from = \"5m\", to = \"20m\" }]\n\
                    error_windows = [{ from = \"0m\", to = \"1h\", probability = 0.5 }]\n\
                    clock_bug = [{ from = \"1h\", to = \"3h\", probability = 1.0 }]";
        let faults = check(Some(&raw(text)), Tiers { front: true, identity: false }, &mut c);
        none(&c);
        assert_eq!((faults.outages.len(), faults.error_windows.len(), faults.clock_bug.len()), (2, 1, 1));
        assert_eq!(faults.outages[0].tier, Tier::Front);
    }

    #[test]
    fn outages_are_of_a_tier_there_is_and_apart() {
        let outage =
            |tier: &str, from: &str, to: &str| format!("{{ tier = \"{tier}\", from = \"{from}\", to = \"{to}\" }}");
        let one = |o: String| format!("outages = [{o}]");
        let typo = problem_of(&one(outage("frnt", "0m", "1h")));
        let message = "found \"frnt\", expected \"front\", \"backend\" or \"identity\"; did you mean \"front\"?";
        assert_eq!(typo, at("faults.outages[0].tier", message));
        let no_front = problem(|c| {
            check(Some(&raw(&one(outage("front", "0m", "1h")))), Tiers::default(), c);
        });
        let message = "found \"front\", but the scenario has no [front] section";
        assert_eq!(no_front, at("faults.outages[0].tier", message));
        let no_identity = problem(|c| {
            check(Some(&raw(&one(outage("identity", "0m", "1h")))), Tiers::default(), c);
        });
        let message = "found \"identity\", but the scenario has no [identity] section";
        assert_eq!(no_identity, at("faults.outages[0].tier", message));
        let backwards = problem_of(&one(outage("backend", "1h", "30m")));
        let message = "found 30m after the start, expected later than `from` (1h after the start)";
        assert_eq!(backwards, at("faults.outages[0].to", message));
        let two = format!("outages = [{}, {}]", outage("backend", "30m", "1h"), outage("backend", "0m", "40m"));
        let message = "found overlapping outages of one tier, expected them apart";
        assert_eq!(problem_of(&two), at("faults.outages", message));
    }

    #[test]
    fn fault_windows_are_probabilities_in_time_order() {
        let high = problem_of("error_windows = [{ from = \"0m\", to = \"1h\", probability = 1.5 }]");
        assert_eq!(high, at("faults.error_windows[0].probability", "found 1.5, expected a value from 0 to 1"));
        let text = "clock_bug = [{ from = \"0m\", to = \"1h\", probability = 1.0 }, { from = \"30m\", to = \"2h\", probability = 1.0 }]";
        let overlap = problem_of(text);
        assert_eq!(
            overlap,
            at("faults.clock_bug[1].from", "overlaps the span before it, expected spans in time order")
        );
    }
}
