//! What one run of a scenario needs, estimated from its parameters
//! (`Size`): its people, the people in the system at once, its rows, the
//! attempts per person, its events, and its memory at the peak by what
//! grows (`RunMemory`), at the bytes per person the model states.

use super::{EVENTS_PER_ATTEMPT, KIB};
use crate::engine::fmt_bytes;
use crate::engine::SimTime;
use crate::model::{event_list_bytes, footprint, CURVE_BYTES_PER_POINT};
use crate::scenario::{Curve, Scenario};

/// A loaded scenario: its names, windows, distributions (a few KiB,
/// measured as 9 KiB a sweep point), plus per cohort and per curve point.
const SCENARIO_BYTES: f64 = 16.0 * KIB;
pub(super) const COHORT_BYTES: f64 = 2.0 * KIB;
const POINT_BYTES: f64 = 16.0;

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
    /// Every person of the run, admitted and booked: the order of first
    /// admissions and the waits by arrival bin (`stats::overtaking`,
    /// `stats::arrival`).
    pub fairness: Part,
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
    pub(super) fn live(&self) -> f64 {
        self.queued.bytes
            + self.loading.bytes
            + self.checking.bytes
            + self.devices.bytes
            + self.sessions.bytes
            + self.events.bytes
            + self.fairness.bytes
            + self.tables
            + self.curves
    }

    /// "up to 6000000 people queued x 112 B (641 MiB), ..." for messages.
    pub(super) fn describe(&self) -> String {
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
        out.push(part("people admitted and booked (fairness figures)", &self.fairness));
        out.push(format!("tables {}", fmt_bytes(self.tables)));
        if self.curves > 0.0 {
            out.push(format!("curves {}", fmt_bytes(self.curves)));
        }
        format!("up to {}", out.join(", "))
    }
}

/// People in all cohorts and those who may come back in catch-up rounds
/// (see `Size::people`).
fn people_of(s: &Scenario) -> u64 {
    let returning = |c: &crate::scenario::Cohort| -> u64 {
        c.catch_up.iter().map(|r| (r.probability * c.people as f64).ceil() as u64).fold(0, u64::saturating_add)
    };
    s.cohorts.iter().fold(0u64, |sum, c| sum.saturating_add(c.people).saturating_add(returning(c)))
}

/// What one run of `s` needs; see `check`.
pub fn size(s: &Scenario) -> Size {
    let people = people_of(s);
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
        if let Some(per_minute) = crate::model::Gate::set_per_minute(r) {
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
pub(super) fn curve_points(s: &Scenario) -> (f64, f64) {
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
    let (tables, results) = crate::stats::table_bytes(bins as usize, cohorts, cohorts * s.arrival_bins());
    // Every person of the run may be admitted and book: the order of first
    // admissions and the bookings' waits keep a few bytes of each.
    let everyone = people_of(s) as f64;
    let per_person =
        crate::stats::AdmissionOrder::BYTES_PER_PERSON + crate::stats::ArrivalTally::BYTES_PER_BOOKING as f64;
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
        fairness: Part { count: everyone, bytes: everyone * per_person },
        tables,
        curves: points * CURVE_BYTES_PER_POINT as f64,
        results,
        scenario: SCENARIO_BYTES + COHORT_BYTES * cohorts as f64 + POINT_BYTES * points,
    }
}
