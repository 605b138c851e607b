//! Replications: R independent runs of one scenario, each on its own
//! random stream derived from (seed, replication index), run in parallel
//! and combined into means with 95 % confidence intervals.
//!
//! Results are collected in replication order, and each replication is a
//! pure function of (scenario, seed, index), so the output is the same
//! with one thread or many.
//!
//! Combining works on the rows the single-run report already makes
//! (`report::summary`, `report::tables`): every numeric field becomes the
//! mean over replications, and chosen fields get `_lo`/`_hi` bounds.
//! Nothing is listed twice, so the replicated tables cannot drift from the
//! single-run ones.

use crate::engine::OutOfMemory;
use crate::progress::Progress;
use crate::report::{self, ReportOptions};
use crate::scenario::Scenario;
use crate::stats::{Interval, Results};
use crate::try_simulate;
use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};

/// Run replications 0..n of `s` in parallel, in replication order; an
/// error if one ran out of memory.
pub fn run(s: &Scenario, n: usize, progress: &Progress) -> Result<Vec<Results>, OutOfMemory> {
    (0..n as u64)
        .into_par_iter()
        .map(|r| {
            let results = try_simulate(s, r)?.results;
            progress.inc();
            Ok(results)
        })
        .collect()
}

/// Time-series columns that get confidence bands.
pub const BANDED: [&str; 6] = ["wait_mean_s", "wait_p50_s", "wait_p90_s", "wait_p99_s", "drop_rate", "abandon_rate"];

/// The files of a replicated run: the tables and summary with intervals,
/// the charts (per bin the mean over the replications, with its 95 % band)
/// and report.md (means with intervals).
pub fn render(s: &Scenario, runs: &[Results], opts: &ReportOptions) -> Result<Vec<(String, Vec<u8>)>> {
    let first = runs.first().ok_or_else(|| anyhow::anyhow!("no replications"))?;
    if runs.len() == 1 {
        return report::render_with(s, first, opts);
    }
    let timeseries: Vec<Vec<Map<String, Value>>> =
        runs.iter().map(|r| rows(&report::tables::timeseries_rows(s, r))).collect::<Result<_>>()?;
    let cohorts: Vec<Vec<Map<String, Value>>> =
        runs.iter().map(|r| rows(&report::tables::cohort_rows(s, r))).collect::<Result<_>>()?;
    let summaries: Vec<Value> =
        runs.iter().map(|r| serde_json::to_value(report::summary::summary(s, r))).collect::<Result<_, _>>()?;

    let cohort_rows = combine_rows(&cohorts, |_| true);
    let summary = summary_json(s, runs.len(), &summaries);
    let mut summary_bytes = serde_json::to_vec_pretty(&summary)?;
    summary_bytes.push(b'\n');
    let mut files = vec![
        ("timeseries.csv".to_string(), to_csv(&combine_rows(&timeseries, |k| BANDED.contains(&k)))?),
        ("cohorts.csv".to_string(), to_csv(&cohort_rows)?),
        ("summary.json".to_string(), summary_bytes),
    ];
    // Charts: per bin, the mean over the replications with its 95 % band;
    // report.md: means with intervals, from the combined summary and rows.
    if opts.charts {
        files.extend(report::charts::run_charts(s, runs, opts.format)?);
    }
    let charts = opts.charts.then_some(opts.format);
    files.push(("report.md".to_string(), report::markdown::replicated_report(s, &summary, &cohort_rows, charts)));
    Ok(files)
}

/// Rows as JSON objects, in their field order.
fn rows<T: Serialize>(rows: &[T]) -> Result<Vec<Map<String, Value>>> {
    rows.iter()
        .map(|r| match serde_json::to_value(r)? {
            Value::Object(m) => Ok(m),
            other => Err(anyhow::anyhow!("a table row serialized as {other}")),
        })
        .collect()
}

/// The numbers among `values` if every one is a number or null (a figure
/// undefined in some replications, such as a wait in a bin nobody was
/// admitted in); `None` for text and objects.
fn numbers(values: &[&Value]) -> Option<Vec<f64>> {
    values.iter().all(|v| v.is_number() || v.is_null()).then(|| values.iter().filter_map(|v| v.as_f64()).collect())
}

fn opt(x: Option<f64>) -> Value {
    x.and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
}

