//! The files of `surgesim calibrate` but `calibrated.toml` (which the
//! command writes, knowing the paths): `calibration.json` (the fitted keys
//! with their intervals, each observation observed against simulated, the
//! objective, the runs, the method, what the run recorded),
//! `calibration.csv` (every point run, in evaluation order), the charts
//! (`calibration-fit`, `calibration-search`) and `report.md`.

use super::charts::{self, calibrate as chart};
use super::format::number;
use super::{Files, ReportOptions};
use crate::scenario::Scenario;
use crate::stats::calibrate::{Bound, Calibration, Interval, Observation, Param};
use crate::stats::{Estimate, Kind};
use anyhow::{Context, Result};
use serde_json::{json, Value as Json};

/// What a calibration found, with what it was asked.
pub struct CalibrationReport<'a> {
    /// As it ran (with `--set`, `--unset` and `--scale` in its origin).
    pub scenario: &'a Scenario,
    /// The fitted keys, as given.
    pub keys: &'a [String],
    pub params: &'a [Param],
    /// Each observation's figure, source and kind, in the scenario's order.
    pub figures: &'a [String],
    pub sources: &'a [String],
    pub kinds: &'a [Kind],
    pub observations: &'a [Observation],
    pub fit: &'a Calibration,
    pub max_runs: usize,
    pub warnings: &'a [String],
    /// Key `j`'s value as `--set` writes it (`53`, `4000.5`, `90s`).
    pub text: &'a dyn Fn(usize, f64) -> String,
}

/// How the interval of each key is found, in a sentence.
pub const INTERVAL_METHOD: &str = "profile: from the fitted point along each key (the others held), up to 8 values \
     towards each end of the range at doubling distances (1/128 of the way, 1/64, ..., the end); a value is inside while the paired per-replication objective \
     differences J_r(x) - J_r(fitted) are not significantly above zero (one-sided Student-t test at 95 %, common \
     random numbers); the bound is the last value inside. A bound at the range's edge is open (the interval may go \
     on); one the budget stopped is a lower bound on the interval's extent";

/// How the keys were fitted, in a sentence.
pub const METHOD: &str = "Nelder-Mead (argmin crate) in the unit cube of the keys' ranges, started at the \
     scenario's values (the middle of a range they lie outside), restarted from the best point with smaller \
     simplices (a tenth, a twenty-fifth of the cube) while that improves and the budget allows; objective J = sum \
     of w ((simulated - observed) / max(|observed|, floor))^2 over the observations used, simulated the mean over \
     replications 0..R on the same seeds at every point (common random numbers: J is a deterministic function of \
     the keys); floors: 1 for counts, 0.01 for shares, 1 s for durations, 1 for levels. Guarantee: a local \
     minimum of J at best, no global one";

/// The simulated figure `i` at the fitted point: mean and 95 % interval.
fn simulated(p: &CalibrationReport, i: usize) -> Option<Estimate> {
    let values: Vec<f64> = p.fit.best().runs.iter().filter_map(|r| r[i]).collect();
    Estimate::of(&values)
}

/// A key's value in JSON: a whole number as one, else a number.
fn key_json(p: &CalibrationReport, j: usize, x: f64) -> Json {
    let text = (p.text)(j, x);
    text.parse::<i64>().map(Json::from).unwrap_or_else(|_| Json::from(x))
}

/// A bound as the line prints it: `≤5900` when the interval may go on
/// below it (range edge, budget), `≥` above.
fn bound_text(p: &CalibrationReport, j: usize, b: &Bound, below: bool) -> String {
    let v = (p.text)(j, b.value);
    match (b.open || b.budget, below) {
        (true, true) => format!("≤{v}"),
        (true, false) => format!("≥{v}"),
        (false, _) => v,
    }
}

/// Key `j` as the line prints it: `key=6200 [5900, 6500]`.
fn key_line(p: &CalibrationReport, j: usize) -> String {
    let x = p.fit.best().x[j];
    let interval = match &p.fit.intervals[j] {
        Ok(Interval { lo, hi }) => {
            format!(" [{}, {}]", bound_text(p, j, lo, true), bound_text(p, j, hi, false))
        }
        Err(_) => " (no interval)".into(),
    };
    format!("{}={}{interval}", p.keys[j], (p.text)(j, x))
}

/// A signed percentage, `+4.1 %`.
fn signed_percent(x: f64) -> String {
    format!("{:+.1} %", 100.0 * x)
}

