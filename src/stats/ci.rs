//! Estimates across independent replications: the mean and a 95 %
//! Student-t confidence interval, mean ± t(0.975, n-1) · s / √n, and the
//! Student-t quantiles behind them (from `statrs`).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// A figure estimated from `n` replications: its mean and 95 % interval.
///
/// ```
/// use surgesim::stats::Estimate;
///
/// // Bookings of four replications of a night.
/// let e = Estimate::of(&[950.0, 1010.0, 990.0, 1050.0]).expect("some replications");
/// assert_eq!((e.mean, e.n), (1000.0, 4));
/// let (lo, hi) = (e.lo.expect("two or more"), e.hi.expect("two or more"));
/// assert!(lo < e.mean && e.mean < hi);
/// assert_eq!(e.half_width(), Some((hi - lo) / 2.0));
/// // One replication gives a mean but no interval; none gives nothing.
/// assert_eq!(Estimate::of(&[7.0]).map(|e| (e.mean, e.lo)), Some((7.0, None)));
/// assert_eq!(Estimate::of(&[]), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    /// Bounds of the 95 % interval; `None` with fewer than two replications.
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    pub n: usize,
}

impl Estimate {
    /// From the replications' values; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Estimate> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if n < 2 {
            return Some(Estimate { mean, lo: None, hi: None, n });
        }
        let half = t975(n - 1) * std_err(values, mean);
        Some(Estimate { mean, lo: Some(mean - half), hi: Some(mean + half), n })
    }

    pub fn half_width(&self) -> Option<f64> {
        Some((self.hi? - self.lo?) / 2.0)
    }
}

/// The standard error of the mean of `values` (at least two).
pub fn std_err(values: &[f64], mean: f64) -> f64 {
    let n = values.len() as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (var / n).sqrt()
}

/// The `p` quantile of Student's t with `df` degrees of freedom
/// (infinite for `df = 0`, where no spread can be estimated).
pub fn t_quantile(p: f64, df: usize) -> f64 {
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) if df > 0 => t.inverse_cdf(p),
        _ => f64::INFINITY,
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom: the
/// factor of a two-sided 95 % interval.
pub fn t975(df: usize) -> f64 {
    t_quantile(0.975, df)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Abramowitz & Stegun, Table 26.10.
        for (df, t) in [(1, 12.706), (2, 4.303), (10, 2.228), (30, 2.042), (40, 2.021), (120, 1.980)] {
            assert!((t975(df) - t).abs() < 1e-3, "t975({df}) = {}", t975(df));
        }
        assert!((t975(100_000) - 1.960).abs() < 1e-3);
        assert!((t_quantile(0.99, 10) - 2.764).abs() < 1e-3);
        assert_eq!(t975(0), f64::INFINITY);
    }

    #[test]
    fn intervals_from_samples() {
        let i = Estimate::of(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(i.mean, 2.0);
        // s = 1, n = 3: half width 4.303 / sqrt(3).
        assert!((i.half_width().unwrap() - 4.303 / 3f64.sqrt()).abs() < 1e-3);
        assert_eq!(Estimate::of(&[5.0]).unwrap().lo, None);
        assert!(Estimate::of(&[]).is_none());
    }
}
