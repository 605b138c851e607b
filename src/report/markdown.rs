//! `report.md`: a short page a planner can read or paste into a briefing:
//! the headline figures, one line per cohort, and the charts linked by
//! relative path (the page sits in the run's folder beside them).
//!
//! Figures come from `summary::summary` and `tables::cohort_rows`, so the
//! page always agrees with `summary.json` and `cohorts.csv`.

use super::charts::{ChartFormat, RUN_CHARTS};
use super::summary::summary;
use super::tables::cohort_rows;
use crate::scenario::{units::clock_at, Scenario};
use crate::stats::Results;
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

    if let Some(format) = charts {
        let _ = writeln!(out, "## Charts\n");
        for (stem, caption, _) in RUN_CHARTS {
            let _ = writeln!(out, "### {caption}\n\n![{caption}]({stem}.{})\n", format.extension());
        }
    }
    let _ = writeln!(
        out,
        "Tables: [timeseries.csv](timeseries.csv) (one row per bin), [cohorts.csv](cohorts.csv), [summary.json](summary.json)."
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
