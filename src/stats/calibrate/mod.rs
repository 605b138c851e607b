//! Calibration: several keys fitted at once to a scenario's observations.
//! Pure: the runs come from an `Oracle` the caller provides (the simulator
//! in `surgesim calibrate`, functions of known minimum in the tests).
//!
//! The files, one job each: `space` (the unit cube searched and the keys'
//! values it maps to), `objective` (the weighted sum of squared relative
//! errors, over the mean of the replications and per replication),
//! `evaluate` (every point run once, logged, within the budget),
//! `fit` (Nelder-Mead from the `argmin` crate on the memoised, budgeted
//! objective, with restarts), `interval` (each key's profile from the best
//! point and the paired t test that bounds it).
//!
//! What it guarantees: replication r of every point runs on the same seed
//! (common random numbers), so the objective is a deterministic function of
//! the keys; Nelder-Mead then ends at a point no better simplex move
//! improves on, a local minimum at best. There is no global guarantee: a
//! start far from the truth in a rugged objective can end elsewhere, which
//! the profile intervals and the held-out observations help to tell.

mod evaluate;
mod fit;
mod interval;
mod objective;
mod space;

pub use fit::{fit, Calibration, Evaluation, Settings};
pub use interval::{paired_above, Bound, Interval};
pub use objective::{floor, means, objective, per_replication, Observation, UNDEFINED};
pub use space::Param;

use crate::stats::Value;
use anyhow::Result;

/// Replications `from..to` of the scenario at `x` (one value per key, in
/// the keys' units): for each replication, the value of every
/// observation's figure, in the observations' order.
pub trait Oracle {
    fn runs(&mut self, x: &[f64], from: usize, to: usize) -> Result<Vec<Vec<Value>>>;
}
