//! `summary.json`: the headline figures of a run (or their estimates over
//! replications), the resolved scenario and what is needed to reproduce it
//! (seed, program version).
//!
//! Keys come from `stats::Headline`; the drop causes are nested under
//! `drops_by_cause`, keyed by cause in alphabetical order.

use super::format::Shown;
use crate::scenario::Scenario;
use crate::stats::{Columns, Estimate, Figures, Headline, Value};
use serde_json::{Map, Value as Json};

/// The headline figures as JSON members, in `Headline::ALL` order, the drop
/// causes gathered under `drops_by_cause` where the first of them stands.
pub fn figures_json<F: Shown>(headline: &Figures<Headline, F>) -> Map<String, Json> {
    let mut out = Map::new();
    let mut by_cause = Vec::new();
    for (k, v) in headline.iter() {
        match k {
            Headline::Drop(c) => {
                by_cause.push((c.name().to_string(), v.json(k.kind())));
                if !out.contains_key("drops_by_cause") {
                    out.insert("drops_by_cause".into(), Json::Null);
                }
            }
            _ => {
                out.insert(k.name().to_string(), v.json(k.kind()));
            }
        }
    }
    by_cause.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(slot) = out.get_mut("drops_by_cause") {
        *slot = Json::Object(by_cause.into_iter().collect());
    }
    out
}

/// Who made the run: scenario, title, seed, program version.
fn identity(s: &Scenario) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("scenario".into(), Json::from(s.name.as_str()));
    m.insert("title".into(), Json::from(s.title.as_str()));
    m.insert("seed".into(), Json::from(s.seed));
    m.insert("version".into(), Json::from(env!("CARGO_PKG_VERSION")));
    m
}

/// `summary.json` of one run.
pub fn single(s: &Scenario, headline: &Figures<Headline, Value>) -> anyhow::Result<Vec<u8>> {
    let mut m = identity(s);
    m.extend(figures_json(headline));
    m.insert("resolved".into(), serde_json::to_value(s)?);
    pretty(&Json::Object(m))
}

/// `summary.json` of `n` replications: each headline figure as
/// `{ mean, lo, hi, n }` under `figures`.
pub fn replicated(s: &Scenario, n: usize, headline: &Figures<Headline, Option<Estimate>>) -> anyhow::Result<Vec<u8>> {
    let mut m = identity(s);
    m.insert("replications".into(), Json::from(n));
    m.insert("confidence".into(), Json::from(0.95));
    m.insert("figures".into(), Json::Object(figures_json(headline)));
    m.insert("resolved".into(), serde_json::to_value(s)?);
    pretty(&Json::Object(m))
}

/// Indented JSON with a final newline.
fn pretty(v: &Json) -> anyhow::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(v)?;
    bytes.push(b'\n');
    Ok(bytes)
}
