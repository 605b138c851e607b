//! Which stream each of the model's draws comes from: common random numbers.
//!
//! Two runs that differ only in a capacity, an admission rule or another
//! cohort should meet the same people: arriving at the same instants, each
//! with the same session length, patience, retry delays and luck at every
//! step. Then their difference is the difference the change makes, not
//! noise. So no draw takes "the next number" of a shared generator (which
//! hands the i-th number to whatever happens i-th, and a capacity change
//! reorders what happens); each comes from a stream named by
//! (seed, replication, purpose, cohort, ...) (see `engine::rng`):
//!
//! - **Arrivals**: one sequential stream per arrival stream of a cohort
//!   (window and part), named by the cohort's *name*, so a cohort's arrival
//!   instants depend only on its own definition, not on its place in the
//!   file nor on any other cohort.
//! - **A person's draws**: counter-based, a pure function of (purpose,
//!   cohort, the person's number in the cohort, which attempt). The same
//!   person on their k-th attempt gets the same page-load time, patience,
//!   connection loss, back-door luck, bounce, response time, clock-bug
//!   luck, session length, error, retry choice, retry delay, balking
//!   tolerance and overdue departure in every run
//!   of the scenario, whatever the order in which people got there.
//! - **Catch-up rounds**: per cohort (by name) and round, one stream
//!   draws how many come back, others their arrival instants. The people
//!   who come back are numbered after the cohort's own people and those of
//!   the rounds before (`Model::catch_up`), so their draws are their own:
//!   taking a number of the first night's would hand a returning person
//!   the patience, sessions and luck of someone the night already used,
//!   two people moving in lockstep. Which of the night's people come back
//!   is not known (nobody's history is kept), so no number could be theirs.
//! - **A device's draws** (several devices per person): a device's number
//!   is its person's with the device in high bits (`Person::with_device`),
//!   so its draws are the person's own streams, keyed by the device too;
//!   device 0 draws as the person alone does.
//! - **The room's order** (random admission, the pre-queue shuffle) and the
//!   service of page loads whose client has left (nobody's any more): one
//!   sequential stream each. These follow the order of events and are
//!   common only while that order is.
//!
//! What is not common: whatever a change itself moves. A person who books
//! on their first attempt in one run and retries in the other makes a
//! second attempt only in the other; that attempt's draws are new.

use super::Person;
use crate::engine::{Counter, Rng, StreamKey};
use crate::scenario::Scenario;

/// What a draw is for. The discriminant is part of every stream's name:
/// append new purposes at the end, or every stream moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Purpose {
    // Drawn per person and attempt, first: they index a table.
    /// A page load's service time at the front tier.
    PageLoad,
    /// The delay before reloading a page that timed out.
    Refresh,
    /// The delay before retrying after a failure.
    RetryDelay,
    /// Whether to retry at all.
    RetryChoice,
    /// Whether the back door lets this attempt skip the room.
    Bypass,
    /// How long a person waits in the queue before giving up.
    Patience,
    /// When a waiting person's connection drops.
    ConnectionLoss,
    /// Whether admission fails and sends the person to the back.
    Bounce,
    /// How long a person takes to take up their turn.
    Response,
    /// Whether the clock bug refuses this attempt.
    ClockBug,
    /// The booking session's length.
    Session,
    /// Whether the booking session ends in an error.
    BackendError,
    // Sequential streams.
    /// A cohort's first attempts (per arrival stream).
    Arrivals,
    /// Who is admitted next (random order, the pre-queue shuffle).
    RoomOrder,
    /// Service of page loads nobody waits for any more (wasted work).
    DeadPageLoad,
    // Drawn per person and attempt, added later (at the end, so that no
    // earlier stream moves).
    /// The longest shown wait a person accepts on joining the room.
    Balk,
    /// A catch-up round's crowd: how many come back, and when (per cohort
    /// and round, not per person).
    CatchUp,
    /// An identity check's service time (per person and attempt).
    IdentityCheck,
    /// How many devices a person uses (per person, drawn once, before the
    /// first attempt).
    Devices,
    /// When a person leaves once the shown wait has passed (per person and
    /// attempt: `clients.overdue_hazard`).
    Overdue,
}

