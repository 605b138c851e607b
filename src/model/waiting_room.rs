//! The waiting room in the model: who joins the line (or is let past it),
//! who leaves it early (patience, a lost connection, a full line), who is
//! admitted, when, and what happens at the front (a bounce back, a turn
//! that expires). Whether and how fast the room admits is the gate's
//! (`gate`); the line itself, its order and tickets, is `line`'s.

use super::{Event, Leave, Model, Person, Purpose, Timer};
use crate::engine::{FutureEvents, SimTime};
use crate::scenario::span_at;
use crate::stats::DropCause;
use rand::RngExt;

impl<Q: FutureEvents<Event>> Model<'_, Q> {
    /// Into the waiting room, or on to the backend.
    pub(super) fn enter_room(&mut self, person: Person) {
        let c = person.cohort();
        if self.inventory.sold_out(c) || self.gate.paused() {
            // The front page says so: no queue, no retry.
            return self.told_sold_out(person);
        }
        let Some(room) = &self.s.waiting_room else {
            self.admitted(person, None);
            self.enter_backend(person);
            return;
        };
        // A back door, or a waiting room failing open under front overload.
        let back_door =
            span_at(&room.bypass, self.now).is_some_and(|share| self.chance(Purpose::Bypass, person, share));
        let fail_open = room.fail_open && self.front.as_ref().is_some_and(|f| f.waiting() > 0);
        if back_door || fail_open {
            self.stats.bypassed(c);
            self.admitted(person, None);
            self.enter_backend(person);
            return;
        }
        self.join_line(person);
    }

    pub(super) fn join_line(&mut self, person: Person) {
        let shown = self.show_wait();
        if shown.is_some_and(|w| self.balks(person, w)) {
            self.stats.balked(person.cohort());
            self.after_failure(person, self.now);
            return;
        }
        if self.line.len() == 0 && self.can_admit() && self.session_free() && self.gate.due(self.now) {
            // Nobody ahead and a session free: straight through, with no
            // place in line and no deadline to draw (it could never fire).
            self.admit(person, self.now);
        } else {
            self.enqueue_shown(person, shown);
        }
        self.try_admit();
    }

    /// The wait the room shows a person joining now (counted), if it shows one.
    #[inline]
    fn show_wait(&mut self) -> Option<SimTime> {
        let (ahead, now, max_sessions, cap) = (self.line.len(), self.now, self.max_sessions, self.cap_per_sec());
        let shown = self.shown.as_mut().map(|s| s.wait(ahead, now, &self.gate, max_sessions, cap))?;
        self.stats.shown_wait(shown);
        Some(shown)
    }

    /// Whether the `shown` wait is longer than the person accepts, by their
    /// own draw (their cohort's `balk`).
    pub(super) fn balks(&mut self, person: Person, shown: SimTime) -> bool {
        let Some(tolerance) = &self.clients[person.cohort()].balk else { return false };
        shown > tolerance.sample(&mut self.streams.of(Purpose::Balk, person))
    }

    /// Whether the room may admit anyone now: it is open, and nothing
    /// behind it stops the line: the backend, or an identity check at
    /// booking (one before the queue is in front of the line: people in it
    /// have passed, and the line goes on while new ones cannot join).
    #[inline]
    pub(super) fn can_admit(&self) -> bool {
        self.gate.lets_through(|| self.backend_down || self.check_at_booking_down())
    }

    /// An identity check at booking is down (admitted people cannot be checked).
    pub(super) fn check_at_booking_down(&self) -> bool {
        self.identity.as_ref().is_some_and(|i| i.down) && !self.identity_before_queue()
    }

    /// Into the line (or dropped if it is full), without admitting anyone
    /// and without being shown a wait (a bounce back to the end).
    pub(super) fn enqueue(&mut self, person: Person) {
        self.enqueue_shown(person, None);
    }

    /// Into the line, shown a wait of `shown` on joining (if the room shows one).
    pub(super) fn enqueue_shown(&mut self, person: Person, shown: Option<SimTime>) {
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
            (Some(p), Some(l)) => Some(if l < p { (l, Leave::Lost) } else { (p, Leave::Patience) }),
            (Some(p), None) => Some((p, Leave::Patience)),
            (None, Some(l)) => Some((l, Leave::Lost)),
            (None, None) => None,
        };
        // Once the shown wait has passed, the overdue hazard competes too
        // (the earliest wins; at a tie the others).
        let overdue = shown.zip(self.clients[c].overdue_hazard).and_then(|(w, h)| self.overdue_at(person, w, h));
        let leave = match (leave, overdue) {
            (Some((at, why)), Some(o)) if at <= o => Some((at, why)),
            (_, Some(o)) => Some((o, Leave::Overdue)),
            (leave, None) => leave,
        };
        if let Some((at, why)) = leave {
            self.events.schedule(at, Event::LeaveQueue { ticket, why });
        }
    }

    /// When a person joining now, shown a wait of `shown`, leaves under the
    /// overdue hazard `per_minute` (their own draw: join + shown + an
    /// exponential of that rate); `None` if after the run's end.
    fn overdue_at(&self, person: Person, shown: SimTime, per_minute: f64) -> Option<SimTime> {
        let u: f64 = self.streams.of(Purpose::Overdue, person).random();
        let after = -(1.0 - u).ln() / per_minute * 60.0;
        let at = (self.now + shown).as_secs_f64() + after;
        (at < self.s.duration.as_secs_f64()).then(|| SimTime::from_secs_f64(at))
    }

    /// Whether a booking session is free for one more admission (sessions
    /// held through an identity check at booking count).
    pub(super) fn session_free(&self) -> bool {
        self.gate.session_free(self.sessions.len() as u64 + self.pending_sessions, self.max_sessions)
    }

    /// Admit from the line while sessions and the rate limit allow.
    #[inline]
    pub(super) fn try_admit(&mut self) {
        // Called after every session and every arrival: the common "nobody
        // waiting" case costs no call.
        if self.line.len() > 0 && self.can_admit() {
            self.admit_from_line();
        }
    }

    pub(super) fn admit_from_line(&mut self) {
        while self.line.len() > 0 && self.session_free() {
            if !self.gate.due(self.now) {
                // The rate limit: come back when it allows the next one
                // (one wake-up at a time: the rate moves only on admission).
                if !self.timers.is_set(Timer::Admit) {
                    self.timers.set(Timer::Admit, self.gate.next_allowed());
                }
                return;
            }
            let (person, joined) = self.line.pop(&mut self.streams.room_order).expect("line is not empty");
            let person = person.person();
            self.in_system.queued[person.cohort()] -= 1;
            if self.devices.on {
                self.devices.left_line(person);
            }
            if self.inventory.sold_out(person.cohort()) {
                // Only with on_sold_out = "at_front" is anyone of a sold-out
                // cohort still in line: told at their turn, which the rate
                // spaces. The line moved by one, so the shown wait's rate
                // (the line's recent progress) counts it as an admission.
                self.gate.admitted(self.now);
                if let Some(shown) = &mut self.shown {
                    shown.admitted(self.now);
                }
                self.told_sold_out(person);
                continue;
            }
            self.admit(person, joined);
        }
    }

    /// The person at the front of the line (there since `joined`) gets
    /// their turn.
    pub(super) fn admit(&mut self, mut person: Person, joined: SimTime) {
        // Only a waiting room admits (without one, page_loaded goes straight
        // to the backend): losing the person silently would hide a bug.
        let room = self.s.waiting_room.as_ref().expect("admission through a waiting room");
        self.gate.admitted(self.now);
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
                self.stats.attempt(c, true, person.first());
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
        self.admitted(person, Some(self.now - joined));
        self.enter_backend(person);
    }
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
