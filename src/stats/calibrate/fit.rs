//! The search: Nelder-Mead (the `argmin` crate's, not a hand-written one)
//! in the unit cube, on an objective every point of which is run once
//! (memoised after rounding) and logged, within a budget of runs.
//!
//! The simplex starts at the start point and one step of a quarter of the
//! cube along each key (back, where a step forward would leave it). When
//! Nelder-Mead converges (its points' objectives agree) while the budget
//! allows, it restarts from the best point with a smaller simplex (a tenth,
//! then a twenty-fifth of the cube): a simplex collapsed on a flat patch
//! of a stepwise objective (common random numbers make it one) gets a
//! second look close by. It stops when a restart finds nothing better,
//! or the budget is spent (the best point seen is kept). Then each key is
//! profiled from the best point (`interval`), with what the budget kept
//! back for it.

pub use super::evaluate::Evaluation;
use super::evaluate::{Evaluator, Spent};
use super::interval::{profile, Interval};
use super::objective::Observation;
use super::space::Param;
use super::Oracle;
use anyhow::Result;
use argmin::core::{CostFunction, Executor};
use argmin::solver::neldermead::NelderMead;
use std::cell::RefCell;

/// How the search runs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Replications at every point (the same seeds 0..R everywhere).
    pub replications: usize,
    /// Runs in all (points x replications), at most.
    pub max_runs: usize,
    /// Where the search starts, in key units.
    pub start: Vec<f64>,
    /// Profile points on each side of the best, per key, at most.
    pub profile_per_side: usize,
}

/// What the fit found.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The best point of the search, an index into `evaluations`.
    pub best: usize,
    /// Every point run, in evaluation order.
    pub evaluations: Vec<Evaluation>,
    /// Each key's interval, or why there is none.
    pub intervals: Vec<Result<Interval, String>>,
    pub runs: usize,
    /// Nelder-Mead runs: the first and its restarts.
    pub searches: usize,
    /// Whether the budget stopped the search before it converged.
    pub budget_stopped: bool,
    pub warnings: Vec<String>,
}

impl Calibration {
    pub fn best(&self) -> &Evaluation {
        &self.evaluations[self.best]
    }
}

/// Nelder-Mead's view of the evaluator: cube in, objective out.
struct Problem<'e, 'a, O>(&'e RefCell<Evaluator<'a, O>>);

impl<O: Oracle> CostFunction for Problem<'_, '_, O> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, u: &Self::Param) -> Result<f64, argmin::core::Error> {
        let mut e = self.0.borrow_mut();
        let i = e.at_unit(u)?;
        Ok(e.log[i].objective)
    }
}

/// Nelder-Mead's convergence test: the standard deviation of the
/// simplex's objectives.
pub const SD_TOLERANCE: f64 = 1e-6;

/// One Nelder-Mead from `start` (cube) with sides `size`: whether it ended
/// by the budget.
fn nelder_mead<O: Oracle>(e: &RefCell<Evaluator<'_, O>>, start: &[f64], size: f64) -> Result<bool> {
    let k = start.len();
    let mut simplex = vec![start.to_vec()];
    for j in 0..k {
        let mut v = start.to_vec();
        v[j] = if v[j] + size <= 1.0 { v[j] + size } else { v[j] - size };
        simplex.push(v);
    }
    // Converged when the simplex's objectives agree within 1e-6 (their
    // standard deviation): a relative error of 0.1 %, finer than any
    // observation is published to. A simplex collapsed by the rounding
    // costs no runs (memoised), and the iteration cap ends it.
    let solver = NelderMead::new(simplex).with_sd_tolerance(SD_TOLERANCE)?;
    let result = Executor::new(Problem(e), solver).configure(|s| s.max_iters(60 * k as u64 + 60)).run();
    match result {
        Ok(_) => Ok(false),
        Err(err) if err.downcast_ref::<Spent>().is_some() => Ok(true),
        Err(err) => Err(err),
    }
}

