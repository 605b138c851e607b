//! What a run measured, as the recorder hands it over: event counts per
//! time bin and per cohort, the state of the site at each bin's end, and
//! the wait and time-to-book histograms; and what these take in memory
//! (for the size guard).

use super::{
    ArrivalRow, BinFigure, CohortFigure, DropCause, Durations, Estimate, Headline, Overtaking, RefusalCause, Value,
};
use crate::engine::SimTime;
use crate::stats::Columns;

/// The state of the site between two events: what `advance` integrates
/// over time and what a bin reports at its end.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gauges {
    /// People in the waiting room.
    pub queue_len: u64,
    /// Active booking sessions.
    pub active: u64,
    pub session_capacity: u64,
    /// Front-tier request slots in use (page loads, wasted work included).
    pub front_busy: u64,
    /// Page loads waiting for a front-tier slot.
    pub front_waiting: u64,
    pub front_capacity: u64,
    /// Front-tier slots kept busy by waiting people's status polls.
    pub front_polls: u64,
    /// Identity checks in progress, and the tier's capacity (0 while down).
    pub identity_busy: u64,
    pub identity_capacity: u64,
}

/// Event counts, kept per bin and per cohort (totals are the cohorts' sum).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    /// First attempts: people arriving for the first time.
    pub arrivals: u64,
    /// Attempts after the first.
    pub retries: u64,
    /// Attempts that passed the waiting room (all of them without one).
    pub admitted: u64,
    pub booked: u64,
    /// Attempts given up in the queue (patience ran out).
    pub abandoned: u64,
    /// Of those, the attempts given up once the shown wait had passed
    /// (`clients.overdue_hazard`).
    pub abandoned_overdue: u64,
    pub dropped: [u64; DropCause::COUNT],
    /// Attempts turned away at the eligibility check (ineligible, or
    /// outside the cohort's windows).
    pub turned_away: u64,
    /// People who left for good without a booking. Per cohort, those who
    /// came back in a catch-up round are taken off again as they come (they
    /// had not left for good); per bin, people leaving in the bin.
    pub gave_up: u64,
    /// People back in a catch-up round (their first attempt of the round,
    /// counted among `retries`: they are not new people).
    pub returned: u64,
    /// Page loads sent to the front tier.
    pub front_requests: u64,
    /// Attempts that skipped the waiting room (back door or fail-open).
    pub bypassed: u64,
    /// Eligible attempts refused by the clock bug (also in `turned_away`).
    pub clock_bug: u64,
    /// Attempts that left the room at once on joining: the wait shown was
    /// longer than the person would accept.
    pub balked: u64,
    /// Identity checks asked for (one per attempt that reaches the check).
    pub identity_checks: u64,
    /// First attempts of a person's devices beyond their first (people
    /// with several devices): attempts, but not people.
    pub device_arrivals: u64,
    /// Devices that reached the front of the line when their person had
    /// already booked (or had a device in a booking session), and left.
    pub devices_left: u64,
    /// Devices that stopped for good (gave up, turned away for good) while
    /// their person had booked or still had another device in the system:
    /// not a person giving up.
    pub devices_quit: u64,
}

impl Counts {
    pub fn attempts(&self) -> u64 {
        self.arrivals + self.retries + self.device_arrivals
    }
    /// Attempts the system failed: the failure causes only (refusals by
    /// design are `refused_total`).
    pub fn dropped_total(&self) -> u64 {
        DropCause::FAILURES.iter().map(|&c| self.dropped[c as usize]).sum()
    }
    /// Attempts refused by design for `cause`.
    pub fn refused(&self, cause: RefusalCause) -> u64 {
        match cause {
            // The clock bug's victims are counted among the turned away too.
            RefusalCause::Ineligible => self.turned_away.saturating_sub(self.clock_bug),
            // The others are the drop causes that are this refusal.
            _ => DropCause::ALL.iter().filter(|c| c.refusal() == Some(cause)).map(|&c| self.dropped[c as usize]).sum(),
        }
    }
    /// Attempts refused by design, all causes.
    pub fn refused_total(&self) -> u64 {
        RefusalCause::ALL.iter().map(|&c| self.refused(c)).sum()
    }
    pub fn add(&mut self, o: &Counts) {
        self.arrivals += o.arrivals;
        self.retries += o.retries;
        self.admitted += o.admitted;
        self.booked += o.booked;
        self.abandoned += o.abandoned;
        self.abandoned_overdue += o.abandoned_overdue;
        for (a, b) in self.dropped.iter_mut().zip(o.dropped) {
            *a += b;
        }
        self.turned_away += o.turned_away;
        self.gave_up += o.gave_up;
        self.returned += o.returned;
        self.front_requests += o.front_requests;
        self.bypassed += o.bypassed;
        self.clock_bug += o.clock_bug;
        self.balked += o.balked;
        self.identity_checks += o.identity_checks;
        self.device_arrivals += o.device_arrivals;
        self.devices_left += o.devices_left;
        self.devices_quit += o.devices_quit;
    }
}

