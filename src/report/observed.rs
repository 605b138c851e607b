//! A run held against what was seen on the real night: one row per
//! `[[observed]]` observation, in the scenario's order, with the run's own
//! value of the same figure beside it (`observed.csv`, the "Observed and
//! simulated" section of `report.md`, the marks on the time charts).
//!
//! The figures are read through `stats::measure`, exactly as `plan
//! --target` reads them, so a row's simulated value is the number
//! `timeseries.csv`, `cohorts.csv` or `summary.json` show for it. With
//! replications it is their mean with the 95 % interval of the other
//! replicated tables (`stats::Estimate`). A run at `--scale F` simulated F
//! of the people: its counts are divided by F here, so that they compare
//! with an observation of the whole night; shares, waits and clock times
//! are the same at any scale and are left as they are. Levels (time
//! averages) are left too: some scale with the people (`queue_len_mean`),
//! some do not (`identity_checks_per_booking`).

use super::format::{number, Shown};
use crate::scenario::figure::FigureName;
use crate::scenario::Scenario;
use crate::stats::measure::{self, Measure};
use crate::stats::{Estimate, Kind, RunFigures};
use anyhow::Result;

/// The header of `observed.csv`, in its order.
pub const COLUMNS: [&str; 7] = ["figure", "observed", "simulated", "lo", "hi", "error", "source"];

/// One observation and the run's value of its figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The figure, read against the scenario that ran.
    pub measure: Measure,
    /// What was seen, in the figure's unit (counts at the night's full size).
    pub observed: f64,
    /// The run's value (the mean over replications, with its interval);
    /// `None` where the figure is undefined in every run.
    pub simulated: Option<Estimate>,
    /// Where the observation was published.
    pub source: String,
    /// Whether `simulated` is a count divided by the run's `--scale`.
    pub full_size: bool,
}

impl Row {
    pub fn name(&self) -> &FigureName {
        &self.measure.name
    }

    pub fn kind(&self) -> Kind {
        self.measure.kind()
    }

    /// (simulated - observed) / observed: +0.1 is a run 10 % above what
    /// was seen. `None` when nothing was seen (a relative difference from
    /// 0 means nothing) or the run's figure is undefined.
    pub fn error(&self) -> Option<f64> {
        let sim = self.simulated?.mean;
        (self.observed != 0.0).then(|| (sim - self.observed) / self.observed)
    }
}

/// The scenario's observations held against its runs (one, or the
/// replications of `s`), in the scenario's order; empty without any.
/// `s` is the scenario that ran: its figures were checked when it was
/// loaded (`stats::measure::observed`), so a name that is no figure here is
/// a program error, not the user's.
pub fn rows(s: &Scenario, runs: &[RunFigures]) -> Result<Vec<Row>> {
    if s.observed.is_empty() {
        return Ok(Vec::new());
    }
    // Resolving adds the clocks' instants: on a copy, since the runs are
    // over and `s` already samples them (the loader added them).
    let measures = measure::observed(&mut s.clone()).map_err(|e| anyhow::anyhow!("{}", e.join("\n")))?;
    let scale = s.origin.scale.unwrap_or(1.0);
    Ok(s.observed
        .iter()
        .zip(measures)
        .map(|(o, m)| {
            let full_size = m.grows_with_size() && scale != 1.0;
            let values: Vec<f64> = runs
                .iter()
                .filter_map(|r| m.value(s, r))
                .filter(|v| v.is_finite())
                .map(|v| m.at_full_size(v, scale))
                .collect();
            Row { measure: m, observed: o.value, simulated: Estimate::of(&values), source: o.source.clone(), full_size }
        })
        .collect())
}

/// `observed.csv`: one row per observation, numbers written as the other
/// tables write them (a count whole, the rest in their shortest exact
/// form; clock figures as seconds after the start, the unit they are
/// observed in), `lo` and `hi` empty for one run.
pub fn csv(rows: &[Row]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for r in rows {
        let [lo, hi] = r.simulated.bounds();
        w.write_record([
            r.name().to_string(),
            Estimate::of(&[r.observed]).cell(r.kind()),
            r.simulated.cell(r.kind()),
            lo,
            hi,
            number(r.error()),
            r.source.clone(),
        ])?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv buffer: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::measure::What;
    use crate::stats::Headline;

    fn row(observed: f64, simulated: &[f64]) -> Row {
        let name = FigureName::parse("booked").unwrap();
        Row {
            measure: Measure { name, cohort: None, what: What::Headline(Headline::Booked) },
            observed,
            simulated: Estimate::of(simulated),
            source: "KDCA, \"briefing\"".into(),
            full_size: false,
        }
    }

    #[test]
    fn the_error_is_relative_to_what_was_seen_and_undefined_from_zero() {
        assert_eq!(row(200.0, &[250.0]).error(), Some(0.25));
        assert_eq!(row(200.0, &[150.0]).error(), Some(-0.25));
        assert_eq!(row(0.0, &[150.0]).error(), None, "no relative difference from nothing");
        assert_eq!(row(200.0, &[]).error(), None, "no run defined it");
    }

    #[test]
    fn one_run_leaves_the_bounds_empty_and_counts_stay_whole() {
        let text =
            String::from_utf8(csv(&[row(200.0, &[250.0]), row(200.0, &[240.0, 260.0, 250.0])]).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "figure,observed,simulated,lo,hi,error,source");
        assert_eq!(lines[1], "booked,200,250,,,0.25,\"KDCA, \"\"briefing\"\"\"");
        let cells: Vec<&str> = lines[2].split(',').collect();
        assert_eq!(&cells[..3], ["booked", "200", "250"]);
        let (lo, hi): (f64, f64) = (cells[3].parse().unwrap(), cells[4].parse().unwrap());
        assert!(lo < 250.0 && 250.0 < hi, "{text}");
    }
}
