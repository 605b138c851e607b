//! A monotone radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990), from the
//! `radix-heap` crate: events sit in buckets by the highest bit in which
//! their (time, seq) key differs from the last key popped; each event moves
//! between buckets at most once per bit.

use super::FutureEvents;
use crate::engine::SimTime;
use radix_heap::RadixHeapMap;
use std::cmp::Reverse;

/// Future-event list backed by a monotone radix heap; the model's default.
pub struct RadixQueue<E> {
    // `RadixHeapMap` pops its largest key; `Reverse` makes that the earliest.
    // (time, seq) keys are unique, so its LIFO rule for ties never applies.
    heap: RadixHeapMap<Reverse<(u64, u64)>, E>,
    next_seq: u64,
}

impl<E> Default for RadixQueue<E> {
    fn default() -> Self {
        RadixQueue { heap: RadixHeapMap::new_at(Reverse((0, 0))), next_seq: 0 }
    }
}

impl<E> RadixQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedule `event` at `time`, which must not be before the last event
    /// popped (simulated time never goes back; this is checked).
    #[inline]
    pub fn schedule(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse((time.0, seq)), event);
    }

    /// Remove and return the earliest pending event.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|(Reverse((t, _)), e)| (SimTime(t), e))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
