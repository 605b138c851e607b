//! The figures of one time bin (`timeseries.csv`): one row each in the
//! table below, and `bin`, which computes them from the bin's counts and
//! state. Replicated time series give bounds to the rates and waits only
//! (`banded`): a band around every count would double the table for
//! little use.

use super::ratio;
use crate::stats::columns::{figure_set, Figures, Value};
use crate::stats::{Bin, DropCause, RefusalCause};

figure_set! {
    /// The figures of one time bin, in `timeseries.csv` order (after the
    /// bin's clock time and minute).
    pub enum BinFigure (banded by default: false) {
        Arrivals => "arrivals", Count;
        Retries => "retries", Count;
        /// Page loads sent to the front tier.
        FrontRequests => "front_requests", Count;
        /// Front-tier request slots at the bin's end (0 while down).
        FrontCapacity => "front_capacity", Count;
        /// Slots busy with page loads (time average; wasted work included).
        FrontBusy => "front_busy", Level;
        /// Slots taken by waiting people's status polls, at the bin's end.
        FrontPolls => "front_polls", Count;
        /// Page loads that timed out (= drop_front_timeout).
        FrontFailed => "front_failed", Count;
        QueueLen => "queue_len", Count;
        /// Time average over the bin.
        QueueLenMean => "queue_len_mean", Level;
        Admitted => "admitted", Count;
        /// Attempts that skipped the waiting room (back door, fail-open).
        Bypassed => "bypassed", Count;
        ActiveSessions => "active_sessions", Count;
        SessionCapacity => "session_capacity", Count;
        Booked => "booked", Count;
        Abandoned => "abandoned", Count;
        /// Attempts that left at once on joining, at the shown wait.
        Balked => "balked", Count;
        /// Attempts the system failed (failures only), and by failure cause.
        Dropped => "dropped", Count;
        Drop(DropCause: c in DropCause::FAILURES) => c.column(), Count;
        /// Attempts refused by design, and by cause.
        Refused => "refused", Count;
        Refusal(RefusalCause: c in RefusalCause::ALL) => c.column(), Count;
        Ineligible => "ineligible", Count;
        /// Eligible attempts refused by the clock bug (also in `ineligible`).
        ClockBug => "clock_bug", Count;
        DropRate => "drop_rate", Share, banded true;
        /// Refused attempts / attempts started in the bin.
        RefusalRate => "refusal_rate", Share, banded true;
        AbandonRate => "abandon_rate", Share, banded true;
        WaitMean => "wait_mean_s", Seconds, banded true;
        WaitP50 => "wait_p50_s", Seconds, banded true;
        WaitP90 => "wait_p90_s", Seconds, banded true;
        WaitP99 => "wait_p99_s", Seconds, banded true;
        /// Shown wait p50/p90 of the people who joined the room in the bin.
        ShownWaitP50 => "shown_wait_p50_s", Seconds, banded true;
        ShownWaitP90 => "shown_wait_p90_s", Seconds, banded true;
        /// Identity checks asked for.
        IdentityChecks => "identity_checks", Count;
        /// Identity checks that timed out (= drop_identity_timeout).
        IdentityFailed => "identity_failed", Count;
        /// Checks in progress and the tier's capacity, at the bin's end.
        IdentityBusy => "identity_busy", Count;
        IdentityCapacity => "identity_capacity", Count;
        /// First attempts of people's devices beyond their first.
        DeviceArrivals => "device_arrivals", Count;
        /// Devices that left at the front, their person booked.
        DevicesLeft => "devices_left", Count;
        /// The admission rate in force [a minute], time average over the bin
        /// (empty without a rate).
        AdmitRate => "admit_rate", Level;
    }
}

/// The figures of one time bin.
pub fn bin(b: &Bin) -> Figures<BinFigure, Value> {
    let c = &b.counts;
    let n = |x: u64| Some(x as f64);
    Figures::from_fn(|k| match k {
        BinFigure::Arrivals => n(c.arrivals),
        BinFigure::Retries => n(c.retries),
        BinFigure::FrontRequests => n(c.front_requests),
        BinFigure::FrontCapacity => n(b.end.front_capacity),
        BinFigure::FrontBusy => Some(b.front_busy_mean),
        BinFigure::FrontPolls => n(b.end.front_polls),
        BinFigure::FrontFailed => n(c.dropped[DropCause::FrontTimeout as usize]),
        BinFigure::QueueLen => n(b.end.queue_len),
        BinFigure::QueueLenMean => Some(b.queue_len_mean),
        BinFigure::Admitted => n(c.admitted),
        BinFigure::Bypassed => n(c.bypassed),
        BinFigure::ActiveSessions => n(b.end.active),
        BinFigure::SessionCapacity => n(b.end.session_capacity),
        BinFigure::Booked => n(c.booked),
        BinFigure::Abandoned => n(c.abandoned),
        BinFigure::Balked => n(c.balked),
        BinFigure::Dropped => n(c.dropped_total()),
        BinFigure::Drop(cause) => n(c.dropped[cause as usize]),
        BinFigure::Refused => n(c.refused_total()),
        BinFigure::Refusal(cause) => n(c.refused(cause)),
        BinFigure::Ineligible => n(c.turned_away),
        BinFigure::ClockBug => n(c.clock_bug),
        BinFigure::DropRate => ratio(c.dropped_total(), c.attempts()),
        BinFigure::RefusalRate => ratio(c.refused_total(), c.attempts()),
        BinFigure::AbandonRate => ratio(c.abandoned, c.attempts()),
        BinFigure::WaitMean => b.wait_mean,
        BinFigure::WaitP50 => b.wait[0],
        BinFigure::WaitP90 => b.wait[1],
        BinFigure::WaitP99 => b.wait[2],
        BinFigure::ShownWaitP50 => b.shown_wait[0],
        BinFigure::ShownWaitP90 => b.shown_wait[1],
        BinFigure::IdentityChecks => n(c.identity_checks),
        BinFigure::IdentityFailed => n(c.dropped[DropCause::IdentityTimeout as usize]),
        BinFigure::IdentityBusy => n(b.end.identity_busy),
        BinFigure::IdentityCapacity => n(b.end.identity_capacity),
        BinFigure::DeviceArrivals => n(c.device_arrivals),
        BinFigure::DevicesLeft => n(c.devices_left),
        BinFigure::AdmitRate => b.admit_rate,
    })
}
