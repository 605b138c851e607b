//! After a failed attempt: the person retries (after a delay, with the
//! retry policy's probability, within its attempts) or gives up; and the
//! draws that decide by chance, each from the person's own stream.

use super::{Event, Model, Person, Purpose};
use crate::engine::{FutureEvents, SimTime};
use crate::stats::DropCause;
use rand::RngExt;

impl<Q: FutureEvents<Event>> Model<'_, Q> {
    /// True with probability `p`, by `person`'s own draw for `purpose`.
    #[inline]
    pub(super) fn chance(&self, purpose: Purpose, person: Person, p: f64) -> bool {
        self.streams.of(purpose, person).random::<f64>() < p
    }

    pub(super) fn drop_attempt(&mut self, person: Person, cause: DropCause) {
        self.stats.dropped(person.cohort(), cause);
        self.after_failure(person, self.now);
    }

    /// After a failed attempt: retry (from `base`, plus a delay) or give up.
    pub(super) fn after_failure(&mut self, person: Person, base: SimTime) {
        let delay = self.clients[person.cohort()].retry.delay.sample(&mut self.streams.of(Purpose::RetryDelay, person));
        self.retry_or_give_up(person, base + delay);
    }

    pub(super) fn retry_or_give_up(&mut self, person: Person, at: SimTime) {
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
