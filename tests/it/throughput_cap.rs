//! The throughput cap (`backend.bookings_per_hour`): bookings are paced
//! evenly, a token every 3600 / cap seconds in a bucket of a minute's
//! tokens, and a session that finds no token waits for one holding its
//! session.
//!
//! The night: no waiting room, Poisson-like arrivals at twice the cap,
//! sessions of one second, sessions plenty: the cap binds from the first
//! minute, and everyone else waits in a session (the queue of this
//! M/D/1-like system is the sessions in use).

use crate::common::*;
use surgesim::simulate;

/// Bookings an hour of the cap, and first attempts an hour (twice it).
const CAP: f64 = 3600.0;
const ARRIVALS_PER_HOUR: f64 = 7200.0;
/// A minute's tokens: the bucket.
const BUCKET: f64 = CAP / 60.0;

fn night(extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "capped"
duration = "3h"
bin = "1m"
seed = 3

[[cohort]]
name = "all"
people = {people}
windows = [{{ opens = "0m", closes = "3h" }}]

[clients]
session = {{ dist = "constant", value = "1s" }}

[backend]
max_sessions = 100000
bookings_per_hour = {CAP}
{extra}
"#,
        people = (3.0 * ARRIVALS_PER_HOUR) as u64
    )
}

/// Bookings per minute bin.
fn booked_per_minute(text: &str) -> Vec<u64> {
    let s = from_text(text, ".".as_ref());
    let out = simulate(&s, 0);
    crate::conservation::identities(&s, &out, "capped");
    out.results.bins.iter().map(|b| b.counts.booked).collect()
}

#[test]
fn every_hour_holds_at_most_the_cap_and_a_minutes_tokens() {
    let booked = booked_per_minute(&night(""));
    // The pacing (GCRA with a tolerance of BUCKET - 1 intervals) lets at
    // most (L + tolerance) / interval + 1 = L / interval + BUCKET bookings
    // through in any span L: an hour CAP + BUCKET, a minute 2 * BUCKET.
    for (i, w) in booked.windows(60).enumerate() {
        let n: u64 = w.iter().sum();
        assert!(n as f64 <= CAP + BUCKET, "the hour from minute {i} booked {n}");
    }
    for (i, &n) in booked.iter().enumerate() {
        assert!(n as f64 <= 2.0 * BUCKET, "minute {i} booked {n}");
    }
    // The cap binds (arrivals at twice it): after the first minute's
    // bucket, every minute books a minute's tokens (one either side for
    // where a token falls against the bin's edge).
    for (i, &n) in booked.iter().enumerate().skip(2) {
        assert!((n as f64 - BUCKET).abs() <= 1.0, "minute {i} booked {n}, expected {BUCKET}");
    }
}

#[test]
fn a_binding_cap_grows_the_queue_by_arrivals_less_the_cap() {
    let s = from_text(&night(""), ".".as_ref());
    let r = simulate(&s, 0).results;
    let lambda = ARRIVALS_PER_HOUR / 3600.0;
    for b in r.bins.iter().step_by(15).skip(1) {
        let t = (b.start.as_secs_f64() + 60.0).min(3.0 * 3600.0);
        // Waiting for a token (all but the ~lambda * 1 s in service): the
        // arrivals so far, less the cap's tokens (the bucket and one a
        // second). The arrivals by t are binomial over the window (a fixed
        // total spread as a Poisson process): SD at most sqrt(lambda t);
        // 4 SD, and 3 for the sessions in service and the edges.
        let expected = lambda * t - (CAP / 3600.0 * t + BUCKET);
        let tolerance = 4.0 * (lambda * t).sqrt() + 3.0;
        let found = b.end.active as f64;
        assert!(
            (found - expected).abs() <= tolerance,
            "at {t} s: {found} in session, expected {expected} +- {tolerance}"
        );
    }
}

