//! `summary.json`: the headline figures of a run (or their means over
//! replications, with intervals beside), the resolved scenario and what is
//! needed to reproduce it (seed, program version).
//!
//! Keys come from `stats::Headline`; the drop causes are nested under
//! `drops_by_cause`, keyed by cause in alphabetical order.

use super::format::Shown;
use crate::scenario::units::clock_at;
use crate::scenario::Scenario;
use crate::stats::{ByMilestone, Columns, Figures, Headline, Kind};
use serde_json::{Map, Value as Json};

/// The headline figures as JSON members, in `Headline::ALL` order, the drop
/// causes gathered under `drops_by_cause` where the first of them stands.
pub fn figures_json<F: Shown>(
    headline: &Figures<Headline, F>,
    json: impl Fn(Headline, &F) -> Json,
) -> Map<String, Json> {
    let mut out = Map::new();
    let mut by_cause = Vec::new();
    for (k, v) in headline.iter() {
        match k {
            Headline::Drop(c) => {
                by_cause.push((c.name().to_string(), json(k, v)));
                if !out.contains_key("drops_by_cause") {
                    out.insert("drops_by_cause".into(), Json::Null);
                }
            }
            _ => {
                out.insert(k.name().to_string(), json(k, v));
            }
        }
    }
    by_cause.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(slot) = out.get_mut("drops_by_cause") {
        *slot = Json::Object(by_cause.into_iter().collect());
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
/// either way; with replications, `confidence` and `intervals.<figure>`
/// (`{ lo, hi, n }`, drop causes under `intervals.drops_by_cause`) beside.
pub fn summary<F: Shown>(
    s: &Scenario,
    replications: usize,
    headline: &Figures<Headline, F>,
    milestones: &[ByMilestone<F>],
) -> anyhow::Result<Vec<u8>> {
    let mut m = identity(s, replications);
    m.extend(figures_json(headline, |k, v| v.json_at(k.kind(), s.start)));
    m.insert("milestones".into(), Json::Array(milestones.iter().map(|b| milestone_json(s, b)).collect()));
    if F::INTERVALS {
        m.insert("confidence".into(), Json::from(0.95));
        m.insert("intervals".into(), Json::Object(figures_json(headline, |_, v| v.interval())));
    }
    m.insert("resolved".into(), serde_json::to_value(s)?);
    pretty(&Json::Object(m))
}

/// One milestone: its clock time, its label (as in the columns
/// `booked_share_by_<label>`), the share of all eligible people booked by
/// then and each eligible cohort's (with intervals for replications).
fn milestone_json<F: Shown>(s: &Scenario, b: &ByMilestone<F>) -> Json {
    let share = |v: &F| {
        if F::INTERVALS {
            serde_json::json!({ "mean": v.json(Kind::Share), "interval": v.interval() })
        } else {
            v.json(Kind::Share)
        }
    };
    let cohorts: Map<String, Json> =
        s.cohorts.iter().zip(&b.cohorts).filter(|(c, _)| c.eligible).map(|(c, v)| (c.name.clone(), share(v))).collect();
    serde_json::json!({
        "at": clock_at(s.start, b.at).to_rfc3339(),
        "label": s.milestone_label(b.at),
        "booked_share": share(&b.share),
        "cohorts": cohorts,
    })
}

/// Indented JSON with a final newline.
fn pretty(v: &Json) -> anyhow::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(v)?;
    bytes.push(b'\n');
    Ok(bytes)
}
