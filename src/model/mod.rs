//! The model of the booking site. An attempt goes
//!
//! ```text
//! front tier (page load) -> waiting room (queue, admission) -> backend
//!   (eligibility check, booking session, slot inventory)
//! ```
//!
//! and may fail at each step; a failed person retries or gives up. An
//! optional identity check (`identity`) sits before the waiting room or at
//! the start of the booking session; a person may use several devices at
//! once (`devices`), each making attempts of its own. The
//! model owns the event type and the handlers; the engine only orders
//! events and `stats` only counts. It knows nothing of files or charts.
//!
//! Memory follows the people *in the system*: a queued person is one place
//! in the line, a session one slab slot, a pending page load, retry or
//! deadline one event; people who have left leave nothing behind. First
//! attempts are drawn in order from their streams (`demand`) and meet the
//! event queue in the main loop, without passing through it; so do the
//! three wake-ups that are one at a time (`timers`).
//!
//! This file is the event loop and the wiring (the event type, the state,
//! building a run); each stage handles its events in a file of its own:
//!
//! | stage | file | its own type |
//! | --- | --- | --- |
//! | first attempts, catch-up rounds | `demand` | `Arrivals` |
//! | front page | `front_page` | `servers::Servers` |
//! | identity check | `identity` | `servers::Servers` |
//! | waiting room | `waiting_room` | `line::Line`, `gate::Gate` |
//! | backend | `backend` | |
//! | throughput cap | `throughput` | `Throughput` |
//! | inventory | `inventory` | `Inventory` |
//! | several devices | `devices` | `Devices` |
//! | retries | `retry` | |
//! | set times | `timeline` | `Change` |
//! | admission controller | `controller` | `Controller` |
//! | wake-ups beside the event list | `timers` | `Timers` |
//!
//! The gate is the one owner of admission (rate, max active, hold in
//! outages, opening): whatever asks how fast the room admits asks it.

mod backend;
mod controller;
mod demand;
mod devices;
mod footprint;
mod front_page;
mod gate;
mod identity;
mod inventory;
mod line;
mod person;
mod retry;
mod servers;
mod shown;
mod slab;
mod streams;
mod throughput;
mod timeline;
mod timers;
mod waiting_room;

pub use footprint::{event_list_bytes, footprint, Footprint, CURVE_BYTES_PER_POINT};
pub use gate::Gate;

use crate::engine::{CalendarQueue, FutureEvents, HeapQueue, OutOfMemory, RadixQueue, SimTime};
use crate::scenario::{Clients, Dist, Scenario};
use crate::stats::{DropCause, Gauges, Recorder, Results};
use demand::{streams_for, Arrivals};

use inventory::Inventory;
use line::{Line, Ticket};
use person::{Person, Stored};
use servers::Servers;
use shown::Shown;
use slab::{Key, Slab};
use streams::{Purpose, Streams};
use timeline::{timeline, Change};
use timers::{Timer, Timers};

/// 16 bytes: a 4-byte tag, then each variant's fields in the order
/// written (`repr(u32)` lays variants out like `repr(C)` structs, so a
/// 4-byte field goes before an 8-byte one), the 8-byte words aligned.
#[derive(Clone, Copy, Debug)]
#[repr(u32)]
enum Event {
    /// A person comes back after a failure.
    Retry { person: Stored },
    /// A front-tier slot finishes a page load.
    FrontDone { person: Stored },
    /// A front-tier slot finishes a page load nobody waits for (wasted
    /// work). Apart from `FrontDone`, not an `Option` in it: that would
    /// take the event from 16 bytes to 24.
    FrontDoneDead,
    /// A client gives up on a page load in service; the server works on.
    FrontTimeout { person: Stored },
    /// A client gives up on a page load in service, and the server stops
    /// work on it (no wasted work): the slot is free.
    FrontTimeoutFrees { person: Stored },
    /// A queued person's patience runs out, their connection drops, or
    /// they give up once the shown wait has passed.
    LeaveQueue { why: Leave, ticket: Ticket },
    /// A booking session ends (stale if an outage ended it first).
    SessionEnd { key: Key },
    /// Entry `index` of the timeline (capacity changes, outages, opening).
    Timeline { index: u32 },
    /// An identity check finishes.
    IdentityDone { person: Stored },
    /// A client gives up on an identity check in service (the slot is free:
    /// the check is abandoned with its client).
    IdentityTimeout { person: Stored },
}

