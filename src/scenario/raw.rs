//! The scenario file as written: a serde mirror of the TOML, nothing checked
//! beyond types and key names. `validate` turns it into a `Scenario`.
//!
//! Every table refuses unknown keys, so a typo (`pepole = 5`) is an error
//! with a suggestion rather than a silently ignored line.

use super::dist::RawDist;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawMeta,
    #[serde(default)]
    pub cohort: Vec<RawCohort>,
    #[serde(default)]
    pub clients: RawClients,
    pub waiting_room: Option<RawWaitingRoom>,
    pub backend: Option<RawBackend>,
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCohort {
    pub name: String,
    pub people: Option<u64>,
    pub eligible: Option<bool>,
    pub windows: Option<Vec<RawWindow>>,
    pub arrivals: Option<RawArrivals>,
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
    pub retry: Option<RawRetry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetry {
    pub probability: Option<f64>,
    pub delay: Option<RawDist>,
    pub max_attempts: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWaitingRoom {
    pub max_active: Option<u64>,
    pub admit_per_minute: Option<f64>,
    pub max_queue: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackend {
    pub max_sessions: Option<u64>,
    pub error_probability: Option<f64>,
}
