//! The search of `plan`: both ends of the range first, then a bisection
//! on the key that guesses where the figures cross their targets, each
//! probed value decided by sequential one-sided t tests over replications.
//!
//! Both ends are decided first, every target on its own: a target that
//! holds at the top of the range and not at the bottom holds from some
//! value up (more servers, fewer drops; "rising"), one that holds at the
//! bottom only holds up to some value (longer sessions, more drops;
//! "falling"). The least value meeting every target is then the least at
//! which every rising target holds (found by closing the bracket [fails,
//! holds] until it is one resolution step wide, each value tried where the
//! figures' means, drawn in a line between the bracket's ends, cross the
//! targets, but near enough the middle that halving would still close it
//! within the decisions left: `probe`), or the bottom itself when
//! no target rises; `--most` mirrors it with the falling targets. When
//! targets of both kinds are given, the other kind is checked at the value
//! found. A target that holds at neither end, targets that hold at both
//! (the key does not decide them in this range), or rising and falling
//! targets that never hold together give no value and say why (`Finding`).
//! A value is given replications a batch at a time until the targets it
//! must decide are decided at the test level, or its share of the budget is
//! spent; a value that cannot be shown to hold counts as failing, so the
//! answer errs towards safety.
//!
//! The guarantee: if the figures move one way in the key, the value
//! returned meets every target with probability at least the confidence.
//! A "fails" is told at level 1 - confidence, undivided: the answer rests
//! on no "fails" (a wrong one moves it towards the safe side, as a value
//! left undecided does), so it only saves runs on values that fail.
//! Each "holds" is a one-sided test at level α = (1 - confidence) / (D · T)
//! for D possible values decided (the two ends, bisection's halvings and
//! `GUESSES` more: the search never decides more; each target is decided
//! once at each) and T targets, so by Bonferroni the chance that
//! any "holds" the answer rests on is wrong is at most 1 - confidence.
//! Replication r of every value runs on the same random seed (seed, r).
//!
//! `==` (calibration): both ends tell on which side of the target the
//! figure lies; on the same side at both, no value reaches it (no value).
//! Otherwise bisection finds a value whose figure cannot be told from the
//! target (its interval still holds it after the value's share of runs),
//! and two more bisections find the edges of the values that cannot be
//! told from it: `interval`. The value given is the value tried, inside
//! it, whose mean is closest to the target. When the figure crosses the
//! target between two neighbouring values, both told from it, the interval
//! is those two.

use super::outcome::{bounds, mean, together, verdicts, Domain, Finding, Outcome, Point, Settings, Verdict};
use super::target::{Op, Target};
use crate::stats::Value;
use anyhow::Result;

/// Replications `from..to` of the scenario at key value `x`: for each, the
/// value of every target's figure, in the targets' order.
pub trait Oracle {
    fn runs(&mut self, x: f64, from: usize, to: usize) -> Result<Vec<Vec<Value>>>;

    /// A value of the key as messages write it (`90s`, `53`).
    fn show(&self, x: f64) -> String {
        format!("{x}")
    }
}

/// Decisions the least (or most) search may spend beyond bisection's own,
/// so that its values may be guessed where the figures cross their
/// targets (`probe`) rather than halve the gap: each costs the tests a
/// little level (α divides by 2 + halvings + GUESSES instead of 2 +
/// halvings), a guess that lands near the crossing saves several halvings.
pub const GUESSES: usize = 3;

/// What a search gives: the value (if any), the `==` interval (if any) and
/// the finding.
type Answer = (Option<f64>, Option<(f64, f64)>, Finding);

