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
//! event queue in the main loop, without passing through it.

mod demand;
mod devices;
mod front;
mod identity;
mod inventory;
mod person;
mod shown;
mod slab;
mod streams;
mod waiting_room;

use crate::engine::{CalendarQueue, FutureEvents, HeapQueue, OutOfMemory, RadixQueue, SimTime};
use crate::scenario::{span_at, Clients, Cohort, Placement, Scenario, Tier};
use crate::stats::{DropCause, Gauges, Recorder, Results};
use demand::{catch_up_streams, streams_for, Arrivals};
use front::Front;
use inventory::{Inventory, SoldOut};
use person::{Person, Stored};
use rand::RngExt;
use shown::Shown;
use slab::{Key, Slab};
use streams::{Purpose, Streams};
use waiting_room::{Line, Ticket};

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
    /// The oldest waiting page load may have timed out.
    FrontTimer,
    /// A client gives up on a page load in service; the server works on.
    FrontTimeout { person: Stored },
    /// A client gives up on a page load in service, and the server stops
    /// work on it (no wasted work): the slot is free.
    FrontTimeoutFrees { person: Stored },
    /// A queued person's patience runs out, or their connection drops.
    LeaveQueue { lost: bool, ticket: Ticket },
    /// A booking session ends (stale if an outage ended it first).
    SessionEnd { key: Key },
    /// The admission rate limit allows the next admission.
    AdmitTimer,
    /// Entry `index` of the timeline (capacity changes, outages, opening).
    Timeline { index: u32 },
    /// An identity check finishes.
    IdentityDone { person: Stored },
    /// The oldest waiting identity check may have timed out.
    IdentityTimer,
    /// A client gives up on an identity check in service (the slot is free:
    /// the check is abandoned with its client).
    IdentityTimeout { person: Stored },
}

/// Things that happen at set times.
#[derive(Clone, Copy, Debug)]
enum Change {
    FrontCapacity(u64),
    BackendCapacity(u64),
    IdentityCapacity(u64),
    Down(Tier, bool),
    RoomOpens,
    /// Catch-up round `round` of cohort `cohort` opens.
    CatchUp {
        cohort: u16,
        round: u16,
    },
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
    now: SimTime,
    /// First attempts, in time order (not in `events`).
    arrivals: Arrivals,
    /// Per cohort, the number of the next person to come back in a
    /// catch-up round: after the cohort's people and those of the rounds
    /// before (see `streams`).
    next_returning: Vec<u64>,
    timeline: Vec<(SimTime, Change)>,
    front: Option<Front<Stored>>,
    /// Front-tier slots an average waiting person's polls keep busy.
    poll_slots_per_waiting: f64,
    line: Line<Stored>,
    room_open: bool,
    /// Earliest time the rate limit allows the next admission.
    next_admit_at: SimTime,
    admit_spacing: Option<SimTime>,
    admit_timer_pending: bool,
    sessions: Slab<Stored>,
    max_sessions: u64,
    backend_down: bool,
    /// Whether the room admits nobody while the backend is down
    /// (`waiting_room.during_outage = "hold"`).
    hold_in_outage: bool,
    /// Slots left (shared and each cohort's) and who is sold out.
    inventory: Inventory,
    /// The wait shown to people joining the line, if the room shows one.
    shown: Option<Shown>,
    /// The identity check's slots and the checks waiting for one.
    identity: Option<Front<Stored>>,
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

/// Bytes the model's structures hold at most per item of what grows, their
/// spare capacity included (each structure says why): for the size guard
/// (`limits`), which multiplies them by the most items a run can
/// have at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Footprint {
    /// A person waiting in the line (in the line's order).
    pub queued: usize,
    /// A page load waiting for a front-tier slot.
    pub loading: usize,
    /// A booking session.
    pub session: usize,
    /// A person on several devices (the state their devices share).
    pub devices: usize,
}

pub fn footprint(order: crate::scenario::Order) -> Footprint {
    Footprint {
        queued: Line::<Stored>::bytes_per_person(order),
        loading: Front::<Stored>::bytes_per_person(),
        session: Slab::<Stored>::bytes_per_item(),
        devices: devices::BYTES_PER_PERSON,
    }
}

