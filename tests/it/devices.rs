//! Several devices per person (issue 15): each device loads pages and holds
//! a queue place of its own, the person books once; the lock keeps one
//! device per person in the line once one has passed the check.

use crate::common::*;
use surgesim::report::{self, ReportOptions};
use surgesim::simulate;
use surgesim::stats::{DropCause, Headline, RefusalCause, RunFigures};

/// A night the site can serve everyone on: ample front tier and sessions,
/// no retries. `clients` and `tail` add keys.
fn night(clients: &str, tail: &str) -> String {
    format!(
        r#"
[scenario]
name = "devices"
duration = "4h"
seed = 8
[[cohort]]
name = "all"
people = 20000
windows = [{{ opens = "0m", closes = "2h" }}]
arrivals = {{ curve = "surge", share = 0.6, tau = "10m" }}
[clients]
session = {{ dist = "exponential", mean = "2m" }}
{clients}
[front]
capacity = 2000
service = {{ dist = "exponential", mean = "200ms" }}
[waiting_room]
max_active = 300
[backend]
max_sessions = 300
{tail}"#
    )
}

const THREE: &str = "devices = { dist = \"constant\", value = 3 }";

#[test]
fn three_devices_load_three_times_the_pages_and_book_once() {
    let s = from_text(&night(THREE, ""), &repo());
    let out = simulate(&s, 0);
    let t = out.results.totals();
    // No retries and no failures: every device loads the page exactly once,
    // so the tolerance is none.
    assert_eq!(t.front_requests, 3 * t.arrivals);
    assert_eq!(t.dropped_total(), 0);
    assert!(t.booked <= t.arrivals, "{} booked, {} people", t.booked, t.arrivals);
    // A person books once; their two other devices leave at the front.
    // (The ones still waiting when the window closes are turned away.)
    assert_eq!(t.devices_left, 2 * t.booked);
    assert_eq!(t.booked + t.gave_up, t.arrivals, "everyone is out by the end");
    assert!(t.booked as f64 > 0.9 * t.arrivals as f64, "{} booked", t.booked);
    // The line holds devices, not people: longer than with one each.
    let one = simulate(&from_text(&night("", ""), &repo()), 0);
    let (three_q, one_q) = (out.results.queue_len_mean, one.results.queue_len_mean);
    assert!(three_q > 2.0 * one_q, "queue {three_q} with three devices, {one_q} with one");
    assert_eq!(one.results.totals().front_requests, 20_000);
    crate::conservation::identities(&s, &out, "three devices");
}

/// At booking, a device is checked while its person's other device may
/// get a session: it must leave then, not book a second time.
#[test]
fn with_a_check_at_booking_a_person_still_books_once() {
    let identity = "[identity]\nplacement = \"at_booking\"\ncapacity = 2000\nservice = { dist = \"exponential\", mean = \"20s\" }\ntimeout = \"10m\"";
    let s = from_text(&night(THREE, identity), &repo());
    let out = simulate(&s, 0);
    let t = out.results.totals();
    assert!(t.booked <= t.arrivals);
    assert_eq!(t.devices_left, 2 * t.booked, "each booked person's two other devices leave, none books");
    crate::conservation::identities(&s, &out, "at booking");
}

#[test]
fn devices_drawn_from_weights_load_their_mean() {
    let weights = "devices = { dist = \"discrete\", values = [1, 2, 3], weights = [0.6, 0.3, 0.1] }";
    let out = simulate(&from_text(&night(weights, ""), &repo()), 0);
    let t = out.results.totals();
    let per_person = t.front_requests as f64 / t.arrivals as f64;
    // Mean 1.5, variance 0.45 per person: five standard errors over
    // 20,000 people are 5 * 0.67 / 141 = 0.024.
    assert!((per_person - 1.5).abs() < 0.024, "{per_person} page loads per person");
    assert!(t.booked <= t.arrivals);
}

#[test]
fn with_the_lock_one_device_per_person_queues_after_the_first_passes() {
    // The check before the queue, slow enough that devices' checks overlap;
    // a lock longer than the night.
    let identity =
        "[identity]\nplacement = \"before_queue\"\ncapacity = 2000\nservice = { dist = \"constant\", value = \"5s\" }";
    let locked = from_text(&night(&format!("{THREE}\ndevice_lock = \"1d\""), identity), &repo());
    let out = simulate(&locked, 0);
    assert_eq!(out.in_system.peak_devices_queued_locked, 1, "two devices of one person in the line after the lock");
    let t = out.results.totals();
    assert_eq!(t.dropped[DropCause::DeviceLocked as usize], 40_000, "every other device is refused once");
    assert!(t.booked <= t.arrivals && t.devices_left == 0);
    // The lock doing its job is a refusal by design, not a failure.
    let h = RunFigures::of(&locked, out.results.clone()).headline;
    assert_eq!(*h.get(Headline::Refusal(RefusalCause::DeviceLocked)), Some(40_000.0));
    assert_eq!(*h.get(Headline::DropRate), Some(0.0), "nothing failed");
    let (refused, attempts) = (h.get(Headline::Refused).expect("a count"), h.get(Headline::Attempts).expect("a count"));
    assert!(refused >= 40_000.0, "the lock's and those turned away at the window's close: {refused}");
    assert_eq!(*h.get(Headline::RefusalRate), Some(refused / attempts));
    crate::conservation::identities(&locked, &out, "locked");
    // Without the lock, a person's devices queue side by side (the test
    // can fail: the count is taken only for locked people, so lock them
    // for an instant).
    let brief = from_text(&night(&format!("{THREE}\ndevice_lock = \"1ms\""), identity), &repo());
    let out = simulate(&brief, 0);
    assert!(out.in_system.peak_devices_queued_locked > 1);
    crate::conservation::identities(&brief, &out, "a brief lock");
}

