//! Each failure mechanism shows its effect against the same scenario
//! without it (issue 4): the numbers move where, and only where, the
//! mechanism acts.

use crate::common::*;
use surgesim::simulate;
use surgesim::stats::{Bin, DropCause, Results};

/// A small busy night: 20,000 people in a surge, a waiting room admitting
/// 200 a minute into 100 sessions of about 2 minutes. `extra` adds keys.
pub fn night(room_extra: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "night"
duration = "3h"
seed = 3
[[cohort]]
name = "eligible"
people = 20000
arrivals = {{ curve = "surge", share = 0.6, tau = "10m" }}
[clients]
session = {{ dist = "exponential", mean = "2m" }}
retry = {{ probability = 0.9, delay = {{ dist = "exponential", mean = "5m" }}, max_attempts = 5 }}
[waiting_room]
max_active = 100
admit_per_minute = 200
{room_extra}
[backend]
max_sessions = 100
{extra}
"#
    )
}

fn run(text: &str) -> Results {
    simulate(&from_text(text, &repo()), 0).results
}

fn minutes(r: &Results, from: usize, to: usize) -> &[Bin] {
    &r.bins[from..to]
}

fn drops(bins: &[Bin], cause: DropCause) -> u64 {
    bins.iter().map(|b| b.counts.dropped[cause as usize]).sum()
}

#[test]
fn bounce_back_raises_waits_and_is_counted() {
    // Admission rate (40 a minute) below session throughput (50 a minute):
    // a bounce wastes an admission, as on the night in the seed.
    let slow = |room: &str| night(room, "").replace("admit_per_minute = 200", "admit_per_minute = 40");
    let base = run(&slow(""));
    let bounced = run(&slow("bounce_probability = 0.3"));
    let n = drops(&bounced.bins, DropCause::BounceBack);
    let admitted = bounced.totals().admitted as f64;
    // Each admission try bounces with probability 0.3: bounces ≈ 0.3/0.7 per admission.
    let expected = admitted * 0.3 / 0.7;
    assert!(
        (n as f64 - expected).abs() < 5.0 * expected.sqrt() + 0.02 * expected,
        "{n} bounces vs about {expected:.0}"
    );
    assert_eq!(drops(&base.bins, DropCause::BounceBack), 0);
    // A wait is per attempt and restarts at the back of the line; what
    // grows is the line (bounced people take admissions and queue again)
    // and the time people need to book.
    let (q0, q1) = (base.queue_len_mean, bounced.queue_len_mean);
    assert!(q1 > 1.05 * q0, "bounce-back should lengthen the line: {q0:.0} -> {q1:.0}");
    // Bookings come slower: the bounced night reaches half its bookings
    // later than the base night reaches as many, by about 1/0.7 once the
    // line has formed. (The median time to book is no measure: it is taken
    // over fewer, earlier people on the bounced night, and came out equal.)
    let k = bounced.totals().booked / 2;
    let reached = |r: &Results| r.bins.iter().position(|b| b.booked_so_far.iter().sum::<u64>() >= k).unwrap();
    let (m0, m1) = (reached(&base), reached(&bounced));
    assert!(m1 as f64 > 1.2 * m0 as f64, "bounce-back should delay bookings: {k} booked by minute {m0} -> {m1}");
    // Three admissions in ten are wasted, so bookings fall to about 70 %.
    let ratio = bounced.totals().booked as f64 / base.totals().booked as f64;
    assert!((ratio - 0.7).abs() < 0.03, "bookings with bounce-back / without: {ratio:.3}");
}

