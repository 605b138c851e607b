//! The figures of one cohort in one time bin (`cohorts_timeseries.csv`):
//! one row each in the table below, and `cohort_bin`, which computes them.
//! The cohorts of a bin add up to the bin's row of `timeseries.csv`.

use crate::stats::columns::{figure_set, Figures, Value};
use crate::stats::{CohortBin, DropCause};

figure_set! {
    /// The figures of one cohort in one bin, in `cohorts_timeseries.csv`
    /// order (after the bin's clock time, its minute and the cohort).
    pub enum CohortBinFigure (banded by default: false) {
        Arrivals => "arrivals", Count;
        Admitted => "admitted", Count;
        Booked => "booked", Count;
        /// The cohort's people in line at the bin's end.
        QueueLen => "queue_len", Count;
        Abandoned => "abandoned", Count;
        /// Attempts the system failed (failures only), and by failure cause.
        Dropped => "dropped", Count;
        Drop(DropCause: c in DropCause::FAILURES) => c.column(), Count;
    }
}

/// The figures of one cohort in one bin.
pub fn cohort_bin(b: &CohortBin) -> Figures<CohortBinFigure, Value> {
    let n = |x: u64| Some(x as f64);
    Figures::from_fn(|k| match k {
        CohortBinFigure::Arrivals => n(b.arrivals),
        CohortBinFigure::Admitted => n(b.admitted),
        CohortBinFigure::Booked => n(b.booked),
        CohortBinFigure::QueueLen => n(b.queue_len),
        CohortBinFigure::Abandoned => n(b.abandoned),
        CohortBinFigure::Dropped => n(b.dropped_total()),
        CohortBinFigure::Drop(cause) => n(b.dropped[cause as usize]),
    })
}
