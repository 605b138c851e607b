//! The scenario file as written: a serde mirror of the TOML, nothing checked
//! beyond types and key names. `validate` turns it into a `Scenario`.
//!
//! Every table refuses unknown keys, so a typo (`pepole = 5`) is an error
//! with a suggestion rather than a silently ignored line.

use super::dist::{RawCount, RawDist};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawMeta,
    #[serde(default)]
    pub cohort: Vec<RawCohort>,
    #[serde(default)]
    pub clients: RawClients,
    pub front: Option<RawFront>,
    pub waiting_room: Option<RawWaitingRoom>,
    pub identity: Option<RawIdentity>,
    pub backend: Option<RawBackend>,
    pub faults: Option<RawFaults>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: String,
    pub title: Option<String>,
    pub start: Option<String>,
    pub duration: String,
    pub seed: Option<u64>,
    pub bin: Option<String>,
    /// Clock times a planner quotes bookings at (`booked_share_by_<time>`).
    pub milestones: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCohort {
    pub name: String,
    pub people: Option<u64>,
    pub eligible: Option<bool>,
    pub windows: Option<Vec<RawWindow>>,
    pub arrivals: Option<RawArrivals>,
    /// This cohort's own slot inventory.
    pub slots: Option<u64>,
    /// A rotation: the cohort as groups with staggered windows.
    pub split: Option<RawSplit>,
    /// This cohort's behaviour, over `[clients]` key by key.
    pub clients: Option<RawClients>,
    /// Catch-up rounds that bring back people not booked by then.
    pub catch_up: Option<Vec<RawCatchUp>>,
}

/// `catch_up = [{ opens, closes, probability, arrivals }]` (see `validate::catch_up`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatchUp {
    pub opens: String,
    pub closes: String,
    /// Chance that each person not booked and not in the system comes back.
    pub probability: f64,
    /// How the ones who come back spread over the round; default constant.
    pub arrivals: Option<RawArrivals>,
}

/// `split = { groups, every, shift, labels, weights }` (see `validate::split`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSplit {
    pub groups: u64,
    /// How much later each group's windows open than the group before's.
    pub every: String,
    /// "opens" (only openings move; the default) or "window" (whole windows move).
    pub shift: Option<String>,
    /// The groups' names after the cohort's: default 0, 1, 2, ...
    pub labels: Option<Vec<String>>,
    /// Relative sizes of the groups; default equal.
    pub weights: Option<Vec<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWindow {
    pub opens: String,
    pub closes: String,
    pub share: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArrivals {
    pub curve: String,
    /// surge: share of the window's people in the burst
    pub share: Option<f64>,
    /// surge: time constant of the burst's exponential decay
    pub tau: Option<String>,
    /// surge: how long before opening the early birds start coming
    pub early: Option<String>,
    /// surge: share of the window's people who come before opening
    pub early_share: Option<f64>,
    /// piecewise: rate points
    pub points: Option<Vec<RawPoint>>,
    /// trace: CSV file of `time,count`, relative to the scenario file
    pub file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoint {
    pub at: String,
    /// first attempts per minute
    pub rate: f64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClients {
    pub session: Option<RawDist>,
    pub patience: Option<RawDist>,
    /// Time to take up a turn once admitted (for `waiting_room.turn_expiry`).
    pub response: Option<RawDist>,
    pub retry: Option<RawRetry>,
    /// How long a shown wait a person accepts on joining the room.
    pub balk: Option<RawDist>,
    /// Devices a person uses at once: `{ dist = "discrete", values, weights }`.
    pub devices: Option<RawCount>,
    /// How long a person's other devices are refused once one is in.
    pub device_lock: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetry {
    pub probability: Option<f64>,
    pub delay: Option<RawDist>,
    /// Delay before reloading after a front-tier failure.
    pub refresh: Option<RawDist>,
    pub max_attempts: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWaitingRoom {
    pub order: Option<String>,
    pub opens: Option<String>,
    pub max_active: Option<u64>,
    pub admit_per_minute: Option<f64>,
    pub max_queue: Option<u64>,
    pub polls_per_minute: Option<f64>,
    pub turn_expiry: Option<String>,
    pub bounce_probability: Option<f64>,
    pub fail_open: Option<bool>,
    pub connection_loss: Option<Vec<RawRateSpan>>,
    pub bypass: Option<Vec<RawShareSpan>>,
    /// `"hold"` or `"admit"`: whether the room admits while the backend is down.
    pub during_outage: Option<String>,
    /// `"rate"` or `"nominal"`: the wait shown to people who join.
    pub shown_wait: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackend {
    pub max_sessions: Option<u64>,
    pub error_probability: Option<f64>,
    pub schedule: Option<Vec<RawSessionsChange>>,
    pub slots: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFront {
    pub capacity: Option<u64>,
    pub schedule: Option<Vec<RawCapacityChange>>,
    pub service: Option<RawDist>,
    pub poll_service: Option<String>,
    pub timeout: Option<String>,
    pub wasted_work: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdentity {
    /// "before_queue" or "at_booking".
    pub placement: Option<String>,
    pub capacity: Option<u64>,
    pub schedule: Option<Vec<RawCapacityChange>>,
    pub service: Option<RawDist>,
    pub timeout: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapacityChange {
    pub at: String,
    pub capacity: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSessionsChange {
    pub at: String,
    pub max_sessions: u64,
}

/// A hazard over a time span: `{ from, to, per_hour }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRateSpan {
    pub from: String,
    pub to: String,
    pub per_hour: f64,
}

/// A share of people over a time span: `{ from, to, share }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShareSpan {
    pub from: String,
    pub to: String,
    pub share: f64,
}

/// A probability over a time span: `{ from, to, probability }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProbabilitySpan {
    pub from: String,
    pub to: String,
    pub probability: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutage {
    pub tier: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFaults {
    pub outages: Option<Vec<RawOutage>>,
    pub error_windows: Option<Vec<RawProbabilitySpan>>,
    pub clock_bug: Option<Vec<RawProbabilitySpan>>,
}