/// Why a queued person leaves the line (`Event::LeaveQueue`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Leave {
    /// Their patience ran out (`abandoned`).
    Patience,
    /// Their connection dropped (`queue_lost`).
    Lost,
    /// The shown wait had passed (`abandoned`, and `abandoned_overdue`).
    Overdue,
}

/// The front tier's dead page loads (wasted work) in service. With
/// exponential service they are drawn in aggregate, one wake-up for the
/// next to end (`front_page`); with any other, one event each.
struct DeadLoads {
    /// Whether they are drawn in aggregate.
    together: bool,
    /// In service, when drawn together.
    serving: u64,
}

/// What the main loop handles next.
enum Next {
    Event(Event),
    WakeUp(Timer),
    FirstAttempt,
}

/// What is still in the system, per cohort, counted by the model's own
/// state (not by the statistics), so conservation can be checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InSystem {
    /// Page loads in the front tier with a client waiting.
    pub loading: Vec<u64>,
    pub queued: Vec<u64>,
    pub active: Vec<u64>,
    pub retrying: Vec<u64>,
    /// In the identity check (waiting for a slot or being checked).
    pub checking: Vec<u64>,
    /// Devices in the counts above beyond one per person still in the
    /// system (people with several devices; a booked person's devices).
    pub extra_devices: Vec<u64>,
    /// The most of each cohort in the line at once over the run (a check
    /// before the queue keeps ineligible visitors' at 0).
    pub peak_queued: Vec<u64>,
    /// The most devices of one person in the line at once, counted when a
    /// device joins a line its person's lock has been taken for (the lock
    /// before the queue keeps it at 1 while it holds).
    pub peak_devices_queued_locked: u64,
}

impl InSystem {
    /// People still in the system (not booked, not gone for good).
    pub fn total(&self, cohort: usize) -> u64 {
        self.devices(cohort) - self.extra_devices[cohort]
    }

    /// Devices still in the system (one per person without devices).
    pub fn devices(&self, cohort: usize) -> u64 {
        self.loading[cohort] + self.queued[cohort] + self.active[cohort] + self.retrying[cohort] + self.checking[cohort]
    }
}

/// The outcome of one run.
pub struct Outcome {
    pub results: Results,
    pub in_system: InSystem,
}

struct Model<'s, Q> {
    s: &'s Scenario,
    /// How each cohort's people behave (`[clients]`, or the cohort's own),
    /// by cohort index: one load, whether or not any cohort has its own.
    clients: Box<[&'s Clients]>,
    streams: Streams,
    events: Q,
    /// The wake-ups kept beside the event list (`timers`).
    timers: Timers,
    now: SimTime,
    /// First attempts, in time order (not in `events`).
    arrivals: Arrivals,
    /// Per cohort, the number of the next person to come back in a
    /// catch-up round: after the cohort's people and those of the rounds
    /// before (see `streams`).
    next_returning: Vec<u64>,
    timeline: Vec<(SimTime, Change)>,
    front: Option<Servers<Stored>>,
    /// The front tier's dead page loads in service, when drawn in aggregate.
    dead_loads: DeadLoads,
    /// Front-tier slots an average waiting person's polls keep busy.
    poll_slots_per_waiting: f64,
    line: Line<Stored>,
    /// Whether and how fast the room admits (its one owner).
    gate: Gate,
    /// The controller that sets the gate's rate, if the room has one.
    controller: Option<Box<controller::Controller>>,
    sessions: Slab<Stored>,
    max_sessions: u64,
    /// The throughput cap and the sessions waiting for a token, if capped.
    throughput: Option<throughput::Throughput>,
    backend_down: bool,
    /// Slots left (shared and each cohort's) and who is sold out.
    inventory: Inventory,
    /// The wait shown to people joining the line, if the room shows one.
    shown: Option<Shown>,
    /// The identity check's slots and the checks waiting for one.
    identity: Option<Servers<Stored>>,
    /// Sessions held by admitted people while their identity is checked
    /// (placement at_booking): they count against the session limits.
    pending_sessions: u64,
    /// People with several devices, while one of them is in the system.
    devices: devices::Devices,
    in_system: InSystem,
    stats: Recorder,
    /// Events handled so far (`Results::events`): every event taken from
    /// the list, every first attempt, every bounce back to the line.
    handled: u64,
    /// Set when a structure of the model could not grow: the run stops.
    out_of_memory: Option<OutOfMemory>,
    /// The loop ends at the first event at or after this: the horizon, or
    /// now once a structure could not grow.
    stop_at: SimTime,
    /// Told the simulated clock every 65,536 events (a progress bar).
    tick: &'s (dyn Fn(SimTime) + Sync),
}

