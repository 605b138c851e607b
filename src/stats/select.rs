//! Selecting the best of several scenarios on one figure with a stated
//! probability of a correct choice: the fully sequential procedure KN of
//! Kim & Nelson ("A fully sequential procedure for indifference-zone
//! selection in simulation", ACM TOMACS 11(3), 2001, pp. 251-273).
//!
//! Every surviving scenario gets one more replication a round; after a
//! first stage of `n0`, a scenario is dropped once its mean trails another's
//! by more than a margin that shrinks as replications accrue. With
//! probability at least `confidence`, the one left is the best, or within
//! `delta` (the indifference zone: a difference a planner would not act
//! on) of it. Replication r of every scenario runs on the same seed
//! (`compare` puts every scenario on one seed, whatever their files say),
//! so the variance of the differences, which sets the margin, is that of
//! paired runs (common random numbers), and the choice comes sooner.
//!
//! When the budget runs out with several left, the procedure says so: they
//! cannot be told apart within it.

use anyhow::Result;

/// The figure's value in replication `r` of each of `scenarios` (run
/// together: the caller may run them in parallel).
pub trait Runs {
    fn values(&mut self, scenarios: &[usize], r: usize) -> Result<Vec<f64>>;
}

/// Which end of the figure is best.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Best {
    Lowest,
    Highest,
}

#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub best: Best,
    /// Probability of a correct selection (1 - alpha).
    pub confidence: f64,
    /// The indifference zone, in the figure's unit (above 0).
    pub delta: f64,
    /// First-stage replications per scenario (at least 2).
    pub n0: usize,
    /// Replications per scenario at most.
    pub max_per_scenario: usize,
}

/// What the procedure found.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    /// The best, if one is left; `None` if several could not be told apart.
    pub best: Option<usize>,
    /// Still in the running at the end (the best alone, or the ties).
    pub survivors: Vec<usize>,
    /// Replications each scenario got.
    pub replications: Vec<usize>,
    /// Each scenario's mean over its replications.
    pub means: Vec<f64>,
}

/// Run KN on `k` scenarios.
pub fn select<R: Runs>(k: usize, settings: Settings, runs: &mut R) -> Result<Selection> {
    anyhow::ensure!(k >= 2, "selection needs two scenarios or more");
    anyhow::ensure!(settings.n0 >= 2 && settings.delta > 0.0, "n0 >= 2 and delta > 0");
    let sign = if settings.best == Best::Highest { 1.0 } else { -1.0 };
    // Values with the best as the highest, whichever end the figure's is.
    let mut x: Vec<Vec<f64>> = vec![Vec::new(); k];
    let all: Vec<usize> = (0..k).collect();
    for r in 0..settings.n0 {
        for (i, v) in runs.values(&all, r)?.into_iter().enumerate() {
            x[i].push(sign * v);
        }
    }
    let h2 = h_squared(k, settings.n0, 1.0 - settings.confidence);
    let s2 = pair_variances(&x, settings.n0);
    let mut alive: Vec<usize> = (0..k).collect();
    let mut r = settings.n0;
    loop {
        // The survivors' means over their r replications (the others' are not used).
        let means: Vec<f64> = x.iter().map(|v| v.iter().sum::<f64>() / v.len() as f64).collect();
        let margin = |i: usize, l: usize| {
            let w = settings.delta / (2.0 * r as f64) * (h2 * s2[i][l] / (settings.delta * settings.delta) - r as f64);
            w.max(0.0)
        };
        alive = alive
            .iter()
            .copied()
            .filter(|&i| alive.iter().all(|&l| l == i || means[i] >= means[l] - margin(i, l)))
            .collect();
        if alive.len() <= 1 || r >= settings.max_per_scenario {
            let replications = (0..k).map(|i| if alive.contains(&i) { r } else { x[i].len() }).collect();
            let means = x.iter().map(|v| sign * v.iter().sum::<f64>() / v.len() as f64).collect();
            return Ok(Selection { best: (alive.len() == 1).then(|| alive[0]), survivors: alive, replications, means });
        }
        for (&i, v) in alive.iter().zip(runs.values(&alive, r)?) {
            x[i].push(sign * v);
        }
        r += 1;
    }
}

/// KN's h² = 2η(n0 - 1), η = ((2α / (k - 1))^(-2 / (n0 - 1)) - 1) / 2.
fn h_squared(k: usize, n0: usize, alpha: f64) -> f64 {
    let eta = 0.5 * ((2.0 * alpha / (k as f64 - 1.0)).powf(-2.0 / (n0 as f64 - 1.0)) - 1.0);
    2.0 * eta * (n0 as f64 - 1.0)
}

/// The first stage's sample variance of each pair's differences.
fn pair_variances(x: &[Vec<f64>], n0: usize) -> Vec<Vec<f64>> {
    let k = x.len();
    let mut s2 = vec![vec![0.0; k]; k];
    for i in 0..k {
        for l in 0..k {
            let d: Vec<f64> = (0..n0).map(|j| x[i][j] - x[l][j]).collect();
            let m = d.iter().sum::<f64>() / n0 as f64;
            s2[i][l] = d.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n0 as f64 - 1.0);
        }
    }
    s2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scenario i's value in replication r: its mean, plus noise shared by
    /// all scenarios (common random numbers) and noise of its own.
    struct Normal {
        means: Vec<f64>,
        /// The spread of each scenario's own noise.
        own: f64,
    }

    /// A deterministic stand-in for noise: sin of a large multiple, zero on average.
    fn noise(seed: f64) -> f64 {
        (seed * 12.9898).sin() * 43758.5453 % 1.0
    }

    impl Runs for Normal {
        fn values(&mut self, scenarios: &[usize], r: usize) -> Result<Vec<f64>> {
            let common = noise(r as f64 + 0.5);
            Ok(scenarios
                .iter()
                .map(|&i| self.means[i] + common + noise((r * 7 + i * 1013) as f64 + 0.25) * self.own)
                .collect())
        }
    }

    fn settings(best: Best) -> Settings {
        Settings { best, confidence: 0.95, delta: 0.05, n0: 5, max_per_scenario: 500 }
    }

    #[test]
    fn the_best_is_picked_at_either_end() {
        let mut runs = Normal { means: vec![1.0, 1.3, 0.9], own: 0.1 };
        assert_eq!(select(3, settings(Best::Highest), &mut runs).unwrap().best, Some(1));
        assert_eq!(select(3, settings(Best::Lowest), &mut runs).unwrap().best, Some(2));
    }

    #[test]
    fn equal_scenarios_cannot_be_told_apart() {
        // The same system twice on common random numbers: every paired
        // difference is zero, neither ever trails the other.
        let mut runs = Normal { means: vec![1.0, 1.0], own: 0.0 };
        let s = select(2, Settings { max_per_scenario: 60, ..settings(Best::Highest) }, &mut runs).unwrap();
        assert_eq!(s.best, None);
        assert_eq!(s.survivors, vec![0, 1]);
        assert_eq!(s.replications, vec![60, 60]);
    }

    #[test]
    fn h_squared_matches_kn() {
        // k = 2, alpha = 0.05, n0 = 10: eta = ((0.1)^(-2/9) - 1) / 2.
        let eta = 0.5 * (0.1f64.powf(-2.0 / 9.0) - 1.0);
        assert!((h_squared(2, 10, 0.05) - 2.0 * eta * 9.0).abs() < 1e-12);
    }
}
