//! `[faults]`: what breaks on the night, and when (outages, error
//! windows, the clock bug).

use super::super::raw::{RawFaults, RawOutage, RawProbabilitySpan};
use super::super::{Faults, Outage, Span, Tier};
use super::check::{one_of, Check};

/// The faults (none when the section is left out).
pub(super) fn check(raw: Option<&RawFaults>, has_front: bool, c: &mut Check) -> Faults {
    let Some(raw) = raw else { return Faults::default() };
    let outages = outages(raw.outages.as_deref().unwrap_or(&[]), has_front, c);
    Faults {
        outages,
        error_windows: probabilities(raw.error_windows.as_deref(), "faults.error_windows", c),
        clock_bug: probabilities(raw.clock_bug.as_deref(), "faults.clock_bug", c),
    }
}

/// Outages: of a tier the scenario has, and apart within a tier (a tier
/// comes back up at the end of an outage; two at once would leave the
/// second's end undefined).
fn outages(list: &[RawOutage], has_front: bool, c: &mut Check) -> Vec<Outage> {
    let mut outages = Vec::new();
    for (i, o) in list.iter().enumerate() {
        let here = format!("faults.outages[{i}]");
        let tier = match o.tier.as_str() {
            "backend" => Tier::Backend,
            "front" => {
                if !has_front {
                    c.push(format!("{here}.tier"), "found \"front\", but the scenario has no [front] section");
                }
                Tier::Front
            }
            other => {
                c.push(format!("{here}.tier"), one_of(other, &["front", "backend"]));
                Tier::Backend
            }
        };
        let (from, to) = c.interval(&o.from, &o.to, &here);
        outages.push(Outage { tier, from, to });
    }
    for tier in [Tier::Front, Tier::Backend] {
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
