//! Resource guards: how much a command asks of the machine, estimated from
//! the scenario and the sizes the model and the statistics state for their
//! structures (so this module sits above them, below the commands), before
//! anything runs, and refused above limits that a
//! laptop handles in well under an hour, unless the user says so
//! (`--allow-large`). A few limits hold even then: the model's own, and
//! the machine's physical memory.
//!
//! The estimates are upper bounds, deliberately simple: a planner who meets
//! one should be able to redo the arithmetic from the message.
//!
//! Memory is estimated from what grows (`RunMemory`). In one run: the
//! people in the system at once (`people_at_once`: crowds whose windows
//! overlap add up, a night's crowd drains before the next night's at the
//! slowest the model admits people; a ten-night rotation of 16 M people
//! was refused for 16 GiB, counting everyone queued at once, and took
//! 144 MiB), each in the
//! structure that holds them, at the bytes per person the model states
//! (`model::footprint`: a place in the line, a page load waiting, a
//! session, their spare capacity included); the events pending at once
//! (each person's live one, and every join's queue deadline, which stays
//! pending after its person was admitted) in the event list with its spare
//! capacity; the time-series rows and histograms; the arrival tables. For a
//! whole command: the runs that go at once (one per thread) each at its
//! peak, plus what every finished run keeps (its rows and figures; a sweep
//! keeps a summary) and, for replications, the combined time series while
//! the report is written. `check_command` picks the most threads that fit the limit, so
//! a command is refused only when one run at a time does not fit: the
//! refusal is the same on every machine.
//!
//! Time is told, not refused: runs after runs (a plan's, a sweep's,
//! replications) take what they take, and `Plan::seconds` estimates it
//! for a note before the work and the progress bar's ETA during it. Only
//! one run of more events than `MAX_EVENTS` is refused.

use crate::engine::fmt_bytes;
use crate::engine::SimTime;
use crate::model::{event_list_bytes, footprint, CURVE_BYTES_PER_POINT};
use crate::scenario::{bounds, Curve, Scenario, ScenarioError};

/// People (first attempts, all cohorts) a run may bring without
/// `--allow-large`: a guard on time and memory. The model's own limit,
/// which nothing lifts, is `bounds::MAX_PEOPLE`.
pub const SOFT_MAX_PEOPLE: u64 = 100_000_000;
/// Time-series rows per run.
pub const MAX_BINS: u64 = 1_000_000;
/// Events of one run (see `EVENTS_PER_SECOND` for the time): about 40
/// minutes of one core. Runs after runs are not capped (their time is told).
pub const MAX_EVENTS: f64 = 20e9;
/// Memory a command may take at its peak without `--allow-large` [bytes]:
/// 8 GiB, a third of the 24 GiB machines this is developed on and what a
/// planner's laptop can give one program. The 19 July replay's estimate is
/// about 3 GiB (it takes 152 MiB: the estimate assumes everyone in the
/// system at once); 10^8 people queued at a capacity of 1 need 9 GiB by it
/// (4.8 GiB measured at the peak of the ring's last doubling).
pub const MAX_MEMORY: f64 = 8.0 * GIB;

const GIB: f64 = (1u64 << 30) as f64;
const KIB: f64 = 1024.0;

/// Events an attempt makes at most, about: its arrival or retry, a page
/// load's end and its timeout, leaving the queue or an admission timer, a
/// session's end. The July 2021 replay makes 3.2 (65 M events, 20 M attempts).
const EVENTS_PER_ATTEMPT: f64 = 4.0;
/// A release build handles about 8 million events a second on one core
/// (the July 2021 replay: 65 M events in about 7 s, `scripts/bench.sh`);
/// for the time in messages.
const EVENTS_PER_SECOND: f64 = 8e6;

/// The process itself: code, libraries, the allocator's arenas, the main
/// thread (measured: 6-11 MiB resident for a tiny run).
const PROCESS_BYTES: f64 = 16.0 * KIB * KIB;
/// Each worker thread's stack and allocator arena, resident.
const THREAD_BYTES: f64 = 2.0 * KIB * KIB;
/// A loaded scenario: its names, windows, distributions (a few KiB,
/// measured as 9 KiB a sweep point), plus per cohort and per curve point.
const SCENARIO_BYTES: f64 = 16.0 * KIB;
const COHORT_BYTES: f64 = 2.0 * KIB;
const POINT_BYTES: f64 = 16.0;
/// A run's summary as JSON, as a sweep keeps one per run: measured 15 KiB
/// (the headline figures and the resolved scenario), plus per cohort and
/// per piecewise point of the resolved scenario.
const SUMMARY_BYTES: f64 = 24.0 * KIB;
const SUMMARY_POINT_BYTES: f64 = 512.0;
/// The charts' pixels and a cohort's rows, while the report is written.
const REPORT_BYTES: f64 = 32.0 * KIB * KIB;