#[test]
fn without_a_check_the_lock_acts_at_admission() {
    let s = from_text(&night(&format!("{THREE}\ndevice_lock = \"1d\""), ""), &repo());
    let out = simulate(&s, 0);
    let t = out.results.totals();
    // Each person's other two devices reach the front after the first got
    // through: refused by the lock, or gone if it is in a session or booked.
    assert_eq!(t.dropped[DropCause::DeviceLocked as usize] + t.devices_left, 2 * t.arrivals);
    assert!(t.dropped[DropCause::DeviceLocked as usize] > 0 && t.booked <= t.arrivals);
    crate::conservation::identities(&s, &out, "lock at admission");
}

/// The August night (the check before the queue, 1.5 devices a person and
/// the lock, the cloud front page from the opening), small: most of what
/// used to read as drops is the lock refusing second devices. `drop_rate`
/// counts the failures only; `refusal_rate` carries the refusals, with
/// their causes, through every table.
#[test]
fn on_an_august_night_the_lock_s_refusals_are_not_drops() {
    let s = bundled("what-if-august-fixes.toml", &[]).scaled(0.01);
    let out = simulate(&s, 0);
    crate::conservation::identities(&s, &out, "august");
    let t = out.results.totals();
    let r = RunFigures::of(&s, out.results);
    let h = |k: Headline| r.headline.get(k).expect("defined");
    let attempts = h(Headline::Attempts);
    let locked = h(Headline::Refusal(RefusalCause::DeviceLocked));
    assert!(locked > 0.1 * attempts, "the lock refuses many devices: {locked} of {attempts}");
    assert_eq!(h(Headline::Dropped), t.dropped_total() as f64);
    assert_eq!(h(Headline::DropRate), h(Headline::Dropped) / attempts, "failures only");
    assert!(h(Headline::Dropped) + locked <= attempts);
    assert!(h(Headline::DropRate) < 0.1, "the August site fails few: {}", h(Headline::DropRate));
    assert_eq!(h(Headline::RefusalRate), h(Headline::Refused) / attempts);
    let by_cause: f64 = RefusalCause::ALL.iter().map(|&c| h(Headline::Refusal(c))).sum();
    assert_eq!(h(Headline::Refused), by_cause);
    // Every attempt that ended is one of: booked, dropped, refused by
    // design, abandoned, balked, turned away by the clock bug, or a device
    // leaving its booked person.
    let ended = t.booked + t.dropped_total() + t.refused_total() + t.abandoned + t.balked + t.clock_bug;
    assert!(ended + t.devices_left <= t.attempts());
    assert_eq!(
        t.dropped.iter().sum::<u64>() + t.turned_away,
        t.dropped_total() + t.refused_total() + t.clock_bug,
        "every drop cause and every turned-away attempt is a failure or a refusal, once"
    );

    let options = ReportOptions { charts: false, format: report::ChartFormat::Png };
    let files = report::render(&s, std::slice::from_ref(&r), &options).expect("renders");
    let header = |name: &str| String::from_utf8_lossy(file(&files, name)).lines().next().unwrap_or("").to_string();
    let series = header("timeseries.csv");
    for col in ["refused", "refused_device_locked", "refused_sold_out", "refused_ineligible", "refusal_rate"] {
        assert!(series.split(',').any(|c| c == col), "timeseries.csv has {col}: {series}");
    }
    assert!(!series.contains("drop_device_locked"), "the lock is no drop cause: {series}");
    assert!(header("cohorts.csv").split(',').any(|c| c == "refused"));
    let summary: serde_json::Value = serde_json::from_slice(file(&files, "summary.json")).expect("JSON");
    assert_eq!(summary["refusals_by_cause"]["device_locked"].as_f64(), Some(locked));
    assert!(summary["drops_by_cause"].get("device_locked").is_none());
    let md = String::from_utf8_lossy(file(&files, "report.md"));
    let refusals = md.lines().find(|l| l.starts_with("Refused by design, not counted as drops: ")).expect("said");
    assert!(refusals.contains("device locked "), "{refusals}");
    let line = report::headline(&s, &r.headline, &r.milestones);
    assert!(line.contains("refusal rate"), "{line}");
}
