//! The model's representational limits, stated once.
//!
//! The model packs a person into 8 bytes (see `model::Person`) and numbers
//! what it holds in narrow integers, because millions of people sit in
//! pending events on a busy night. Those widths are not preferences a
//! bigger machine could lift: a value past them would wrap silently. So
//! they are named here, the model declares its fields with these types,
//! and validation (per scenario value) and `limits` (per run) refuse what
//! does not fit, whatever `--allow-large` says.

/// A person's first-attempt time: milliseconds since the start. 32 bits
/// reach 49.7 days; `MAX_DAYS` keeps every run below that.
pub type FirstAttemptMs = u32;

/// A person's attempts so far, the first included.
pub type Attempts = u16;

/// A cohort's number, in the order the scenario lists them.
pub type CohortIndex = u16;

/// Longest run [days]: a first attempt at the very end must still fit in
/// `FirstAttemptMs`, with room to spare.
pub const MAX_DAYS: u64 = 45;

/// Most attempts a person may make (`clients.retry.max_attempts`).
pub const MAX_ATTEMPTS: u32 = Attempts::MAX as u32;

/// Most cohorts a scenario may list.
pub const MAX_COHORTS: usize = CohortIndex::MAX as usize;

/// Most people the model can number: people are counted and held in 32
/// bits (a slab slot is a `u32`). One cohort may not have more, nor a run
/// in total; unlike `limits`' guards, `--allow-large` does not lift this.
pub const MAX_PEOPLE: u64 = u32::MAX as u64;

/// Most people one cohort may have when people use several devices: a
/// device is numbered with its person, the device in the number's top 4
/// bits (`model::person::DEVICE_SHIFT`).
pub const MAX_PEOPLE_ON_DEVICES: u64 = 1 << 28;

// The longest run must fit the first-attempt clock.
const _: () = assert!(MAX_DAYS * 86_400_000 <= FirstAttemptMs::MAX as u64);
