//! The backend's throughput cap (`backend.bookings_per_hour`): bookings
//! completed an hour at most, paced evenly.
//!
//! The pacing is the generic cell rate algorithm (a token bucket kept as
//! one time): a token every `3600 / cap` seconds, and a bucket of a
//! minute's tokens (`cap / 60`, at least one), full at the start. So in any
//! span of `L` seconds at most `cap * L / 3600 + cap / 60` bookings
//! complete: an hour holds at most the cap and one minute's tokens.
//!
//! A session that would complete a booking without a token waits for one
//! holding its session (it still counts against `max_sessions`, so a
//! binding cap fills the backend and the line waits behind it), first come
//! first served. Sessions that end in an error, or whose cohort has sold
//! out, complete nothing and take no token. A waiting session does not
//! time out or abandon (the model lets nobody leave a session: the person
//! sees a page that is still working); an outage ends it like any other.

use super::slab::Key;
use super::{Event, Model, Timer};
use crate::engine::{FutureEvents, OutOfMemory, SimTime};
use std::collections::VecDeque;

/// The pacing: when the next booking may complete.
#[derive(Clone, Copy, Debug)]
pub struct Cap {
    /// Microseconds between two tokens.
    interval: f64,
    /// How far ahead of the even pace bookings may run: the bucket's
    /// tokens beyond the first, in microseconds.
    tolerance: f64,
    /// The theoretical time of the next booking at the even pace [us].
    due: f64,
}

impl Cap {
    /// A cap of `per_hour` bookings an hour (infinite: none yet).
    pub fn new(per_hour: f64) -> Cap {
        let mut cap = Cap { interval: 0.0, tolerance: 0.0, due: 0.0 };
        cap.set(per_hour, SimTime::ZERO);
        cap
    }

    /// The cap changes to `per_hour` at `now` (`backend.schedule`). The
    /// bucket keeps its state in tokens, not in time: the wait for the
    /// next token as a share of an interval (or, when tokens are to spare,
    /// how many), at the new pace. Kept as time, a cap raised from 2 to
    /// 36,000 an hour while sessions wait would stall for the rest of the
    /// old half-hour; an empty bucket stays empty (no new minute's tokens
    /// at once), a full one is full at its new size.
    pub fn set(&mut self, per_hour: f64, now: SimTime) {
        let t = now.0 as f64;
        // No pace yet (no cap, or an infinite one): a full bucket.
        let ahead = (self.interval > 0.0).then(|| (self.due - self.tolerance - t) / self.interval);
        if per_hour.is_finite() {
            self.interval = 3.6e9 / per_hour;
            self.tolerance = ((per_hour / 60.0).max(1.0) - 1.0) * self.interval;
        } else {
            (self.interval, self.tolerance) = (0.0, 0.0);
        }
        // `take` reads a `due` before now as now (a full bucket).
        self.due = ahead.map_or(t, |a| (t + self.tolerance + a * self.interval).max(t));
    }

    /// Bookings a second at the even pace (infinite: no cap yet).
    pub fn per_sec(&self) -> f64 {
        if self.interval > 0.0 {
            1e6 / self.interval
        } else {
            f64::INFINITY
        }
    }

    /// Take a token at `now` if there is one.
    pub fn take(&mut self, now: SimTime) -> bool {
        let t = now.0 as f64;
        if t < self.due - self.tolerance {
            return false;
        }
        self.due = self.due.max(t) + self.interval;
        true
    }

    /// When the next token comes (rounded up to the microsecond: `take`
    /// then succeeds).
    pub fn next_at(&self) -> SimTime {
        SimTime((self.due - self.tolerance).ceil().max(0.0) as u64)
    }
}

/// The cap and the sessions waiting for a token, in the order they ended.
pub struct Throughput {
    pub cap: Cap,
    pub waiting: VecDeque<Key>,
}

impl Throughput {
    /// The backend's cap, if it has one (or gets one later in its schedule).
    pub fn new(s: &crate::scenario::Scenario) -> Option<Throughput> {
        let b = &s.backend;
        let first = b.bookings_per_hour.or(b.bookings_schedule.first().map(|_| f64::INFINITY))?;
        Some(Throughput { cap: Cap::new(first), waiting: VecDeque::new() })
    }
}