impl Purpose {
    /// The purposes drawn per person, in table order: those before
    /// `Arrivals`, then those added later that are drawn per person.
    const PERSONAL: [Purpose; 16] = [
        Purpose::PageLoad,
        Purpose::Refresh,
        Purpose::RetryDelay,
        Purpose::RetryChoice,
        Purpose::Bypass,
        Purpose::Patience,
        Purpose::ConnectionLoss,
        Purpose::Bounce,
        Purpose::Response,
        Purpose::ClockBug,
        Purpose::Session,
        Purpose::BackendError,
        Purpose::Balk,
        Purpose::IdentityCheck,
        Purpose::Devices,
        Purpose::Overdue,
    ];
    const PER_PERSON: usize = Purpose::PERSONAL.len();

    /// The place of a per-person purpose in the table.
    #[inline]
    fn slot(self) -> usize {
        match self {
            Purpose::Balk => Purpose::BackendError as usize + 1,
            Purpose::IdentityCheck => Purpose::BackendError as usize + 2,
            Purpose::Devices => Purpose::BackendError as usize + 3,
            Purpose::Overdue => Purpose::BackendError as usize + 4,
            p => p as usize,
        }
    }
}

/// The random streams of one run.
pub struct Streams {
    root: StreamKey,
    /// Per cohort, the key of each per-person purpose: `[cohort][purpose]`,
    /// flattened.
    people: Vec<StreamKey>,
    /// Who is admitted next, in random order and at the pre-queue shuffle.
    pub room_order: Rng,
    /// Page loads served for nobody.
    pub dead_page_loads: Rng,
}

impl Streams {
    pub fn new(s: &Scenario, replication: u64) -> Streams {
        let root = StreamKey::root(s.seed, replication);
        let purposes = Purpose::PERSONAL.iter().map(|&p| root.with(p as u64));
        let mut people = Vec::with_capacity(s.cohorts.len() * Purpose::PER_PERSON);
        for c in &s.cohorts {
            people.extend(purposes.clone().map(|key| key.with_str(&c.name)));
        }
        Streams {
            root,
            people,
            room_order: root.with(Purpose::RoomOrder as u64).rng(),
            dead_page_loads: root.with(Purpose::DeadPageLoad as u64).rng(),
        }
    }

    /// The generator of arrival stream `number` of the cohort named `cohort`.
    pub fn arrivals(&self, cohort: &str, number: u64) -> Rng {
        self.root.with(Purpose::Arrivals as u64).with_str(cohort).with(number).rng()
    }

    /// The generator of catch-up round `round` of the cohort named
    /// `cohort`: number 0 draws how many come back, number 1 + k the
    /// arrivals of the round's part k. Named by the cohort, as its
    /// arrivals are: the round's crowd and instants depend on the rounds
    /// before only through how many were left to come back.
    pub fn catch_up(&self, cohort: &str, round: u64, number: u64) -> Rng {
        self.root.with(Purpose::CatchUp as u64).with_str(cohort).with(round).with(number).rng()
    }

    /// The draws of `person`, on their current attempt, for `purpose` (one
    /// of those drawn per person).
    #[inline]
    pub fn of(&self, purpose: Purpose, person: Person) -> Counter {
        debug_assert!(Purpose::PERSONAL.get(purpose.slot()) == Some(&purpose), "{purpose:?} is not drawn per person");
        let key = self.people[person.cohort() * Purpose::PER_PERSON + purpose.slot()];
        key.counter(u64::from(person.id()) << 16 | u64::from(person.attempts()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every purpose drawn per person has its own place in the table, and
    /// the places are those of the order the table is built in.
    #[test]
    fn personal_purposes_fill_the_table_once_each() {
        let places: Vec<usize> = Purpose::PERSONAL.iter().map(|p| p.slot()).collect();
        assert_eq!(places, (0..Purpose::PER_PERSON).collect::<Vec<_>>());
    }
}
