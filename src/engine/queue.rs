//! The future-event list: a priority queue ordered by (time, insertion
//! sequence).
//!
//! The sequence number breaks ties between events scheduled for the same
//! instant in the order they were scheduled, so a run is a pure function of
//! the scenario and the seed, never of the queue's internal layout.
//!
//! Two implementations with one interface. `RadixQueue` is the one the model
//! uses: simulated time never goes back, so a radix heap (Ahuja, Mehlhorn,
//! Orlin & Tarjan 1990) can keep events in buckets by the highest bit in
//! which they differ from the last time popped; pushes are appends and each
//! event moves between buckets a few times at most. With millions of
//! pending events (everyone in a waiting room has a patience deadline) it
//! avoids the cache misses of a binary heap's sift-down: see `benches/`.
//! `HeapQueue`, the textbook binary heap, is kept as the reference.

use super::SimTime;
use radix_heap::RadixHeapMap;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

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

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
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

    /// Time of the earliest pending event, if any.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Both queues must give the same order; `check!` runs a test on each.
    macro_rules! check {
        ($name:ident, $body:expr) => {
            #[test]
            fn $name() {
                fn run<Q: Queue<&'static str>>() {
                    $body(Q::default())
                }
                run::<HeapQueue<_>>();
                run::<RadixQueue<_>>();
            }
        };
    }

    trait Queue<E>: Default {
        fn schedule(&mut self, t: SimTime, e: E);
        fn pop(&mut self) -> Option<(SimTime, E)>;
    }
    impl<E> Queue<E> for HeapQueue<E> {
        fn schedule(&mut self, t: SimTime, e: E) {
            HeapQueue::schedule(self, t, e)
        }
        fn pop(&mut self) -> Option<(SimTime, E)> {
            HeapQueue::pop(self)
        }
    }
    impl<E> Queue<E> for RadixQueue<E> {
        fn schedule(&mut self, t: SimTime, e: E) {
            RadixQueue::schedule(self, t, e)
        }
        fn pop(&mut self) -> Option<(SimTime, E)> {
            RadixQueue::pop(self)
        }
    }

    check!(earliest_first_and_equal_times_first_in_first_out, |mut q: Q| {
        q.schedule(SimTime(5), "c");
        q.schedule(SimTime(1), "a");
        q.schedule(SimTime(5), "d");
        q.schedule(SimTime(1), "b");
        q.schedule(SimTime(5), "e");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["a", "b", "c", "d", "e"]);
    });

    /// The model's pattern: pop one, schedule some at or after it, with
    /// many ties; the radix queue must agree with the binary heap exactly.
    #[test]
    fn radix_and_binary_heap_agree_under_a_hold_workload() {
        let (mut h, mut r) = (HeapQueue::new(), RadixQueue::new());
        let mut x: u64 = 12345;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        for i in 0..1000u32 {
            let t = SimTime(next(50));
            h.schedule(t, i);
            r.schedule(t, i);
        }
        let mut id = 1000u32;
        for _ in 0..20_000 {
            let (a, b) = (h.pop(), r.pop());
            assert_eq!(a, b);
            let (now, _) = a.unwrap();
            for _ in 0..next(3) {
                let scale = 1 << next(40);
                let t = now + SimTime(next(3) * next(scale));
                h.schedule(t, id);
                r.schedule(t, id);
                id += 1;
            }
        }
        while let Some(a) = h.pop() {
            assert_eq!(Some(a), r.pop());
        }
        assert!(r.is_empty());
    }

    #[test]
    fn many_ties_keep_scheduling_order() {
        let mut q = RadixQueue::new();
        for i in 0..10_000u32 {
            q.schedule(SimTime(u64::from(i % 7)), i);
        }
        let mut last = (SimTime::ZERO, 0u32);
        let mut first = true;
        while let Some((t, i)) = q.pop() {
            if !first {
                assert!(t > last.0 || (t == last.0 && i > last.1));
            }
            first = false;
            last = (t, i);
        }
    }
}
