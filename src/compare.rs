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
use crate::report::{summary, ReportOptions};
use crate::scenario::Scenario;
use crate::stats::Results;
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::fmt::Write;

/// The default output folder of `compare`.
pub const DEFAULT_DIR: &str = "outputs/compare";

/// Run every scenario (replication 0, as `run` does), in parallel; the
/// results are in the order of `scenarios`, or an error if one ran out of
/// memory.
pub fn run_all(
    scenarios: &[Scenario],
    progress: &crate::progress::Progress,
) -> Result<Vec<Results>, crate::engine::OutOfMemory> {
    scenarios
        .par_iter()
        .map(|s| {
            let results = crate::try_simulate(s, 0)?.results;
            progress.inc();
            Ok(results)
        })
        .collect()
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
    // compare.csv holds each scenario's summary.json figures, one row each.
    let rows: Vec<summary::Summary> = scenarios.iter().zip(results).map(|(s, r)| summary::summary(s, r)).collect();
    let flat = rows.iter().map(|m| m.flat_row()).collect::<serde_json::Result<Vec<_>>>()?;
    let mut files = vec![("compare.csv".to_string(), crate::replicate::to_csv(&flat)?)];
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
    render(scenarios, &run_all(scenarios, &crate::progress::Progress::jobs(0, "", true))?, opts)
}

/// `report.md` of a comparison: the table, then the charts.
fn report(rows: &[summary::Summary], charts: Option<ChartFormat>) -> Vec<u8> {
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
