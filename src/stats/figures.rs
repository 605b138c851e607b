//! The figures a run is reported by: the headline (`summary.json`, the
//! comparison and sweep tables), one row per cohort (`cohorts.csv`) and one
//! row per time bin (`timeseries.csv`), each an enum of named figures
//! (`columns::Columns`) with the one function that computes it from a run.
//!
//! To add a headline figure: a variant of `Headline`, its place in `ALL`,
//! its arms in `name`, `kind` and `label`, and its value in `headline`, all
//! in this file; the compiler points at each arm. Every report then
//! carries it: `summary.json`, `report.md`, `compare.csv`, `sweep.csv`, the
//! intervals of replicated runs.
//!
//! `RunFigures` is what the reports need of one run: the three tables,
//! computed once, and the bins for the charts. It leaves the histograms
//! behind, so replications and sweeps keep kilobytes per run, not the
//! megabytes of a run's `Results`.

use super::columns::{Columns, Figures, Kind, Value};
use super::{Bin, DropCause, RefusalCause, Results, QUANTILES};
use crate::scenario::Scenario;

/// The headline figures of a run, in `summary.json` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Headline {
    /// People who came at least once (first attempts).
    People,
    Attempts,
    /// Attempts that passed the waiting room (all of them without one).
    Admitted,
    Booked,
    /// Booked people of eligible cohorts / eligible people.
    BookedShare,
    /// Attempts given up in the queue (patience ran out).
    Abandoned,
    /// Attempts that left the room at once on joining: the shown wait was
    /// longer than the person would accept.
    Balked,
    /// Attempts the system failed, all causes (failures only: refusals by
    /// design are `Refused`).
    Dropped,
    /// Attempts the system failed for one cause (`summary.json` nests these
    /// under `drops_by_cause`); only the failure causes
    /// (`DropCause::FAILURES`).
    Drop(DropCause),
    /// Attempts refused by design: the device lock, a sold-out cohort, an
    /// ineligible visitor (or a person outside their windows) turned away.
    Refused,
    /// Attempts refused by design for one cause (`summary.json` nests these
    /// under `refusals_by_cause`).
    Refusal(RefusalCause),
    /// Attempts turned away at the eligibility check (the clock bug's
    /// included).
    Ineligible,
    /// People who left for good without a booking.
    GaveUp,
    /// Of whom people of eligible cohorts: ineligible visitors leave by
    /// design, eligible ones are the people the night failed.
    GaveUpEligible,
    /// People who came back in a catch-up round (the crowd the rounds
    /// before left: an outcome, not an input).
    CatchUpArrivals,
    /// People of ineligible cohorts (visitors who cannot book), reported
    /// on their own so that they do not blur the eligible figures.
    Visitors,
    /// Their attempts.
    VisitorAttempts,
    InSystemAtEnd,
    /// Dropped attempts (failures) / attempts.
    DropRate,
    /// Refused attempts (by design) / attempts.
    RefusalRate,
    /// Abandoned attempts / attempts.
    AbandonRate,
    /// The same for the attempts of eligible cohorts only.
    AbandonRateEligible,
    /// Share of admitted attempts that waited at all.
    PWait,
    WaitMean,
    WaitP50,
    WaitP90,
    WaitP99,
    /// Waits counted from the room's opening for attempts that joined
    /// before it (in full for the others): the wait the site is answerable for.
    WaitFromOpeningP50,
    WaitFromOpeningP90,
    WaitFromOpeningP99,
    TimeToBookP50,
    TimeToBookP90,
    /// From the room's opening to the first time its queue was empty after
    /// its longest; 0 if no queue formed, undefined if it never cleared.
    QueueClearedAfter,
    /// When the last inventory ran out: every eligible cohort sold out (a
    /// clock time; undefined if never).
    SoldOutAt,
    /// Time average of the people queued over the run.
    QueueLenMean,
    /// Time average of the active booking sessions over the run.
    ActiveSessionsMean,
    /// Events the model handled: every attempt, and every event taken from
    /// the future-event list (see `Results::events`).
    Events,
    /// Identity checks asked for (0 without an identity check).
    IdentityChecks,
    /// Identity checks per booking: the load the check takes per person served.
    IdentityChecksPerBooking,
    /// Devices that came: people, and their devices beyond the first.
    Devices,
    /// Devices that reached the front after their person had booked, and left.
    DevicesLeft,
}

