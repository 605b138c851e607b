//! The recorder: what the model calls as things happen (`attempt`,
//! `admitted`, `dropped`, ...), and `advance`, called before every event
//! with the state as it stood since the previous one, which is all the time
//! averages and bin edges need. `finish` hands over the `Results`.

use super::{
    AdmissionOrder, ArrivalTally, AtInstant, Bin, CohortAt, CohortBin, CohortResult, Counts, DropCause, Durations,
    EarlyWaits, Gauges, Results, QUANTILES,
};
use crate::engine::{OutOfMemory, SimTime};
use crate::scenario::Scenario;

/// A histogram of `sigfig` digits, fallibly: one of those of a run with
/// `cohorts` cohorts.
fn histogram(sigfig: u8, cohorts: usize) -> Result<Durations, OutOfMemory> {
    Durations::try_new(sigfig).ok_or_else(|| {
        OutOfMemory::new("histograms", 2 * cohorts + 3, (2 * cohorts + 3) * Durations::heap_bytes(sigfig))
    })
}

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
    /// Instants not yet passed (the next last), and the state at those
    /// passed (the model hands it over: `pass_instant`).
    instants: Vec<SimTime>,
    at_instants: Vec<AtInstant>,
    /// Shown waits of the people who joined in the current bin (only when
    /// the room shows one).
    current_shown: Option<Durations>,
    sold_out_at: Option<SimTime>,
    /// Each cohort's counts at the end of the last bin closed, and its
    /// events per bin so far (bin by bin).
    cohort_before: Vec<CohortBin>,
    cohort_bins: Vec<CohortBin>,
    /// Outcomes by arrival bin, and the order of first admissions.
    by_arrival: ArrivalTally,
    admissions: AdmissionOrder,
    /// The admission rate in force (`timeseries.csv`'s `admit_rate`).
    rate: AdmitRate,
}

/// The admission rate in force, a step function of time (it moves only
/// when a controller sets it): its area in the bin being filled and over
/// the run, its lowest, and the controller's windows above target.
struct AdmitRate {
    /// Admissions a minute, if the room limits them.
    now: Option<f64>,
    /// Since when it has held (the last change, or the bin's start).
    since: SimTime,
    bin_area: f64,
    run_area: f64,
    min: Option<f64>,
    horizon: SimTime,
    /// The controller's measurement windows, and those above target.
    windows: u64,
    above: u64,
}

impl AdmitRate {
    /// Add the rate's area from `since` up to `until`.
    fn accumulate(&mut self, until: SimTime) {
        if let Some(r) = self.now {
            let area = r * (until.min(self.horizon).saturating_sub(self.since)).0 as f64;
            self.bin_area += area;
            self.run_area += area;
        }
        self.since = until;
    }
}

