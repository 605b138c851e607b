//! Several devices per person: each device (or browser tab) loads pages,
//! polls and holds a queue place of its own, as a person of its own would;
//! the person is booked once, by the first device to get a session through.
//!
//! A device travels as a person whose number carries the device in its
//! high bits (`Person::with_device`): nothing grows in the events or the
//! line. What the devices of one person share (how many are still in the
//! system, whether one is in a session or booked, the lock) is kept in a
//! table only for people with more than one device, and only while one of
//! them is in the system: memory still follows the people in the system.
//!
//! - A device that reaches the front of the line (is admitted) when its
//!   person has booked, or has another device in a booking session, leaves
//!   (`devices_left`).
//! - With `device_lock`, once a device passes the identity check (or,
//!   without one, is admitted), the person's other devices are refused at
//!   that same step for the lock's length (`device_locked`; they retry per
//!   the retry policy). The device that holds the lock renews it each time
//!   it passes.
//! - The person gives up when their last device gives up without a
//!   booking; a device that stops while others go on is `devices_quit`.

use super::{Event, Model, Person, Purpose};
use crate::engine::{FutureEvents, SimTime};
use crate::scenario::{Clients, Discrete};
use crate::stats::DropCause;
use std::collections::HashMap;

/// The devices' shared state of the people who have several.
pub struct Devices {
    /// Whether anyone may have more than one device (else nothing here is used).
    pub on: bool,
    count: Discrete,
    lock: Option<SimTime>,
    people: HashMap<(u16, u32), Owner>,
}

/// What the devices of one person share.
struct Owner {
    /// Devices still in the system.
    live: u8,
    booked: bool,
    /// A device of theirs is in a booking session.
    in_session: bool,
    /// The device holding the lock, and until when (`ZERO`: never locked).
    holder: u8,
    locked_until: SimTime,
    /// Devices in the line now.
    queued: u8,
}

/// Bytes the table holds at most per person with several devices: an entry
/// (key and owner) and hashbrown's control byte, twice over (it doubles
/// when full, at 7/8 load).
pub const BYTES_PER_PERSON: usize = 2 * (std::mem::size_of::<((u16, u32), Owner)>() + 1) * 8 / 7 + 1;

impl Devices {
    pub fn new(c: &Clients) -> Devices {
        Devices { on: c.devices.max() > 1, count: c.devices.clone(), lock: c.device_lock, people: HashMap::new() }
    }

    /// Note whether a device of `person` is in a booking session.
    pub fn in_session(&mut self, person: Person, yes: bool) {
        if let Some(o) = self.people.get_mut(&person.owner()) {
            o.in_session = yes;
        }
    }

    /// A device left the line (admitted, or gone).
    pub fn left_line(&mut self, person: Person) {
        if let Some(o) = self.people.get_mut(&person.owner()) {
            o.queued -= 1;
        }
    }
}

/// How a device leaves the system other than by booking.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gone {
    /// At the front, its person served.
    Left,
    /// It gave up, or was turned away for good.
    Quit,
}

impl<Q: FutureEvents<Event>> Model<'_, Q> {
    /// A person's first attempt (`again`: the first of a catch-up round):
    /// on each of their devices.
    pub(super) fn arrive(&mut self, person: Person, again: bool) {
        if !self.devices.on {
            return self.attempt(person, again);
        }
        let n = self.devices.count.sample(&mut self.streams.of(Purpose::Devices, person));
        if n <= 1 {
            return self.attempt(person, again);
        }
        let owner = Owner {
            live: n as u8,
            booked: false,
            in_session: false,
            holder: 0,
            locked_until: SimTime::ZERO,
            queued: 0,
        };
        if self.devices.people.try_reserve(1).is_err() {
            let bytes = (self.devices.people.len() + 1) * BYTES_PER_PERSON;
            return self.lost(
                crate::engine::OutOfMemory::new("people's devices", self.devices.people.len(), bytes),
                "people's devices",
            );
        }
        self.devices.people.insert(person.owner(), owner);
        self.in_system.extra_devices[person.cohort()] += u64::from(n - 1);
        for d in 0..n {
            if d > 0 {
                // Each device's first attempt is an event of its own.
                self.handled += 1;
            }
            self.attempt(person.with_device(d), again);
        }
    }

    /// At the front of the line (admitted): false, and the device gone or
    /// refused, if its person is served or another device holds the lock.
    pub(super) fn device_may_book(&mut self, person: Person) -> bool {
        if self.device_served(person) {
            return false;
        }
        if self.s.identity.is_none() && !self.device_passes(person) {
            self.drop_attempt(person, DropCause::DeviceLocked);
            return false;
        }
        true
    }

    /// Whether the device's person has booked or has another device in a
    /// booking session: then the device leaves (`devices_left`). Asked at
    /// the front of the line, and again after a check at booking (another
    /// device may have got in while this one was checked).
    pub(super) fn device_served(&mut self, person: Person) -> bool {
        let Some(o) = self.devices.people.get(&person.owner()) else { return false };
        if o.booked || o.in_session {
            self.stats.device_left(person.cohort());
            self.device_gone(person, Gone::Left);
            return true;
        }
        false
    }

    /// The lock: whether this device may pass (and if so, it holds the lock).
    pub(super) fn device_passes(&mut self, person: Person) -> bool {
        let Some(lock) = self.devices.lock else { return true };
        let Some(o) = self.devices.people.get_mut(&person.owner()) else { return true };
        let device = person.device() as u8;
        if o.holder != device && self.now < o.locked_until {
            return false;
        }
        o.holder = device;
        o.locked_until = self.now + lock;
        true
    }

    /// A device joined the line: counted, and the most of one locked
    /// person's devices in it at once kept (`InSystem`).
    pub(super) fn device_joined_line(&mut self, person: Person) {
        let Some(o) = self.devices.people.get_mut(&person.owner()) else { return };
        o.queued += 1;
        if o.locked_until > SimTime::ZERO {
            let peak = &mut self.in_system.peak_devices_queued_locked;
            *peak = (*peak).max(u64::from(o.queued));
        }
    }

    /// A device booked for its person.
    pub(super) fn device_booked(&mut self, person: Person) {
        let key = person.owner();
        let Some(o) = self.devices.people.get_mut(&key) else { return };
        // The person leaves the count of people in the system; their other
        // devices, all now beyond it, were already counted as extra.
        debug_assert!(!o.booked, "a person booked twice");
        o.booked = true;
        o.live -= 1;
        if o.live == 0 {
            self.devices.people.remove(&key);
        }
    }

    /// A device gives up for good: the person does, if it was their last
    /// and they have not booked.
    pub(super) fn give_up(&mut self, person: Person) {
        if self.devices.on && self.devices.people.contains_key(&person.owner()) {
            self.device_gone(person, Gone::Quit);
        } else {
            self.stats.gave_up(person.cohort(), person.first());
        }
    }

    fn device_gone(&mut self, person: Person, how: Gone) {
        let (key, c) = (person.owner(), person.cohort());
        let Some(o) = self.devices.people.get_mut(&key) else { return };
        if o.booked || o.live > 1 {
            self.in_system.extra_devices[c] -= 1;
            if how == Gone::Quit {
                self.stats.device_quit(c);
            }
        } else {
            self.stats.gave_up(c, person.first());
        }
        o.live -= 1;
        if o.live == 0 {
            self.devices.people.remove(&key);
        }
    }
}
