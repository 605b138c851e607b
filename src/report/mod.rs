//! Reports: a run's figures as bytes (CSV tables, JSON summary, charts,
//! `report.md`, a short human summary), then written as one folder in one
//! place (`output`). Knows nothing of events: it reads the typed figures of
//! `stats::figures` and the `Scenario`.
//!
//! One run and several replications go through the same writers: each is
//! generic over how a figure's value is shown (`format::Shown`), a number
//! for one run, a mean with its 95 % interval for replications.

pub mod calibrate;
pub mod charts;
pub mod compare;
pub mod fairness;
pub mod format;
pub mod markdown;
pub mod observed;
pub mod output;
pub mod plan;
pub mod summary;
pub mod sweep;
pub mod tables;

pub use charts::ChartFormat;

use crate::scenario::Scenario;
use crate::stats::{ByMilestone, Estimate, Figures, Headline, RunFigures};
use anyhow::Result;
use format::Shown;

/// The files of a folder, as (file name, bytes), in writing order.
pub type Files = Vec<(String, Vec<u8>)>;

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

/// Every file of a run's folder, from one run or the replications of `s`
/// (in replication order): tables, summary, `observed.csv` (only when the
/// scenario has observations), charts, `report.md`.
pub fn render(s: &Scenario, runs: &[RunFigures], opts: &ReportOptions) -> Result<Files> {
    let Some(first) = runs.first() else { anyhow::bail!("no run to report") };
    let charts = opts.charts.then_some(opts.format);
    let observed = observed::rows(s, runs)?;
    let booking_chance = fairness::booking_chance_json(s, runs);
    let mut files: Files = if runs.len() == 1 {
        let page = markdown::Page {
            scenario: s,
            replications: 1,
            headline: &first.headline,
            cohorts: &first.cohorts,
            milestones: &first.milestones,
            charts,
            observed: &observed,
            runs,
        };
        vec![
            ("timeseries.csv".into(), tables::timeseries(s, first)?),
            ("cohorts.csv".into(), tables::cohorts(s, &first.cohorts, &first.milestones)?),
            (fairness::BY_ARRIVAL.into(), fairness::by_arrival(s, runs)?),
            (fairness::COHORTS_TIMESERIES.into(), fairness::cohorts_timeseries(s, runs)?),
            ("summary.json".into(), summary::summary(s, 1, &first.headline, &first.milestones, booking_chance)?),
            ("report.md".into(), markdown::report(&page)),
        ]
    } else {
        let headline = combined_headline(runs);
        let cohorts = tables::cohorts_combined(runs);
        let milestones = tables::milestones_combined(runs);
        let page = markdown::Page {
            scenario: s,
            replications: runs.len(),
            headline: &headline,
            cohorts: &cohorts,
            milestones: &milestones,
            charts,
            observed: &observed,
            runs,
        };
        vec![
            ("timeseries.csv".into(), tables::timeseries_replicated(s, runs)?),
            ("cohorts.csv".into(), tables::cohorts(s, &cohorts, &milestones)?),
            (fairness::BY_ARRIVAL.into(), fairness::by_arrival(s, runs)?),
            (fairness::COHORTS_TIMESERIES.into(), fairness::cohorts_timeseries(s, runs)?),
            ("summary.json".into(), summary::summary(s, runs.len(), &headline, &milestones, booking_chance)?),
            ("report.md".into(), markdown::report(&page)),
        ]
    };
    // A scenario without observations writes no such file: its folder is
    // what it was before observations existed.
    if !observed.is_empty() {
        let md = files.pop().expect("report.md is last");
        files.push(("observed.csv".into(), observed::csv(&observed)?));
        files.push(md);
    }
    if opts.charts {
        // Charts go before report.md, which links them.
        let md = files.pop().expect("report.md is last");
        files.extend(charts::run_charts(s, runs, &observed, opts.format)?);
        files.push(md);
    }
    Ok(files)
}

/// The headline figures of replications, combined.
pub fn combined_headline(runs: &[RunFigures]) -> Figures<Headline, Option<Estimate>> {
    Figures::estimate(&runs.iter().map(|r| &r.headline).collect::<Vec<_>>())
}

/// The terminal's line for `sold_out_at`: only when the night sold out.
fn sold_out_line<F: Shown>(s: &Scenario, h: &Figures<Headline, F>) -> String {
    let v = h.get(Headline::SoldOutAt);
    match v.point() {
        Some(_) => format!("  sold out at {}\n", v.human_at(crate::stats::Kind::Clock, s.start)),
        None => String::new(),
    }
}

/// A few lines for the terminal: one run's figures, or replications'
/// means with their intervals, and the bookings by each milestone.
pub fn headline<F: Shown>(s: &Scenario, h: &Figures<Headline, F>, milestones: &[ByMilestone<F>]) -> String {
    use crate::stats::Columns;
    let show = |k: Headline| {
        let v = h.get(k);
        // One run's counts as plain numbers, as a script would grep them.
        match (F::INTERVALS, k.kind()) {
            (false, crate::stats::Kind::Count) => v.cell(k.kind()),
            _ => v.human(k.kind()),
        }
    };
    format!(
        "{}\n  people {}  attempts {}  booked {} ({} of eligible)\n  waits p50 {}  p90 {}  p99 {}\n  drop rate {}  refusal rate {}  abandon rate {}  still in the system {}\n  eligible people who gave up {}\n  {} events (attempts, page loads, queue exits, session ends, timers)\n",
        s.title,
        show(Headline::People),
        show(Headline::Attempts),
        show(Headline::Booked),
        show(Headline::BookedShare),
        show(Headline::WaitP50),
        show(Headline::WaitP90),
        show(Headline::WaitP99),
        show(Headline::DropRate),
        show(Headline::RefusalRate),
        show(Headline::AbandonRate),
        show(Headline::InSystemAtEnd),
        show(Headline::GaveUpEligible),
        show(Headline::Events),
    ) + &fairness::terminal_line(h)
        + &sold_out_line(s, h)
        + &milestones
        .iter()
        .map(|m| {
            let by = crate::scenario::units::clock_at(s.start, m.at).format("%a %-d %b %H:%M");
            // Of whom: on a rotation, only the groups whose night had come.
            format!(
                "  booked by {by}: {} of the {} eligible whose window had opened\n",
                m.share.human(crate::stats::Kind::Share),
                format::count(m.of_people)
            )
        })
        .collect::<String>()
}

/// A JSON answer (`plan.json`, `calibration.json`) headed by what it was
/// made from: the scenario, its title and seed, this version, and what the
/// run recorded (`extends`, `unset`, `set`, `scale`), then `fields` in order.
pub(crate) fn with_origin(s: &crate::scenario::Scenario, fields: serde_json::Value) -> serde_json::Value {
    let mut doc = serde_json::json!({
        "scenario": s.name,
        "title": s.title,
        "seed": s.seed,
        "version": env!("CARGO_PKG_VERSION"),
        "extends": s.origin.extends,
        "unset": s.origin.unset,
        "set": s.origin.set,
        "scale": s.origin.scale,
    });
    if let (Some(head), serde_json::Value::Object(rest)) = (doc.as_object_mut(), fields) {
        head.extend(rest);
    }
    doc
}
