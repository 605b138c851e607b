//! A monotone radix heap (Ahuja, Mehlhorn, Orlin & Tarjan, "Faster
//! algorithms for the shortest path problem", JACM 37(2), 1990) on event
//! times, in base 16, with first-in-first-out ties.
//!
//! Times are read as strings of hex digits. An event whose time first
//! differs from `last` in digit `level` sits in bucket (level, its own digit
//! there). Every event in bucket (l, d) is earlier than every event in
//! (l, d') for d' > d and later than every event at a lower level, so the
//! lowest non-empty bucket (found from a bit map) holds the earliest events.
//! Those are served from `now`, a sorted run: when it runs dry, the lowest
//! bucket is taken. A small one (16 events or fewer) is sorted and becomes
//! the run; a big one is spread: its earliest time becomes `last`, its
//! events at that time form the run, the rest go to buckets of lower
//! levels. Each event moves at most once per level (16 levels of 4 bits;
//! base 2 moved a deadline hours away about 30 times, which was 30 % of the
//! 19 July replay), and sorting small buckets saves the last few moves.
//!
//! Ties need no sequence number. Events at the same time always share a
//! bucket; a schedule appends; a spread empties one bucket, in order, into
//! buckets that are all empty at that moment (they are lower); sorts are
//! stable. So every bucket, and the run, stays in scheduling order.
//!
//! Events scheduled before the end of the run go into it, in order. That
//! is also what makes `pop_due` safe: it may take the next bucket (moving
//! `last` past the present) and then pop nothing, and anything scheduled
//! afterwards at an earlier time lands in the run, never in a bucket. It
//! takes a bucket only if the bucket's floor is due, which keeps such
//! insertions rare.
//!
//! Written here rather than taken from the `radix-heap` crate because that
//! one is binary and keys on (time, seq) to keep ties in order, which makes
//! every pop rebuild a bucket and scan 129 of them (over half the run time
//! of M/M/100).

use super::FutureEvents;
use crate::engine::{OutOfMemory, SimTime};

const DIGIT_BITS: u32 = 4;
const WIDTH: usize = 1 << DIGIT_BITS;
const LEVELS: usize = 64 / DIGIT_BITS as usize;
const BUCKETS: usize = LEVELS * WIDTH;
const WORDS: usize = BUCKETS / 64;
/// Buckets up to this size are sorted into the run rather than spread.
const SMALL: usize = 16;
/// Events that may follow one inserted into the run before the rest of the
/// run goes back to the buckets.
const SPILL: usize = 32;
/// A drained bucket keeps its capacity up to this many events.
const KEEP: usize = 1 << 16;

pub struct RadixQueue<E> {
    /// The time the buckets are relative to: the earliest in `now`, or the
    /// last popped once `now` is spent.
    last: u64,
    /// The last time popped: no event may be scheduled before it.
    popped: u64,
    /// The run: the earliest pending events, by time, then in scheduling
    /// order; those before `head` are spent.
    now: Vec<(u64, E)>,
    head: usize,
    /// Bucket `level * WIDTH + digit`.
    buckets: Vec<Vec<(u64, E)>>,
    /// The earliest time in each bucket (`u64::MAX` when empty), kept as
    /// events go in, so that spreading a bucket needs no pass of its own to
    /// find where to spread from: a big bucket high up holds millions of
    /// events, and that pass read them all once more (2 KiB, in cache).
    mins: Box<[u64; BUCKETS]>,
    /// Bit b of `words[b / 64]` set when bucket b is not empty; bit w of
    /// `summary` set when `words[w]` is not zero.
    words: [u64; WORDS],
    summary: u32,
    len: usize,
    /// Set when a bucket or the run could not grow: the event was lost, and
    /// the run must stop (see `FutureEvents::out_of_memory`).
    failed: Option<OutOfMemory>,
}

const _: () = assert!(WORDS <= 32, "the summary is one u32");

