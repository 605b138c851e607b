//! The files of `surgesim plan`: `plan.json` (the answer, the targets, the
//! method, every value tried with its figures), `plan.csv` (one row per
//! value tried) and `plan-<figure>` charts (each target's figure against
//! the key, with the target line and the answer).

use super::charts::{self, axis::ValueAxis, axis::XAxis, okabe_ito, Figure, Mark, Panel, Series, Spread};
use super::format::number;
use super::{Files, ReportOptions};
use crate::scenario::Scenario;
use crate::stats::plan::{Op, Outcome, Point, Target, Verdict};
use crate::stats::Estimate;
use anyhow::{Context, Result};
use serde_json::{json, Value as Json};

/// What a plan found, with what it was asked.
pub struct Plan<'a> {
    pub scenario: &'a Scenario,
    pub key: &'a str,
    /// The answer as `--set` writes it; `None` if nothing in range meets
    /// every target.
    pub value_text: Option<String>,
    pub most: bool,
    pub confidence: f64,
    pub targets: &'a [Target],
    pub outcome: &'a Outcome,
    /// A value of the key as `--set` writes it (`53`, `4000.5`, `90s`).
    pub text: &'a dyn Fn(f64) -> String,
}

impl Plan<'_> {
    fn question(&self) -> &'static str {
        match (self.targets.iter().any(|t| t.op == Op::Equal), self.most) {
            (true, _) => "value hitting",
            (false, true) => "greatest",
            (false, false) => "least",
        }
    }
}

/// The one line printed: `least backend.max_sessions meeting drop_rate <=
/// 0.01: 53 (95 % confidence, 38 runs)`.
pub fn answer_line(p: &Plan) -> String {
    let targets: Vec<String> = p.targets.iter().map(|t| t.to_string()).collect();
    let head = match p.question() {
        "value hitting" => format!("{} at which {}", p.key, targets.join(" and ")),
        q => format!("{q} {} meeting {}", p.key, targets.join(" and ")),
    };
    let value = p.value_text.clone().unwrap_or_else(|| "none in the range".to_string());
    format!("{head}: {value} ({} % confidence, {} runs)", 100.0 * p.confidence, p.outcome.runs)
}

/// Target `i`'s figure at a point: its mean and 95 % interval.
fn estimate(point: &Point, i: usize) -> Option<Estimate> {
    let values: Vec<f64> = point.runs.iter().filter_map(|r| r[i]).collect();
    Estimate::of(&values)
}

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Holds => "holds",
        Verdict::Fails => "fails",
        Verdict::Undecided => "undecided",
    }
}

