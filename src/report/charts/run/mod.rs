//! The charts of a run, one function per figure. Each reads the bins of
//! `stats::RunFigures` and says what to draw; `figure::draw` draws it.
//!
//! A figure is drawn from one run or from the replications of one scenario
//! (`&[RunFigures]`, bins lined up by index). Per bin, each line is the mean
//! of the replications' values (those where the value is defined, as in the
//! replicated `timeseries.csv`), and with two or more a shaded 95 %
//! confidence band (`stats::Estimate`) surrounds it. One run draws exactly
//! the single-run chart: the mean of one value is that value, and no band.
//!
//! Where a bin's value is plotted: rates and percentiles of a bin at the
//! bin's middle, cumulative counts (bookings) and levels read at the bin's
//! end at the bin's end, so a line never claims a value before the time it
//! describes.
//!
//! One module per chart kind (`waits`, `queue`, `drops`, `bookings`,
//! `fairness`, `arrivals`, `front`, `identity`), and `observed`, which marks the
//! scenario's observations on them; what they share (the bins' times, a
//! line over the bins with its band, a capacity level, the replications'
//! note) is here, the value scales in `charts::scale`.

mod arrivals;
mod bookings;
mod drops;
mod fairness;
mod front;
mod identity;
mod observed;
mod queue;
mod waits;

pub use arrivals::arrivals;
pub use bookings::bookings;
pub use drops::drops;
pub(super) use drops::{drop_panels, share_of_ended};
pub use fairness::fairness;
pub use front::front;
pub use identity::identity;
pub use observed::observed;
pub use queue::queue;
pub use waits::waits;

use super::axis::XAxis;
use super::figure::{okabe_ito, Figure, Series, Spread, Swatch, DASHED_W, LINE_W};
use crate::scenario::Scenario;
use crate::stats::{Bin, Estimate, RunFigures};
use plotters::style::RGBColor;

/// Totals and references (slots in use, abandons).
const TOTAL: RGBColor = okabe_ito::BLACK;
/// Capacity lines: a dashed vermillion level.
const CAPACITY: RGBColor = okabe_ito::VERMILLION;
/// Neutral grey of legend entries that stand for every line's colour.
pub(super) const ANY_COLOUR: RGBColor = RGBColor(0x66, 0x66, 0x66);

/// Bin geometry on the run's clock [s since start].
pub(super) struct BinTimes {
    bin: f64,
    duration: f64,
}

impl BinTimes {
    pub(super) fn of(s: &Scenario) -> BinTimes {
        BinTimes { bin: s.bin.as_secs_f64(), duration: s.duration.as_secs_f64() }
    }
    fn start(&self, b: &Bin) -> f64 {
        b.start.as_secs_f64()
    }
    /// The last bin may stretch past the run's end; it is cut there.
    pub(super) fn end(&self, b: &Bin) -> f64 {
        (self.start(b) + self.bin).min(self.duration)
    }
    pub(super) fn mid(&self, b: &Bin) -> f64 {
        (self.start(b) + self.end(b)) / 2.0
    }
    /// Length of the bin in minutes, as cut by the run's end.
    pub(super) fn minutes(&self, b: &Bin) -> f64 {
        ((self.end(b) - self.start(b)) / 60.0).max(1e-9)
    }
}

/// The x axis of a run: its clock.
fn clock(s: &Scenario) -> XAxis {
    XAxis::clock(s.start, s.duration.as_secs_f64())
}

/// The bins of the runs (the same in every replication).
fn bins(runs: &[RunFigures]) -> &[Bin] {
    runs.first().map_or(&[], |r| &r.bins[..])
}

/// Per bin, `value` of every run where it is defined, combined into the
/// mean and its 95 % interval: (mean, low, high), NaN where undefined.
fn per_bin(runs: &[RunFigures], value: impl Fn(&Bin) -> Option<f64>) -> Vec<(f64, f64, f64)> {
    (0..bins(runs).len())
        .map(|i| {
            let values: Vec<f64> =
                runs.iter().filter_map(|r| value(r.bins.get(i)?)).filter(|v| v.is_finite()).collect();
            match Estimate::of(&values) {
                None => (f64::NAN, f64::NAN, f64::NAN),
                Some(c) => (c.mean, c.lo.unwrap_or(f64::NAN), c.hi.unwrap_or(f64::NAN)),
            }
        })
        .collect()
}

/// One line over the bins: per bin, the mean of `value` over the runs,
/// drawn at `at`, with its 95 % band when there are several runs.
fn line(
    runs: &[RunFigures],
    label: &str,
    color: RGBColor,
    at: impl Fn(&Bin) -> f64,
    value: impl Fn(&Bin) -> Option<f64>,
) -> Series {
    let stats = per_bin(runs, value);
    let points = bins(runs).iter().zip(&stats).map(|(b, m)| (at(b), m.0)).collect();
    let spread = if runs.len() > 1 { Spread::Band(stats.iter().map(|m| (m.1, m.2)).collect()) } else { Spread::None };
    Series { label: label.to_string(), color, dashed: false, width: LINE_W, points, spread }
}

/// A capacity set per bin, as a dashed level over each whole bin (from its
/// start to its end); the mean over the runs, which share the schedule.
fn capacity_line(runs: &[RunFigures], t: &BinTimes, label: &str, value: impl Fn(&Bin) -> f64) -> Series {
    let stats = per_bin(runs, |b| Some(value(b)));
    let points = bins(runs).iter().zip(&stats).flat_map(|(b, m)| [(b.start.as_secs_f64(), m.0), (t.end(b), m.0)]);
    Series {
        label: label.to_string(),
        color: CAPACITY,
        dashed: true,
        width: DASHED_W,
        points: points.collect(),
        spread: Spread::None,
    }
}

/// Said first under the title of a chart of several replications.
fn replicated_note(runs: &[RunFigures]) -> Option<String> {
    (runs.len() > 1).then(|| format!("Mean of {} replications, shaded: 95 % confidence band. ", runs.len()))
}

/// Mark `fig` as drawn from several replications: the subtitle says so
/// first, and the legend says what the shading is.
fn with_replications(mut fig: Figure, runs: &[RunFigures]) -> Figure {
    if let Some(note) = replicated_note(runs) {
        fig.subtitle = format!("{note}{}", fig.subtitle);
        let banded = fig.panels.iter().flat_map(|p| &p.series).any(|s| matches!(s.spread, Spread::Band(_)));
        if banded {
            fig.legend_extra.push((
                Swatch::LineInBand(ANY_COLOUR),
                "Mean and its 95 % confidence band (in each line's colour)".into(),
            ));
        }
    }
    fig
}
