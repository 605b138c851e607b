//! `summary.json`: the headline figures of a run (or their means over
//! replications, with intervals beside), the resolved scenario and what is
//! needed to reproduce it (seed, program version).
//!
//! Keys come from `stats::Headline`; the drop causes are nested under
//! `drops_by_cause` and the refusal causes under `refusals_by_cause`, each
//! keyed by cause in alphabetical order.
//!
//! `booking_chance` says which arrival bins `booking_chance_ratio`
//! compared and which stood highest and lowest (replication 0's, with
//! replications: a highest bin is one run's, not a mean).
//!
//! A milestone has one shape for one run and for replications: `at`,
//! `label`, `of_people`, `booked_share_by` and `cohorts` (values: the
//! means, for replications), and `intervals`, the same keys with each
//! value's `{ lo, hi, n }` (`null` for one run).

use super::format::Shown;
use crate::scenario::units::clock_at;
use crate::scenario::Scenario;
use crate::stats::{ByMilestone, Columns, Figures, Headline, Kind};
use serde_json::{Map, Value as Json};

/// The headline figures as JSON members, in `Headline::ALL` order, the drop
/// causes gathered under `drops_by_cause` where the first of them stands,
/// the refusal causes under `refusals_by_cause` likewise.
pub fn figures_json<F: Shown>(
    headline: &Figures<Headline, F>,
    json: impl Fn(Headline, &F) -> Json,
) -> Map<String, Json> {
    const DROPS: &str = "drops_by_cause";
    const REFUSALS: &str = "refusals_by_cause";
    let mut out = Map::new();
    let (mut drops, mut refusals) = (Vec::new(), Vec::new());
    for (k, v) in headline.iter() {
        let (group, list, cause) = match k {
            Headline::Drop(c) => (DROPS, &mut drops, c.name()),
            Headline::Refusal(c) => (REFUSALS, &mut refusals, c.name()),
            _ => {
                out.insert(k.name().to_string(), json(k, v));
                continue;
            }
        };
        list.push((cause.to_string(), json(k, v)));
        if !out.contains_key(group) {
            out.insert(group.into(), Json::Null);
        }
    }
    for (group, mut list) in [(DROPS, drops), (REFUSALS, refusals)] {
        list.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(slot) = out.get_mut(group) {
            *slot = Json::Object(list.into_iter().collect());
        }
    }
    out
}

/// Who made the run: scenario, title, seed, program version, how many
/// replications the figures are over, and how the scenario came from its
/// file: the files it extends (nearest first), `--unset`, `--set`, `--scale`.
fn identity(s: &Scenario, replications: usize) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("scenario".into(), Json::from(s.name.as_str()));
    m.insert("title".into(), Json::from(s.title.as_str()));
    m.insert("seed".into(), Json::from(s.seed));
    m.insert("version".into(), Json::from(env!("CARGO_PKG_VERSION")));
    m.insert("replications".into(), Json::from(replications));
    m.insert("extends".into(), Json::from(s.origin.extends.clone()));
    m.insert("unset".into(), Json::from(s.origin.unset.clone()));
    m.insert("set".into(), Json::from(s.origin.set.clone()));
    m.insert("scale".into(), s.origin.scale.map_or(Json::Null, Json::from));
    m
}

/// `summary.json`: the same top-level figures for one run and for
/// replications (then their means), so a script reads `summary["booked"]`
/// either way, then `booking_chance` (the arrival bins
/// `booking_chance_ratio` compared, of replication 0: see
/// `fairness::booking_chance_json`); with replications, `confidence` and `intervals.<figure>`
/// (`{ lo, hi, n }`, drop and refusal causes under
/// `intervals.drops_by_cause` and `intervals.refusals_by_cause`) beside.
pub fn summary<F: Shown>(
    s: &Scenario,
    replications: usize,
    headline: &Figures<Headline, F>,
    milestones: &[ByMilestone<F>],
    booking_chance: Json,
) -> anyhow::Result<Vec<u8>> {
    let mut m = identity(s, replications);
    m.extend(figures_json(headline, |k, v| v.json_at(k.kind(), s.start)));
    m.insert("booking_chance".into(), booking_chance);
    m.insert("milestones".into(), Json::Array(milestones.iter().map(|b| milestone_json(s, b)).collect()));
    if F::INTERVALS {
        m.insert("confidence".into(), Json::from(0.95));
        m.insert("intervals".into(), Json::Object(figures_json(headline, |_, v| v.interval())));
    }
    m.insert("resolved".into(), serde_json::to_value(s)?);
    pretty(&Json::Object(m))
}

/// One milestone: its clock time, its label (as in the columns
/// `booked_share_by_<label>`), the eligible people whose window had opened
/// by then (`of_people`), the share of them booked (`booked_share_by`) and
/// each eligible cohort's share of its own people. The same keys for one
/// run and for replications: the values are the means, and `intervals`
/// holds the same keys with their `{ lo, hi, n }` (each `null` for one run).
fn milestone_json<F: Shown>(s: &Scenario, b: &ByMilestone<F>) -> Json {
    let eligible = || s.cohorts.iter().zip(&b.cohorts).filter(|(c, _)| c.eligible);
    let cohorts: Map<String, Json> = eligible().map(|(c, v)| (c.name.clone(), v.json(Kind::Share))).collect();
    // One run's intervals are `null`: the keys stay, so a script reads one
    // run and twenty the same way.
    let interval_of: Map<String, Json> = eligible().map(|(c, v)| (c.name.clone(), v.interval())).collect();
    let intervals = serde_json::json!({ "booked_share_by": b.share.interval(), "cohorts": interval_of });
    serde_json::json!({
        "at": clock_at(s.start, b.at).to_rfc3339(),
        "label": s.milestone_label(b.at),
        "of_people": b.of_people,
        "booked_share_by": b.share.json(Kind::Share),
        "cohorts": cohorts,
        "intervals": intervals,
    })
}

/// Indented JSON with a final newline.
fn pretty(v: &Json) -> anyhow::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(v)?;
    bytes.push(b'\n');
    Ok(bytes)
}
