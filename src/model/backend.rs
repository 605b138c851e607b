//! The backend in the model: an admitted person's eligibility check (the
//! cohort's eligibility, its booking windows, the clock bug), then a
//! booking session if the backend is up and one is free; at the session's
//! end a backend error, or a slot from the inventory and a booking (under
//! a throughput cap, when a token allows: `throughput`). An outage ends
//! every session in progress.

use super::{Event, Model, Person, Purpose};
use crate::engine::{FutureEvents, SimTime};
use crate::scenario::{span_at, Cohort, Placement};
use crate::stats::DropCause;

impl<Q: FutureEvents<Event>> Model<'_, Q> {
    /// Admitted: the eligibility check, then a booking session if one is
    /// free. With an identity check before the queue, the eligibility check
    /// came with it; at booking, the check comes first.
    pub(super) fn enter_backend(&mut self, person: Person) {
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

    /// The backend goes down (`down`) or comes back up.
    pub(super) fn backend_outage(&mut self, down: bool) {
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
            if let Some(t) = &mut self.throughput {
                // Their sessions are gone: nobody waits for a token.
                t.waiting.clear();
            }
        }
        self.try_admit();
    }

    /// The eligibility check: true if the person may go on; else they were
    /// turned away (and retry or leave).
    pub(super) fn screen(&mut self, person: Person) -> bool {
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
    pub(super) fn start_session(&mut self, person: Person) {
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
        let length = self.clients[c].session.sample(&mut self.streams.of(Purpose::Session, person));
        if let Some(k) = &mut self.controller {
            k.session_began(length);
        }
        self.events.schedule(self.now + length, Event::SessionEnd { key });
    }

    pub(super) fn session_ended(&mut self, person: Person) {
        let error = self.session_error(person);
        self.close_session(person, error);
    }

    /// Whether the person's session, its work done now, ends in an error.
    #[inline]
    pub(super) fn session_error(&self, person: Person) -> bool {
        let p_err = span_at(&self.s.faults.error_windows, self.now).unwrap_or(self.s.backend.error_probability);
        p_err > 0.0 && self.chance(Purpose::BackendError, person, p_err)
    }

    /// The session (taken out of `sessions`) ends: in an error, or in a
    /// booking if a slot is left.
    pub(super) fn close_session(&mut self, person: Person, error: bool) {
        let c = person.cohort();
        self.in_system.active[c] -= 1;
        if self.devices.on {
            self.devices.in_session(person, false);
        }
        if error {
            self.drop_attempt(person, DropCause::BackendError);
        } else {
            match self.inventory.take(c) {
                None => self.drop_attempt(person, DropCause::NoSlots),
                Some(sold) => {
                    self.stats.booked(c, self.now - person.first(), person.first());
                    if self.devices.on {
                        self.device_booked(person);
                    }
                    self.sell_out(sold);
                }
            }
        }
        self.try_admit();
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