impl<Q: FutureEvents<Event>> Model<'_, Q> {
    /// Bookings a second the cap allows now (infinite without one).
    #[inline]
    pub(super) fn cap_per_sec(&self) -> f64 {
        self.throughput.as_ref().map_or(f64::INFINITY, |t| t.cap.per_sec())
    }

    /// A session's work is done under a cap: it completes now if it books
    /// nothing or a token is free (and nobody waits before it), else it
    /// waits for a token holding its session.
    pub(super) fn session_due(&mut self, key: Key) {
        let Some(person) = self.sessions.get(key).map(|p| p.person()) else { return };
        let error = self.session_error(person);
        let books = !error && !self.inventory.sold_out(person.cohort());
        let t = self.throughput.as_mut().expect("a cap");
        if books && (!t.waiting.is_empty() || !t.cap.take(self.now)) {
            if t.waiting.try_reserve(1).is_err() {
                let len = t.waiting.len();
                let e = OutOfMemory::new("sessions waiting for a token", len, 2 * len * std::mem::size_of::<Key>());
                return self.lost(e, "sessions waiting for a token");
            }
            t.waiting.push_back(key);
            let at = t.cap.next_at();
            self.timers.set(Timer::Token, at);
            return;
        }
        self.sessions.remove(key);
        self.close_session(person, error);
    }

    /// A token is due: the sessions at the head of the wait complete, as
    /// long as tokens last (one whose cohort sold out meanwhile takes none).
    pub(super) fn token_due(&mut self) {
        loop {
            let t = self.throughput.as_mut().expect("a cap");
            let Some(&key) = t.waiting.front() else { return };
            // Gone already if an outage ended it while it waited.
            let Some(person) = self.sessions.get(key).map(|p| p.person()) else {
                t.waiting.pop_front();
                continue;
            };
            let sold_out = self.inventory.sold_out(person.cohort());
            if !sold_out && !t.cap.take(self.now) {
                let at = t.cap.next_at();
                self.timers.set(Timer::Token, at);
                return;
            }
            t.waiting.pop_front();
            self.sessions.remove(key);
            self.close_session(person, false);
        }
    }

    /// The cap changes to `per_hour` (a scheduled change).
    pub(super) fn set_cap(&mut self, per_hour: f64) {
        let Some(t) = &mut self.throughput else { return };
        t.cap.set(per_hour, self.now);
        if !t.waiting.is_empty() {
            let at = t.cap.next_at().max(self.now);
            self.timers.set(Timer::Token, at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Greedy takers at every microsecond they are allowed: the bucket
    /// (a minute's tokens) at once, then one every interval; no span of an
    /// hour holds more than the cap and the bucket.
    #[test]
    fn the_bucket_then_the_even_pace() {
        let mut cap = Cap::new(3600.0);
        let mut taken = Vec::new();
        let mut now = SimTime::ZERO;
        while now < SimTime::from_secs(7200) {
            if cap.take(now) {
                taken.push(now);
            } else {
                let next = cap.next_at();
                assert!(next > now, "a token later, not now");
                now = next;
            }
        }
        assert_eq!(taken.iter().filter(|&&t| t == SimTime::ZERO).count(), 60, "the bucket at once");
        assert_eq!(taken[60], SimTime::from_secs(1), "then one a second");
        for (i, &t) in taken.iter().enumerate() {
            let within = taken[i..].iter().take_while(|&&u| u < t + SimTime::from_secs(3600)).count();
            assert!(within <= 3600 + 60, "{within} in the hour from {t:?}");
        }
    }

    /// A changed cap keeps its bucket in tokens: from 2 an hour to 36,000
    /// with the bucket empty, the wait left of the old half-hour (two
    /// thirds of it) is two thirds of the new interval (0.1 s), and the
    /// new bucket starts empty; lowered, the wait is the same share of the
    /// slower interval.
    #[test]
    fn a_changed_cap_keeps_its_bucket_in_tokens() {
        let mut cap = Cap::new(2.0);
        assert!(cap.take(SimTime::ZERO));
        assert!(!cap.take(SimTime::from_secs(600)), "the next token of 2 an hour is at 30 min");
        cap.set(36_000.0, SimTime::from_secs(600));
        let first = cap.next_at();
        assert!(
            first > SimTime(600_066_000) && first <= SimTime(600_066_667),
            "raised: a token within 0.1 s, at {first:?}"
        );
        assert!(cap.take(first));
        assert!(!cap.take(first), "the new bucket starts empty");
        assert!(cap.next_at() <= first + SimTime(100_000), "then one every 0.1 s");
        let mut cap = Cap::new(60.0);
        assert!(cap.take(SimTime::ZERO));
        // A token owed in full at 60 an hour (due at 60 s), lowered to 6 an
        // hour at 0 s: one token at the new pace, 600 s.
        cap.set(6.0, SimTime::ZERO);
        assert_eq!(cap.next_at(), SimTime::from_secs(600));
    }

    #[test]
    fn a_small_cap_has_a_bucket_of_one_and_an_infinite_one_never_waits() {
        let mut cap = Cap::new(30.0);
        assert!(cap.take(SimTime::ZERO));
        assert!(!cap.take(SimTime::from_secs(119)));
        assert_eq!(cap.next_at(), SimTime::from_secs(120));
        let mut none = Cap::new(f64::INFINITY);
        assert!((0..1000).all(|_| none.take(SimTime::from_secs(5))));
    }
}