/// Which future-event list to run on. All give the same results (the order
/// of events is fixed by (time, seq)); they differ in speed and memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum QueueKind {
    Heap,
    /// The default: fastest on the July 2021 replays (see "Speed" in docs/design.md).
    #[default]
    Radix,
    Calendar,
}

/// Simulate replication `replication` of `scenario` (on the default queue),
/// for tests and benchmarks: panics if the machine runs out of memory
/// (the commands use `try_simulate`, which says so instead).
///
/// One night of a small scenario, and its totals; a replication is a fixed
/// set of random streams, so the same replication gives the same night:
///
/// ```
/// let text = r#"
///     [scenario]
///     name = "tiny"
///     duration = "2h"
///
///     [[cohort]]
///     name = "all"
///     people = 500
///
///     [waiting_room]
///     admit_per_minute = 30
///
///     [backend]
///     max_sessions = 10
/// "#;
/// let s = surgesim::load_str(text, "tiny.toml".as_ref(), ".".as_ref(), &[]).unwrap();
/// let night = surgesim::simulate(&s, 0);
/// let all = night.results.totals();
/// // Only the admitted book, and nobody books twice.
/// assert!(all.booked <= all.admitted && all.booked <= 500);
/// assert_eq!(surgesim::simulate(&s, 0).results.totals().booked, all.booked);
/// ```
pub fn simulate(scenario: &Scenario, replication: u64) -> Outcome {
    simulate_on(scenario, replication, QueueKind::default())
}

/// `simulate` on a chosen future-event list (for benchmarks and tests).
pub fn simulate_on(scenario: &Scenario, replication: u64, queue: QueueKind) -> Outcome {
    simulate_observed(scenario, replication, queue, &|_| {}).unwrap_or_else(|e| panic!("{e}"))
}

/// `simulate`, or an error if a structure that grows with the run (the
/// line, the sessions, the event list, the table) could not get memory.
///
/// Reading a night per cohort, and who was still in the system when it
/// ended:
///
/// ```
/// let text = r#"
///     [scenario]
///     name = "tiny"
///     duration = "2h"
///
///     [[cohort]]
///     name = "all"
///     people = 500
///
///     [waiting_room]
///     admit_per_minute = 30
///
///     [backend]
///     max_sessions = 10
/// "#;
/// let s = surgesim::load_str(text, "tiny.toml".as_ref(), ".".as_ref(), &[]).unwrap();
/// let night = surgesim::try_simulate(&s, 1).expect("a small night fits in memory");
/// let all = &night.results.cohorts[0];
/// println!("booked {} of 500; median wait {:?}", all.counts.booked, all.wait.quantile_secs(0.5));
/// // Everyone who came is booked, gone, or still in the system.
/// assert!(night.in_system.total(0) + all.counts.booked <= 500);
/// ```
pub fn try_simulate(scenario: &Scenario, replication: u64) -> Result<Outcome, OutOfMemory> {
    simulate_observed(scenario, replication, QueueKind::default(), &|_| {})
}

