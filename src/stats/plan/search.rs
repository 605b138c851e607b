//! The search of `plan`: bisection on the key, each probed value decided by
//! sequential one-sided t tests over replications.
//!
//! For the least value meeting every target (the targets hold from some
//! value of the key up, e.g. more servers, fewer drops): the top of the
//! range must hold, the bottom is tried, and the bracket [fails, holds] is
//! halved until it is one resolution step wide; the answer is its top.
//! `--most` mirrors it. A probed value is given replications a batch at a
//! time until every target is decided at the test level, or its share of
//! the budget is spent; a value that cannot be shown to hold counts as
//! failing, so the answer errs towards safety.
//!
//! The guarantee: if the figures move one way in the key, the value
//! returned meets every target with probability at least the confidence.
//! Each "holds" is a one-sided test at level α = (1 - confidence) / (D · T)
//! for D possible decisions (the bisection's steps, plus the two ends) and
//! T targets, so by Bonferroni the chance that any "holds" the answer rests
//! on is wrong is at most 1 - confidence. Replication r of every value runs
//! on the same random seed (seed, r).
//!
//! `==` (calibration) bisects on the side of the target the figure's mean
//! lies, adding replications while the interval straddles the target, and
//! returns the probed value whose mean is closest to it.

use super::target::{Op, Target};
use crate::stats::ci::{std_err, t_quantile};
use crate::stats::Value;
use anyhow::Result;

/// Replications `from..to` of the scenario at key value `x`: for each, the
/// value of every target's figure, in the targets' order.
pub trait Oracle {
    fn runs(&mut self, x: f64, from: usize, to: usize) -> Result<Vec<Vec<Value>>>;
}

/// The values the key may take: `lo`, `lo + step`, ... up to `hi`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Domain {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
}

impl Domain {
    /// The number of steps from `lo` to `x` (rounded down).
    fn index(&self, x: f64) -> u64 {
        ((x - self.lo) / self.step + 1e-9).floor().max(0.0) as u64
    }

    fn at(&self, i: u64) -> f64 {
        (self.lo + i as f64 * self.step).min(self.hi)
    }

    fn last(&self) -> u64 {
        self.index(self.hi)
    }
}

/// How the search spends its runs and at what confidence it decides.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub confidence: f64,
    /// The greatest value (`--most`) instead of the least.
    pub most: bool,
    /// Simulated runs in all, at most.
    pub max_runs: usize,
    /// Replications given to a value at first, and added at each round.
    pub batch: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every target holds, at the test level.
    Holds,
    /// Some target fails, at the test level.
    Fails,
    /// Neither shown within the runs this value could be given.
    Undecided,
}

/// One probed value of the key.
#[derive(Clone, Debug)]
pub struct Point {
    pub x: f64,
    /// Per replication, each target's figure.
    pub runs: Vec<Vec<Value>>,
    pub verdict: Verdict,
}

/// What the search found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// `None` when no value of the range meets every target.
    pub value: Option<f64>,
    /// In the order they were probed.
    pub points: Vec<Point>,
    pub runs: usize,
    /// Level of each one-sided test.
    pub alpha: f64,
    pub warnings: Vec<String>,
}

/// The search, its state as it goes.
struct Search<'a, O> {
    targets: &'a [Target],
    domain: Domain,
    settings: Settings,
    oracle: &'a mut O,
    alpha: f64,
    points: Vec<Point>,
    runs: usize,
    warnings: Vec<String>,
}