/// What one run of a scenario needs, estimated from its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Size {
    /// People in all cohorts (saturating: an absurd file cannot overflow
    /// it), and those who may come back in catch-up rounds: a round's
    /// probability times its cohort's people (all of them, as if the rounds
    /// before had booked nobody), rounded up.
    pub people: u64,
    /// People who can be in the system at the same time, at most about
    /// (`people_at_once`): what memory follows. All of `people` when their
    /// windows overlap; one night's crowd, and what the nights before may
    /// have left, in a rotation of nights.
    pub at_once: f64,
    /// Time-series rows.
    pub bins: u64,
    /// Attempts per person at most: 1 + q + q² + ... up to `max_attempts`
    /// terms, q the chance that a failed attempt is followed by another
    /// (a retry, or a bounce to the back of the line; every attempt
    /// failing: the worst case).
    pub attempts_per_person: f64,
    /// Events, at most about.
    pub events: f64,
    /// Memory, at its peak.
    pub memory: RunMemory,
}

/// Something that grows in a run: how many at most, and their bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Part {
    pub count: f64,
    pub bytes: f64,
}

/// What one run holds at its peak, by what grows; upper bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct RunMemory {
    /// People waiting in the line at once.
    pub queued: Part,
    /// Page loads waiting for a front-tier slot at once.
    pub loading: Part,
    /// Identity checks waiting for a slot at once.
    pub checking: Part,
    /// People with several devices in the system at once (their shared state).
    pub devices: Part,
    /// Booking sessions at once.
    pub sessions: Part,
    /// Events pending at once, in the event list: each person's live one.
    pub events: Part,
    /// Beyond those, queue deadlines that outlive their person (admitted
    /// before the deadline): at most one per join. This is the part of the
    /// estimate that is loosest (it counts every join's deadline pending at
    /// once); the machine's memory is checked without it (see `check_command`).
    pub stale: Part,
    /// Time-series rows and histograms, while running [bytes].
    pub tables: f64,
    /// The arrival curves' tables [bytes].
    pub curves: f64,
    /// What a finished run keeps: its rows and figures [bytes].
    pub results: f64,
    /// The scenario itself, loaded (shared by its runs) [bytes].
    pub scenario: f64,
}

impl RunMemory {
    /// Bytes one run works with at its peak (the scenario aside).
    pub fn working(&self) -> f64 {
        self.live() + self.stale.bytes
    }

    /// `working`, without the stale deadlines.
    fn live(&self) -> f64 {
        self.queued.bytes
            + self.loading.bytes
            + self.checking.bytes
            + self.devices.bytes
            + self.sessions.bytes
            + self.events.bytes
            + self.tables
            + self.curves
    }

    /// "up to 6000000 people queued x 112 B (641 MiB), ..." for messages.
    fn describe(&self) -> String {
        let part = |what: &str, p: &Part| {
            let each = if p.count > 0.0 { p.bytes / p.count } else { 0.0 };
            format!("{:.0} {what} x {each:.0} B ({})", p.count, fmt_bytes(p.bytes))
        };
        let mut out = vec![part("people queued", &self.queued)];
        if self.loading.count > 0.0 {
            out.push(part("page loads waiting", &self.loading));
        }
        if self.checking.count > 0.0 {
            out.push(part("identity checks waiting", &self.checking));
        }
        if self.devices.count > 0.0 {
            out.push(part("people on several devices", &self.devices));
        }
        out.push(part("sessions", &self.sessions));
        out.push(part("pending events", &self.events));
        if self.stale.count > 0.0 {
            out.push(part("more queue deadlines outliving their person (one per join)", &self.stale));
        }
        out.push(format!("tables {}", fmt_bytes(self.tables)));
        if self.curves > 0.0 {
            out.push(format!("curves {}", fmt_bytes(self.curves)));
        }
        format!("up to {}", out.join(", "))
    }
}

/// What one run of `s` needs; see `check`.
pub fn size(s: &Scenario) -> Size {
    let returning = |c: &crate::scenario::Cohort| -> u64 {
        c.catch_up.iter().map(|r| (r.probability * c.people as f64).ceil() as u64).fold(0, u64::saturating_add)
    };
    let people = s.cohorts.iter().fold(0u64, |sum, c| sum.saturating_add(c.people).saturating_add(returning(c)));
    let bins = s.duration.0.div_ceil(s.bin.0.max(1));
    let attempts_per_person = attempts_per_person(s);
    let at_once = people_at_once(s, attempts_per_person).min(people as f64);
    let memory = run_memory(s, at_once, bins, attempts_per_person);
    let events = people as f64 * attempts_per_person * EVENTS_PER_ATTEMPT;
    Size { people, at_once, bins, attempts_per_person, events, memory }
}

