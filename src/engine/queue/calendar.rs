//! A calendar queue (after Brown, "Calendar queues", CACM 31(10), 1988):
//! a ring of one-second buckets ("days") covering the next 36 hours, an
//! unsorted vector per bucket, and a small binary heap holding only the
//! bucket being played. Scheduling is an append; each event is moved once,
//! into the heap, when its second comes; the heap stays small enough to
//! live in cache whatever the number of pending events. Events beyond the
//! ring's reach wait in an overflow heap and enter the ring as it turns.
//!
//! The heap orders by (time, seq), so equal times still come out in the
//! order they were scheduled.

use super::heap::Entry;
use super::FutureEvents;
use crate::engine::SimTime;
use std::collections::BinaryHeap;

/// Width of a bucket [µs]: one second, about the spacing of events on a
/// busy night and far below the minutes that sessions and patience last.
const WIDTH: u64 = 1_000_000;
/// Buckets in the ring: 2^17 s, about 36 hours.
const BUCKETS: u64 = 1 << 17;

pub struct CalendarQueue<E> {
    /// Events before `window_end`, in (time, seq) order.
    near: BinaryHeap<Entry<E>>,
    /// Start of the first bucket not yet moved into `near`.
    window_end: u64,
    /// Bucket `(t / WIDTH) % BUCKETS` holds events with time t in
    /// [window_end, window_end + BUCKETS·WIDTH).
    ring: Vec<Vec<Entry<E>>>,
    /// Events at or beyond the ring's reach when scheduled.
    overflow: BinaryHeap<Entry<E>>,
    /// Events in the ring (not in `near` or `overflow`).
    in_ring: usize,
    len: usize,
    next_seq: u64,
}

impl<E> Default for CalendarQueue<E> {
    fn default() -> Self {
        CalendarQueue {
            near: BinaryHeap::new(),
            window_end: 0,
            ring: (0..BUCKETS).map(|_| Vec::new()).collect(),
            overflow: BinaryHeap::new(),
            in_ring: 0,
            len: 0,
            next_seq: 0,
        }
    }
}

impl<E> CalendarQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// End of the ring's reach; it stops at the clock's end (an event can
    /// sit at `SimTime::MAX`: a sampled duration that saturates).
    fn reach(&self) -> u64 {
        self.window_end.saturating_add(BUCKETS * WIDTH)
    }

    fn place(&mut self, entry: Entry<E>) {
        let t = entry.time.0;
        if t < self.window_end {
            self.near.push(entry);
        } else if t < self.reach() {
            self.ring[((t / WIDTH) % BUCKETS) as usize].push(entry);
            self.in_ring += 1;
        } else {
            self.overflow.push(entry);
        }
    }

    /// Schedule `event` at `time` (which may be anything from the last
    /// popped time on; earlier times would still come out, but first).
    #[inline]
    pub fn schedule(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.len += 1;
        self.place(Entry { time, seq, event });
    }

    /// Remove and return the earliest pending event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.settle();
        let e = self.near.pop()?;
        self.len -= 1;
        Some((e.time, e.event))
    }

    /// The time of the earliest pending event.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        self.settle();
        self.near.peek().map(|e| e.time)
    }

    /// Bring the earliest pending events into `near`, if any are pending.
    fn settle(&mut self) {
        if self.len == 0 {
            return;
        }
        while self.near.is_empty() {
            if self.in_ring == 0 {
                // Nothing in the ring: jump straight to the overflow's
                // earliest second instead of turning the ring bucket by bucket.
                let next = self.overflow.peek().expect("len > 0").time.0;
                self.window_end = self.window_end.max(next / WIDTH * WIDTH);
            }
            if self.window_end > u64::MAX - WIDTH {
                // The clock's last second: no bucket lies beyond it, so
                // everything pending comes next, in (time, seq) order.
                self.take_all();
                break;
            }
            // Play the next bucket, then let the ring reach one bucket
            // further and take in what the overflow holds for that bucket.
            let bucket = std::mem::take(&mut self.ring[((self.window_end / WIDTH) % BUCKETS) as usize]);
            self.in_ring -= bucket.len();
            self.window_end += WIDTH;
            self.near.extend(bucket);
            let reach = self.reach();
            while self.overflow.peek().is_some_and(|e| e.time.0 < reach) {
                let e = self.overflow.pop().expect("peeked");
                self.place(e);
            }
        }
    }

    /// Move every pending event into `near`.
    fn take_all(&mut self) {
        if self.in_ring > 0 {
            for bucket in self.ring.iter_mut().filter(|b| !b.is_empty()) {
                self.near.extend(bucket.drain(..));
            }
            self.in_ring = 0;
        }
        self.near.extend(self.overflow.drain());
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<E> FutureEvents<E> for CalendarQueue<E> {
    fn schedule(&mut self, time: SimTime, event: E) {
        CalendarQueue::schedule(self, time, event)
    }
    fn pop(&mut self) -> Option<(SimTime, E)> {
        CalendarQueue::pop(self)
    }
    fn pop_due(&mut self, limit: SimTime) -> Option<(SimTime, E)> {
        if CalendarQueue::peek_time(self)? > limit {
            return None;
        }
        CalendarQueue::pop(self)
    }
    fn len(&self) -> usize {
        CalendarQueue::len(self)
    }
}