impl Columns for Headline {
    const ALL: &'static [Headline] = &[
        Headline::People,
        Headline::Attempts,
        Headline::Admitted,
        Headline::Booked,
        Headline::BookedShare,
        Headline::Abandoned,
        Headline::Balked,
        Headline::Dropped,
        Headline::Drop(DropCause::FrontTimeout),
        Headline::Drop(DropCause::QueueFull),
        Headline::Drop(DropCause::QueueLost),
        Headline::Drop(DropCause::TurnExpired),
        Headline::Drop(DropCause::BounceBack),
        Headline::Drop(DropCause::BackendFull),
        Headline::Drop(DropCause::BackendError),
        Headline::Drop(DropCause::BackendOutage),
        Headline::Drop(DropCause::NoSlots),
        Headline::Drop(DropCause::IdentityTimeout),
        Headline::Refused,
        Headline::Refusal(RefusalCause::Ineligible),
        Headline::Refusal(RefusalCause::SoldOut),
        Headline::Refusal(RefusalCause::DeviceLocked),
        Headline::Ineligible,
        Headline::GaveUp,
        Headline::GaveUpEligible,
        Headline::CatchUpArrivals,
        Headline::Visitors,
        Headline::VisitorAttempts,
        Headline::InSystemAtEnd,
        Headline::DropRate,
        Headline::RefusalRate,
        Headline::AbandonRate,
        Headline::AbandonRateEligible,
        Headline::PWait,
        Headline::WaitMean,
        Headline::WaitP50,
        Headline::WaitP90,
        Headline::WaitP99,
        Headline::WaitFromOpeningP50,
        Headline::WaitFromOpeningP90,
        Headline::WaitFromOpeningP99,
        Headline::TimeToBookP50,
        Headline::TimeToBookP90,
        Headline::QueueClearedAfter,
        Headline::SoldOutAt,
        Headline::QueueLenMean,
        Headline::ActiveSessionsMean,
        Headline::Events,
        Headline::IdentityChecks,
        Headline::IdentityChecksPerBooking,
        Headline::Devices,
        Headline::DevicesLeft,
    ];

    fn name(self) -> &'static str {
        match self {
            Headline::People => "people",
            Headline::Attempts => "attempts",
            Headline::Admitted => "admitted",
            Headline::Booked => "booked",
            Headline::BookedShare => "booked_share",
            Headline::Abandoned => "abandoned",
            Headline::Balked => "balked",
            Headline::Dropped => "dropped",
            Headline::Drop(c) => c.column(),
            Headline::Refused => "refused",
            Headline::Refusal(c) => c.column(),
            Headline::Ineligible => "ineligible",
            Headline::GaveUp => "gave_up",
            Headline::GaveUpEligible => "gave_up_eligible",
            Headline::CatchUpArrivals => "catch_up_arrivals",
            Headline::Visitors => "visitors",
            Headline::VisitorAttempts => "visitor_attempts",
            Headline::InSystemAtEnd => "in_system_at_end",
            Headline::DropRate => "drop_rate",
            Headline::RefusalRate => "refusal_rate",
            Headline::AbandonRate => "abandon_rate",
            Headline::AbandonRateEligible => "abandon_rate_eligible",
            Headline::PWait => "p_wait",
            Headline::WaitMean => "wait_mean_s",
            Headline::WaitP50 => "wait_p50_s",
            Headline::WaitP90 => "wait_p90_s",
            Headline::WaitP99 => "wait_p99_s",
            Headline::WaitFromOpeningP50 => "wait_from_opening_p50_s",
            Headline::WaitFromOpeningP90 => "wait_from_opening_p90_s",
            Headline::WaitFromOpeningP99 => "wait_from_opening_p99_s",
            Headline::TimeToBookP50 => "time_to_book_p50_s",
            Headline::TimeToBookP90 => "time_to_book_p90_s",
            Headline::QueueClearedAfter => "queue_cleared_after_s",
            Headline::SoldOutAt => "sold_out_at",
            Headline::QueueLenMean => "queue_len_mean",
            Headline::ActiveSessionsMean => "active_sessions_mean",
            Headline::Events => "events",
            Headline::IdentityChecks => "identity_checks",
            Headline::IdentityChecksPerBooking => "identity_checks_per_booking",
            Headline::Devices => "devices",
            Headline::DevicesLeft => "devices_left",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Headline::People
            | Headline::Attempts
            | Headline::Admitted
            | Headline::Booked
            | Headline::Abandoned
            | Headline::Balked
            | Headline::Dropped
            | Headline::Drop(_)
            | Headline::Refused
            | Headline::Refusal(_)
            | Headline::Ineligible
            | Headline::GaveUp
            | Headline::GaveUpEligible
            | Headline::CatchUpArrivals
            | Headline::Visitors
            | Headline::VisitorAttempts
            | Headline::InSystemAtEnd
            | Headline::Events
            | Headline::IdentityChecks
            | Headline::Devices
            | Headline::DevicesLeft => Kind::Count,
            Headline::SoldOutAt => Kind::Clock,
            Headline::BookedShare
            | Headline::DropRate
            | Headline::RefusalRate
            | Headline::AbandonRate
            | Headline::AbandonRateEligible
            | Headline::PWait => Kind::Share,
            Headline::WaitMean
            | Headline::WaitP50
            | Headline::WaitP90
            | Headline::WaitP99
            | Headline::WaitFromOpeningP50
            | Headline::WaitFromOpeningP90
            | Headline::WaitFromOpeningP99
            | Headline::TimeToBookP50
            | Headline::TimeToBookP90
            | Headline::QueueClearedAfter => Kind::Seconds,
            Headline::QueueLenMean | Headline::ActiveSessionsMean | Headline::IdentityChecksPerBooking => Kind::Level,
        }
    }
}

