//! The files of `surgesim plan`: `plan.json` (the answer, or why there is
//! none; for `==` the interval of values that cannot be told from the
//! target; the targets, the method, the confidence, the seeds, every value
//! tried with its figures), `plan.csv` (one row per value tried), `report.md`
//! (the same in words) and `plan-<figure>` charts (each target's figure
//! against the key, with the target line and the answer).

use super::charts::{self, axis::ValueAxis, axis::XAxis, okabe_ito, Figure, Mark, Panel, Series, Spread};
use super::format::number;
use super::{Files, ReportOptions};
use crate::scenario::Scenario;
use crate::stats::plan::{mean, Domain, Finding, Op, Outcome, Point, Target, Verdict, GUESSES};
use crate::stats::Estimate;
use anyhow::{Context, Result};
use serde_json::{json, Value as Json};

/// What a plan found, with what it was asked.
pub struct PlanReport<'a> {
    pub scenario: &'a Scenario,
    pub key: &'a str,
    /// The answer as `--set` writes it; `None` if nothing in range meets
    /// every target.
    pub value_text: Option<String>,
    /// The range searched (its ends are named when there is no answer).
    pub domain: Domain,
    pub most: bool,
    pub confidence: f64,
    pub targets: &'a [Target],
    pub outcome: &'a Outcome,
    /// A value of the key as `--set` writes it (`53`, `4000.5`, `90s`).
    pub text: &'a dyn Fn(f64) -> String,
}

impl PlanReport<'_> {
    fn question(&self) -> &'static str {
        match (self.targets.iter().any(|t| t.op == Op::Equal), self.most) {
            (true, _) => "value hitting",
            (false, true) => "greatest",
            (false, false) => "least",
        }
    }
}

/// The one line printed: `least backend.max_sessions meeting drop_rate <=
/// 0.01: 53 (95 % confidence, 38 runs)`; for `==`, the value with the
/// interval of those that cannot be told from the target (`21600 [21300 to
/// 21900]`); with no answer, why (`no answer: ...`).
pub fn answer_line(p: &PlanReport) -> String {
    let targets: Vec<String> = p.targets.iter().map(|t| t.to_string()).collect();
    let head = match p.question() {
        "value hitting" => format!("{} at which {}", p.key, targets.join(" and ")),
        q => format!("{q} {} meeting {}", p.key, targets.join(" and ")),
    };
    let value = match (&p.value_text, p.outcome.interval) {
        (Some(v), Some((lo, hi))) => format!("{v} [{} to {}]", (p.text)(lo), (p.text)(hi)),
        (Some(v), None) => v.clone(),
        (None, _) => format!("no answer: {}", reason(p).unwrap_or_default()),
    };
    format!("{head}: {value} ({} % confidence, {} runs)", 100.0 * p.confidence, p.outcome.runs)
}

/// Why there is no value, in a sentence naming the figures at the ends;
/// `None` when there is one.
pub fn reason(p: &PlanReport) -> Option<String> {
    let (lo, hi) = ((p.text)(p.domain.lo), (p.text)(p.domain.hi));
    let names = |which: &[usize]| which.iter().map(|&i| p.targets[i].to_string()).collect::<Vec<_>>().join(" and ");
    Some(match &p.outcome.finding {
        Finding::Found => return None,
        Finding::HoldsAtBothEnds => format!(
            "every target holds at both ends of the range ({lo} and {hi}): the key does not decide them there; \
             widen the range to find where they stop holding"
        ),
        Finding::HoldsAtNeitherEnd(which) => {
            let each: Vec<String> = which.iter().map(|&i| format!("{} {}", p.targets[i], at_ends(p, i))).collect();
            format!("none in the range: not shown to hold at either end: {}", each.join("; "))
        }
        Finding::NoneMeetsAll { rising, falling, x } => {
            let (followed, others) = if p.most { (falling, rising) } else { (rising, falling) };
            let way = if p.most { "up to" } else { "from" };
            format!(
                "no value is shown to meet every target at once: {} {} only {way} {}, and there {} {} not shown \
                 to hold (the targets hold at opposite ends)",
                names(followed),
                if followed.len() == 1 { "holds" } else { "hold" },
                (p.text)(*x),
                names(others),
                if others.len() == 1 { "is" } else { "are" },
            )
        }
        Finding::Unreachable { above } => format!(
            "{} stays {} {} over the whole range {}: no value reaches it",
            p.targets[0].figure.name(),
            if *above { "above" } else { "below" },
            p.targets[0].value,
            at_ends(p, 0)
        ),
    })
}

