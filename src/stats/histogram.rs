//! A streaming distribution of durations: exact count, sum and share above
//! zero, and percentiles from a log-linear histogram (bounded relative
//! error, memory independent of the number of samples).
//!
//! The buckets are HdrHistogram's (Tene; the `hdrhistogram` crate): with
//! 2^k sub-buckets, values below 2^k are counted exactly and each later
//! power-of-two range is cut into 2^(k-1) equal slots, so every value is
//! known to within 2^(1-k). A percentile is the highest value of the slot
//! where the running count reaches ceil(q·n), as the crate reports it; a
//! test checks the two agree value for value.
//!
//! Written here rather than using the crate because recording is on the
//! engine's hot path (two or three records per visitor): the crate's
//! general `record` (range checks, auto-resize, min/max tracking, counter
//! types) took 13 % of an M/M/100 run; this one is a shift and an add.

use crate::engine::SimTime;

/// Durations recorded in milliseconds: waits of interest run from seconds to
/// days, and 1 ms is well below what any report shows.
const UNIT_US: u64 = 1_000;
/// The largest duration told apart [ms], about two years; longer ones are
/// counted as this (a run is capped at 45 days).
const MAX_MS: u64 = 1 << 36;

#[derive(Clone, Debug)]
pub struct Durations {
    /// k: values below 2^k ms are exact.
    sub_bits: u32,
    counts: Vec<u64>,
    count: u64,
    positive: u64,
    sum_secs: f64,
}

impl Durations {
    /// `sigfig` significant digits (1..=5): 2 keeps percentiles within 1 %
    /// (and a histogram of 30 KB, cheap to clear every bin); 3 within 0.1 %.
    pub fn new(sigfig: u8) -> Self {
        assert!((1..=5).contains(&sigfig), "1..=5 significant figures");
        let sub_bits = sub_bits(sigfig);
        let len = slot(MAX_MS, sub_bits) + 1;
        Durations { sub_bits, counts: vec![0; len], count: 0, positive: 0, sum_secs: 0.0 }
    }

    /// `new`, or `None` if its counters cannot be had (fallible: a run
    /// holds a few per cohort, and replications hold every run's).
    pub fn try_new(sigfig: u8) -> Option<Self> {
        assert!((1..=5).contains(&sigfig), "1..=5 significant figures");
        let sub_bits = sub_bits(sigfig);
        let len = slot(MAX_MS, sub_bits) + 1;
        let mut counts = Vec::new();
        counts.try_reserve_exact(len).ok()?;
        counts.resize(len, 0);
        Some(Durations { sub_bits, counts, count: 0, positive: 0, sum_secs: 0.0 })
    }

    /// The bytes of one histogram of `sigfig` digits (its counters; the
    /// size guard counts them).
    pub fn heap_bytes(sigfig: u8) -> usize {
        (slot(MAX_MS, sub_bits(sigfig)) + 1) * std::mem::size_of::<u64>()
    }

    #[inline]
    pub fn record(&mut self, d: SimTime) {
        let ms = (d.0 / UNIT_US).min(MAX_MS);
        self.counts[slot(ms, self.sub_bits)] += 1;
        self.count += 1;
        self.positive += u64::from(d > SimTime::ZERO);
        self.sum_secs += d.as_secs_f64();
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Share of samples above zero (for waits: the probability of waiting).
    pub fn share_positive(&self) -> Option<f64> {
        (self.count > 0).then(|| self.positive as f64 / self.count as f64)
    }

    pub fn mean_secs(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum_secs / self.count as f64)
    }

    /// The `q`-quantile in seconds (q in [0, 1]), or `None` with no samples.
    pub fn quantile_secs(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let q = q.clamp(0.0, 1.0);
        let target = ((q * self.count as f64).ceil() as u64).max(1);
        let mut running = 0;
        let i = self
            .counts
            .iter()
            .position(|&c| {
                running += c;
                running >= target
            })
            .expect("the counts add up to the sample count");
        let (low, high) = slot_range(i, self.sub_bits);
        let ms = if q == 0.0 { low } else { high };
        Some(ms as f64 * UNIT_US as f64 / 1e6)
    }

    /// Add `other`'s samples (same precision).
    pub fn add(&mut self, other: &Durations) {
        assert_eq!(self.sub_bits, other.sub_bits, "histograms of the same precision");
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.count += other.count;
        self.positive += other.positive;
        self.sum_secs += other.sum_secs;
    }

    /// These samples with `removed`'s taken out and `added`'s put in (for
    /// some samples measured two ways: `removed` must be a subset of these,
    /// sample for sample, as the same values recorded twice are).
    pub fn with_replaced(&self, removed: &Durations, added: &Durations) -> Durations {
        assert!(self.sub_bits == removed.sub_bits && self.sub_bits == added.sub_bits, "same precision");
        let mut out = self.clone();
        for ((a, r), n) in out.counts.iter_mut().zip(&removed.counts).zip(&added.counts) {
            *a = *a - r + n;
        }
        out.count = out.count - removed.count + added.count;
        out.positive = out.positive - removed.positive + added.positive;
        out.sum_secs += added.sum_secs - removed.sum_secs;
        out
    }

    pub fn clear(&mut self) {
        if self.count > 0 {
            self.counts.fill(0);
            self.count = 0;
            self.positive = 0;
            self.sum_secs = 0.0;
        }
    }
}

