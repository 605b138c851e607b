//! The discrete-event engine: simulated time, the future-event list and
//! random streams.
//!
//! Domain-free on purpose: it knows nothing of visitors, queues or vaccines.
//! The model (`crate::model`) owns the event type and the handlers and drives
//! the loop; the engine only guarantees the order in which events come out
//! and that a run's random streams depend on their names alone (`rng`).

mod memory;
mod queue;
mod rng;
mod time;

pub use memory::{fmt_bytes, OutOfMemory};
pub use queue::{CalendarQueue, FutureEvents, HeapQueue, RadixQueue};
pub use rng::{mix64, rng_for, Counter, Rng, StreamKey};
pub use time::SimTime;
