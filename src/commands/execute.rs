//! The command line's side of a batch (`crate::batch` runs it): on as
//! many threads as the size guard allows, and an out-of-memory failure
//! told with the guard's estimate beside it.

use super::CliError;
use crate::engine::{fmt_bytes, OutOfMemory};
use crate::limits::Budget;

pub use crate::batch::threads;

/// Run `work` on at most `plan.threads` threads (the size guard's choice,
/// so that the runs at once fit in memory); an out-of-memory error gets
/// the guard's estimate.
pub fn within<T: Send, E: Into<anyhow::Error> + Send>(
    plan: &Budget,
    work: impl FnOnce() -> Result<T, E> + Send,
) -> Result<T, CliError> {
    crate::batch::within(plan.threads, work).map_err(|e| estimated(e, plan))
}

/// An error, with the size guard's estimate if it is for want of memory:
/// "out of memory: could not hold N queued people (X); the size guard
/// estimated Y".
pub fn estimated(e: anyhow::Error, plan: &Budget) -> CliError {
    match e.downcast_ref::<OutOfMemory>() {
        Some(oom) => CliError::Other(anyhow::anyhow!("{oom}; the size guard estimated {}", fmt_bytes(plan.memory))),
        None => CliError::Other(e),
    }
}
