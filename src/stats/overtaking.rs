//! Who overtook whom: the order people were first admitted in, against the
//! order they first came in, counted as `overtaking_rate`.
//!
//! The rate is the share of ordered pairs of admitted people (i came before
//! j) in which j was admitted before i: Kendall's distance between the two
//! orders, normalised. FIFO with nobody leaving or retrying gives 0; a
//! random order gives one half among people who waited together. Larson
//! (1987, "Perspectives on queues: social justice and the psychology of
//! queueing", Operations Research 35(6)) calls such overtaking ("slips and
//! skips") what people resent in a queue.
//!
//! Counting it needs the people, not just the counts: each person's first
//! admission appends their first arrival [ms] to a list (4 bytes a person
//! admitted; a bit per person tells a second admission from a first), and
//! `finish` counts the list's inversions exactly with a merge sort, in
//! O(n log n). People who came within the same millisecond are tied: their
//! pairs count neither way.
//!
//! Over a run of several nights most pairs never met: someone of Monday
//! cannot overtake someone of Wednesday, and the rate over all pairs shrinks
//! as nights are added. So the pairs who waited together are counted too
//! (j came after i, but no later than i's admission: at j's arrival both
//! were waiting), for `overtaking_rate_together`; every overtaking pair is
//! one of them. With each person's admission [ms] kept beside their arrival
//! (4 bytes more), they are Σᵢ #{j : aⱼ ≤ tᵢ} − Σᵢ #{j : aⱼ ≤ aᵢ}: one pass
//! over the sorted arrivals, as admissions come in time order.

use crate::engine::{OutOfMemory, SimTime};

/// First admissions in the order they happened.
#[derive(Debug, Default)]
pub struct AdmissionOrder {
    /// First arrival [ms since the start] of each person, in the order of
    /// their first admission.
    arrivals: Vec<u32>,
    /// The time of each first admission [ms], in the same order (so in
    /// time order).
    admitted_at: Vec<u32>,
    /// Per cohort, a bit per person number: admitted before.
    seen: Vec<Vec<u64>>,
    /// Set when the list could not grow: the figure is then undefined.
    out_of_memory: Option<OutOfMemory>,
}

/// The overtaking among the people admitted.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Overtaking {
    /// People admitted at least once.
    pub people: u64,
    /// Pairs with one who came strictly before the other.
    pub ordered_pairs: u128,
    /// Of which pairs who waited together: the later came no later than
    /// the earlier's admission.
    pub together: u128,
    /// Of which pairs the later comer was admitted first.
    pub overtaken: u128,
}

impl Overtaking {
    /// `overtaken / ordered_pairs`; undefined without an ordered pair.
    pub fn rate(&self) -> Option<f64> {
        (self.ordered_pairs > 0).then(|| self.overtaken as f64 / self.ordered_pairs as f64)
    }

    /// `overtaken / together`; undefined when nobody waited together.
    pub fn rate_together(&self) -> Option<f64> {
        (self.together > 0).then(|| self.overtaken as f64 / self.together as f64)
    }
}

impl AdmissionOrder {
    pub fn new(cohorts: usize) -> Self {
        AdmissionOrder {
            arrivals: Vec::new(),
            admitted_at: Vec::new(),
            seen: vec![Vec::new(); cohorts],
            out_of_memory: None,
        }
    }

    /// Person `person` of `cohort`, who first came at `first`, was admitted
    /// at `now`: noted if it is their first admission.
    #[inline]
    pub fn admitted(&mut self, cohort: usize, person: u32, first: SimTime, now: SimTime) {
        let bits = &mut self.seen[cohort];
        let (word, bit) = ((person / 64) as usize, 1u64 << (person % 64));
        if word >= bits.len() {
            // People are numbered from 0 up within a cohort: the set grows
            // to the highest number admitted, doubling.
            let len = (word + 1).max(2 * bits.len());
            if bits.try_reserve_exact(len - bits.len()).is_err() {
                return self.lost(len * 64);
            }
            bits.resize(len, 0);
        }
        if bits[word] & bit != 0 {
            return;
        }
        bits[word] |= bit;
        let n = self.arrivals.len();
        if n == self.arrivals.capacity()
            && (self.arrivals.try_reserve(n.max(1024)).is_err() || self.admitted_at.try_reserve(n.max(1024)).is_err())
        {
            return self.lost(n);
        }
        // A run is capped below 49 days, so its milliseconds fit in u32.
        self.arrivals.push((first.0 / 1000) as u32);
        self.admitted_at.push((now.0 / 1000) as u32);
    }