/// One time-series row.
#[derive(Clone, Debug)]
pub struct Bin {
    pub start: SimTime,
    pub counts: Counts,
    /// The state at the bin's end (queue length, sessions, capacities).
    pub end: Gauges,
    /// Time averages over the bin.
    pub queue_len_mean: f64,
    pub active_mean: f64,
    pub front_busy_mean: f64,
    /// Wait p50/p90/p99 [s] of the attempts admitted in this bin.
    pub wait: [Option<f64>; 3],
    /// Mean wait [s] and share that waited at all, of the same attempts.
    pub wait_mean: Option<f64>,
    pub p_wait: Option<f64>,
    /// Bookings per cohort, cumulative, at the bin's end.
    pub booked_so_far: Vec<u64>,
    /// Shown wait p50/p90 [s] of the people who joined the room in this
    /// bin; `None` when none joined or the room shows no wait.
    pub shown_wait: [Option<f64>; 2],
    /// The admission rate in force [a minute], time average over the bin
    /// (over its part before the horizon); `None` without a rate.
    pub admit_rate: Option<f64>,
}

/// One cohort's events in one time bin (`cohorts_timeseries.csv`): the
/// same events as the bin's `Counts`, so the cohorts of a bin add up to it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CohortBin {
    pub arrivals: u64,
    pub admitted: u64,
    pub booked: u64,
    pub abandoned: u64,
    pub dropped: [u64; DropCause::COUNT],
    /// The cohort's people in the waiting room's line at the bin's end.
    pub queue_len: u64,
}

impl CohortBin {
    /// The counts of `c` (cumulative), with `queue_len` in line now.
    pub fn of(c: &Counts, queue_len: u64) -> Self {
        CohortBin {
            arrivals: c.arrivals,
            admitted: c.admitted,
            booked: c.booked,
            abandoned: c.abandoned,
            dropped: c.dropped,
            queue_len,
        }
    }

    /// The events since `before` (both cumulative); the line is now's.
    pub fn since(&self, before: &CohortBin) -> Self {
        let mut dropped = self.dropped;
        for (d, b) in dropped.iter_mut().zip(before.dropped) {
            *d -= b;
        }
        CohortBin {
            arrivals: self.arrivals - before.arrivals,
            admitted: self.admitted - before.admitted,
            booked: self.booked - before.booked,
            abandoned: self.abandoned - before.abandoned,
            dropped,
            queue_len: self.queue_len,
        }
    }

    pub fn dropped_total(&self) -> u64 {
        DropCause::FAILURES.iter().map(|&c| self.dropped[c as usize]).sum()
    }
}

/// The night's state at one instant (`queue_at_<clock>` and its kin).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AtInstant {
    /// People in the waiting room's line (`queue_len`).
    pub queue: u64,
    /// Booking sessions in progress (`active_sessions`: with sessions held
    /// for an identity check at booking).
    pub active: u64,
    /// The wait the room would show a person joining then; `None` when it
    /// shows none, `SimTime::MAX` when it could not name one.
    pub shown_wait: Option<SimTime>,
    /// Per cohort, in the scenario's order.
    pub cohorts: Vec<CohortAt>,
}

/// One cohort at an instant.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CohortAt {
    /// In the line, and in a booking session, then.
    pub queued: u64,
    pub active: u64,
    /// So far (at the instant included).
    pub booked: u64,
    pub attempts: u64,
    /// Gone for good so far, net of those who came back (as `gave_up`).
    pub gave_up: u64,
}

