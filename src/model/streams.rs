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
//!   luck, session length, error, retry choice and retry delay in every run
//!   of the scenario, whatever the order in which people got there.
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
    // Drawn per person and attempt again (added later: appended, so that
    // the streams above keep their names).
    /// An identity check's service time.
    IdentityCheck,
    /// How many devices a person uses (drawn once, before the first attempt).
    Devices,
}

impl Purpose {
    /// Purposes drawn per person: those before `Arrivals`, and those after
    /// `DeadPageLoad`.
    const PER_PERSON: usize = Purpose::BackendError as usize + 3;
    /// The per-person purposes, in table order.
    const PERSONAL: [Purpose; Purpose::PER_PERSON] = [
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
        Purpose::IdentityCheck,
        Purpose::Devices,
    ];

    /// The place of a per-person purpose in the table.
    #[inline]
    fn slot(self) -> usize {
        let p = self as usize;
        if p < Purpose::Arrivals as usize {
            p
        } else {
            p - (Purpose::DeadPageLoad as usize + 1 - Purpose::Arrivals as usize)
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

    /// The draws of `person`, on their current attempt, for `purpose` (one
    /// of those drawn per person).
    #[inline]
    pub fn of(&self, purpose: Purpose, person: Person) -> Counter {
        debug_assert!(Purpose::PERSONAL.get(purpose.slot()) == Some(&purpose), "{purpose:?} is not drawn per person");
        let key = self.people[person.cohort() * Purpose::PER_PERSON + purpose.slot()];
        key.counter(u64::from(person.id()) << 16 | u64::from(person.attempts()))
    }
}