#[test]
fn a_scheduled_cap_changes_the_pace_from_its_moment() {
    let booked = booked_per_minute(&night("schedule = [{ at = \"1h\", bookings_per_hour = 1800.0 }]"));
    let hour = |h: usize| booked[h * 60..(h + 1) * 60].iter().sum::<u64>() as f64;
    // The first hour at 3600 and its bucket (less the tokens lost while
    // the bucket was full, before the first 1 s sessions ended and their
    // Poisson stream, at twice the pace, drew it down: a few seconds'), the
    // others at 1800: the lower cap's bucket is 30, the pace so far
    // carries over.
    assert!(hour(0) <= CAP + BUCKET && hour(0) >= CAP + BUCKET - 10.0, "first hour {}", hour(0));
    for h in 1..3 {
        assert!(hour(h) <= 1800.0 + 30.0 && hour(h) >= 1800.0 - 1.0, "hour {h}: {}", hour(h));
    }
}

#[test]
fn a_cap_raised_in_the_schedule_binds_at_its_new_pace_at_once() {
    // From 2 bookings an hour to 36,000 at 1 h, with sessions waiting: the
    // wait left of the old half-hour is owed as tokens (two thirds of one
    // at the new pace), so the minute after the change books its new
    // bucket (600) and the next at the new pace, not nothing until the old
    // pace's next token.
    let text = night("schedule = [{ at = \"1h\", bookings_per_hour = 36000.0 }]")
        .replace(&format!("\nbookings_per_hour = {CAP}\n"), "\nbookings_per_hour = 2.0\n");
    let booked = booked_per_minute(&text);
    assert!(booked[..60].iter().sum::<u64>() <= 2 + 1, "the first hour at 2 an hour: {:?}", &booked[..60]);
    // Everyone who came in the first hour (about 7,200) waits: 600 a
    // minute from the change (the bucket was empty, and stays so) until
    // they are through.
    for (m, n) in booked.iter().enumerate().take(65).skip(60) {
        assert!((599..=601).contains(n), "minute {m} after the raise booked {n}");
    }
}

#[test]
fn a_scaled_night_scales_the_cap_with_its_people() {
    // At a tenth of the people, a tenth of the cap (and of its scheduled
    // changes): it binds as at full size, or the preview would show a
    // night without it.
    let text = night("schedule = [{ at = \"1h\", bookings_per_hour = 1800.0 }]");
    let s = from_text(&text, ".".as_ref()).scaled(0.1);
    assert_eq!(s.backend.bookings_per_hour, Some(CAP * 0.1));
    assert_eq!(s.backend.bookings_schedule[0].per_hour, 180.0);
    let booked: Vec<u64> = simulate(&s, 0).results.bins.iter().map(|b| b.counts.booked).collect();
    let second_hour: u64 = booked[60..120].iter().sum();
    assert!((180..=183).contains(&second_hour), "the second hour booked {second_hour}, cap 180 and its bucket 3");
}

#[test]
fn a_cap_above_the_demand_books_everyone_as_without_it() {
    // At 100x the arrivals, a bucket of 12,000 never empties: the same
    // bookings as without the cap.
    let uncapped = night("").replace(&format!("bookings_per_hour = {CAP}"), "");
    let generous = night("").replace(&format!("bookings_per_hour = {CAP}"), "bookings_per_hour = 720000.0");
    assert_eq!(booked_per_minute(&uncapped), booked_per_minute(&generous));
}

/// The night behind a room that admits whenever a session is free, with
/// few sessions: ten sessions of one second could book 36,000 an hour, so
/// without the cap nobody would wait in line; with it, every session holds
/// a person waiting for a token, and the line takes the rest.
fn behind_a_room(max_sessions: u64) -> String {
    night("")
        .replace("max_sessions = 100000", &format!("max_sessions = {max_sessions}"))
        .replace("[backend]", "[waiting_room]\n\n[backend]")
}