    #[cold]
    fn lost(&mut self, items: usize) {
        self.out_of_memory.get_or_insert(OutOfMemory::new("first admissions", items, items * 8));
    }

    /// Bytes held per person admitted: the list, the merge sort's buffer at
    /// the end, and the person's bit (for the size guard).
    pub const BYTES_PER_PERSON: f64 = 12.0 + 1.0 / 8.0;

    /// Count the overtaking; an error if the list or its sort could not
    /// get memory.
    pub fn finish(self) -> Result<Overtaking, OutOfMemory> {
        if let Some(e) = self.out_of_memory {
            return Err(e);
        }
        let mut a = self.arrivals;
        let n = a.len();
        // Admitted in the order they came (a FIFO room nobody leaves): no
        // inversion, and no sort nor its buffer (4 bytes a person).
        let overtaken = if a.is_sorted() {
            0
        } else {
            let mut buffer = Vec::new();
            buffer.try_reserve_exact(n).map_err(|_| OutOfMemory::new("first admissions", n, n * 4))?;
            buffer.resize(n, 0);
            sort_counting_inversions(&mut a, &mut buffer)
        };
        // Pairs tied in arrival are neither ordered nor overtaken.
        let tied: u128 = a.chunk_by(|x, y| x == y).map(|run| pairs(run.len() as u64)).sum();
        let together = waited_together(&a, &self.admitted_at);
        Ok(Overtaking { people: n as u64, ordered_pairs: pairs(n as u64) - tied, together, overtaken })
    }
}

/// Pairs (i, j) with aᵢ < aⱼ ≤ tᵢ: j came after i and no later than i's
/// admission. `sorted` are the arrivals in order, `admitted_at` the
/// admissions in time order: Σᵢ #{aⱼ ≤ tᵢ} walks both at once, and
/// Σᵢ #{aⱼ ≤ aᵢ} is, for each run of equal arrivals, its length times the
/// count up to its end (i itself is in both sums and cancels).
fn waited_together(sorted: &[u32], admitted_at: &[u32]) -> u128 {
    let (mut up_to_admission, mut j) = (0u128, 0usize);
    for &t in admitted_at {
        while j < sorted.len() && sorted[j] <= t {
            j += 1;
        }
        up_to_admission += j as u128;
    }
    let (mut up_to_arrival, mut end) = (0u128, 0usize);
    for run in sorted.chunk_by(|x, y| x == y) {
        end += run.len();
        up_to_arrival += (run.len() * end) as u128;
    }
    up_to_admission - up_to_arrival
}

/// Unordered pairs of `n`.
fn pairs(n: u64) -> u128 {
    u128::from(n) * u128::from(n.saturating_sub(1)) / 2
}

/// Blocks sorted by insertion before the merges: in cache, and the merge
/// passes they spare are the costliest (the profile of the 19 July replay).
const BLOCK: usize = 32;

/// Lists longer than this are sorted in two halves at once (on the
/// threads rayon has; the count is the same on any number of them).
const PARALLEL: usize = 1 << 18;

/// Sort `a` ascending and return its inversions: pairs i < j with
/// a[i] > a[j] (ties are not inversions). `buffer` is scratch as long as
/// `a`. A long list's halves are sorted at once, then merged: the
/// inversions are the halves' and the merge's.
fn sort_counting_inversions(a: &mut [u32], buffer: &mut [u32]) -> u128 {
    let n = a.len();
    if n <= PARALLEL {
        return sort_counting_inversions_here(a, buffer);
    }
    let mid = n / 2;
    let (left, right) = a.split_at_mut(mid);
    let (left_buffer, right_buffer) = buffer.split_at_mut(mid);
    let (l, r) =
        rayon::join(|| sort_counting_inversions(left, left_buffer), || sort_counting_inversions(right, right_buffer));
    let mut inversions = l + r;
    if a[mid - 1] > a[mid] {
        inversions += merge(&a[..mid], &a[mid..], buffer);
        a.copy_from_slice(buffer);
    }
    inversions
}