/// The most people in the system at the same time, about: a fluid bound.
/// First attempts flow in by each curve (`inflows`), each person bringing
/// as many attempts as they may make, and the line drains at the slowest
/// the model admits them (`drain_per_second`), never while a tier is down;
/// the most work waiting at any moment, in attempts, bounds the people
/// waiting (each holds one at least). A night's crowd drains before the
/// next night's opens; crowds whose windows overlap add up. Without a rate
/// to drain at (nothing bounds it), every person counts.
fn people_at_once(s: &Scenario, attempts: f64) -> f64 {
    let total = s.cohorts.iter().fold(0.0, |sum, c| sum + c.people as f64);
    let drain = drain_per_second(s);
    if !(drain.is_finite() && drain > 0.0) {
        return f64::INFINITY;
    }
    let (lumps, rates) = inflows(s);
    // The moments anything changes: inflows start or end, tiers go down or up.
    let mut times: Vec<f64> = lumps.iter().map(|l| l.0).collect();
    times.extend(rates.iter().flat_map(|r| [r.0, r.1]));
    times.extend(s.faults.outages.iter().flat_map(|o| [secs(o.from), secs(o.to)]));
    times.sort_by(f64::total_cmp);
    times.dedup();
    let (mut waiting, mut most, mut lump) = (0.0f64, 0.0f64, 0usize);
    let mut lumps = lumps;
    lumps.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (k, &t) in times.iter().enumerate() {
        while lump < lumps.len() && lumps[lump].0 <= t {
            waiting += lumps[lump].1 * attempts;
            lump += 1;
        }
        most = most.max(waiting);
        let Some(&next) = times.get(k + 1) else { break };
        let mid = 0.5 * (t + next);
        let inflow: f64 = rates.iter().filter(|r| r.0 <= mid && mid < r.1).map(|r| r.2).sum::<f64>() * attempts;
        let down = s.faults.outages.iter().any(|o| secs(o.from) <= mid && mid < secs(o.to));
        let out = if down { 0.0 } else { drain };
        waiting = (waiting + (inflow - out) * (next - t)).max(0.0);
        most = most.max(waiting);
    }
    most.min(total)
}

fn secs(t: SimTime) -> f64 {
    t.as_secs_f64()
}

/// How first attempts flow in, upper envelopes of the curves: crowds that
/// come at once (time [s], people), and steady flows (from, to [s], people
/// a second). A surge's early birds come at once at their earliest; its
/// burst at its first rate for one time constant (all of it, sooner than
/// it comes); its rest and a constant curve spread over the window; a
/// piecewise or trace curve at the higher rate of each segment; a catch-up
/// round's crowd at once at its opening.
#[allow(clippy::type_complexity)]
fn inflows(s: &Scenario) -> (Vec<(f64, f64)>, Vec<(f64, f64, f64)>) {
    let (mut lumps, mut rates) = (Vec::new(), Vec::new());
    for c in &s.cohorts {
        let people = c.people as f64;
        match &c.arrivals {
            Curve::Piecewise { points } | Curve::Trace { points, .. } => {
                let volume = crate::scenario::volume(points);
                let scale = if volume > 0.0 { people / volume } else { 0.0 };
                for w in points.windows(2) {
                    let rate = w[0].rate.max(w[1].rate) / 60.0 * scale;
                    rates.push((secs(w[0].at), secs(w[1].at), rate));
                }
            }
            Curve::Constant | Curve::Surge { .. } => {
                for w in &c.windows {
                    let n = people * w.share;
                    let (o, close) = (secs(w.opens), secs(w.closes));
                    let span = (close - o).max(1e-6);
                    match &c.arrivals {
                        Curve::Surge { share, tau, early, early_share } => {
                            lumps.push(((o - secs(*early)).max(0.0), n * early_share));
                            let tau = secs(*tau).max(1e-6);
                            rates.push((o, o + tau, n * share / tau));
                            rates.push((o, close, n * (1.0 - share - early_share).max(0.0) / span));
                        }
                        _ => rates.push((o, close, n / span)),
                    }
                }
            }
        }
        for r in &c.catch_up {
            lumps.push((secs(r.opens), (r.probability * people).ceil()));
        }
    }
    (lumps, rates)
}

/// The slowest the model admits people [attempts per second], over its
/// schedule: the fewest sessions (or places the room lets in) over the
/// longest mean session of anyone, the room's admissions per minute, the
/// fewest identity checks over their mean, the fewest page loads over
/// theirs. Zero when nothing bounds it below.
fn drain_per_second(s: &Scenario) -> f64 {
    let fewest = |first: u64, schedule: &[crate::scenario::Change]| {
        schedule.iter().map(|c| c.value).fold(first, u64::min) as f64
    };
    let longest_session = s.all_clients().map(|c| c.session.mean_secs()).fold(0.0, f64::max);
    let mut sessions = fewest(s.backend.max_sessions, &s.backend.schedule);
    let mut rate = f64::INFINITY;
    if let Some(r) = &s.waiting_room {
        sessions = sessions.min(r.max_active as f64);
        if let Some(per_minute) = r.admit_per_minute {
            rate = rate.min(per_minute / 60.0);
        }
    }
    if longest_session > 0.0 {
        rate = rate.min(sessions / longest_session);
    }
    if let Some(i) = &s.identity {
        let mean = i.service.mean_secs();
        if mean > 0.0 {
            rate = rate.min(fewest(i.capacity, &i.schedule) / mean);
        }
    }
    if let Some(f) = &s.front {
        let mean = f.service.mean_secs();
        if mean > 0.0 {
            rate = rate.min(fewest(f.capacity, &f.schedule) / mean);
        }
    }
    if rate.is_finite() {
        rate
    } else {
        0.0
    }
}

