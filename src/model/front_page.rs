//! The front tier in the model: an attempt starts by loading the entry
//! page from the front tier's server pool (`servers`); a load that takes
//! longer than the client's timeout fails, and the person reloads after
//! the refresh delay, per the retry policy. Waiting people's status polls
//! take their share of the slots first. A loaded page leads to the identity
//! check (if it comes first) or the waiting room.

use super::{Event, Model, Person, Purpose, Timer};
use crate::engine::{FutureEvents, SimTime};
use crate::stats::DropCause;

impl<Q: FutureEvents<Event>> Model<'_, Q> {
    /// A person starts an attempt by loading the entry page (`again`: the
    /// first of a catch-up round, which is not the person's first).
    pub(super) fn attempt(&mut self, mut person: Person, again: bool) {
        person.next_attempt();
        let c = person.cohort();
        if self.devices.on && person.attempts() == 1 && person.device() > 0 {
            self.stats.device_arrival(c, person.first());
        } else {
            self.stats.attempt(c, again || person.attempts() > 1, person.first());
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

    pub(super) fn front_slot_freed(&mut self) {
        if let Some(f) = &mut self.front {
            f.busy -= 1;
        }
    }

    /// Start page loads while slots are free. Waiting people's polls take
    /// their share of the slots first (accounted in aggregate).
    pub(super) fn front_serve(&mut self) {
        let Some(cfg) = &self.s.front else { return };
        let polls = self.poll_slots();
        let mut dead_started = 0;
        loop {
            let Some(f) = &mut self.front else { return };
            let capacity = if f.down { 0 } else { f.capacity.saturating_sub(polls) };
            if f.busy >= capacity {
                break;
            }
            let Some(request) = f.next() else { break };
            f.busy += 1;
            match request {
                // A dead request (wasted work): the slot is busy for nothing.
                None if self.dead_loads.together => dead_started += 1,
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
        if dead_started > 0 {
            self.dead_loads.serving += dead_started;
            self.draw_next_dead_load_done();
        }
    }

    /// Exponential service, dead page loads in aggregate: when the next of
    /// those in service ends. The least of k exponential times of mean m is
    /// exponential of mean m / k, and what is left of each is exponential
    /// again whenever one looks (memorylessness), so the next end may be
    /// drawn anew whenever k changes: the same process as one event a load,
    /// without the 14.6 M events the 19 July night's dead loads were.
    fn draw_next_dead_load_done(&mut self) {
        let Some(cfg) = &self.s.front else { return };
        let k = self.dead_loads.serving;
        if k == 0 {
            self.timers.clear(Timer::DeadPageLoadDone);
            return;
        }
        // Divided in seconds and rounded once: in whole microseconds the
        // quotient was cut short, by half a microsecond on average, 3 % of a
        // 20-microsecond gap at 50,000 loads (a reviewer's measure).
        let one = cfg.service.sample(&mut self.streams.dead_page_loads);
        self.timers.set(Timer::DeadPageLoadDone, self.now + SimTime::from_secs_f64(one.as_secs_f64() / k as f64));
    }

    /// One of the dead page loads drawn in aggregate ends: its slot is free.
    pub(super) fn dead_load_done(&mut self) {
        self.dead_loads.serving -= 1;
        self.front_slot_freed();
        self.draw_next_dead_load_done();
        self.front_serve();
    }

    pub(super) fn arm_front_timer(&mut self) {
        let Some(cfg) = &self.s.front else { return };
        let Some(f) = &self.front else { return };
        if !self.timers.is_set(Timer::FrontExpiry) {
            if let Some(at) = f.next_deadline(cfg.timeout) {
                self.timers.set(Timer::FrontExpiry, at);
            }
        }
    }

    /// Clients still waiting for a slot past their timeout give up.
    pub(super) fn front_expire(&mut self) {
        let Some(cfg) = &self.s.front else { return };
        let (timeout, keep_dead) = (cfg.timeout, cfg.wasted_work);
        while let Some(person) = self.front.as_mut().and_then(|f| f.expire_one(self.now, timeout, keep_dead)) {
            let person = person.person();
            self.in_system.loading[person.cohort()] -= 1;
            self.front_failed(person);
        }
        self.arm_front_timer();
    }

    /// A page load failed: reload after the refresh delay, per the retry policy.
    pub(super) fn front_failed(&mut self, person: Person) {
        self.stats.dropped(person.cohort(), DropCause::FrontTimeout);
        let delay = self.clients[person.cohort()].retry.refresh.sample(&mut self.streams.of(Purpose::Refresh, person));
        self.retry_or_give_up(person, self.now + delay);
    }

    /// The entry page is up: to the identity check if it comes first, else
    /// into the waiting room.
    pub(super) fn page_loaded(&mut self, person: Person) {
        if self.identity_before_queue() {
            self.check_identity(person);
        } else {
            self.enter_room(person);
        }
    }
}
