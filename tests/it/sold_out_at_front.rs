//! When the line learns of a sell-out (`waiting_room.on_sold_out`), and the
//! operator's pause (`waiting_room.pause_at`).
//!
//! The night: 3,000 people come in the first ten minutes to a room that
//! admits 60 a minute (one a second, exactly) to 200 slots. The slots go
//! in about four minutes, with some 900 people in line. `tell` empties the
//! line then; `at_front` keeps it, and it drains by 60 a minute (newcomers
//! are told at the front page and do not join); a pause empties it at its
//! moment. Nobody has patience and nobody retries, so the line moves only
//! by the room.

use crate::common::*;
use surgesim::engine::SimTime;
use surgesim::simulate;
use surgesim::stats::{Bin, DropCause};

const ADMIT_PER_MIN: f64 = 60.0;

fn night(room: &str) -> (Vec<Bin>, SimTime, u64) {
    let text = format!(
        r#"
[scenario]
name = "sold-out"
duration = "40m"
bin = "1m"
seed = 9

[[cohort]]
name = "all"
people = 3000
windows = [{{ opens = "0m", closes = "10m" }}]

[clients]
session = {{ dist = "constant", value = "30s" }}

[waiting_room]
admit_per_minute = {ADMIT_PER_MIN:?}
{room}

[backend]
max_sessions = 1000
slots = 200
"#
    );
    let s = from_text(&text, ".".as_ref());
    let out = simulate(&s, 0);
    crate::conservation::identities(&s, &out, room);
    let sold_out_at = out.results.sold_out_at.expect("the slots run out");
    let told = out.results.cohorts[0].counts.dropped[DropCause::SoldOut as usize];
    (out.results.bins, sold_out_at, told)
}

/// The people in line at the end of the minute bin holding `t`, and of the
/// bins after it.
fn line_from(bins: &[Bin], t: SimTime) -> Vec<i64> {
    let first = (t.as_secs_f64() / 60.0) as usize;
    bins[first..].iter().map(|b| b.end.queue_len as i64).collect()
}

#[test]
fn tell_empties_the_line_when_the_slots_run_out() {
    let (bins, at, _) = night("");
    let line = line_from(&bins, at);
    assert!(bins[(at.as_secs_f64() / 60.0) as usize - 1].end.queue_len > 500, "a long line before");
    assert!(line.iter().all(|&n| n == 0), "{line:?}");
}

#[test]
fn at_front_keeps_the_line_and_drains_it_at_the_admission_rate() {
    let (bins, at, told) = night("on_sold_out = \"at_front\"");
    let line = line_from(&bins, at);
    assert!(line[0] > 500, "the line stays: {line:?}");
    // Each minute the room tells 60 at the front (one a second, exactly:
    // the gate's spacing); nobody joins (newcomers are told at the front
    // page) and nobody leaves otherwise. One either way for where a second
    // falls against the bin's edge.
    for w in line.windows(2).take_while(|w| w[1] > 0) {
        let fell = w[0] - w[1];
        assert!((fell as f64 - ADMIT_PER_MIN).abs() <= 1.0, "the line fell by {fell}: {line:?}");
    }
    assert_eq!(*line.last().unwrap(), 0, "drained before the end");
    // Everyone who did not book was told at last: at the front, or at the
    // front page.
    let (tell_bins, _, tell_told) = night("");
    let booked = |b: &[Bin]| b.iter().map(|b| b.counts.booked).sum::<u64>();
    assert_eq!(booked(&bins), 200);
    assert_eq!(booked(&tell_bins), 200);
    assert_eq!(told, tell_told, "the same people told, later");
}

#[test]
fn a_pause_empties_the_line_at_its_moment() {
    let (bins, at, told) = night("on_sold_out = \"at_front\"\npause_at = \"12m\"");
    assert!(at < SimTime::from_secs(11 * 60), "sold out before the pause");
    // Still draining before the pause, empty from it on.
    assert!(bins[10].end.queue_len > 100, "at 11m: {}", bins[10].end.queue_len);
    assert!(bins[12..].iter().all(|b| b.end.queue_len == 0));
    let (_, _, unpaused) = night("on_sold_out = \"at_front\"");
    assert_eq!(told, unpaused, "told at the pause instead of at the front");
}

#[test]
fn turns_told_at_the_front_count_in_the_rate_shown_wait() {
    // Two cohorts in one line, mixed: "a" has 200 slots of its own, "b"
    // none. Once "a" sells out, the front alternates between an "a" told
    // at their turn and a "b" admitted, one turn a second in all. A "b"
    // joining is shown the people ahead over the last five minutes' turns:
    // 60 a minute, not the "b" admissions alone (about half that, which
    // would show about twice the wait).
    let text = format!(
        r#"
[scenario]
name = "mixed"
duration = "40m"
bin = "1m"
seed = 9

[[cohort]]
name = "a"
people = 3000
slots = 200
windows = [{{ opens = "0m", closes = "20m" }}]

[[cohort]]
name = "b"
people = 3000
windows = [{{ opens = "0m", closes = "20m" }}]

[clients]
session = {{ dist = "constant", value = "30s" }}

[waiting_room]
admit_per_minute = {ADMIT_PER_MIN:?}
shown_wait = "rate"
on_sold_out = "at_front"

[backend]
max_sessions = 1000
"#
    );
    let s = from_text(&text, ".".as_ref());
    let out = simulate(&s, 0);
    crate::conservation::identities(&s, &out, "mixed");
    let a_sold_out = out.results.cohorts[0].sold_out_at.expect("a's slots run out");
    // From a full five-minute window after the sell-out to the last arrivals.
    let first = (a_sold_out.as_secs_f64() / 60.0) as usize + 6;
    assert!(first < 19, "a sold out at {a_sold_out:?}");
    let bins = &out.results.bins;
    for m in first..19 {
        let shown = bins[m].shown_wait[0].expect("people join every minute");
        // Everyone shown within the minute had between the line at its
        // start and at its end ahead; the window's turns are counted
        // within one or two of 300 (under 1 %): 3 % either side.
        let (q0, q1) = (bins[m - 1].end.queue_len as f64, bins[m].end.queue_len as f64);
        let (lo, hi) = (q0.min(q1) / ADMIT_PER_MIN * 60.0, q0.max(q1) / ADMIT_PER_MIN * 60.0);
        assert!(shown >= 0.97 * lo && shown <= 1.03 * hi, "minute {m}: shown {shown} s, expected {lo}-{hi} s");
    }
}
