//! The CSV tables: `timeseries.csv` (one row per bin) and `cohorts.csv`
//! (one row per cohort), for one run or several replications.
//!
//! Columns come from the figure enums (`stats::figures`): the header and
//! the cells are written from the same list, so they cannot drift apart,
//! and a replicated table is the same table with each value a mean and
//! `_lo`/`_hi` bounds beside the figures that have them.

use super::format::{number, Shown};
use crate::scenario::{units::clock_at, Scenario};
use crate::stats::{figures, ByMilestone, Columns, Estimate, Figures, RunFigures, Value};
use anyhow::Result;

/// A table with `labels` columns (text, written as given) followed by one
/// column per figure of `K` (and its bounds, for estimates).
pub fn csv<'a, K: Columns, F: Shown + 'a>(
    labels: &[&str],
    rows: impl IntoIterator<Item = (Vec<String>, &'a Figures<K, F>)>,
) -> Result<Vec<u8>> {
    csv_with(labels, &[], None, rows.into_iter().map(|(l, f)| (l, f, Vec::new())))
}

/// `csv`, with more columns after the figures: `extra` names them, each
/// row brings its cells (the scenario's milestones, say). With the
/// scenario's `start`, clock figures are written as clock times; without
/// it (`compare.csv`, `sweep.csv`, read back as numbers), as seconds after
/// the start.
pub fn csv_with<'a, K: Columns, F: Shown + 'a>(
    labels: &[&str],
    extra: &[String],
    start: Option<chrono::DateTime<chrono::FixedOffset>>,
    rows: impl IntoIterator<Item = (Vec<String>, &'a Figures<K, F>, Vec<String>)>,
) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
    for &k in K::ALL {
        header.push(k.name().to_string());
        if F::INTERVALS && k.banded() {
            header.push(format!("{}_lo", k.name()));
            header.push(format!("{}_hi", k.name()));
        }
    }
    header.extend(extra.iter().cloned());
    w.write_record(&header)?;
    for (mut cells, figures, more) in rows {
        for (k, v) in figures.iter() {
            cells.push(match start {
                Some(start) => v.cell_at(k.kind(), start),
                None => v.cell(k.kind()),
            });
            if F::INTERVALS && k.banded() {
                cells.extend(v.bounds());
            }
        }
        cells.extend(more);
        w.write_record(&cells)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv buffer: {e}"))
}

/// The columns of a share by each milestone (`booked_share_by_<label>`,
/// with `_lo`/`_hi` for estimates).
pub fn milestone_columns<F: Shown>(s: &Scenario, milestones: &[ByMilestone<F>]) -> Vec<String> {
    let mut out = Vec::new();
    for m in milestones {
        let name = format!("booked_share_by_{}", s.milestone_label(m.at));
        if F::INTERVALS {
            out.extend([format!("{name}_lo"), format!("{name}_hi")].into_iter().fold(
                vec![name.clone()],
                |mut v, c| {
                    v.push(c);
                    v
                },
            ));
        } else {
            out.push(name);
        }
    }
    out
}

/// The cells of one share by each milestone, in `milestone_columns` order.
pub fn milestone_cells<F: Shown>(shares: impl Iterator<Item = F>) -> Vec<String> {
    let mut out = Vec::new();
    for v in shares {
        out.push(v.cell(crate::stats::Kind::Share));
        if F::INTERVALS {
            out.extend(v.bounds());
        }
    }
    out
}

/// The labels of bin `i`: its clock time (RFC 3339, the scenario's offset)
/// and minutes since the start.
pub(super) fn bin_labels(s: &Scenario, run: &RunFigures, i: usize) -> Vec<String> {
    let start = run.bins[i].start;
    vec![clock_at(s.start, start).to_rfc3339(), number(Some(start.as_secs_f64() / 60.0))]
}

/// The labels of cohort `i`: its name and whether it is eligible.
fn cohort_labels(s: &Scenario, i: usize) -> Vec<String> {
    vec![s.cohorts[i].name.clone(), s.cohorts[i].eligible.to_string()]
}

pub(super) const BIN_LABELS: [&str; 2] = ["time", "minute"];
const COHORT_LABELS: [&str; 2] = ["cohort", "eligible"];

/// `timeseries.csv` of one run.
pub fn timeseries(s: &Scenario, run: &RunFigures) -> Result<Vec<u8>> {
    let figures: Vec<Figures<_, Value>> = run.bins.iter().map(figures::bin).collect();
    csv(&BIN_LABELS, figures.iter().enumerate().map(|(i, f)| (bin_labels(s, run, i), f)))
}

/// `timeseries.csv` of replications: per bin, each figure's mean over the
/// replications where it is defined, rates and waits with their bounds.
pub fn timeseries_replicated(s: &Scenario, runs: &[RunFigures]) -> Result<Vec<u8>> {
    let Some(first) = runs.first() else { anyhow::bail!("no replications") };
    let combined: Vec<Figures<_, Option<Estimate>>> = (0..first.bins.len())
        .map(|i| {
            let per_run: Vec<Figures<_, Value>> = runs.iter().map(|r| figures::bin(&r.bins[i])).collect();
            Figures::estimate(&per_run.iter().collect::<Vec<_>>())
        })
        .collect();
    csv(&BIN_LABELS, combined.iter().enumerate().map(|(i, f)| (bin_labels(s, first, i), f)))
}

/// `cohorts.csv`, for one run (`F = Value`) or replications (estimates).
/// `cohorts.csv`, for one run (`F = Value`) or replications (estimates),
/// with each cohort's booked share by each milestone.
pub fn cohorts<F: Shown + Clone>(
    s: &Scenario,
    cohorts: &[Figures<crate::stats::CohortFigure, F>],
    milestones: &[ByMilestone<F>],
) -> Result<Vec<u8>> {
    let extra = milestone_columns(s, milestones);
    csv_with(
        &COHORT_LABELS,
        &extra,
        Some(s.start),
        cohorts
            .iter()
            .enumerate()
            .map(|(i, f)| (cohort_labels(s, i), f, milestone_cells(milestones.iter().map(|m| m.cohorts[i].clone())))),
    )
}

/// Each milestone's shares combined over replications.
pub fn milestones_combined(runs: &[RunFigures]) -> Vec<ByMilestone<Option<Estimate>>> {
    let n = runs.first().map_or(0, |r| r.milestones.len());
    (0..n).map(|k| ByMilestone::estimate(&runs.iter().map(|r| &r.milestones[k]).collect::<Vec<_>>())).collect()
}

/// Each cohort's figures combined over replications.
pub fn cohorts_combined(runs: &[RunFigures]) -> Vec<Figures<crate::stats::CohortFigure, Option<Estimate>>> {
    let n = runs.first().map_or(0, |r| r.cohorts.len());
    (0..n).map(|i| Figures::estimate(&runs.iter().map(|r| &r.cohorts[i]).collect::<Vec<_>>())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{BinFigure, DropCause, RefusalCause};

    #[test]
    fn every_failure_and_every_refusal_has_a_timeseries_column() {
        let row = Figures::from_fn(|_: BinFigure| Some(0.0));
        let text = String::from_utf8(csv(&BIN_LABELS, [(vec!["t".into(), "0".into()], &row)]).unwrap()).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        for cause in DropCause::FAILURES {
            assert!(header.contains(&cause.column()), "no column for {}", cause.name());
        }
        for cause in RefusalCause::ALL {
            assert!(header.contains(&cause.column()), "no column for {}", cause.name());
        }
        let drops = header.iter().filter(|h| h.starts_with("drop_") && **h != "drop_rate").count();
        assert_eq!(drops, DropCause::FAILURES.len(), "a refusal by design is not a drop column");
        assert!(header.contains(&"refused") && header.contains(&"refusal_rate"));
    }

    #[test]
    fn replicated_tables_band_only_the_banded_figures() {
        let row = Figures::from_fn(|_: BinFigure| Estimate::of(&[1.0, 2.0]));
        let text = String::from_utf8(csv(&BIN_LABELS, [(vec!["t".into(), "0".into()], &row)]).unwrap()).unwrap();
        let header = text.lines().next().unwrap();
        assert!(header.contains("wait_p90_s,wait_p90_s_lo,wait_p90_s_hi"), "{header}");
        assert!(header.contains("arrivals,retries"), "counts have no bounds: {header}");
    }
}
