//! The textbook binary heap of (time, seq) entries, from `std`: the
//! reference implementation the others are checked against.

use super::FutureEvents;
use crate::engine::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One pending event, ordered earliest first, then first scheduled first.
pub(super) struct Entry<E> {
    pub(super) time: SimTime,
    pub(super) seq: u64,
    pub(super) event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, because `BinaryHeap` is a max-heap and we want the earliest.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// Future-event list backed by `std`'s binary heap: the reference
/// implementation, for tests and benchmarks.
pub struct HeapQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

impl<E> Default for HeapQueue<E> {
    fn default() -> Self {
        HeapQueue { heap: BinaryHeap::new(), next_seq: 0 }
    }
}

impl<E> HeapQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedule `event` to happen at `time`.
    pub fn schedule(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
    }

    /// Remove and return the earliest pending event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    /// The time of the earliest pending event.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

impl<E> FutureEvents<E> for HeapQueue<E> {
    fn schedule(&mut self, time: SimTime, event: E) {
        HeapQueue::schedule(self, time, event)
    }
    fn pop(&mut self) -> Option<(SimTime, E)> {
        HeapQueue::pop(self)
    }
    fn pop_due(&mut self, limit: SimTime) -> Option<(SimTime, E)> {
        if HeapQueue::peek_time(self)? > limit {
            return None;
        }
        HeapQueue::pop(self)
    }
    fn len(&self) -> usize {
        HeapQueue::len(self)
    }
}
