//! The identity check (issue 15): before the queue it turns away the
//! people who cannot book now before they take a place in the line; at
//! booking it leaves the July night as it was; too small, it fails checks
//! (`identity_timeout`).

use crate::common::*;
use surgesim::simulate;
use surgesim::stats::DropCause;

/// Eligible people and four times as many ineligible visitors, a window
/// that opens 10 minutes in (early comers are outside it), a clock bug,
/// and a room admitting into 100 sessions. `identity` is the [identity]
/// table's body, or nothing.
fn night(identity: &str) -> String {
    let identity = if identity.is_empty() { String::new() } else { format!("[identity]\n{identity}\n") };
    format!(
        r#"
[scenario]
name = "night"
duration = "3h"
seed = 5
[[cohort]]
name = "eligible"
people = 5000
windows = [{{ opens = "10m", closes = "2h" }}]
arrivals = {{ curve = "surge", share = 0.6, tau = "10m", early = "10m", early_share = 0.1 }}
[[cohort]]
name = "visitors"
people = 20000
eligible = false
windows = [{{ opens = "0m", closes = "2h" }}]
arrivals = {{ curve = "surge", share = 0.6, tau = "10m" }}
[clients]
session = {{ dist = "exponential", mean = "2m" }}
retry = {{ probability = 0.8, delay = {{ dist = "exponential", mean = "5m" }}, max_attempts = 5 }}
[waiting_room]
opens = "0m"
max_active = 100
[backend]
max_sessions = 100
[faults]
clock_bug = [{{ from = "30m", to = "1h", probability = 0.3 }}]
{identity}"#
    )
}

#[test]
fn before_the_queue_no_ineligible_visitor_ever_holds_a_place() {
    let s = from_text(&night("placement = \"before_queue\"\ncapacity = 5000"), &repo());
    let out = simulate(&s, 0);
    let (r, sys) = (&out.results, &out.in_system);
    // From the model's own state: the most visitors ever in the line at once.
    assert_eq!(sys.peak_queued[1], 0, "an ineligible visitor held a queue place");
    let visitors = &r.cohorts[1].counts;
    assert_eq!(visitors.turned_away, visitors.attempts(), "every visitor's attempt is turned away at the check");
    assert_eq!(visitors.admitted, 0);
    let eligible = &r.cohorts[0].counts;
    assert!(eligible.clock_bug > 0, "the clock bug's victims are turned away at the check too");
    assert!(eligible.booked > 0 && sys.peak_queued[0] > 0);
    assert_eq!(r.totals().identity_checks, r.totals().attempts() - r.totals().dropped[DropCause::BounceBack as usize]);
    crate::conservation::identities(&s, &out, "before the queue");
    // The same night at booking, and without a check: visitors queue.
    for other in ["placement = \"at_booking\"\ncapacity = 5000", ""] {
        let out = simulate(&from_text(&night(other), &repo()), 0);
        assert!(out.in_system.peak_queued[1] > 1000, "{other:?}: visitors queue after all");
    }
}

#[test]
fn at_booking_the_july_night_is_unchanged() {
    // A check that never waits and takes a millisecond: the night without
    // a check, to within the millisecond's reshuffling of who is first.
    let none = simulate(&from_text(&night(""), &repo()), 0);
    let s = from_text(
        &night("placement = \"at_booking\"\ncapacity = 1000\nservice = { dist = \"constant\", value = \"1ms\" }"),
        &repo(),
    );
    let checked = simulate(&s, 0);
    crate::conservation::identities(&s, &checked, "at booking");
    let (a, b) = (none.results.totals(), checked.results.totals());
    assert_eq!((a.arrivals, b.dropped[DropCause::IdentityTimeout as usize]), (b.arrivals, 0));
    // The eligibility check still comes after the queue: visitors are
    // admitted and then turned away, as in July.
    assert_eq!(checked.results.cohorts[1].counts.admitted, checked.results.cohorts[1].counts.turned_away);
    for (what, x, y) in [
        ("booked", a.booked, b.booked),
        ("admitted", a.admitted, b.admitted),
        ("turned away", a.turned_away, b.turned_away),
        ("attempts", a.attempts(), b.attempts()),
    ] {
        let rel = (x as f64 - y as f64).abs() / x as f64;
        assert!(rel < 0.01, "{what}: {x} without a check, {y} with one at booking");
    }
    assert_eq!(b.identity_checks, b.admitted, "one check per admission");
}

#[test]
fn a_check_too_small_for_the_crowd_times_out() {
    let small = "capacity = 5\nservice = { dist = \"exponential\", mean = \"3s\" }\ntimeout = \"20s\"";
    let s = from_text(&night(small), &repo());
    let out = simulate(&s, 0);
    let t = out.results.totals();
    let timeouts = t.dropped[DropCause::IdentityTimeout as usize];
    // 5 slots of 3 s check at most 100 a minute; the surge brings thousands.
    assert!(timeouts > 5000, "{timeouts} identity timeouts");
    let failed: u64 = out.results.bins.iter().map(|b| b.counts.dropped[DropCause::IdentityTimeout as usize]).sum();
    assert_eq!(failed, timeouts);
    crate::conservation::identities(&s, &out, "a small check");
    let ample = simulate(&from_text(&night("capacity = 5000"), &repo()), 0).results.totals();
    assert_eq!(ample.dropped[DropCause::IdentityTimeout as usize], 0);
}