/// The search, its state as it goes.
struct Search<'a, O> {
    targets: &'a [Target],
    domain: Domain,
    settings: Settings,
    oracle: &'a mut O,
    alpha: f64,
    /// Values the least (or most) search may decide between the ends:
    /// bisection's halvings and `GUESSES` more.
    steps: usize,
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
    // Decisions at most: both ends and every halving of the range (the
    // check of the other kind is at a value already tried, one decision
    // per target there still); `==` bisects three times (a value it cannot
    // tell, then each edge of those).
    let halvings = (domain.last() as f64 + 1.0).log2().ceil() as usize;
    let steps = halvings + GUESSES;
    let decisions = if equal { 2 + 3 * halvings } else { 2 + steps };
    let alpha = (1.0 - settings.confidence) / (decisions * targets.len()) as f64;
    let mut s =
        Search { targets, domain, settings, oracle, alpha, steps, points: Vec::new(), runs: 0, warnings: Vec::new() };
    let (value, interval, finding) = if equal {
        s.calibrate()?
    } else {
        let (value, finding) = s.bisect()?;
        (value, None, finding)
    };
    s.check_monotone();
    Ok(Outcome { value, interval, finding, points: s.points, runs: s.runs, alpha: s.alpha, warnings: s.warnings })
}

impl<O: Oracle> Search<'_, O> {
    /// Least or most value that holds: see the module doc.
    fn bisect(&mut self) -> Result<(Option<f64>, Finding)> {
        let last = self.domain.last();
        let every: Vec<usize> = (0..self.targets.len()).collect();
        // Each target decided at both ends, to learn which way it moves.
        let at_lo = self.settle(0)?;
        let at_hi = self.settle(last)?;
        let holds = |v: &[Verdict], i: usize| v[i] == Verdict::Holds;
        let neither: Vec<usize> = every.iter().copied().filter(|&i| !holds(&at_lo, i) && !holds(&at_hi, i)).collect();
        if !neither.is_empty() {
            return Ok((None, Finding::HoldsAtNeitherEnd(neither)));
        }
        let rising: Vec<usize> = every.iter().copied().filter(|&i| !holds(&at_lo, i)).collect();
        let falling: Vec<usize> = every.iter().copied().filter(|&i| !holds(&at_hi, i)).collect();
        if rising.is_empty() && falling.is_empty() {
            return Ok((None, Finding::HoldsAtBothEnds));
        }
        // The least value follows the rising targets up from the bottom;
        // the greatest, the falling ones down from the top.
        let (moving, others, mut good, mut bad) =
            if self.settings.most { (&falling, &rising, 0, last) } else { (&rising, &falling, last, 0) };
        if moving.is_empty() {
            // Every target already holds at the end asked for.
            let (end, side, beyond) = if self.settings.most { (last, "top", "above") } else { (0, "bottom", "below") };
            self.warnings.push(format!(
                "every target holds at the range's {side} ({}): the {} value meeting them may lie {beyond} the range",
                self.oracle.show(self.domain.at(end)),
                if self.settings.most { "greatest" } else { "least" },
            ));
            return Ok((Some(self.domain.at(end)), Finding::Found));
        }
        // `good` holds, `bad` does not; close the gap between them, each
        // end weighed as `probe` says (Illinois: an end kept twice in a
        // row counts half as far from the target).
        let (mut weights, mut moved_good) = ((1.0, 1.0), None);
        let mut left = self.steps;
        while good.abs_diff(bad) > 1 && self.runs < self.settings.max_runs {
            let next = self.probe(good, bad, moving, left, weights);
            left = left.saturating_sub(1);
            // A wrong "fails" here only moves the answer to the safe side.
            let holds = self.decide(next, moving, 1.0 - self.settings.confidence)? == Verdict::Holds;
            if holds {
                good = next;
                weights.0 = 1.0;
            } else {
                bad = next;
                weights.1 = 1.0;
            }
            if moved_good == Some(holds) {
                if holds {
                    weights.1 *= 0.5;
                } else {
                    weights.0 *= 0.5;
                }
            }
            moved_good = Some(holds);
        }
        if good.abs_diff(bad) > 1 {
            self.warnings.push(format!(
                "stopped at --max-runs {} with the answer between {} and {}: the value given is the safe end",
                self.settings.max_runs,
                self.oracle.show(self.domain.at(good.min(bad))),
                self.oracle.show(self.domain.at(good.max(bad)))
            ));
        }
        // Targets of the other kind hold up to (or from) some value: they
        // must hold here too, or no value meets them all. A "fails" here
        // would say so, so it is told at the divided level, as at the ends.
        if !others.is_empty() && self.decide(good, &every, self.alpha)? != Verdict::Holds {
            let x = self.domain.at(good);
            return Ok((None, Finding::NoneMeetsAll { rising: rising.clone(), falling: falling.clone(), x }));
        }
        Ok((Some(self.domain.at(good)), Finding::Found))
    }

    /// The next step to decide between `good` (holds) and `bad` (does
    /// not), with `left` decisions left for it and those after. Where the
    /// moving targets' figures, their means interpolated in a line between
    /// the two ends (each end's distance from the target times its weight),
    /// cross their targets (the crossing nearest `good` when there are
    /// several), rounded towards `good`: the answer is the step next to the
    /// crossing on that side, and the step past it is tried next. But never
    /// so far from the middle that halving could not close the gap in the
    /// decisions left (a gap w wide takes ceil(log2 w) halvings): so the
    /// search decides at most `steps` values between the ends, the number
    /// its tests' level is set for, however the guesses fare. The middle
    /// when no crossing can be drawn (a mean on the wrong side or at zero, a
    /// figure undefined).
    fn probe(&self, good: u64, bad: u64, moving: &[usize], left: usize, weights: (f64, f64)) -> u64 {
        let (lo, hi) = (good.min(bad), good.max(bad));
        let mid = (lo + hi) / 2;
        if left == 0 {
            return mid;
        }
        // After this decision the gap is at most `reach` wide, which the
        // `left - 1` decisions after it can halve down to one step.
        let reach = 1u64.checked_shl((left - 1).min(63) as u32).unwrap_or(u64::MAX);
        let from = hi.saturating_sub(reach).max(lo + 1);
        let to = lo.saturating_add(reach).min(hi - 1);
        let figure = |i: u64, t: usize| {
            let x = self.domain.at(i);
            Some((x, mean(self.points.iter().find(|p| p.x == x)?, t)?))
        };
        let crossings = moving.iter().filter_map(|&t| {
            let ((xg, mg), (xb, mb)) = (figure(good, t)?, figure(bad, t)?);
            // A figure at zero (no drops, nobody waiting) has hit its floor
            // somewhere before: where it crosses cannot be drawn from it.
            if mg == 0.0 || mb == 0.0 {
                return None;
            }
            let target = &self.targets[t];
            // On logarithms when all are positive: a wait against a rate
            // of service is near a power of it (a line there), and a line
            // otherwise. Below zero on the side where the target holds.
            let logs = [xg, xb, mg, mb, target.value].iter().all(|&v| v > 0.0);
            let scale = |v: f64| if logs { v.ln() } else { v };
            let from_target = |m: f64| {
                let d = scale(m) - scale(target.value);
                if target.op == Op::AtLeast {
                    -d
                } else {
                    d
                }
            };
            let (dg, db) = (from_target(mg) * weights.0, from_target(mb) * weights.1);
            let u = (dg <= 0.0 && db > 0.0).then(|| scale(xg) + (scale(xb) - scale(xg)) * (-dg / (db - dg)))?;
            let x = if logs { u.exp() } else { u };
            Some((x - self.domain.lo) / self.domain.step)
        });
        let guess = if good > bad {
            crossings.map(f64::ceil).reduce(f64::max)
        } else {
            crossings.map(f64::floor).reduce(f64::min)
        };
        match guess {
            Some(x) if x.is_finite() => (x.clamp(from as f64, to as f64) as u64).clamp(from, to),
            _ => mid.clamp(from, to),
        }
    }

    /// The value hitting the `==` target and the interval of those that
    /// cannot be told from it: see the module doc.
    fn calibrate(&mut self) -> Result<Answer> {
        let target = self.targets[0].clone();
        let last = self.domain.last();
        let side_lo = self.side(0, &target)?;
        let side_hi = self.side(last, &target)?;
        if side_lo == side_hi && side_lo != 0 {
            return Ok((None, None, Finding::Unreachable { above: side_lo > 0 }));
        }
        // [lo, hi]: the values not shown to lie on either end's side.
        let (lo, hi) = if side_lo == 0 && side_hi == 0 {
            self.warnings.push(format!(
                "{} cannot be told from {} anywhere in the range: every value of it is in the interval",
                target.figure.name(),
                target.value
            ));
            (0, last)
        } else if side_lo == 0 {
            (0, self.edge(last, 0, side_hi, &target)? - 1)
        } else if side_hi == 0 {
            (self.edge(0, last, side_lo, &target)? + 1, last)
        } else {
            // A value whose figure cannot be told from the target, between
            // the ends: bisect on the side its mean lies.
            let (mut below, mut above) = (0, last);
            let mut untold = None;
            while above - below > 1 && self.runs < self.settings.max_runs {
                let mid = (below + above) / 2;
                match self.side(mid, &target)? {
                    0 => {
                        untold = Some(mid);
                        break;
                    }
                    side if side == side_lo => below = mid,
                    _ => above = mid,
                }
            }
            match untold {
                Some(m) => (self.edge(below, m, side_lo, &target)? + 1, self.edge(above, m, side_hi, &target)? - 1),
                // Crossed between two values, each told from the target:
                // the interval is the two (and what lies between, if the
                // budget stopped the halving first).
                None => (below, above),
            }
        };
        if self.runs >= self.settings.max_runs {
            self.warnings.push(format!(
                "stopped at --max-runs {}: the interval may be wider than more runs would make it",
                self.settings.max_runs
            ));
        }
        let (x_lo, x_hi) = (self.domain.at(lo), self.domain.at(hi));
        let closest = self
            .points
            .iter()
            .filter(|p| p.x >= x_lo && p.x <= x_hi)
            .filter_map(|p| Some((mean(p, 0)?, p.x)))
            .min_by(|a, b| (a.0 - target.value).abs().total_cmp(&(b.0 - target.value).abs()));
        Ok((closest.map(|(_, x)| x), Some((x_lo, x_hi)), Finding::Found))
    }

    /// The step nearest `untold` that is still told to lie on `side` of
    /// the target, by bisection from `told` (on that side) towards `untold`
    /// (not told apart from it, or on the far side). Steps between the two
    /// left when the budget runs out count as not told (the interval
    /// widens, never narrows).
    fn edge(&mut self, told: u64, untold: u64, side: i32, target: &Target) -> Result<u64> {
        let (mut told, mut untold) = (told, untold);
        while told.abs_diff(untold) > 1 && self.runs < self.settings.max_runs {
            let mid = (told + untold) / 2;
            if self.side(mid, target)? == side {
                told = mid;
            } else {
                untold = mid;
            }
        }
        Ok(told)
    }

    /// Which side of the target the figure's mean lies at step `i`: -1
    /// below, 1 above, 0 within its interval (more runs cannot tell).
    fn side(&mut self, i: u64, target: &Target) -> Result<i32> {
        let x = self.domain.at(i);
        let k = self.point(x);
        loop {
            let values: Vec<f64> = self.points[k].runs.iter().filter_map(|r| r[0]).collect();
            let (low, high) = bounds(&values, self.alpha);
            if low > target.value {
                self.points[k].verdict = Verdict::Above;
                return Ok(1);
            }
            if high < target.value {
                self.points[k].verdict = Verdict::Below;
                return Ok(-1);
            }
            if !self.more_runs(k)? {
                return Ok(0);
            }
        }
    }

    /// Decide step `i` on the targets `which`: replications a batch at a
    /// time until they hold together or one fails (told at level
    /// `fail_alpha`), or the value's share of the budget is spent.
    fn decide(&mut self, i: u64, which: &[usize], fail_alpha: f64) -> Result<Verdict> {
        let k = self.point(self.domain.at(i));
        loop {
            let each = self.judge(k, fail_alpha);
            let verdict = together(which.iter().map(|&t| each[t]));
            if verdict != Verdict::Undecided || !self.more_runs(k)? {
                return Ok(verdict);
            }
        }
    }

    /// Decide every target at step `i` on its own (an end of the range,
    /// where each target's way is learnt): replications until every one
    /// holds or fails, or the value's share is spent. Every target's
    /// verdict, in order.
    fn settle(&mut self, i: u64) -> Result<Vec<Verdict>> {
        let k = self.point(self.domain.at(i));
        loop {
            let each = self.judge(k, self.alpha);
            if each.iter().all(|&v| v != Verdict::Undecided) || !self.more_runs(k)? {
                return Ok(each);
            }
        }
    }

    /// Each target's verdict on point `k`'s runs so far, "fails" told at
    /// level `fail_alpha`; the point keeps the verdict of all of them
    /// together (what its row and chart show).
    ///
    /// In the bisection a wrong "fails" only moves the answer towards the
    /// safe side, as a value left undecided does, so a fails is told there
    /// at the confidence's own level, undivided, and a value below the
    /// answer stops taking runs sooner. At an end, and in the last check of
    /// the other kind's targets at the value found, it is not so: a wrong
    /// "fails" there turns a target's way, or says no value in the range
    /// holds when one does, so it is told at the divided level.
    fn judge(&mut self, k: usize, fail_alpha: f64) -> Vec<Verdict> {
        let each = verdicts(self.targets, &self.points[k].runs, self.alpha, fail_alpha);
        self.points[k].verdict = together(each.iter().copied());
        each
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
                    means
                        .iter()
                        .map(|(x, m)| format!("{}: {m:.4}", self.oracle.show(*x)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::figure::FigureName;
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
                    // The same figure for every target (the tests give at most two).
                    vec![Some(v); 2]
                })
                .collect())
        }
    }

    fn settings(most: bool) -> Settings {
        Settings { confidence: 0.95, most, max_runs: 400, batch: 4 }
    }

    fn target(op: Op, value: f64) -> Target {
        Target { figure: FigureName::parse(Headline::DropRate.name()).unwrap(), op, value }
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
        let (lo, hi) = out.interval.expect("an interval");
        assert!(lo <= x && x <= hi && lo <= 100.0 && 100.0 <= hi, "{lo} {x} {hi}");
        // The noise's spread is 0.0005, a sixth of a unit of x: the values
        // that cannot be told from 0.3 are a few units wide, not the range.
        assert!(hi - lo < 10.0, "{lo} {hi}");
        assert_eq!(out.finding, Finding::Found);
    }

    #[test]
    fn calibration_on_a_falling_figure_finds_its_value_too() {
        let mut o = Fake { f: |x| 0.6 - 0.003 * x, sd: 0.0005, calls: 0 };
        let d = Domain { lo: 0.0, hi: 200.0, step: 0.5 };
        let out = search(&[target(Op::Equal, 0.3)], d, settings(false), &mut o).unwrap();
        let (lo, hi) = out.interval.expect("an interval");
        let x = out.value.expect("found");
        assert!(lo <= x && x <= hi && lo <= 100.0 && 100.0 <= hi, "{lo} {x} {hi}");
    }

    #[test]
    fn a_figure_that_never_reaches_the_target_gives_no_value() {
        // Between 0 and 1 over the whole range: 2 is never reached.
        let mut o = Fake { f: |x| 0.01 * x, sd: 0.001, calls: 0 };
        let d = Domain { lo: 0.0, hi: 100.0, step: 1.0 };
        let out = search(&[target(Op::Equal, 2.0)], d, settings(false), &mut o).unwrap();
        assert_eq!((out.value, out.interval), (None, None));
        assert_eq!(out.finding, Finding::Unreachable { above: false });
        let out = search(&[target(Op::Equal, -1.0)], d, settings(false), &mut o).unwrap();
        assert_eq!(out.finding, Finding::Unreachable { above: true });
    }

    #[test]
    fn the_answer_may_lie_at_either_end() {
        // Rises with x (drops grow with the session's length): at most 0.5
        // holds at the bottom, fails at the top. The least value meeting
        // it is the bottom; the greatest is found inside.
        let mut o = Fake { f: |x| 0.01 * x, sd: 0.001, calls: 0 };
        let d = Domain { lo: 10.0, hi: 100.0, step: 1.0 };
        let out = search(&[target(Op::AtMost, 0.505)], d, settings(false), &mut o).unwrap();
        assert_eq!((out.value, &out.finding), (Some(10.0), &Finding::Found));
        assert!(out.warnings.iter().any(|w| w.contains("may lie below")), "{:?}", out.warnings);
        // Falls with x (more sessions, fewer drops): the greatest value
        // meeting at most 0.5 is the top, the least inside.
        let mut o = Fake { f: |x| 1.0 - 0.01 * x, sd: 0.001, calls: 0 };
        let out = search(&[target(Op::AtMost, 0.505)], d, settings(true), &mut o).unwrap();
        assert_eq!(out.value, Some(100.0));
        let out = search(&[target(Op::AtMost, 0.505)], d, settings(false), &mut o).unwrap();
        assert_eq!(out.value, Some(50.0));
    }

    #[test]
    fn a_step_wider_than_the_range_still_tries_both_ends() {
        let mut o = Fake { f: |x| 0.5 - 0.01 * x, sd: 0.001, calls: 0 };
        let d = Domain { lo: 0.0, hi: 10.0, step: 50.0 };
        let out = search(&[target(Op::AtMost, 0.45)], d, settings(false), &mut o).unwrap();
        assert_eq!(out.value, Some(10.0));
        let tried: Vec<f64> = out.points.iter().map(|p| p.x).collect();
        assert_eq!(tried, [0.0, 10.0]);
        // A step that does not divide the range ends at its top all the same.
        let d = Domain { lo: 0.0, hi: 10.0, step: 3.0 };
        assert_eq!((d.last(), d.at(3), d.at(4)), (4, 9.0, 10.0));
    }

    #[test]
    fn targets_holding_at_both_ends_or_neither_give_no_value_and_say_why() {
        let mut o = Fake { f: |x| 0.01 * x, sd: 0.001, calls: 0 };
        let d = Domain { lo: 0.0, hi: 100.0, step: 1.0 };
        let out = search(&[target(Op::AtMost, 2.0)], d, settings(false), &mut o).unwrap();
        assert_eq!((out.value, &out.finding), (None, &Finding::HoldsAtBothEnds));
        let both = [target(Op::AtMost, 2.0), target(Op::AtLeast, 3.0)];
        let out = search(&both, d, settings(true), &mut o).unwrap();
        assert_eq!((out.value, &out.finding), (None, &Finding::HoldsAtNeitherEnd(vec![1])));
    }

    #[test]
    fn a_rising_and_a_falling_target_meet_in_the_middle_or_nowhere() {
        // 1 - x/100: at most 0.6 from 40 up, at least 0.3 up to 70.
        let mut o = Fake { f: |x| 1.0 - 0.01 * x, sd: 0.001, calls: 0 };
        let d = Domain { lo: 0.0, hi: 100.0, step: 1.0 };
        let band = [target(Op::AtMost, 0.605), target(Op::AtLeast, 0.295)];
        assert_eq!(search(&band, d, settings(false), &mut o).unwrap().value, Some(40.0));
        assert_eq!(search(&band, d, settings(true), &mut o).unwrap().value, Some(70.0));
        // At most 0.2 from 80 up, at least 0.5 up to 50: never both.
        let apart = [target(Op::AtMost, 0.205), target(Op::AtLeast, 0.495)];
        let out = search(&apart, d, settings(false), &mut o).unwrap();
        assert_eq!(out.value, None);
        assert_eq!(out.finding, Finding::NoneMeetsAll { rising: vec![0], falling: vec![1], x: 80.0 });
    }

    #[test]
    fn a_value_that_fails_is_told_sooner_than_one_that_holds() {
        // As far above the target below 50 as below it from 50 on, with the
        // same noise: only the tests' levels differ. Holding needs the level
        // divided by the decisions (α = 0.05 / 12 here: 8 runs at this
        // distance), failing only 0.05 (4 runs): the answer rests on no
        // "fails".
        let mut o = Fake { f: |x| if x < 50.0 { 0.2 } else { 0.1 }, sd: 0.025, calls: 0 };
        let d = Domain { lo: 0.0, hi: 100.0, step: 1.0 };
        let out = search(&[target(Op::AtMost, 0.15)], d, settings(false), &mut o).unwrap();
        assert_eq!(out.value, Some(50.0));
        let at = |x: f64| out.points.iter().find(|p| p.x == x).expect("tried");
        assert_eq!((at(49.0).verdict, at(50.0).verdict), (Verdict::Fails, Verdict::Holds));
        assert!(at(49.0).runs.len() < at(50.0).runs.len(), "{} {}", at(49.0).runs.len(), at(50.0).runs.len());
    }

    #[test]
    fn at_the_ends_a_fails_is_told_as_carefully_as_a_holds() {
        // A wrong "fails" at an end would turn the target's way or say no
        // value holds: there it takes as many runs as a "holds" at the same
        // distance (told at the shared level of 0.05 it took 4, not 8).
        let mut o = Fake { f: |x| if x < 50.0 { 0.2 } else { 0.1 }, sd: 0.025, calls: 0 };
        let d = Domain { lo: 0.0, hi: 100.0, step: 1.0 };
        let out = search(&[target(Op::AtMost, 0.15)], d, settings(false), &mut o).unwrap();
        let at = |x: f64| out.points.iter().find(|p| p.x == x).expect("tried");
        assert_eq!((at(0.0).verdict, at(100.0).verdict), (Verdict::Fails, Verdict::Holds));
        assert_eq!(at(0.0).runs.len(), at(100.0).runs.len());
    }

    /// Search `d` for the least value at which the falling figure `f` (noise
    /// `sd`) is at most `target`, and check it is the exact least step;
    /// `None` when the target is not crossed inside the range.
    fn least_found(d: Domain, f: fn(f64) -> f64, target: f64, sd: f64) -> Option<Outcome> {
        if f(d.hi) >= target || f(d.lo) <= target {
            return None;
        }
        let mut o = Fake { f, sd, calls: 0 };
        let out = search(&[target_at_most(target)], d, settings(false), &mut o).unwrap();
        let tried: Vec<_> = out.points.iter().map(|p| (p.x, p.verdict)).collect();
        assert_eq!(out.value, Some(least_step(d, f, target)), "target {target}: {tried:?}");
        Some(out)
    }

    /// The least step of `d` at which `f` is below `target` (`f` falls):
    /// exactly on it, a step cannot be shown to hold.
    fn least_step(d: Domain, f: fn(f64) -> f64, target: f64) -> f64 {
        (0..=d.last()).map(|i| d.at(i)).find(|&x| f(x) < target).expect("some step holds")
    }

    #[test]
    fn guesses_at_the_crossing_need_fewer_values_than_halving() {
        // The planner's question's range (a thousandth of it a step),
        // figures that fall as a wait falls with the rate admitted (powers
        // of it): halving decides 2 + 10 values; guessing where the figure
        // crosses, at most 7.
        let d = Domain { lo: 1000.0, hi: 100_000.0, step: 99.0 };
        let figures: [fn(f64) -> f64; 3] = [|x| 3.6e8 / x, |x| 3.0e7 / x + 300.0, |x| 1e12 / (x * x)];
        for f in figures {
            for target in [3600.0 * 0.9e-4, 0.5, 3600.0, 7200.0, 12_000.0, 0.3, 1000.0] {
                if let Some(out) = least_found(d, f, target, 1e-9) {
                    assert!(out.points.len() <= 7, "target {target}: {} values", out.points.len());
                }
            }
        }
    }

    #[test]
    fn however_the_guesses_fare_no_more_values_are_decided_than_the_level_is_set_for() {
        // A line, and figures a line cannot follow (a cliff, a hockey
        // stick, a turn far from the middle): the values decided between the ends stay
        // within bisection's halvings and GUESSES more, the count the
        // tests' level divides by, and the answer is still the least.
        let d = Domain { lo: 0.0, hi: 1000.0, step: 1.0 };
        let decisions = 2 + 10 + GUESSES;
        let figures: [fn(f64) -> f64; 6] = [
            |x| 1.2005 - x / 1000.0,
            |x| if x < 937.0 { 1.0 } else { 0.0 },
            |x| (500.0 - x).max(0.0) * 0.3 + 1e-3,
            |x| if x < 3.0 { 1.0 } else { 0.0 },
            |x| (-x / 20.0).exp(),
            |x| 1.0 / (1.0 + (x - 700.0).max(0.0)),
        ];
        for f in figures {
            for target in [0.999, 0.5, 0.01, 1e-4] {
                let Some(out) = least_found(d, f, target, 1e-12) else { continue };
                assert!(out.points.len() <= decisions, "target {target}: {} values", out.points.len());
                assert!((out.alpha - 0.05 / decisions as f64).abs() < 1e-15, "{}", out.alpha);
            }
        }
    }

    fn target_at_most(value: f64) -> Target {
        target(Op::AtMost, value)
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
