//! The waiting room's feedback controller (`[waiting_room.controller]`):
//! it measures a signal in windows of `interval`, and every `interval` sets
//! the gate's rate from a measurement `delay` old. Without a controller
//! none of this exists: the model keeps no counter and no wake-up for it.
//!
//! **Windows.** They start at the room's opening: window `k` is
//! `[opens + k·interval, opens + (k+1)·interval)` (events at a window's
//! last instant, before the decision there, count in it). At
//! `opens + k·interval` (k ≥ 1) window `k-1` has just ended and is
//! measured; the decision then acts on the latest window that ended at or
//! before `now - delay`, that is the one `ceil(delay / interval)` windows
//! back. Until such a window exists the rate stays at `admit_per_minute`.
//!
//! **Signals**, per window:
//! - `backend_error_rate`: backend requests that failed / backend requests
//!   decided in the window. A request is decided when its session ends (a
//!   booking, no slots, or a backend error), when an outage cuts it, or
//!   when it is refused a session (the backend full or down); it failed if
//!   it ended in `backend_error`, `backend_outage` or `backend_full`.
//! - `backend_busy`: sessions in use (those held through an identity check
//!   at booking included) / the backend's sessions, at the window's end;
//!   1 while the backend is down or has none. Above 1 after the capacity
//!   falls below the sessions already in use.
//! - `front_failure_rate`: page loads that timed out / page loads asked for
//!   in the window (at most 1).
//! - `session_p90`: the 90th percentile (nearest rank) of the lengths of
//!   the booking sessions begun in the window [s] (the model draws a
//!   session's length as it begins).
//!
//! A window with nothing to divide by (no backend request decided, no page
//! load asked for, no session begun) reads as the window before it (0
//! before the first measured one).
//!
//! **Decisions** (`rate` admissions a minute, `s` the signal, `T` the
//! target; after each the rate is held within `[min_per_minute,
//! max_per_minute]`):
//! - `aimd`: `s > T`: `rate · backoff`; else `rate + increase_per_minute`.
//! - `gradient` (Netflix Gradient2's idea): `g = max(T/s, 0.5)` if
//!   `s > T·(1 + tolerance)`, `g = min(T/s, 2)` if `s < T` (2 when
//!   `s = 0`), else `g = 1`; then `rate = (1 - smoothing)·rate +
//!   smoothing·(rate·g)`.
//! - `alarm_step`: the alarm fires when `s > T`: the rate is cut by
//!   `step` (`rate · (1 - step)`) at every decision it is above `T`. Once
//!   fired it stays fired, the rate held, until `s < clear`; then (and
//!   whenever it has not fired) the rate rises by `increase_per_minute`.
//!   Between `clear` and `T` after a firing the rate does not move: the
//!   hysteresis.

use crate::engine::SimTime;
use crate::scenario::{Controller as Spec, ControllerKind, Signal};
use crate::stats::Tally;
use std::collections::VecDeque;

/// A controller's state through a night.
pub struct Controller {
    spec: Spec,
    /// The rate set now [admissions a minute].
    rate: f64,
    /// Measurements, oldest first: the one acted on and those younger.
    history: VecDeque<f64>,
    /// How many windows back the measurement acted on is.
    lag: usize,
    /// The last window's reading (held through windows with no data).
    last: f64,
    /// The night's counts at the start of the window being measured.
    before: Tally,
    /// Lengths of the sessions begun in the window [s] (`session_p90` only).
    sessions: Vec<f64>,
    /// Whether the alarm has fired and not yet cleared (`alarm_step`).
    firing: bool,
}

/// What the model reads off its state at the end of a window.
pub struct Reading {
    /// The night's counts so far.
    pub tally: Tally,
    /// Sessions in use / sessions the backend has (1 if it has none or is down).
    pub busy: f64,
}

impl Controller {
    /// A controller starting from `start` admissions a minute.
    pub fn new(spec: &Spec, start: f64) -> Controller {
        let lag = spec.delay.0.div_ceil(spec.interval.0) as usize;
        Controller {
            spec: spec.clone(),
            rate: start,
            history: VecDeque::with_capacity(lag + 1),
            lag,
            last: 0.0,
            before: Tally::default(),
            sessions: Vec::new(),
            firing: false,
        }
    }

