//! `report.md`: a short page a planner can read or paste into a briefing:
//! the headline figures, one line per cohort, and the charts linked by
//! relative path (the page sits in the run's folder beside them).
//!
//! Figures come from `summary::summary` and `tables::cohort_rows`, so the
//! page always agrees with `summary.json` and `cohorts.csv`. A replicated
//! run's page reads the combined `summary.json` and `cohorts.csv` rows
//! instead: each figure a mean with its 95 % confidence interval.

use super::charts::{run_charts_of, ChartFormat};
use super::summary::summary;
use super::tables::cohort_rows;
use crate::scenario::{units::clock_at, Scenario};
use crate::stats::Results;
use serde_json::{Map, Value};
use std::fmt::Write;

/// The page of one run; `charts` is the format of its charts, if drawn.
pub fn run_report(s: &Scenario, r: &Results, charts: Option<ChartFormat>) -> Vec<u8> {
    let m = summary(s, r);
    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "# {}\n", s.title);
    let _ = writeln!(
        out,
        "Scenario `{}`, seed {}, surgesim {}. From {} for {}, in bins of {}.\n",
        s.name,
        s.seed,
        m.version,
        clock_at(s.start, crate::engine::SimTime::ZERO).format("%a %-d %b %Y %H:%M (UTC%:z)"),
        s.duration,
        s.bin
    );

    let _ = writeln!(out, "## Headline figures\n");
    let _ = writeln!(out, "| Figure | Value |\n| --- | ---: |");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "| {k} | {v} |");
    };
    row("People (came at least once)", count(m.people));
    row("Attempts", count(m.attempts));
    row("Booked", format!("{} ({} of eligible people)", count(m.booked), pct(m.booked_share)));
    row("Wait p50 / p90 / p99", format!("{} / {} / {}", mins(m.wait_p50_s), mins(m.wait_p90_s), mins(m.wait_p99_s)));
    row("Drop rate (dropped / attempts)", format!("{} ({} attempts)", pct(m.drop_rate), count(m.dropped)));
    row(
        "Abandon rate (gave up in the queue / attempts)",
        format!("{} ({} attempts)", pct(m.abandon_rate), count(m.abandoned)),
    );
    row("Turned away as ineligible", count(m.ineligible));
    row("Still in the system at the end", count(m.in_system_at_end));
    out.push('\n');

    // Top drop causes, largest first.
    let mut causes: Vec<(&str, u64)> = m.drops_by_cause.iter().map(|(k, v)| (*k, *v)).filter(|(_, v)| *v > 0).collect();
    causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    if causes.is_empty() {
        let _ = writeln!(out, "No attempt was dropped.\n");
    } else {
        let list: Vec<String> = causes
            .iter()
            .map(|(k, v)| format!("{} {} ({} of drops)", k.replace('_', " "), count(*v), pct(ratio(*v, m.dropped))))
            .collect();
        let _ = writeln!(out, "Drops by cause: {}.\n", list.join("; "));
    }

    let _ = writeln!(out, "## Cohorts\n");
    let _ = writeln!(
        out,
        "| Cohort | People | Attempts | Booked at window close | Booked at the end | Wait p50 | Wait p90 | Wait p99 | Abandoned | Dropped |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for c in cohort_rows(s, r) {
        let (close, end) = if c.eligible {
            (pct(c.booked_share_at_close), format!("{} ({})", pct(c.booked_share), count(c.booked)))
        } else {
            ("ineligible".to_string(), "ineligible".to_string())
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&c.cohort),
            count(c.people),
            count(c.attempts),
            close,
            end,
            mins(c.wait_p50_s),
            mins(c.wait_p90_s),
            mins(c.wait_p99_s),
            count(c.abandoned),
            count(c.dropped)
        );
    }
    out.push('\n');

    charts_section(&mut out, s, charts, None);
    let _ = writeln!(
        out,
        "Tables: [timeseries.csv](timeseries.csv) (one row per bin), [cohorts.csv](cohorts.csv), [summary.json](summary.json)."
    );
    out.into_bytes()
}

