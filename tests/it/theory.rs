//! The engine against queueing theory, at fixed seeds. Each estimate is a
//! batch mean over the run's hourly bins (the first dropped as warm-up), and
//! each tolerance is `Z` standard errors of that estimate: the longer the
//! run, the tighter the check. See `common::Estimate`.

use crate::common::*;
use crate::queueing::*;
use surgesim::simulate;
use surgesim::stats::DropCause;

fn col(bins: &[surgesim::stats::Bin], f: impl Fn(&surgesim::stats::Bin) -> f64) -> Vec<f64> {
    bins.iter().map(f).collect()
}

#[test]
fn erlang_b_blocking_without_a_waiting_room() {
    let s = bundled("erlang-b.toml", &[]);
    let r = simulate(&s, 0).results;
    let b = steady(&r);
    let blocked = col(b, |b| b.counts.dropped[DropCause::BackendFull as usize] as f64);
    let attempts = col(b, |b| b.counts.attempts() as f64);
    Estimate::ratio(&blocked, &attempts).assert_near(erlang_b(20, 18.0), Z, "Erlang B blocking");
}

#[test]
fn erlang_c_probability_of_waiting_and_mean_wait() {
    let s = bundled("mmc.toml", &[]);
    let r = simulate(&s, 0).results;
    let b = steady(&r);
    let (c, lambda, mu) = (50, 45.0 / 60.0, 1.0 / 60.0); // per second
    let admitted = col(b, |b| b.counts.admitted as f64);
    let waited = col(b, |b| b.p_wait.unwrap_or(0.0) * b.counts.admitted as f64);
    let wait_sum = col(b, |b| b.wait_mean.unwrap_or(0.0) * b.counts.admitted as f64);
    Estimate::ratio(&waited, &admitted).assert_near(erlang_c(c, lambda / mu), Z, "Erlang C P(wait)");
    Estimate::ratio(&wait_sum, &admitted).assert_near(erlang_c_mean_wait(c, lambda, mu), Z, "Erlang C mean wait [s]");
}

#[test]
fn littles_law_in_the_queue_and_in_the_backend() {
    let s = bundled("mmc.toml", &[]);
    let r = simulate(&s, 0).results;
    let b = steady(&r);
    let hour = 3600.0;
    // L = lambda·W in the queue: time-average queue length per batch against
    // the batch's arrival rate times its mean wait. Both sides come from the
    // simulation, so this checks the bookkeeping of time averages and waits.
    let lq = Estimate::mean(&col(b, |b| b.queue_len_mean));
    let lambda_w: f64 =
        b.iter().map(|b| b.wait_mean.unwrap_or(0.0) * b.counts.admitted as f64).sum::<f64>() / (b.len() as f64 * hour);
    lq.assert_near(lambda_w, Z, "Little's law, queue");
    // In the backend, against theory: L = lambda·E[S] = a = 45 erlangs.
    Estimate::mean(&col(b, |b| b.active_mean)).assert_near(45.0, Z, "Little's law, sessions");
}

#[test]
fn mmck_blocking_with_a_finite_waiting_room() {
    let s = bundled("mmck.toml", &[]);
    let r = simulate(&s, 0).results;
    let b = steady(&r);
    let blocked = col(b, |b| b.counts.dropped[DropCause::QueueFull as usize] as f64);
    let attempts = col(b, |b| b.counts.attempts() as f64);
    Estimate::ratio(&blocked, &attempts).assert_near(mmck_blocking(10, 15, 10.0, 1.0), Z, "M/M/10/15 blocking");
}

#[test]
fn erlang_a_abandonment_and_queue_length() {
    let s = bundled("erlang-a.toml", &[]);
    let r = simulate(&s, 0).results;
    let b = steady(&r);
    let (p_abandon, lq) = erlang_a(30, 33.0, 1.0, 0.5); // per minute
    let abandoned = col(b, |b| b.counts.abandoned as f64);
    let attempts = col(b, |b| b.counts.attempts() as f64);
    Estimate::ratio(&abandoned, &attempts).assert_near(p_abandon, Z, "Erlang-A P(abandon)");
    Estimate::mean(&col(b, |b| b.queue_len_mean)).assert_near(lq, Z, "Erlang-A mean queue length");
}

/// The checks above must be able to fail: the same estimators against a
/// wrong model (one more session than the theory assumes) are far off.
#[test]
fn the_checks_detect_a_wrong_capacity() {
    let s = bundled("erlang-b.toml", &["backend.max_sessions=21"]);
    let r = simulate(&s, 0).results;
    let b = steady(&r);
    let blocked = col(b, |b| b.counts.dropped[DropCause::BackendFull as usize] as f64);
    let attempts = col(b, |b| b.counts.attempts() as f64);
    let e = Estimate::ratio(&blocked, &attempts);
    assert!((e.mean - erlang_b(20, 18.0)).abs() > Z * e.std_err, "21 sessions should not pass as 20");
    e.assert_near(erlang_b(21, 18.0), Z, "Erlang B with 21 sessions");
}
