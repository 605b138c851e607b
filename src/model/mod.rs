//! The model of the booking site: people arrive (demand), queue in the
//! waiting room, take a booking session in the backend, and give up, fail
//! or retry. It owns the event type and the handlers; the engine only orders
//! events and `stats` only counts. It knows nothing of files or charts.
//!
//! Memory follows the people *in the system*: a queued person is one slab
//! slot, an active session or a pending retry is one event in the queue, and
//! people who have left leave nothing behind.

mod demand;
mod waiting_room;

use crate::engine::{rng_for, EventQueue, Rng, SimTime};
use crate::scenario::{Scenario, Window};
use crate::stats::{DropCause, Recorder, Results};
use demand::{streams_for, ArrivalStream};
use rand::RngExt;
use waiting_room::Line;

/// One person, carried inside events: no per-person table exists.
#[derive(Clone, Copy, Debug)]
struct Person {
    /// When their first attempt began (for time to book).
    first: SimTime,
    /// Attempts made so far, this one included.
    attempts: u32,
    cohort: u16,
}

#[derive(Clone, Copy, Debug)]
enum Event {
    /// The next first attempt of arrival stream `stream`.
    Arrival { stream: u32 },
    /// A person comes back after a failure.
    Retry { person: Person },
    /// A queued person's patience runs out (if still queued).
    Abandon { ticket: waiting_room::Ticket },
    /// A booking session ends.
    SessionEnd { person: Person },
    /// The admission rate limit allows the next admission.
    AdmitTimer,
}

/// What is still in the system, per cohort, counted by the model's own
/// state (not by the statistics), so conservation can be checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InSystem {
    pub queued: Vec<u64>,
    pub active: Vec<u64>,
    pub retrying: Vec<u64>,
}

impl InSystem {
    pub fn total(&self, cohort: usize) -> u64 {
        self.queued[cohort] + self.active[cohort] + self.retrying[cohort]
    }
}

/// The outcome of one run.
pub struct Outcome {
    pub results: Results,
    pub in_system: InSystem,
}

struct Model<'s> {
    s: &'s Scenario,
    rng: Rng,
    events: EventQueue<Event>,
    now: SimTime,
    streams: Vec<ArrivalStream>,
    line: Line<Person>,
    /// Active booking sessions.
    active: u64,
    in_system: InSystem,
    /// Earliest time the rate limit allows the next admission.
    next_admit_at: SimTime,
    admit_spacing: Option<SimTime>,
    timer_pending: bool,
    stats: Recorder,
    handled: u64,
}

/// Simulate replication `replication` of `scenario`.
pub fn simulate(scenario: &Scenario, replication: u64) -> Outcome {
    let n = scenario.cohorts.len();
    let m = Model {
        s: scenario,
        rng: rng_for(scenario.seed, replication),
        events: EventQueue::new(),
        now: SimTime::ZERO,
        streams: Vec::new(),
        line: Line::default(),
        active: 0,
        in_system: InSystem {
            queued: vec![0; n],
            active: vec![0; n],
            retrying: vec![0; n],
        },
        next_admit_at: SimTime::ZERO,
        admit_spacing: scenario
            .waiting_room
            .as_ref()
            .and_then(|w| w.admit_per_minute)
            .map(|r| SimTime::from_secs_f64(60.0 / r).max(SimTime(1))),
        timer_pending: false,
        stats: Recorder::new(scenario),
        handled: 0,
    };
    m.run()
}

