//! Sweeps: every combination of the values given for one or more scenario
//! keys (`--vary key=v1,v2,...`), each run with R replications, in
//! parallel, one row of `sweep.csv` per point.
//!
//! Points are numbered in grid order (the first `--vary` changes slowest).
//! A sweep too large for one machine is split into shards: shard i of n
//! runs the points p with p mod n = i (so every shard gets a fair mix of
//! cheap and dear points) and writes its rows and a `sweep.json` saying
//! which shard it is; `merge` checks the shards fit together and writes the
//! very bytes the unsharded sweep would have.

use crate::progress::Progress;
use crate::replicate::to_csv;
use crate::report::summary::summary;
use crate::report::{charts, ReportOptions};
use crate::scenario::{self, Scenario, ScenarioError};
use crate::stats::Interval;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;
use std::str::FromStr;

/// Headline figures written for every point (mean, then `_lo`, `_hi`).
pub const HEADLINE: [&str; 15] = [
    "people",
    "attempts",
    "booked",
    "booked_share",
    "drop_rate",
    "abandon_rate",
    "p_wait",
    "wait_mean_s",
    "wait_p50_s",
    "wait_p90_s",
    "wait_p99_s",
    "time_to_book_p50_s",
    "time_to_book_p90_s",
    "queue_len_mean",
    "active_sessions_mean",
];

/// One varied key and its values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vary {
    pub key: String,
    pub values: Vec<String>,
}

impl FromStr for Vary {
    type Err = String;
    /// `key=v1,v2,...` (values as `--set` takes them; no commas inside).
    fn from_str(text: &str) -> Result<Vary, String> {
        let (key, values) = text.split_once('=').ok_or_else(|| {
            format!("found \"{text}\", expected key=value1,value2,... like backend.max_sessions=100,300")
        })?;
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if key.trim().is_empty() || values.iter().any(|v| v.is_empty() || v.contains('\n')) {
            return Err(format!("found \"{text}\", expected key=value1,value2,... with no empty value"));
        }
        Ok(Vary { key: key.trim().to_string(), values })
    }
}

/// Shard `index` of `count` (`--shard 0/4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("found \"{text}\", expected i/n with 0 <= i < n, like 0/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) =
            (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// What a sweep is: enough to check that shards belong together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub scenario: String,
    pub vary: Vec<Vary>,
    pub replications: usize,
    pub points: usize,
    /// `None` for a whole sweep.
    pub shard: Option<Shard>,
}

impl Plan {
    pub fn new(scenario: &str, vary: Vec<Vary>, replications: usize, shard: Option<Shard>) -> Plan {
        let points = vary.iter().map(|v| v.values.len()).product();
        Plan { scenario: scenario.to_string(), vary, replications, points, shard }
    }

    /// The `--set` overrides of point `p` (the first key changes slowest).
    pub fn point(&self, mut p: usize) -> Vec<(String, String)> {
        let mut out = vec![(String::new(), String::new()); self.vary.len()];
        for (slot, v) in out.iter_mut().zip(&self.vary).rev() {
            *slot = (v.key.clone(), v.values[p % v.values.len()].clone());
            p /= v.values.len();
        }
        out
    }

    /// The points this shard runs, in order.
    pub fn my_points(&self) -> Vec<usize> {
        match self.shard {
            None => (0..self.points).collect(),
            Some(s) => (s.index..self.points).step_by(s.count).collect(),
        }
    }
}

/// Load the scenario of every point of this shard (all errors are input errors).
pub fn load_points(path: &Path, sets: &[String], plan: &Plan) -> Result<Vec<(usize, Scenario)>, ScenarioError> {
    plan.my_points()
        .into_iter()
        .map(|p| {
            let mut all = sets.to_vec();
            all.extend(plan.point(p).into_iter().map(|(k, v)| format!("{k}={v}")));
            scenario::load(path, &all).map(|s| (p, s))
        })
        .collect()
}

/// Run every (point, replication) in parallel; one `sweep.csv` row per point.
pub fn run(plan: &Plan, points: &[(usize, Scenario)], progress: &Progress) -> Result<Vec<Map<String, Value>>> {
    let jobs: Vec<(usize, u64)> =
        (0..points.len()).flat_map(|i| (0..plan.replications as u64).map(move |r| (i, r))).collect();
    // Only the summary of each run is kept: a sweep's memory does not grow
    // with the length of the runs.
    let summaries: Vec<Value> = jobs
        .par_iter()
        .map(|&(i, r)| {
            let s = &points[i].1;
            let results = crate::try_simulate(s, r)?.results;
            progress.inc();
            serde_json::to_value(summary(s, &results)).map_err(anyhow::Error::from)
        })
        .collect::<Result<_>>()?;
    Ok(points
        .iter()
        .enumerate()
        .map(|(i, (p, _))| {
            let mine = &summaries[i * plan.replications..(i + 1) * plan.replications];
            row(plan, *p, mine)
        })
        .collect())
}

fn row(plan: &Plan, p: usize, summaries: &[Value]) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("point".into(), Value::from(p));
    for (k, v) in plan.point(p) {
        m.insert(k, Value::String(v));
    }
    let num = |x: Option<f64>| x.and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number);
    for key in HEADLINE {
        let values: Vec<f64> = summaries.iter().filter_map(|s| s.get(key)?.as_f64()).collect();
        let ci = Interval::of(&values);
        m.insert(key.into(), num(ci.map(|c| c.mean)));
        m.insert(format!("{key}_lo"), num(ci.and_then(|c| c.lo)));
        m.insert(format!("{key}_hi"), num(ci.and_then(|c| c.hi)));
    }
    m
}

