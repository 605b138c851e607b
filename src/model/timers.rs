//! The model's wake-ups, kept beside the event list rather than in it.
//!
//! Six things wake the model at a time they alone know, one wake-up each
//! at a time: the next of the front tier's dead page loads to end (drawn in
//! aggregate, `front_page`), the front tier's oldest waiting page load
//! timing out, the identity check's oldest waiting check timing out, the
//! admission rate allowing the next admission, the throughput cap's
//! next token (`throughput`), and the admission controller's next
//! decision (`controller`, only if the room has one). Each is a single time,
//! so the main loop takes the earliest of them, the event list's head and
//! the next first attempt with a few comparisons; through the event list
//! each was a schedule and a pop of a radix heap that holds millions of
//! retries and deadlines, on times in microseconds (a 1-second page load
//! moved through four or five of its levels). On the 19 July replay they
//! are 32 M of the night's 65 M events: 14.6 M dead page loads, 14.5 M
//! page-load timeouts on the collapsed front page, 3.4 M admissions under
//! the rate (docs/design.md, "Speed").
//!
//! Order at one instant: events in the list first, then the wake-ups in
//! the order of `Timer`, then first attempts. Through the list, a wake-up
//! at the same microsecond as another event went in scheduling order;
//! beside it, after the events. Either is a valid order of simultaneous
//! events; this one is fixed and does not depend on the event list's kind.

use crate::engine::SimTime;

/// A wake-up the model may have pending (at most one of each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// One of the dead page loads in service, drawn in aggregate, ends
    /// (`front_page`: exponential service only).
    DeadPageLoadDone,
    /// The front tier's oldest waiting page load may have timed out.
    FrontExpiry,
    /// The identity check's oldest waiting check may have timed out.
    IdentityExpiry,
    /// The admission rate allows the next admission.
    Admit,
    /// The throughput cap's next token (`throughput`).
    Token,
    /// The admission controller decides (`controller`: every interval).
    Control,
}

const ALL: [Timer; KINDS] =
    [Timer::DeadPageLoadDone, Timer::FrontExpiry, Timer::IdentityExpiry, Timer::Admit, Timer::Token, Timer::Control];

/// How many kinds of wake-up there are (`Timer`'s variants, in order in
/// `ALL`): one length for both arrays, so a kind added to one cannot be
/// missing from the other.
const KINDS: usize = Timer::Control as usize + 1;

/// When each wake-up is due (`SimTime::MAX`: none pending).
pub struct Timers {
    at: [SimTime; KINDS],
}

impl Default for Timers {
    fn default() -> Self {
        Timers { at: [SimTime::MAX; KINDS] }
    }
}

impl Timers {
    /// Wake the model at `at` for `which` (replacing any pending one).
    #[inline]
    pub fn set(&mut self, which: Timer, at: SimTime) {
        self.at[which as usize] = at;
    }

    /// Whether `which` is pending.
    #[inline]
    pub fn is_set(&self, which: Timer) -> bool {
        self.at[which as usize] < SimTime::MAX
    }

    /// The earliest pending wake-up (the first in `Timer`'s order at a
    /// tie), `SimTime::MAX` and the first kind when none is.
    #[inline]
    pub fn next(&self) -> (SimTime, Timer) {
        let mut best = (self.at[0], ALL[0]);
        for (&at, &which) in self.at.iter().zip(&ALL).skip(1) {
            if at < best.0 {
                best = (at, which);
            }
        }
        best
    }

    /// `which` is due, or no longer wanted: it is not pending.
    #[inline]
    pub fn clear(&mut self, which: Timer) {
        self.at[which as usize] = SimTime::MAX;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earliest_wake_up_comes_first_and_ties_go_in_order() {
        let mut t = Timers::default();
        assert_eq!(t.next().0, SimTime::MAX, "none pending");
        t.set(Timer::Admit, SimTime::from_secs(5));
        t.set(Timer::IdentityExpiry, SimTime::from_secs(7));
        assert_eq!(t.next(), (SimTime::from_secs(5), Timer::Admit));
        t.set(Timer::FrontExpiry, SimTime::from_secs(5));
        assert_eq!(t.next(), (SimTime::from_secs(5), Timer::FrontExpiry), "a tie goes in Timer's order");
        t.clear(Timer::FrontExpiry);
        assert!(!t.is_set(Timer::FrontExpiry));
        assert_eq!(t.next(), (SimTime::from_secs(5), Timer::Admit));
        t.clear(Timer::Admit);
        assert_eq!(t.next(), (SimTime::from_secs(7), Timer::IdentityExpiry));
    }
}
