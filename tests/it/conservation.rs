//! Conservation: nobody is created or lost. At any horizon, per cohort,
//!   people   = booked + gave up for good + still in the system,
//!   attempts = admitted + abandoned + dropped at the room + still queued,
//!   admitted = booked + turned away + dropped in the backend + in session,
//! where "still in the system" is counted from the model's own state
//! (queued, in session, waiting to retry), independently of the statistics.

use crate::common::*;
use surgesim::simulate;
use surgesim::stats::DropCause;

fn busy_scenario(duration: &str, room: bool) -> String {
    let room = if room { "[waiting_room]\nmax_active = 150\nadmit_per_minute = 400\nmax_queue = 3000\n" } else { "" };
    format!(
        r#"
[scenario]
name = "busy"
duration = "{duration}"
bin = "5m"
seed = 11

[[cohort]]
name = "eligible"
people = 20000
windows = [{{ opens = "10m", closes = "40m" }}, {{ opens = "50m", closes = "1h30m" }}]
arrivals = {{ curve = "surge", share = 0.7, tau = "5m", early = "10m", early_share = 0.1 }}

[[cohort]]
name = "ineligible"
people = 30000
eligible = false
arrivals = {{ curve = "surge", share = 0.5, tau = "10m" }}

[clients]
session = {{ dist = "lognormal", median = "2m", sigma = 0.6 }}
patience = {{ dist = "exponential", mean = "15m" }}
retry = {{ probability = 0.8, delay = {{ dist = "exponential", mean = "3m" }}, max_attempts = 6 }}

{room}
[backend]
max_sessions = 200
error_probability = 0.05
"#
    )
}

fn check(duration: &str, room: bool) {
    let s = from_text(&busy_scenario(duration, room), &repo());
    let out = simulate(&s, 0);
    let (r, sys) = (&out.results, &out.in_system);
    let mut seen_everything = [false; 4];
    for (i, c) in r.cohorts.iter().enumerate() {
        let k = &c.counts;
        let d = |cause: DropCause| k.dropped[cause as usize];
        assert_eq!(k.arrivals, k.booked + k.gave_up + sys.total(i), "people, cohort {i} at {duration}");
        assert_eq!(
            k.attempts(),
            k.admitted + k.abandoned + d(DropCause::QueueFull) + sys.queued[i],
            "attempts, cohort {i} at {duration}"
        );
        assert_eq!(
            k.admitted,
            k.booked + k.turned_away + d(DropCause::BackendFull) + d(DropCause::BackendError) + sys.active[i],
            "admitted, cohort {i} at {duration}"
        );
        seen_everything[0] |= k.abandoned > 0;
        seen_everything[1] |= k.retries > 0;
        seen_everything[2] |= k.turned_away > 0;
        seen_everything[3] |=
            d(DropCause::BackendError) > 0 && (d(DropCause::QueueFull) > 0 || d(DropCause::BackendFull) > 0);
    }
    if duration == "4h" {
        // Without a room nobody queues, so nobody abandons.
        let expected = [room, true, true, true];
        assert_eq!(seen_everything, expected, "the scenario exercises every path");
    }
}

#[test]
fn conservation_with_a_waiting_room_at_every_horizon() {
    for d in ["52m", "1h10m", "2h", "4h"] {
        check(d, true);
    }
}

#[test]
fn conservation_without_a_waiting_room_at_every_horizon() {
    for d in ["52m", "1h10m", "2h", "4h"] {
        check(d, false);
    }
}

#[test]
fn ineligible_people_are_turned_away_and_never_book() {
    let s = from_text(&busy_scenario("4h", true), &repo());
    let r = simulate(&s, 0).results;
    let inel = &r.cohorts[1].counts;
    assert_eq!(inel.booked, 0);
    assert!(inel.turned_away > 0);
    assert_eq!(inel.arrivals, 30_000);
}
