//! The figures of one arrival bin of one cohort (`by_arrival.csv`): one
//! row each in the table below, and `arrival`, which computes them from
//! the bin's counts.

use super::ratio;
use crate::stats::columns::{figure_set, Figures, Value};
use crate::stats::ArrivalRow;

figure_set! {
    /// The figures of one arrival bin, in `by_arrival.csv` order (after the
    /// cohort and the bin's clock time, `arrived_from`).
    pub enum ArrivalFigure (banded by default: true) {
        /// People whose first attempt fell in the bin.
        People => "people", Count;
        /// Of them (and of those back in a catch-up round then), booked.
        Booked => "booked", Count;
        /// booked / (people + returned).
        BookedShare => "booked_share", Share;
        /// From the first attempt to the booking, of those booked.
        WaitP50 => "wait_p50_s", Seconds;
        WaitP90 => "wait_p90_s", Seconds;
        /// Left without a booking (each time: a person back in a catch-up
        /// round who leaves again counts again, in the row of their return).
        GaveUp => "gave_up", Count;
        /// Attempts of the bin's people / (people + returned).
        AttemptsPerPerson => "attempts_per_person", Level;
        /// People back in a catch-up round whose return fell in the bin.
        Returned => "returned", Count;
    }
}

/// The figures of one arrival bin.
pub fn arrival(r: &ArrivalRow) -> Figures<ArrivalFigure, Value> {
    let c = &r.counts;
    let started = c.people + c.returned;
    let n = |x: u64| Some(x as f64);
    Figures::from_fn(|k| match k {
        ArrivalFigure::People => n(c.people),
        ArrivalFigure::Booked => n(c.booked),
        ArrivalFigure::BookedShare => ratio(c.booked, started),
        ArrivalFigure::WaitP50 => r.wait[0],
        ArrivalFigure::WaitP90 => r.wait[1],
        ArrivalFigure::GaveUp => n(c.gave_up),
        ArrivalFigure::AttemptsPerPerson => ratio(c.attempts, started),
        ArrivalFigure::Returned => n(c.returned),
    })
}