impl<E> Default for RadixQueue<E> {
    fn default() -> Self {
        RadixQueue {
            last: 0,
            popped: 0,
            now: Vec::new(),
            head: 0,
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            mins: Box::new([u64::MAX; BUCKETS]),
            words: [0; WORDS],
            summary: 0,
            len: 0,
            failed: None,
        }
    }
}

impl<E: Copy> RadixQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Into `now` if at `last`, else into its bucket.
    #[inline]
    fn place(&mut self, t: u64, event: E) {
        debug_assert!(t >= self.last);
        let diff = t ^ self.last;
        if diff == 0 {
            if self.now.len() == self.now.capacity() {
                return self.place_growing(None, t, event);
            }
            self.now.push((t, event));
            return;
        }
        let level = (63 - diff.leading_zeros()) / DIGIT_BITS;
        let digit = (t >> (level * DIGIT_BITS)) as usize & (WIDTH - 1);
        let b = level as usize * WIDTH + digit;
        let bucket = &mut self.buckets[b];
        if bucket.len() == bucket.capacity() {
            return self.place_growing(Some(b), t, event);
        }
        bucket.push((t, event));
        self.mark(b, t);
    }

    #[inline]
    fn mark(&mut self, b: usize, t: u64) {
        self.mins[b] = self.mins[b].min(t);
        self.words[b / 64] |= 1 << (b % 64);
        self.summary |= 1 << (b / 64);
    }

    /// `place` into a full vector (bucket `b`, or the run): grow it first,
    /// fallibly (the buckets are what grows with the pending events). Out
    /// of the hot path, which pays one comparison for it.
    #[cold]
    #[inline(never)]
    fn place_growing(&mut self, b: Option<usize>, t: u64, event: E) {
        let v = match b {
            Some(b) => &mut self.buckets[b],
            None => &mut self.now,
        };
        if v.try_reserve(v.len().max(4)).is_err() {
            let asked = v.len().max(4);
            return self.lost(asked);
        }
        v.push((t, event));
        if let Some(b) = b {
            self.mark(b, t);
        }
    }

    /// An event could not be stored (a vector of `asked` more could not be
    /// had): it is lost; say so once.
    #[cold]
    #[inline(never)]
    fn lost(&mut self, asked: usize) {
        self.len -= 1;
        if self.failed.is_none() {
            let held: usize = self.buckets.iter().map(Vec::capacity).sum::<usize>() + self.now.capacity();
            let bytes = (held + asked) * std::mem::size_of::<(u64, E)>();
            self.failed = Some(OutOfMemory::new("pending events", self.len, bytes));
        }
    }

    /// Schedule `event` at `time`, which must not precede the last time
    /// popped (simulated time never goes back).
    #[inline]
    pub fn schedule(&mut self, time: SimTime, event: E) {
        debug_assert!(time.0 >= self.popped, "scheduled in the past: {} < {}", time.0, self.popped);
        // An event in the past would break the order: run it next.
        let t = time.0.max(self.popped);
        self.len += 1;
        match self.now.last() {
            // Within the run: into its place, after any at the same time.
            // (Before `last` only after a peek; always within the run then.)
            Some(&(end, _)) if self.head < self.now.len() && t <= end => {
                if t == end {
                    if self.now.len() == self.now.capacity() {
                        return self.place_growing(None, t, event);
                    }
                    self.now.push((t, event));
                } else if self.head > 0 && t < self.now[self.head].0 {
                    self.head -= 1;
                    self.now[self.head] = (t, event);
                } else {
                    self.insert_into_run(t, event);
                }
            }
            _ => self.place(t, event),
        }
    }

    /// Put an event that falls inside the run in its place. A run sorted
    /// from a small bucket can span hours; if a burst then lands inside it,
    /// inserting each event would shift ever more of it (quadratic). So
    /// when more than `SPILL` events would follow the new one, they go
    /// back to the buckets instead (all are later than it, so the run stays
    /// the earliest), and the spent front of a long-lived run is let go.
    #[cold]
    fn insert_into_run(&mut self, t: u64, event: E) {
        if self.head >= 1024 && 2 * self.head >= self.now.len() {
            self.now.drain(..self.head);
            self.head = 0;
        }
        let at = self.head + self.now[self.head..].partition_point(|e| e.0 <= t);
        // Only events later than `last` may go to a bucket. An event before
        // `last` (after a `pop_due` that opened a bucket and popped nothing)
        // is inserted whatever the run's length: the run is then one bucket's
        // events at its earliest time plus those scheduled since, long only
        // if many events share a millisecond.
        if t >= self.last && self.now.len() - at > SPILL {
            for i in at..self.now.len() {
                let (later, e) = self.now[i];
                self.place(later, e); // later > t >= last: into a bucket
            }
            self.now.truncate(at);
            self.now.push((t, event)); // within the capacity it had
        } else if self.now.len() < self.now.capacity() || self.now.try_reserve(self.now.len()).is_ok() {
            self.now.insert(at, (t, event));
        } else {
            self.lost(self.now.len());
        }
    }

    /// Remove and return the earliest pending event.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.head == self.now.len() && !self.refill() {
            return None;
        }
        let (t, e) = self.now[self.head];
        self.head += 1;
        self.len -= 1;
        self.popped = t;
        Some((SimTime(t), e))
    }

    /// `pop`, if the earliest event is due by `limit`. A bucket is opened
    /// only if its events may be due: its floor, the earliest time it can
    /// hold, is known without looking inside.
    #[inline]
    pub fn pop_due(&mut self, limit: SimTime) -> Option<(SimTime, E)> {
        if self.head == self.now.len() {
            if self.summary == 0 || limit.0 < self.floor(self.lowest()) {
                return None;
            }
            self.refill();
        }
        if self.now[self.head].0 > limit.0 {
            return None;
        }
        self.pop()
    }

    /// The lowest non-empty bucket (some must be).
    #[inline]
    fn lowest(&self) -> usize {
        let w = self.summary.trailing_zeros() as usize;
        w * 64 + self.words[w].trailing_zeros() as usize
    }

    /// The earliest time bucket `b` can hold: `last`'s digits above its
    /// level, its own digit at the level, zeros below.
    #[inline]
    fn floor(&self, b: usize) -> u64 {
        let shift = (b / WIDTH) as u32 * DIGIT_BITS;
        let above = self.last.checked_shr(shift + DIGIT_BITS).unwrap_or(0);
        (above << DIGIT_BITS | (b % WIDTH) as u64) << shift
    }

    /// Make the lowest bucket the next run in `now` (empty on entry); false
    /// if nothing is pending.
    #[cold]
    fn refill(&mut self) -> bool {
        if self.summary == 0 {
            return false;
        }
        let b = self.lowest();
        let w = b / 64;
        self.words[w] &= !(1 << (b % 64));
        if self.words[w] == 0 {
            self.summary &= !(1 << w);
        }
        self.now.clear();
        self.head = 0;
        let earliest = std::mem::replace(&mut self.mins[b], u64::MAX);
        let bucket = &mut self.buckets[b];
        if b < WIDTH || bucket.len() <= SMALL {
            // Every event here is earlier than every other pending one: the
            // bucket, sorted by time (stably, so ties keep their order), is
            // the next run. At level 0 it is sorted already (one time only).
            // Copied, not swapped: each vector keeps the capacity its place
            // needs (swapping had them reallocating all the time).
            if self.now.try_reserve(bucket.len()).is_err() {
                let asked = bucket.len();
                self.lost(asked);
                return false;
            }
            self.now.extend_from_slice(bucket);
            bucket.clear();
            if b >= WIDTH {
                insertion_sort_by_time(&mut self.now);
            }
            self.last = self.now[0].0;
            return true;
        }
        let mut bucket = std::mem::take(bucket);
        self.last = earliest;
        for (t, e) in bucket.drain(..) {
            self.place(t, e); // always into `now` or a lower level
        }
        // Empty, it keeps its capacity for the next time, unless that is
        // large: a bucket high up may have held millions of far events once
        // (every level's would add up); regrowing by doubling costs little.
        if bucket.capacity() <= KEEP {
            self.buckets[b] = bucket;
        }
        true
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes the list holds at most with `pending` events pending at the
    /// busiest moment of a run of length `horizon`: every vector twice its
    /// events (they double when full), plus the capacity drained buckets
    /// keep (each at most `KEEP` events, and at most twice what it ever
    /// held) in the levels a time before the horizon reaches (buckets
    /// above are never drained), plus the buckets' headers.
    pub fn bytes_for(pending: f64, horizon: SimTime) -> f64 {
        let size = std::mem::size_of::<(u64, E)>() as f64;
        let levels = (64 - horizon.0.leading_zeros()).div_ceil(DIGIT_BITS).max(1) as f64;
        let kept = levels * WIDTH as f64 * (KEEP as f64).min(2.0 * pending);
        (2.0 * pending + kept) * size + (BUCKETS * std::mem::size_of::<Vec<(u64, E)>>()) as f64
    }
}

