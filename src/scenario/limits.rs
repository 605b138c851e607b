//! Resource guards: how much a scenario asks of the machine, estimated from
//! its parameters before anything runs, and refused above limits that a
//! laptop handles in well under an hour, unless the user says so
//! (`--allow-large`). A few limits of the model itself hold even then.
//!
//! The estimates are upper bounds, deliberately simple: a planner who meets
//! one should be able to redo the arithmetic from the message.

use super::{bounds, Curve, Scenario, ScenarioError};

/// People (first attempts, all cohorts) a run may bring without
/// `--allow-large`: a guard on time and memory. The model's own limit,
/// which nothing lifts, is `bounds::MAX_PEOPLE`.
pub const SOFT_MAX_PEOPLE: u64 = 100_000_000;
/// Time-series rows per run.
pub const MAX_BINS: u64 = 1_000_000;
/// Events, all runs together (see `EVENTS_PER_SECOND` for the time).
pub const MAX_EVENTS: f64 = 20e9;
/// Memory for the statistics tables, all runs together [bytes].
pub const MAX_TABLE_BYTES: f64 = 4.0 * GB;

const GB: f64 = (1u64 << 30) as f64;

/// Events an attempt makes at most, about: its arrival or retry, a page
/// load's end and its timeout, leaving the queue or an admission timer, a
/// session's end. The July 2021 replay makes 3.2 (65 M events, 20 M attempts).
const EVENTS_PER_ATTEMPT: f64 = 4.0;
/// A release build handles about 8 million events a second on one core
/// (the July 2021 replay: 65 M events in about 7 s, `scripts/bench.sh`);
/// for the time in messages.
const EVENTS_PER_SECOND: f64 = 8e6;
/// Bytes per time-series row, plus 8 per cohort (bookings so far).
const BIN_BYTES: f64 = 400.0;
/// Bytes per cohort: two histograms of 3 significant digits over 1 ms to
/// 2^36 ms (27,649 counters, about 220 KB each).
const COHORT_BYTES: f64 = 460e3;

/// What one run of a scenario needs, estimated from its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Size {
    /// People in all cohorts (saturating: an absurd file cannot overflow it).
    pub people: u64,
    /// Time-series rows.
    pub bins: u64,
    /// Attempts per person at most: 1 + p + p² + ... up to `max_attempts`
    /// terms, p the retry probability (every attempt failing: the worst case).
    pub attempts_per_person: f64,
    /// Events, at most about.
    pub events: f64,
    /// Memory of the statistics tables [bytes].
    pub table_bytes: f64,
}

impl Scenario {
    /// What one run of this scenario needs; see `limits::check`.
    pub fn size(&self) -> Size {
        let people = self.cohorts.iter().fold(0u64, |sum, c| sum.saturating_add(c.people));
        let bins = self.duration.0.div_ceil(self.bin.0.max(1));
        let retry = &self.clients.retry;
        let p = retry.probability.clamp(0.0, 1.0);
        let m = f64::from(retry.max_attempts.max(1));
        let attempts_per_person = if p >= 1.0 { m } else { (1.0 - p.powf(m)) / (1.0 - p) };
        let cohorts = self.cohorts.len() as f64;
        // A trace or piecewise curve keeps two numbers per point.
        let points: usize = self
            .cohorts
            .iter()
            .map(|c| match &c.arrivals {
                Curve::Piecewise { points } | Curve::Trace { points, .. } => points.len(),
                _ => 0,
            })
            .sum();
        Size {
            people,
            bins,
            attempts_per_person,
            events: people as f64 * attempts_per_person * EVENTS_PER_ATTEMPT,
            table_bytes: bins as f64 * (BIN_BYTES + 8.0 * cohorts) + cohorts * COHORT_BYTES + points as f64 * 16.0,
        }
    }
}