#[test]
fn bypass_raises_direct_backend_arrivals_only_inside_the_back_door_window() {
    let r = run(&night("bypass = [{ from = \"30m\", to = \"60m\", share = 0.5 }]", ""));
    let inside: u64 = minutes(&r, 30, 60).iter().map(|b| b.counts.bypassed).sum();
    let outside: u64 = minutes(&r, 0, 30).iter().chain(minutes(&r, 60, 180)).map(|b| b.counts.bypassed).sum();
    let attempts_inside: u64 = minutes(&r, 30, 60).iter().map(|b| b.counts.attempts()).sum();
    assert_eq!(outside, 0, "nobody skips the room while the back door is shut");
    let share = inside as f64 / attempts_inside as f64;
    assert!((share - 0.5).abs() < 0.05, "half the attempts use the back door: {share:.3}");
    // Bypassers hit a backend the room keeps full: they fail there.
    assert!(drops(minutes(&r, 30, 60), DropCause::BackendFull) > 0);
    assert_eq!(drops(minutes(&r, 0, 30), DropCause::BackendFull), 0);
}

#[test]
fn the_clock_bug_turns_eligible_people_away_only_inside_its_window() {
    let r = run(&night("", "[faults]\nclock_bug = [{ from = \"1h\", to = \"1h30m\", probability = 0.4 }]"));
    let inside: u64 = minutes(&r, 60, 90).iter().map(|b| b.counts.clock_bug).sum();
    let outside: u64 = minutes(&r, 0, 60).iter().chain(minutes(&r, 90, 180)).map(|b| b.counts.clock_bug).sum();
    let admitted_inside: u64 = minutes(&r, 60, 90).iter().map(|b| b.counts.admitted).sum();
    assert_eq!(outside, 0);
    let share = inside as f64 / admitted_inside as f64;
    assert!((share - 0.4).abs() < 0.05, "40 % of the admitted are refused: {share:.3}");
    assert_eq!(run(&night("", "")).totals().clock_bug, 0);
}

#[test]
fn the_inventory_is_never_oversold() {
    let r = run(&night("", "slots = 5000"));
    let t = r.totals();
    assert_eq!(t.booked, 5000, "every slot is taken, none twice");
    assert!(t.dropped[DropCause::NoSlots as usize] > 0);
    // Per cohort, with a shared limit on top.
    let two = night("", "slots = 3000").replace(
        "[clients]",
        "slots = 1000\n[[cohort]]\nname = \"second\"\npeople = 5000\narrivals = { curve = \"surge\" }\n[clients]",
    );
    let r = run(&two);
    assert_eq!(r.cohorts[0].counts.booked, 1000);
    assert!(r.cohorts[1].counts.booked <= 2000);
    assert_eq!(r.totals().booked, r.cohorts[0].counts.booked + r.cohorts[1].counts.booked);
    assert!(r.totals().booked <= 3000);
}

#[test]
fn an_outage_fails_the_active_sessions() {
    let r = run(&night("", "[faults]\noutages = [{ tier = \"backend\", from = \"60m\", to = \"70m\" }]"));
    let active_before = r.bins[59].end.active;
    assert!(active_before > 50, "the backend is busy before the outage");
    // The minute the outage starts, every active session fails.
    assert!(r.bins[60].counts.dropped[DropCause::BackendOutage as usize] >= active_before);
    assert!(r.bins[60..70].iter().all(|b| b.end.active == 0 && b.counts.booked == 0));
    assert!(r.bins[71].end.active > 0, "it comes back");
    assert_eq!(drops(&r.bins[..60], DropCause::BackendOutage), 0);
    assert_eq!(drops(&r.bins[70..], DropCause::BackendOutage), 0);
}

#[test]
fn connection_loss_applies_only_inside_its_window() {
    let r = run(&night("connection_loss = [{ from = \"0m\", to = \"40m\", per_hour = 2.0 }]", ""));
    assert!(drops(minutes(&r, 0, 40), DropCause::QueueLost) > 100);
    assert_eq!(drops(minutes(&r, 40, 180), DropCause::QueueLost), 0);
}

