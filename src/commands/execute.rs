//! Running the model many times: the replications of one scenario, each on
//! its own random stream derived from (seed, replication index), in
//! parallel on all cores. Each run is reduced to its figures as soon as it
//! ends (`stats::RunFigures`), so what is kept grows by kilobytes per run.
//!
//! Results are collected in replication order and each replication is a
//! pure function of (scenario, seed, index), so the output is the same
//! with one thread or many.

use super::progress::Progress;
use super::CliError;
use crate::engine::{fmt_bytes, OutOfMemory};
use crate::limits::Budget;
use crate::scenario::Scenario;
use crate::stats::RunFigures;
use crate::{Outcome, QueueKind};
use rayon::prelude::*;

/// Replications `0..n` of `s` on `queue`, in replication order; an error
/// if one ran out of memory.
pub fn replications(
    s: &Scenario,
    n: usize,
    queue: QueueKind,
    progress: &Progress,
) -> Result<Vec<RunFigures>, OutOfMemory> {
    (0..n as u64).into_par_iter().map(|r| Ok(RunFigures::of(s, run_one(s, r, queue, progress)?.results))).collect()
}

/// Replication `r` of `s`, moving `progress` by its clock as it goes.
pub fn run_one(s: &Scenario, r: u64, queue: QueueKind, progress: &Progress) -> Result<Outcome, OutOfMemory> {
    let job = progress.job(s.duration);
    let outcome = crate::simulate_observed(s, r, queue, &|t| job.clock_at(t))?;
    job.finish();
    Ok(outcome)
}

/// Runs that could go at once: the thread pool's size.
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// Run `work` on at most `plan.threads` threads (the size guard's choice,
/// so that the runs at once fit in memory); an out-of-memory error gets
/// the guard's estimate.
pub fn within<T: Send, E: Into<anyhow::Error> + Send>(
    plan: &Budget,
    work: impl FnOnce() -> Result<T, E> + Send,
) -> Result<T, CliError> {
    let result = if plan.threads >= threads() {
        work()
    } else {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(plan.threads).build().map_err(anyhow::Error::from)?;
        pool.install(work)
    };
    result.map_err(|e| estimated(e.into(), plan))
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