impl Headline {
    /// Which end of the figure a planner prefers, if one (for selecting the
    /// best scenario): fewer drops and shorter waits, more bookings.
    pub fn better(self) -> Option<super::select::Best> {
        use super::select::Best;
        match self {
            Headline::Booked | Headline::BookedShare => Some(Best::Highest),
            Headline::Abandoned
            | Headline::Balked
            | Headline::Dropped
            | Headline::Drop(_)
            | Headline::GaveUp
            | Headline::GaveUpEligible
            | Headline::InSystemAtEnd
            | Headline::DropRate
            | Headline::AbandonRate
            | Headline::AbandonRateEligible
            | Headline::PWait
            | Headline::WaitMean
            | Headline::WaitP50
            | Headline::WaitP90
            | Headline::WaitP99
            | Headline::WaitFromOpeningP50
            | Headline::WaitFromOpeningP90
            | Headline::WaitFromOpeningP99
            | Headline::TimeToBookP50
            | Headline::TimeToBookP90
            | Headline::QueueClearedAfter
            | Headline::QueueLenMean => Some(Best::Lowest),
            // Refusals by design are the site doing its job: neither end
            // of them is better.
            Headline::People
            | Headline::Attempts
            | Headline::Admitted
            | Headline::Refused
            | Headline::Refusal(_)
            | Headline::RefusalRate
            | Headline::Ineligible
            | Headline::CatchUpArrivals
            | Headline::Visitors
            | Headline::VisitorAttempts
            | Headline::ActiveSessionsMean
            | Headline::SoldOutAt
            | Headline::Events
            | Headline::IdentityChecks
            | Headline::IdentityChecksPerBooking
            | Headline::Devices
            | Headline::DevicesLeft => None,
        }
    }

    /// How the figure is named for people (`report.md`, messages).
    pub fn label(self) -> String {
        let text = match self {
            Headline::People => "People (came at least once)",
            Headline::Attempts => "Attempts",
            Headline::Admitted => "Admitted to the booking backend (attempts)",
            Headline::Booked => "Booked",
            Headline::BookedShare => "Booked share of eligible people",
            Headline::Abandoned => "Abandoned in the queue (attempts)",
            Headline::Balked => "Balked at the shown wait (attempts)",
            Headline::Dropped => "Dropped attempts (the system failed them)",
            Headline::Drop(c) => return format!("Dropped: {}", c.name().replace('_', " ")),
            Headline::Refused => "Refused by design (attempts: device lock, sold out, ineligible)",
            Headline::Refusal(c) => return format!("Refused: {}", c.name().replace('_', " ")),
            Headline::Ineligible => "Turned away as ineligible (attempts)",
            Headline::GaveUp => "Gave up for good without booking (people)",
            Headline::GaveUpEligible => "Eligible people who gave up for good",
            Headline::CatchUpArrivals => "Came back in a catch-up round (people)",
            Headline::Visitors => "Ineligible visitors (people)",
            Headline::VisitorAttempts => "Attempts of ineligible visitors",
            Headline::InSystemAtEnd => "Still in the system at the end",
            Headline::DropRate => "Drop rate (dropped / attempts)",
            Headline::RefusalRate => "Refusal rate (refused by design / attempts)",
            Headline::AbandonRate => "Abandon rate (gave up in the queue / attempts)",
            Headline::AbandonRateEligible => "Abandon rate of eligible people's attempts",
            Headline::PWait => "Share of admitted attempts that waited",
            Headline::WaitMean => "Wait, mean",
            Headline::WaitP50 => "Wait p50",
            Headline::WaitP90 => "Wait p90",
            Headline::WaitP99 => "Wait p99",
            Headline::WaitFromOpeningP50 => "Wait p50, counted from the opening for early comers",
            Headline::WaitFromOpeningP90 => "Wait p90, counted from the opening for early comers",
            Headline::WaitFromOpeningP99 => "Wait p99, counted from the opening for early comers",
            Headline::TimeToBookP50 => "Time to book p50 (first attempt to booking)",
            Headline::TimeToBookP90 => "Time to book p90",
            Headline::QueueClearedAfter => "Queue cleared after the opening (after its longest)",
            Headline::SoldOutAt => "Sold out at (every eligible cohort's inventory gone)",
            Headline::QueueLenMean => "People queued, time average",
            Headline::ActiveSessionsMean => "Active booking sessions, time average",
            Headline::Events => "Events handled",
            Headline::IdentityChecks => "Identity checks",
            Headline::IdentityChecksPerBooking => "Identity checks per booking",
            Headline::Devices => "Devices that came (people and their extra devices)",
            Headline::DevicesLeft => "Devices that left at the front, their person booked",
        };
        text.to_string()
    }
}