/// `sort_counting_inversions` on this thread: insertion sort of blocks
/// (each step past a larger value is one inversion), then bottom-up merges
/// from `a` to `buffer` and back in turn; two runs already in order are
/// copied, not merged, so a FIFO night's nearly sorted list is cheap.
fn sort_counting_inversions_here(a: &mut [u32], buffer: &mut [u32]) -> u128 {
    let n = a.len();
    let mut inversions: u128 = 0;
    for block in a.chunks_mut(BLOCK) {
        inversions += insertion_sort(block);
    }
    let (mut src, mut dst) = (a, buffer);
    let mut in_buffer = false;
    let mut width = BLOCK;
    while width < n {
        let mut start = 0;
        while start < n {
            let (mid, end) = ((start + width).min(n), (start + 2 * width).min(n));
            if mid < end && src[mid - 1] > src[mid] {
                inversions += merge(&src[start..mid], &src[mid..end], &mut dst[start..end]);
            } else {
                dst[start..end].copy_from_slice(&src[start..end]);
            }
            start = end;
        }
        std::mem::swap(&mut src, &mut dst);
        in_buffer = !in_buffer;
        width *= 2;
    }
    // The sorted list is in `src`: the caller's `a` unless an odd number of
    // passes left it in the buffer.
    if in_buffer {
        dst.copy_from_slice(src);
    }
    inversions
}

/// Sort `block` in place; the steps taken, which are its inversions.
fn insertion_sort(block: &mut [u32]) -> u128 {
    let mut steps = 0;
    for i in 1..block.len() {
        let x = block[i];
        let mut j = i;
        while j > 0 && block[j - 1] > x {
            block[j] = block[j - 1];
            j -= 1;
        }
        block[j] = x;
        steps += (i - j) as u128;
    }
    steps
}