#[test]
fn an_expired_turn_is_lost_at_the_rate_the_response_time_implies() {
    let text = night("turn_expiry = \"1m\"", "")
        .replace("[clients]", "[clients]\nresponse = { dist = \"exponential\", mean = \"30s\" }");
    let r = run(&text);
    let expired = r.totals().dropped[DropCause::TurnExpired as usize] as f64;
    let tries = expired + r.totals().admitted as f64;
    let p = (-2.0f64).exp(); // P(Exp(mean 30 s) > 60 s)
    let sd = (tries * p * (1.0 - p)).sqrt();
    assert!((expired - p * tries).abs() < 5.0 * sd, "{expired} expired of {tries}, expected {:.0}", p * tries);
}

#[test]
fn random_order_keeps_the_mean_wait_and_spreads_it() {
    // Which waiting person goes next does not change how many wait, nor,
    // by Little's law, the mean wait; it does stretch the tail.
    let sets = ["scenario.duration=100h", "cohort.0.people=270000"];
    let fifo = simulate(&bundled("mmc.toml", &sets), 0).results;
    let random = simulate(&bundled("mmc.toml", &[&sets[..], &["waiting_room.order=\"random\""]].concat()), 0).results;
    let mean_wait = |r: &Results| {
        let b = steady(r);
        let sums: Vec<f64> = b.iter().map(|b| b.wait_mean.unwrap_or(0.0) * b.counts.admitted as f64).collect();
        let n: Vec<f64> = b.iter().map(|b| b.counts.admitted as f64).collect();
        Estimate::ratio(&sums, &n)
    };
    let (f, r) = (mean_wait(&fifo), mean_wait(&random));
    let se = (f.std_err.powi(2) + r.std_err.powi(2)).sqrt();
    assert!((f.mean - r.mean).abs() < Z * se, "mean wait fifo {:.2}s, random {:.2}s (SE {se:.2})", f.mean, r.mean);
    let (pf, pr) = (fifo.wait.quantile_secs(0.999).unwrap(), random.wait.quantile_secs(0.999).unwrap());
    assert!(pr > 1.3 * pf, "p99.9 wait fifo {pf:.1}s, random {pr:.1}s");
}

#[test]
fn people_who_come_before_opening_queue_and_are_admitted_at_opening() {
    let text = night("opens = \"30m\"", "").replace(
        "arrivals = { curve = \"surge\", share = 0.6, tau = \"10m\" }",
        "windows = [{ opens = \"30m\", closes = \"3h\" }]\narrivals = { curve = \"surge\", share = 0.6, tau = \"10m\", early = \"20m\", early_share = 0.2 }",
    );
    let r = run(&text);
    assert!(r.bins[..30].iter().all(|b| b.counts.admitted == 0), "nobody is admitted before opening");
    assert!(r.bins[29].end.queue_len > 3000, "the early crowd waits in the room");
    assert!(r.bins[30].counts.admitted > 0);
    let shuffled = run(&text.replace("\nopens = \"30m\"", "\nopens = \"30m\"\norder = \"prequeue_shuffle\""));
    assert_eq!(shuffled.totals().arrivals, r.totals().arrivals);
}

fn storm(sets: &[&str]) -> Results {
    simulate(&bundled("retry-storm.toml", sets), 0).results
}

/// Share of page loads that failed, and bookings per minute, from 1h to 2h.
fn late(r: &Results) -> (f64, f64) {
    let late = &r.bins[60..120];
    let failed: u64 = late.iter().map(|b| b.counts.dropped[DropCause::FrontTimeout as usize]).sum();
    let requests: u64 = late.iter().map(|b| b.counts.front_requests).sum();
    let booked: u64 = late.iter().map(|b| b.counts.booked).sum();
    (failed as f64 / requests as f64, booked as f64 / 60.0)
}

#[test]
fn the_retry_storm_stays_collapsed_and_recovers_without_its_causes() {
    let (failed, booked) = late(&storm(&[]));
    assert!(failed > 0.9 && booked < 5.0, "collapsed long after the dip: {failed:.2} failed, {booked:.0} booked/min");
    for fix in ["clients.retry.probability=0", "front.wasted_work=false", "waiting_room={ max_active = 150 }"] {
        let (failed, booked) = late(&storm(&[fix]));
        assert!(failed < 0.01 && booked > 400.0, "with {fix}: {failed:.3} failed, {booked:.0} booked/min");
    }
}