impl Recorder {
    /// A recorder for a run of `s`; an error if its table of time-series
    /// rows (reserved whole) or its histograms do not fit in memory.
    pub fn new(s: &Scenario) -> Result<Self, OutOfMemory> {
        let n = s.cohorts.len();
        let mut bins = Vec::new();
        bins.try_reserve_exact(s.bins())
            .map_err(|_| OutOfMemory::new("time-series rows", s.bins(), s.bins() * std::mem::size_of::<Bin>()))?;
        let mut cohort_bins = Vec::new();
        cohort_bins.try_reserve_exact(s.bins() * n).map_err(|_| {
            OutOfMemory::new("cohort time-series rows", s.bins() * n, s.bins() * n * std::mem::size_of::<CohortBin>())
        })?;
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
            instants: s.instants.iter().rev().copied().collect(),
            at_instants: Vec::with_capacity(s.instants.len()),
            current_shown: match s.waiting_room.as_ref().and_then(|w| w.shown_wait) {
                Some(_) => Some(histogram(2, 1)?),
                None => None,
            },
            sold_out_at: None,
            cohort_before: vec![CohortBin::default(); n],
            cohort_bins,
            by_arrival: ArrivalTally::new(n, s.arrival_bin, s.arrival_bins())?,
            admissions: AdmissionOrder::new(n),
            rate: {
                let now = s.waiting_room.as_ref().and_then(|w| w.admit_per_minute);
                let (since, horizon) = (SimTime::ZERO, s.duration);
                AdmitRate { now, since, bin_area: 0.0, run_area: 0.0, min: now, horizon, windows: 0, above: 0 }
            },
        })
    }

    /// Move the clock to `now`; `g` is the state since the previous call,
    /// `queued` each cohort's people in line then. Closes every bin that
    /// ended on the way.
    #[inline]
    pub fn advance(&mut self, now: SimTime, g: &Gauges, queued: &[u64]) {
        self.watch_queue(g);
        while now >= self.bin_end && self.bins.len() < self.n_bins {
            self.accumulate(self.bin_end, g);
            self.close_bin(g, queued);
        }
        self.accumulate(now, g);
    }

    /// The next instant to sample the state at (`SimTime::MAX`: none left).
    /// The model passes it once its clock is beyond it, so that events at
    /// the very instant count as made by it.
    #[inline]
    pub fn next_instant(&self) -> SimTime {
        self.instants.last().copied().unwrap_or(SimTime::MAX)
    }

    /// The state at the next instant: the line and sessions of each cohort
    /// (`queue` and `active` the totals as the gauges count them) and the
    /// wait the room would show then; the counts so far are the recorder's.
    #[cold]
    pub fn pass_instant(&mut self, g: &Gauges, queued: &[u64], active: &[u64], shown_wait: Option<SimTime>) {
        if self.instants.pop().is_none() {
            return;
        }
        let cohorts = (self.cohorts.iter().zip(queued).zip(active))
            .map(|((c, &queued), &active)| CohortAt {
                queued,
                active,
                booked: c.counts.booked,
                attempts: c.counts.attempts(),
                gave_up: c.counts.gave_up,
            })
            .collect();
        self.at_instants.push(AtInstant { queue: g.queue_len, active: g.active, shown_wait, cohorts });
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

    fn close_bin(&mut self, g: &Gauges, queued: &[u64]) {
        for ((c, before), &q) in self.cohorts.iter().zip(&mut self.cohort_before).zip(queued) {
            let now = CohortBin::of(&c.counts, q);
            self.cohort_bins.push(now.since(before));
            *before = now;
        }
        let wait = QUANTILES.map(|q| self.current_wait.quantile_secs(q));
        let width = self.bin_width.0 as f64;
        let a = std::mem::take(&mut self.bin_areas);
        let start = self.bin_end - self.bin_width;
        self.rate.accumulate(self.bin_end);
        // The last bin may stretch past the horizon: its rate is averaged
        // over the part before it.
        let covered = (self.bin_end.min(self.rate.horizon).saturating_sub(start)).0.max(1) as f64;
        let admit_rate = self.rate.now.map(|_| std::mem::take(&mut self.rate.bin_area) / covered);
        self.bins.push(Bin {
            start,
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
            admit_rate,
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

    /// The admission rate is set to `per_minute` from now on (a controller;
    /// `advance` has brought the clock to now).
    pub fn admit_rate(&mut self, per_minute: f64) {
        self.rate.accumulate(self.last);
        self.rate.now = Some(per_minute);
        self.rate.min = Some(self.rate.min.map_or(per_minute, |m| m.min(per_minute)));
    }

    /// A controller measured a window: `above` its target or not.
    pub fn controller_window(&mut self, above: bool) {
        self.rate.windows += 1;
        self.rate.above += u64::from(above);
    }

    /// The night's counts so far a controller reads.
    pub fn tally(&self) -> super::Tally {
        self.cohorts.iter().map(|c| super::Tally::of(&c.counts)).sum()
    }

    /// An attempt by a person of `cohort` who first came at `first`.
    #[inline]
    pub fn attempt(&mut self, cohort: usize, retry: bool, first: SimTime) {
        let c = &mut self.cohorts[cohort].counts;
        if retry {
            self.current.retries += 1;
            c.retries += 1;
        } else {
            self.current.arrivals += 1;
            c.arrivals += 1;
        }
        self.by_arrival.attempt(cohort, first, !retry);
    }

    /// An attempt passed the waiting room after `wait` (`None`: there is no
    /// room): person `person` of `cohort` (their number within it, one for
    /// all their devices), who first came at `first`.
    pub fn admitted(&mut self, cohort: usize, wait: Option<SimTime>, person: u32, first: SimTime) {
        self.admissions.admitted(cohort, person, first, self.last);
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

    /// A person of `cohort` booked, `time_to_book` after their first
    /// attempt at `first`.
    pub fn booked(&mut self, cohort: usize, time_to_book: SimTime, first: SimTime) {
        self.by_arrival.booked(cohort, first, time_to_book);
        self.current.booked += 1;
        self.booked_so_far[cohort] += 1;
        let c = &mut self.cohorts[cohort];
        c.counts.booked += 1;
        c.time_to_book.record(time_to_book);
    }

    /// An attempt given up in the queue; `overdue`: once the shown wait
    /// had passed (`abandoned_overdue` too).
    pub fn abandoned(&mut self, cohort: usize, overdue: bool) {
        self.current.abandoned += 1;
        self.cohorts[cohort].counts.abandoned += 1;
        if overdue {
            self.current.abandoned_overdue += 1;
            self.cohorts[cohort].counts.abandoned_overdue += 1;
        }
    }

    pub fn dropped(&mut self, cohort: usize, cause: DropCause) {
        self.current.dropped[cause as usize] += 1;
        self.cohorts[cohort].counts.dropped[cause as usize] += 1;
    }

    pub fn turned_away(&mut self, cohort: usize) {
        self.current.turned_away += 1;
        self.cohorts[cohort].counts.turned_away += 1;
    }

    pub fn gave_up(&mut self, cohort: usize, first: SimTime) {
        self.by_arrival.gave_up(cohort, first);
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
    pub fn returned(&mut self, cohort: usize, first: SimTime) {
        self.by_arrival.returned(cohort, first);
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

    /// The first attempt of a person's device beyond their first (the
    /// person first came at `first`).
    pub fn device_arrival(&mut self, cohort: usize, first: SimTime) {
        self.by_arrival.attempt(cohort, first, false);
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
    pub fn finish(mut self, horizon: SimTime, g: &Gauges, queued: &[u64], events: u64) -> Result<Results, OutOfMemory> {
        self.advance(horizon, g, queued);
        // The last bin may stretch past the horizon; it is closed with the
        // area up to the horizon only.
        while self.bins.len() < self.n_bins {
            self.close_bin(g, queued);
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
            instants: self.at_instants,
            sold_out_at: self.sold_out_at,
            cohort_bins: self.cohort_bins,
            by_arrival: self.by_arrival.finish()?,
            overtaking: self.admissions.finish()?,
            events,
            admit_rate_mean: self.rate.now.map(|_| self.rate.run_area / span),
            admit_rate_min: self.rate.min,
            controller_above_target_share: (self.rate.windows > 0)
                .then(|| self.rate.above as f64 / self.rate.windows as f64),
        })
    }
}