#[test]
fn a_session_waiting_for_a_token_holds_it_and_the_line_waits_behind() {
    const SESSIONS: u64 = 10;
    let s = from_text(&behind_a_room(SESSIONS), ".".as_ref());
    let out = simulate(&s, 0);
    crate::conservation::identities(&s, &out, "behind a room");
    let lambda = ARRIVALS_PER_HOUR / 3600.0;
    for b in out.results.bins.iter().skip(2) {
        // Every session is held (by a person whose work is done, waiting
        // for a token): the cap, not max_sessions, sets the pace, and
        // max_sessions still bounds what is held.
        assert_eq!(b.end.active, SESSIONS, "at {:?}: sessions in use", b.start);
    }
    for b in out.results.bins.iter().step_by(15).skip(1) {
        let t = b.start.as_secs_f64() + 60.0;
        // The line: the arrivals so far less the cap's tokens (the bucket
        // and one a second) and the sessions held; tolerance as above
        // (4 SD of the arrival count, 3 for the edges).
        let expected = lambda * t - (CAP / 3600.0 * t + BUCKET) - SESSIONS as f64;
        let tolerance = 4.0 * (lambda * t).sqrt() + 3.0;
        let found = b.end.queue_len as f64;
        assert!((found - expected).abs() <= tolerance, "at {t} s: {found} in line, expected {expected} +- {tolerance}");
    }
    // Without the cap, the ten sessions keep up: nobody waits long.
    let uncapped = behind_a_room(SESSIONS).replace(&format!("bookings_per_hour = {CAP}"), "");
    let free = simulate(&from_text(&uncapped, ".".as_ref()), 0).results;
    let longest = free.bins.iter().map(|b| b.end.queue_len).max().unwrap();
    assert!(longest < 20, "without the cap the line reached {longest}");
}

#[test]
fn every_hour_within_each_scheduled_cap_holds_at_most_it_and_a_minutes_tokens() {
    // The cap changes at 1 h (3,600 to 1,800) and at 2 h (to 7,200, above
    // the arrivals: it binds again only from the backlog). Each hour-long
    // window inside one regime books at most that cap and its bucket;
    // windows across a change are bounded by the higher of the two.
    let booked = booked_per_minute(&night(
        "schedule = [{ at = \"1h\", bookings_per_hour = 1800.0 }, { at = \"2h\", bookings_per_hour = 7200.0 }]",
    ));
    let cap_at = |minute: usize| [CAP, 1800.0, 7200.0][minute / 60];
    for (i, w) in booked.windows(60).enumerate() {
        let n: u64 = w.iter().sum();
        let cap = cap_at(i).max(cap_at(i + 59));
        assert!(n as f64 <= cap + cap / 60.0, "the hour from minute {i} booked {n} (cap {cap})");
    }
    for (i, &n) in booked.iter().enumerate() {
        let cap = cap_at(i);
        assert!(n as f64 <= 2.0 * cap / 60.0, "minute {i} booked {n} (cap {cap})");
    }
    // From 2 h the backlog of the first two hours (about 3,600 + 5,400 =
    // 9,000 waiting sessions) drains at 7,200 an hour: the cap binds the
    // whole last hour, each minute a minute's tokens, 120 (one either side
    // for the bin's edges), after the new bucket's first minute.
    for (i, &n) in booked.iter().enumerate().skip(122) {
        assert!((n as f64 - 120.0).abs() <= 1.0, "minute {i} booked {n}, expected 120");
    }
}

#[test]
fn a_capped_night_does_not_depend_on_the_thread_count() {
    // The bucket is the model's own state, one per replication: six
    // replications of a capped Erlang B night (arrivals 1,080 an hour, a
    // cap of 600) on one thread and on four give the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/erlang-b.toml");
    let sets = ["scenario.duration=5h", "cohort.0.people=5400", "backend.bookings_per_hour=600"];
    same_on_one_and_four_threads(&scenario, &sets, dir.path());
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("one/summary.json")).unwrap()).unwrap();
    // Each replication books at most the cap's five hours and its bucket
    // (10): so does their mean.
    let booked = summary["booked"].as_f64().unwrap_or_else(|| panic!("no booked in {summary}"));
    assert!(booked <= 5.0 * 600.0 + 10.0, "booked {booked}");
}