/// The figures of one cohort, in `cohorts.csv` order (after its name and
/// whether it is eligible).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CohortFigure {
    People,
    Attempts,
    Booked,
    /// booked / people, for eligible cohorts.
    BookedShare,
    /// The same at the close of the cohort's last window or catch-up round
    /// (end of that bin).
    BookedShareAtClose,
    Abandoned,
    /// Attempts that left at once on joining, at the shown wait.
    Balked,
    /// Attempts the system failed (failures only).
    Dropped,
    /// Attempts refused by design (the device lock, sold out, turned away
    /// as ineligible or outside the windows).
    Refused,
    Ineligible,
    GaveUp,
    /// People who came back in the cohort's catch-up rounds.
    CatchUpArrivals,
    InSystemAtEnd,
    /// When the cohort could no longer be served (a clock time).
    SoldOutAt,
    WaitP50,
    WaitP90,
    WaitP99,
    /// Waits counted from the room's opening for early comers (see
    /// `Headline::WaitFromOpeningP50`).
    WaitFromOpeningP50,
    WaitFromOpeningP90,
    WaitFromOpeningP99,
    TimeToBookP50,
    TimeToBookP90,
}

impl Columns for CohortFigure {
    const ALL: &'static [CohortFigure] = &[
        CohortFigure::People,
        CohortFigure::Attempts,
        CohortFigure::Booked,
        CohortFigure::BookedShare,
        CohortFigure::BookedShareAtClose,
        CohortFigure::Abandoned,
        CohortFigure::Balked,
        CohortFigure::Dropped,
        CohortFigure::Refused,
        CohortFigure::Ineligible,
        CohortFigure::GaveUp,
        CohortFigure::CatchUpArrivals,
        CohortFigure::InSystemAtEnd,
        CohortFigure::SoldOutAt,
        CohortFigure::WaitP50,
        CohortFigure::WaitP90,
        CohortFigure::WaitP99,
        CohortFigure::WaitFromOpeningP50,
        CohortFigure::WaitFromOpeningP90,
        CohortFigure::WaitFromOpeningP99,
        CohortFigure::TimeToBookP50,
        CohortFigure::TimeToBookP90,
    ];

    fn name(self) -> &'static str {
        match self {
            CohortFigure::People => "people",
            CohortFigure::Attempts => "attempts",
            CohortFigure::Booked => "booked",
            CohortFigure::BookedShare => "booked_share",
            CohortFigure::BookedShareAtClose => "booked_share_at_close",
            CohortFigure::Abandoned => "abandoned",
            CohortFigure::Balked => "balked",
            CohortFigure::SoldOutAt => "sold_out_at",
            CohortFigure::Dropped => "dropped",
            CohortFigure::Refused => "refused",
            CohortFigure::Ineligible => "ineligible",
            CohortFigure::GaveUp => "gave_up",
            CohortFigure::CatchUpArrivals => "catch_up_arrivals",
            CohortFigure::InSystemAtEnd => "in_system_at_end",
            CohortFigure::WaitP50 => "wait_p50_s",
            CohortFigure::WaitP90 => "wait_p90_s",
            CohortFigure::WaitP99 => "wait_p99_s",
            CohortFigure::WaitFromOpeningP50 => "wait_from_opening_p50_s",
            CohortFigure::WaitFromOpeningP90 => "wait_from_opening_p90_s",
            CohortFigure::WaitFromOpeningP99 => "wait_from_opening_p99_s",
            CohortFigure::TimeToBookP50 => "time_to_book_p50_s",
            CohortFigure::TimeToBookP90 => "time_to_book_p90_s",
        }
    }

    fn kind(self) -> Kind {
        match self {
            CohortFigure::BookedShare | CohortFigure::BookedShareAtClose => Kind::Share,
            CohortFigure::SoldOutAt => Kind::Clock,
            CohortFigure::WaitP50
            | CohortFigure::WaitP90
            | CohortFigure::WaitP99
            | CohortFigure::WaitFromOpeningP50
            | CohortFigure::WaitFromOpeningP90
            | CohortFigure::WaitFromOpeningP99
            | CohortFigure::TimeToBookP50
            | CohortFigure::TimeToBookP90 => Kind::Seconds,
            _ => Kind::Count,
        }
    }
}

