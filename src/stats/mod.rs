//! Statistics gathered while the model runs: counters per time bin and per
//! cohort, wait and time-to-book distributions, time averages of the queue
//! and of active sessions. Streaming only: nothing is kept per visitor, so
//! memory depends on the number of bins and cohorts, not of people.
//!
//! The model reports what happens (`attempt`, `admitted`, `dropped`, ...);
//! `advance` is called before every event with the state as it stood since
//! the previous one, which is all the time averages and bin edges need.

pub mod ci;
pub mod columns;
pub mod figures;
mod histogram;
pub mod plan;
pub mod select;

pub use ci::Estimate;
pub use columns::{Columns, Figures, Kind, Value};
pub use figures::{BinFigure, ByMilestone, CohortFigure, Headline, RunFigures};
pub use histogram::Durations;

use crate::engine::{OutOfMemory, SimTime};
use crate::scenario::{Placement, Scenario};

/// Why an attempt ended at the system's hands without a booking, as the
/// model records it. Each cause is counted on its own. Most are failures
/// of the system (`dropped`, `drop_rate`); two are refusals by design, the
/// site doing what it was built to do (`DropCause::refusal`): the device
/// lock and a sold-out cohort. The reports keep the two apart, so that a
/// night whose lock turns away millions of second devices is not read as
/// a night that failed millions of people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropCause {
    /// The page did not load within the client's timeout (front tier overloaded or down).
    FrontTimeout,
    /// The waiting room was full.
    QueueFull,
    /// The connection was lost while waiting.
    QueueLost,
    /// Admitted, but the turn was not taken up in time.
    TurnExpired,
    /// An error at the front of the line sent the person to the back.
    BounceBack,
    /// Every backend session was taken (no waiting room, a bypass, or fail-open).
    BackendFull,
    /// The booking session ended in an error.
    BackendError,
    /// The backend was down.
    BackendOutage,
    /// The slot inventory ran out.
    NoSlots,
    /// The person's cohort was sold out: told so in the line or at the
    /// front page, and gone for good (no retry).
    SoldOut,
    /// The identity check did not finish within the client's timeout.
    IdentityTimeout,
    /// Another of the person's devices is in: this one is refused for a while.
    DeviceLocked,
}

/// Why an attempt was refused by design: not a failure of the system, but
/// what it is built to do. Reported apart from the drops (`refused`,
/// `refusal_rate`, `refused_<cause>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalCause {
    /// Turned away at the eligibility check by design: an ineligible
    /// visitor, or an eligible person outside their cohort's windows. The
    /// clock bug's refusals are not by design and not counted here (they
    /// stay in `ineligible` and `clock_bug`).
    Ineligible,
    /// The person's cohort was sold out (`DropCause::SoldOut`).
    SoldOut,
    /// Another of the person's devices was in (`DropCause::DeviceLocked`).
    DeviceLocked,
}

impl RefusalCause {
    pub const ALL: [RefusalCause; 3] = [RefusalCause::Ineligible, RefusalCause::SoldOut, RefusalCause::DeviceLocked];
    pub const COUNT: usize = Self::ALL.len();

    /// The name used in `summary.json` (`refusals_by_cause`) and, after
    /// `refused_`, in the tables' columns.
    pub fn name(self) -> &'static str {
        match self {
            RefusalCause::Ineligible => "ineligible",
            RefusalCause::SoldOut => "sold_out",
            RefusalCause::DeviceLocked => "device_locked",
        }
    }

    /// The column of this cause in the tables: `refused_<name>`.
    pub fn column(self) -> &'static str {
        match self {
            RefusalCause::Ineligible => "refused_ineligible",
            RefusalCause::SoldOut => "refused_sold_out",
            RefusalCause::DeviceLocked => "refused_device_locked",
        }
    }
}

impl DropCause {
    pub const ALL: [DropCause; 12] = [
        DropCause::FrontTimeout,
        DropCause::QueueFull,
        DropCause::QueueLost,
        DropCause::TurnExpired,
        DropCause::BounceBack,
        DropCause::BackendFull,
        DropCause::BackendError,
        DropCause::BackendOutage,
        DropCause::NoSlots,
        DropCause::SoldOut,
        DropCause::IdentityTimeout,
        DropCause::DeviceLocked,
    ];
    pub const COUNT: usize = Self::ALL.len();

    /// The causes that are failures of the system, in `ALL` order: what
    /// `dropped`, `drop_<cause>` and `drop_rate` count.
    pub const FAILURES: [DropCause; 10] = [
        DropCause::FrontTimeout,
        DropCause::QueueFull,
        DropCause::QueueLost,
        DropCause::TurnExpired,
        DropCause::BounceBack,
        DropCause::BackendFull,
        DropCause::BackendError,
        DropCause::BackendOutage,
        DropCause::NoSlots,
        DropCause::IdentityTimeout,
    ];

