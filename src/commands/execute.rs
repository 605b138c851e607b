//! Running the model many times: the replications of one scenario, each on
//! its own random stream derived from (seed, replication index), in
//! parallel on all cores. Each run is reduced to its figures as soon as it
//! ends (`stats::RunFigures`), so what is kept grows by kilobytes per run.
//!
//! Results are collected in replication order and each replication is a
//! pure function of (scenario, seed, index), so the output is the same
//! with one thread or many.

use super::progress::Progress;
use crate::scenario::Scenario;
use crate::stats::RunFigures;
use crate::{simulate_on, QueueKind};
use rayon::prelude::*;

/// Replications `0..n` of `s` on `queue`, in replication order.
pub fn replications(s: &Scenario, n: usize, queue: QueueKind, progress: &Progress) -> Vec<RunFigures> {
    (0..n as u64)
        .into_par_iter()
        .map(|r| {
            let figures = RunFigures::of(s, simulate_on(s, r, queue).results);
            progress.inc();
            figures
        })
        .collect()
}
