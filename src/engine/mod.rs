//! The discrete-event engine: simulated time and the future-event list.
//!
//! Domain-free on purpose: it knows nothing of visitors, queues or vaccines.
//! The model (`crate::model`) owns the event type and the handlers and drives
//! the loop; the engine only guarantees the order in which events come out
//! and that the random stream of a run depends on its seed alone.

mod memory;
mod queue;
mod time;

pub use memory::{fmt_bytes, OutOfMemory};
pub use queue::{CalendarQueue, FutureEvents, HeapQueue, RadixQueue};
pub use time::SimTime;

use rand::rngs::Xoshiro256PlusPlus;
use rand::SeedableRng;

/// The random generator every run uses. Named explicitly (not `SmallRng`)
/// because recorded runs must replay identically across `rand` releases.
pub type Rng = Xoshiro256PlusPlus;

/// The generator for replication `replication` of a run seeded with `seed`.
///
/// Streams are derived by hashing (seed, replication) through SplitMix64, so
/// neighbouring seeds and replications get unrelated streams, and a
/// replication's numbers never depend on how many threads ran the others.
pub fn rng_for(seed: u64, replication: u64) -> Rng {
    let mut x = seed ^ replication.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // SplitMix64 finaliser (Steele, Lea & Flood 2014).
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    Rng::seed_from_u64(x)
}
