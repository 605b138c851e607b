//! What a search of `plan` works with and hands back: the key's range
//! (`Domain`), the settings, each probed value (`Point`), and the outcome
//! with its finding; and the verdicts of the one-sided tests that decide a
//! value (`verdicts`, `together`).

use super::target::{Op, Target};
use crate::stats::ci::{std_err, t_quantile};
use crate::stats::Value;

/// The values the key may take: `lo`, `lo + step`, ... and `hi` itself,
/// the last step shorter when the step does not divide the range (a step
/// wider than the range leaves the two ends).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Domain {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
}

impl Domain {
    pub(super) fn at(&self, i: u64) -> f64 {
        (self.lo + i as f64 * self.step).min(self.hi)
    }

    /// The index of `hi`: the steps from `lo` up to it, the last one
    /// perhaps shorter (less a millionth of a step: one that divides the
    /// range in decimal may not quite in binary, and would leave a last
    /// step of nothing).
    pub(super) fn last(&self) -> u64 {
        ((self.hi - self.lo) / self.step - 1e-6).ceil().max(1.0) as u64
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
    /// Neither shown within the runs this value could be given (for `==`:
    /// the figure cannot be told from the target).
    Undecided,
    /// `==`: the figure lies above the target, at the test level.
    Above,
    /// `==`: below it.
    Below,
}

/// One probed value of the key.
#[derive(Clone, Debug)]
pub struct Point {
    pub x: f64,
    /// Per replication, each target's figure.
    pub runs: Vec<Vec<Value>>,
    /// Of every target at once, on the runs it has.
    pub verdict: Verdict,
}

/// What the search concluded: a value, or why there is none. Targets are
/// named by their index in the list given.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    /// A value meets every target (or, for `==`, hits it).
    Found,
    /// Every target holds at both ends: the key does not decide them in
    /// this range, so no end of the range is the answer to the question.
    HoldsAtBothEnds,
    /// These targets hold at neither end (or cannot be shown to hold).
    HoldsAtNeitherEnd(Vec<usize>),
    /// `rising` targets hold only from some value up and `falling` only up
    /// to some value, and at `x`, where the kind the search followed first
    /// holds, the others are not shown to hold: no value is shown to meet
    /// them all at once.
    NoneMeetsAll { rising: Vec<usize>, falling: Vec<usize>, x: f64 },
    /// `==`: the figure lies on one side of the target over the whole
    /// range, above it or below.
    Unreachable { above: bool },
}

impl Finding {
    /// Its name in `plan.json`.
    pub fn name(&self) -> &'static str {
        match self {
            Finding::Found => "found",
            Finding::HoldsAtBothEnds => "holds_at_both_ends",
            Finding::HoldsAtNeitherEnd(_) => "holds_at_neither_end",
            Finding::NoneMeetsAll { .. } => "none_meets_all",
            Finding::Unreachable { .. } => "unreachable",
        }
    }
}

/// What the search found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// `None` when no value of the range answers (see `finding`).
    pub value: Option<f64>,
    /// `==` only: the least and greatest values whose figure cannot be
    /// told from the target (see the module doc).
    pub interval: Option<(f64, f64)>,
    pub finding: Finding,
    /// In the order they were probed.
    pub points: Vec<Point>,
    pub runs: usize,
    /// Level of each one-sided test.
    pub alpha: f64,
    pub warnings: Vec<String>,
}

/// The mean of target `i`'s figure at a point, over the runs where it is defined.
pub fn mean(p: &Point, i: usize) -> Option<f64> {
    let values: Vec<f64> = p.runs.iter().filter_map(|r| r[i]).collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// One-sided bounds at level `alpha` each: (lower, upper). With one run
/// (or none) nothing is known: (-inf, +inf).
pub(super) fn bounds(values: &[f64], alpha: f64) -> (f64, f64) {
    if values.len() < 2 {
        return (f64::NEG_INFINITY, f64::INFINITY);
    }
    let m = values.iter().sum::<f64>() / values.len() as f64;
    let half = t_quantile(1.0 - alpha, values.len() - 1) * std_err(values, m);
    (m - half, m + half)
}

/// Each target on its own: holds at level `alpha` or fails at level
/// `fail_alpha`, or neither. A figure undefined in any run (a wait where
/// nobody waited) cannot be judged, so cannot be shown to hold.
pub(super) fn verdicts(targets: &[Target], runs: &[Vec<Value>], alpha: f64, fail_alpha: f64) -> Vec<Verdict> {
    targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let values: Vec<f64> = runs.iter().filter_map(|r| r[i]).collect();
            if values.len() < runs.len() {
                return Verdict::Undecided;
            }
            let (low, high) = bounds(&values, alpha);
            let (fail_low, fail_high) = bounds(&values, fail_alpha);
            let (holds, fails) = match t.op {
                Op::AtMost => (high <= t.value, fail_low > t.value),
                Op::AtLeast => (low >= t.value, fail_high < t.value),
                Op::Equal => (false, false),
            };
            match (holds, fails) {
                (true, _) => Verdict::Holds,
                (_, true) => Verdict::Fails,
                _ => Verdict::Undecided,
            }
        })
        .collect()
}

/// Verdicts together: fails if one fails, holds if all hold.
pub(super) fn together(verdicts: impl Iterator<Item = Verdict> + Clone) -> Verdict {
    if verdicts.clone().any(|v| v == Verdict::Fails) {
        Verdict::Fails
    } else if verdicts.into_iter().all(|v| v == Verdict::Holds) {
        Verdict::Holds
    } else {
        Verdict::Undecided
    }
}
