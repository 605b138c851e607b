//! A monotone radix heap (Ahuja, Mehlhorn, Orlin & Tarjan, "Faster
//! algorithms for the shortest path problem", JACM 37(2), 1990) on event
//! times, with first-in-first-out ties.
//!
//! Bucket i (1..=64) holds events whose time differs from the last time
//! popped first in bit i-1; the events *at* the last time wait in `now`, in
//! scheduling order. A bit mask says which buckets are non-empty, so finding
//! the next one is one instruction. When `now` runs dry, the lowest
//! non-empty bucket is emptied: its earliest time becomes the new last time,
//! its events at that time go to `now` (sorted by sequence number), the rest
//! to lower buckets. Each event moves down at most 64 times, in practice a
//! few: far-off deadlines cost little until their time draws near.
//!
//! Written here rather than taken from the `radix-heap` crate because that
//! one keys on (time, seq) to keep ties in order, which makes every pop
//! rebuild a bucket and scan 129 of them (over half the run time of M/M/100).

use super::heap::Entry;
use super::FutureEvents;
use crate::engine::SimTime;
use std::collections::VecDeque;

pub struct RadixQueue<E> {
    /// The last time popped: no event may be scheduled before it.
    last: u64,
    /// Events at `last`, in scheduling order.
    now: VecDeque<Entry<E>>,
    /// `buckets[i]` for i in 1..=64; index 0 unused.
    buckets: Vec<Vec<Entry<E>>>,
    /// Bit i set when `buckets[i]` is not empty.
    nonempty: u128,
    len: usize,
    next_seq: u64,
}

impl<E> Default for RadixQueue<E> {
    fn default() -> Self {
        RadixQueue {
            last: 0,
            now: VecDeque::new(),
            buckets: (0..=64).map(|_| Vec::new()).collect(),
            nonempty: 0,
            len: 0,
            next_seq: 0,
        }
    }
}

impl<E> RadixQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The bucket of time `t` relative to the last time popped.
    #[inline]
    fn bucket(&self, t: u64) -> usize {
        (64 - (t ^ self.last).leading_zeros()) as usize
    }

    #[inline]
    fn place(&mut self, e: Entry<E>) {
        let b = self.bucket(e.time.0);
        if b == 0 {
            self.now.push_back(e);
        } else {
            self.buckets[b].push(e);
            self.nonempty |= 1 << b;
        }
    }

    /// Schedule `event` at `time`, which must not precede the last time
    /// popped (simulated time never goes back).
    #[inline]
    pub fn schedule(&mut self, time: SimTime, event: E) {
        debug_assert!(time.0 >= self.last, "scheduled in the past: {} < {}", time.0, self.last);
        // An event in the past would break the bucket invariant: run it next.
        let time = SimTime(time.0.max(self.last));
        let seq = self.next_seq;
        self.next_seq += 1;
        self.len += 1;
        self.place(Entry { time, seq, event });
    }

    /// Remove and return the earliest pending event.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.now.is_empty() {
            if self.nonempty == 0 {
                return None;
            }
            let b = self.nonempty.trailing_zeros() as usize;
            self.nonempty &= !(1 << b);
            let mut bucket = std::mem::take(&mut self.buckets[b]);
            self.last = bucket.iter().map(|e| e.time.0).min().expect("a non-empty bucket");
            for e in bucket.drain(..) {
                self.place(e); // always into `now` or a lower bucket
            }
            self.buckets[b] = bucket; // empty, but keeps its capacity
                                      // Events reach `now` here from one bucket in any order; ties
                                      // must come out in scheduling order.
            self.now.make_contiguous().sort_unstable_by_key(|e| e.seq);
        }
        let e = self.now.pop_front()?;
        self.len -= 1;
        Some((e.time, e.event))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<E> FutureEvents<E> for RadixQueue<E> {
    fn schedule(&mut self, time: SimTime, event: E) {
        RadixQueue::schedule(self, time, event)
    }
    fn pop(&mut self) -> Option<(SimTime, E)> {
        RadixQueue::pop(self)
    }
    fn len(&self) -> usize {
        RadixQueue::len(self)
    }
}