/// The figures of one time bin, in `timeseries.csv` order (after the
/// bin's clock time and minute).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinFigure {
    Arrivals,
    Retries,
    /// Page loads sent to the front tier.
    FrontRequests,
    /// Front-tier request slots at the bin's end (0 while down).
    FrontCapacity,
    /// Slots busy with page loads (time average; wasted work included).
    FrontBusy,
    /// Slots taken by waiting people's status polls, at the bin's end.
    FrontPolls,
    /// Page loads that timed out (= drop_front_timeout).
    FrontFailed,
    QueueLen,
    /// Time average over the bin.
    QueueLenMean,
    Admitted,
    /// Attempts that skipped the waiting room (back door, fail-open).
    Bypassed,
    ActiveSessions,
    SessionCapacity,
    Booked,
    Abandoned,
    /// Attempts that left at once on joining, at the shown wait.
    Balked,
    /// Attempts the system failed (failures only), and by failure cause.
    Dropped,
    Drop(DropCause),
    /// Attempts refused by design, and by cause.
    Refused,
    Refusal(RefusalCause),
    Ineligible,
    /// Eligible attempts refused by the clock bug (also in `ineligible`).
    ClockBug,
    DropRate,
    /// Refused attempts / attempts started in the bin.
    RefusalRate,
    AbandonRate,
    WaitMean,
    WaitP50,
    WaitP90,
    WaitP99,
    /// Shown wait p50/p90 of the people who joined the room in the bin.
    ShownWaitP50,
    ShownWaitP90,
    /// Identity checks asked for.
    IdentityChecks,
    /// Identity checks that timed out (= drop_identity_timeout).
    IdentityFailed,
    /// Checks in progress and the tier's capacity, at the bin's end.
    IdentityBusy,
    IdentityCapacity,
    /// First attempts of people's devices beyond their first.
    DeviceArrivals,
    /// Devices that left at the front, their person booked.
    DevicesLeft,
}