/// `try_simulate` on a chosen future-event list, telling `tick` the
/// simulated clock every 65,536 events (cheap enough to leave on: one
/// indirect call per 65,536 events).
///
/// Every event list gives the same night; `tick` may drive a progress bar:
///
/// ```
/// use surgesim::QueueKind;
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// let text = r#"
///     [scenario]
///     name = "tiny"
///     duration = "2h"
///
///     [[cohort]]
///     name = "all"
///     people = 500
///
///     [waiting_room]
///     admit_per_minute = 30
///
///     [backend]
///     max_sessions = 10
/// "#;
/// let s = surgesim::load_str(text, "tiny.toml".as_ref(), ".".as_ref(), &[]).unwrap();
/// let ticks = AtomicU64::new(0);
/// let tick = |_now| {
///     ticks.fetch_add(1, Ordering::Relaxed);
/// };
/// let on = |q| surgesim::simulate_observed(&s, 0, q, &tick).unwrap().results.totals().booked;
/// assert_eq!(on(QueueKind::Heap), on(QueueKind::Radix));
/// assert_eq!(on(QueueKind::Calendar), on(QueueKind::Radix));
/// // A small night has fewer than 65,536 events: no tick.
/// assert_eq!(ticks.load(Ordering::Relaxed), 0);
/// ```
pub fn simulate_observed(
    scenario: &Scenario,
    replication: u64,
    queue: QueueKind,
    tick: &(dyn Fn(SimTime) + Sync),
) -> Result<Outcome, OutOfMemory> {
    match queue {
        QueueKind::Heap => simulate_with::<HeapQueue<Event>>(scenario, replication, tick),
        QueueKind::Radix => simulate_with::<RadixQueue<Event>>(scenario, replication, tick),
        QueueKind::Calendar => simulate_with::<CalendarQueue<Event>>(scenario, replication, tick),
    }
}

fn simulate_with<'s, Q: FutureEvents<Event>>(
    scenario: &'s Scenario,
    replication: u64,
    tick: &'s (dyn Fn(SimTime) + Sync),
) -> Result<Outcome, OutOfMemory> {
    let n = scenario.cohorts.len();
    let room = scenario.waiting_room.as_ref();
    let poll_slots_per_waiting = match (&scenario.front, room) {
        // Little's law: polls per second times seconds per poll.
        (Some(f), Some(r)) => r.polls_per_minute / 60.0 * f.poll_service.as_secs_f64(),
        _ => 0.0,
    };
    let streams = Streams::new(scenario, replication);
    let arrivals = arrivals(scenario, &streams);
    let model = Model {
        s: scenario,
        clients: (0..n).map(|i| scenario.clients_of(i)).collect(),
        streams,
        events: Q::default(),
        timers: Timers::default(),
        now: SimTime::ZERO,
        arrivals,
        next_returning: scenario.cohorts.iter().map(|c| c.people).collect(),
        timeline: timeline(scenario),
        front: scenario.front.as_ref().map(|f| Servers::new(f.capacity)),
        dead_loads: DeadLoads {
            together: scenario
                .front
                .as_ref()
                .is_some_and(|f| f.wasted_work && matches!(f.service, Dist::Exponential { .. })),
            serving: 0,
        },
        poll_slots_per_waiting,
        line: Line::new(room.map_or(crate::scenario::Order::Fifo, |r| r.order)),
        gate: Gate::new(room),
        controller: room.and_then(|r| {
            let start = r.admit_per_minute?;
            r.controller.as_ref().map(|c| Box::new(controller::Controller::new(c, start)))
        }),
        sessions: Slab::default(),
        max_sessions: scenario.backend.max_sessions,
        throughput: throughput::Throughput::new(scenario),
        backend_down: false,
        inventory: Inventory::new(
            scenario.backend.slots,
            scenario.cohorts.iter().map(|c| c.slots).collect(),
            scenario.cohorts.iter().map(|c| c.eligible).collect(),
        ),
        shown: Shown::new(scenario),
        identity: scenario.identity.as_ref().map(|i| Servers::new(i.capacity)),
        pending_sessions: 0,
        devices: devices::Devices::new(&scenario.clients),
        in_system: InSystem {
            loading: vec![0; n],
            queued: vec![0; n],
            active: vec![0; n],
            retrying: vec![0; n],
            checking: vec![0; n],
            extra_devices: vec![0; n],
            peak_queued: vec![0; n],
            peak_devices_queued_locked: 0,
        },
        stats: Recorder::new(scenario)?,
        handled: 0,
        out_of_memory: None,
        stop_at: scenario.duration,
        tick,
    };
    model.run()
}

/// The first attempts of every cohort. Without a waiting room, people who
/// come before their window opens wait on the closed page until it does;
/// with one, they queue.
fn arrivals(s: &Scenario, streams: &Streams) -> Arrivals {
    let hold = s.waiting_room.is_none();
    let each = s.cohorts.iter().enumerate();
    let all = each.flat_map(|(i, c)| streams_for(i as u16, c, hold, |k| streams.arrivals(&c.name, k)));
    Arrivals::new(all.collect())
}

