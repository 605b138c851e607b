//! Each fitted key's interval: the profile of the objective from the best
//! point along that key (the other keys held at their best), on up to
//! `per_side` points between the best and each end of the range, at
//! doubling distances (1/2^(n-1) of the way to the end, then 1/2^(n-2),
//! ..., the end itself). A point is inside when the paired per-replication differences
//! D_r = J_r(x) - J_r(best) (common random numbers: replication r of both
//! points meets the same people) are not significantly above zero by a
//! one-sided Student-t test at 95 %: the objective there cannot be told
//! from its minimum given the replication noise. The walk outwards stops
//! at the first point told apart; the bound is the last point inside, so
//! the interval is as fine as the profile's grid (1/128 of the way to the
//! end with eight points). A bound at the range's
//! edge is open (the values beyond were not tried), and one reached when
//! the budget ran out is a lower bound on the interval's extent.

use super::evaluate::{Evaluator, Spent};
use super::Oracle;
use anyhow::Result;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Level of the one-sided test.
pub const LEVEL: f64 = 0.95;

/// One end of an interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub value: f64,
    /// At the range's edge: the interval may go on beyond it.
    pub open: bool,
    /// The budget ran out before a point was told apart on this side.
    pub budget: bool,
}

/// The values of one key whose objective cannot be told from the best's.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    pub lo: Bound,
    pub hi: Bound,
}

/// Whether the paired differences `d` lie significantly above zero
/// (one-sided t test at `LEVEL`). With no spread, any mean above zero is.
pub fn paired_above(d: &[f64]) -> bool {
    let n = d.len();
    if n < 2 {
        return false;
    }
    let mean = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    if mean <= 0.0 {
        return false;
    }
    if var <= 0.0 {
        return true;
    }
    let t = mean / (var / n as f64).sqrt();
    match StudentsT::new(0.0, 1.0, (n - 1) as f64) {
        Ok(dist) => t > dist.inverse_cdf(LEVEL),
        Err(_) => false,
    }
}

/// Key `j`'s interval around the evaluation `best`: see the module doc.
pub(super) fn profile<O: Oracle>(e: &mut Evaluator<'_, O>, best: usize, j: usize, per_side: usize) -> Result<Interval> {
    let p = e.params[j];
    let centre = e.log[best].x.clone();
    let u0 = p.unit(centre[j]);
    let mut side = |end: f64| -> Result<Bound> {
        let mut inside = Bound { value: centre[j], open: false, budget: false };
        for m in 1..=per_side {
            // Doubling steps: 1/2^(n-1) of the way to the end, then twice
            // that, ..., the end itself: fine near the best, where the
            // bound usually lies, and reaching the range's edge.
            let u = u0 + (end - u0) * 0.5f64.powi((per_side - m) as i32);
            let mut x = centre.clone();
            x[j] = p.at(u);
            if x[j] == inside.value {
                continue;
            }
            let i = match e.at(&x) {
                Ok(i) => i,
                Err(err) if err.downcast_ref::<Spent>().is_some() => {
                    inside.budget = true;
                    return Ok(inside);
                }
                Err(err) => return Err(err),
            };
            let d: Vec<f64> =
                e.log[i].per_replication.iter().zip(&e.log[best].per_replication).map(|(a, b)| a - b).collect();
            if paired_above(&d) {
                return Ok(inside);
            }
            inside.value = x[j];
        }
        inside.open = inside.value == p.at(end);
        Ok(inside)
    };
    let lo = side(0.0)?;
    let hi = side(1.0)?;
    Ok(Interval { lo, hi })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paired_test_tells_a_shift_from_noise() {
        assert!(!paired_above(&[1.0, -1.0, 0.5, -0.4]), "noise around zero");
        assert!(paired_above(&[1.0, 1.1, 0.9, 1.05]), "a clear shift");
        assert!(!paired_above(&[-1.0, -1.0]), "below");
        assert!(paired_above(&[0.1, 0.1]), "no spread, above");
        assert!(!paired_above(&[5.0]), "one pair tells nothing");
    }
}