    /// The refusal by design this cause is, if it is one rather than a
    /// failure. A sold-out cohort's people are told so and leave: the
    /// inventory did its job. `no_slots` stays a failure: the site let the
    /// person into a booking session it could not complete.
    pub fn refusal(self) -> Option<RefusalCause> {
        match self {
            DropCause::SoldOut => Some(RefusalCause::SoldOut),
            DropCause::DeviceLocked => Some(RefusalCause::DeviceLocked),
            DropCause::FrontTimeout
            | DropCause::QueueFull
            | DropCause::QueueLost
            | DropCause::TurnExpired
            | DropCause::BounceBack
            | DropCause::BackendFull
            | DropCause::BackendError
            | DropCause::BackendOutage
            | DropCause::NoSlots
            | DropCause::IdentityTimeout => None,
        }
    }

    /// The name used in CSV columns (`drop_<name>`) and in `summary.json`.
    pub fn name(self) -> &'static str {
        match self {
            DropCause::FrontTimeout => "front_timeout",
            DropCause::QueueFull => "queue_full",
            DropCause::QueueLost => "queue_lost",
            DropCause::TurnExpired => "turn_expired",
            DropCause::BounceBack => "bounce_back",
            DropCause::BackendFull => "backend_full",
            DropCause::BackendError => "backend_error",
            DropCause::BackendOutage => "backend_outage",
            DropCause::NoSlots => "no_slots",
            DropCause::SoldOut => "sold_out",
            DropCause::IdentityTimeout => "identity_timeout",
            DropCause::DeviceLocked => "device_locked",
        }
    }

    /// The column of this cause in the tables: `drop_<name>`.
    pub fn column(self) -> &'static str {
        match self {
            DropCause::FrontTimeout => "drop_front_timeout",
            DropCause::QueueFull => "drop_queue_full",
            DropCause::QueueLost => "drop_queue_lost",
            DropCause::TurnExpired => "drop_turn_expired",
            DropCause::BounceBack => "drop_bounce_back",
            DropCause::BackendFull => "drop_backend_full",
            DropCause::BackendError => "drop_backend_error",
            DropCause::BackendOutage => "drop_backend_outage",
            DropCause::NoSlots => "drop_no_slots",
            DropCause::SoldOut => "drop_sold_out",
            DropCause::IdentityTimeout => "drop_identity_timeout",
            DropCause::DeviceLocked => "drop_device_locked",
        }
    }

    /// Whether the attempt failed before it was admitted to the backend
    /// (front tier and waiting room) rather than in the backend. The
    /// identity check and the device lock sit where the identity check is:
    /// before the queue, or at booking (the lock without a check: at
    /// admission).
    pub fn before_admission(self, identity: Option<Placement>) -> bool {
        match self {
            DropCause::FrontTimeout
            | DropCause::QueueFull
            | DropCause::QueueLost
            | DropCause::TurnExpired
            | DropCause::BounceBack
            | DropCause::SoldOut => true,
            DropCause::IdentityTimeout | DropCause::DeviceLocked => identity == Some(Placement::BeforeQueue),
            DropCause::BackendFull | DropCause::BackendError | DropCause::BackendOutage | DropCause::NoSlots => false,
        }
    }
}

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
            RefusalCause::SoldOut => self.dropped[DropCause::SoldOut as usize],
            RefusalCause::DeviceLocked => self.dropped[DropCause::DeviceLocked as usize],
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
    /// Bookings per cohort by each of the scenario's milestones (bookings
    /// at the milestone's instant included), in milestone order.
    pub booked_by_milestone: Vec<Vec<u64>>,
    /// When every eligible cohort's inventory had run out (see
    /// `model::inventory`); `None` if it never did.
    pub sold_out_at: Option<SimTime>,
    /// Events the run handled: every first attempt, every event taken from
    /// the future-event list before the horizon (a retry, a page load done
    /// or timed out, a departure from the queue, a session end, a timer, a
    /// scheduled change) and every bounce back to the line (a new attempt,
    /// made at once). So every attempt is at least one event.
    pub events: u64,
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
/// and its bookings per cohort with the allocator's 16 bytes).
pub fn row_bytes(cohorts: usize) -> usize {
    std::mem::size_of::<Bin>() + 8 * cohorts + 16
}