#[test]
fn the_front_tier_times_out_when_it_is_too_small_and_the_cloud_helps() {
    let base = "[front]\ncapacity = 2\nservice = { dist = \"exponential\", mean = \"1s\" }\ntimeout = \"10s\"\nwasted_work = false";
    let small = run(&night("", base));
    let cloud = run(&night("", &format!("{base}\nschedule = [{{ at = \"40m\", capacity = 200 }}]")));
    assert!(drops(minutes(&small, 0, 40), DropCause::FrontTimeout) > 1000);
    assert_eq!(drops(minutes(&cloud, 41, 180), DropCause::FrontTimeout), 0, "no timeouts once the cloud is up");
    // Bookings are bound by the backend in both nights (100 sessions of
    // 2 minutes: 50 a minute), so the cloud cannot raise them here; they
    // agree within 1 %. (This line used to assert that the cloud books
    // more: noise, which held on one realization of the old shared stream,
    // seed 3, and not on seeds 4 to 6.)
    let (b0, b1) = (small.totals().booked as f64, cloud.totals().booked as f64);
    assert!((b1 - b0).abs() < 0.01 * b0, "the cloud does not change what the backend books: {b0} -> {b1}");
}

/// Dead page loads (wasted work) under exponential service are drawn in
/// aggregate: one wake-up for the next of the k in service to end, of mean
/// service / k (`model::front_page`). Any other distribution takes one event
/// a load. A gamma of coefficient of variation 1 *is* the exponential, so a
/// front tier just too small for the surge (17 slots; at 20 it never
/// collapses, at 15 it never recovers), where how fast dead loads drain
/// decides how long the collapse lasts, must come out the same either way,
/// within the replications' own noise: 4 standard errors of the difference
/// of the two means. (Dead loads drawn at half their speed fail it.)
#[test]
fn dead_page_loads_drawn_together_are_the_same_process_as_one_by_one() {
    const R: u64 = 6;
    let front = "[front]\ncapacity = 17\ntimeout = \"10s\"\nwasted_work = true\nservice = ";
    let retry = "retry = { probability = 0.9, delay = { dist = \"exponential\", mean = \"5m\" }, max_attempts = 5 }";
    let refresh = "retry = { probability = 0.9, delay = { dist = \"exponential\", mean = \"5m\" }, refresh = { dist = \"exponential\", mean = \"30s\" }, max_attempts = 5 }";
    // Per replication: page loads timed out, and bookings.
    let figures = |service: &str| -> Vec<[f64; 2]> {
        let s = from_text(&night("", &format!("{front}{service}")).replace(retry, refresh), &repo());
        (0..R)
            .map(|r| {
                let t = simulate(&s, r).results.totals();
                [t.dropped[DropCause::FrontTimeout as usize] as f64, t.booked as f64]
            })
            .collect()
    };
    let together = figures("{ dist = \"exponential\", mean = \"1s\" }");
    let one_by_one = figures("{ dist = \"gamma\", mean = \"1s\", cv = 1.0 }");
    for (i, name) in ["page loads timed out", "bookings"].iter().enumerate() {
        let stats = |runs: &[[f64; 2]]| {
            let n = runs.len() as f64;
            let mean = runs.iter().map(|r| r[i]).sum::<f64>() / n;
            let var = runs.iter().map(|r| (r[i] - mean).powi(2)).sum::<f64>() / (n - 1.0);
            (mean, var / n)
        };
        let ((a, va), (b, vb)) = (stats(&together), stats(&one_by_one));
        let bound = 4.0 * (va + vb).sqrt() + 1.0;
        assert!((a - b).abs() <= bound, "{name}: {a:.0} drawn together vs {b:.0} one by one (bound {bound:.0})");
    }
}
