//! A person: who they are, which attempt they are on, since when they try.
//! No per-person table exists: a person travels inside the events, the
//! line, the front tier's queue and the sessions, so their size is the
//! model's memory on a busy night.
//!
//! Two forms of the same 96 bits. `Person`, what the handlers pass around:
//! a u64 and a u32, which the compiler keeps in two registers. `Stored`,
//! what the structures hold: the same two words packed into 12 bytes, so
//! that an event (a 4-byte tag and a stored person) stays 16 bytes.
//!
//! Why not one packed type: a 12-byte struct is passed through memory, and
//! a person written to the stack field by field and read back a word at a
//! time stalls the processor's store forwarding. As four fields (u32, u32,
//! u16, u16) passed that way, it cost 6 % of an M/M/100 run.

use super::demand::FirstAttempt;
use crate::engine::SimTime;
use crate::scenario::bounds;

// The fields' widths are the ones validation keeps inputs within.
const _: () = assert!(
    bounds::Attempts::MAX as u32 == 0xFFFF
        && bounds::CohortIndex::MAX as u32 == 0xFFFF
        && bounds::FirstAttemptMs::MAX == u32::MAX
);

/// Bits of a person's number that number the person when they use several
/// devices; the 4 above them number the device (`Discrete::MAX_VALUE` = 16).
pub const DEVICE_SHIFT: u32 = 28;
const _: () = assert!(1u64 << DEVICE_SHIFT == bounds::MAX_PEOPLE_ON_DEVICES);

/// A person, as the handlers pass one (in registers).
#[derive(Clone, Copy, Debug)]
pub struct Person {
    /// When their first attempt began [ms since the start] (low 32 bits;
    /// for time to book: u32 milliseconds reach 49 days, and runs are
    /// capped below that), and their number within their cohort (high 32
    /// bits), which names their own random draws (`Streams::of`). Beyond
    /// 2^32 people in one cohort numbers wrap and two people share draws: a
    /// run that size is far past the size guard's 100 million people.
    first_ms_id: u64,
    /// The attempts made so far, this one included (low 16 bits: at most
    /// `max_attempts`, which validation keeps within u16), and the cohort
    /// (high 16 bits).
    attempts_cohort: u32,
}

/// A person, as the model's structures hold one: 12 bytes.
#[derive(Clone, Copy, Debug)]
#[repr(C, packed(4))]
pub struct Stored {
    attempts_cohort: u32,
    first_ms_id: u64,
}

impl Person {
    /// Someone making their first attempt (`attempts` is 0 until it starts).
    pub fn new(first: FirstAttempt) -> Person {
        let first_ms = first.at.0 / 1000;
        debug_assert!(first_ms <= u64::from(u32::MAX));
        Person {
            first_ms_id: first_ms | (first.id & 0xFFFF_FFFF) << 32,
            attempts_cohort: u32::from(first.cohort) << 16,
        }
    }

    #[inline]
    pub fn cohort(self) -> usize {
        (self.attempts_cohort >> 16) as usize
    }

    /// Their number within their cohort.
    #[inline]
    pub fn id(self) -> u32 {
        (self.first_ms_id >> 32) as u32
    }

    /// Attempts made so far, this one included.
    #[inline]
    pub fn attempts(self) -> u32 {
        self.attempts_cohort & 0xFFFF
    }

    /// One more attempt (callers check `max_attempts` first).
    #[inline]
    pub fn next_attempt(&mut self) {
        debug_assert!(self.attempts() < 0xFFFF);
        self.attempts_cohort += 1;
    }

    /// When their first attempt began.
    pub fn first(self) -> SimTime {
        SimTime((self.first_ms_id & 0xFFFF_FFFF) * 1000)
    }

    /// Device `d` of this person (people of scenarios with several devices
    /// per person are numbered below `DEVICE_SHIFT` bits; see `devices`).
    /// Their number carries the device in its high bits, so each device
    /// draws from streams of its own, a pure function of the person and
    /// the device, and device 0 draws exactly as the person alone would.
    #[inline]
    pub fn with_device(self, d: u32) -> Person {
        debug_assert!(d < 1 << (32 - DEVICE_SHIFT) && self.id() < 1 << DEVICE_SHIFT);
        Person { first_ms_id: self.first_ms_id | u64::from(d) << (32 + DEVICE_SHIFT), ..self }
    }

    /// Which of the person's devices this is (only meaningful in scenarios
    /// with several devices per person).
    #[inline]
    pub fn device(self) -> u32 {
        self.id() >> DEVICE_SHIFT
    }

    /// The person a device belongs to: (cohort, number without the device).
    #[inline]
    pub fn owner(self) -> (u16, u32) {
        (self.cohort() as u16, self.id() & ((1 << DEVICE_SHIFT) - 1))
    }

    #[inline]
    pub fn stored(self) -> Stored {
        Stored { attempts_cohort: self.attempts_cohort, first_ms_id: self.first_ms_id }
    }
}

impl Stored {
    #[inline]
    pub fn person(self) -> Person {
        Person { first_ms_id: self.first_ms_id, attempts_cohort: self.attempts_cohort }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_keeps_who_they_are_through_every_attempt_and_storage() {
        let first = FirstAttempt {
            at: SimTime::from_secs(3 * 24 * 3600),
            cohort: 65_535,
            id: u64::from(u32::MAX),
            returning: false,
        };
        let mut p = Person::new(first);
        for k in 1..=0xFFFF {
            p.next_attempt();
            assert_eq!(p.attempts(), k);
        }
        let p = p.stored().person();
        assert_eq!((p.cohort(), p.id(), p.attempts()), (65_535, u32::MAX, 0xFFFF));
        assert_eq!(p.first(), first.at);
        assert_eq!(std::mem::size_of::<Stored>(), 12);
    }

    #[test]
    fn a_device_keeps_its_person_and_device_zero_is_the_person() {
        let first =
            FirstAttempt { at: SimTime::from_secs(60), cohort: 3, id: (1 << DEVICE_SHIFT) - 1, returning: false };
        let p = Person::new(first);
        assert_eq!(p.with_device(0).id(), p.id());
        let d = p.with_device(15);
        assert_eq!((d.device(), d.owner(), d.first(), d.cohort()), (15, (3, p.id()), p.first(), 3));
        assert_ne!(d.id(), p.id(), "a device draws from its own streams");
    }
}