/// The most of any behaviour in the scenario (`[clients]`'s, or a cohort's
/// own), times the devices a person brings on average: each device makes
/// its own attempts (the fuzzer found the guard counting one).
fn attempts_per_person(s: &Scenario) -> f64 {
    let bounce = s.waiting_room.as_ref().map_or(0.0, |r| r.bounce_probability.clamp(0.0, 1.0));
    let of = |retry: &crate::scenario::Retry| {
        let q = 1.0 - (1.0 - retry.probability.clamp(0.0, 1.0)) * (1.0 - bounce);
        let m = f64::from(retry.max_attempts.max(1));
        if q >= 1.0 {
            m
        } else {
            (1.0 - q.powf(m)) / (1.0 - q)
        }
    };
    s.all_clients().map(|c| of(&c.retry)).fold(1.0, f64::max) * s.clients.devices.mean().max(1.0)
}

/// The points of the piecewise and trace curves.
fn curve_points(s: &Scenario) -> (f64, f64) {
    let (mut piecewise, mut trace) = (0usize, 0usize);
    for c in &s.cohorts {
        match &c.arrivals {
            Curve::Piecewise { points } => piecewise += points.len(),
            Curve::Trace { points, .. } => trace += points.len(),
            _ => {}
        }
    }
    (piecewise as f64, trace as f64)
}

/// The most events pending at once. A person in the system holds at most
/// one event of their own: a retry; a queue deadline (with patience or
/// connection loss); a page load in service ending or timing out (at most
/// one per front slot); a session's end (at most one per session slot). On
/// top: with wasted work, a slot's page load for nobody (one per slot);
/// sessions an outage ended, whose ends stay pending; the timeline. And
/// beyond those, queue deadlines that stay pending after their person was
/// admitted, at most one per join. (live, stale).
fn pending_events(s: &Scenario, people: f64, queued: f64, attempts: f64) -> (f64, f64) {
    let joins = people * attempts;
    let retrying = if s.all_clients().any(|c| c.retry.probability > 0.0) { people } else { 0.0 };
    let patient = s.all_clients().any(|c| c.patience.is_some());
    let leaving = s.waiting_room.as_ref().filter(|r| patient || r.connection_loss.iter().any(|span| span.value > 0.0));
    let (deadlines, stale) = if leaving.is_some() { (queued, (joins - queued).max(0.0)) } else { (0.0, 0.0) };
    let slots = s.front.as_ref().map_or(0.0, |f| f.schedule.iter().map(|c| c.value).fold(f.capacity, u64::max) as f64);
    // An identity check in service holds one event (its end or timeout).
    let checks =
        s.identity.as_ref().map_or(0.0, |i| i.schedule.iter().map(|c| c.value).fold(i.capacity, u64::max) as f64);
    let sessions = most_sessions(s);
    let own = people.min(retrying + deadlines + slots + checks + sessions);
    let wasted = if s.front.as_ref().is_some_and(|f| f.wasted_work) { slots.min(joins) } else { 0.0 };
    let outages = s.faults.outages.iter().filter(|o| o.tier == crate::scenario::Tier::Backend).count() as f64;
    let ended = (sessions * outages).min(joins);
    let identity_schedule = s.identity.as_ref().map_or(0, |i| i.schedule.len());
    let timeline = 2.0 * s.faults.outages.len() as f64 + (s.backend.schedule.len() + identity_schedule) as f64 + 8.0;
    (own + wasted + ended + timeline, stale)
}

/// The most booking sessions at once (the largest capacity scheduled).
fn most_sessions(s: &Scenario) -> f64 {
    s.backend.schedule.iter().map(|c| c.value).fold(s.backend.max_sessions, u64::max) as f64
}

/// The devices `people` people bring, at most but for a chance below one
/// in a million: the mean and five standard deviations of their sum (each
/// person's count is drawn on its own), never more than all on the most.
/// The most alone would double a guard that must not refuse the night.
fn devices_of(s: &Scenario, people: f64) -> f64 {
    let d = &s.clients.devices;
    let mean = d.mean();
    let var: f64 = d.values.iter().zip(&d.weights).map(|(v, w)| w * (f64::from(*v) - mean).powi(2)).sum();
    (people * mean + 5.0 * (people * var).sqrt()).min(people * f64::from(d.max()))
}

