//! What a whole command asks of the machine: what it keeps of each
//! finished run (`Keeps`), its memory at the peak with a number of runs at
//! once (`CommandMemory`), and the budget it runs with (`Budget`: the runs
//! at once that fit, their peak, the computing time to tell).

use super::size::{curve_points, RunMemory, Size, COHORT_BYTES};
use super::words::hours;
use super::KIB;
use crate::scenario::Scenario;

/// The process itself: code, libraries, the allocator's arenas, the main
/// thread (measured: 6-11 MiB resident for a tiny run).
pub(super) const PROCESS_BYTES: f64 = 16.0 * KIB * KIB;
/// Each worker thread's stack and allocator arena, resident.
const THREAD_BYTES: f64 = 2.0 * KIB * KIB;
/// A run's summary as JSON, as a sweep keeps one per run: measured 15 KiB
/// (the headline figures and the resolved scenario), plus per cohort and
/// per piecewise point of the resolved scenario.
const SUMMARY_BYTES: f64 = 24.0 * KIB;
const SUMMARY_POINT_BYTES: f64 = 512.0;
/// The charts' pixels and a cohort's rows, while the report is written.
pub(super) const REPORT_BYTES: f64 = 32.0 * KIB * KIB;

/// What a command keeps of each finished run, besides the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keeps {
    /// `run` (one run) and `compare`: each run's results.
    Results,
    /// `run -r`: each replication's figures, and while the report is
    /// written, the combined time series.
    Replications,
    /// `sweep`: each run's summary as JSON.
    Summaries,
}

/// How a command may run: the runs at once that fit, and its peak then.
#[derive(Clone, Debug, PartialEq)]
pub struct Budget {
    /// Runs at once (threads); at least 1.
    pub threads: usize,
    /// Memory at the peak with `threads` runs at once [bytes].
    pub memory: f64,
    /// Computing time at most, about [s]: every run's events at the rate
    /// of one core, over the threads (an attempt failing every time, the
    /// worst case; a plan's every run, though it stops when it knows).
    pub seconds: f64,
    /// Runs the command makes at most.
    pub runs: u64,
}

/// Computing time worth telling before it starts [s].
pub(super) const TELL_AFTER: f64 = 60.0;

impl Budget {
    /// "up to about 20 min of computing (200 runs at most, 2 at once)",
    /// when it is worth saying before the work starts; the progress bar's
    /// ETA tells the rest.
    pub fn time_note(&self) -> Option<String> {
        (self.seconds >= TELL_AFTER).then(|| {
            let runs = if self.runs > 1 {
                format!(" ({} runs at most, {} at once)", self.runs, self.threads)
            } else {
                String::new()
            };
            format!(
                "up to about {} of computing{runs}, estimated; the progress bar's ETA tells as it goes",
                hours(self.seconds)
            )
        })
    }
}

/// The memory of a command at its peak, with `threads` runs at once.
pub(super) struct CommandMemory {
    /// The largest run's working memory.
    pub(super) largest: RunMemory,
    /// Kept by all finished runs, plus the scenarios [bytes].
    pub(super) kept: f64,
    /// Held while the report is combined, besides `kept` [bytes].
    pub(super) report: f64,
}

impl CommandMemory {
    pub(super) fn of(runs: &[(&Scenario, u64, Size)], keeps: Keeps) -> CommandMemory {
        let mut largest = runs[0].2.memory.clone();
        let (mut kept, mut report) = (0.0, REPORT_BYTES);
        for (s, n, size) in runs {
            let n = *n as f64;
            let m = &size.memory;
            if m.working() > largest.working() {
                largest = m.clone();
            }
            kept += m.scenario;
            kept += n * match keeps {
                Keeps::Results | Keeps::Replications => m.results,
                Keeps::Summaries => SUMMARY_BYTES + COHORT_BYTES * s.cohorts.len() as f64,
            };
            if keeps == Keeps::Summaries {
                kept += n * SUMMARY_POINT_BYTES * curve_points(s).0;
            }
            if keeps == Keeps::Replications && n > 1.0 {
                report += size.bins as f64 * crate::stats::combined_row_bytes() as f64;
            }
        }
        CommandMemory { largest, kept, report }
    }

    /// The peak with `threads` runs at once.
    pub(super) fn at(&self, threads: usize) -> f64 {
        self.peak(threads, self.largest.working())
    }

    /// The peak of one run at a time without the stale deadlines.
    pub(super) fn live(&self) -> f64 {
        self.peak(1, self.largest.live())
    }

    fn peak(&self, threads: usize, per_run: f64) -> f64 {
        let running = threads as f64 * (per_run + THREAD_BYTES);
        PROCESS_BYTES + self.kept + running.max(self.report)
    }
}
