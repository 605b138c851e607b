//! From the raw mirror to a checked `Scenario`: defaults filled in, units
//! resolved, every problem collected before returning.
//!
//! One section a part of the file, each in its own module, run in the
//! order below on one `Check` (the run's clock, the scenario's folder, the
//! problems so far); the rules many fields share are `Check`'s methods.
//! A section notes every problem it finds and goes on with a stand-in
//! value where it can, so that one run of the checks lists them all. The
//! order matters only where a section needs another's result: the
//! waiting room is checked against the backend and the cohorts.
//!
//! Defaults (documented in docs/scenario.md):
//! title = name; start = 2021-01-01T00:00:00+00:00; seed = 1; bin = 1m;
//! cohort: eligible = true, one window over the whole run, constant arrivals,
//! no clients of its own ([clients]'s), no catch-up rounds; catch-up
//! arrivals constant;
//! surge: share 0.5, tau 10m, early 0s, early_share 0;
//! session = exponential 5m; patience = none (infinite);
//! retry: probability 0, delay exponential 1m, max_attempts 10;
//! waiting_room: max_active = backend.max_sessions, no admission rate limit,
//! max_queue 0 (unbounded), order fifo, opens at the earliest window
//! opening, no polling, no turn expiry, bounce 0, fail_open false, no
//! connection loss, no bypass, during_outage hold, no shown wait;
//! backend.error_probability 0, no schedule, no slot limit;
//! clients.response none, balk none, retry.refresh exponential 30s;
//! front (optional): service exponential 200ms, poll_service 20ms, timeout 30s, wasted_work
//! true, no schedule; identity (optional): placement before_queue, service
//! exponential 2s, timeout 30s, no schedule; clients.devices constant 1,
//! clients.device_lock none; faults: none.

mod catch_up;
mod check;
mod clients;
mod clock;
mod cohorts;
mod controller;
mod curves;
mod faults;
mod observed;
mod split;
mod tiers;
mod waiting_room;

use super::raw::RawScenario;
use super::{Origin, Problems, Scenario, DEFAULT_ARRIVAL_BIN_MIN_PEOPLE};
use check::Check;
use std::path::Path;

