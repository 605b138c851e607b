//! The figures of one cohort (`cohorts.csv`): one row each in the table
//! below, and `cohort`, which computes them from a run.

use super::ratio;
use crate::scenario::Scenario;
use crate::stats::columns::{figure_set, Figures, Value};
use crate::stats::Results;

figure_set! {
    /// The figures of one cohort, in `cohorts.csv` order (after its name and
    /// whether it is eligible).
    pub enum CohortFigure (banded by default: true) {
        People => "people", Count;
        Attempts => "attempts", Count;
        Booked => "booked", Count;
        /// booked / people, for eligible cohorts.
        BookedShare => "booked_share", Share;
        /// The same at the close of the cohort's last window or catch-up round
        /// (end of that bin).
        BookedShareAtClose => "booked_share_at_close", Share;
        Abandoned => "abandoned", Count;
        AbandonedOverdue => "abandoned_overdue", Count;
        /// Attempts that left at once on joining, at the shown wait.
        Balked => "balked", Count;
        /// Attempts the system failed (failures only).
        Dropped => "dropped", Count;
        /// Attempts refused by design (the device lock, sold out, turned away
        /// as ineligible or outside the windows).
        Refused => "refused", Count;
        Ineligible => "ineligible", Count;
        GaveUp => "gave_up", Count;
        /// People who came back in the cohort's catch-up rounds.
        CatchUpArrivals => "catch_up_arrivals", Count;
        InSystemAtEnd => "in_system_at_end", Count;
        /// When the cohort could no longer be served (a clock time).
        SoldOutAt => "sold_out_at", Clock;
        WaitP50 => "wait_p50_s", Seconds;
        WaitP90 => "wait_p90_s", Seconds;
        WaitP99 => "wait_p99_s", Seconds;
        /// Waits counted from the room's opening for early comers (see
        /// `Headline::WaitFromOpeningP50`).
        WaitFromOpeningP50 => "wait_from_opening_p50_s", Seconds;
        WaitFromOpeningP90 => "wait_from_opening_p90_s", Seconds;
        WaitFromOpeningP99 => "wait_from_opening_p99_s", Seconds;
        TimeToBookP50 => "time_to_book_p50_s", Seconds;
        TimeToBookP90 => "time_to_book_p90_s", Seconds;
    }
}

/// The figures of cohort `i`.
pub fn cohort(s: &Scenario, r: &Results, i: usize) -> Figures<CohortFigure, Value> {
    let (sc, cr) = (&s.cohorts[i], &r.cohorts[i]);
    let c = &cr.counts;
    let share = |booked: u64| if sc.eligible { ratio(booked, sc.people) } else { None };
    // Bookings at the end of the bin that holds the last close (of a
    // window, or of a catch-up round: the cohort's last chance).
    let close = sc.last_close().unwrap_or(s.duration);
    let close_bin = (close.0.saturating_sub(1) / s.bin.0) as usize;
    let at_close = r.bins.get(close_bin.min(r.bins.len().saturating_sub(1))).map_or(0, |b| b.booked_so_far[i]);
    let n = |x: u64| Some(x as f64);
    let from_opening = cr.wait_from_opening();
    Figures::from_fn(|k| match k {
        CohortFigure::People => n(sc.people),
        CohortFigure::Attempts => n(c.attempts()),
        CohortFigure::Booked => n(c.booked),
        CohortFigure::BookedShare => share(c.booked),
        CohortFigure::BookedShareAtClose => share(at_close),
        CohortFigure::Abandoned => n(c.abandoned),
        CohortFigure::AbandonedOverdue => n(c.abandoned_overdue),
        CohortFigure::Balked => n(c.balked),
        CohortFigure::SoldOutAt => cr.sold_out_at.map(|t| t.as_secs_f64()),
        CohortFigure::Dropped => n(c.dropped_total()),
        CohortFigure::Refused => n(c.refused_total()),
        CohortFigure::Ineligible => n(c.turned_away),
        CohortFigure::GaveUp => n(c.gave_up),
        CohortFigure::CatchUpArrivals => n(c.returned),
        CohortFigure::InSystemAtEnd => n(c.arrivals - c.booked - c.gave_up),
        CohortFigure::WaitP50 => cr.wait.quantile_secs(0.5),
        CohortFigure::WaitP90 => cr.wait.quantile_secs(0.9),
        CohortFigure::WaitP99 => cr.wait.quantile_secs(0.99),
        CohortFigure::WaitFromOpeningP50 => from_opening.quantile_secs(0.5),
        CohortFigure::WaitFromOpeningP90 => from_opening.quantile_secs(0.9),
        CohortFigure::WaitFromOpeningP99 => from_opening.quantile_secs(0.99),
        CohortFigure::TimeToBookP50 => cr.time_to_book.quantile_secs(0.5),
        CohortFigure::TimeToBookP90 => cr.time_to_book.quantile_secs(0.9),
    })
}