    /// How often it decides.
    pub fn interval(&self) -> SimTime {
        self.spec.interval
    }

    /// A booking session of `length` began.
    #[inline]
    pub fn session_began(&mut self, length: SimTime) {
        if self.spec.signal == Signal::SessionP90 {
            self.sessions.push(length.as_secs_f64());
        }
    }

    /// A window ended, its state `now`: measure it, and decide. Returns the
    /// window's own reading and whether it was above target (for the
    /// figures), and the new rate if it changed.
    pub fn decide(&mut self, now: Reading) -> (bool, Option<f64>) {
        let measured = self.measure(now);
        let above = measured > self.spec.target;
        self.history.push_back(measured);
        if self.history.len() <= self.lag {
            return (above, None);
        }
        while self.history.len() > self.lag + 1 {
            self.history.pop_front();
        }
        let signal = self.history[0];
        let next = step(&self.spec, self.rate, signal, &mut self.firing);
        let changed = (next != self.rate).then_some(next);
        self.rate = next;
        (above, changed)
    }

    /// The window's value of the signal (the last one's if it had no data).
    fn measure(&mut self, now: Reading) -> f64 {
        let (t, b) = (&now.tally, &self.before);
        let value = match self.spec.signal {
            Signal::BackendErrorRate => {
                ratio(t.backend_failed - b.backend_failed, t.backend_decided - b.backend_decided)
            }
            Signal::FrontFailureRate => {
                ratio(t.front_failed - b.front_failed, t.front_requests - b.front_requests).map(|r| r.min(1.0))
            }
            Signal::BackendBusy => Some(now.busy),
            Signal::SessionP90 => p90(&mut self.sessions),
        };
        self.sessions.clear();
        self.before = now.tally;
        if let Some(v) = value {
            self.last = v;
        }
        self.last
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The 90th percentile by nearest rank; `None` if empty.
fn p90(xs: &mut [f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let rank = (0.9 * xs.len() as f64).ceil() as usize;
    let (_, x, _) = xs.select_nth_unstable_by(rank.max(1) - 1, f64::total_cmp);
    Some(*x)
}

/// One decision: the rate after `rate` given the signal `s` (see the
/// module's doc for the formulas).
fn step(spec: &Spec, rate: f64, s: f64, firing: &mut bool) -> f64 {
    let target = spec.target;
    let next = match spec.kind {
        ControllerKind::Aimd { increase_per_minute, backoff } => {
            if s > target {
                rate * backoff
            } else {
                rate + increase_per_minute
            }
        }
        ControllerKind::Gradient { smoothing, tolerance } => {
            let g = if s > target * (1.0 + tolerance) {
                (target / s).max(0.5)
            } else if s < target {
                if s > 0.0 {
                    (target / s).min(2.0)
                } else {
                    2.0
                }
            } else {
                1.0
            };
            (1.0 - smoothing) * rate + smoothing * rate * g
        }
        ControllerKind::AlarmStep { step, clear, increase_per_minute } => {
            if s > target {
                *firing = true;
                rate * (1.0 - step)
            } else if *firing && s >= clear {
                rate
            } else {
                *firing = false;
                rate + increase_per_minute
            }
        }
    };
    next.clamp(spec.min_per_minute, spec.max_per_minute)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: ControllerKind, delay: u64) -> Spec {
        Spec {
            kind,
            signal: Signal::BackendErrorRate,
            target: 0.1,
            interval: SimTime::from_secs(10),
            delay: SimTime::from_secs(delay),
            min_per_minute: 100.0,
            max_per_minute: 1000.0,
        }
    }

    const AIMD: ControllerKind = ControllerKind::Aimd { increase_per_minute: 50.0, backoff: 0.5 };

    /// A reading whose window (after `before`) saw `failed` of `decided` fail.
    fn reading(before: &Tally, failed: u64, decided: u64) -> Reading {
        let tally = Tally {
            backend_failed: before.backend_failed + failed,
            backend_decided: before.backend_decided + decided,
            ..before.clone()
        };
        Reading { tally, busy: 0.0 }
    }

    #[test]
    fn aimd_adds_below_target_and_multiplies_above_within_its_bounds() {
        let (mut firing, s) = (false, spec(AIMD, 0));
        assert_eq!(step(&s, 400.0, 0.1, &mut firing), 450.0, "at target counts as below");
        assert_eq!(step(&s, 400.0, 0.2, &mut firing), 200.0);
        assert_eq!(step(&s, 150.0, 0.2, &mut firing), 100.0, "held at min");
        assert_eq!(step(&s, 980.0, 0.0, &mut firing), 1000.0, "held at max");
    }

    #[test]
    fn gradient_follows_the_ratio_smoothed_with_a_tolerance() {
        let s = spec(ControllerKind::Gradient { smoothing: 0.2, tolerance: 0.5 }, 0);
        let mut firing = false;
        // 0.2 > 0.15: g = 0.5; 0.8·400 + 0.2·200 = 360.
        assert_eq!(step(&s, 400.0, 0.2, &mut firing), 360.0);
        assert_eq!(step(&s, 400.0, 0.14, &mut firing), 400.0, "within the tolerance: at target");
        // 0.08 < 0.1: g = 1.25; 0.8·400 + 0.2·500 = 420.
        assert!((step(&s, 400.0, 0.08, &mut firing) - 420.0).abs() < 1e-9);
        assert!((step(&s, 400.0, 0.0, &mut firing) - 480.0).abs() < 1e-9, "g at most 2");
        assert!((step(&s, 400.0, 10.0, &mut firing) - 360.0).abs() < 1e-9, "g at least 0.5");
    }

    #[test]
    fn the_alarm_holds_between_clear_and_target_once_fired() {
        let s = spec(ControllerKind::AlarmStep { step: 0.25, clear: 0.05, increase_per_minute: 10.0 }, 0);
        let mut firing = false;
        assert_eq!(step(&s, 400.0, 0.07, &mut firing), 410.0, "not fired: rises");
        assert_eq!(step(&s, 400.0, 0.2, &mut firing), 300.0, "fires: cut by a quarter");
        assert_eq!(step(&s, 300.0, 0.2, &mut firing), 225.0, "cut again while above target");
        assert_eq!(step(&s, 225.0, 0.07, &mut firing), 225.0, "between clear and target: held");
        assert_eq!(step(&s, 225.0, 0.1, &mut firing), 225.0, "at target: held");
        assert_eq!(step(&s, 225.0, 0.04, &mut firing), 235.0, "below clear: rises");
        assert_eq!(step(&s, 235.0, 0.07, &mut firing), 245.0, "cleared: rises again");
    }

    #[test]
    fn a_decision_acts_on_the_window_ceil_delay_over_interval_back() {
        // delay 25 s, interval 10 s: three windows back.
        let mut c = Controller::new(&spec(AIMD, 25), 400.0);
        assert_eq!(c.lag, 3);
        let mut before = Tally::default();
        let mut rates = vec![];
        // Windows 0..3 bad (error rate 0.5), then good.
        for k in 0..8 {
            let r = if k < 3 { reading(&before, 5, 10) } else { reading(&before, 0, 10) };
            before = r.tally.clone();
            let (above, _) = c.decide(r);
            assert_eq!(above, k < 3);
            rates.push(c.rate);
        }
        // No decision until a window three back exists (the 4th window's
        // end), then the three bad windows, then the good.
        assert_eq!(rates, [400.0, 400.0, 400.0, 200.0, 100.0, 100.0, 150.0, 200.0]);
    }

    #[test]
    fn a_window_without_data_reads_as_the_one_before() {
        let mut c = Controller::new(&spec(AIMD, 0), 400.0);
        let r = reading(&Tally::default(), 5, 10);
        let before = r.tally.clone();
        assert!(c.decide(r).0);
        assert_eq!(c.rate, 200.0);
        assert!(c.decide(reading(&before, 0, 0)).0, "no request decided: still 0.5");
        assert_eq!(c.rate, 100.0);
    }

    #[test]
    fn session_p90_is_the_nearest_rank() {
        let mut xs: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(p90(&mut xs), Some(18.0));
        assert_eq!(p90(&mut [5.0]), Some(5.0));
        assert_eq!(p90(&mut []), None);
    }
}