/// Bytes of the statistics of a run with `bins` rows and `cohorts`
/// cohorts: (while it runs, what a finished run keeps). Running: the rows,
/// two histograms per cohort and two more for its early comers' waits, the
/// current bin's, and the totals made at the end (three, the waits from the
/// opening among them). Kept: the rows and the figures (`RunFigures`): the
/// histograms are left behind.
pub fn table_bytes(bins: usize, cohorts: usize) -> (f64, f64) {
    let rows = (bins * row_bytes(cohorts)) as f64;
    let h3 = Durations::heap_bytes(3) as f64;
    let running = rows + (4 * cohorts + 3) as f64 * h3 + Durations::heap_bytes(2) as f64;
    let value = std::mem::size_of::<Value>();
    let figures = (cohorts * CohortFigure::ALL.len() + Headline::ALL.len()) * value + 64 * cohorts;
    (running, rows + figures as f64)
}

/// Bytes of one row of a replicated time series while it is written: each
/// figure's estimate, and the row's CSV text (about 20 bytes a cell).
pub fn combined_row_bytes() -> usize {
    let cells = BinFigure::ALL.len() * 3;
    BinFigure::ALL.len() * std::mem::size_of::<Option<Estimate>>() + 20 * cells
}

/// A histogram of `sigfig` digits, fallibly: one of those of a run with
/// `cohorts` cohorts.
fn histogram(sigfig: u8, cohorts: usize) -> Result<Durations, OutOfMemory> {
    Durations::try_new(sigfig).ok_or_else(|| {
        OutOfMemory::new("histograms", 2 * cohorts + 3, (2 * cohorts + 3) * Durations::heap_bytes(sigfig))
    })
}

/// Percentiles reported everywhere.
pub const QUANTILES: [f64; 3] = [0.5, 0.9, 0.99];

/// Time integrals of the gauges [people·µs], for time averages.
#[derive(Clone, Copy, Debug, Default)]
struct Areas {
    queue: f64,
    active: f64,
    front_busy: f64,
}

impl Areas {
    fn add(&mut self, g: &Gauges, dt: f64) {
        self.queue += g.queue_len as f64 * dt;
        self.active += g.active as f64 * dt;
        self.front_busy += g.front_busy as f64 * dt;
    }
}

/// Collects observations during a run.
pub struct Recorder {
    bin_width: SimTime,
    n_bins: usize,
    /// End of the bin being filled.
    bin_end: SimTime,
    current: Counts,
    current_wait: Durations,
    bins: Vec<Bin>,
    cohorts: Vec<CohortResult>,
    booked_so_far: Vec<u64>,
    last: SimTime,
    bin_areas: Areas,
    run_areas: Areas,
    /// The waiting room's opening (waits of earlier joiners are also taken
    /// from it); `SimTime::MAX` without a room.
    room_opens: SimTime,
    /// The longest queue so far, and when it first emptied after it.
    queue_peak: u64,
    queue_cleared_at: Option<SimTime>,
    /// Milestones not yet reached (the next last), and the bookings per
    /// cohort by those reached.
    milestones: Vec<SimTime>,
    booked_by_milestone: Vec<Vec<u64>>,
    /// Shown waits of the people who joined in the current bin (only when
    /// the room shows one).
    current_shown: Option<Durations>,
    sold_out_at: Option<SimTime>,
}

impl Recorder {
    /// A recorder for a run of `s`; an error if its table of time-series
    /// rows (reserved whole) or its histograms do not fit in memory.
    pub fn new(s: &Scenario) -> Result<Self, OutOfMemory> {
        let n = s.cohorts.len();
        let mut bins = Vec::new();
        bins.try_reserve_exact(s.bins())
            .map_err(|_| OutOfMemory::new("time-series rows", s.bins(), s.bins() * std::mem::size_of::<Bin>()))?;
        let mut cohorts = Vec::with_capacity(n);
        for _ in 0..n {
            let (wait, time_to_book) = (histogram(3, n)?, histogram(3, n)?);
            cohorts.push(CohortResult {
                counts: Counts::default(),
                wait,
                time_to_book,
                early: None,
                sold_out_at: None,
            });
        }
        Ok(Recorder {
            bin_width: s.bin,
            n_bins: s.bins(),
            bin_end: s.bin,
            current: Counts::default(),
            current_wait: histogram(2, 1)?,
            bins,
            cohorts,
            booked_so_far: vec![0; n],
            last: SimTime::ZERO,
            bin_areas: Areas::default(),
            run_areas: Areas::default(),
            room_opens: s.waiting_room.as_ref().map_or(SimTime::MAX, |w| w.opens),
            queue_peak: 0,
            queue_cleared_at: None,
            milestones: s.milestones.iter().rev().copied().collect(),
            booked_by_milestone: Vec::with_capacity(s.milestones.len()),
            current_shown: match s.waiting_room.as_ref().and_then(|w| w.shown_wait) {
                Some(_) => Some(histogram(2, 1)?),
                None => None,
            },
            sold_out_at: None,
        })
    }