/// Sort a short run by time, stably (ties keep their order).
#[inline]
fn insertion_sort_by_time<E: Copy>(run: &mut [(u64, E)]) {
    for i in 1..run.len() {
        let x = run[i];
        let mut j = i;
        while j > 0 && run[j - 1].0 > x.0 {
            run[j] = run[j - 1];
            j -= 1;
        }
        run[j] = x;
    }
}

impl<E: Copy> FutureEvents<E> for RadixQueue<E> {
    fn schedule(&mut self, time: SimTime, event: E) {
        RadixQueue::schedule(self, time, event)
    }
    fn pop(&mut self) -> Option<(SimTime, E)> {
        RadixQueue::pop(self)
    }
    fn pop_due(&mut self, limit: SimTime) -> Option<(SimTime, E)> {
        RadixQueue::pop_due(self, limit)
    }
    fn len(&self) -> usize {
        RadixQueue::len(self)
    }
    fn out_of_memory(&self) -> Option<&OutOfMemory> {
        self.failed.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::HeapQueue;

    fn xorshift(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    /// Two events an hour apart share a small high-level bucket, which
    /// becomes the run; then a burst lands inside it. Without the spill the
    /// run took in every one (20,000 here, each insert shifting the rest:
    /// 42 s for 2 M events in a review); with it, it stays short. Order as
    /// the binary heap's throughout.
    #[test]
    fn a_burst_inside_a_wide_run_goes_back_to_the_buckets() {
        let (mut r, mut h) = (RadixQueue::new(), HeapQueue::new());
        let base = 1u64 << 32;
        for (t, id) in [(base, 0u32), (base + (0xF << 28), 1)] {
            r.schedule(SimTime(t), id);
            h.schedule(SimTime(t), id);
        }
        assert_eq!(r.pop(), h.pop());
        let mut x = 12345u64;
        let mut longest = 0;
        for id in 2..20_000u32 {
            let t = SimTime(base + 1 + xorshift(&mut x) % 600_000_000);
            r.schedule(t, id);
            h.schedule(t, id);
            longest = longest.max(r.now.len() - r.head);
        }
        assert!(longest <= 4 * SPILL, "the run grew to {longest} events");
        while let Some(e) = h.pop() {
            assert_eq!(r.pop(), Some(e));
        }
        assert!(r.is_empty());
    }

    /// A million events pending over a day, then all popped: the buckets
    /// keep room for 0.30 M events, not the sum of every level's peak
    /// (1.34 M when every drained bucket kept its capacity).
    #[test]
    fn drained_buckets_let_go_of_large_capacities() {
        let mut q = RadixQueue::new();
        let pending = 1_000_000u64;
        let mut x = 777u64;
        for i in 0..pending {
            q.schedule(SimTime(xorshift(&mut x) % 86_400_000), i as u32);
        }
        while q.pop().is_some() {}
        let kept: usize = q.buckets.iter().map(Vec::capacity).sum();
        assert!(kept as u64 <= pending / 2, "buckets kept room for {kept} events after {pending}");
    }
}