/// The charts, linked, under a heading; `note` said first.
fn charts_section(out: &mut String, s: &Scenario, charts: Option<ChartFormat>, note: Option<&str>) {
    if let Some(format) = charts {
        let _ = writeln!(out, "## Charts\n");
        if let Some(note) = note {
            let _ = writeln!(out, "{note}\n");
        }
        for c in run_charts_of(s) {
            let _ = writeln!(out, "### {}\n\n![{}]({}.{})\n", c.caption, c.caption, c.stem, format.extension());
        }
    }
}

/// A figure estimated over replications, as `summary.json` and the
/// combined tables hold it.
#[derive(Clone, Copy, Debug)]
struct Estimate {
    mean: f64,
    lo: Option<f64>,
    hi: Option<f64>,
}

impl Estimate {
    /// From `{ "mean", "lo", "hi" }` (the combined `summary.json`).
    fn of(v: Option<&Value>) -> Option<Estimate> {
        let v = v?;
        Some(Estimate {
            mean: v.get("mean")?.as_f64()?,
            lo: v.get("lo").and_then(Value::as_f64),
            hi: v.get("hi").and_then(Value::as_f64),
        })
    }

    /// From a combined table row: `key`, `key_lo`, `key_hi`.
    fn of_row(row: &Map<String, Value>, key: &str) -> Option<Estimate> {
        let get = |k: &str| row.get(k).and_then(Value::as_f64);
        Some(Estimate { mean: get(key)?, lo: get(&format!("{key}_lo")), hi: get(&format!("{key}_hi")) })
    }

    /// The mean with its unit, then the interval's ends in brackets (the
    /// same unit, not repeated); the mean alone when the interval is
    /// unknown or has no width (a figure the same in every replication).
    fn show(self, unit: Unit) -> String {
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) if hi > lo => {
                format!("{} [{} to {}]", unit.show(self.mean), unit.bare(lo), unit.bare(hi))
            }
            _ => unit.show(self.mean),
        }
    }
}

/// How an estimated figure reads.
#[derive(Clone, Copy, Debug)]
enum Unit {
    /// People or attempts: a mean rounded to a whole number (a negative
    /// interval end, possible with few replications, reads as 0).
    Count,
    /// A share, shown in percent.
    Percent,
    /// Seconds, shown in minutes.
    Minutes,
}

impl Unit {
    fn bare(self, x: f64) -> String {
        match self {
            Unit::Count => count(x.max(0.0).round() as u64),
            Unit::Percent => format!("{:.1}", 100.0 * x),
            Unit::Minutes => format!("{:.1}", x / 60.0),
        }
    }

    fn show(self, x: f64) -> String {
        match self {
            Unit::Count => self.bare(x),
            Unit::Percent => format!("{}%", self.bare(x)),
            Unit::Minutes => format!("{} min", self.bare(x)),
        }
    }
}

/// A mean with its interval, `-` when undefined.
fn with_interval(e: Option<Estimate>, unit: Unit) -> String {
    e.map_or("-".to_string(), |e| e.show(unit))
}

