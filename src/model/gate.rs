//! The waiting room's gate: the one owner of admission. It decides whether
//! the room lets the person at the front of its line through, and it alone
//! knows the rate the room admits at:
//!
//! - **rate**: at most `admit_per_minute` admissions a minute, evenly
//!   spaced (at least a microsecond apart); a wake-up (`model::timers`) wakes the line
//!   when the next one is allowed.
//! - **max active**: admit only while fewer sessions than `max_active` (and
//!   than the backend has) are in use.
//! - **hold in outages**: with `during_outage = "hold"`, nobody is admitted
//!   while what is behind the room is down.
//! - **opening**: nobody is admitted before the room opens.
//!
//! The sold-out stop is not a question the gate is asked: a cohort's people
//! leave the line the moment it sells out (`inventory`), so the line the
//! gate admits from holds nobody who cannot book; with `on_sold_out =
//! "at_front"` they stay, and each is told at the front in an admission's
//! place. The operator's pause (`pause_at`) shuts the gate for good.
//!
//! The shown wait (`shown`) and the charts ask the gate for the rate
//! (`Gate::set_per_minute`, `Gate::nominal_per_sec`), never the scenario: a
//! controller that changes the rate as the night goes changes this file.

use crate::engine::SimTime;
use crate::scenario::{DuringOutage, WaitingRoom};

/// Whether, and how fast, the room admits.
pub struct Gate {
    /// Whether the room has opened (`waiting_room.opens`).
    open: bool,
    /// Sessions the room lets be in use at once (no limit without a room).
    max_active: u64,
    /// Admissions a minute the room is set to, if it limits them.
    per_minute: Option<f64>,
    /// Time between two admissions under the rate, if it is limited.
    spacing: Option<SimTime>,
    /// Earliest time the rate allows the next admission.
    next_at: SimTime,
    /// Whether the room admits nobody while what is behind it is down.
    hold_in_outage: bool,
    /// Whether the operator has paused the room for good (`pause_at`).
    paused: bool,
}

impl Gate {
    /// The gate of `room` (without a room, one that is never asked: only a
    /// waiting room admits).
    pub fn new(room: Option<&WaitingRoom>) -> Gate {
        let per_minute = room.and_then(Gate::set_per_minute);
        Gate {
            open: room.is_some_and(|r| r.opens == SimTime::ZERO),
            max_active: room.map_or(u64::MAX, |r| r.max_active),
            per_minute,
            spacing: per_minute.map(|r| SimTime::from_secs_f64(60.0 / r).max(SimTime(1))),
            next_at: SimTime::ZERO,
            hold_in_outage: room.is_some_and(|r| r.during_outage == DuringOutage::Hold),
            paused: false,
        }
    }

    /// The admissions a minute `room` is set to, if it limits them: what the
    /// gate admits at, and what the charts tell.
    pub fn set_per_minute(room: &WaitingRoom) -> Option<f64> {
        room.admit_per_minute
    }

    /// A controller sets the rate to `per_minute` (`model::controller`):
    /// the next admission is allowed the new spacing after the last one.
    pub fn set_rate(&mut self, per_minute: f64) {
        let spacing = SimTime::from_secs_f64(60.0 / per_minute).max(SimTime(1));
        if let Some(old) = self.spacing {
            if self.next_at > SimTime::ZERO {
                self.next_at = self.next_at.saturating_sub(old) + spacing;
            }
        }
        self.per_minute = Some(per_minute);
        self.spacing = Some(spacing);
    }

    /// The room opens.
    pub fn open(&mut self) {
        self.open = true;
    }

    /// The operator pauses the room for good: it admits nobody more.
    pub fn pause(&mut self) {
        (self.open, self.paused) = (false, true);
    }

    /// Whether the room has been paused for good.
    #[inline]
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Whether the room may admit anyone now: it is open, and it does not
    /// hold while what is behind it is `stopped` (asked only if it holds).
    #[inline]
    pub fn lets_through(&self, stopped: impl FnOnce() -> bool) -> bool {
        self.open && !(self.hold_in_outage && stopped())
    }

