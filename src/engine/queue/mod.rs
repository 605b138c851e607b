//! The future-event list: a priority queue ordered by time, ties first
//! scheduled first.
//!
//! Ties go in the order the events were scheduled (a sequence number in
//! the heap and the calendar queue; the radix heap keeps that order by
//! construction), so a run is a pure function of the scenario and the seed,
//! never of the queue's internal layout.
//!
//! Three implementations of one interface, all giving the same order (a
//! test checks it): `HeapQueue`, the textbook binary heap; `RadixQueue`, a
//! monotone radix heap; `CalendarQueue`, a ring of one-second buckets in
//! front of a small heap. Simulated time never goes back, which the last
//! two exploit. The model runs on `RadixQueue` by default, the fastest on
//! the nights that matter (millions of pending patience deadlines and
//! retries); the evidence is in `benches/engine.rs`, `scripts/bench.sh` and
//! the README.

mod calendar;
mod heap;
mod radix;

pub use calendar::CalendarQueue;
pub use heap::HeapQueue;
pub use radix::RadixQueue;

use super::{OutOfMemory, SimTime};

/// A future-event list: events out earliest first, first scheduled first
/// on ties. Times scheduled must not precede the last time popped (they
/// may precede the earliest pending one).
///
/// ```
/// use surgesim::engine::{FutureEvents, RadixQueue, SimTime};
///
/// let mut events = RadixQueue::new();
/// events.schedule(SimTime::from_secs(5), 'b');
/// events.schedule(SimTime::from_secs(1), 'a');
/// events.schedule(SimTime::from_secs(5), 'c'); // a tie: after 'b'
/// assert_eq!(events.pop(), Some((SimTime::from_secs(1), 'a')));
/// // Only what is due by 4 s: nothing yet.
/// assert_eq!(events.pop_due(SimTime::from_secs(4)), None);
/// assert_eq!(events.pop(), Some((SimTime::from_secs(5), 'b')));
/// assert_eq!(events.pop(), Some((SimTime::from_secs(5), 'c')));
/// assert!(events.is_empty());
/// ```
pub trait FutureEvents<E>: Default {
    fn schedule(&mut self, time: SimTime, event: E);
    fn pop(&mut self) -> Option<(SimTime, E)>;
    /// `pop`, if the earliest event is at or before `limit`.
    fn pop_due(&mut self, limit: SimTime) -> Option<(SimTime, E)>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Set once an event could not be stored for want of memory (it is
    /// lost: the run must stop). Only the radix heap, the model's list,
    /// grows fallibly; the others are for benchmarks and tests.
    fn out_of_memory(&self) -> Option<&OutOfMemory> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three queues must give the same order; `check!` runs a test on each.
    macro_rules! check {
        ($name:ident, $body:expr) => {
            #[test]
            fn $name() {
                fn run<Q: FutureEvents<&'static str>>() {
                    $body(Q::default())
                }
                run::<HeapQueue<_>>();
                run::<RadixQueue<_>>();
                run::<CalendarQueue<_>>();
            }
        };
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

    // A sampled duration that saturates (a Weibull of shape 0.05) puts an
    // event at the clock's very end: found by the fuzzer (issue 12), where
    // the calendar queue's window overflowed past u64::MAX.
    check!(events_at_the_end_of_the_clock_come_out_in_order, |mut q: Q| {
        q.schedule(SimTime::MAX, "e");
        q.schedule(SimTime(u64::MAX - 1), "d");
        q.schedule(SimTime(5), "a");
        q.schedule(SimTime(u64::MAX - 3_000_000), "b");
        assert_eq!(q.pop(), Some((SimTime(5), "a")));
        q.schedule(SimTime(u64::MAX - 2_500_000), "c");
        q.schedule(SimTime::MAX, "f");
        assert_eq!(q.pop_due(SimTime(u64::MAX - 3_000_001)), None);
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["b", "c", "d", "e", "f"]);
        q.schedule(SimTime::MAX, "g");
        assert_eq!(q.pop(), Some((SimTime::MAX, "g")));
        assert!(q.is_empty());
    });

    /// The model's pattern: pop one, schedule some at or after it, with
    /// many ties and delays from microseconds to days; every queue must
    /// agree with the binary heap exactly.
    #[test]
    fn every_queue_agrees_with_the_binary_heap_under_a_hold_workload() {
        agree::<RadixQueue<u32>>();
        agree::<CalendarQueue<u32>>();
    }

    fn agree<Q: FutureEvents<u32>>() {
        let (mut h, mut r) = (HeapQueue::new(), Q::default());
        let mut x: u64 = 12345;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        for i in 0..1000u32 {
            let t = SimTime(next(50));
            HeapQueue::schedule(&mut h, t, i);
            r.schedule(t, i);
        }
        let mut id = 1000u32;
        let mut now = SimTime::ZERO;
        for _ in 0..40_000 {
            // As the model does with arrivals kept outside the queue: pop
            // only what is due by some time (often nothing), then schedule
            // at or after the last pop, maybe before the earliest pending.
            let reach = 1 << next(30);
            let limit = if next(2) == 0 { SimTime::MAX } else { now + SimTime(next(reach)) };
            let (a, b) = (h.pop_due(limit), r.pop_due(limit));
            assert_eq!(a, b);
            if let Some((t, _)) = a {
                now = t;
            }
            for _ in 0..next(3) {
                let scale = 1 << next(40);
                let t = now + SimTime(next(3) * next(scale));
                HeapQueue::schedule(&mut h, t, id);
                r.schedule(t, id);
                id += 1;
            }
        }
        while let Some(a) = HeapQueue::pop(&mut h) {
            assert_eq!(Some(a), r.pop());
        }
        assert_eq!(r.pop_due(SimTime::MAX), None);
        assert!(r.is_empty());
    }

    #[test]
    fn many_ties_keep_scheduling_order() {
        let mut q = CalendarQueue::new();
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
