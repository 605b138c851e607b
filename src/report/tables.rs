//! The CSV tables: `timeseries.csv` (one row per bin) and `cohorts.csv`
//! (one row per cohort), serialized from row structs so the header and the
//! fields cannot drift apart.

use crate::scenario::{units::clock_at, Scenario};
use crate::stats::{DropCause, Results};
use serde::Serialize;

#[derive(Serialize)]
pub struct TimeseriesRow {
    /// Clock time of the bin start, RFC 3339 with the scenario's offset.
    pub time: String,
    /// Minutes since the scenario start.
    pub minute: f64,
    pub arrivals: u64,
    pub retries: u64,
    pub queue_len: u64,
    /// Time average over the bin.
    pub queue_len_mean: f64,
    pub admitted: u64,
    pub active_sessions: u64,
    pub session_capacity: u64,
    pub booked: u64,
    pub abandoned: u64,
    pub dropped: u64,
    pub drop_queue_full: u64,
    pub drop_backend_full: u64,
    pub drop_backend_error: u64,
    pub ineligible: u64,
    pub drop_rate: Option<f64>,
    pub wait_mean_s: Option<f64>,
    pub wait_p50_s: Option<f64>,
    pub wait_p90_s: Option<f64>,
    pub wait_p99_s: Option<f64>,
}

pub fn timeseries_rows(s: &Scenario, r: &Results) -> Vec<TimeseriesRow> {
    r.bins
        .iter()
        .map(|b| {
            let c = &b.counts;
            let d = |cause: DropCause| c.dropped[cause as usize];
            TimeseriesRow {
                time: clock_at(s.start, b.start).to_rfc3339(),
                minute: b.start.as_secs_f64() / 60.0,
                arrivals: c.arrivals,
                retries: c.retries,
                queue_len: b.queue_len,
                queue_len_mean: b.queue_len_mean,
                admitted: c.admitted,
                active_sessions: b.active,
                session_capacity: b.session_capacity,
                booked: c.booked,
                abandoned: c.abandoned,
                dropped: c.dropped_total(),
                drop_queue_full: d(DropCause::QueueFull),
                drop_backend_full: d(DropCause::BackendFull),
                drop_backend_error: d(DropCause::BackendError),
                ineligible: c.turned_away,
                drop_rate: ratio(c.dropped_total(), c.attempts()),
                wait_mean_s: b.wait_mean,
                wait_p50_s: b.wait[0],
                wait_p90_s: b.wait[1],
                wait_p99_s: b.wait[2],
            }
        })
        .collect()
}

#[derive(Serialize)]
pub struct CohortRow {
    pub cohort: String,
    pub eligible: bool,
    pub people: u64,
    pub attempts: u64,
    pub booked: u64,
    /// booked / people, for eligible cohorts.
    pub booked_share: Option<f64>,
    /// The same at the close of the cohort's last window (end of that bin).
    pub booked_share_at_close: Option<f64>,
    pub abandoned: u64,
    pub dropped: u64,
    pub ineligible: u64,
    pub gave_up: u64,
    pub in_system_at_end: u64,
    pub wait_p50_s: Option<f64>,
    pub wait_p90_s: Option<f64>,
    pub wait_p99_s: Option<f64>,
    pub time_to_book_p50_s: Option<f64>,
    pub time_to_book_p90_s: Option<f64>,
}

pub fn cohort_rows(s: &Scenario, r: &Results) -> Vec<CohortRow> {
    s.cohorts
        .iter()
        .zip(&r.cohorts)
        .enumerate()
        .map(|(i, (sc, cr))| {
            let c = &cr.counts;
            let share = |booked: u64| {
                if sc.eligible {
                    ratio(booked, sc.people)
                } else {
                    None
                }
            };
            let close = sc.windows.last().map_or(s.duration, |w| w.closes);
            let close_bin = ((close.0.saturating_sub(1)) / s.bin.0) as usize;
            let at_close = r
                .bins
                .get(close_bin.min(r.bins.len().saturating_sub(1)))
                .map_or(0, |b| b.booked_so_far[i]);
            CohortRow {
                cohort: sc.name.clone(),
                eligible: sc.eligible,
                people: sc.people,
                attempts: c.attempts(),
                booked: c.booked,
                booked_share: share(c.booked),
                booked_share_at_close: share(at_close),
                abandoned: c.abandoned,
                dropped: c.dropped_total(),
                ineligible: c.turned_away,
                gave_up: c.gave_up,
                in_system_at_end: c.arrivals - c.booked - c.gave_up,
                wait_p50_s: cr.wait.quantile_secs(0.5),
                wait_p90_s: cr.wait.quantile_secs(0.9),
                wait_p99_s: cr.wait.quantile_secs(0.99),
                time_to_book_p50_s: cr.time_to_book.quantile_secs(0.5),
                time_to_book_p90_s: cr.time_to_book.quantile_secs(0.9),
            }
        })
        .collect()
}

pub fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Serialize rows as CSV with a header.
pub fn to_csv<T: Serialize>(rows: &[T]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row)?;
    }
    Ok(w.into_inner()
        .map_err(|e| anyhow::anyhow!("csv buffer: {e}"))?)
}