/// Bytes of the event list at most with `pending` events pending at once,
/// in a run of length `horizon` (see `RadixQueue::bytes_for`).
pub fn event_list_bytes(pending: f64, horizon: SimTime) -> f64 {
    RadixQueue::<Event>::bytes_for(pending, horizon)
}

/// Bytes of the arrival tables per point of a piecewise or trace curve (the
/// inverse CDF's times, rates and areas).
pub const CURVE_BYTES_PER_POINT: usize = demand::BYTES_PER_POINT;

/// Which future-event list to run on. All give the same results (the order
/// of events is fixed by (time, seq)); they differ in speed and memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum QueueKind {
    Heap,
    /// The default: fastest on the July 2021 replays (see the README).
    #[default]
    Radix,
    Calendar,
}

/// Simulate replication `replication` of `scenario` (on the default queue),
/// for tests and benchmarks: panics if the machine runs out of memory
/// (the commands use `try_simulate`, which says so instead).
pub fn simulate(scenario: &Scenario, replication: u64) -> Outcome {
    simulate_on(scenario, replication, QueueKind::default())
}

/// `simulate` on a chosen future-event list (for benchmarks and tests).
pub fn simulate_on(scenario: &Scenario, replication: u64, queue: QueueKind) -> Outcome {
    simulate_observed(scenario, replication, queue, &|_| {}).unwrap_or_else(|e| panic!("{e}"))
}

/// `simulate`, or an error if a structure that grows with the run (the
/// line, the sessions, the event list, the table) could not get memory.
pub fn try_simulate(scenario: &Scenario, replication: u64) -> Result<Outcome, OutOfMemory> {
    simulate_observed(scenario, replication, QueueKind::default(), &|_| {})
}

/// `try_simulate` on a chosen future-event list, telling `tick` the
/// simulated clock every 65,536 events (cheap enough to leave on: one
/// indirect call per 65,536 events).
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
        now: SimTime::ZERO,
        arrivals,
        next_returning: scenario.cohorts.iter().map(|c| c.people).collect(),
        timeline: timeline(scenario),
        front: scenario.front.as_ref().map(|f| Front::new(f.capacity)),
        poll_slots_per_waiting,
        line: Line::new(room.map_or(crate::scenario::Order::Fifo, |r| r.order)),
        room_open: room.is_some_and(|r| r.opens == SimTime::ZERO),
        next_admit_at: SimTime::ZERO,
        admit_spacing: room.and_then(|w| w.admit_per_minute).map(|r| SimTime::from_secs_f64(60.0 / r).max(SimTime(1))),
        admit_timer_pending: false,
        sessions: Slab::default(),
        max_sessions: scenario.backend.max_sessions,
        backend_down: false,
        hold_in_outage: room.is_some_and(|r| r.during_outage == crate::scenario::DuringOutage::Hold),
        inventory: Inventory::new(
            scenario.backend.slots,
            scenario.cohorts.iter().map(|c| c.slots).collect(),
            scenario.cohorts.iter().map(|c| c.eligible).collect(),
        ),
        shown: Shown::new(scenario),
        identity: scenario.identity.as_ref().map(|i| Front::new(i.capacity)),
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

/// Every scheduled change, in time order (stable: same-time entries keep
/// the order written here, and the event queue keeps it too).
fn timeline(s: &Scenario) -> Vec<(SimTime, Change)> {
    let mut t = Vec::new();
    if let Some(f) = &s.front {
        t.extend(f.schedule.iter().map(|c| (c.at, Change::FrontCapacity(c.value))));
    }
    t.extend(s.backend.schedule.iter().map(|c| (c.at, Change::BackendCapacity(c.value))));
    if let Some(i) = &s.identity {
        t.extend(i.schedule.iter().map(|c| (c.at, Change::IdentityCapacity(c.value))));
    }
    for o in &s.faults.outages {
        t.push((o.from, Change::Down(o.tier, true)));
        t.push((o.to, Change::Down(o.tier, false)));
    }
    if let Some(r) = &s.waiting_room {
        if r.opens > SimTime::ZERO {
            t.push((r.opens, Change::RoomOpens));
        }
    }
    for (i, c) in s.cohorts.iter().enumerate() {
        for (j, r) in c.catch_up.iter().enumerate() {
            // Validation numbers cohorts in 16 bits; rounds are a handful.
            t.push((r.opens, Change::CatchUp { cohort: i as u16, round: j as u16 }));
        }
    }
    t.sort_by_key(|(at, _)| *at);
    t
}

