//! The front tier: the entry page, a pool of concurrent request slots.
//!
//! Page loads queue for a slot first come, first served. A client whose
//! page has not loaded `timeout` after asking gives up (and may reload).
//! Because every client has the same timeout and service is FIFO, clients
//! time out in queue order: the ones whose clients have left always form a
//! prefix of the queue, so one timer event at the head's deadline suffices.
//!
//! With `wasted_work`, servers still process requests whose client left,
//! both queued and in service: that burns capacity on answers nobody reads,
//! and with retries on top it can keep the tier collapsed after the trigger
//! is gone (a metastable failure). Without it, dead requests are discarded.

use crate::engine::SimTime;
use std::collections::VecDeque;

pub struct Front<P> {
    /// Scheduled capacity (concurrent requests).
    pub capacity: u64,
    pub down: bool,
    /// Slots in use.
    pub busy: u64,
    /// Waiting page loads: the client (`None` once gone) and when it asked.
    waiting: VecDeque<(Option<P>, SimTime)>,
    /// How many entries at the front of `waiting` have lost their client.
    gone: usize,
    pub timer_pending: bool,
}

impl<P> Front<P> {
    pub fn new(capacity: u64) -> Self {
        Front { capacity, down: false, busy: 0, waiting: VecDeque::new(), gone: 0, timer_pending: false }
    }

    /// Page loads waiting for a slot (dead ones included: they still queue).
    pub fn waiting(&self) -> u64 {
        self.waiting.len() as u64
    }

    pub fn push(&mut self, person: P, now: SimTime) {
        self.waiting.push_back((Some(person), now));
    }

    /// The next request to serve: `Some(Some(p))` a live client, `Some(None)`
    /// a dead request (only kept with wasted work), `None` nothing waiting.
    pub fn next(&mut self) -> Option<(Option<P>, SimTime)> {
        let item = self.waiting.pop_front()?;
        self.gone = self.gone.saturating_sub(1);
        Some(item)
    }

    /// When the oldest live client will give up, if any is waiting.
    pub fn next_deadline(&self, timeout: SimTime) -> Option<SimTime> {
        self.waiting.get(self.gone).map(|(_, asked)| *asked + timeout)
    }

    /// Clients whose deadline has passed by `now` give up; returns them. With
    /// `keep_dead`, their requests stay queued (to be served for nothing).
    pub fn expire(&mut self, now: SimTime, timeout: SimTime, keep_dead: bool) -> Vec<P> {
        let mut out = Vec::new();
        while let Some(entry) = self.waiting.get_mut(self.gone) {
            if entry.1 + timeout > now {
                break;
            }
            if let Some(p) = entry.0.take() {
                out.push(p);
            }
            if keep_dead {
                self.gone += 1;
            } else {
                self.waiting.pop_front();
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_time_out_in_order_and_dead_requests_stay_only_with_wasted_work() {
        let t = SimTime::from_secs(10);
        for keep in [true, false] {
            let mut f = Front::new(1);
            for i in 0..4u64 {
                f.push(i, SimTime::from_secs(i));
            }
            assert_eq!(f.next_deadline(t), Some(SimTime::from_secs(10)));
            assert_eq!(f.expire(SimTime::from_secs(11), t, keep), vec![0, 1]);
            assert_eq!(f.next_deadline(t), Some(SimTime::from_secs(12)));
            assert_eq!(f.waiting(), if keep { 4 } else { 2 });
            if keep {
                assert_eq!(f.next(), Some((None, SimTime::from_secs(0))));
                assert_eq!(f.next(), Some((None, SimTime::from_secs(1))));
            }
            assert_eq!(f.next(), Some((Some(2), SimTime::from_secs(2))));
        }
    }
}
