//! `surgesim compare`: several scenarios run side by side, one table row
//! and one line per chart each.
//!
//! Runs go in parallel (rayon, one per core); each is the same pure
//! function of its scenario and seed as `surgesim run`, and results are
//! collected in input order, so the output does not depend on the number of
//! threads. Files are returned as bytes, like `report::render`, for
//! `report::output::write_folder` to write in one place.

use crate::report::charts::{self, compare as overlay, ChartFormat};
use crate::report::markdown::{cell, count, mins, pct};
use crate::report::{summary, tables, ReportOptions};
use crate::scenario::Scenario;
use crate::stats::Results;
use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write;

/// The default output folder of `compare`.
pub const DEFAULT_DIR: &str = "outputs/compare";

/// One row of `compare.csv`: a scenario's headline figures, the same
/// numbers as its `summary.json` would hold.
#[derive(Debug, Serialize)]
pub struct CompareRow {
    pub scenario: String,
    pub title: String,
    pub seed: u64,
    pub people: u64,
    pub attempts: u64,
    pub admitted: u64,
    pub booked: u64,
    /// booked / eligible people
    pub booked_share: Option<f64>,
    pub abandoned: u64,
    pub dropped: u64,
    pub ineligible: u64,
    pub gave_up: u64,
    pub in_system_at_end: u64,
    /// dropped attempts / attempts
    pub drop_rate: Option<f64>,
    /// abandoned attempts / attempts
    pub abandon_rate: Option<f64>,
    pub wait_mean_s: Option<f64>,
    pub wait_p50_s: Option<f64>,
    pub wait_p90_s: Option<f64>,
    pub wait_p99_s: Option<f64>,
    pub time_to_book_p50_s: Option<f64>,
    pub time_to_book_p90_s: Option<f64>,
    pub queue_len_mean: f64,
    pub active_sessions_mean: f64,
    pub events: u64,
}

impl CompareRow {
    pub fn new(s: &Scenario, r: &Results) -> CompareRow {
        let m = summary::summary(s, r);
        CompareRow {
            scenario: s.name.clone(),
            title: s.title.clone(),
            seed: m.seed,
            people: m.people,
            attempts: m.attempts,
            admitted: m.admitted,
            booked: m.booked,
            booked_share: m.booked_share,
            abandoned: m.abandoned,
            dropped: m.dropped,
            ineligible: m.ineligible,
            gave_up: m.gave_up,
            in_system_at_end: m.in_system_at_end,
            drop_rate: m.drop_rate,
            abandon_rate: m.abandon_rate,
            wait_mean_s: m.wait_mean_s,
            wait_p50_s: m.wait_p50_s,
            wait_p90_s: m.wait_p90_s,
            wait_p99_s: m.wait_p99_s,
            time_to_book_p50_s: m.time_to_book_p50_s,
            time_to_book_p90_s: m.time_to_book_p90_s,
            queue_len_mean: m.queue_len_mean,
            active_sessions_mean: m.active_sessions_mean,
            events: m.events,
        }
    }
}

/// Run every scenario (replication 0, as `run` does), in parallel; the
/// results are in the order of `scenarios`.
pub fn run_all(scenarios: &[Scenario]) -> Vec<Results> {
    scenarios.par_iter().map(|s| crate::simulate(s, 0).results).collect()
}

/// The overlay charts: file stem, caption, figure.
type Overlay = (&'static str, &'static str, fn(&[overlay::Run]) -> charts::Figure);
const OVERLAYS: [Overlay; 3] = [
    ("compare-waits", "p90 wait in the queue", overlay::waits),
    ("compare-bookings", "Booked share of eligible people", overlay::bookings),
    ("compare-drops", "Drop rate (all causes)", overlay::drops),
];

/// Every file of the comparison folder, as (file name, bytes):
/// `compare.csv`, the overlay charts (unless `opts.charts` is off) and
/// `report.md`. `results[i]` belongs to `scenarios[i]`.
pub fn render(scenarios: &[Scenario], results: &[Results], opts: &ReportOptions) -> Result<Vec<(String, Vec<u8>)>> {
    anyhow::ensure!(scenarios.len() == results.len(), "one result per scenario is needed");
    let rows: Vec<CompareRow> = scenarios.iter().zip(results).map(|(s, r)| CompareRow::new(s, r)).collect();
    let mut files = vec![("compare.csv".to_string(), tables::to_csv(&rows)?)];
    let runs: Vec<overlay::Run> = scenarios.iter().zip(results).collect();
    if opts.charts {
        for (stem, _, figure) in OVERLAYS {
            let name = format!("{stem}.{}", opts.format.extension());
            let bytes =
                charts::render(&figure(&runs), opts.format).with_context(|| format!("could not draw {name}"))?;
            files.push((name, bytes));
        }
    }
    files.push(("report.md".to_string(), report(&rows, opts.charts.then_some(opts.format))));
    Ok(files)
}

/// Run and render in one go.
pub fn compare(scenarios: &[Scenario], opts: &ReportOptions) -> Result<Vec<(String, Vec<u8>)>> {
    render(scenarios, &run_all(scenarios), opts)
}

/// `report.md` of a comparison: the table, then the charts.
fn report(rows: &[CompareRow], charts: Option<ChartFormat>) -> Vec<u8> {
    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "# Comparison of {} scenarios\n", rows.len());
    let _ = writeln!(
        out,
        "| Scenario | People | Booked (of eligible) | Wait p50 | Wait p90 | Wait p99 | Drop rate | Abandon rate | Still in the system |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} (`{}`) | {} | {} ({}) | {} | {} | {} | {} | {} | {} |",
            cell(&r.title),
            cell(&r.scenario),
            count(r.people),
            pct(r.booked_share),
            count(r.booked),
            mins(r.wait_p50_s),
            mins(r.wait_p90_s),
            mins(r.wait_p99_s),
            pct(r.drop_rate),
            pct(r.abandon_rate),
            count(r.in_system_at_end)
        );
    }
    let _ = writeln!(out, "\nAll figures: [compare.csv](compare.csv).\n");
    if let Some(format) = charts {
        let _ = writeln!(out, "## Charts\n");
        for (stem, caption, _) in OVERLAYS {
            let _ = writeln!(out, "### {caption}\n\n![{caption}]({stem}.{})\n", format.extension());
        }
    }
    out.into_bytes()
}

/// A few lines for the terminal: one per scenario.
pub fn headline(scenarios: &[Scenario], results: &[Results]) -> String {
    let mut out = String::new();
    for (s, r) in scenarios.iter().zip(results) {
        let m = summary::summary(s, r);
        let _ = writeln!(
            out,
            "{}\n  booked {} of eligible  wait p90 {}  drop rate {}  abandon rate {}",
            s.title,
            pct(m.booked_share),
            mins(m.wait_p90_s),
            pct(m.drop_rate),
            pct(m.abandon_rate)
        );
    }
    out
}