/// Memory follows the people in the system (`people`, those who can be
/// in at once), and with several devices per person each device holds its
/// own place in the line, its own page load and check and its own events:
/// the structures are sized for the devices (`devices_of`), and the
/// devices' shared state for every person. A queue deadline outlives its
/// person by a patience, so those of a crowd gone long before are left
/// out with it.
fn run_memory(s: &Scenario, people: f64, bins: u64, attempts: f64) -> RunMemory {
    let order = s.waiting_room.as_ref().map_or(crate::scenario::Order::Fifo, |r| r.order);
    let bytes = footprint(order);
    let part = |count: f64, each: usize| Part { count, bytes: count * each as f64 };
    let most_devices = f64::from(s.clients.devices.max());
    let devices = devices_of(s, people);
    let queued =
        s.waiting_room
            .as_ref()
            .map_or(0.0, |r| if r.max_queue > 0 { devices.min(r.max_queue as f64) } else { devices });
    let loading = if s.front.is_some() { devices } else { 0.0 };
    let checking = if s.identity.is_some() { devices } else { 0.0 };
    let shared = if most_devices > 1.0 { people } else { 0.0 };
    let (pending, stale) = pending_events(s, devices, queued, attempts);
    let list = |n: f64| event_list_bytes(n, s.duration);
    let cohorts = s.cohorts.len();
    let (tables, results) = crate::stats::table_bytes(bins as usize, cohorts);
    let (piecewise, trace) = curve_points(s);
    let points = piecewise + trace;
    RunMemory {
        queued: part(queued, bytes.queued),
        loading: part(loading, bytes.loading),
        checking: part(checking, bytes.loading),
        devices: part(shared, bytes.devices),
        sessions: part(people.min(most_sessions(s)), bytes.session),
        events: Part { count: pending, bytes: list(pending) },
        stale: Part { count: stale, bytes: list(pending + stale) - list(pending) },
        tables,
        curves: points * CURVE_BYTES_PER_POINT as f64,
        results,
        scenario: SCENARIO_BYTES + COHORT_BYTES * cohorts as f64 + POINT_BYTES * points,
    }
}

/// What a command keeps of each finished run, besides the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keeps {
    /// `run` (one run) and `compare`: each run's results.
    Results,
    /// `run -r`: each replication's figures, and while the report is
    /// written, the combined time series.
    Replications,
    /// `sweep`: each run's summary as JSON.
    Summaries,
}

/// How a command may run: the runs at once that fit, and its peak then.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Runs at once (threads); at least 1.
    pub threads: usize,
    /// Memory at the peak with `threads` runs at once [bytes].
    pub memory: f64,
    /// Computing time at most, about [s]: every run's events at the rate
    /// of one core, over the threads (an attempt failing every time, the
    /// worst case; a plan's every run, though it stops when it knows).
    pub seconds: f64,
    /// Runs the command makes at most.
    pub runs: u64,
}

/// Computing time worth telling before it starts [s].
const TELL_AFTER: f64 = 60.0;

impl Plan {
    /// "up to about 20 min of computing (200 runs at most, 2 at once)",
    /// when it is worth saying before the work starts; the progress bar's
    /// ETA tells the rest.
    pub fn time_note(&self) -> Option<String> {
        (self.seconds >= TELL_AFTER).then(|| {
            let runs = if self.runs > 1 {
                format!(" ({} runs at most, {} at once)", self.runs, self.threads)
            } else {
                String::new()
            };
            format!(
                "up to about {} of computing{runs}, estimated; the progress bar's ETA tells as it goes",
                hours(self.seconds)
            )
        })
    }
}

/// The memory of a command at its peak, with `threads` runs at once.
struct CommandMemory {
    /// The largest run's working memory.
    largest: RunMemory,
    /// Kept by all finished runs, plus the scenarios [bytes].
    kept: f64,
    /// Held while the report is combined, besides `kept` [bytes].
    report: f64,
}

impl CommandMemory {
    fn of(runs: &[(&Scenario, u64, Size)], keeps: Keeps) -> CommandMemory {
        let mut largest = runs[0].2.memory.clone();
        let (mut kept, mut report) = (0.0, REPORT_BYTES);
        for (s, n, size) in runs {
            let n = *n as f64;
            let m = &size.memory;
            if m.working() > largest.working() {
                largest = m.clone();
            }
            kept += m.scenario;
            kept += n * match keeps {
                Keeps::Results | Keeps::Replications => m.results,
                Keeps::Summaries => SUMMARY_BYTES + COHORT_BYTES * s.cohorts.len() as f64,
            };
            if keeps == Keeps::Summaries {
                kept += n * SUMMARY_POINT_BYTES * curve_points(s).0;
            }
            if keeps == Keeps::Replications && n > 1.0 {
                report += size.bins as f64 * crate::stats::combined_row_bytes() as f64;
            }
        }
        CommandMemory { largest, kept, report }
    }

