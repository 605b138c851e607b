//! Progress bars on stderr for long work: a run's simulated clock, or the
//! runs of a set of replications, a comparison, a sweep or a plan. A bar
//! over runs moves while they run, not only as each ends: every run reports
//! its simulated clock (see `batch::Watch`), so a night of hours shows its progress
//! minutes before the first run is done.
//!
//! indicatif hides a bar by itself when stderr is not a terminal; `quiet`
//! hides it too. The model reports its clock only every 65,536 events, so a
//! bar costs nothing measurable.

use crate::batch::{Tick, Watch, PER_RUN};
use crate::engine::SimTime;
use crate::scenario::{units::clock_at, Scenario};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};

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
    /// moving it by its simulated clock as it goes (see `Watch`).
    pub fn jobs(n: u64, what: &str, quiet: bool) -> Progress {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(n * PER_RUN) };
        if let Ok(style) = ProgressStyle::with_template("[{bar:30}] {percent}%, {msg}, {elapsed} elapsed, ETA {eta}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(format!("0/{n} {what} done"));
        Progress { bar, start: None, done: AtomicU64::new(0), total: n, what: what.to_string() }
    }

    /// The run's clock reached `t`.
    pub fn clock_at(&self, t: SimTime) {
        self.bar.set_position(t.0 / 1_000_000);
        if let Some(start) = self.start {
            self.bar.set_message(clock_at(start, t).format("%d %b %H:%M").to_string());
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A bar over runs watches a batch: each run moves it by its clock as it
/// goes (`batch::Tick::Moved`, in thousandths of a run), and each run's end
/// counts it done.
impl Watch for Progress {
    fn tell(&self, tick: Tick) {
        match tick {
            Tick::Moved(by) => self.bar.inc(by),
            Tick::Ended => {
                super::interrupt::run_finished();
                let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
                self.bar.set_message(format!("{done}/{} {} done", self.total, self.what));
            }
        }
    }
}