/// The one line printed: `calibrated k=6200 [5900, 6500], ...: objective
/// 0.012 over 3 observations, 120 runs; held out: queue_at_... +4.1 %`.
pub fn answer_line(p: &CalibrationReport) -> String {
    let keys: Vec<String> = (0..p.keys.len()).map(|j| key_line(p, j)).collect();
    let used = p.observations.iter().filter(|o| o.used).count();
    let mut line = format!(
        "calibrated {}: objective {} over {used} observation{}, {} runs",
        keys.join(", "),
        short(p.fit.best().objective),
        if used == 1 { "" } else { "s" },
        p.fit.runs
    );
    let held: Vec<String> = p
        .observations
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.used)
        .map(|(i, o)| {
            let e = p.fit.best().means[i].map_or("undefined".to_string(), |m| signed_percent(o.error(m)));
            format!("{} {e}", p.figures[i])
        })
        .collect();
    if !held.is_empty() {
        line.push_str(&format!("; held out: {}", held.join(", ")));
    }
    line
}

/// A number with four significant digits, as prose gives it.
fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    if x.abs() < 1e-3 {
        return format!("{x:.3e}");
    }
    let digits = (3 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.digits$}")
}

/// `calibration.json`.
fn json(p: &CalibrationReport) -> Result<Vec<u8>> {
    let s = p.scenario;
    let best = p.fit.best();
    let fitted: serde_json::Map<String, Json> = p
        .keys
        .iter()
        .enumerate()
        .map(|(j, k)| {
            let entry = match &p.fit.intervals[j] {
                Ok(Interval { lo, hi }) => json!({
                    "value": key_json(p, j, best.x[j]),
                    "value_text": (p.text)(j, best.x[j]),
                    "lo": key_json(p, j, lo.value),
                    "hi": key_json(p, j, hi.value),
                    "lo_open": lo.open, "hi_open": hi.open,
                    "lo_budget": lo.budget, "hi_budget": hi.budget,
                    "range": { "lo": key_json(p, j, p.params[j].lo), "hi": key_json(p, j, p.params[j].hi) },
                }),
                Err(why) => json!({
                    "value": key_json(p, j, best.x[j]),
                    "value_text": (p.text)(j, best.x[j]),
                    "lo": null, "hi": null, "note": why,
                    "range": { "lo": key_json(p, j, p.params[j].lo), "hi": key_json(p, j, p.params[j].hi) },
                }),
            };
            (k.clone(), entry)
        })
        .collect();
    let observations: Vec<Json> = p
        .observations
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let e = simulated(p, i);
            json!({
                "figure": p.figures[i],
                "observed": o.value,
                "simulated": e.map(|e| e.mean),
                "lo": e.and_then(|e| e.lo),
                "hi": e.and_then(|e| e.hi),
                "error": best.means[i].map(|m| o.error(m)),
                "used": o.used,
                "weight": o.weight,
                "floor": o.floor,
                "source": p.sources[i],
            })
        })
        .collect();
    let r = best.runs.len();
    let doc = super::with_origin(
        s,
        json!({
            "fitted": fitted,
            "interval_method": INTERVAL_METHOD,
            "observations": observations,
            "objective": best.objective,
            "runs": p.fit.runs,
            "max_runs": p.max_runs,
            "replications": r,
            "points": p.fit.evaluations.len(),
            "searches": p.fit.searches,
            "budget_stopped": p.fit.budget_stopped,
            "method": METHOD,
            "seeds": seeds(p),
            "warnings": p.warnings,
        }),
    );
    let mut bytes = serde_json::to_vec_pretty(&doc)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Which seeds every point ran on.
fn seeds(p: &CalibrationReport) -> String {
    let r = p.fit.best().runs.len();
    format!(
        "replication r of every point runs on the random streams of (seed {}, r), r = 0 to {}: every point meets \
         the same people",
        p.scenario.seed,
        r.saturating_sub(1)
    )
}

/// `calibration.csv`: one row per point run, in evaluation order.
fn csv(p: &CalibrationReport) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string()];
    header.extend(p.keys.iter().cloned());
    header.extend(["objective".to_string(), "replications".to_string()]);
    header.extend(p.figures.iter().cloned());
    w.write_record(&header)?;
    for (i, e) in p.fit.evaluations.iter().enumerate() {
        let mut row = vec![i.to_string()];
        row.extend(e.x.iter().enumerate().map(|(j, x)| (p.text)(j, *x)));
        row.extend([number(Some(e.objective)), e.runs.len().to_string()]);
        row.extend(e.means.iter().map(|m| number(*m)));
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv buffer: {e}"))
}

