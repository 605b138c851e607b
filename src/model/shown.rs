//! The wait the room shows a person joining its line ("401,032 ahead,
//! 111 h 23 min"): the people ahead of them divided by an admission rate.
//!
//! - `nominal`: the rate the room's gate is set to (`Gate::nominal_per_sec`):
//!   `admit_per_minute`, or without one the sessions it lets be active (the
//!   lesser of `max_active` and the backend's sessions at that moment) over
//!   the mean session length, the rate at which a full backend frees
//!   sessions; under a throughput cap (`backend.bookings_per_hour`) no
//!   faster than the cap, since a booking session then ends only with a
//!   token.
//! - `rate`: the admissions of the last five minutes, counted in ten-second
//!   steps (the window is the 29 steps before the current one and the
//!   current one so far); while nobody was admitted in it (before the
//!   opening, through an outage) the nominal rate stands in, so a room
//!   never shows "forever".
//!
//! People with nobody ahead are shown no wait (0).

use super::Gate;
use crate::engine::SimTime;
use crate::scenario::{Scenario, ShownWait};

/// Seconds per step of the recent admissions.
const STEP_SECS: u64 = 10;
/// Steps in the window: five minutes.
const STEPS: usize = 30;

pub struct Shown {
    how: ShownWait,
    /// Sessions a second one session frees: one over the mean session
    /// length (for the gate's nominal rate without a set rate).
    per_session: f64,
    recent: Recent,
}

impl Shown {
    /// The shown wait of `s`, if its room shows one.
    pub fn new(s: &Scenario) -> Option<Shown> {
        let room = s.waiting_room.as_ref()?;
        Some(Shown {
            how: room.shown_wait?,
            per_session: 1.0 / s.clients.session.mean_secs().max(1e-6),
            recent: Recent { steps: [0; STEPS], step: 0 },
        })
    }

    /// The room admitted someone at `now` (for `rate`).
    #[inline]
    pub fn admitted(&mut self, now: SimTime) {
        if self.how == ShownWait::Rate {
            self.recent.add(now);
        }
    }

    /// The wait shown at `now` to someone with `ahead` people ahead, behind
    /// `gate`, while the backend has `max_sessions` sessions and completes
    /// at most `cap_per_sec` bookings a second (infinite: no cap).
    pub fn wait(&mut self, ahead: u64, now: SimTime, gate: &Gate, max_sessions: u64, cap_per_sec: f64) -> SimTime {
        if ahead == 0 {
            return SimTime::ZERO;
        }
        let nominal = gate.nominal_per_sec(max_sessions, self.per_session, cap_per_sec);
        let rate = match self.how {
            ShownWait::Nominal => nominal,
            ShownWait::Rate => self.recent.per_sec(now).unwrap_or(nominal),
        };
        if rate > 0.0 {
            SimTime::from_secs_f64(ahead as f64 / rate)
        } else {
            SimTime::MAX
        }
    }
}

/// Admissions in the last `STEPS` steps of `STEP_SECS`, as a ring.
struct Recent {
    steps: [u32; STEPS],
    /// The step the last admission or question fell in.
    step: u64,
}

impl Recent {
    /// Move to the step of `now`, emptying the steps passed over.
    fn roll(&mut self, now: SimTime) {
        let step = now.0 / (STEP_SECS * SimTime::MICROS_PER_SEC);
        let passed = step.saturating_sub(self.step).min(STEPS as u64);
        for k in 1..=passed {
            self.steps[((self.step + k) % STEPS as u64) as usize] = 0;
        }
        self.step = self.step.max(step);
    }

    fn add(&mut self, now: SimTime) {
        self.roll(now);
        let slot = &mut self.steps[(self.step % STEPS as u64) as usize];
        *slot = slot.saturating_add(1);
    }

    /// Admissions per second over the window; `None` if there were none.
    fn per_sec(&mut self, now: SimTime) -> Option<f64> {
        self.roll(now);
        let n: u64 = self.steps.iter().map(|&x| u64::from(x)).sum();
        let step_us = STEP_SECS * SimTime::MICROS_PER_SEC;
        let into_step = now.0 % step_us;
        // The window: the full steps before this one, and this one so far,
        // no longer than the run so far.
        let span_us = ((STEPS as u64 - 1) * step_us + into_step).min(now.0).max(1);
        (n > 0).then(|| n as f64 / (span_us as f64 / 1e6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recent_rate_counts_the_last_five_minutes() {
        let mut r = Recent { steps: [0; STEPS], step: 0 };
        assert_eq!(r.per_sec(SimTime::from_secs(600)), None);
        // One admission a second from 10 min to 20 min.
        for s in 600..1200 {
            r.add(SimTime::from_secs(s));
        }
        let rate = r.per_sec(SimTime::from_secs(1200)).unwrap();
        assert!((rate - 1.0).abs() < 0.02, "{rate}");
        // Five minutes later, nobody in the window any more.
        assert_eq!(r.per_sec(SimTime::from_secs(1500)), None);
    }
}