    /// Move the clock to `now`; `g` is the state since the previous call.
    /// Closes every bin that ended on the way.
    #[inline]
    pub fn advance(&mut self, now: SimTime, g: &Gauges) {
        self.watch_queue(g);
        // A milestone is passed once the clock is beyond it: bookings at its
        // very instant count as made by it.
        while self.milestones.last().is_some_and(|&m| now > m) {
            self.milestones.pop();
            self.booked_by_milestone.push(self.booked_so_far.clone());
        }
        while now >= self.bin_end && self.bins.len() < self.n_bins {
            self.accumulate(self.bin_end, g);
            self.close_bin(g);
        }
        self.accumulate(now, g);
    }

    /// Note when the queue empties after its longest: `g` is the state from
    /// `last` on, so an empty queue in it emptied at `last`. A new longest
    /// queue forgets an earlier emptying (the crowd came back bigger).
    #[inline]
    fn watch_queue(&mut self, g: &Gauges) {
        if g.queue_len > self.queue_peak {
            self.queue_peak = g.queue_len;
            self.queue_cleared_at = None;
        } else if g.queue_len == 0 && self.queue_cleared_at.is_none() {
            self.queue_cleared_at = Some(self.last);
        }
    }

    /// Add the state's area from the last call up to `until`.
    #[inline]
    fn accumulate(&mut self, until: SimTime, g: &Gauges) {
        self.bin_areas.add(g, (until - self.last).0 as f64);
        self.last = until;
    }

    fn close_bin(&mut self, g: &Gauges) {
        let wait = QUANTILES.map(|q| self.current_wait.quantile_secs(q));
        let width = self.bin_width.0 as f64;
        let a = std::mem::take(&mut self.bin_areas);
        self.bins.push(Bin {
            start: self.bin_end - self.bin_width,
            counts: std::mem::take(&mut self.current),
            end: *g,
            queue_len_mean: a.queue / width,
            active_mean: a.active / width,
            front_busy_mean: a.front_busy / width,
            wait,
            wait_mean: self.current_wait.mean_secs(),
            p_wait: self.current_wait.share_positive(),
            booked_so_far: self.booked_so_far.clone(),
            shown_wait: self.current_shown.as_ref().map_or([None; 2], |h| [0.5, 0.9].map(|q| h.quantile_secs(q))),
        });
        self.current_wait.clear();
        if let Some(h) = &mut self.current_shown {
            h.clear();
        }
        self.run_areas.queue += a.queue;
        self.run_areas.active += a.active;
        self.run_areas.front_busy += a.front_busy;
        self.bin_end += self.bin_width;
    }

    pub fn attempt(&mut self, cohort: usize, retry: bool) {
        let c = &mut self.cohorts[cohort].counts;
        if retry {
            self.current.retries += 1;
            c.retries += 1;
        } else {
            self.current.arrivals += 1;
            c.arrivals += 1;
        }
    }

    /// An attempt passed the waiting room after `wait` (`None`: there is no room).
    pub fn admitted(&mut self, cohort: usize, wait: Option<SimTime>) {
        self.current.admitted += 1;
        let c = &mut self.cohorts[cohort];
        c.counts.admitted += 1;
        if let Some(w) = wait {
            self.current_wait.record(w);
            c.wait.record(w);
            // Joined before the room opened (admissions come after it).
            let since_opening = self.last.saturating_sub(self.room_opens);
            if w > since_opening {
                let early = c.early.get_or_insert_with(|| {
                    Box::new(EarlyWaits { full: Durations::new(3), from_opening: Durations::new(3) })
                });
                early.full.record(w);
                early.from_opening.record(since_opening);
            }
        }
    }

    pub fn booked(&mut self, cohort: usize, time_to_book: SimTime) {
        self.current.booked += 1;
        self.booked_so_far[cohort] += 1;
        let c = &mut self.cohorts[cohort];
        c.counts.booked += 1;
        c.time_to_book.record(time_to_book);
    }

    pub fn abandoned(&mut self, cohort: usize) {
        self.current.abandoned += 1;
        self.cohorts[cohort].counts.abandoned += 1;
    }

    pub fn dropped(&mut self, cohort: usize, cause: DropCause) {
        self.current.dropped[cause as usize] += 1;
        self.cohorts[cohort].counts.dropped[cause as usize] += 1;
    }