/// Refuse a scenario whose `runs` runs (replications) would pass the limits
/// above, with the figures it would need; with `allow_large`, only the
/// model's own limits apply.
pub fn check(s: &Scenario, runs: u64, allow_large: bool) -> Result<Size, ScenarioError> {
    let size = s.size();
    let runs_f = runs.max(1) as f64;
    let per_runs = if runs > 1 { format!(" ({runs} runs)") } else { String::new() };
    let mut hard = Vec::new();
    if size.people > bounds::MAX_PEOPLE {
        hard.push(format!("people: {} in total, above the model's limit of {}", size.people, bounds::MAX_PEOPLE));
    }
    if !hard.is_empty() {
        return Err(ScenarioError::TooLarge { name: s.name.clone(), reasons: hard, can_allow: false });
    }
    if allow_large {
        return Ok(size);
    }
    let mut soft = Vec::new();
    if size.people > SOFT_MAX_PEOPLE {
        soft.push(format!("people: {} in total, above the limit of {SOFT_MAX_PEOPLE}", size.people));
    }
    if size.bins > MAX_BINS {
        soft.push(format!(
            "bins: {} time-series rows ({} / {}), above the limit of {MAX_BINS}; a wider scenario.bin needs fewer",
            size.bins, s.duration, s.bin
        ));
    }
    let events = size.events * runs_f;
    if events > MAX_EVENTS {
        soft.push(format!(
            "events: about {}{per_runs} ({} people x up to {:.1} attempts x {EVENTS_PER_ATTEMPT} events), \
             above the limit of {}; that is about {} of computing at {} million events a second",
            billions(events),
            size.people,
            size.attempts_per_person,
            billions(MAX_EVENTS),
            hours(events / EVENTS_PER_SECOND),
            EVENTS_PER_SECOND / 1e6,
        ));
    }
    let bytes = size.table_bytes * runs_f;
    if bytes > MAX_TABLE_BYTES {
        soft.push(format!(
            "memory: about {:.1} GB{per_runs} for the tables ({} bins x {} cohorts), above the limit of {:.0} GB",
            bytes / GB,
            size.bins,
            s.cohorts.len(),
            MAX_TABLE_BYTES / GB
        ));
    }
    if soft.is_empty() {
        Ok(size)
    } else {
        Err(ScenarioError::TooLarge { name: s.name.clone(), reasons: soft, can_allow: true })
    }
}

/// `2.5e10` -> "25.0 billion"; smaller counts as they are.
fn billions(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.1} billion", n / 1e9)
    } else {
        format!("{:.0} million", n / 1e6)
    }
}

/// Seconds as "40 min" or "3.2 hours".
fn hours(secs: f64) -> String {
    if secs < 5400.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} hours", secs / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn scenario(extra: &[&str]) -> Scenario {
        let text = "[scenario]\nname = \"t\"\nduration = \"1h\"\n[[cohort]]\nname = \"a\"\npeople = 1000\n[backend]\nmax_sessions = 10\n";
        let sets: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        super::super::load_str(text, Path::new("t.toml"), Path::new("."), &sets).expect("valid")
    }

    #[test]
    fn small_scenarios_pass_and_report_their_size() {
        let size = check(&scenario(&[]), 1, false).expect("small");
        assert_eq!((size.people, size.bins), (1000, 60));
        assert_eq!(size.attempts_per_person, 1.0, "no retries by default");
    }

    #[test]
    fn each_limit_names_its_figure() {
        let too_large = |sets: &[&str], runs: u64| match check(&scenario(sets), runs, false) {
            Err(e @ ScenarioError::TooLarge { can_allow: true, .. }) => e.to_string(),
            other => panic!("expected too large, got {other:?}"),
        };
        assert!(too_large(&["cohort.0.people=150000000"], 1).contains("people: 150000000 in total"));
        let bins = too_large(&["scenario.bin=1ms", "scenario.duration=2h"], 1);
        assert!(bins.contains("bins: 7200000 time-series rows"), "{bins}");
        let retries = ["cohort.0.people=90000000", "clients.retry.probability=1", "clients.retry.max_attempts=100"];
        let events = too_large(&retries, 1);
        assert!(events.contains("events: about 36.0 billion"), "{events}");
        assert!(events.contains("about 75 min of computing at 8 million events a second"), "{events}");
        assert!(events.contains("Pass --allow-large"), "{events}");
        let runs = too_large(&["cohort.0.people=10000000"], 1000);
        assert!(runs.contains("(1000 runs)"), "{runs}");
    }

    #[test]
    fn allow_large_lifts_all_but_the_model_limits() {
        assert!(check(&scenario(&["cohort.0.people=150000000"]), 1, true).is_ok());
        let absurd = scenario(&[]).scaled(1e7);
        match check(&absurd, 1, true) {
            Err(e @ ScenarioError::TooLarge { can_allow: false, .. }) => {
                assert!(
                    e.to_string().contains("model's limit") && e.to_string().contains("Not even with --allow-large")
                )
            }
            other => panic!("expected the hard limit, got {other:?}"),
        }
    }
}