/// `(mean 0.31 at 10, 0.052 at 30)`: target `i`'s figure at both ends.
fn at_ends(p: &PlanReport, i: usize) -> String {
    let at = |x: f64| {
        let m = p.outcome.points.iter().find(|pt| pt.x == x).and_then(|pt| mean(pt, i));
        format!("{} at {}", m.map_or("undefined".to_string(), short), (p.text)(x))
    };
    format!("(mean {}, {})", at(p.domain.lo), at(p.domain.hi))
}

/// A figure with four significant digits, as prose gives it.
fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (3 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.digits$}")
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
        Verdict::Above => "above",
        Verdict::Below => "below",
    }
}

/// `plan.json`.
fn json(p: &PlanReport) -> Result<Vec<u8>> {
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
    let doc = super::with_origin(
        s,
        json!({
            "key": p.key,
            "question": p.question(),
            "value": p.outcome.value.map(|x| key_json(p, x)),
            "value_text": p.value_text,
            "value_lo": p.outcome.interval.map(|(lo, _)| key_json(p, lo)),
            "value_hi": p.outcome.interval.map(|(_, hi)| key_json(p, hi)),
            "finding": p.outcome.finding.name(),
            "reason": reason(p),
            "range": { "lo": key_json(p, p.domain.lo), "hi": key_json(p, p.domain.hi), "step": p.domain.step },
            "confidence": p.confidence,
            "targets": targets,
            "method": method(p),
            "seeds": seeds(p),
            "test_level": p.outcome.alpha,
            "evaluations": evaluations,
            "runs": p.outcome.runs,
            "warnings": p.outcome.warnings,
        }),
    );
    let mut bytes = serde_json::to_vec_pretty(&doc)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// How the answer was found, in a sentence.
fn method(p: &PlanReport) -> String {
    if p.question() == "value hitting" {
        "both ends of the range first, each told above or below the target by sequential one-sided Student-t \
         tests over replications; then bisection to a value that cannot be told from the target, and to each \
         edge of those (value_lo, value_hi); common seeds across values; each test at level (1 - confidence) / \
         (decisions x targets)"
            .to_string()
    } else {
        format!(
            "both ends of the range first, each target decided at each to learn which way it moves in the key; then \
         the values between the closest holding and failing, each guessed where the figures' means (on \
         logarithms when positive) cross the targets in a line between those two, never so far from the middle \
         that halving could not finish within {GUESSES} more decisions than bisection's; each value decided by \
         sequential one-sided Student-t tests over replications (common seeds across values), each \"holds\" at \
         level (1 - confidence) / (decisions x targets), decisions = 2 + halvings + {GUESSES}, each \"fails\" \
         in the bisection at 1 - confidence (the answer rests on none of those), at the ends and in the \
         check of the other kind's targets at the value found at the divided level"
        )
    }
}

/// The seeds the runs used: replication r of every value on (seed, r).
fn seeds(p: &PlanReport) -> Json {
    let most = p.outcome.points.iter().map(|pt| pt.runs.len()).max().unwrap_or(0);
    json!({
        "seed": p.scenario.seed,
        "replications": most,
        "rule": format!(
            "replication r of every value tried runs on the random streams of (seed {}, r), r = 0 to {}: \
             every value meets the same people",
            p.scenario.seed,
            most.saturating_sub(1)
        ),
    })
}

/// A value of the key in JSON: a whole number as one, else a number.
fn key_json(p: &PlanReport, x: f64) -> Json {
    let text = (p.text)(x);
    text.parse::<i64>().map(Json::from).unwrap_or_else(|_| Json::from(x))
}

/// `plan.csv`: one row per value tried, in key order.
fn csv(p: &PlanReport) -> Result<Vec<u8>> {
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
fn chart(p: &PlanReport, i: usize) -> Figure {
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
    // The answer, as a labelled mark across the panel; for `==`, the
    // edges of the values that cannot be told from the target too.
    let mut marks = p.outcome.value.map_or_else(Vec::new, |v| {
        vec![Mark { x: v, label: format!("answer: {}", p.value_text.clone().unwrap_or_default()), rank: 0 }]
    });
    if let Some((lo, hi)) = p.outcome.interval {
        marks.push(Mark { x: lo, label: format!("value_lo: {}", (p.text)(lo)), rank: 1 });
        marks.push(Mark { x: hi, label: format!("value_hi: {}", (p.text)(hi)), rank: 1 });
    }
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

/// `report.md`: the answer (or why there is none) in words, the question,
/// the method, the confidence and the seeds, every value tried, the charts.
fn markdown(p: &PlanReport, charts: &[String]) -> Vec<u8> {
    let s = p.scenario;
    let mut md = format!("# Plan: {}\n\n", s.title);
    md.push_str(&format!("**{}**\n\n", answer_line(p)));
    if !s.origin.is_plain() {
        md.push_str(&format!("{}\n\n", super::markdown::origin_line(&s.origin)));
    }
    let targets: Vec<String> = p.targets.iter().map(|t| format!("`{t}`")).collect();
    md.push_str(&format!(
        "- Question: the {} `{}` from {} to {} (step {}) {} {}.\n",
        p.question(),
        p.key,
        (p.text)(p.domain.lo),
        (p.text)(p.domain.hi),
        (p.text)(p.domain.step),
        if p.question() == "value hitting" { "at which" } else { "meeting" },
        targets.join(" and ")
    ));
    md.push_str(&format!(
        "- Confidence: {} % that {}, if the figures move one way in the key; each one-sided test at level {:.3e}{}.\n",
        100.0 * p.confidence,
        if p.question() == "value hitting" {
            "every value told above or below the target is so: the interval holds every value that may hit it"
        } else {
            "the value given meets every target"
        },
        p.outcome.alpha,
        if p.question() == "value hitting" {
            String::new()
        } else {
            format!(
                 " for a \"holds\" and for a \"fails\" at an end ({:.2} for a \"fails\" in the bisection, on which the answer does not rest)",
                1.0 - p.confidence
            )
        }
    ));
    md.push_str(&format!("- Method: {}.\n", method(p)));
    md.push_str(&format!(
        "- Seeds: {}; {} runs in all.\n",
        seeds(p)["rule"].as_str().unwrap_or_default(),
        p.outcome.runs
    ));
    for w in &p.outcome.warnings {
        md.push_str(&format!("- Warning: {w}.\n"));
    }
    md.push_str("\n## Values tried\n\n");
    let mut header = format!("| {} | replications | verdict |", p.key);
    let mut rule = "| ---: | ---: | --- |".to_string();
    for t in p.targets {
        header.push_str(&format!(" {} (mean [95 % interval]) |", t.figure.name()));
        rule.push_str(" ---: |");
    }
    md.push_str(&format!("{header}\n{rule}\n"));
    for pt in sorted(p.outcome) {
        md.push_str(&format!("| {} | {} | {} |", (p.text)(pt.x), pt.runs.len(), verdict_name(pt.verdict)));
        for i in 0..p.targets.len() {
            let cell = estimate(pt, i).map_or("undefined".to_string(), |e| match (e.lo, e.hi) {
                (Some(lo), Some(hi)) => format!("{} [{} to {}]", short(e.mean), short(lo), short(hi)),
                _ => short(e.mean),
            });
            md.push_str(&format!(" {cell} |"));
        }
        md.push('\n');
    }
    if !charts.is_empty() {
        md.push_str("\n## Charts\n\n");
        for c in charts {
            md.push_str(&format!("![{c}]({c})\n"));
        }
    }
    md.into_bytes()
}

/// Every file of a plan's folder.
pub fn render(p: &PlanReport, opts: &ReportOptions) -> Result<Files> {
    let mut files = vec![("plan.json".to_string(), json(p)?), ("plan.csv".to_string(), csv(p)?)];
    let mut drawn = Vec::new();
    if opts.charts {
        for (i, t) in p.targets.iter().enumerate() {
            let name = format!("plan-{}.{}", file_safe(&t.figure.name()), opts.format.extension());
            let bytes = charts::render(&chart(p, i), opts.format).with_context(|| format!("could not draw {name}"))?;
            drawn.push(name.clone());
            files.push((name, bytes));
        }
    }
    files.push(("report.md".to_string(), markdown(p, &drawn)));
    Ok(files)
}