/// Merge sorted `left` and `right` into `out`; the pairs (x in left, y in
/// right) with x > y.
fn merge(left: &[u32], right: &[u32], out: &mut [u32]) -> u128 {
    let (mut i, mut j, mut k) = (0, 0, 0);
    let mut inversions: u64 = 0;
    while i < left.len() && j < right.len() {
        // Take the left on a tie: equal values are no inversion. Without a
        // branch (the choice is a coin toss where people overtake, and a
        // mispredicted branch per element doubled the sort's time).
        let (x, y) = (left[i], right[j]);
        let right_first = y < x;
        out[k] = if right_first { y } else { x };
        inversions += u64::from(right_first) * (left.len() - i) as u64;
        j += usize::from(right_first);
        i += usize::from(!right_first);
        k += 1;
    }
    out[k..k + left.len() - i].copy_from_slice(&left[i..]);
    k += left.len() - i;
    out[k..].copy_from_slice(&right[j..]);
    // At most |left|·|right| < 2^64 for any list that fits in memory.
    u128::from(inversions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::seq::SliceRandom;
    use rand::SeedableRng;

    /// Inversions counted pair by pair, O(n²): the definition.
    fn by_pairs(a: &[u32]) -> (u128, u128) {
        let (mut ordered, mut inverted) = (0, 0);
        for i in 0..a.len() {
            for j in i + 1..a.len() {
                ordered += u128::from(a[i] != a[j]);
                inverted += u128::from(a[i] > a[j]);
            }
        }
        (ordered, inverted)
    }

    /// People arriving at `arrivals_ms`, admitted in that order after
    /// everyone came (so all waited together).
    fn order_of(arrivals_ms: &[u32]) -> Overtaking {
        let mut o = AdmissionOrder::new(1);
        let after = arrivals_ms.iter().max().map_or(0, |&m| u64::from(m) + 1);
        for (id, &ms) in arrivals_ms.iter().enumerate() {
            o.admitted(0, id as u32, SimTime(u64::from(ms) * 1000), SimTime((after + id as u64) * 1000));
        }
        o.finish().expect("small lists fit")
    }

    #[test]
    fn the_merge_sort_counts_what_the_pairs_count_ties_apart() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for n in [0, 1, 2, 3, 7, 31, 32, 33, 64, 65, 300, 1000] {
            for spread in [3, 1000] {
                let a: Vec<u32> = (0..n).map(|_| rand::RngExt::random_range(&mut rng, 0..spread)).collect();
                let (ordered, inverted) = by_pairs(&a);
                let o = order_of(&a);
                assert_eq!((o.ordered_pairs, o.overtaken, o.people), (ordered, inverted, n as u64), "{a:?}");
                assert_eq!(o.together, ordered, "admitted after everyone came, every ordered pair waited together");
            }
        }
    }

    /// Pairs who waited together, counted pair by pair: people come and
    /// go on a night where most never meet.
    #[test]
    fn pairs_who_waited_together_are_those_the_definition_names() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for n in [0usize, 1, 2, 5, 40, 400] {
            // Arrivals over an hour [ms, coarse so that some tie], each
            // admitted 0 to 10 minutes later, in the order of admission.
            let mut people: Vec<(u32, u32)> = (0..n)
                .map(|_| {
                    let a = rand::RngExt::random_range(&mut rng, 0..3_600u32) * 1000;
                    (a, a + rand::RngExt::random_range(&mut rng, 0..600u32) * 1000)
                })
                .collect();
            people.sort_by_key(|&(_, t)| t);
            let mut o = AdmissionOrder::new(1);
            for (id, &(a, t)) in people.iter().enumerate() {
                o.admitted(0, id as u32, SimTime(u64::from(a) * 1000), SimTime(u64::from(t) * 1000));
            }
            let got = o.finish().unwrap();
            let (mut together, mut overtaken) = (0u128, 0u128);
            for (x, &(ai, ti)) in people.iter().enumerate() {
                for (y, &(aj, _)) in people.iter().enumerate() {
                    together += u128::from(ai < aj && aj <= ti);
                    // j (later comer) admitted before i: y < x in the list.
                    overtaken += u128::from(ai < aj && y < x);
                }
            }
            assert_eq!((got.together, got.overtaken), (together, overtaken), "n = {n}");
            assert!(got.overtaken <= got.together, "every overtaking pair waited together");
        }
    }

    /// A long list is sorted in halves at once: the same count and order as
    /// on one thread, ties across the halves included.
    #[test]
    fn halves_sorted_at_once_count_what_one_thread_counts() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let n = 2 * PARALLEL + 12_345;
        let list: Vec<u32> = (0..n).map(|_| rand::RngExt::random_range(&mut rng, 0..50_000)).collect();
        let (mut one, mut both) = (list.clone(), list);
        let (mut b1, mut b2) = (vec![0; n], vec![0; n]);
        let alone = sort_counting_inversions_here(&mut one, &mut b1);
        let at_once = sort_counting_inversions(&mut both, &mut b2);
        assert_eq!(alone, at_once);
        assert_eq!(one, both);
        assert!(both.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn arrival_order_is_zero_reversed_is_one_shuffled_is_about_a_half() {
        let sorted: Vec<u32> = (0..10_000).collect();
        assert_eq!(order_of(&sorted).rate(), Some(0.0));
        let reversed: Vec<u32> = sorted.iter().rev().copied().collect();
        assert_eq!(order_of(&reversed).rate(), Some(1.0));
        let mut shuffled = sorted.clone();
        shuffled.shuffle(&mut rand::rngs::StdRng::seed_from_u64(1));
        // Kendall's distance of a random permutation of n has variance
        // n(n-1)(2n+5)/72 in pairs: as a share of n(n-1)/2 pairs, a standard
        // error of about 1/(3√n) = 0.0033 for n = 10,000. Four of them:
        let rate = order_of(&shuffled).rate().expect("pairs");
        assert!((rate - 0.5).abs() < 4.0 / (3.0 * 100.0), "{rate}");
    }

    #[test]
    fn only_a_first_admission_counts_and_ties_are_no_pairs() {
        let mut o = AdmissionOrder::new(2);
        let at = SimTime::from_secs(30);
        o.admitted(0, 5, SimTime::from_secs(10), at);
        o.admitted(1, 5, SimTime::from_secs(20), at);
        // Person 5 of cohort 0 again, after the later comer: not counted.
        o.admitted(0, 5, SimTime::from_secs(10), at);
        o.admitted(0, 900, SimTime::from_secs(10), at);
        let t = o.finish().unwrap();
        // Three people: (10 s, 20 s, 10 s); the two at 10 s are tied, the
        // one at 20 s was admitted before the second of them.
        assert_eq!((t.people, t.ordered_pairs, t.overtaken), (3, 2, 1));
        assert_eq!(Overtaking::default().rate(), None);
    }
}