impl Columns for BinFigure {
    const ALL: &'static [BinFigure] = &[
        BinFigure::Arrivals,
        BinFigure::Retries,
        BinFigure::FrontRequests,
        BinFigure::FrontCapacity,
        BinFigure::FrontBusy,
        BinFigure::FrontPolls,
        BinFigure::FrontFailed,
        BinFigure::QueueLen,
        BinFigure::QueueLenMean,
        BinFigure::Admitted,
        BinFigure::Bypassed,
        BinFigure::ActiveSessions,
        BinFigure::SessionCapacity,
        BinFigure::Booked,
        BinFigure::Abandoned,
        BinFigure::Balked,
        BinFigure::Dropped,
        BinFigure::Drop(DropCause::FrontTimeout),
        BinFigure::Drop(DropCause::QueueFull),
        BinFigure::Drop(DropCause::QueueLost),
        BinFigure::Drop(DropCause::TurnExpired),
        BinFigure::Drop(DropCause::BounceBack),
        BinFigure::Drop(DropCause::BackendFull),
        BinFigure::Drop(DropCause::BackendError),
        BinFigure::Drop(DropCause::BackendOutage),
        BinFigure::Drop(DropCause::NoSlots),
        BinFigure::Drop(DropCause::IdentityTimeout),
        BinFigure::Refused,
        BinFigure::Refusal(RefusalCause::Ineligible),
        BinFigure::Refusal(RefusalCause::SoldOut),
        BinFigure::Refusal(RefusalCause::DeviceLocked),
        BinFigure::Ineligible,
        BinFigure::ClockBug,
        BinFigure::DropRate,
        BinFigure::RefusalRate,
        BinFigure::AbandonRate,
        BinFigure::WaitMean,
        BinFigure::WaitP50,
        BinFigure::WaitP90,
        BinFigure::WaitP99,
        BinFigure::ShownWaitP50,
        BinFigure::ShownWaitP90,
        BinFigure::IdentityChecks,
        BinFigure::IdentityFailed,
        BinFigure::IdentityBusy,
        BinFigure::IdentityCapacity,
        BinFigure::DeviceArrivals,
        BinFigure::DevicesLeft,
    ];

    fn name(self) -> &'static str {
        match self {
            BinFigure::Arrivals => "arrivals",
            BinFigure::Retries => "retries",
            BinFigure::FrontRequests => "front_requests",
            BinFigure::FrontCapacity => "front_capacity",
            BinFigure::FrontBusy => "front_busy",
            BinFigure::FrontPolls => "front_polls",
            BinFigure::FrontFailed => "front_failed",
            BinFigure::QueueLen => "queue_len",
            BinFigure::QueueLenMean => "queue_len_mean",
            BinFigure::Admitted => "admitted",
            BinFigure::Bypassed => "bypassed",
            BinFigure::ActiveSessions => "active_sessions",
            BinFigure::SessionCapacity => "session_capacity",
            BinFigure::Booked => "booked",
            BinFigure::Abandoned => "abandoned",
            BinFigure::Balked => "balked",
            BinFigure::Dropped => "dropped",
            BinFigure::Drop(c) => c.column(),
            BinFigure::Refused => "refused",
            BinFigure::Refusal(c) => c.column(),
            BinFigure::Ineligible => "ineligible",
            BinFigure::ClockBug => "clock_bug",
            BinFigure::DropRate => "drop_rate",
            BinFigure::RefusalRate => "refusal_rate",
            BinFigure::AbandonRate => "abandon_rate",
            BinFigure::WaitMean => "wait_mean_s",
            BinFigure::WaitP50 => "wait_p50_s",
            BinFigure::WaitP90 => "wait_p90_s",
            BinFigure::WaitP99 => "wait_p99_s",
            BinFigure::ShownWaitP50 => "shown_wait_p50_s",
            BinFigure::ShownWaitP90 => "shown_wait_p90_s",
            BinFigure::IdentityChecks => "identity_checks",
            BinFigure::IdentityFailed => "identity_failed",
            BinFigure::IdentityBusy => "identity_busy",
            BinFigure::IdentityCapacity => "identity_capacity",
            BinFigure::DeviceArrivals => "device_arrivals",
            BinFigure::DevicesLeft => "devices_left",
        }
    }

    fn kind(self) -> Kind {
        match self {
            BinFigure::FrontBusy | BinFigure::QueueLenMean => Kind::Level,
            BinFigure::DropRate | BinFigure::RefusalRate | BinFigure::AbandonRate => Kind::Share,
            BinFigure::WaitMean
            | BinFigure::WaitP50
            | BinFigure::WaitP90
            | BinFigure::WaitP99
            | BinFigure::ShownWaitP50
            | BinFigure::ShownWaitP90 => Kind::Seconds,
            _ => Kind::Count,
        }
    }

    /// Replicated time series give bounds to the rates and waits only: a
    /// band around every count would double the table for little use.
    fn banded(self) -> bool {
        matches!(
            self,
            BinFigure::WaitMean
                | BinFigure::WaitP50
                | BinFigure::WaitP90
                | BinFigure::WaitP99
                | BinFigure::ShownWaitP50
                | BinFigure::ShownWaitP90
                | BinFigure::DropRate
                | BinFigure::RefusalRate
                | BinFigure::AbandonRate
        )
    }
}

impl Columns for DropCause {
    const ALL: &'static [DropCause] = &DropCause::ALL;
    fn name(self) -> &'static str {
        DropCause::name(self)
    }
    fn kind(self) -> Kind {
        Kind::Count
    }
}

impl Columns for RefusalCause {
    const ALL: &'static [RefusalCause] = &RefusalCause::ALL;
    fn name(self) -> &'static str {
        RefusalCause::name(self)
    }
    fn kind(self) -> Kind {
        Kind::Count
    }
}