/// `plan.json`.
fn json(p: &Plan) -> Result<Vec<u8>> {
    let s = p.scenario;
    let targets: Vec<Json> =
        p.targets.iter().map(|t| json!({ "figure": t.figure.name(), "op": t.op.symbol(), "value": t.value })).collect();
    let evaluations: Vec<Json> = p
        .outcome
        .points
        .iter()
        .map(|pt| {
            let figures: serde_json::Map<String, Json> = p
                .targets
                .iter()
                .enumerate()
                .map(|(i, t)| (t.figure.name(), serde_json::to_value(estimate(pt, i)).unwrap_or(Json::Null)))
                .collect();
            json!({ "value": key_json(p, pt.x), "value_text": (p.text)(pt.x), "replications": pt.runs.len(),
                    "verdict": verdict_name(pt.verdict), "figures": figures })
        })
        .collect();
    let doc = json!({
        "scenario": s.name,
        "title": s.title,
        "seed": s.seed,
        "version": env!("CARGO_PKG_VERSION"),
        "extends": s.origin.extends,
        "unset": s.origin.unset,
        "set": s.origin.set,
        "scale": s.origin.scale,
        "key": p.key,
        "question": p.question(),
        "value": p.outcome.value.map(|x| key_json(p, x)),
        "value_text": p.value_text,
        "confidence": p.confidence,
        "targets": targets,
        "method": "bisection on the key; each value decided by sequential one-sided Student-t tests over replications \
                   (common seeds across values), each at level (1 - confidence) / (decisions x targets)",
        "test_level": p.outcome.alpha,
        "evaluations": evaluations,
        "runs": p.outcome.runs,
        "warnings": p.outcome.warnings,
    });
    let mut bytes = serde_json::to_vec_pretty(&doc)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A value of the key in JSON: a whole number as one, else a number.
fn key_json(p: &Plan, x: f64) -> Json {
    let text = (p.text)(x);
    text.parse::<i64>().map(Json::from).unwrap_or_else(|_| Json::from(x))
}

/// `plan.csv`: one row per value tried, in key order.
fn csv(p: &Plan) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![p.key.to_string(), "replications".into(), "verdict".into()];
    for t in p.targets {
        let n = t.figure.name();
        let n = n.as_str();
        header.extend([n.to_string(), format!("{n}_lo"), format!("{n}_hi")]);
    }
    w.write_record(&header)?;
    for pt in sorted(p.outcome) {
        let mut row = vec![(p.text)(pt.x), pt.runs.len().to_string(), verdict_name(pt.verdict).into()];
        for i in 0..p.targets.len() {
            let e = estimate(pt, i);
            row.extend([number(e.map(|e| e.mean)), number(e.and_then(|e| e.lo)), number(e.and_then(|e| e.hi))]);
        }
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv buffer: {e}"))
}

/// The points tried, in key order.
fn sorted(o: &Outcome) -> Vec<&Point> {
    let mut v: Vec<&Point> = o.points.iter().filter(|p| !p.runs.is_empty()).collect();
    v.sort_by(|a, b| a.x.total_cmp(&b.x));
    v
}

/// The chart of one target: its figure's mean and 95 % interval at each
/// value tried, the target as a dashed level, the answer as a mark.
fn chart(p: &Plan, i: usize) -> Figure {
    let t = &p.targets[i];
    let points = sorted(p.outcome);
    let est: Vec<(f64, Option<Estimate>)> = points.iter().map(|pt| (pt.x, estimate(pt, i))).collect();
    let mean: Vec<(f64, f64)> = est.iter().map(|(x, e)| (*x, e.map_or(f64::NAN, |e| e.mean))).collect();
    let bars =
        est.iter().map(|(_, e)| (e.and_then(|e| e.lo).unwrap_or(f64::NAN), e.and_then(|e| e.hi).unwrap_or(f64::NAN)));
    let (x_lo, x_hi) = (points.first().map_or(0.0, |p| p.x), points.last().map_or(1.0, |p| p.x));
    let top = est.iter().filter_map(|(_, e)| e.map(|e| e.hi.unwrap_or(e.mean))).fold(t.value, f64::max);
    let series = vec![
        Series {
            label: format!("{} (mean, 95 % interval)", t.figure.name()),
            color: okabe_ito::BLUE,
            dashed: false,
            width: 2,
            points: mean,
            spread: Spread::Bars(bars.collect()),
        },
        Series {
            label: format!("target: {} {}", t.op.symbol(), t.value),
            color: okabe_ito::VERMILLION,
            dashed: true,
            width: 2,
            points: vec![(x_lo, t.value), (x_hi, t.value)],
            spread: Spread::None,
        },
    ];
    // The answer, as a labelled mark across the panel.
    let marks = p.outcome.value.map_or_else(Vec::new, |v| {
        vec![Mark { x: v, label: format!("answer: {}", p.value_text.clone().unwrap_or_default()), rank: 0 }]
    });
    let ticks: Vec<(f64, String)> = points.iter().map(|pt| (pt.x, (p.text)(pt.x))).collect();
    Figure {
        title: format!("Plan: {} {} against {}", p.question(), p.key, t.figure.name()),
        subtitle: format!("{}: each value tried, the mean of its replications with a 95 % interval", p.scenario.title),
        x: XAxis::numeric(&ticks, p.key),
        panels: vec![Panel {
            y_desc: t.figure.name().to_string(),
            y: ValueAxis::linear(top * 1.05, 0.0),
            series,
            bands: Vec::new(),
            empty_note: "No value was tried".into(),
        }],
        legend_extra: Vec::new(),
        marks,
    }
}

/// A figure's name as a file name: `:` and `+` of a clock time become `-`.
fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' }).collect()
}

/// Every file of a plan's folder.
pub fn render(p: &Plan, opts: &ReportOptions) -> Result<Files> {
    let mut files = vec![("plan.json".to_string(), json(p)?), ("plan.csv".to_string(), csv(p)?)];
    if opts.charts {
        for (i, t) in p.targets.iter().enumerate() {
            let name = format!("plan-{}.{}", file_safe(&t.figure.name()), opts.format.extension());
            let bytes = charts::render(&chart(p, i), opts.format).with_context(|| format!("could not draw {name}"))?;
            files.push((name, bytes));
        }
    }
    Ok(files)
}