/// `report.md`: the answer, the method and what it guarantees, the seeds
/// and budget, the fitted keys, every observation (held-out ones as
/// out-of-sample checks), the charts.
fn markdown(p: &CalibrationReport, charts: &[String]) -> Vec<u8> {
    let s = p.scenario;
    let mut md = format!("# Calibration: {}\n\n", s.title);
    md.push_str(&format!("**{}**\n\n", answer_line(p)));
    if !s.origin.is_plain() {
        md.push_str(&format!("{}\n\n", super::markdown::origin_line(&s.origin)));
    }
    md.push_str(&format!("- Method: {METHOD}.\n"));
    md.push_str(&format!("- Intervals: {INTERVAL_METHOD}.\n"));
    md.push_str(&format!(
        "- Seeds: {}; {} runs of at most {} ({} points).\n",
        seeds(p),
        p.fit.runs,
        p.max_runs,
        p.fit.evaluations.len()
    ));
    md.push_str(
        "- What it rests on: the observations below, as the scenario states them and their sources; the keys \
         not fitted as the scenario sets them.\n",
    );
    for w in p.warnings {
        md.push_str(&format!("- Warning: {w}.\n"));
    }
    md.push_str("\n## Fitted keys\n\n| key | value | interval | range |\n| --- | ---: | --- | --- |\n");
    for (j, k) in p.keys.iter().enumerate() {
        let x = p.fit.best().x[j];
        let interval = match &p.fit.intervals[j] {
            Ok(Interval { lo, hi }) => format!("{} to {}", bound_text(p, j, lo, true), bound_text(p, j, hi, false)),
            Err(why) => why.clone(),
        };
        let range = format!("{} to {}", (p.text)(j, p.params[j].lo), (p.text)(j, p.params[j].hi));
        md.push_str(&format!("| `{k}` | {} | {interval} | {range} |\n", (p.text)(j, x)));
    }
    md.push_str(
        "\n## Observations\n\n| figure | observed | simulated (mean [95 % interval]) | error | used | source |\n\
         | --- | ---: | ---: | ---: | --- | --- |\n",
    );
    for (i, o) in p.observations.iter().enumerate() {
        let e = simulated(p, i);
        let sim = e.map_or("undefined".to_string(), |e| match (e.lo, e.hi) {
            (Some(lo), Some(hi)) => format!("{} [{} to {}]", short(e.mean), short(lo), short(hi)),
            _ => short(e.mean),
        });
        let err = p.fit.best().means[i].map_or("undefined".to_string(), |m| signed_percent(o.error(m)));
        let used = if o.used { "fit" } else { "held out (out-of-sample check)" };
        md.push_str(&format!(
            "| `{}` | {} | {sim} | {err} | {used} | {} |\n",
            p.figures[i],
            short(o.value),
            super::format::cell(&p.sources[i])
        ));
    }
    if !charts.is_empty() {
        md.push_str("\n## Charts\n\n");
        for c in charts {
            md.push_str(&format!("![{c}]({c})\n"));
        }
    }
    md.into_bytes()
}

/// The observations at the fitted point, as percentages of what was
/// observed, for the chart.
fn fit_points(p: &CalibrationReport) -> Vec<chart::FitPoint> {
    p.observations
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let e = simulated(p, i);
            let percent = |v: f64| 100.0 * (1.0 + o.error(v));
            chart::FitPoint {
                figure: p.figures[i].clone(),
                used: o.used,
                percent: e.map(|e| percent(e.mean)),
                lo: e.and_then(|e| e.lo).map(percent),
                hi: e.and_then(|e| e.hi).map(percent),
            }
        })
        .collect()
}

/// Every file of a calibration's folder but `calibrated.toml`.
pub fn render(p: &CalibrationReport, opts: &ReportOptions) -> Result<Files> {
    let mut files = vec![("calibration.json".to_string(), json(p)?), ("calibration.csv".to_string(), csv(p)?)];
    let mut drawn = Vec::new();
    if opts.charts {
        let objectives: Vec<(f64, bool)> =
            p.fit.evaluations.iter().map(|e| (e.objective, e.stage == "search")).collect();
        let figures = [
            ("calibration-fit", chart::fit(&p.scenario.title, &fit_points(p))),
            ("calibration-search", chart::search(&p.scenario.title, &objectives)),
        ];
        for (stem, figure) in figures {
            let name = format!("{stem}.{}", opts.format.extension());
            let bytes = charts::render(&figure, opts.format).with_context(|| format!("could not draw {name}"))?;
            drawn.push(name.clone());
            files.push((name, bytes));
        }
    }
    files.push(("report.md".to_string(), markdown(p, &drawn)));
    Ok(files)
}
