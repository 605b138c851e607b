//! Scenarios: the file a planner writes, parsed, overridden, checked and
//! turned into a `Scenario` whose every value is valid and in model units.
//!
//! `load` reads the TOML (keeping spans so errors point at lines), applies
//! `--set` overrides, deserializes the raw mirror (`raw`), then `validate`
//! checks everything at once. Code after this module never re-checks.

mod dist;
mod load;
mod raw;
pub mod units;
mod validate;

pub use dist::Dist;
pub use load::{load, load_str, Diagnostic, ScenarioError};

use crate::engine::SimTime;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use std::fmt;

/// A checked scenario, ready to build a model from.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// Short name; also the default output folder name.
    pub name: String,
    pub title: String,
    /// Clock time of simulated time zero.
    pub start: DateTime<FixedOffset>,
    /// Length of the run; people still in the system then are reported so.
    pub duration: SimTime,
    pub seed: u64,
    /// Width of a time-series row.
    pub bin: SimTime,
    pub cohorts: Vec<Cohort>,
    pub clients: Clients,
    /// `None`: no waiting room, every attempt goes straight to the backend.
    pub waiting_room: Option<WaitingRoom>,
    pub backend: Backend,
}

impl Scenario {
    /// Number of time-series rows.
    pub fn bins(&self) -> usize {
        self.duration.0.div_ceil(self.bin.0) as usize
    }
}

/// A group of people who share eligibility, windows and an arrival curve.
#[derive(Clone, Debug, Serialize)]
pub struct Cohort {
    pub name: String,
    /// People who come at least once (first attempts).
    pub people: u64,
    /// Ineligible people load the site and are turned away at the check.
    pub eligible: bool,
    /// Booking windows, in time order and not overlapping.
    pub windows: Vec<Window>,
    pub arrivals: Curve,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Window {
    pub opens: SimTime,
    pub closes: SimTime,
    /// Share of the cohort's people whose first attempt falls in this window
    /// (for `constant` and `surge` curves; shares sum to 1).
    pub share: f64,
}

/// When first attempts come.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "curve", rename_all = "lowercase")]
pub enum Curve {
    /// A Poisson process, uniform over each window.
    Constant,
    /// `share` of each window's people in a burst decaying with time constant
    /// `tau` after opening, `early_share` uniformly over `early` before
    /// opening (held until it opens), the rest uniform over the window.
    Surge {
        share: f64,
        tau: SimTime,
        early: SimTime,
        early_share: f64,
    },
    /// First attempts per minute at given times, linearly interpolated and
    /// scaled so that they add up to `people`.
    Piecewise { points: Vec<RatePoint> },
    /// An empirical trace: `count` first attempts over each row's interval,
    /// replayed as a non-homogeneous Poisson process.
    Trace {
        file: String,
        #[serde(skip)]
        points: Vec<RatePoint>,
    },
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct RatePoint {
    pub at: SimTime,
    /// first attempts per minute
    pub rate: f64,
}

/// How people behave.
#[derive(Clone, Debug, Serialize)]
pub struct Clients {
    /// Time a booking session holds the backend.
    pub session: Dist,
    /// How long a person waits in the queue before giving up; `None` = forever.
    pub patience: Option<Dist>,
    pub retry: Retry,
}

/// What a person does after giving up or being failed by the system.
#[derive(Clone, Debug, Serialize)]
pub struct Retry {
    /// Chance of trying again after each failed attempt.
    pub probability: f64,
    pub delay: Dist,
    /// Attempts per person at most, the first included.
    pub max_attempts: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct WaitingRoom {
    /// Admit only while fewer sessions than this are active.
    pub max_active: u64,
    /// At most this many admissions per minute (evenly spaced); `None` = no limit.
    pub admit_per_minute: Option<f64>,
    /// Attempts that find this many queued are dropped (`queue_full`); 0 = no limit.
    pub max_queue: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Backend {
    /// Concurrent booking sessions (not an hourly throughput).
    pub max_sessions: u64,
    /// Chance that a session ends in an error instead of a booking.
    pub error_probability: f64,
}

/// Problems found while checking a scenario, each tied to a field path.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted field path, `cohort[0].people`.
    pub path: String,
    /// What was found and what was expected.
    pub message: String,
}

impl Problems {
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "{}: {}", p.path, p.message)?;
        }
        Ok(())
    }
}