    /// The peak with `threads` runs at once.
    fn at(&self, threads: usize) -> f64 {
        self.peak(threads, self.largest.working())
    }

    /// The peak of one run at a time without the stale deadlines.
    fn live(&self) -> f64 {
        self.peak(1, self.largest.live())
    }

    fn peak(&self, threads: usize, per_run: f64) -> f64 {
        let running = threads as f64 * (per_run + THREAD_BYTES);
        PROCESS_BYTES + self.kept + running.max(self.report)
    }
}

/// Refuse a scenario whose `runs` runs (replications) would pass the limits
/// above, with the figures it would need; with `allow_large`, only the
/// model's own limits and the machine's memory apply. One run at a time.
pub fn check(s: &Scenario, runs: u64, allow_large: bool) -> Result<Size, ScenarioError> {
    let keeps = if runs > 1 { Keeps::Replications } else { Keeps::Results };
    check_command(&[(s, runs)], keeps, 1, allow_large)?;
    Ok(size(s))
}

/// Check a whole command: `runs` lists each scenario with the runs the
/// command makes of it (a sweep's points are scenarios of their own), at
/// most `threads` at once. The plan has the most threads that fit.
pub fn check_command(
    runs: &[(&Scenario, u64)],
    keeps: Keeps,
    threads: usize,
    allow_large: bool,
) -> Result<Plan, ScenarioError> {
    if runs.is_empty() {
        return Ok(Plan { threads: 1, memory: PROCESS_BYTES, seconds: 0.0, runs: 0 });
    }
    let sized: Vec<(&Scenario, u64, Size)> = runs.iter().map(|(s, n)| (*s, (*n).max(1), size(s))).collect();
    let name = command_name(runs);
    let too_large = |reasons, can_allow| ScenarioError::TooLarge { name: name.clone(), reasons, can_allow };
    let memory = CommandMemory::of(&sized, keeps);
    let physical = physical_memory();
    let hard = hard_reasons(&sized, &memory, physical);
    if !hard.is_empty() {
        return Err(too_large(hard, false));
    }
    if !allow_large {
        let soft = soft_reasons(&sized, &memory);
        if !soft.is_empty() {
            return Err(too_large(soft, true));
        }
    }
    let limit = match (allow_large, physical) {
        (true, Some(p)) => p,
        (true, None) => f64::INFINITY,
        (false, p) => p.map_or(MAX_MEMORY, |p| p.min(MAX_MEMORY)),
    };
    let jobs: u64 = sized.iter().map(|(_, n, _)| n).sum();
    let most = threads.max(1).min(usize::try_from(jobs).unwrap_or(usize::MAX)).max(1);
    let threads = (1..=most).rev().find(|&t| memory.at(t) <= limit).unwrap_or(1);
    let events: f64 = sized.iter().map(|(_, n, size)| size.events * *n as f64).sum();
    let seconds = events / EVENTS_PER_SECOND / threads as f64;
    Ok(Plan { threads, memory: memory.at(threads), seconds, runs: jobs })
}

/// What one run of `s` needs, in a line for `validate`, when it is worth
/// telling (a minute of computing, or a GiB at the peak): "about 1.7 GiB
/// at the peak (up to 1620000 of 16200000 people in the system at once),
/// up to about 2.3 billion events (5 min of computing)".
pub fn worth_telling(s: &Scenario) -> Option<String> {
    let plan = check_command(&[(s, 1)], Keeps::Results, 1, true).ok()?;
    let size = size(s);
    if plan.seconds < TELL_AFTER && plan.memory < GIB {
        return None;
    }
    Some(format!(
        "about {} at the peak (up to {:.0} of {} people in the system at once), up to about {} events ({} of computing)",
        fmt_bytes(plan.memory),
        size.at_once,
        size.people,
        billions(size.events),
        hours(plan.seconds),
    ))
}

/// The name a refusal goes by: the scenario's, or each of them.
fn command_name(runs: &[(&Scenario, u64)]) -> String {
    let mut names: Vec<&str> = runs.iter().map(|(s, _)| s.name.as_str()).collect();
    names.dedup();
    names.join("' + '")
}