/// Everything a run measured, ready for the report.
#[derive(Clone, Debug)]
pub struct Results {
    pub bins: Vec<Bin>,
    pub cohorts: Vec<CohortResult>,
    /// Waits of all admitted attempts (those that went through a waiting room).
    pub wait: Durations,
    pub time_to_book: Durations,
    /// Time averages over the run.
    pub queue_len_mean: f64,
    pub active_mean: f64,
    /// When the queue first emptied after its longest (`Some(ZERO)` if
    /// nobody ever queued; `None` if people still queued at the end).
    pub queue_cleared_at: Option<SimTime>,
    /// The night's state at each of the scenario's instants
    /// (`Scenario::instants`, in their order): counts include the events
    /// at the instant itself.
    pub instants: Vec<AtInstant>,
    /// When every eligible cohort's inventory had run out (see
    /// `model::inventory`); `None` if it never did.
    pub sold_out_at: Option<SimTime>,
    /// Each cohort's events per time bin: bin by bin, the cohorts in the
    /// scenario's order within each.
    pub cohort_bins: Vec<CohortBin>,
    /// Who got booked by when they came: cohort by cohort, each
    /// `Scenario::arrival_bins` rows.
    pub by_arrival: Vec<ArrivalRow>,
    /// How often later comers were admitted before earlier ones.
    pub overtaking: Overtaking,
    /// Events the run handled: every first attempt, every event taken from
    /// the future-event list before the horizon (a retry, a page load done
    /// or timed out, a departure from the queue, a session end, a scheduled
    /// change), every wake-up kept beside it (a timeout check, the
    /// admission rate's next admission, the next of the dead page loads in
    /// aggregate to end) and every bounce back to the line (a new attempt,
    /// made at once). So every attempt is at least one event.
    pub events: u64,
    /// The admission rate in force [a minute]: its time average over the
    /// run and its lowest; `None` without a rate.
    pub admit_rate_mean: Option<f64>,
    pub admit_rate_min: Option<f64>,
    /// Of the controller's measurement windows, the share whose signal was
    /// above its target; `None` without a controller (or before a window).
    pub controller_above_target_share: Option<f64>,
}

/// The night's counts so far that a controller of the admission rate
/// reads (`model::controller`): backend requests decided and failed, page
/// loads asked for and timed out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub backend_decided: u64,
    pub backend_failed: u64,
    pub front_requests: u64,
    pub front_failed: u64,
}

impl Tally {
    /// The tally of `c`: a backend request is decided at a session's end
    /// (a booking, no slots, an error), an outage's cut, or a refused
    /// session; it failed unless it ended with a booking or no slots.
    pub fn of(c: &Counts) -> Tally {
        let d = |cause: DropCause| c.dropped[cause as usize];
        let failed = d(DropCause::BackendError) + d(DropCause::BackendOutage) + d(DropCause::BackendFull);
        Tally {
            backend_decided: c.booked + d(DropCause::NoSlots) + failed,
            backend_failed: failed,
            front_requests: c.front_requests,
            front_failed: d(DropCause::FrontTimeout),
        }
    }

    fn add(&mut self, o: &Tally) {
        self.backend_decided += o.backend_decided;
        self.backend_failed += o.backend_failed;
        self.front_requests += o.front_requests;
        self.front_failed += o.front_failed;
    }
}

impl std::iter::Sum for Tally {
    fn sum<I: Iterator<Item = Tally>>(iter: I) -> Tally {
        let mut t = Tally::default();
        for x in iter {
            t.add(&x);
        }
        t
    }
}

impl Results {
    /// Waits of all admitted attempts, counted from the room's opening for
    /// those who joined before it.
    pub fn wait_from_opening(&self) -> Durations {
        let mut all = Durations::new(3);
        for c in &self.cohorts {
            all.add(&c.wait_from_opening());
        }
        all
    }

    pub fn totals(&self) -> Counts {
        let mut t = Counts::default();
        for c in &self.cohorts {
            t.add(&c.counts);
        }
        t
    }
}