/// Find the least (or, with `settings.most`, the greatest) value of the key
/// meeting every target, or with one `==` target the value that hits it.
pub fn search<O: Oracle>(targets: &[Target], domain: Domain, settings: Settings, oracle: &mut O) -> Result<Outcome> {
    anyhow::ensure!(!targets.is_empty(), "no target given");
    let equal = targets.iter().any(|t| t.op == Op::Equal);
    anyhow::ensure!(!equal || targets.len() == 1, "a `==` target (calibration) goes alone");
    // Decisions at most: both ends and every halving of the range.
    let decisions = 2 + (domain.last() as f64 + 1.0).log2().ceil() as usize;
    let alpha = (1.0 - settings.confidence) / (decisions * targets.len()) as f64;
    let mut s = Search { targets, domain, settings, oracle, alpha, points: Vec::new(), runs: 0, warnings: Vec::new() };
    let value = if equal { s.calibrate()? } else { s.bisect()? };
    s.check_monotone();
    Ok(Outcome { value, points: s.points, runs: s.runs, alpha: s.alpha, warnings: s.warnings })
}

impl<O: Oracle> Search<'_, O> {
    /// Least or most value that holds: see the module doc.
    fn bisect(&mut self) -> Result<Option<f64>> {
        let (safe_end, far_end) = if self.settings.most { (0, self.domain.last()) } else { (self.domain.last(), 0) };
        // The end where targets are easiest must hold, or nothing does.
        if self.decide(safe_end)? != Verdict::Holds {
            return Ok(None);
        }
        if self.decide(far_end)? == Verdict::Holds {
            return Ok(Some(self.domain.at(far_end)));
        }
        // `good` holds, `bad` does not; halve the gap between them.
        let (mut good, mut bad) = (safe_end, far_end);
        while good.abs_diff(bad) > 1 && self.runs < self.settings.max_runs {
            let mid = (good + bad) / 2;
            if self.decide(mid)? == Verdict::Holds {
                good = mid;
            } else {
                bad = mid;
            }
        }
        if good.abs_diff(bad) > 1 {
            self.warnings.push(format!(
                "stopped at --max-runs {} with the answer between {} and {}: the value given is the safe end",
                self.settings.max_runs,
                self.domain.at(good.min(bad)),
                self.domain.at(good.max(bad))
            ));
        }
        Ok(Some(self.domain.at(good)))
    }

    /// The probed value closest to the `==` target.
    fn calibrate(&mut self) -> Result<Option<f64>> {
        let target = self.targets[0].clone();
        let (mut lo, mut hi) = (0, self.domain.last());
        let side_lo = self.side(lo, &target)?;
        let side_hi = self.side(hi, &target)?;
        if side_lo == side_hi && side_lo != 0 {
            self.warnings.push(format!(
                "{} stays on one side of {} over the whole range: the value given is the end closest to it",
                target.figure.name(),
                target.value
            ));
        } else {
            // Bisect on the side of the target the mean lies.
            while hi - lo > 1 && self.runs < self.settings.max_runs {
                let mid = (lo + hi) / 2;
                let side = self.side(mid, &target)?;
                if side == 0 {
                    break;
                }
                if side == side_lo {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
        }
        let closest = self
            .points
            .iter()
            .filter_map(|p| Some((mean(p, 0)?, p.x)))
            .min_by(|a, b| (a.0 - target.value).abs().total_cmp(&(b.0 - target.value).abs()));
        Ok(closest.map(|(_, x)| x))
    }

    /// Which side of the target the figure's mean lies at step `i`: -1
    /// below, 1 above, 0 within its interval (more runs cannot tell).
    fn side(&mut self, i: u64, target: &Target) -> Result<i32> {
        let x = self.domain.at(i);
        let k = self.point(x);
        loop {
            let values: Vec<f64> = self.points[k].runs.iter().filter_map(|r| r[0]).collect();
            let (verdict_low, verdict_high) = bounds(&values, self.alpha);
            if verdict_low > target.value {
                return Ok(1);
            }
            if verdict_high < target.value {
                return Ok(-1);
            }
            if !self.more_runs(k)? {
                return Ok(0);
            }
        }
    }

    /// Decide step `i`: replications a batch at a time until every target
    /// is decided or the value's share of the budget is spent.
    fn decide(&mut self, i: u64) -> Result<Verdict> {
        let k = self.point(self.domain.at(i));
        loop {
            let verdict = verdict(self.targets, &self.points[k].runs, self.alpha);
            self.points[k].verdict = verdict;
            if verdict != Verdict::Undecided || !self.more_runs(k)? {
                return Ok(verdict);
            }
        }
    }

    /// The index of the point at `x`, created (without runs) if new.
    fn point(&mut self, x: f64) -> usize {
        if let Some(k) = self.points.iter().position(|p| p.x == x) {
            return k;
        }
        self.points.push(Point { x, runs: Vec::new(), verdict: Verdict::Undecided });
        self.points.len() - 1
    }

    /// Give point `k` another batch of replications, if the budget allows:
    /// each value may take at most a quarter of all runs, so one value on
    /// the fence cannot starve the rest of the search.
    fn more_runs(&mut self, k: usize) -> Result<bool> {
        let have = self.points[k].runs.len();
        let batch = if have == 0 { self.settings.batch.max(2) } else { self.settings.batch };
        let cap = (self.settings.max_runs / 4).max(2 * self.settings.batch).max(2);
        if have + batch > cap.max(batch) || self.runs + batch > self.settings.max_runs {
            return Ok(false);
        }
        let x = self.points[k].x;
        let new = self.oracle.runs(x, have, have + batch)?;
        self.runs += new.len();
        self.points[k].runs.extend(new);
        Ok(true)
    }

    /// Warn when a target's figure does not move one way in the key.
    fn check_monotone(&mut self) {
        let mut sorted: Vec<&Point> = self.points.iter().filter(|p| !p.runs.is_empty()).collect();
        sorted.sort_by(|a, b| a.x.total_cmp(&b.x));
        for (i, t) in self.targets.iter().enumerate() {
            let means: Vec<(f64, f64)> = sorted.iter().filter_map(|p| Some((p.x, mean(p, i)?))).collect();
            let ups = means.windows(2).filter(|w| w[1].1 > w[0].1).count();
            let downs = means.windows(2).filter(|w| w[1].1 < w[0].1).count();
            if ups > 0 && downs > 0 {
                self.warnings.push(format!(
                    "{} does not move one way in the key over the values tried ({}): the answer assumes it does",
                    t.figure.name(),
                    means.iter().map(|(x, m)| format!("{x}: {m:.4}")).collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
}

/// The mean of target `i`'s figure at a point, over the runs where it is defined.
pub fn mean(p: &Point, i: usize) -> Option<f64> {
    let values: Vec<f64> = p.runs.iter().filter_map(|r| r[i]).collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// One-sided bounds at level `alpha` each: (lower, upper). With one run
/// (or none) nothing is known: (-inf, +inf).
fn bounds(values: &[f64], alpha: f64) -> (f64, f64) {
    if values.len() < 2 {
        return (f64::NEG_INFINITY, f64::INFINITY);
    }
    let m = values.iter().sum::<f64>() / values.len() as f64;
    let half = t_quantile(1.0 - alpha, values.len() - 1) * std_err(values, m);
    (m - half, m + half)
}

/// Every target at once: holds if all hold, fails if one fails. A figure
/// undefined in any run (a wait where nobody waited) cannot be judged.
fn verdict(targets: &[Target], runs: &[Vec<Value>], alpha: f64) -> Verdict {
    let mut all_hold = true;
    for (i, t) in targets.iter().enumerate() {
        let values: Vec<f64> = runs.iter().filter_map(|r| r[i]).collect();
        if values.len() < runs.len() {
            all_hold = false;
            continue;
        }
        let (low, high) = bounds(&values, alpha);
        let (holds, fails) = match t.op {
            Op::AtMost => (high <= t.value, low > t.value),
            Op::AtLeast => (low >= t.value, high < t.value),
            Op::Equal => (false, false),
        };
        if fails {
            return Verdict::Fails;
        }
        all_hold &= holds;
    }
    if all_hold {
        Verdict::Holds
    } else {
        Verdict::Undecided
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::plan::Measure;
    use crate::stats::{Columns, Headline};

    /// A figure that is `f(x)` plus noise of a known spread: replication r
    /// adds the r-th value of a fixed sequence (mean 0, sd about `sd`).
    struct Fake {
        f: fn(f64) -> f64,
        sd: f64,
        calls: usize,
    }

    impl Oracle for Fake {
        fn runs(&mut self, x: f64, from: usize, to: usize) -> Result<Vec<Vec<Value>>> {
            self.calls += to - from;
            Ok((from..to)
                .map(|r| {
                    // A fixed zero-mean sequence: +1, -1, +0.5, -0.5, ...
                    let noise = if r % 2 == 0 { 1.0 } else { -1.0 } / (1.0 + (r / 2) as f64 % 3.0);
                    let v = (self.f)(x) + self.sd * noise;
                    vec![Some(v)]
                })
                .collect())
        }
    }

    fn settings(most: bool) -> Settings {
        Settings { confidence: 0.95, most, max_runs: 400, batch: 4 }
    }

    fn target(op: Op, value: f64) -> Target {
        Target { figure: Measure::Headline(Headline::DropRate), op, value }
    }

    #[test]
    fn the_least_value_that_holds_is_found() {
        // Falls by 0.01 per unit of x: at most 0.205 from x = 29.5 on, so
        // 30 holds and 29 fails, each by five times the noise.
        let mut o = Fake { f: |x| 0.5 - 0.01 * x, sd: 0.001, calls: 0 };
        let d = Domain { lo: 0.0, hi: 100.0, step: 1.0 };
        let out = search(&[target(Op::AtMost, 0.205)], d, settings(false), &mut o).unwrap();
        assert_eq!(out.value, Some(30.0));
        assert_eq!(out.runs, o.calls);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn most_finds_the_greatest_and_a_hopeless_range_gives_none() {
        let mut o = Fake { f: |x| 0.01 * x, sd: 0.001, calls: 0 };
        let d = Domain { lo: 0.0, hi: 100.0, step: 1.0 };
        let out = search(&[target(Op::AtMost, 0.505)], d, settings(true), &mut o).unwrap();
        assert_eq!(out.value, Some(50.0));
        // Exactly on the target, a value cannot be shown to hold: the
        // search errs towards the safe side.
        let out = search(&[target(Op::AtMost, 0.5)], d, settings(true), &mut o).unwrap();
        assert_eq!(out.value, Some(49.0));
        let out = search(&[target(Op::AtMost, -1.0)], d, settings(false), &mut o).unwrap();
        assert_eq!(out.value, None);
    }

    #[test]
    fn calibration_finds_the_value_that_hits() {
        let mut o = Fake { f: |x| 0.003 * x, sd: 0.0005, calls: 0 };
        let d = Domain { lo: 0.0, hi: 200.0, step: 0.5 };
        let out = search(&[target(Op::Equal, 0.3)], d, settings(false), &mut o).unwrap();
        let x = out.value.expect("found");
        assert!((x - 100.0).abs() <= 1.0, "{x}");
    }

    #[test]
    fn a_figure_that_turns_back_is_warned_of() {
        // Down to 0.1 at 50, then up to 0.7 at 120: ">= 0.55" holds at 120,
        // fails at 0, and the middle tells that the figure turned.
        let mut o = Fake { f: |x| (x - 50.0).abs() * 0.01, sd: 0.0001, calls: 0 };
        let d = Domain { lo: 0.0, hi: 120.0, step: 1.0 };
        let out = search(&[target(Op::AtLeast, 0.55)], d, settings(false), &mut o).unwrap();
        assert!(out.warnings.iter().any(|w| w.contains("does not move one way")), "{:?}", out.warnings);
        assert_eq!(Headline::DropRate.name(), "drop_rate");
    }
}