/// The model's own limits, and the machine's memory.
fn hard_reasons(runs: &[(&Scenario, u64, Size)], memory: &CommandMemory, physical: Option<f64>) -> Vec<String> {
    let mut hard = Vec::new();
    if let Some((_, _, size)) = runs.iter().find(|(_, _, size)| size.people > bounds::MAX_PEOPLE) {
        hard.push(format!("people: {} in total, above the model's limit of {}", size.people, bounds::MAX_PEOPLE));
    }
    // A cohort's numbers: its people, and those of each catch-up round's
    // crowd, numbered after them (at most the cohort again per round).
    let numbers = |c: &crate::scenario::Cohort| c.people.saturating_mul(c.catch_up.len() as u64 + 1);
    let numbered = |s: &Scenario| {
        s.clients.devices.max() > 1 && s.cohorts.iter().any(|c| numbers(c) > bounds::MAX_PEOPLE_ON_DEVICES)
    };
    if runs.iter().any(|(s, _, _)| numbered(s)) {
        hard.push(format!(
            "people: a cohort numbering more than {} (its people, and as many again per catch-up round) on several devices each, above the model's limit (a device is numbered with its person)",
            bounds::MAX_PEOPLE_ON_DEVICES
        ));
    }
    // Without the stale deadlines, the loosest part of the estimate: a run
    // that may fit is not refused for good.
    if let Some(p) = physical.filter(|&p| memory.live() > p) {
        hard.push(memory_reason(memory, &format!("this machine's memory ({})", fmt_bytes(p))));
    }
    hard
}

/// The limits `--allow-large` lifts.
fn soft_reasons(runs: &[(&Scenario, u64, Size)], memory: &CommandMemory) -> Vec<String> {
    let mut soft = Vec::new();
    if let Some((_, _, size)) = runs.iter().find(|(_, _, size)| size.people > SOFT_MAX_PEOPLE) {
        soft.push(format!("people: {} in total, above the limit of {SOFT_MAX_PEOPLE}", size.people));
    }
    if let Some((s, _, size)) = runs.iter().find(|(_, _, size)| size.bins > MAX_BINS) {
        soft.push(format!(
            "bins: {} time-series rows ({} / {}), above the limit of {MAX_BINS}; a wider scenario.bin needs fewer",
            size.bins, s.duration, s.bin
        ));
    }
    // Runs after runs are time, told as an estimate (`Plan::seconds`), not
    // a reason to refuse; one run of more events than this is refused.
    if let Some((_, _, size)) = runs.iter().find(|(_, _, size)| size.events > MAX_EVENTS) {
        soft.push(events_reason(size));
    }
    if memory.at(1) > MAX_MEMORY {
        soft.push(memory_reason(memory, &fmt_bytes(MAX_MEMORY)));
    }
    soft
}

fn events_reason(size: &Size) -> String {
    format!(
        "events: about {} in one run ({} people x up to {:.1} attempts x {EVENTS_PER_ATTEMPT} events), \
         above the limit of {}; that is about {} of computing at {} million events a second",
        billions(size.events),
        size.people,
        size.attempts_per_person,
        billions(MAX_EVENTS),
        hours(size.events / EVENTS_PER_SECOND),
        EVENTS_PER_SECOND / 1e6,
    )
}

/// "memory: about 9.6 GiB at the peak, one run at a time, above the limit
/// of 8.0 GiB: up to ... (per run); results kept ..."
fn memory_reason(m: &CommandMemory, limit: &str) -> String {
    let mut kept = format!("kept results and scenarios {}", fmt_bytes(m.kept));
    if m.report > REPORT_BYTES {
        kept.push_str(&format!(", rows combined for the report {}", fmt_bytes(m.report)));
    }
    format!(
        "memory: about {} at the peak, one run at a time, above the limit of {limit}: {} (per run {}); {kept}",
        fmt_bytes(m.at(1)),
        m.largest.describe(),
        fmt_bytes(m.largest.working()),
    )
}

/// The machine's physical memory [bytes], where it can be read (Linux).
pub fn physical_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * KIB)
}

/// `2.5e10` -> "25.0 billion"; smaller counts as they are.
fn billions(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.1} billion", n / 1e9)
    } else {
        format!("{:.0} million", n / 1e6)
    }
}

