//! The files of `surgesim compare`: `compare.csv` (one row per scenario:
//! its headline figures), the overlay charts (one line per scenario) and
//! `report.md`.

use super::charts::{self, compare as overlay};
use super::format::{cell, count, mins, pct, Shown};
use super::{tables, Files, ReportOptions};
use crate::scenario::Scenario;
use crate::stats::{Headline, RunFigures};
use anyhow::{Context, Result};
use std::fmt::Write;

/// The overlay charts: file stem, caption, figure.
type Overlay = (&'static str, &'static str, fn(&[overlay::Run]) -> charts::Figure);
const OVERLAYS: [Overlay; 3] = [
    ("compare-waits", "p90 wait in the queue", overlay::waits),
    ("compare-bookings", "Booked share of eligible people", overlay::bookings),
    ("compare-drops", "Drops (all causes), per minute and as a share of the attempts that ended", overlay::drops),
];

/// Every file of the comparison folder: `compare.csv`, the overlay charts
/// (unless `opts.charts` is off) and `report.md`. `runs[i]` belongs to
/// `scenarios[i]`.
pub fn render(scenarios: &[Scenario], runs: &[RunFigures], opts: &ReportOptions) -> Result<Files> {
    anyhow::ensure!(scenarios.len() == runs.len(), "one result per scenario is needed");
    let labels = ["scenario", "title", "seed", "version"];
    let rows = scenarios.iter().zip(runs).map(|(s, r)| {
        let cells = vec![s.name.clone(), s.title.clone(), s.seed.to_string(), env!("CARGO_PKG_VERSION").to_string()];
        (cells, &r.headline)
    });
    let mut files = vec![("compare.csv".to_string(), tables::csv(&labels, rows)?)];
    let overlay_runs: Vec<overlay::Run> = scenarios.iter().zip(runs).collect();
    if opts.charts {
        for (stem, _, figure) in OVERLAYS {
            let name = format!("{stem}.{}", opts.format.extension());
            let bytes = charts::render(&figure(&overlay_runs), opts.format)
                .with_context(|| format!("could not draw {name}"))?;
            files.push((name, bytes));
        }
    }
    files.push(("report.md".to_string(), report(scenarios, runs, opts.charts.then_some(opts.format))));
    Ok(files)
}

/// `report.md` of a comparison: the table, then the charts.
fn report(scenarios: &[Scenario], runs: &[RunFigures], charts: Option<charts::ChartFormat>) -> Vec<u8> {
    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "# Comparison of {} scenarios\n", runs.len());
    let _ = writeln!(
        out,
        "| Scenario | People | Booked (of eligible) | Wait p50 | Wait p90 | Wait p99 | Drop rate | Abandon rate | Still in the system |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (s, r) in scenarios.iter().zip(runs) {
        let h = |k: Headline| *r.headline.get(k);
        let n = |k: Headline| count(h(k).unwrap_or(0.0) as u64);
        let _ = writeln!(
            out,
            "| {} (`{}`) | {} | {} ({}) | {} | {} | {} | {} | {} | {} |",
            cell(&s.title),
            cell(&s.name),
            n(Headline::People),
            pct(h(Headline::BookedShare)),
            n(Headline::Booked),
            mins(h(Headline::WaitP50)),
            mins(h(Headline::WaitP90)),
            mins(h(Headline::WaitP99)),
            pct(h(Headline::DropRate)),
            pct(h(Headline::AbandonRate)),
            n(Headline::InSystemAtEnd)
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
pub fn headline(scenarios: &[Scenario], runs: &[RunFigures]) -> String {
    let mut out = String::new();
    for (s, r) in scenarios.iter().zip(runs) {
        let h = |k: Headline| r.headline.get(k).human(crate::stats::Columns::kind(k));
        let _ = writeln!(
            out,
            "{}\n  booked {} of eligible  wait p90 {}  drop rate {}  abandon rate {}",
            s.title,
            h(Headline::BookedShare),
            h(Headline::WaitP90),
            h(Headline::DropRate),
            h(Headline::AbandonRate)
        );
    }
    out
}