/// The smallest 2^k with single-unit resolution up to 2·10^sigfig.
fn sub_bits(sigfig: u8) -> u32 {
    (2 * 10u64.pow(u32::from(sigfig))).next_power_of_two().trailing_zeros()
}

/// The slot of value `v` with 2^k sub-buckets: v itself below 2^k; above,
/// the power-of-two range i >= 1 (v < 2^(k+i)) in steps of 2^i.
#[inline]
fn slot(v: u64, k: u32) -> usize {
    let i = (64 - v.leading_zeros()).saturating_sub(k);
    ((u64::from(i) << (k - 1)) + (v >> i)) as usize
}

/// The lowest and highest values counted in slot `s`.
fn slot_range(s: usize, k: u32) -> (u64, u64) {
    let s = s as u64;
    let half = 1u64 << (k - 1);
    if s < 2 * half {
        return (s, s);
    }
    let i = s / half - 1;
    let low = (s - i * half) << i;
    (low, low + (1 << i) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacing_samples_is_recording_the_others() {
        let (mut all, mut removed, mut added, mut direct) =
            (Durations::new(3), Durations::new(3), Durations::new(3), Durations::new(3));
        for s in 1..=100u64 {
            all.record(SimTime::from_secs(s));
            if s > 80 {
                removed.record(SimTime::from_secs(s));
                added.record(SimTime::from_secs(s - 60));
                direct.record(SimTime::from_secs(s - 60));
            } else {
                direct.record(SimTime::from_secs(s));
            }
        }
        let swapped = all.with_replaced(&removed, &added);
        for q in [0.0, 0.5, 0.9, 0.99, 1.0] {
            assert_eq!(swapped.quantile_secs(q), direct.quantile_secs(q), "q = {q}");
        }
        assert_eq!(swapped.count(), 100);
        assert!((swapped.mean_secs().unwrap() - direct.mean_secs().unwrap()).abs() < 1e-9);
    }

    #[test]
    fn percentiles_within_stated_precision() {
        let mut d = Durations::new(2);
        for s in 1..=1000u64 {
            d.record(SimTime::from_secs(s));
        }
        let p90 = d.quantile_secs(0.9).unwrap();
        assert!((p90 - 900.0).abs() <= 9.0, "{p90}");
        assert_eq!(d.mean_secs(), Some(500.5));
        assert_eq!(d.share_positive(), Some(1.0));
    }

    #[test]
    fn slots_tile_the_values_without_gaps() {
        for k in [8, 11] {
            let mut next = 0;
            for s in 0..slot(MAX_MS, k) + 1 {
                let (low, high) = slot_range(s, k);
                assert_eq!(low, next, "slot {s} starts where the last ended (k = {k})");
                assert_eq!(slot(low, k), s);
                assert_eq!(slot(high, k), s);
                next = high + 1;
            }
            assert!(next > MAX_MS);
        }
    }

    /// Value for value what `hdrhistogram` reports with the same bounds,
    /// over values from 0 to the top, for both precisions. (Past the top
    /// they part: the crate keeps values up to the end of the top slot's
    /// range; no duration gets there, as runs are capped at 45 days.)
    #[test]
    fn agrees_with_the_hdrhistogram_crate() {
        use hdrhistogram::Histogram;
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for sigfig in [2u8, 3] {
            for n in [1usize, 7, 1000, 50_000] {
                let mut ours = Durations::new(sigfig);
                let mut theirs = Histogram::<u64>::new_with_bounds(1, MAX_MS, sigfig).unwrap();
                for _ in 0..n {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    // Magnitudes from 1 ms to 2^36 ms, some zeros.
                    let ms = (x >> 28) >> (x % 37);
                    ours.record(SimTime(ms.saturating_mul(UNIT_US)));
                    theirs.saturating_record(ms);
                }
                for q in [0.0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0] {
                    let want = theirs.value_at_quantile(q) as f64 * UNIT_US as f64 / 1e6;
                    assert_eq!(ours.quantile_secs(q), Some(want), "sigfig {sigfig}, n {n}, q {q}");
                }
            }
        }
    }

    #[test]
    fn merging_two_halves_equals_the_whole() {
        let (mut a, mut b, mut whole) = (Durations::new(3), Durations::new(3), Durations::new(3));
        for s in 0..5000u64 {
            let t = SimTime((s * 7919) % 100_000 * 1000);
            whole.record(t);
            if s % 2 == 0 {
                a.record(t)
            } else {
                b.record(t)
            }
        }
        a.add(&b);
        assert_eq!(a.count(), whole.count());
        for q in [0.1, 0.5, 0.9, 0.99] {
            assert_eq!(a.quantile_secs(q), whole.quantile_secs(q));
        }
        assert_eq!(a.share_positive(), whole.share_positive());
        assert!((a.mean_secs().unwrap() - whole.mean_secs().unwrap()).abs() < 1e-9);
    }

    #[test]
    fn empty_has_no_figures() {
        let mut d = Durations::new(2);
        assert_eq!(d.quantile_secs(0.5), None);
        d.record(SimTime::ZERO);
        assert_eq!(d.quantile_secs(0.5), Some(0.0));
        d.clear();
        assert_eq!(d.count(), 0);
        assert_eq!(d.mean_secs(), None);
    }
}