    /// Whether one more admission fits: `in_use` sessions are taken and the
    /// backend has `max_sessions`.
    #[inline]
    pub fn session_free(&self, in_use: u64, max_sessions: u64) -> bool {
        in_use < self.max_active.min(max_sessions)
    }

    /// Whether the rate allows an admission at `now`.
    #[inline]
    pub fn due(&self, now: SimTime) -> bool {
        now >= self.next_at
    }

    /// When the rate allows the next admission: when to wake the line it
    /// holds (the model keeps the one wake-up, `model::timers`).
    pub fn next_allowed(&self) -> SimTime {
        self.next_at
    }

    /// Someone was admitted at `now`: the rate spaces the next one.
    pub fn admitted(&mut self, now: SimTime) {
        if let Some(spacing) = self.spacing {
            self.next_at = now + spacing;
        }
    }

    /// Admissions a second the room is set to: its rate, or without one the
    /// sessions it lets be in use (the lesser of `max_active` and the
    /// backend's `max_sessions` at that moment) times `per_session`, the
    /// rate at which one full session frees, and no more than a throughput
    /// cap's `cap_per_sec` (a booking session frees only with a token).
    pub fn nominal_per_sec(&self, max_sessions: u64, per_session: f64, cap_per_sec: f64) -> f64 {
        self.per_minute
            .map(|r| r / 60.0)
            .unwrap_or_else(|| (self.max_active.min(max_sessions) as f64 * per_session).min(cap_per_sec))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_spaces_admissions_and_tells_when_the_next_is_allowed() {
        let mut g = Gate { per_minute: Some(6.0), spacing: Some(SimTime::from_secs(10)), ..Gate::new(None) };
        assert!(g.due(SimTime::ZERO));
        g.admitted(SimTime::from_secs(5));
        assert!(!g.due(SimTime::from_secs(14)));
        assert_eq!(g.next_allowed(), SimTime::from_secs(15));
        assert!(g.due(SimTime::from_secs(15)));
        assert_eq!(g.nominal_per_sec(10, 1.0, f64::INFINITY), 0.1);
    }

    /// Without a set rate the nominal rate is the sessions' (100 sessions of
    /// 30 s: 3.33 a second), held to a throughput cap below it (3,600 an
    /// hour: 1 a second); a set rate is the room's own and stays.
    #[test]
    fn the_nominal_rate_without_a_set_one_is_held_to_the_cap() {
        let g = Gate { max_active: 100, ..Gate::new(None) };
        assert!((g.nominal_per_sec(200, 1.0 / 30.0, f64::INFINITY) - 100.0 / 30.0).abs() < 1e-12);
        assert_eq!(g.nominal_per_sec(200, 1.0 / 30.0, 1.0), 1.0);
        assert_eq!(g.nominal_per_sec(200, 1.0 / 30.0, 10.0), g.nominal_per_sec(200, 1.0 / 30.0, f64::INFINITY));
        let set = Gate { per_minute: Some(600.0), ..g };
        assert_eq!(set.nominal_per_sec(200, 1.0 / 30.0, 1.0), 10.0);
    }

    #[test]
    fn a_new_rate_spaces_the_next_admission_from_the_last() {
        let mut g = Gate { per_minute: Some(6.0), spacing: Some(SimTime::from_secs(10)), ..Gate::new(None) };
        g.admitted(SimTime::from_secs(5));
        g.set_rate(12.0);
        assert_eq!(g.next_allowed(), SimTime::from_secs(10), "5 s after the last, not 10");
        assert_eq!(g.nominal_per_sec(10, 1.0, f64::INFINITY), 0.2);
        g.set_rate(3.0);
        assert_eq!(g.next_allowed(), SimTime::from_secs(25));
    }

    #[test]
    fn a_held_gate_asks_what_is_behind_it_and_an_open_one_does_not() {
        let mut g = Gate { hold_in_outage: true, ..Gate::new(None) };
        assert!(!g.lets_through(|| false), "closed until it opens");
        g.open();
        assert!(g.lets_through(|| false));
        assert!(!g.lets_through(|| true));
        g.hold_in_outage = false;
        assert!(g.lets_through(|| panic!("not asked")));
        assert!(g.session_free(9, 10) && !g.session_free(10, 10));
    }
}
