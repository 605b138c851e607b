//! A pool of servers: concurrent request slots that any tier runs on (the
//! front tier's page loads, the identity check's checks), with a queue for
//! a slot, first come, first served.
//!
//! A client whose request has not been served `timeout` after asking gives
//! up (and may ask again). Because every client has the same timeout and
//! service is FIFO, clients time out in queue order: the ones whose clients
//! have left always form a prefix of the queue, so one wake-up at the
//! head's deadline suffices.
//!
//! With `keep_dead` (the front tier's `wasted_work`), servers still process
//! requests whose client left, both queued and in service: that burns
//! capacity on answers nobody reads, and with retries on top it can keep
//! the tier collapsed after the trigger is gone (a metastable failure).
//! Without it, dead requests are discarded.

use crate::engine::{OutOfMemory, SimTime};
use std::collections::VecDeque;

pub struct Servers<P> {
    /// Scheduled capacity (concurrent requests).
    pub capacity: u64,
    pub down: bool,
    /// Slots in use.
    pub busy: u64,
    /// Requests at the head of the queue whose client has gone (kept only
    /// with wasted work). Clients time out in queue order, so the dead
    /// requests are always a prefix of the queue: a count is all they need.
    /// (Stored one by one they were 10 M entries, 400 MB, on 19 July.)
    dead: u64,
    /// Waiting page loads behind the dead ones: the client and when it asked.
    live: VecDeque<Asked<P>>,
}

/// A page load waiting: the client and when they asked. 20 bytes for the
/// model's 12-byte person (packed to 4-byte alignment: aligned, 24).
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
struct Asked<P> {
    at: SimTime,
    person: P,
}

impl<P: Copy> Servers<P> {
    pub fn new(capacity: u64) -> Self {
        Servers { capacity, down: false, busy: 0, dead: 0, live: VecDeque::new() }
    }

    /// Bytes the queue holds at most per page load waiting, at the peak:
    /// an entry twice over (the queue doubles when full).
    pub const fn bytes_per_person() -> usize {
        2 * std::mem::size_of::<Asked<P>>()
    }

    /// Page loads waiting for a slot (dead ones included: they still queue).
    pub fn waiting(&self) -> u64 {
        self.dead + self.live.len() as u64
    }

    /// Queue a page load; an error (and nothing queued) if the queue
    /// could not grow.
    pub fn push(&mut self, person: P, now: SimTime) -> Result<(), OutOfMemory> {
        if self.live.len() == self.live.capacity() {
            let (len, more) = (self.live.len(), self.live.len().max(64));
            let bytes = (len + more) * std::mem::size_of::<Asked<P>>();
            let failed = |_| OutOfMemory::new("page loads waiting", len, bytes);
            self.live.try_reserve(more).map_err(failed)?;
        }
        self.live.push_back(Asked { person, at: now });
        Ok(())
    }

    /// The next request to serve: `Some(Some(p))` a live client, `Some(None)`
    /// a dead request (only kept with wasted work), `None` nothing waiting.
    pub fn next(&mut self) -> Option<Option<(P, SimTime)>> {
        if self.dead > 0 {
            self.dead -= 1;
            return Some(None);
        }
        self.live.pop_front().map(|a| Some((a.person, a.at)))
    }

    /// When the oldest live client will give up, if any is waiting.
    pub fn next_deadline(&self, timeout: SimTime) -> Option<SimTime> {
        self.live.front().map(|a| a.at + timeout)
    }

    /// The oldest waiting client, if their deadline has passed by `now`:
    /// they give up. With `keep_dead`, their request stays queued (to be
    /// served for nothing). Called until `None`.
    pub fn expire_one(&mut self, now: SimTime, timeout: SimTime, keep_dead: bool) -> Option<P> {
        let asked = self.live.front()?.at;
        if asked + timeout > now {
            return None;
        }
        if keep_dead {
            self.dead += 1;
        }
        self.live.pop_front().map(|a| a.person)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_time_out_in_order_and_dead_requests_stay_only_with_wasted_work() {
        let t = SimTime::from_secs(10);
        for keep in [true, false] {
            let mut f = Servers::new(1);
            for i in 0..4u64 {
                f.push(i, SimTime::from_secs(i)).unwrap();
            }
            assert_eq!(f.next_deadline(t), Some(SimTime::from_secs(10)));
            let out: Vec<_> = std::iter::from_fn(|| f.expire_one(SimTime::from_secs(11), t, keep)).collect();
            assert_eq!(out, vec![0, 1]);
            assert_eq!(f.next_deadline(t), Some(SimTime::from_secs(12)));
            assert_eq!(f.waiting(), if keep { 4 } else { 2 });
            if keep {
                assert_eq!(f.next(), Some(None));
                assert_eq!(f.next(), Some(None));
            }
            assert_eq!(f.next(), Some(Some((2, SimTime::from_secs(2)))));
        }
    }
}
