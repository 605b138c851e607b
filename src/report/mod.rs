//! Reports: a run's results as bytes (CSV tables, JSON summary, charts,
//! `report.md`, a short human summary), then written as one folder in one
//! place (`output`). Knows nothing of events: it reads `stats::Results` and
//! the `Scenario`.

pub mod charts;
pub mod markdown;
pub mod output;
pub mod summary;
pub mod tables;

pub use charts::ChartFormat;

use crate::scenario::Scenario;
use crate::stats::Results;
use anyhow::Result;

/// What a run's folder holds beyond the tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportOptions {
    /// Draw the charts (`--no-charts` turns them off).
    pub charts: bool,
    pub format: ChartFormat,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions { charts: true, format: ChartFormat::Png }
    }
}

/// Every file of a run's folder, as (file name, bytes), with the default
/// options (PNG charts).
pub fn render(s: &Scenario, r: &Results) -> Result<Vec<(String, Vec<u8>)>> {
    render_with(s, r, &ReportOptions::default())
}

/// Every file of a run's folder, as (file name, bytes).
pub fn render_with(s: &Scenario, r: &Results, opts: &ReportOptions) -> Result<Vec<(String, Vec<u8>)>> {
    let mut summary_json = serde_json::to_vec_pretty(&summary::summary(s, r))?;
    summary_json.push(b'\n');
    let mut files = vec![
        ("timeseries.csv".into(), tables::to_csv(&tables::timeseries_rows(s, r))?),
        ("cohorts.csv".into(), tables::to_csv(&tables::cohort_rows(s, r))?),
        ("summary.json".into(), summary_json),
    ];
    if opts.charts {
        files.extend(charts::run_charts(s, std::slice::from_ref(r), opts.format)?);
    }
    files.push(("report.md".into(), markdown::run_report(s, r, opts.charts.then_some(opts.format))));
    Ok(files)
}

/// A few lines for the terminal.
pub fn headline(s: &Scenario, r: &Results) -> String {
    let m = summary::summary(s, r);
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}%", 100.0 * v));
    let mins = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1} min", v / 60.0));
    let mut out = format!(
        "{}\n  people {}  attempts {}  booked {} ({} of eligible)\n  waits p50 {}  p90 {}  p99 {}\n  drop rate {}  abandon rate {}  still in the system {}\n",
        s.title,
        m.people,
        m.attempts,
        m.booked,
        pct(m.booked_share),
        mins(m.wait_p50_s),
        mins(m.wait_p90_s),
        mins(m.wait_p99_s),
        pct(m.drop_rate),
        pct(m.abandon_rate),
        m.in_system_at_end,
    );
    out.push_str(&format!("  {} events (attempts, page loads, queue exits, session ends, timers)\n", m.events));
    out
}
