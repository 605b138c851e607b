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
    /// Page loads sent to the front tier.
    pub front_requests: u64,
    /// Front-tier request slots at the bin's end (0 while down).
    pub front_capacity: u64,
    /// Slots busy with page loads (time average; wasted work included).
    pub front_busy: f64,
    /// Slots taken by waiting people's status polls, at the bin's end.
    pub front_polls: u64,
    /// Page loads that timed out (= drop_front_timeout).
    pub front_failed: u64,
    pub queue_len: u64,
    /// Time average over the bin.
    pub queue_len_mean: f64,
    pub admitted: u64,
    /// Attempts that skipped the waiting room (back door, fail-open).
    pub bypassed: u64,
    pub active_sessions: u64,
    pub session_capacity: u64,
    pub booked: u64,
    pub abandoned: u64,
    pub dropped: u64,
    pub drop_front_timeout: u64,
    pub drop_queue_full: u64,
    pub drop_queue_lost: u64,
    pub drop_turn_expired: u64,
    pub drop_bounce_back: u64,
    pub drop_backend_full: u64,
    pub drop_backend_error: u64,
    pub drop_backend_outage: u64,
    pub drop_no_slots: u64,
    pub ineligible: u64,
    /// Eligible attempts refused by the clock bug (also in `ineligible`).
    pub clock_bug: u64,
    pub drop_rate: Option<f64>,
    pub abandon_rate: Option<f64>,
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
                front_requests: c.front_requests,
                front_capacity: b.end.front_capacity,
                front_busy: b.front_busy_mean,
                front_polls: b.end.front_polls,
                front_failed: d(DropCause::FrontTimeout),
                queue_len: b.end.queue_len,
                queue_len_mean: b.queue_len_mean,
                admitted: c.admitted,
                bypassed: c.bypassed,
                active_sessions: b.end.active,
                session_capacity: b.end.session_capacity,
                booked: c.booked,
                abandoned: c.abandoned,
                dropped: c.dropped_total(),
                drop_front_timeout: d(DropCause::FrontTimeout),
                drop_queue_full: d(DropCause::QueueFull),
                drop_queue_lost: d(DropCause::QueueLost),
                drop_turn_expired: d(DropCause::TurnExpired),
                drop_bounce_back: d(DropCause::BounceBack),
                drop_backend_full: d(DropCause::BackendFull),
                drop_backend_error: d(DropCause::BackendError),
                drop_backend_outage: d(DropCause::BackendOutage),
                drop_no_slots: d(DropCause::NoSlots),
                ineligible: c.turned_away,
                clock_bug: c.clock_bug,
                drop_rate: ratio(c.dropped_total(), c.attempts()),
                abandon_rate: ratio(c.abandoned, c.attempts()),
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
            let at_close = r.bins.get(close_bin.min(r.bins.len().saturating_sub(1))).map_or(0, |b| b.booked_so_far[i]);
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
    Ok(w.into_inner().map_err(|e| anyhow::anyhow!("csv buffer: {e}"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row struct names its drop columns by hand; every cause must have one.
    #[test]
    fn every_drop_cause_has_a_timeseries_column() {
        let mut w = csv::Writer::from_writer(Vec::new());
        let row = TimeseriesRow {
            time: String::new(),
            minute: 0.0,
            arrivals: 0,
            retries: 0,
            front_requests: 0,
            front_capacity: 0,
            front_busy: 0.0,
            front_polls: 0,
            front_failed: 0,
            queue_len: 0,
            queue_len_mean: 0.0,
            admitted: 0,
            bypassed: 0,
            active_sessions: 0,
            session_capacity: 0,
            booked: 0,
            abandoned: 0,
            dropped: 0,
            drop_front_timeout: 0,
            drop_queue_full: 0,
            drop_queue_lost: 0,
            drop_turn_expired: 0,
            drop_bounce_back: 0,
            drop_backend_full: 0,
            drop_backend_error: 0,
            drop_backend_outage: 0,
            drop_no_slots: 0,
            ineligible: 0,
            clock_bug: 0,
            drop_rate: None,
            abandon_rate: None,
            wait_mean_s: None,
            wait_p50_s: None,
            wait_p90_s: None,
            wait_p99_s: None,
        };
        w.serialize(row).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        for cause in DropCause::ALL {
            assert!(header.contains(&format!("drop_{}", cause.name()).as_str()), "no column for {}", cause.name());
        }
        let drops = header.iter().filter(|h| h.starts_with("drop_") && **h != "drop_rate").count();
        assert_eq!(drops, DropCause::COUNT);
    }
}
