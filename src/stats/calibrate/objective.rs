//! The objective: J(x) = Σ_i w_i ((sim_i(x) - obs_i) / max(|obs_i|, floor_i))²
//! over the observations used in the fit, sim_i the mean of the figure
//! over the replications. Relative errors put a queue of 800,000 and a
//! wait of 300 minutes on one footing; the floor keeps an observation at
//! or near zero from dividing by nothing: 1 for counts (one person),
//! 0.01 for shares (one percentage point), 1 for seconds and for levels.
//! The same terms from one replication alone give J_r, which the
//! intervals compare point against point.

use crate::stats::{Kind, Value};

/// One observation as the fit uses it.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub value: f64,
    pub weight: f64,
    /// The smallest scale its error is divided by (see `floor`).
    pub floor: f64,
    /// In the objective; a held-out observation is computed, not used.
    pub used: bool,
}

/// A figure undefined at a point (a share of nobody) counts as this term,
/// times its weight: far worse than any fit, yet finite, so the simplex
/// still orders its points.
pub const UNDEFINED: f64 = 1e6;

/// The floor of an observation of `kind` (see the module doc).
pub fn floor(kind: Kind) -> f64 {
    match kind {
        // Both read from 0 to about 1.
        Kind::Share | Kind::Ratio => 0.01,
        Kind::Count | Kind::Seconds | Kind::Level | Kind::Clock => 1.0,
    }
}

impl Observation {
    /// Its term at a simulated value.
    pub fn term(&self, sim: Value) -> f64 {
        match sim {
            Some(s) if s.is_finite() => self.weight * ((s - self.value) / self.value.abs().max(self.floor)).powi(2),
            _ => self.weight * UNDEFINED,
        }
    }

    /// The signed relative error of a simulated value.
    pub fn error(&self, sim: f64) -> f64 {
        (sim - self.value) / self.value.abs().max(self.floor)
    }
}

/// Each figure's mean over the replications where it is defined.
pub fn means(runs: &[Vec<Value>], n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let v: Vec<f64> = runs.iter().filter_map(|r| r.get(i).copied().flatten()).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        })
        .collect()
}

/// J at the means.
pub fn objective(obs: &[Observation], means: &[Value]) -> f64 {
    obs.iter().zip(means).filter(|(o, _)| o.used).map(|(o, m)| o.term(*m)).sum()
}

/// J_r of each replication, from its values alone.
pub fn per_replication(obs: &[Observation], runs: &[Vec<Value>]) -> Vec<f64> {
    runs.iter().map(|r| objective(obs, r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_errors_with_a_floor_near_zero() {
        let o = |value, kind| Observation { value, weight: 2.0, floor: floor(kind), used: true };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(o(100.0, Kind::Count).term(Some(110.0)), 2.0 * 0.01));
        // 0.001 observed: the error is over the floor of one point.
        assert!((o(0.001, Kind::Share).term(Some(0.011)) - 2.0).abs() < 1e-12);
        assert_eq!(o(5.0, Kind::Count).term(None), 2.0 * UNDEFINED);
        let held = Observation { used: false, ..o(1.0, Kind::Count) };
        assert!(close(objective(&[held, o(10.0, Kind::Count)], &[Some(100.0), Some(11.0)]), 2.0 * 0.01));
    }
}