/// The page of a replicated run, from the combined `summary.json`
/// (`summary`) and the combined `cohorts.csv` rows (`cohorts`); `charts`
/// is the format of its charts, if drawn.
pub fn replicated_report(
    s: &Scenario,
    summary: &Value,
    cohorts: &[Map<String, Value>],
    charts: Option<ChartFormat>,
) -> Vec<u8> {
    let n = summary.get("replications").and_then(Value::as_u64).unwrap_or(0);
    let figures = summary.get("figures");
    let fig = |key: &str| Estimate::of(figures.and_then(|f| f.get(key)));
    let (share, minutes, count_f) = (Unit::Percent, Unit::Minutes, Unit::Count);
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", s.title);
    let _ = writeln!(
        out,
        "Scenario `{}`, seed {}, surgesim {}. From {} for {}, in bins of {}.\n",
        s.name,
        s.seed,
        env!("CARGO_PKG_VERSION"),
        clock_at(s.start, crate::engine::SimTime::ZERO).format("%a %-d %b %Y %H:%M (UTC%:z)"),
        s.duration,
        s.bin
    );
    let _ = writeln!(
        out,
        "**{n} replications**: independent runs of the scenario, each on its own random stream of seed {}. \
         Every figure below is the mean over them, with its 95 % confidence interval in brackets (Student's t).\n",
        s.seed
    );

    let _ = writeln!(out, "## Headline figures\n");
    let _ = writeln!(out, "| Figure | Mean [95 % interval] |\n| --- | ---: |");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "| {k} | {v} |");
    };
    row("People (came at least once)", with_interval(fig("people"), count_f));
    row("Attempts", with_interval(fig("attempts"), count_f));
    row("Booked", with_interval(fig("booked"), count_f));
    row("Booked share of eligible people", with_interval(fig("booked_share"), share));
    for (label, key) in [("Wait p50", "wait_p50_s"), ("Wait p90", "wait_p90_s"), ("Wait p99", "wait_p99_s")] {
        row(label, with_interval(fig(key), minutes));
    }
    row("Drop rate (dropped / attempts)", with_interval(fig("drop_rate"), share));
    row("Dropped attempts", with_interval(fig("dropped"), count_f));
    row("Abandon rate (gave up in the queue / attempts)", with_interval(fig("abandon_rate"), share));
    row("Turned away as ineligible", with_interval(fig("ineligible"), count_f));
    row("Still in the system at the end", with_interval(fig("in_system_at_end"), count_f));
    out.push('\n');

    // Top drop causes by mean, largest first.
    let dropped = fig("dropped").map_or(0.0, |e| e.mean);
    let mut causes: Vec<(String, f64)> = figures
        .and_then(|f| f.get("drops_by_cause"))
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), Estimate::of(Some(v))?.mean))).collect())
        .unwrap_or_default();
    causes.retain(|(_, v)| *v > 0.0);
    causes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    if causes.is_empty() {
        let _ = writeln!(out, "No attempt was dropped in any replication.\n");
    } else {
        let list: Vec<String> = causes
            .iter()
            .map(|(k, v)| {
                let of = (dropped > 0.0).then(|| v / dropped);
                format!("{} {} ({} of drops)", k.replace('_', " "), count_f.show(*v), pct(of))
            })
            .collect();
        let _ = writeln!(out, "Drops by cause, means: {}.\n", list.join("; "));
    }

    let _ = writeln!(out, "## Cohorts\n");
    let _ = writeln!(
        out,
        "| Cohort | People | Attempts | Booked at window close | Booked at the end | Wait p50 | Wait p90 | Wait p99 | Abandoned | Dropped |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for c in cohorts {
        let est = |key: &str| Estimate::of_row(c, key);
        let mean = |key: &str| est(key).map_or("-".to_string(), |e| count_f.show(e.mean));
        let eligible = c.get("eligible").and_then(Value::as_bool).unwrap_or(true);
        let (close, end) = if eligible {
            (
                with_interval(est("booked_share_at_close"), share),
                format!("{} ({})", with_interval(est("booked_share"), share), mean("booked")),
            )
        } else {
            ("ineligible".to_string(), "ineligible".to_string())
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(c.get("cohort").and_then(Value::as_str).unwrap_or("?")),
            mean("people"),
            mean("attempts"),
            close,
            end,
            with_interval(est("wait_p50_s"), minutes),
            with_interval(est("wait_p90_s"), minutes),
            with_interval(est("wait_p99_s"), minutes),
            mean("abandoned"),
            mean("dropped")
        );
    }
    out.push('\n');

    let note = format!(
        "Each chart shows, per bin, the mean of the {n} replications; the shading around a line is the 95 % \
         confidence band of that mean."
    );
    charts_section(&mut out, s, charts, Some(&note));
    let _ = writeln!(
        out,
        "Tables: [timeseries.csv](timeseries.csv) (one row per bin, means with `_lo`/`_hi` bounds), \
         [cohorts.csv](cohorts.csv), [summary.json](summary.json)."
    );
    out.into_bytes()
}

/// `1234567` as `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A share as a percentage, `-` when undefined.
pub fn pct(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| format!("{:.1}%", 100.0 * v))
}

/// Seconds as minutes, `-` when undefined.
pub fn mins(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| format!("{:.1} min", v / 60.0))
}

/// Text safe inside a Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(280_800), "280,800");
        assert_eq!(count(12_345_678), "12,345,678");
    }

    #[test]
    fn undefined_figures_read_as_a_dash() {
        assert_eq!(pct(None), "-");
        assert_eq!(mins(None), "-");
        assert_eq!(pct(Some(0.1234)), "12.3%");
        assert_eq!(mins(Some(90.0)), "1.5 min");
    }
}