/// Check `raw`; `base_dir` is where relative trace paths are looked up.
pub fn validate(raw: &RawScenario, base_dir: &Path) -> Result<Scenario, Problems> {
    let meta = &raw.scenario;
    // The clock is read first, on the default one: every other section
    // reads its moments against it.
    let mut c = Check::new(clock::default_start(), clock::FALLBACK_DURATION, base_dir);
    let clock = clock::check(meta, &mut c);
    (c.start, c.duration) = (clock.start, clock.duration);

    let clients = clients::check(&raw.clients, &mut c);
    let base = clients::Base { written: &raw.clients, checked: clients.as_ref() };
    let cohorts = cohorts::check(&raw.cohort, base, &mut c);
    let backend = tiers::backend(raw.backend.as_ref(), &mut c);
    let waiting_room = raw.waiting_room.as_ref().map(|w| waiting_room::check(w, &cohorts, backend.as_ref(), &mut c));
    if let Some(w) = &waiting_room {
        let responds = raw.cohort.iter().any(|k| k.clients.as_ref().is_some_and(|k| k.response.is_some()));
        waiting_room::needs(w, &raw.clients, responds, raw.front.as_ref(), &mut c);
    }
    waiting_room::balk_needs_a_shown_wait(raw.waiting_room.as_ref(), &raw.clients, "clients", &mut c);
    for (i, k) in raw.cohort.iter().enumerate() {
        if let Some(own) = &k.clients {
            waiting_room::balk_needs_a_shown_wait(
                raw.waiting_room.as_ref(),
                own,
                &format!("cohort[{i}].clients"),
                &mut c,
            );
        }
    }
    let front = raw.front.as_ref().map(|f| tiers::front(f, &mut c));
    let controller = raw.waiting_room.as_ref().and_then(|w| w.controller.as_ref());
    controller::needs_a_front(controller, front.is_some(), &mut c);
    let capped = backend.as_ref().is_some_and(|b| b.bookings_per_hour.is_some() || !b.bookings_schedule.is_empty());
    controller::sees_the_cap(controller, capped, &mut c);
    let identity = raw.identity.as_ref().map(|i| tiers::identity(i, &mut c));
    let has = faults::Tiers { front: front.is_some(), identity: identity.is_some() };
    let faults = faults::check(raw.faults.as_ref(), has, &mut c);
    let milestones = clock::milestones(meta.milestones.as_deref(), &cohorts, &mut c);
    let shows_a_wait = waiting_room.as_ref().is_some_and(|w| w.shown_wait.is_some());
    let (observed, observed_at) = observed::check(&raw.observed, &cohorts, shows_a_wait, &mut c);
    let mut instants = milestones.clone();
    instants.extend(observed_at);
    instants.sort();
    instants.dedup();

    match (c.problems.is_empty(), clock.bin, clock.arrival_bin, clients, backend) {
        (true, Some(bin), Some(arrival_bin), Some(clients), Some(backend)) => Ok(Scenario {
            name: meta.name.clone(),
            title: meta.title.clone().unwrap_or_else(|| meta.name.clone()),
            start: clock.start,
            duration: clock.duration,
            seed: meta.seed.unwrap_or(1),
            bin,
            arrival_bin,
            arrival_bin_min_people: meta.arrival_bin_min_people.unwrap_or(DEFAULT_ARRIVAL_BIN_MIN_PEOPLE),
            cohorts,
            clients,
            front,
            waiting_room,
            identity,
            backend,
            faults,
            instants,
            milestones,
            observed,
            origin: Origin::default(),
        }),
        _ => Err(c.problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;

    const GOOD: &str = r#"
[scenario]
name = "t"
start = "2021-07-19T20:00:00+09:00"
duration = "2h"

[[cohort]]
name = "all"
people = 100
windows = [{ opens = "2021-07-19T20:30:00+09:00", closes = "1h" }]

[waiting_room]

[backend]
max_sessions = 10
"#;

    /// The scenario `text` describes, checked.
    fn validated(text: &str) -> Result<Scenario, Problems> {
        validate(&toml::from_str(text).expect("valid TOML"), Path::new("."))
    }

    /// The field paths of the problems `text` has, in the order found.
    fn paths(text: &str) -> Vec<String> {
        validated(text).expect_err("invalid").0.into_iter().map(|p| p.path).collect()
    }

    #[test]
    fn a_good_scenario_is_read_against_its_own_clock() {
        let s = validated(GOOD).expect("valid");
        assert_eq!((s.title.as_str(), s.seed, s.bin), ("t", 1, SimTime::from_secs(60)));
        assert_eq!(s.cohorts[0].windows[0].opens, SimTime::from_secs(1800), "20:30 is 30 minutes in");
        let room = s.waiting_room.expect("a room");
        assert_eq!(
            (room.opens, room.max_active),
            (SimTime::from_secs(1800), 10),
            "with the first window, the backend's"
        );
    }

    #[test]
    fn every_section_reports_in_one_pass() {
        let bad = GOOD
            .replace("duration = \"2h\"", "duration = \"0s\"")
            .replace("people = 100", "people = 100\neligible = true\narrivals = { curve = \"surg\" }")
            .replace("[waiting_room]", "[waiting_room]\norder = \"lifo\"\n[front]\ncapacity = 0\n[faults]\nclock_bug = [{ from = \"0m\", to = \"1m\", probability = 2.0 }]")
            .replace("max_sessions = 10", "max_sessions = 0");
        let expected = [
            "scenario.duration",
            "cohort[0].arrivals.curve",
            "backend.max_sessions",
            "waiting_room.order",
            "front.capacity",
            "faults.clock_bug[0].probability",
        ];
        assert_eq!(paths(&bad), expected);
    }

    #[test]
    fn with_a_wrong_duration_the_rest_is_checked_against_an_hour() {
        let bad =
            GOOD.replace("duration = \"2h\"", "duration = \"2 hours\"").replace("closes = \"1h\"", "closes = \"90m\"");
        assert_eq!(paths(&bad), ["scenario.duration"]);
        let late = bad.replace("[waiting_room]", "[waiting_room]\nopens = \"61m\"");
        assert_eq!(paths(&late), ["scenario.duration", "waiting_room.opens"]);
    }

    /// A share out of range is one problem, not also a sum that is off
    /// (windows) or leaves no room (a surge): one problem per cause.
    #[test]
    fn a_share_out_of_range_is_not_also_a_wrong_sum() {
        let window = GOOD.replace("closes = \"1h\" }", "closes = \"1h\", share = 1.5 }");
        assert_eq!(paths(&window), ["cohort[0].windows[0].share"]);
        let surge = GOOD.replace("people = 100", "people = 100\narrivals = { curve = \"surge\", share = 1.5 }");
        assert_eq!(paths(&surge), ["cohort[0].arrivals.share"]);
    }
}
