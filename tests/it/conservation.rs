//! Conservation: nobody is created or lost. At any horizon, per cohort,
//!   people   = booked + gave up for good + still in the system,
//!   attempts = admitted + abandoned + balked + dropped at the room + still queued,
//!   admitted = booked + turned away + dropped in the backend + in session,
//! and every attempt ended at the system's hands is counted once, as a
//! failure (`dropped`), a refusal by design (`refused`) or the clock bug's.
//! "Still in the system" is counted from the model's own state
//! (queued, in session, waiting to retry), independently of the statistics,
//! and "gave up for good" leaves out those a catch-up round brought back.

use crate::common::*;
use surgesim::model::Outcome;
use surgesim::scenario::{Placement, Scenario};
use surgesim::simulate;
use surgesim::stats::DropCause;

fn busy_scenario(duration: &str, room: bool) -> String {
    // Catch-up rounds that open inside the run (a round opening after its
    // end is refused, as a window is).
    let rounds = [
        (
            "1h40m",
            r#"{ opens = "1h40m", closes = "2h30m", probability = 0.6, arrivals = { curve = "surge", tau = "5m" } }"#,
        ),
        ("3h", r#"{ opens = "3h", closes = "3h30m", probability = 0.5 }"#),
    ];
    let end = surgesim::scenario::units::parse_duration(duration).expect("a duration");
    let inside: Vec<&str> = rounds
        .iter()
        .filter(|(opens, _)| surgesim::scenario::units::parse_duration(opens).expect("a duration") < end)
        .map(|(_, r)| *r)
        .collect();
    let catch_up = if inside.is_empty() { String::new() } else { format!("catch_up = [{}]", inside.join(", ")) };
    let room = if room {
        r#"[waiting_room]
max_active = 150
admit_per_minute = 400
max_queue = 3000
polls_per_minute = 4
bounce_probability = 0.05
turn_expiry = "1m"
fail_open = true
connection_loss = [{ from = "0m", to = "1h", per_hour = 0.5 }]
bypass = [{ from = "20m", to = "30m", share = 0.2 }]
shown_wait = "rate"
"#
    } else {
        ""
    };
    // Balking needs a shown wait, so a room.
    let balk = if room.is_empty() { "" } else { r#"balk = { dist = "exponential", mean = "30m" }"# };
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
{catch_up}

[[cohort]]
name = "ineligible"
people = 30000
eligible = false
arrivals = {{ curve = "surge", share = 0.5, tau = "10m" }}

[clients]
response = {{ dist = "exponential", mean = "20s" }}
session = {{ dist = "lognormal", median = "2m", sigma = 0.6 }}
patience = {{ dist = "exponential", mean = "15m" }}
retry = {{ probability = 0.8, delay = {{ dist = "exponential", mean = "3m" }}, max_attempts = 6 }}
{balk}

{room}
[front]
capacity = 60
schedule = [{{ at = "30m", capacity = 400 }}]
service = {{ dist = "exponential", mean = "500ms" }}
timeout = "8s"

[backend]
max_sessions = 200
error_probability = 0.05
slots = 3000
schedule = [{{ at = "15m", max_sessions = 100 }}, {{ at = "45m", max_sessions = 200 }}]

[faults]
outages = [{{ tier = "backend", from = "35m", to = "40m" }}, {{ tier = "front", from = "46m", to = "50m" }}]
error_windows = [{{ from = "10m", to = "20m", probability = 0.3 }}]
clock_bug = [{{ from = "25m", to = "35m", probability = 0.2 }}]
"#
    )
}

/// The identities of the module doc, per cohort, from the model's own
/// state; with an identity check and several devices per person:
///   devices  = booked + gave up + devices quit + devices left + devices in the system,
/// and the attempts in or turned away at a check before the queue come
/// before admission, those at booking after it.
pub fn identities(s: &Scenario, out: &Outcome, label: &str) {
    let (r, sys) = (&out.results, &out.in_system);
    let placement = s.identity.as_ref().map(|i| i.placement);
    let (before_queue, at_booking) =
        (placement == Some(Placement::BeforeQueue), placement == Some(Placement::AtBooking));
    for (i, c) in r.cohorts.iter().enumerate() {
        let k = &c.counts;
        let d = |cause: DropCause| k.dropped[cause as usize];
        assert_eq!(k.arrivals, k.booked + k.gave_up + sys.total(i), "people, cohort {i} {label}");
        assert_eq!(
            k.arrivals + k.device_arrivals,
            k.booked + k.gave_up + k.devices_quit + k.devices_left + sys.devices(i),
            "devices, cohort {i} {label}"
        );
        let before: u64 = DropCause::ALL.iter().filter(|c| c.before_admission(placement)).map(|&c| d(c)).sum();
        let after: u64 = DropCause::ALL.iter().filter(|c| !c.before_admission(placement)).map(|&c| d(c)).sum();
        let (screened, checking) = (k.turned_away, sys.checking[i]);
        let at_check = if before_queue { checking + screened } else { 0 };
        assert_eq!(
            k.attempts(),
            k.admitted + k.abandoned + k.balked + before + sys.queued[i] + sys.loading[i] + at_check,
            "attempts, cohort {i} {label}"
        );
        let turned_away = if before_queue { 0 } else { k.turned_away };
        let checked = if at_booking { checking } else { 0 };
        assert_eq!(
            k.admitted,
            k.booked + turned_away + after + sys.active[i] + k.devices_left + checked,
            "admitted, cohort {i} {label}"
        );
        assert!(k.booked <= s.cohorts[i].people, "more booked than the cohort's people, cohort {i} {label}");
        // Leaving once the shown wait has passed is one way of abandoning.
        assert!(k.abandoned_overdue <= k.abandoned, "abandoned_overdue above abandoned, cohort {i} {label}");
        // Each attempt the system ended without a booking is a failure
        // (dropped), a refusal by design, or the clock bug's: exactly one.
        assert_eq!(
            k.dropped.iter().sum::<u64>() + k.turned_away,
            k.dropped_total() + k.refused_total() + k.clock_bug,
            "failures and refusals, cohort {i} {label}"
        );
    }
}

fn check(duration: &str, room: bool) {
    let s = from_text(&busy_scenario(duration, room), &repo());
    let out = simulate(&s, 0);
    let r = &out.results;
    identities(&s, &out, &format!("at {duration}"));
    let mut seen_everything = [false; 5];
    let mut seen_causes = [false; DropCause::COUNT];
    for c in &r.cohorts {
        let k = &c.counts;
        let d = |cause: DropCause| k.dropped[cause as usize];
        for cause in DropCause::ALL {
            if room {
                seen_causes[cause as usize] |= d(cause) > 0;
            }
        }
        seen_everything[0] |= k.abandoned > 0 && (k.balked > 0 || !room);
        seen_everything[1] |= k.retries > 0;
        seen_everything[2] |= k.turned_away > 0;
        seen_everything[3] |=
            d(DropCause::BackendError) > 0 && (d(DropCause::QueueFull) > 0 || d(DropCause::BackendFull) > 0);
        seen_everything[4] |= k.returned > 0;
    }
    if duration == "4h" {
        // Without a room nobody queues, so nobody abandons.
        let expected = [room, true, true, true, true];
        assert_eq!(seen_everything, expected, "the scenario exercises every path");
        if room {
            // The identity check's and the lock's causes: their own test.
            let new = [DropCause::IdentityTimeout, DropCause::DeviceLocked];
            let old = DropCause::ALL.iter().filter(|c| !new.contains(c));
            assert!(old.clone().all(|&c| seen_causes[c as usize]), "every drop cause occurs: {seen_causes:?}");
        }
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

/// The busy night with an identity check (before the queue, or at
/// booking) too small for the crowd, and people on up to three devices
/// with a lock: every new path is taken and nobody is created or lost.
#[test]
fn conservation_with_an_identity_check_and_several_devices() {
    for placement in ["before_queue", "at_booking"] {
        for d in ["52m", "1h10m", "4h"] {
            let text = busy_scenario(d, true)
                .replace(
                    "[backend]",
                    &format!("[identity]\nplacement = \"{placement}\"\ncapacity = 40\nschedule = [{{ at = \"40m\", capacity = 400 }}]\ntimeout = \"10s\"\n\n[backend]"),
                )
                .replace(
                    "[clients]",
                    "[clients]\ndevices = { dist = \"discrete\", values = [1, 2, 3], weights = [0.5, 0.3, 0.2] }\ndevice_lock = \"5m\"",
                )
                .replace("\"front\", from = \"46m\"", "\"identity\", from = \"46m\"");
            let s = from_text(&text, &repo());
            let out = simulate(&s, 0);
            identities(&s, &out, &format!("{placement} at {d}"));
            if d == "4h" {
                let t = out.results.totals();
                for cause in [DropCause::IdentityTimeout, DropCause::DeviceLocked] {
                    assert!(t.dropped[cause as usize] > 0, "{placement}: no {cause:?}");
                }
                assert!(t.device_arrivals > 0 && t.devices_left > 0 && t.devices_quit > 0, "{placement}: {t:?}");
                assert!(t.booked <= t.arrivals);
            }
        }
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

// ---- events ------------------------------------------------------------------

/// `events` counts what its doc says, checked against counts of its own:
/// in an M/M/c run (no patience, no retries, no scheduled change) one event
/// per first attempt and one per session ended before the horizon, each a
/// booking; so exactly arrivals + booked.
#[test]
fn events_of_an_mmc_run_are_arrivals_and_session_ends() {
    let text = surgesim::scenario::template::Preset::Textbook.text().replace("duration = \"10h\"", "duration = \"2h\"");
    let s = from_text(&text, &repo());
    let r = simulate(&s, 0).results;
    let t = r.totals();
    assert!(t.arrivals > 5000 && t.retries == 0, "{t:?}");
    assert_eq!(r.events, t.arrivals + t.booked);
}

/// A bounce back to the line is a new attempt made at once, not through the
/// event list; it is an event all the same. With every admission bouncing,
/// each person makes `max_attempts` attempts and nothing else happens, so
/// events = attempts. (They were counted as arrivals only: `events: 1000`
/// for 65,535,000 attempts.)
#[test]
fn every_attempt_is_an_event_even_a_bounce() {
    let text = r#"
[scenario]
name = "bounce"
duration = "1h"
[[cohort]]
name = "all"
people = 1000
[clients]
retry = { max_attempts = 50 }
[waiting_room]
bounce_probability = 1.0
[backend]
max_sessions = 10
"#;
    let r = simulate(&from_text(text, &repo()), 0).results;
    let t = r.totals();
    assert_eq!(t.attempts(), t.arrivals * 50, "{t:?}");
    assert_eq!(r.events, t.attempts());
    // And on a busy night with every mechanism: never fewer events than attempts.
    let busy = simulate(&from_text(&busy_scenario("2h", true), &repo()), 0).results;
    assert!(busy.events >= busy.totals().attempts(), "{} events, {:?}", busy.events, busy.totals());
}
