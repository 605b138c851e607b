//! Progress bars on stderr for long work: a run's simulated clock, or the
//! runs of a set of replications, a comparison, a sweep or a plan. A bar
//! over runs moves while they run, not only as each ends: every run reports
//! its simulated clock (a `Job`), so a night of hours shows its progress
//! minutes before the first run is done.
//!
//! indicatif hides a bar by itself when stderr is not a terminal; `quiet`
//! hides it too. The model reports its clock only every 65,536 events, so a
//! bar costs nothing measurable.

use crate::engine::SimTime;
use crate::scenario::{units::clock_at, Scenario};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};

/// A run's share of a bar over runs, in thousandths.
const PER_RUN: u64 = 1000;

pub struct Progress {
    bar: ProgressBar,
    start: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Runs finished, and what they are called (a bar over runs).
    done: AtomicU64,
    total: u64,
    what: String,
}

impl Progress {
    /// A bar over a run's simulated time, showing the clock reached.
    pub fn clock(s: &Scenario, quiet: bool) -> Progress {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(s.duration.0 / 1_000_000) };
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {percent}% simulated, {elapsed} elapsed, ETA {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar, start: Some(s.start), done: AtomicU64::new(0), total: 0, what: String::new() }
    }

    /// A bar over `n` runs (replications, scenarios, sweep points), each
    /// moving it by its simulated clock as it goes (see `job`).
    pub fn jobs(n: u64, what: &str, quiet: bool) -> Progress {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(n * PER_RUN) };
        if let Ok(style) = ProgressStyle::with_template("[{bar:30}] {percent}%, {msg}, {elapsed} elapsed, ETA {eta}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(format!("0/{n} {what} done"));
        Progress { bar, start: None, done: AtomicU64::new(0), total: n, what: what.to_string() }
    }

    /// One run of a bar over runs, over `span` of simulated time.
    pub fn job(&self, span: SimTime) -> Job<'_> {
        Job { progress: self, span: span.0.max(1), reached: AtomicU64::new(0) }
    }

    /// The run's clock reached `t`.
    pub fn clock_at(&self, t: SimTime) {
        self.bar.set_position(t.0 / 1_000_000);
        if let Some(start) = self.start {
            self.bar.set_message(clock_at(start, t).format("%d %b %H:%M").to_string());
        }
    }

    /// One more run done (what its clock had not yet moved).
    fn run_done(&self, rest: u64) {
        super::interrupt::run_finished();
        self.bar.inc(rest);
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar.set_message(format!("{done}/{} {} done", self.total, self.what));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// One run's share of a bar over runs: its simulated clock, in thousandths
/// of its span. Shared by reference with the run's clock callback, so it
/// counts with atomics.
pub struct Job<'a> {
    progress: &'a Progress,
    span: u64,
    reached: AtomicU64,
}

impl Job<'_> {
    /// The run's clock reached `t`.
    pub fn clock_at(&self, t: SimTime) {
        let now = (u128::from(t.0) * u128::from(PER_RUN) / u128::from(self.span)).min(u128::from(PER_RUN)) as u64;
        let before = self.reached.fetch_max(now, Ordering::Relaxed);
        if now > before {
            self.progress.bar.inc(now - before);
        }
    }

    /// The run ended.
    pub fn finish(self) {
        let reached = self.reached.load(Ordering::Relaxed);
        self.progress.run_done(PER_RUN.saturating_sub(reached));
    }
}