#[derive(Clone, Debug)]
pub struct CohortResult {
    pub counts: Counts,
    pub wait: Durations,
    pub time_to_book: Durations,
    /// The waits of attempts that joined the room before it opened, taken
    /// two ways; `None` if nobody came that early.
    pub early: Option<Box<EarlyWaits>>,
    /// When the cohort could no longer be served (its own inventory or the
    /// shared one ran out); `None` if never.
    pub sold_out_at: Option<SimTime>,
}

/// Waits of the attempts that joined the waiting room before it opened:
/// in full (from joining) and from the opening. A planner quotes the wait
/// from the opening (the hours on the closed page before 20:00 are not the
/// site's doing); `wait` keeps the full one, as the design defines it.
#[derive(Clone, Debug)]
pub struct EarlyWaits {
    pub full: Durations,
    pub from_opening: Durations,
}

impl CohortResult {
    /// Waits counted from the room's opening for people who came before it,
    /// in full for the others.
    pub fn wait_from_opening(&self) -> Durations {
        match &self.early {
            Some(e) => self.wait.with_replaced(&e.full, &e.from_opening),
            None => self.wait.clone(),
        }
    }
}

/// Bytes of one time-series row of a run with `cohorts` cohorts (the row,
/// its bookings per cohort with the allocator's 16 bytes, and each
/// cohort's counts).
pub fn row_bytes(cohorts: usize) -> usize {
    std::mem::size_of::<Bin>() + (8 + std::mem::size_of::<CohortBin>()) * cohorts + 16
}

/// Bytes of the statistics of a run with `bins` rows and `cohorts`
/// cohorts: (while it runs, what a finished run keeps). Running: the rows,
/// two histograms per cohort and two more for its early comers' waits, the
/// current bin's, and the totals made at the end (three, the waits from the
/// opening among them), and the `arrival_rows` rows of `by_arrival.csv`.
/// Kept: the rows and the figures (`RunFigures`): the histograms are left
/// behind.
pub fn table_bytes(bins: usize, cohorts: usize, arrival_rows: usize) -> (f64, f64) {
    let arrivals = (arrival_rows * super::ArrivalTally::BYTES_PER_ROW) as f64;
    let kept_arrivals = (arrival_rows * std::mem::size_of::<ArrivalRow>()) as f64;
    let rows = (bins * row_bytes(cohorts)) as f64;
    let h3 = Durations::heap_bytes(3) as f64;
    let running = rows + (4 * cohorts + 3) as f64 * h3 + Durations::heap_bytes(2) as f64;
    let value = std::mem::size_of::<Value>();
    let figures = (cohorts * CohortFigure::ALL.len() + Headline::ALL.len()) * value + 64 * cohorts;
    (running + arrivals, rows + kept_arrivals + figures as f64)
}

/// Bytes of one row of a replicated time series while it is written: each
/// figure's estimate, and the row's CSV text (about 20 bytes a cell).
pub fn combined_row_bytes() -> usize {
    let cells = BinFigure::ALL.len() * 3;
    BinFigure::ALL.len() * std::mem::size_of::<Option<Estimate>>() + 20 * cells
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each ending at the system's hands is a failure or a refusal by
    /// design, once: a sold-out cohort and the device lock are refusals, the
    /// clock bug's wrong refusals neither (they stay among the turned away).
    #[test]
    fn drops_count_failures_and_refusals_the_rest() {
        let mut c = Counts::default();
        c.dropped[DropCause::FrontTimeout as usize] = 2;
        c.dropped[DropCause::NoSlots as usize] = 1;
        c.dropped[DropCause::SoldOut as usize] = 5;
        c.dropped[DropCause::DeviceLocked as usize] = 11;
        (c.turned_away, c.clock_bug) = (7, 3);
        assert_eq!(c.dropped_total(), 3);
        assert_eq!(c.refused(RefusalCause::SoldOut), 5);
        assert_eq!(c.refused(RefusalCause::DeviceLocked), 11);
        assert_eq!(c.refused(RefusalCause::Ineligible), 4, "the clock bug's are not by design");
        assert_eq!(c.refused_total(), 20);
        for cause in DropCause::ALL {
            assert_eq!(cause.refusal().is_none(), DropCause::FAILURES.contains(&cause), "{cause:?}");
        }
    }
}
