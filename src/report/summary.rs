//! `summary.json`: the headline figures of a run, the resolved scenario and
//! what is needed to reproduce it (seed, program version).

use super::tables::ratio;
use crate::scenario::Scenario;
use crate::stats::{DropCause, Results, QUANTILES};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct Summary<'a> {
    pub scenario: &'a str,
    pub title: &'a str,
    pub seed: u64,
    pub version: &'static str,
    pub people: u64,
    pub attempts: u64,
    pub admitted: u64,
    pub booked: u64,
    /// booked / eligible people
    pub booked_share: Option<f64>,
    pub abandoned: u64,
    pub dropped: u64,
    pub drops_by_cause: BTreeMap<&'static str, u64>,
    pub ineligible: u64,
    pub gave_up: u64,
    pub in_system_at_end: u64,
    /// dropped attempts / attempts
    pub drop_rate: Option<f64>,
    /// abandoned attempts / attempts
    pub abandon_rate: Option<f64>,
    /// share of admitted attempts that waited at all
    pub p_wait: Option<f64>,
    pub wait_mean_s: Option<f64>,
    pub wait_p50_s: Option<f64>,
    pub wait_p90_s: Option<f64>,
    pub wait_p99_s: Option<f64>,
    pub time_to_book_p50_s: Option<f64>,
    pub time_to_book_p90_s: Option<f64>,
    /// time averages over the run
    pub queue_len_mean: f64,
    pub active_sessions_mean: f64,
    /// events the run handled (see `stats::Results::events`): at least one
    /// per attempt
    pub events: u64,
    /// The scenario as run, defaults filled in.
    pub resolved: &'a Scenario,
}

pub fn summary<'a>(s: &'a Scenario, r: &Results) -> Summary<'a> {
    let t = r.totals();
    let eligible: u64 = s.cohorts.iter().filter(|c| c.eligible).map(|c| c.people).sum();
    let booked_eligible: u64 =
        s.cohorts.iter().zip(&r.cohorts).filter(|(c, _)| c.eligible).map(|(_, cr)| cr.counts.booked).sum();
    let [p50, p90, p99] = QUANTILES.map(|q| r.wait.quantile_secs(q));
    Summary {
        scenario: &s.name,
        title: &s.title,
        seed: s.seed,
        version: env!("CARGO_PKG_VERSION"),
        people: t.arrivals,
        attempts: t.attempts(),
        admitted: t.admitted,
        booked: t.booked,
        booked_share: ratio(booked_eligible, eligible),
        abandoned: t.abandoned,
        dropped: t.dropped_total(),
        drops_by_cause: DropCause::ALL.iter().map(|&c| (c.name(), t.dropped[c as usize])).collect(),
        ineligible: t.turned_away,
        gave_up: t.gave_up,
        in_system_at_end: t.arrivals - t.booked - t.gave_up,
        drop_rate: ratio(t.dropped_total(), t.attempts()),
        abandon_rate: ratio(t.abandoned, t.attempts()),
        p_wait: r.wait.share_positive(),
        wait_mean_s: r.wait.mean_secs(),
        wait_p50_s: p50,
        wait_p90_s: p90,
        wait_p99_s: p99,
        time_to_book_p50_s: r.time_to_book.quantile_secs(0.5),
        time_to_book_p90_s: r.time_to_book.quantile_secs(0.9),
        queue_len_mean: r.queue_len_mean,
        active_sessions_mean: r.active_mean,
        events: r.events,
        resolved: s,
    }
}

impl Summary<'_> {
    /// The headline figures as one flat row (for `compare.csv`): every
    /// field but the resolved scenario, `drops_by_cause` spread into
    /// `drop_<cause>` columns.
    pub fn flat_row(&self) -> serde_json::Result<serde_json::Map<String, serde_json::Value>> {
        let serde_json::Value::Object(mut m) = serde_json::to_value(self)? else { unreachable!("a struct") };
        m.remove("resolved");
        if let Some(serde_json::Value::Object(by_cause)) = m.remove("drops_by_cause") {
            for (cause, n) in by_cause {
                m.insert(format!("drop_{cause}"), n);
            }
        }
        Ok(m)
    }
}