impl<Q: FutureEvents<Event>> Model<'_, Q> {
    fn run(mut self) -> Result<Outcome, OutOfMemory> {
        for (i, (at, _)) in self.timeline.iter().enumerate() {
            self.events.schedule(*at, Event::Timeline { index: i as u32 });
        }
        let empty = self.inventory.empty_from_the_start();
        self.sell_out(empty);
        if let (Some(c), Some(room)) = (&self.controller, &self.s.waiting_room) {
            // Windows start at the opening: a controller has nothing to
            // measure before it.
            self.timers.set(Timer::Control, room.opens + c.interval());
        }
        let horizon = self.s.duration;
        loop {
            // The earliest of the next event, the next wake-up and the next
            // first attempt; at the same instant in that order (a change at
            // 20:00 is in place for whoever comes at 20:00).
            let arrival_at = self.arrivals.next_time().unwrap_or(SimTime::MAX);
            let (timer_at, timer) = self.timers.next();
            let next = match self.events.pop_due(arrival_at.min(timer_at)) {
                Some((t, ev)) => (t, Next::Event(ev)),
                None if timer_at <= arrival_at && timer_at < SimTime::MAX => (timer_at, Next::WakeUp(timer)),
                None if arrival_at < SimTime::MAX => (arrival_at, Next::FirstAttempt),
                None => break,
            };
            let t = next.0;
            if t >= self.stop_at {
                break;
            }
            while t > self.stats.next_instant() {
                self.pass_instant();
            }
            self.stats.advance(t, &self.gauges(), &self.in_system.queued);
            self.now = t;
            self.handled += 1;
            if self.handled & 0xFFFF == 0 {
                (self.tick)(t);
                // A lost event leaves the state short of it, never broken
                // (counts only grow stale); checked here, off the hot path.
                if self.failed().is_some() {
                    break;
                }
            }
            match next.1 {
                Next::Event(ev) => self.handle(ev),
                Next::WakeUp(timer) => self.wake_up(timer),
                Next::FirstAttempt => {
                    let first = self.arrivals.pop().expect("one is due");
                    let person = Person::new(first);
                    if first.returning {
                        self.stats.returned(person.cohort(), person.first());
                    }
                    self.arrive(person, first.returning);
                }
            }
        }
        if let Some(e) = self.failed() {
            return Err(e);
        }
        // Instants up to the horizon with no event after them: the state
        // stood from the last event on.
        while self.stats.next_instant() < SimTime::MAX {
            self.pass_instant();
        }
        let gauges = self.gauges();
        let results = self.stats.finish(horizon, &gauges, &self.in_system.queued, self.handled)?;
        Ok(Outcome { results, in_system: self.in_system })
    }

    /// The first structure that could not grow, if any.
    #[cold]
    fn failed(&self) -> Option<OutOfMemory> {
        self.out_of_memory.clone().or_else(|| self.events.out_of_memory().cloned())
    }

    /// A structure could not grow: note it (the first), the run stops soon.
    #[cold]
    fn lost(&mut self, e: OutOfMemory, what: &'static str) {
        self.out_of_memory.get_or_insert(OutOfMemory { what, ..e });
        self.stop_at = self.now;
    }

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::Retry { person } => {
                let person = person.person();
                self.in_system.retrying[person.cohort()] -= 1;
                self.attempt(person, false);
            }
            Event::FrontDone { person } => {
                let person = person.person();
                self.front_slot_freed();
                self.in_system.loading[person.cohort()] -= 1;
                self.page_loaded(person);
                self.front_serve();
            }
            Event::FrontDoneDead => {
                self.front_slot_freed();
                self.front_serve();
            }
            Event::FrontTimeout { person } | Event::FrontTimeoutFrees { person } => {
                if matches!(ev, Event::FrontTimeoutFrees { .. }) {
                    self.front_slot_freed();
                }
                let person = person.person();
                self.in_system.loading[person.cohort()] -= 1;
                self.front_failed(person);
                self.front_serve();
            }
            Event::LeaveQueue { ticket, why } => {
                if let Some((person, _)) = self.line.remove(ticket) {
                    let person = person.person();
                    let c = person.cohort();
                    self.in_system.queued[c] -= 1;
                    if self.devices.on {
                        self.devices.left_line(person);
                    }
                    if why == Leave::Lost {
                        self.drop_attempt(person, DropCause::QueueLost);
                    } else {
                        self.stats.abandoned(c, why == Leave::Overdue);
                        self.after_failure(person, self.now);
                    }
                }
            }
            Event::SessionEnd { key } if self.throughput.is_some() => self.session_due(key),
            Event::SessionEnd { key } => {
                if let Some(person) = self.sessions.remove(key) {
                    self.session_ended(person.person());
                }
            }
            Event::Timeline { index } => self.apply(self.timeline[index as usize].1),
            Event::IdentityDone { person } => self.identity_done(person.person()),
            Event::IdentityTimeout { person } => self.identity_timed_out(person.person()),
        }
    }

    /// A wake-up beside the event list is due.
    fn wake_up(&mut self, timer: Timer) {
        self.timers.clear(timer);
        match timer {
            Timer::DeadPageLoadDone => self.dead_load_done(),
            Timer::FrontExpiry => self.front_expire(),
            Timer::IdentityExpiry => self.identity_expire(),
            Timer::Admit => self.try_admit(),
            Timer::Token => self.token_due(),
            Timer::Control => self.control(),
        }
    }

    /// The controller's window ends: it measures, decides, and the gate
    /// takes the new rate (the line's wake-up moves with it).
    #[cold]
    fn control(&mut self) {
        // Paused for good, the room admits nobody whatever its rate: the
        // controller stops (its windows would measure a room that is shut,
        // and a rate moving in it would mislead).
        if self.gate.paused() {
            return;
        }
        let in_use = self.sessions.len() as u64 + self.pending_sessions;
        let busy =
            if self.backend_down || self.max_sessions == 0 { 1.0 } else { in_use as f64 / self.max_sessions as f64 };
        let reading = controller::Reading { tally: self.stats.tally(), busy };
        let Some(c) = &mut self.controller else { return };
        let (above, rate) = c.decide(reading);
        let next = self.now + c.interval();
        self.stats.controller_window(above);
        if let Some(rate) = rate {
            self.gate.set_rate(rate);
            self.stats.admit_rate(rate);
            self.timers.clear(Timer::Admit);
            self.try_admit();
        }
        self.timers.set(Timer::Control, next);
    }

    /// Hand the recorder the state at its next instant (the state as it
    /// stands: no event has happened since), with the wait the room would
    /// show a person joining then.
    #[cold]
    fn pass_instant(&mut self) {
        let at = self.stats.next_instant();
        let ahead = self.line.len();
        let cap = self.cap_per_sec();
        let shown = self.shown.as_mut().map(|s| s.wait(ahead, at, &self.gate, self.max_sessions, cap));
        let g = self.gauges();
        self.stats.pass_instant(&g, &self.in_system.queued, &self.in_system.active, shown);
    }

    /// Tell the statistics an attempt of `person` passed the waiting room
    /// after `wait` (`None`: no room, or let past it), naming the person:
    /// their number, one for all their devices, and their first arrival.
    fn admitted(&mut self, person: Person, wait: Option<SimTime>) {
        let number = if self.devices.on { person.owner().1 } else { person.id() };
        self.stats.admitted(person.cohort(), wait, number, person.first());
    }

    /// The state as it stands (taken before every event: kept cheap).
    #[inline]
    fn gauges(&self) -> Gauges {
        let mut g = Gauges {
            queue_len: self.line.len(),
            active: self.sessions.len() as u64 + self.pending_sessions,
            session_capacity: if self.backend_down { 0 } else { self.max_sessions },
            ..Gauges::default()
        };
        if let Some(f) = &self.front {
            g.front_busy = f.busy;
            g.front_waiting = f.waiting();
            g.front_capacity = if f.down { 0 } else { f.capacity };
            g.front_polls = self.poll_slots();
        }
        if let Some(i) = &self.identity {
            g.identity_busy = i.busy;
            g.identity_capacity = if i.down { 0 } else { i.capacity };
        }
        g
    }

    /// Front-tier slots the waiting people's polls keep busy (whole slots).
    fn poll_slots(&self) -> u64 {
        (self.line.len() as f64 * self.poll_slots_per_waiting) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Millions of events are pending on a busy night: an event (a person
    /// and a tag) stays 16 bytes, a person 12.
    #[test]
    fn events_and_people_stay_small() {
        assert_eq!(std::mem::size_of::<Stored>(), 12);
        assert_eq!(std::mem::size_of::<Event>(), 16);
    }
}
