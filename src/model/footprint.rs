//! What the size guard (`limits`) needs to know of the model: the bytes its
//! structures hold per item of what grows, to multiply by the most items a
//! run can have at once, before the run.

use super::line::Line;
use super::person::Stored;
use super::servers::Servers;
use super::slab::Slab;
use super::{demand, devices, Event};
use crate::engine::{RadixQueue, SimTime};

/// Bytes the model's structures hold at most per item of what grows, their
/// spare capacity included (each structure says why): for the size guard
/// (`limits`), which multiplies them by the most items a run can
/// have at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Footprint {
    /// A person waiting in the line (in the line's order).
    pub queued: usize,
    /// A page load waiting for a front-tier slot.
    pub loading: usize,
    /// A booking session.
    pub session: usize,
    /// A person on several devices (the state their devices share).
    pub devices: usize,
}

pub fn footprint(order: crate::scenario::Order) -> Footprint {
    Footprint {
        queued: Line::<Stored>::bytes_per_person(order),
        loading: Servers::<Stored>::bytes_per_person(),
        session: Slab::<Stored>::bytes_per_item(),
        devices: devices::BYTES_PER_PERSON,
    }
}

/// Bytes of the event list at most with `pending` events pending at once,
/// in a run of length `horizon` (see `RadixQueue::bytes_for`).
pub fn event_list_bytes(pending: f64, horizon: SimTime) -> f64 {
    RadixQueue::<Event>::bytes_for(pending, horizon)
}

/// Bytes of the arrival tables per point of a piecewise or trace curve (the
/// inverse CDF's times, rates and areas).
pub const CURVE_BYTES_PER_POINT: usize = demand::BYTES_PER_POINT;
