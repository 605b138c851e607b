//! Progress bars on stderr for long work: a run's simulated clock, or the
//! jobs of a set of replications, a comparison or a sweep.
//!
//! indicatif hides a bar by itself when stderr is not a terminal; `quiet`
//! hides it too. The model reports its clock only every 65,536 events, so a
//! bar costs nothing measurable.

use crate::engine::SimTime;
use crate::scenario::{units::clock_at, Scenario};
use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: ProgressBar,
    start: Option<chrono::DateTime<chrono::FixedOffset>>,
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
        Progress { bar, start: Some(s.start) }
    }

    /// A bar over `n` jobs (replications, scenarios, sweep points).
    pub fn jobs(n: u64, what: &str, quiet: bool) -> Progress {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(n) };
        if let Ok(style) = ProgressStyle::with_template(&format!("{{bar:30}} {{pos}}/{{len}} {what}, ETA {{eta}}")) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar, start: None }
    }

    /// The run's clock reached `t`.
    pub fn clock_at(&self, t: SimTime) {
        self.bar.set_position(t.0 / 1_000_000);
        if let Some(start) = self.start {
            self.bar.set_message(clock_at(start, t).format("%d %b %H:%M").to_string());
        }
    }

    /// One more job done.
    pub fn inc(&self) {
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
