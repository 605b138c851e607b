//! Reports: a run's results as bytes (CSV tables, JSON summary, a short
//! human summary), then written as one folder in one place (`output`).
//! Knows nothing of events: it reads `stats::Results` and the `Scenario`.

pub mod output;
pub mod summary;
pub mod tables;

use crate::scenario::Scenario;
use crate::stats::Results;
use anyhow::Result;

/// Every file of a run's folder, as (file name, bytes).
pub fn render(s: &Scenario, r: &Results) -> Result<Vec<(String, Vec<u8>)>> {
    let mut summary_json = serde_json::to_vec_pretty(&summary::summary(s, r))?;
    summary_json.push(b'\n');
    Ok(vec![
        (
            "timeseries.csv".into(),
            tables::to_csv(&tables::timeseries_rows(s, r))?,
        ),
        (
            "cohorts.csv".into(),
            tables::to_csv(&tables::cohort_rows(s, r))?,
        ),
        ("summary.json".into(), summary_json),
    ])
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
    out.push_str(&format!("  {} events\n", m.events));
    out
}