/// The files of a sweep (or of one shard): `sweep.csv`, `sweep.json`, and,
/// for a whole sweep with `opts.charts`, one `sweep-<key>` chart per key
/// (a shard draws none: `merge` draws them from all the rows).
pub fn render(plan: &Plan, rows: &[Map<String, Value>], opts: &ReportOptions) -> Result<Vec<(String, Vec<u8>)>> {
    let mut plan_json = serde_json::to_vec_pretty(plan)?;
    plan_json.push(b'\n');
    let csv = to_csv(rows)?;
    let mut files = Vec::new();
    if opts.charts && plan.shard.is_none() {
        // Drawn from the CSV's bytes, as `merge` draws them.
        files = charts::sweep::charts(plan, &csv, opts.format)?;
    }
    files.splice(0..0, [("sweep.csv".into(), csv), ("sweep.json".into(), plan_json)]);
    Ok(files)
}

/// Combine shard folders into the files of the whole sweep, charts (with
/// `opts.charts`) drawn from the merged rows as an unsharded sweep draws them.
pub fn merge(dirs: &[impl AsRef<Path>], opts: &ReportOptions) -> Result<Vec<(String, Vec<u8>)>> {
    let mut plans = Vec::new();
    let mut header: Option<String> = None;
    let mut lines: Vec<(usize, String)> = Vec::new();
    for dir in dirs {
        let dir = dir.as_ref();
        let plan_path = dir.join("sweep.json");
        let plan: Plan = serde_json::from_slice(
            &std::fs::read(&plan_path).with_context(|| format!("could not read '{}'", plan_path.display()))?,
        )
        .with_context(|| format!("'{}' is not a sweep plan", plan_path.display()))?;
        let csv_path = dir.join("sweep.csv");
        let text =
            std::fs::read_to_string(&csv_path).with_context(|| format!("could not read '{}'", csv_path.display()))?;
        let mut it = text.lines();
        let h = it.next().unwrap_or_default().to_string();
        match &header {
            None => header = Some(h),
            Some(first) if *first != h => bail!("'{}' has other columns than the first shard", csv_path.display()),
            Some(_) => {}
        }
        for line in it {
            let p: usize = line
                .split(',')
                .next()
                .and_then(|f| f.parse().ok())
                .with_context(|| format!("'{}': a row without a point number", csv_path.display()))?;
            lines.push((p, line.to_string()));
        }
        plans.push((dir.display().to_string(), plan));
    }
    let Some((_, first)) = plans.first() else { bail!("no shard folders given") };
    let whole = Plan { shard: None, ..first.clone() };
    let count = first.shard.map_or(1, |s| s.count);
    let mut seen = vec![false; count];
    for (dir, plan) in &plans {
        if (Plan { shard: None, ..plan.clone() }) != whole {
            bail!("'{dir}' belongs to another sweep (scenario, --vary or --replications differ)");
        }
        let index = plan.shard.map_or(0, |s| s.index);
        if plan.shard.map_or(1, |s| s.count) != count {
            bail!("'{dir}' was cut into another number of shards");
        }
        if std::mem::replace(&mut seen[index], true) {
            bail!("shard {index}/{count} given twice ('{dir}')");
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        bail!("shard {missing}/{count} is missing");
    }
    lines.sort_by_key(|(p, _)| *p);
    if lines.len() != whole.points || lines.iter().enumerate().any(|(i, (p, _))| *p != i) {
        bail!("the shards hold {} rows, expected one for each of {} points", lines.len(), whole.points);
    }
    let mut csv = header.unwrap_or_default();
    csv.push('\n');
    for (_, line) in lines {
        csv.push_str(&line);
        csv.push('\n');
    }
    let mut plan_json = serde_json::to_vec_pretty(&whole)?;
    plan_json.push(b'\n');
    let csv = csv.into_bytes();
    let mut files = Vec::new();
    if opts.charts {
        files = charts::sweep::charts(&whole, &csv, opts.format)?;
    }
    files.splice(0..0, [("sweep.csv".into(), csv), ("sweep.json".into(), plan_json)]);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(shard: Option<Shard>) -> Plan {
        Plan::new("s.toml", vec!["a=1,2,3".parse().unwrap(), "b=x,y".parse().unwrap()], 2, shard)
    }

    #[test]
    fn the_grid_is_the_full_product_first_key_slowest() {
        let p = plan(None);
        assert_eq!(p.points, 6);
        let pts: Vec<Vec<(String, String)>> = (0..6).map(|i| p.point(i)).collect();
        assert_eq!(pts[0], vec![("a".into(), "1".into()), ("b".into(), "x".into())]);
        assert_eq!(pts[1], vec![("a".into(), "1".into()), ("b".into(), "y".into())]);
        assert_eq!(pts[5], vec![("a".into(), "3".into()), ("b".into(), "y".into())]);
    }

    #[test]
    fn shards_deal_every_point_once() {
        let mut all: Vec<usize> = (0..4).flat_map(|i| plan(Some(Shard { index: i, count: 4 })).my_points()).collect();
        all.sort();
        assert_eq!(all, (0..6).collect::<Vec<_>>());
    }

    #[test]
    fn bad_specs_are_refused() {
        assert!("a".parse::<Vary>().is_err());
        assert!("a=1,,2".parse::<Vary>().is_err());
        assert!("3/3".parse::<Shard>().is_err());
        assert!("x/2".parse::<Shard>().is_err());
        assert_eq!("1/3".parse::<Shard>(), Ok(Shard { index: 1, count: 3 }));
    }
}
