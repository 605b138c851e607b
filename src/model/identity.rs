//! The identity check: its own tier of concurrent check slots (the same
//! pool as the front tier's, `servers::Servers`), with a client timeout, placed
//! either before the waiting room or at the start of the booking session.
//!
//! - **Before the queue** (the August 2021 redesign): after the page loads,
//!   a person is checked, and the eligibility check comes with it (the site
//!   knows who they are): ineligible visitors, people outside their window
//!   and the clock bug's victims are turned away here, before they take a
//!   place in the line or load its polls. The backend checks nothing more.
//! - **At booking** (the July 2021 site): an admitted person takes a
//!   session and is checked first; the session is held (it counts against
//!   the room's and the backend's limits) while the check runs, and the
//!   eligibility check follows it as before.
//!
//! A check that has not finished `timeout` after it was asked for fails
//! (`identity_timeout`; the person retries per the retry policy). Unlike
//! the front tier, a check whose client has left is not worked on: the
//! slot is freed at once (the check is a session of the client's, not a
//! page the server renders regardless).

use super::{Event, Model, Person, Purpose, Timer};
use crate::engine::FutureEvents;
use crate::scenario::Placement;
use crate::stats::DropCause;

impl<Q: FutureEvents<Event>> Model<'_, Q> {
    /// Whether the identity check comes before the waiting room.
    #[inline]
    pub(super) fn identity_before_queue(&self) -> bool {
        self.s.identity.as_ref().is_some_and(|i| i.placement == Placement::BeforeQueue)
    }

    /// An admitted person, at booking: hold a session while checked.
    pub(super) fn check_at_booking(&mut self, person: Person) {
        if self.backend_down {
            self.drop_attempt(person, DropCause::BackendOutage);
            return;
        }
        if self.sessions.len() as u64 + self.pending_sessions >= self.max_sessions {
            self.drop_attempt(person, DropCause::BackendFull);
            return;
        }
        self.pending_sessions += 1;
        self.check_identity(person);
    }

    /// Ask for a check: it waits for a slot, first come first served.
    pub(super) fn check_identity(&mut self, person: Person) {
        let c = person.cohort();
        self.stats.identity_check(c);
        if let Some(Err(e)) = self.identity.as_mut().map(|i| i.push(person.stored(), self.now)) {
            return self.lost(e, "identity checks waiting");
        }
        self.in_system.checking[c] += 1;
        self.identity_serve();
        self.arm_identity_timer();
    }

    /// Start checks while slots are free (none while the tier is down).
    pub(super) fn identity_serve(&mut self) {
        let Some(cfg) = &self.s.identity else { return };
        loop {
            let Some(tier) = &mut self.identity else { return };
            let capacity = if tier.down { 0 } else { tier.capacity };
            if tier.busy >= capacity {
                return;
            }
            // Without wasted work no dead request is ever queued.
            let Some(Some((person, asked))) = tier.next() else { return };
            tier.busy += 1;
            let done = self.now + cfg.service.sample(&mut self.streams.of(Purpose::IdentityCheck, person.person()));
            let deadline = asked + cfg.timeout;
            if done <= deadline {
                self.events.schedule(done, Event::IdentityDone { person });
            } else {
                self.events.schedule(deadline, Event::IdentityTimeout { person });
            }
        }
    }

    fn arm_identity_timer(&mut self) {
        let Some(cfg) = &self.s.identity else { return };
        let Some(tier) = &self.identity else { return };
        if !self.timers.is_set(Timer::IdentityExpiry) {
            if let Some(at) = tier.next_deadline(cfg.timeout) {
                self.timers.set(Timer::IdentityExpiry, at);
            }
        }
    }

    /// Clients still waiting for a slot past their timeout give up.
    pub(super) fn identity_expire(&mut self) {
        let Some(cfg) = &self.s.identity else { return };
        let timeout = cfg.timeout;
        while let Some(person) = self.identity.as_mut().and_then(|i| i.expire_one(self.now, timeout, false)) {
            let person = person.person();
            self.in_system.checking[person.cohort()] -= 1;
            self.identity_failed(person);
        }
        self.arm_identity_timer();
    }

    /// A check in service ran past its client's timeout.
    pub(super) fn identity_timed_out(&mut self, person: Person) {
        self.identity_slot_freed();
        self.in_system.checking[person.cohort()] -= 1;
        self.identity_failed(person);
        self.identity_serve();
    }

    pub(super) fn identity_done(&mut self, person: Person) {
        self.identity_slot_freed();
        self.in_system.checking[person.cohort()] -= 1;
        self.identity_passed(person);
        self.identity_serve();
    }

    fn identity_slot_freed(&mut self) {
        if let Some(i) = &mut self.identity {
            i.busy -= 1;
        }
    }

    fn identity_failed(&mut self, person: Person) {
        if !self.identity_before_queue() {
            self.pending_sessions -= 1;
        }
        self.drop_attempt(person, DropCause::IdentityTimeout);
        // A held session was let go: someone else may be admitted.
        self.try_admit();
    }

    /// Checked: on to the line (with the eligibility check), or into the
    /// session held for them. A device of a person whose other device is
    /// in is refused (the device lock).
    fn identity_passed(&mut self, person: Person) {
        let before_queue = self.identity_before_queue();
        if !before_queue {
            self.pending_sessions -= 1;
        }
        if self.devices.on && !before_queue && self.device_served(person) {
            // Another device of theirs got a session while this one was checked.
        } else if self.devices.on && !self.device_passes(person) {
            self.drop_attempt(person, DropCause::DeviceLocked);
        } else if before_queue {
            if self.screen(person) {
                self.enter_room(person);
            }
        } else if self.screen(person) {
            self.start_session(person);
        }
        if !before_queue {
            self.try_admit();
        }
    }
}