impl<Q: FutureEvents<Event>> Model<'_, Q> {
    fn run(mut self) -> Result<Outcome, OutOfMemory> {
        for (i, (at, _)) in self.timeline.iter().enumerate() {
            self.events.schedule(*at, Event::Timeline { index: i as u32 });
        }
        let empty = self.inventory.empty_from_the_start();
        self.sell_out(empty);
        let horizon = self.s.duration;
        loop {
            // The earlier of the next event and the next first attempt; at
            // the same instant the event goes first (a change at 20:00 is in
            // place for whoever comes at 20:00).
            let arrival_at = self.arrivals.next_time().unwrap_or(SimTime::MAX);
            let next = match self.events.pop_due(arrival_at) {
                Some((t, ev)) => (t, Some(ev)),
                None if arrival_at < SimTime::MAX => (arrival_at, None),
                None => break,
            };
            let t = next.0;
            if t >= self.stop_at {
                break;
            }
            self.stats.advance(t, &self.gauges());
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
                Some(ev) => self.handle(ev),
                None => {
                    let first = self.arrivals.pop().expect("one is due");
                    if first.returning {
                        self.stats.returned(usize::from(first.cohort));
                    }
                    self.arrive(Person::new(first), first.returning);
                }
            }
        }
        if let Some(e) = self.failed() {
            return Err(e);
        }
        let gauges = self.gauges();
        let results = self.stats.finish(horizon, &gauges, self.handled)?;
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
            Event::FrontTimer => self.front_expire(),
            Event::FrontTimeout { person } | Event::FrontTimeoutFrees { person } => {
                if matches!(ev, Event::FrontTimeoutFrees { .. }) {
                    self.front_slot_freed();
                }
                let person = person.person();
                self.in_system.loading[person.cohort()] -= 1;
                self.front_failed(person);
                self.front_serve();
            }
            Event::LeaveQueue { ticket, lost } => {
                if let Some((person, _)) = self.line.remove(ticket) {
                    let person = person.person();
                    let c = person.cohort();
                    self.in_system.queued[c] -= 1;
                    if self.devices.on {
                        self.devices.left_line(person);
                    }
                    if lost {
                        self.drop_attempt(person, DropCause::QueueLost);
                    } else {
                        self.stats.abandoned(c);
                        self.after_failure(person, self.now);
                    }
                }
            }
            Event::SessionEnd { key } => {
                if let Some(person) = self.sessions.remove(key) {
                    self.session_ended(person.person());
                }
            }
            Event::AdmitTimer => {
                self.admit_timer_pending = false;
                self.try_admit();
            }
            Event::Timeline { index } => self.apply(self.timeline[index as usize].1),
            Event::IdentityDone { person } => self.identity_done(person.person()),
            Event::IdentityTimer => self.identity_expire(),
            Event::IdentityTimeout { person } => self.identity_timed_out(person.person()),
        }
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

    fn apply(&mut self, change: Change) {
        match change {
            Change::FrontCapacity(c) => {
                if let Some(f) = &mut self.front {
                    f.capacity = c;
                }
                self.front_serve();
            }
            Change::BackendCapacity(c) => {
                self.max_sessions = c;
                self.try_admit();
            }
            Change::IdentityCapacity(c) => {
                if let Some(i) = &mut self.identity {
                    i.capacity = c;
                }
                self.identity_serve();
            }
            Change::Down(Tier::Identity, down) => {
                if let Some(i) = &mut self.identity {
                    i.down = down;
                }
                self.identity_serve();
                // Back up: a line held for a check at booking goes on.
                self.try_admit();
            }
            Change::Down(Tier::Front, down) => {
                if let Some(f) = &mut self.front {
                    f.down = down;
                }
                self.front_serve();
            }
            Change::Down(Tier::Backend, down) => {
                self.backend_down = down;
                if down {
                    // Every session in progress fails (in slot order).
                    for person in self.sessions.drain() {
                        let person = person.person();
                        self.in_system.active[person.cohort()] -= 1;
                        if self.devices.on {
                            self.devices.in_session(person, false);
                        }
                        self.drop_attempt(person, DropCause::BackendOutage);
                    }
                }
                self.try_admit();
            }
            Change::CatchUp { cohort, round } => self.catch_up(usize::from(cohort), usize::from(round)),
            Change::RoomOpens => {
                self.room_open = true;
                if self.s.waiting_room.as_ref().is_some_and(|r| r.order == crate::scenario::Order::PrequeueShuffle) {
                    self.line.shuffle(&mut self.streams.room_order);
                }
                self.try_admit();
            }
        }
    }

    /// Catch-up round `round` of cohort `c` opens: of the cohort's people
    /// gone for good by now (not booked, not in the system: counted, not
    /// listed), each comes back with the round's probability; their first
    /// attempts of the round join the arrivals, numbered after everyone
    /// before them.
    fn catch_up(&mut self, c: usize, round: usize) {
        let cohort = &self.s.cohorts[c];
        let r = &cohort.catch_up[round];
        let gone = self.stats.gone(c);
        let (name, number) = (&cohort.name, round as u64);
        let mut rng = self.streams.catch_up(name, number, 0);
        let count = rand_distr::Binomial::new(gone, r.probability).map_or(0, |b| rng.sample(b));
        let first_id = self.next_returning[c];
        self.next_returning[c] += count;
        let streams = catch_up_streams(c as u16, r, count, first_id, |k| self.streams.catch_up(name, number, 1 + k));
        for stream in streams {
            self.arrivals.add(stream);
        }
    }

    // ---- an attempt: front tier ------------------------------------------------

    /// A person starts an attempt by loading the entry page (`again`: the
    /// first of a catch-up round, which is not the person's first).
    fn attempt(&mut self, mut person: Person, again: bool) {
        person.next_attempt();
        let c = person.cohort();
        if self.devices.on && person.attempts() == 1 && person.device() > 0 {
            self.stats.device_arrival(c);
        } else {
            self.stats.attempt(c, again || person.attempts() > 1);
        }
        if self.front.is_none() {
            self.page_loaded(person);
            return;
        }
        self.stats.front_request(c);
        if let Some(Err(e)) = self.front.as_mut().map(|f| f.push(person.stored(), self.now)) {
            return self.lost(e, "page loads waiting");
        }
        self.in_system.loading[c] += 1;
        self.front_serve();
        self.arm_front_timer();
    }

    fn front_slot_freed(&mut self) {
        if let Some(f) = &mut self.front {
            f.busy -= 1;
        }
    }

    /// Start page loads while slots are free. Waiting people's polls take
    /// their share of the slots first (accounted in aggregate).
    fn front_serve(&mut self) {
        let Some(cfg) = &self.s.front else { return };
        let polls = self.poll_slots();
        loop {
            let Some(f) = &mut self.front else { return };
            let capacity = if f.down { 0 } else { f.capacity.saturating_sub(polls) };
            if f.busy >= capacity {
                return;
            }
            let Some(request) = f.next() else { return };
            f.busy += 1;
            match request {
                // A dead request (wasted work): the slot is busy for nothing.
                None => {
                    let done = self.now + cfg.service.sample(&mut self.streams.dead_page_loads);
                    self.events.schedule(done, Event::FrontDoneDead);
                }
                Some((person, asked)) => {
                    let done = self.now + cfg.service.sample(&mut self.streams.of(Purpose::PageLoad, person.person()));
                    let deadline = asked + cfg.timeout;
                    if done <= deadline {
                        self.events.schedule(done, Event::FrontDone { person });
                    } else if cfg.wasted_work {
                        self.events.schedule(done, Event::FrontDoneDead);
                        self.events.schedule(deadline, Event::FrontTimeout { person });
                    } else {
                        self.events.schedule(deadline, Event::FrontTimeoutFrees { person });
                    }
                }
            }
        }
    }

    fn arm_front_timer(&mut self) {
        let Some(cfg) = &self.s.front else { return };
        let Some(f) = &mut self.front else { return };
        if !f.timer_pending {
            if let Some(at) = f.next_deadline(cfg.timeout) {
                f.timer_pending = true;
                self.events.schedule(at, Event::FrontTimer);
            }
        }
    }

    /// Clients still waiting for a slot past their timeout give up.
    fn front_expire(&mut self) {
        let Some(cfg) = &self.s.front else { return };
        let (timeout, keep_dead) = (cfg.timeout, cfg.wasted_work);
        let Some(f) = &mut self.front else { return };
        f.timer_pending = false;
        while let Some(person) = self.front.as_mut().and_then(|f| f.expire_one(self.now, timeout, keep_dead)) {
            let person = person.person();
            self.in_system.loading[person.cohort()] -= 1;
            self.front_failed(person);
        }
        self.arm_front_timer();
    }

    /// A page load failed: reload after the refresh delay, per the retry policy.
    fn front_failed(&mut self, person: Person) {
        self.stats.dropped(person.cohort(), DropCause::FrontTimeout);
        let delay = self.clients[person.cohort()].retry.refresh.sample(&mut self.streams.of(Purpose::Refresh, person));
        self.retry_or_give_up(person, self.now + delay);
    }

    // ---- waiting room ----------------------------------------------------------

    /// The entry page is up: to the identity check if it comes first, else
    /// into the waiting room.
    fn page_loaded(&mut self, person: Person) {
        if self.identity_before_queue() {
            self.check_identity(person);
        } else {
            self.enter_room(person);
        }
    }

    /// Into the waiting room, or on to the backend.
    fn enter_room(&mut self, person: Person) {
        let c = person.cohort();
        if self.inventory.sold_out(c) {
            // The front page says so: no queue, no retry.
            return self.told_sold_out(person);
        }
        let Some(room) = &self.s.waiting_room else {
            self.stats.admitted(c, None);
            self.enter_backend(person);
            return;
        };
        // A back door, or a waiting room failing open under front overload.
        let back_door =
            span_at(&room.bypass, self.now).is_some_and(|share| self.chance(Purpose::Bypass, person, share));
        let fail_open = room.fail_open && self.front.as_ref().is_some_and(|f| f.waiting() > 0);
        if back_door || fail_open {
            self.stats.bypassed(c);
            self.stats.admitted(c, None);
            self.enter_backend(person);
            return;
        }
        self.join_line(person);
    }

    fn join_line(&mut self, person: Person) {
        if self.shown.is_some() && self.balks(person) {
            self.stats.balked(person.cohort());
            self.after_failure(person, self.now);
            return;
        }
        if self.line.len() == 0 && self.can_admit() && self.session_free() && self.now >= self.next_admit_at {
            // Nobody ahead and a session free: straight through, with no
            // place in line and no deadline to draw (it could never fire).
            self.admit(person, self.now);
        } else {
            self.enqueue(person);
        }
        self.try_admit();
    }

    /// The room shows the person joining a wait (counted); whether it is
    /// longer than they accept, by their own draw (their cohort's `balk`).
    fn balks(&mut self, person: Person) -> bool {
        let (ahead, now, max_sessions) = (self.line.len(), self.now, self.max_sessions);
        let Some(shown) = self.shown.as_mut().map(|s| s.wait(ahead, now, max_sessions)) else { return false };
        self.stats.shown_wait(shown);
        let Some(tolerance) = &self.clients[person.cohort()].balk else { return false };
        shown > tolerance.sample(&mut self.streams.of(Purpose::Balk, person))
    }

    /// Whether the room may admit anyone now: it is open, and nothing
    /// behind it stops the line: the backend, or an identity check at
    /// booking (one before the queue is in front of the line: people in it
    /// have passed, and the line goes on while new ones cannot join).
    #[inline]
    fn can_admit(&self) -> bool {
        self.room_open && !(self.hold_in_outage && (self.backend_down || self.check_at_booking_down()))
    }

    /// An identity check at booking is down (admitted people cannot be checked).
    fn check_at_booking_down(&self) -> bool {
        self.identity.as_ref().is_some_and(|i| i.down) && !self.identity_before_queue()
    }

    /// Into the line (or dropped if it is full), without admitting anyone.
    fn enqueue(&mut self, person: Person) {
        let Some(room) = &self.s.waiting_room else { return };
        let c = person.cohort();
        if room.max_queue > 0 && self.line.len() >= room.max_queue {
            self.drop_attempt(person, DropCause::QueueFull);
            return;
        }
        let ticket = match self.line.push(person.stored(), self.now) {
            Ok(ticket) => ticket,
            Err(e) => return self.lost(e, "queued people"),
        };
        self.in_system.queued[c] += 1;
        let peak = &mut self.in_system.peak_queued[c];
        *peak = (*peak).max(self.in_system.queued[c]);
        if self.devices.on {
            self.device_joined_line(person);
        }
        // The person leaves the line at the first of: patience running out,
        // the connection dropping. Either way one event, stale if admitted.
        let patience = self.clients[c]
            .patience
            .as_ref()
            .map(|d| self.now + d.sample(&mut self.streams.of(Purpose::Patience, person)));
        let lost = time_to_loss(&room.connection_loss, self.now, || self.streams.of(Purpose::ConnectionLoss, person));
        let leave = match (patience, lost) {
            (Some(p), Some(l)) => Some(if l < p { (l, true) } else { (p, false) }),
            (Some(p), None) => Some((p, false)),
            (None, Some(l)) => Some((l, true)),
            (None, None) => None,
        };
        if let Some((at, lost)) = leave {
            self.events.schedule(at, Event::LeaveQueue { ticket, lost });
        }
    }

    /// Whether a booking session is free for one more admission (sessions
    /// held through an identity check at booking count).
    fn session_free(&self) -> bool {
        let max_active = self.s.waiting_room.as_ref().map_or(u64::MAX, |r| r.max_active);
        (self.sessions.len() as u64 + self.pending_sessions) < max_active.min(self.max_sessions)
    }

    /// Admit from the line while sessions and the rate limit allow.
    #[inline]
    fn try_admit(&mut self) {
        // Called after every session and every arrival: the common "nobody
        // waiting" case costs no call.
        if self.line.len() > 0 && self.can_admit() {
            self.admit_from_line();
        }
    }

    fn admit_from_line(&mut self) {
        while self.line.len() > 0 && self.session_free() {
            if self.now < self.next_admit_at {
                // The rate limit: come back when it allows the next one.
                if !self.admit_timer_pending {
                    self.admit_timer_pending = true;
                    self.events.schedule(self.next_admit_at, Event::AdmitTimer);
                }
                return;
            }
            let (person, joined) = self.line.pop(&mut self.streams.room_order).expect("line is not empty");
            let person = person.person();
            self.in_system.queued[person.cohort()] -= 1;
            if self.devices.on {
                self.devices.left_line(person);
            }
            self.admit(person, joined);
        }
    }

    /// The person at the front of the line (there since `joined`) gets
    /// their turn.
    fn admit(&mut self, mut person: Person, joined: SimTime) {
        // Only a waiting room admits (without one, page_loaded goes straight
        // to the backend): losing the person silently would hide a bug.
        let room = self.s.waiting_room.as_ref().expect("admission through a waiting room");
        if let Some(spacing) = self.admit_spacing {
            self.next_admit_at = self.now + spacing;
        }
        if let Some(shown) = &mut self.shown {
            shown.admitted(self.now);
        }
        let c = person.cohort();
        if room.bounce_probability > 0.0 && self.chance(Purpose::Bounce, person, room.bounce_probability) {
            // An error at the front of the line: back to the end, as a
            // new attempt, whether they like it or not.
            self.stats.dropped(c, DropCause::BounceBack);
            if person.attempts() < self.clients[c].retry.max_attempts {
                // A new attempt joins the line: an event, though it happens
                // at once instead of through the event list.
                self.handled += 1;
                person.next_attempt();
                self.stats.attempt(c, true);
                self.enqueue(person);
            } else {
                self.give_up(person);
            }
            return;
        }
        if let (Some(expiry), Some(response)) = (room.turn_expiry, &self.clients[c].response) {
            if response.sample(&mut self.streams.of(Purpose::Response, person)) > expiry {
                self.drop_attempt(person, DropCause::TurnExpired);
                return;
            }
        }
        self.stats.admitted(c, Some(self.now - joined));
        self.enter_backend(person);
    }

    // ---- backend ---------------------------------------------------------------

    /// Admitted: the eligibility check, then a booking session if one is
    /// free. With an identity check before the queue, the eligibility check
    /// came with it; at booking, the check comes first.
    fn enter_backend(&mut self, person: Person) {
        if self.devices.on && !self.device_may_book(person) {
            return;
        }
        match self.s.identity.as_ref().map(|i| i.placement) {
            Some(Placement::BeforeQueue) => self.start_session(person),
            Some(Placement::AtBooking) => self.check_at_booking(person),
            None => {
                if self.screen(person) {
                    self.start_session(person);
                }
            }
        }
    }

    /// The eligibility check: true if the person may go on; else they were
    /// turned away (and retry or leave).
    fn screen(&mut self, person: Person) -> bool {
        let c = person.cohort();
        let cohort = &self.s.cohorts[c];
        if !cohort.eligible {
            // Ineligible visitors are told so and leave for good.
            self.stats.turned_away(c);
            self.give_up(person);
            return false;
        }
        if let Err(next_open) = window_at(cohort, self.now) {
            // Outside the windows: come back after the next one opens, if any.
            self.stats.turned_away(c);
            match next_open {
                Some(opens) => self.after_failure(person, opens),
                None => self.give_up(person),
            }
            return false;
        }
        if span_at(&self.s.faults.clock_bug, self.now).is_some_and(|q| self.chance(Purpose::ClockBug, person, q)) {
            // "Not eligible in this period": wrongly refused; they come back
            // later per their retry policy.
            self.stats.turned_away(c);
            self.stats.clock_bug(c);
            self.after_failure(person, self.now);
            return false;
        }
        true
    }

    /// A booking session, if the backend is up and one is free.
    fn start_session(&mut self, person: Person) {
        let c = person.cohort();
        if self.backend_down {
            self.drop_attempt(person, DropCause::BackendOutage);
            return;
        }
        if self.sessions.len() as u64 >= self.max_sessions {
            self.drop_attempt(person, DropCause::BackendFull);
            return;
        }
        let key = match self.sessions.insert(person.stored()) {
            Ok(key) => key,
            Err(e) => return self.lost(e, "booking sessions"),
        };
        self.in_system.active[c] += 1;
        if self.devices.on {
            self.devices.in_session(person, true);
        }
        let end = self.now + self.clients[c].session.sample(&mut self.streams.of(Purpose::Session, person));
        self.events.schedule(end, Event::SessionEnd { key });
    }

    fn session_ended(&mut self, person: Person) {
        let c = person.cohort();
        self.in_system.active[c] -= 1;
        if self.devices.on {
            self.devices.in_session(person, false);
        }
        let p_err = span_at(&self.s.faults.error_windows, self.now).unwrap_or(self.s.backend.error_probability);
        if p_err > 0.0 && self.chance(Purpose::BackendError, person, p_err) {
            self.drop_attempt(person, DropCause::BackendError);
        } else {
            match self.inventory.take(c) {
                None => self.drop_attempt(person, DropCause::NoSlots),
                Some(sold) => {
                    self.stats.booked(c, self.now - person.first());
                    if self.devices.on {
                        self.device_booked(person);
                    }
                    self.sell_out(sold);
                }
            }
        }
        self.try_admit();
    }

    /// Cohorts just sold out: noted, and their people still in line told
    /// at once (in line order) and gone for good. People in a session keep
    /// it (it ends in `no_slots`); people loading the page or coming back
    /// are told at the front page (`page_loaded`).
    fn sell_out(&mut self, sold: SoldOut) {
        if sold.cohorts.is_empty() {
            return;
        }
        for &c in &sold.cohorts {
            self.stats.sold_out(c, self.now);
        }
        if sold.night {
            self.stats.night_sold_out(self.now);
        }
        let inventory = &self.inventory;
        let told = self.line.remove_where(|p| inventory.sold_out(p.person().cohort()));
        for person in told {
            let person = person.person();
            self.in_system.queued[person.cohort()] -= 1;
            if self.devices.on {
                self.devices.left_line(person);
            }
            self.told_sold_out(person);
        }
    }

    /// Told the person's cohort is sold out: dropped, and gone for good.
    fn told_sold_out(&mut self, person: Person) {
        self.stats.dropped(person.cohort(), DropCause::SoldOut);
        self.give_up(person);
    }

    /// True with probability `p`, by `person`'s own draw for `purpose`.
    #[inline]
    fn chance(&self, purpose: Purpose, person: Person, p: f64) -> bool {
        self.streams.of(purpose, person).random::<f64>() < p
    }

    // ---- failures --------------------------------------------------------------

    fn drop_attempt(&mut self, person: Person, cause: DropCause) {
        self.stats.dropped(person.cohort(), cause);
        self.after_failure(person, self.now);
    }

    /// After a failed attempt: retry (from `base`, plus a delay) or give up.
    fn after_failure(&mut self, person: Person, base: SimTime) {
        let delay = self.clients[person.cohort()].retry.delay.sample(&mut self.streams.of(Purpose::RetryDelay, person));
        self.retry_or_give_up(person, base + delay);
    }

    fn retry_or_give_up(&mut self, person: Person, at: SimTime) {
        let c = person.cohort();
        let retry = &self.clients[c].retry;
        if person.attempts() < retry.max_attempts
            && retry.probability > 0.0
            && self.chance(Purpose::RetryChoice, person, retry.probability)
        {
            self.in_system.retrying[c] += 1;
            self.events.schedule(at, Event::Retry { person: person.stored() });
        } else {
            self.give_up(person);
        }
    }
}