impl Model<'_> {
    fn run(mut self) -> Outcome {
        for (i, c) in self.s.cohorts.iter().enumerate() {
            self.streams.extend(streams_for(i as u16, c));
        }
        for i in 0..self.streams.len() {
            self.schedule_next_arrival(i);
        }
        let horizon = self.s.duration;
        while let Some((t, ev)) = self.events.pop() {
            if t >= horizon {
                break;
            }
            self.stats.advance(t, self.line.len(), self.active);
            self.now = t;
            self.handled += 1;
            match ev {
                Event::Arrival { stream } => {
                    let cohort = self.streams[stream as usize].cohort;
                    self.schedule_next_arrival(stream as usize);
                    let person = Person {
                        first: t,
                        attempts: 0,
                        cohort,
                    };
                    self.attempt(person);
                }
                Event::Retry { person } => {
                    self.in_system.retrying[person.cohort as usize] -= 1;
                    self.attempt(person);
                }
                Event::Abandon { ticket } => {
                    if let Some(person) = self.line.remove(ticket) {
                        let c = person.cohort as usize;
                        self.in_system.queued[c] -= 1;
                        self.stats.abandoned(c);
                        self.after_failure(person, t);
                    }
                }
                Event::SessionEnd { person } => {
                    let c = person.cohort as usize;
                    self.active -= 1;
                    self.in_system.active[c] -= 1;
                    let p_err = self.s.backend.error_probability;
                    if p_err > 0.0 && self.rng.random::<f64>() < p_err {
                        self.drop_attempt(person, DropCause::BackendError);
                    } else {
                        self.stats.booked(c, t - person.first);
                    }
                    self.try_admit();
                }
                Event::AdmitTimer => {
                    self.timer_pending = false;
                    self.try_admit();
                }
            }
        }
        let results = self
            .stats
            .finish(horizon, self.line.len(), self.active, self.handled);
        Outcome {
            results,
            in_system: self.in_system,
        }
    }

    fn schedule_next_arrival(&mut self, stream: usize) {
        if let Some(t) = self.streams[stream].next(&mut self.rng) {
            self.events.schedule(
                t,
                Event::Arrival {
                    stream: stream as u32,
                },
            );
        }
    }

    /// A person starts an attempt: into the waiting room, or straight to the
    /// backend when there is none.
    fn attempt(&mut self, mut person: Person) {
        person.attempts += 1;
        let c = person.cohort as usize;
        self.stats.attempt(c, person.attempts > 1);
        let Some(room) = &self.s.waiting_room else {
            self.stats.admitted(c, None);
            self.enter_backend(person);
            return;
        };
        if room.max_queue > 0 && self.line.len() >= room.max_queue {
            self.drop_attempt(person, DropCause::QueueFull);
            return;
        }
        let ticket = self.line.push(person, self.now);
        self.in_system.queued[c] += 1;
        if let Some(patience) = &self.s.clients.patience {
            let at = self.now + patience.sample(&mut self.rng);
            self.events.schedule(at, Event::Abandon { ticket });
        }
        self.try_admit();
    }

    /// Admit from the head of the line while sessions and the rate limit allow.
    fn try_admit(&mut self) {
        let Some(room) = &self.s.waiting_room else {
            return;
        };
        while self.line.len() > 0 && self.active < room.max_active {
            if let Some(spacing) = self.admit_spacing {
                if self.now < self.next_admit_at {
                    if !self.timer_pending {
                        self.timer_pending = true;
                        self.events.schedule(self.next_admit_at, Event::AdmitTimer);
                    }
                    return;
                }
                self.next_admit_at = self.now + spacing;
            }
            let (person, joined) = self.line.pop().expect("line is not empty");
            let c = person.cohort as usize;
            self.in_system.queued[c] -= 1;
            self.stats.admitted(c, Some(self.now - joined));
            self.enter_backend(person);
        }
    }

    /// The eligibility check, then a booking session if one is free.
    fn enter_backend(&mut self, person: Person) {
        let c = person.cohort as usize;
        let cohort = &self.s.cohorts[c];
        if !cohort.eligible {
            // Ineligible visitors are told so and leave for good.
            self.stats.turned_away(c);
            self.stats.gave_up(c);
            return;
        }
        if let Err(next_open) = window_at(&cohort.windows, self.now) {
            // Outside the windows: come back when the next one opens, if any.
            self.stats.turned_away(c);
            match next_open {
                Some(opens) => self.after_failure(person, opens),
                None => self.stats.gave_up(c),
            }
            return;
        }
        if self.active >= self.s.backend.max_sessions {
            self.drop_attempt(person, DropCause::BackendFull);
            return;
        }
        self.active += 1;
        self.in_system.active[c] += 1;
        let end = self.now + self.s.clients.session.sample(&mut self.rng);
        self.events.schedule(end, Event::SessionEnd { person });
    }

    fn drop_attempt(&mut self, person: Person, cause: DropCause) {
        self.stats.dropped(person.cohort as usize, cause);
        self.after_failure(person, self.now);
    }

    /// After a failed attempt: retry (from `base`, plus a delay) or give up.
    fn after_failure(&mut self, person: Person, base: SimTime) {
        let c = person.cohort as usize;
        let retry = &self.s.clients.retry;
        if person.attempts < retry.max_attempts
            && retry.probability > 0.0
            && self.rng.random::<f64>() < retry.probability
        {
            let at = base + retry.delay.sample(&mut self.rng);
            self.in_system.retrying[c] += 1;
            self.events.schedule(at, Event::Retry { person });
        } else {
            self.stats.gave_up(c);
        }
    }
}

/// `Ok` if a window is open at `t`; else the opening of the next one, if any.
fn window_at(windows: &[Window], t: SimTime) -> Result<(), Option<SimTime>> {
    for w in windows {
        if t < w.opens {
            return Err(Some(w.opens));
        }
        if t < w.closes {
            return Ok(());
        }
    }
    Err(None)
}
