//! People due after the run's end. A window, a catch-up round or a
//! piecewise or trace curve may reach past the end of the run. Its arrival
//! curve keeps its shape over the whole of it, as written; the run ends
//! where it ends, and the people the curve brings after the end are not
//! generated (they were once squeezed into the run: a window of a day cut
//! to a run of four hours brought the whole day's people in four hours).
//!
//! This module holds the one rule that says how many of a window's people
//! are due before the end, part by part (a surge's early birds, burst and
//! rest; a constant curve's one part), shared by validation (a cohort's
//! `people` in the run, and `after_end`), `Scenario::scaled` and the
//! model's demand, so that the people a run generates are exactly its
//! cohort's `people`.

use super::{echo, Cohort, Curve, RatePoint, Scenario, Window};
use crate::engine::SimTime;

/// Split `total` in proportion to `shares` (which sum to 1) so that the
/// parts add up to `total` exactly: largest remainders get the odd ones.
pub fn split(total: u64, shares: &[f64]) -> Vec<u64> {
    let exact: Vec<f64> = shares.iter().map(|s| s * total as f64).collect();
    let mut parts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut left = total.saturating_sub(parts.iter().sum());
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    for i in order.into_iter().cycle().take(parts.len() * 2) {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// The `n` people of one window by part: a surge's early birds, burst and
/// rest; a constant curve's one part.
pub fn parts(curve: &Curve, n: u64) -> Vec<u64> {
    match curve {
        Curve::Surge { share, early_share, .. } => {
            split(n, &[*early_share, *share, (1.0 - share - early_share).max(0.0)])
        }
        _ => vec![n],
    }
}

/// The share of part `k` of `window`'s people (see `parts`) due before its
/// close in the run: 1 unless the run cut it (`Window::cut_from`).
fn before_end(curve: &Curve, window: &Window, k: usize) -> f64 {
    let Some(written) = window.cut_from else { return 1.0 };
    let (o, end, c) = (window.opens.as_secs_f64(), window.closes.as_secs_f64(), written.as_secs_f64());
    if c <= o {
        return 1.0;
    }
    match (curve, k) {
        // Early birds come before the opening, which is inside the run.
        (Curve::Surge { .. }, 0) => 1.0,
        (Curve::Surge { tau, .. }, 1) => {
            let tau = tau.as_secs_f64();
            let whole = -(-(c - o) / tau).exp_m1();
            if whole > 0.0 {
                -(-(end - o) / tau).exp_m1() / whole
            } else {
                (end - o) / (c - o)
            }
        }
        _ => (end - o) / (c - o),
    }
    .clamp(0.0, 1.0)
}

/// The people of each part of `window`'s `n` due in the run.
pub fn due_in_run(curve: &Curve, window: &Window, n: u64) -> Vec<u64> {
    parts(curve, n)
        .into_iter()
        .enumerate()
        .map(|(k, m)| match before_end(curve, window, k) {
            1.0 => m,
            f => (m as f64 * f).round() as u64,
        })
        .collect()
}

/// The people of each window of a constant or surge curve, by part, due in
/// the run, of `total` the windows bring in all (shared by their shares).
pub fn windows_in_run(curve: &Curve, windows: &[Window], total: u64) -> Vec<Vec<u64>> {
    let shares: Vec<f64> = windows.iter().map(|w| w.share).collect();
    windows.iter().zip(split(total, &shares)).map(|(w, n)| due_in_run(curve, w, n)).collect()
}

/// A piecewise or trace curve cut at `end`: its points up to it, the rate
/// at `end` interpolated, and the share of its arrivals before `end`.
/// `None` when nothing of it comes after `end`.
fn cut_points(points: &[RatePoint], end: SimTime) -> Option<(Vec<RatePoint>, f64)> {
    let last = points.last()?;
    if last.at <= end || points.len() < 2 || points[0].at >= end {
        return None;
    }
    let area = |a: &RatePoint, b: &RatePoint| 0.5 * (a.rate + b.rate) * (b.at.as_secs_f64() - a.at.as_secs_f64());
    let total: f64 = points.windows(2).map(|w| area(&w[0], &w[1])).sum();
    let mut kept: Vec<RatePoint> = points.iter().take_while(|p| p.at < end).copied().collect();
    let (a, b) = (kept[kept.len() - 1], points[kept.len()]);
    let x = (end.as_secs_f64() - a.at.as_secs_f64()) / (b.at.as_secs_f64() - a.at.as_secs_f64());
    kept.push(RatePoint { at: end, rate: a.rate + x * (b.rate - a.rate) });
    let before: f64 = kept.windows(2).map(|w| area(&w[0], &w[1])).sum();
    let share = if total > 0.0 { (before / total).clamp(0.0, 1.0) } else { 1.0 };
    Some((kept, share))
}

/// Settle `cohort` at the run's `end`: of the `total` people its curve
/// brings in all, `people` are those due in the run and `after_end` the
/// rest; a piecewise or trace curve is cut at the end (the rates before it
/// unchanged). A window cut at the end says so itself (`cut_from`).
pub fn settle(cohort: &mut Cohort, total: u64, end: SimTime) {
    let people = match &mut cohort.arrivals {
        Curve::Piecewise { points } | Curve::Trace { points, .. } => match cut_points(points, end) {
            Some((kept, share)) => {
                *points = kept;
                ((total as f64 * share).round() as u64).min(total)
            }
            None => total,
        },
        curve => windows_in_run(curve, &cohort.windows, total).iter().flatten().sum::<u64>().min(total),
    };
    cohort.people = people;
    cohort.after_end = total - people;
}

/// What the run leaves out of the file's people, for `validate`, the
/// terminal and the report: "3100000 people due after the run's end
/// (2021-07-14T04:00) are not in the run: 53-54 2000000, 50-52 1100000"
/// (each cohort with some); `None` when everyone is due in the run.
pub fn note(s: &Scenario) -> Option<String> {
    let cut: Vec<&Cohort> = s.cohorts.iter().filter(|c| c.after_end > 0).collect();
    if cut.is_empty() {
        return None;
    }
    let total = cut.iter().fold(0u64, |sum, c| sum.saturating_add(c.after_end));
    let each: Vec<String> = cut.iter().map(|c| format!("{} {}", echo::escaped(&c.name), c.after_end)).collect();
    Some(format!(
        "{total} people due after the run's end ({}) are not in the run: {}",
        s.milestone_label(s.duration),
        each.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(opens: u64, closes: u64, written: Option<u64>) -> Window {
        Window {
            opens: SimTime::from_secs(opens),
            closes: SimTime::from_secs(closes),
            share: 1.0,
            cut_from: written.map(SimTime::from_secs),
        }
    }

    #[test]
    fn split_adds_up_exactly() {
        assert_eq!(split(10, &[0.5, 0.5]), vec![5, 5]);
        assert_eq!(split(10, &[1.0 / 3.0; 3]).iter().sum::<u64>(), 10);
        assert_eq!(split(7, &[0.0, 1.0, 0.0]), vec![0, 7, 0]);
        assert_eq!(split(0, &[0.2, 0.8]), vec![0, 0]);
    }

    /// A constant window of 24 h cut at 4 h keeps a sixth of its people;
    /// a window inside the run all of them.
    #[test]
    fn a_cut_window_keeps_the_people_of_its_run_only() {
        assert_eq!(due_in_run(&Curve::Constant, &window(0, 4 * 3600, Some(24 * 3600)), 6000), vec![1000]);
        assert_eq!(due_in_run(&Curve::Constant, &window(0, 4 * 3600, None), 6000), vec![6000]);
        // A surge: the early birds all, the burst by its decay, the rest by time.
        let surge =
            Curve::Surge { share: 0.5, tau: SimTime::from_secs(600), early: SimTime::from_secs(600), early_share: 0.1 };
        let parts = due_in_run(&surge, &window(0, 1800, Some(3600)), 10_000);
        let burst = (5000.0 * (1.0 - (-3.0f64).exp()) / (1.0 - (-6.0f64).exp())).round() as u64;
        assert_eq!(parts, vec![1000, burst, 2000]);
    }

    #[test]
    fn a_piecewise_curve_is_cut_at_the_end_with_its_rates() {
        let p = |m: u64, rate: f64| RatePoint { at: SimTime::from_secs(60 * m), rate };
        let points = vec![p(0, 10.0), p(60, 10.0), p(120, 30.0)];
        let (kept, share) = cut_points(&points, SimTime::from_secs(90 * 60)).expect("cut");
        assert_eq!(kept.len(), 3);
        assert_eq!((kept[2].at, kept[2].rate), (SimTime::from_secs(5400), 20.0));
        // 600 + 450 of 600 + 1200 arrivals.
        assert!((share - 1050.0 / 1800.0).abs() < 1e-12, "{share}");
        assert!(cut_points(&points, SimTime::from_secs(7200)).is_none(), "nothing after the end");
    }
}