    pub fn turned_away(&mut self, cohort: usize) {
        self.current.turned_away += 1;
        self.cohorts[cohort].counts.turned_away += 1;
    }

    pub fn gave_up(&mut self, cohort: usize) {
        self.current.gave_up += 1;
        self.cohorts[cohort].counts.gave_up += 1;
    }

    /// People of `cohort` who have left for good so far (net of those who
    /// came back): whom a catch-up round may bring back.
    pub fn gone(&self, cohort: usize) -> u64 {
        self.cohorts[cohort].counts.gave_up
    }

    /// A person of `cohort` who had left comes back in a catch-up round
    /// (their attempt is counted by `attempt`, as a retry).
    pub fn returned(&mut self, cohort: usize) {
        self.current.returned += 1;
        let c = &mut self.cohorts[cohort].counts;
        c.returned += 1;
        // The round draws its crowd from those gone at its opening, so
        // never more than have left (saturating: a person of the round
        // before who arrives at the very instant the next opens is counted
        // gone by the next too).
        c.gave_up = c.gave_up.saturating_sub(1);
    }

    pub fn front_request(&mut self, cohort: usize) {
        self.current.front_requests += 1;
        self.cohorts[cohort].counts.front_requests += 1;
    }

    pub fn bypassed(&mut self, cohort: usize) {
        self.current.bypassed += 1;
        self.cohorts[cohort].counts.bypassed += 1;
    }

    /// An eligible attempt refused by the clock bug (call `turned_away` too).
    pub fn clock_bug(&mut self, cohort: usize) {
        self.current.clock_bug += 1;
        self.cohorts[cohort].counts.clock_bug += 1;
    }

    /// A person joining the room was shown a wait of `shown`.
    pub fn shown_wait(&mut self, shown: SimTime) {
        if let Some(h) = &mut self.current_shown {
            h.record(shown);
        }
    }

    /// An attempt left at once on joining (the shown wait was too long).
    pub fn balked(&mut self, cohort: usize) {
        self.current.balked += 1;
        self.cohorts[cohort].counts.balked += 1;
    }

    /// Cohort `cohort` can no longer be served from `at` on.
    pub fn sold_out(&mut self, cohort: usize, at: SimTime) {
        self.cohorts[cohort].sold_out_at.get_or_insert(at);
    }

    /// Every eligible cohort's inventory ran out at `at`.
    pub fn night_sold_out(&mut self, at: SimTime) {
        self.sold_out_at.get_or_insert(at);
    }

    pub fn identity_check(&mut self, cohort: usize) {
        self.current.identity_checks += 1;
        self.cohorts[cohort].counts.identity_checks += 1;
    }

    /// The first attempt of a person's device beyond their first.
    pub fn device_arrival(&mut self, cohort: usize) {
        self.current.device_arrivals += 1;
        self.cohorts[cohort].counts.device_arrivals += 1;
    }

    pub fn device_left(&mut self, cohort: usize) {
        self.current.devices_left += 1;
        self.cohorts[cohort].counts.devices_left += 1;
    }

    pub fn device_quit(&mut self, cohort: usize) {
        self.current.devices_quit += 1;
        self.cohorts[cohort].counts.devices_quit += 1;
    }

    /// Close the run at `horizon` and hand over the results.
    pub fn finish(mut self, horizon: SimTime, g: &Gauges, events: u64) -> Result<Results, OutOfMemory> {
        self.advance(horizon, g);
        // The last bin may stretch past the horizon; it is closed with the
        // area up to the horizon only.
        while self.bins.len() < self.n_bins {
            self.close_bin(g);
        }
        // Milestones at the horizon itself: everything booked by then.
        while self.milestones.pop().is_some() {
            self.booked_by_milestone.push(self.booked_so_far.clone());
        }
        let span = horizon.0.max(1) as f64;
        let n = self.cohorts.len();
        let (mut wait, mut time_to_book) = (histogram(3, n)?, histogram(3, n)?);
        for c in &self.cohorts {
            wait.add(&c.wait);
            time_to_book.add(&c.time_to_book);
        }
        Ok(Results {
            bins: self.bins,
            cohorts: self.cohorts,
            wait,
            time_to_book,
            queue_len_mean: self.run_areas.queue / span,
            active_mean: self.run_areas.active / span,
            // A queue that never formed was never anything but clear.
            queue_cleared_at: if self.queue_peak == 0 { Some(SimTime::ZERO) } else { self.queue_cleared_at },
            booked_by_milestone: self.booked_by_milestone,
            sold_out_at: self.sold_out_at,
            events,
        })
    }
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
