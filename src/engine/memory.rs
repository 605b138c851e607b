//! Running out of memory as an error, not an abort.
//!
//! Rust aborts the process when an allocation fails. The structures that
//! grow with a run's size (the waiting room's line, the booking sessions,
//! the front tier's queue, the future-event list, the time-series table)
//! grow through `try_reserve` instead, in doubling steps so the hot path
//! pays one comparison, and report a failure as an `OutOfMemory`: the run
//! stops and the command exits with one line. The size guard
//! (`limits`) should refuse such a run beforehand; this is for
//! when the machine has less memory than it said (a `ulimit -v`, other
//! programs).

/// An allocation that failed: what the structure held, and the bytes it
/// asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("out of memory: could not hold {items} {what} ({})", fmt_bytes(*.bytes as f64))]
pub struct OutOfMemory {
    /// "queued people", "pending events", ...
    pub what: &'static str,
    pub items: u64,
    /// The structure's size with the failed step [bytes].
    pub bytes: u64,
}

impl OutOfMemory {
    pub fn new(what: &'static str, items: usize, bytes: usize) -> Self {
        OutOfMemory { what, items: items as u64, bytes: bytes as u64 }
    }
}

/// Bytes for people: "512 KiB", "38 MiB", "4.2 GiB".
pub fn fmt_bytes(b: f64) -> String {
    const KIB: f64 = 1024.0;
    match b {
        b if b >= KIB * KIB * KIB => format!("{:.1} GiB", b / (KIB * KIB * KIB)),
        b if b >= KIB * KIB => format!("{:.0} MiB", b / (KIB * KIB)),
        b => format!("{:.0} KiB", b / KIB),
    }
}