/// Row i of the result: each numeric field the mean over replications
/// (of those where it is defined), `banded` fields followed by `_lo` and
/// `_hi`; other fields as in replication 0. Rows line up by index (same
/// bins, same cohorts in every replication).
pub fn combine_rows(reps: &[Vec<Map<String, Value>>], banded: impl Fn(&str) -> bool) -> Vec<Map<String, Value>> {
    let n_rows = reps.first().map_or(0, Vec::len);
    (0..n_rows)
        .map(|i| {
            let mut out = Map::new();
            for (key, first) in &reps[0][i] {
                let values: Vec<&Value> = reps.iter().filter_map(|r| r.get(i)?.get(key)).collect();
                match numbers(&values) {
                    Some(nums) => {
                        let ci = Interval::of(&nums);
                        out.insert(key.clone(), opt(ci.map(|c| c.mean)));
                        if banded(key) {
                            out.insert(format!("{key}_lo"), opt(ci.and_then(|c| c.lo)));
                            out.insert(format!("{key}_hi"), opt(ci.and_then(|c| c.hi)));
                        }
                    }
                    None => {
                        out.insert(key.clone(), first.clone());
                    }
                }
            }
            out
        })
        .collect()
}

/// Rows of JSON scalars as CSV (header from the first row's keys).
pub fn to_csv(rows: &[Map<String, Value>]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if let Some(first) = rows.first() {
        w.write_record(first.keys())?;
    }
    for row in rows {
        w.write_record(row.values().map(|v| match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv buffer: {e}"))
}

/// Headline figures as `{ "mean": .., "lo": .., "hi": .., "n": .. }`, the
/// same keys as a single run's `summary.json`.
fn summary_json(s: &Scenario, n: usize, summaries: &[Value]) -> Value {
    let skip = ["scenario", "title", "seed", "version", "resolved"];
    let mut figures = Map::new();
    if let Some(Value::Object(first)) = summaries.first() {
        for key in first.keys().filter(|k| !skip.contains(&k.as_str())) {
            let values: Vec<&Value> = summaries.iter().filter_map(|v| v.get(key)).collect();
            figures.insert(key.clone(), interval_tree(&values));
        }
    }
    serde_json::json!({
        "scenario": s.name,
        "title": s.title,
        "seed": s.seed,
        "version": env!("CARGO_PKG_VERSION"),
        "replications": n,
        "confidence": 0.95,
        "figures": figures,
        "resolved": s,
    })
}

/// Numbers -> an interval; objects -> the same per key; anything else as is.
fn interval_tree(values: &[&Value]) -> Value {
    if let Some(nums) = numbers(values).filter(|n| !n.is_empty()) {
        return serde_json::to_value(Interval::of(&nums)).unwrap_or(Value::Null);
    }
    match values.first() {
        Some(Value::Object(first)) => {
            let mut m = Map::new();
            for key in first.keys() {
                let sub: Vec<&Value> = values.iter().filter_map(|v| v.get(key)).collect();
                m.insert(key.clone(), interval_tree(&sub));
            }
            Value::Object(m)
        }
        Some(v) => (*v).clone(),
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn rows_combine_into_means_and_bands() {
        let reps = vec![
            vec![row(json!({"time": "a", "x": 1.0, "w": 10.0, "e": null}))],
            vec![row(json!({"time": "b", "x": 3.0, "w": 20.0, "e": null}))],
        ];
        let out = combine_rows(&reps, |k| k == "w");
        let keys: Vec<&String> = out[0].keys().collect();
        assert_eq!(keys, ["time", "x", "w", "w_lo", "w_hi", "e"]);
        assert_eq!(out[0]["time"], "a");
        assert_eq!(out[0]["x"], 2.0);
        assert_eq!(out[0]["w"], 15.0);
        assert!(out[0]["w_lo"].as_f64().unwrap() < 15.0 && out[0]["w_hi"].as_f64().unwrap() > 15.0);
        assert!(out[0]["e"].is_null());
        let csv = String::from_utf8(to_csv(&out).unwrap()).unwrap();
        assert!(csv.starts_with("time,x,w,w_lo,w_hi,e\na,2.0,15.0,"), "{csv}");
    }

    #[test]
    fn nested_figures_become_intervals() {
        let a = json!({"p": 1.0, "by": {"q": 2.0}, "name": "x"});
        let b = json!({"p": 3.0, "by": {"q": 4.0}, "name": "x"});
        let t = interval_tree(&[&a, &b]);
        assert_eq!(t["p"]["mean"], 2.0);
        assert_eq!(t["by"]["q"]["mean"], 3.0);
        assert_eq!(t["name"], "x");
    }
}
