//! Statistics gathered while the model runs: counters per time bin and per
//! cohort, wait and time-to-book distributions, time averages of the queue
//! and of active sessions. Streaming, but for fairness: the order of first
//! admissions (4 bytes a person admitted, `overtaking`) and the waits of
//! the bookings by arrival bin (8 bytes a booking, `arrival`); the rest
//! depends on the number of bins and cohorts, not of people.
//!
//! The model reports what happens (`attempt`, `admitted`, `dropped`, ...);
//! `advance` is called before every event with the state as it stood since
//! the previous one, which is all the time averages and bin edges need.

//!
//! The files: `cause` (why an attempt ended without a booking), `results`
//! (what a run measured: counts per bin and cohort, and the histograms),
//! `arrival` and `overtaking` (who got booked by when they came, and who
//! overtook whom),
//! `recorder` (how the model reports what happens), `figures` (the named
//! figures the reports are written from), `columns` (figure sets as types),
//! `ci` (an estimate over replications), `plan` and `select` (searching a
//! parameter and choosing between scenarios).

mod arrival;
pub mod calibrate;
pub mod cause;
pub mod ci;
pub mod columns;
pub mod figures;
mod histogram;
pub mod measure;
mod overtaking;
pub mod plan;
mod recorder;
mod results;
pub mod select;

pub use arrival::{ArrivalCounts, ArrivalRow, ArrivalTally};
pub use cause::{DropCause, RefusalCause};
pub use ci::Estimate;
pub use columns::{Columns, Figures, Kind, Value};
pub use figures::{ArrivalFigure, BinFigure, ByMilestone, CohortBinFigure, CohortFigure, Headline, RunFigures};
pub use histogram::Durations;
pub use measure::Measure;
pub use overtaking::{AdmissionOrder, Overtaking};
pub use recorder::Recorder;
pub use results::{
    combined_row_bytes, row_bytes, table_bytes, AtInstant, Bin, CohortAt, CohortBin, CohortResult, Counts, EarlyWaits,
    Gauges, Results, Tally,
};

/// Percentiles reported everywhere.
pub const QUANTILES: [f64; 3] = [0.5, 0.9, 0.99];
