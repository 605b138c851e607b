//! A streaming distribution of durations: exact count, sum and share above
//! zero, and percentiles from an HDR histogram (bounded relative error,
//! memory independent of the number of samples).

use crate::engine::SimTime;
use hdrhistogram::Histogram;

/// Durations recorded in milliseconds: waits of interest run from seconds to
/// days, and 1 ms is well below what any report shows.
const UNIT_US: u64 = 1_000;

#[derive(Clone, Debug)]
pub struct Durations {
    hist: Histogram<u64>,
    count: u64,
    positive: u64,
    sum_secs: f64,
}

impl Durations {
    /// `sigfig` significant digits: 2 keeps percentiles within 1 % (and a
    /// histogram under 10 KB, cheap to clear every bin); 3 within 0.1 %.
    pub fn new(sigfig: u8) -> Self {
        // Fixed bounds (1 ms to 2^36 ms, about two years) so that recording
        // never allocates; a longer duration saturates at the top.
        let hist = Histogram::new_with_bounds(1, 1 << 36, sigfig).expect("valid bounds and 1..=5 significant figures");
        Durations { hist, count: 0, positive: 0, sum_secs: 0.0 }
    }

    pub fn record(&mut self, d: SimTime) {
        self.hist.saturating_record(d.0 / UNIT_US);
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
        (self.count > 0).then(|| self.hist.value_at_quantile(q) as f64 * UNIT_US as f64 / 1e6)
    }

    pub fn add(&mut self, other: &Durations) {
        self.hist.add(&other.hist).expect("histograms with the same bounds always merge");
        self.count += other.count;
        self.positive += other.positive;
        self.sum_secs += other.sum_secs;
    }

    pub fn clear(&mut self) {
        if self.count > 0 {
            self.hist.reset();
            self.count = 0;
            self.positive = 0;
            self.sum_secs = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        d.clear();
        assert_eq!(d.count(), 0);
        assert_eq!(d.mean_secs(), None);
    }
}