/// Fit the keys (`params`) to the observations: see the module doc.
pub fn fit<O: Oracle>(
    params: &[Param],
    obs: &[Observation],
    settings: &Settings,
    oracle: &mut O,
) -> Result<Calibration> {
    anyhow::ensure!(!params.is_empty(), "no key to fit");
    anyhow::ensure!(settings.replications >= 1, "no replication");
    anyhow::ensure!(obs.iter().any(|o| o.used), "no observation to fit to");
    let k = params.len();
    let r = settings.replications;
    // Kept back for the profiles: a side of `per_side` points per key,
    // fewer when that would take more than half the budget (two at least).
    let mut per_side = settings.profile_per_side.max(2);
    while per_side > 2 && 2 * k * per_side * r > settings.max_runs / 2 {
        per_side -= 1;
    }
    let reserve = if r >= 2 { 2 * k * per_side * r } else { 0 };
    let search_budget = settings.max_runs.saturating_sub(reserve).max(r * (k + 1));
    let e = RefCell::new(Evaluator::new(params, obs, oracle, r, search_budget.min(settings.max_runs)));
    let start: Vec<f64> = settings.start.iter().zip(params).map(|(x, p)| p.unit(*x)).collect();
    let mut warnings = Vec::new();
    // The start alone first, so a budget that cannot pay for a simplex
    // still returns a point.
    match e.borrow_mut().at_unit(&start) {
        Ok(_) => {}
        Err(err) if err.downcast_ref::<Spent>().is_some() => {
            anyhow::bail!("--max-runs {} cannot pay for one point of {r} replications", settings.max_runs)
        }
        Err(err) => return Err(err),
    }
    let mut searches = 0;
    let mut budget_stopped = false;
    let mut from = start.clone();
    for size in [0.25, 0.1, 0.04] {
        let before = e.borrow().best().map(|i| e.borrow().log[i].objective);
        searches += 1;
        if nelder_mead(&e, &from, size)? {
            budget_stopped = true;
            break;
        }
        let ev = e.borrow();
        let best = ev.best().expect("the start was run");
        let improved = before.is_none_or(|b| ev.log[best].objective < b);
        if searches > 1 && !improved {
            break;
        }
        from = ev.log[best].x.iter().zip(params).map(|(x, p)| p.unit(*x)).collect();
    }
    let mut ev = e.into_inner();
    let best = ev.best().expect("the start was run");
    if budget_stopped {
        warnings.push(format!(
            "the search stopped at its share of --max-runs {} ({} runs; the rest is kept for the intervals) before \
             Nelder-Mead converged: the point given is the best seen",
            settings.max_runs, search_budget
        ));
    }
    // The profiles get what the search left.
    ev.budget = settings.max_runs;
    ev.stage = "profile";
    let intervals = if r < 2 {
        (0..k).map(|_| Err("no interval: one replication gives no noise to judge by".to_string())).collect()
    } else {
        (0..k).map(|j| profile(&mut ev, best, j, per_side)).collect::<Result<Vec<_>>>()?.into_iter().map(Ok).collect()
    };
    if let Some(better) = (0..ev.log.len()).find(|&i| ev.log[i].objective < ev.log[best].objective) {
        warnings.push(format!(
            "a profile point has a lower objective ({:.4e}) than the fitted point ({:.4e}): the search ended at a \
             local minimum; consider starting there (point {})",
            ev.log[better].objective, ev.log[best].objective, better
        ));
    }
    Ok(Calibration { best, runs: ev.runs, evaluations: ev.log, intervals, searches, budget_stopped, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Value;

    /// Figures that are a known function of the keys plus replication
    /// noise that is the same at every point for the same replication
    /// (common random numbers): figure i = a_i · x + b_i · y + noise_r.
    struct Linear {
        calls: usize,
        noise: f64,
    }

    impl Oracle for Linear {
        fn runs(&mut self, x: &[f64], from: usize, to: usize) -> Result<Vec<Vec<Value>>> {
            self.calls += 1;
            Ok((from..to)
                .map(|r| {
                    // A fixed pseudo-noise per replication and figure.
                    let n = |i: usize| self.noise * (((r * 7 + i * 3) % 5) as f64 - 2.0);
                    vec![Some(x[0] + x[1] + n(0)), Some(x[0] - x[1] + n(1)), Some(2.0 * x[0] + n(2))]
                })
                .collect())
        }
    }

    fn observations(x: f64, y: f64) -> Vec<Observation> {
        [x + y, x - y, 2.0 * x]
            .iter()
            .map(|&value| Observation { value, weight: 1.0, floor: 1.0, used: true })
            .collect()
    }

    fn settings(r: usize) -> Settings {
        Settings { replications: r, max_runs: 4000, start: vec![90.0, 5.0], profile_per_side: 8 }
    }

    #[test]
    fn a_known_minimum_is_found_from_far() {
        let params = [Param { lo: 0.0, hi: 100.0, step: 0.01 }, Param { lo: 0.0, hi: 50.0, step: 0.01 }];
        let mut oracle = Linear { calls: 0, noise: 0.0 };
        let c = fit(&params, &observations(30.0, 20.0), &settings(2), &mut oracle).unwrap();
        let x = &c.best().x;
        // Within a few rounding steps of the exact minimum (30, 20).
        assert!((x[0] - 30.0).abs() < 0.05 && (x[1] - 20.0).abs() < 0.05, "{x:?}");
        assert_eq!(oracle.calls, c.evaluations.len(), "every point run once");
        assert_eq!(c.runs, 2 * c.evaluations.len());
        assert!(c.runs <= 4000);
    }

    #[test]
    fn the_budget_is_kept_and_the_best_seen_given() {
        let params = [Param { lo: 0.0, hi: 100.0, step: 0.01 }, Param { lo: 0.0, hi: 50.0, step: 0.01 }];
        let mut oracle = Linear { calls: 0, noise: 0.0 };
        let s = Settings { max_runs: 40, ..settings(2) };
        let c = fit(&params, &observations(30.0, 20.0), &s, &mut oracle).unwrap();
        assert!(c.runs <= 40, "{}", c.runs);
        assert!(c.budget_stopped);
        let best = c.evaluations.iter().filter(|e| e.stage == "search").map(|e| e.objective).fold(f64::MAX, f64::min);
        assert_eq!(c.best().objective, best);
    }

    #[test]
    fn intervals_cover_the_truth_and_narrow_with_less_noise() {
        let params = [Param { lo: 0.0, hi: 100.0, step: 0.01 }, Param { lo: 0.0, hi: 50.0, step: 0.01 }];
        let width = |noise: f64| {
            let mut oracle = Linear { calls: 0, noise };
            // Observed: the mean of the same replications at the truth.
            let c = fit(&params, &observations(30.0, 20.0), &settings(5), &mut oracle).unwrap();
            let i = c.intervals[0].clone().unwrap();
            assert!(i.lo.value <= 30.0 && 30.0 <= i.hi.value, "{i:?}");
            i.hi.value - i.lo.value
        };
        assert!(width(0.5) < width(3.0));
    }

    #[test]
    fn one_replication_gives_no_interval() {
        let params = [Param { lo: 0.0, hi: 100.0, step: 0.01 }, Param { lo: 0.0, hi: 50.0, step: 0.01 }];
        let c = fit(&params, &observations(30.0, 20.0), &settings(1), &mut Linear { calls: 0, noise: 1.0 }).unwrap();
        assert!(c.intervals[0].as_ref().unwrap_err().contains("one replication"));
    }

    #[test]
    fn a_held_out_observation_does_not_move_the_fit() {
        let params = [Param { lo: 0.0, hi: 100.0, step: 0.01 }, Param { lo: 0.0, hi: 50.0, step: 0.01 }];
        let mut obs = observations(30.0, 20.0);
        // The first two alone (they determine both keys) ...
        let a = fit(&params, &obs[..2], &settings(2), &mut Linear { calls: 0, noise: 0.0 }).unwrap();
        // ... and with a wildly wrong third observation, held out: the
        // same fit, point for point.
        obs[2] = Observation { value: 1000.0, used: false, ..obs[2].clone() };
        let b = fit(&params, &obs, &settings(2), &mut Linear { calls: 0, noise: 0.0 }).unwrap();
        let xs = |c: &Calibration| c.evaluations.iter().map(|e| e.x.clone()).collect::<Vec<_>>();
        assert_eq!(xs(&a), xs(&b));
        assert_eq!(a.best().x, b.best().x);
        assert_eq!(a.best().objective, b.best().objective);
    }
}