/// Seconds as "20 s", "40 min" or "3.2 hours".
fn hours(secs: f64) -> String {
    if secs < 90.0 {
        format!("{secs:.0} s")
    } else if secs < 5400.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} hours", secs / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn scenario(extra: &[&str]) -> Scenario {
        let text = "[scenario]\nname = \"t\"\nduration = \"1h\"\n[[cohort]]\nname = \"a\"\npeople = 1000\n[backend]\nmax_sessions = 10\n";
        let sets: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        crate::scenario::load_str(text, Path::new("t.toml"), Path::new("."), &sets).expect("valid")
    }

    #[test]
    fn small_scenarios_pass_and_report_their_size() {
        let size = check(&scenario(&[]), 1, false).expect("small");
        assert_eq!((size.people, size.bins), (1000, 60));
        assert_eq!(size.attempts_per_person, 1.0, "no retries by default");
    }

    /// Catch-up rounds and a cohort's own retries count in the guard: a
    /// round at its probability of the cohort, a cohort's retry policy at
    /// its most.
    #[test]
    fn catch_up_crowds_and_a_cohorts_retries_count() {
        let windows = "cohort.a.windows=[{ opens = \"0m\", closes = \"10m\" }]";
        let rounds = "cohort.a.catch_up=[{ opens = \"20m\", closes = \"30m\", probability = 0.5 }, { opens = \"40m\", closes = \"50m\", probability = 0.25 }]";
        assert_eq!(size(&scenario(&[windows, rounds])).people, 1000 + 500 + 250);
        let own = size(&scenario(&["cohort.a.clients.retry={ probability = 1.0, max_attempts = 7 }"]));
        assert_eq!(own.attempts_per_person, 7.0);
    }

    #[test]
    fn each_limit_names_its_figure() {
        let too_large = |sets: &[&str], runs: u64| match check(&scenario(sets), runs, false) {
            Err(e @ ScenarioError::TooLarge { can_allow: true, .. }) => e.to_string(),
            other => panic!("expected too large, got {other:?}"),
        };
        assert!(too_large(&["cohort.0.people=150000000"], 1).contains("people: 150000000 in total"));
        let bins = too_large(&["scenario.bin=1ms", "scenario.duration=2h"], 1);
        assert!(bins.contains("bins: 7200000 time-series rows"), "{bins}");
        let retries = ["cohort.0.people=90000000", "clients.retry.probability=1", "clients.retry.max_attempts=100"];
        let events = too_large(&retries, 1);
        assert!(events.contains("events: about 36.0 billion"), "{events}");
        assert!(events.contains("about 75 min of computing at 8 million events a second"), "{events}");
        assert!(events.contains("Pass --allow-large"), "{events}");
    }

    /// Runs after runs are time, not a reason to refuse: a thousand runs of
    /// ten million people pass, with the time told (the guard refused
    /// them, and `plan`'s plain question of 200 runs at most with them).
    #[test]
    fn many_runs_are_time_told_not_refused() {
        let s = scenario(&["cohort.0.people=10000000"]);
        let plan = check_command(&[(&s, 1000)], Keeps::Summaries, 2, false).expect("not refused");
        assert_eq!(plan.runs, 1000);
        let note = plan.time_note().expect("worth telling");
        assert!(note.starts_with("up to about ") && note.contains("(1000 runs at most, "), "{note}");
        let one = check_command(&[(&scenario(&[]), 1)], Keeps::Results, 1, false).expect("small");
        assert_eq!(one.time_note(), None, "a blink is not worth a note");
    }

    /// Runs go at once only as many as fit: the refusal does not depend on
    /// the machine's threads, the parallelism does.
    #[test]
    fn threads_are_chosen_to_fit_the_limit() {
        // About 1 GiB a run (10 M people queued at 112 bytes).
        let big = scenario(&["cohort.0.people=10000000", "waiting_room.max_active=1"]);
        let per_run = size(&big).memory.working();
        assert!(per_run > 0.8 * GIB && per_run < 1.1 * GIB, "{per_run}");
        let plan = check_command(&[(&big, 64)], Keeps::Replications, 64, false).expect("one at a time fits");
        assert!(plan.threads >= 2 && plan.threads <= 8, "{plan:?}");
        assert!(plan.memory <= MAX_MEMORY, "{plan:?}");
        assert_eq!(check_command(&[(&big, 64)], Keeps::Replications, 1, false).map(|p| p.threads).ok(), Some(1));
        // Never more threads than runs.
        assert_eq!(check_command(&[(&big, 1)], Keeps::Results, 64, false).map(|p| p.threads).ok(), Some(1));
    }

    /// Each person holds one event of their own at most; deadlines of people
    /// admitted are counted apart, one per join.
    #[test]
    fn pending_events_count_people_once_and_joins_for_stale_deadlines() {
        let sets = [
            "cohort.0.people=1000",
            "clients.retry.probability=0.5",
            "clients.retry.max_attempts=3",
            "waiting_room.max_active=10",
        ];
        let plain = size(&scenario(&sets)).memory;
        assert!(plain.events.count >= 1000.0 && plain.events.count < 1100.0, "{:?}", plain.events);
        assert_eq!(plain.stale.count, 0.0, "no deadlines without patience or connection loss");
        let patient = scenario(&[&sets[..], &["clients.patience={ dist = \"exponential\", mean = \"1h\" }"]].concat());
        let m = size(&patient).memory;
        // 1 + 0.5 + 0.25 attempts a person: 1,750 joins, 1,000 of them live.
        assert_eq!(m.stale.count, 750.0, "{:?}", m.stale);
    }

    #[test]
    fn allow_large_lifts_all_but_the_model_limits() {
        assert!(check(&scenario(&["cohort.0.people=150000000"]), 1, true).is_ok());
        let absurd = scenario(&[]).scaled(1e7);
        match check(&absurd, 1, true) {
            Err(e @ ScenarioError::TooLarge { can_allow: false, .. }) => {
                assert!(
                    e.to_string().contains("model's limit") && e.to_string().contains("Not even with --allow-large")
                )
            }
            other => panic!("expected the hard limit, got {other:?}"),
        }
    }
}