/// `Ok` if one of the cohort's windows or catch-up rounds is open at `t`;
/// else the opening of the next one, if any.
fn window_at(cohort: &Cohort, t: SimTime) -> Result<(), Option<SimTime>> {
    let windows = cohort.windows.iter().map(|w| (w.opens, w.closes));
    for (opens, closes) in windows.chain(cohort.catch_up.iter().map(|r| (r.opens, r.closes))) {
        if t < opens {
            return Err(Some(opens));
        }
        if t < closes {
            return Ok(());
        }
    }
    Err(None)
}

/// When a person waiting from `now` loses the connection, under a hazard
/// that is piecewise constant over `spans` [per hour]; `None` if never.
/// One exponential draw of unit mean is spent against the cumulative hazard.
fn time_to_loss<R: rand::Rng>(
    spans: &[crate::scenario::Span],
    now: SimTime,
    rng: impl FnOnce() -> R,
) -> Option<SimTime> {
    if spans.iter().all(|s| s.to <= now || s.value == 0.0) {
        return None;
    }
    let mut budget = -(1.0 - rng().random::<f64>()).ln();
    for s in spans {
        if s.to <= now || s.value == 0.0 {
            continue;
        }
        let from = s.from.max(now);
        let hours = (s.to - from).as_secs_f64() / 3600.0;
        let hazard = s.value * hours;
        if budget < hazard {
            return Some(from + SimTime::from_secs_f64(budget / s.value * 3600.0));
        }
        budget -= hazard;
    }
    None
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