/// `a / b`, undefined when `b` is 0.
pub fn ratio(a: u64, b: u64) -> Value {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Bookings by one of the scenario's milestones, the figure the seed
/// quotes ("53.9 % by 20 July 12:00"): the share booked of the eligible
/// people whose window had opened by then, and each cohort's own share of
/// its people (`None` for ineligible cohorts).
///
/// Of whom matters on a rotation: ten nightly groups are ten cohorts, and
/// by the first night's close only the first group could book. A share of
/// all ten groups' people would read 10 % for a first night that booked
/// everyone; the share of those whose window had opened reads 100 %.
#[derive(Clone, Debug, PartialEq)]
pub struct ByMilestone<F> {
    pub at: crate::engine::SimTime,
    /// Eligible people of the cohorts whose first window opened at or
    /// before `at`: whom `share` is of (the same in every replication).
    pub of_people: u64,
    pub share: F,
    pub cohorts: Vec<F>,
}

impl ByMilestone<Value> {
    /// The same milestone over replications: each share's estimate.
    pub fn estimate(runs: &[&ByMilestone<Value>]) -> ByMilestone<Option<super::Estimate>> {
        let of = |values: Vec<Value>| super::Estimate::of(&values.into_iter().flatten().collect::<Vec<f64>>());
        let n = runs.first().map_or(0, |r| r.cohorts.len());
        ByMilestone {
            at: runs.first().map_or(crate::engine::SimTime::ZERO, |r| r.at),
            of_people: runs.first().map_or(0, |r| r.of_people),
            share: of(runs.iter().map(|r| r.share).collect()),
            cohorts: (0..n).map(|i| of(runs.iter().map(|r| r.cohorts[i]).collect())).collect(),
        }
    }
}

/// What the reports need of one run, computed once; the histograms are
/// left behind (see the module doc).
#[derive(Clone, Debug)]
pub struct RunFigures {
    pub headline: Figures<Headline, Value>,
    /// One per cohort, in the scenario's order.
    pub cohorts: Vec<Figures<CohortFigure, Value>>,
    /// Bookings by each milestone, in time order.
    pub milestones: Vec<ByMilestone<Value>>,
    /// The time bins, for the time series and the charts.
    pub bins: Vec<Bin>,
}

impl RunFigures {
    pub fn of(s: &Scenario, r: Results) -> RunFigures {
        RunFigures {
            headline: headline(s, &r),
            cohorts: (0..s.cohorts.len()).map(|i| cohort(s, &r, i)).collect(),
            milestones: milestones(s, &r),
            bins: r.bins,
        }
    }
}

/// The headline figures of a run.
pub fn headline(s: &Scenario, r: &Results) -> Figures<Headline, Value> {
    let t = r.totals();
    let eligible: u64 = s.cohorts.iter().filter(|c| c.eligible).map(|c| c.people).sum();
    let of_eligible = |count: fn(&super::Counts) -> u64| -> u64 {
        s.cohorts.iter().zip(&r.cohorts).filter(|(c, _)| c.eligible).map(|(_, cr)| count(&cr.counts)).sum()
    };
    let booked_eligible = of_eligible(|c| c.booked);
    let of_visitors = |count: fn(&super::Counts) -> u64| -> u64 {
        s.cohorts.iter().zip(&r.cohorts).filter(|(c, _)| !c.eligible).map(|(_, cr)| count(&cr.counts)).sum()
    };
    let [p50, p90, p99] = QUANTILES.map(|q| r.wait.quantile_secs(q));
    let from_opening = r.wait_from_opening();
    let [o50, o90, o99] = QUANTILES.map(|q| from_opening.quantile_secs(q));
    let room_opens = s.waiting_room.as_ref().map(|w| w.opens);
    let n = |x: u64| Some(x as f64);
    Figures::from_fn(|k| match k {
        Headline::People => n(t.arrivals),
        Headline::Attempts => n(t.attempts()),
        Headline::Admitted => n(t.admitted),
        Headline::Booked => n(t.booked),
        Headline::BookedShare => ratio(booked_eligible, eligible),
        Headline::Abandoned => n(t.abandoned),
        Headline::Balked => n(t.balked),
        Headline::Dropped => n(t.dropped_total()),
        Headline::Drop(c) => n(t.dropped[c as usize]),
        Headline::Refused => n(t.refused_total()),
        Headline::Refusal(c) => n(t.refused(c)),
        Headline::Ineligible => n(t.turned_away),
        Headline::GaveUp => n(t.gave_up),
        Headline::GaveUpEligible => n(of_eligible(|c| c.gave_up)),
        Headline::CatchUpArrivals => n(t.returned),
        Headline::Visitors => n(of_visitors(|c| c.arrivals)),
        Headline::VisitorAttempts => n(of_visitors(|c| c.attempts())),
        Headline::InSystemAtEnd => n(t.arrivals - t.booked - t.gave_up),
        Headline::DropRate => ratio(t.dropped_total(), t.attempts()),
        Headline::RefusalRate => ratio(t.refused_total(), t.attempts()),
        Headline::AbandonRate => ratio(t.abandoned, t.attempts()),
        Headline::AbandonRateEligible => ratio(of_eligible(|c| c.abandoned), of_eligible(|c| c.attempts())),
        Headline::PWait => r.wait.share_positive(),
        Headline::WaitMean => r.wait.mean_secs(),
        Headline::WaitP50 => p50,
        Headline::WaitP90 => p90,
        Headline::WaitP99 => p99,
        Headline::WaitFromOpeningP50 => o50,
        Headline::WaitFromOpeningP90 => o90,
        Headline::WaitFromOpeningP99 => o99,
        Headline::TimeToBookP50 => r.time_to_book.quantile_secs(0.5),
        Headline::TimeToBookP90 => r.time_to_book.quantile_secs(0.9),
        Headline::QueueClearedAfter => {
            room_opens.zip(r.queue_cleared_at).map(|(o, at)| at.saturating_sub(o).as_secs_f64())
        }
        Headline::SoldOutAt => r.sold_out_at.map(|t| t.as_secs_f64()),
        Headline::QueueLenMean => Some(r.queue_len_mean),
        Headline::ActiveSessionsMean => Some(r.active_mean),
        Headline::Events => n(r.events),
        Headline::IdentityChecks => n(t.identity_checks),
        Headline::IdentityChecksPerBooking => ratio(t.identity_checks, t.booked),
        Headline::Devices => n(t.arrivals + t.device_arrivals),
        Headline::DevicesLeft => n(t.devices_left),
    })
}

/// Bookings by each milestone, as shares of the eligible people whose
/// window had opened by then (see `ByMilestone`).
pub fn milestones(s: &Scenario, r: &Results) -> Vec<ByMilestone<Value>> {
    s.milestones
        .iter()
        .zip(&r.booked_by_milestone)
        .map(|(&at, booked)| {
            // A valid cohort has at least one window; one without would be
            // open the whole run.
            let opened = |c: &crate::scenario::Cohort| c.eligible && c.windows.first().is_none_or(|w| w.opens <= at);
            let of_people: u64 = s.cohorts.iter().filter(|c| opened(c)).map(|c| c.people).sum();
            // Nobody books before their window opens, so the bookings are
            // those of the opened cohorts.
            let of_opened: u64 = s.cohorts.iter().zip(booked).filter(|(c, _)| opened(c)).map(|(_, b)| b).sum();
            ByMilestone {
                at,
                of_people,
                share: ratio(of_opened, of_people),
                cohorts: s
                    .cohorts
                    .iter()
                    .zip(booked)
                    .map(|(c, &b)| if c.eligible { ratio(b, c.people) } else { None })
                    .collect(),
            }
        })
        .collect()
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_are_unique<K: Columns>() {
        let mut names: Vec<&str> = K::ALL.iter().map(|k| k.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), K::ALL.len(), "names are unique");
    }

    #[test]
    fn every_figure_has_its_own_name() {
        names_are_unique::<Headline>();
        names_are_unique::<CohortFigure>();
        names_are_unique::<BinFigure>();
        names_are_unique::<DropCause>();
        names_are_unique::<RefusalCause>();
    }

    #[test]
    fn every_failure_is_a_drop_column_and_every_refusal_a_refusal_column() {
        for c in DropCause::ALL {
            let failure = c.refusal().is_none();
            assert_eq!(failure, DropCause::FAILURES.contains(&c), "{c:?} is a failure or a refusal, not both");
            assert_eq!(Headline::ALL.contains(&Headline::Drop(c)), failure);
            assert_eq!(BinFigure::ALL.contains(&BinFigure::Drop(c)), failure);
            let drop = Headline::from_name(&format!("drop_{}", c.name()));
            assert_eq!(drop, failure.then_some(Headline::Drop(c)));
        }
        for c in RefusalCause::ALL {
            assert!(Headline::ALL.contains(&Headline::Refusal(c)));
            assert!(BinFigure::ALL.contains(&BinFigure::Refusal(c)));
            assert_eq!(Headline::from_name(&format!("refused_{}", c.name())), Some(Headline::Refusal(c)));
        }
    }
}
