//! Issue 15, items 3-5: outages and sell-outs stop the line, the wait the
//! room shows and the people who balk at it.

use crate::common::*;
use crate::queueing::mmck_blocking;
use surgesim::model::Outcome;
use surgesim::simulate;
use surgesim::stats::{figures, Bin, DropCause, Headline, Results};

/// The small busy night of `mechanisms` (20,000 people in a surge, a room
/// admitting 200 a minute into 100 sessions of about 2 minutes) on seed 5;
/// `room` and `extra` add keys.
fn night(room: &str, extra: &str) -> String {
    crate::mechanisms::night(room, extra).replace("seed = 3", "seed = 5")
}

fn outcome(text: &str) -> Outcome {
    simulate(&from_text(text, &repo()), 0)
}

fn admitted(bins: &[Bin]) -> u64 {
    bins.iter().map(|b| b.counts.admitted).sum()
}

/// People who came = booked + gave up for good + still in the system.
fn conserved(o: &Outcome) {
    let t = o.results.totals();
    let inside: u64 = (0..o.results.cohorts.len()).map(|c| o.in_system.total(c)).sum();
    assert_eq!(t.arrivals, t.booked + t.gave_up + inside, "people conserved");
}

const OUTAGE: &str = "[faults]\noutages = [{ tier = \"backend\", from = \"30m\", to = \"1h\" }]";

#[test]
fn an_outage_stops_the_line_and_it_resumes_after() {
    let o = outcome(&night("", OUTAGE));
    let r = &o.results;
    // One-minute bins: minutes 30 to 59 are the outage.
    for (m, b) in r.bins[30..60].iter().enumerate() {
        assert_eq!(b.counts.admitted, 0, "admitted in minute {} of the outage", m + 30);
    }
    assert!(admitted(&r.bins[60..65]) > 0, "the line resumes after");
    // Nobody is sent into the dead backend: only the sessions in progress
    // at 30m fail.
    let outage_drops: u64 = r.bins.iter().map(|b| b.counts.dropped[DropCause::BackendOutage as usize]).sum();
    assert!(outage_drops <= 100, "{outage_drops} outage drops, expected at most the 100 sessions");
    // People keep their places (nobody is impatient here): the line only grows.
    assert!(r.bins[59].end.queue_len > r.bins[29].end.queue_len);
    conserved(&o);
}

#[test]
fn admit_during_outage_keeps_the_old_behaviour() {
    let o = outcome(&night("during_outage = \"admit\"", OUTAGE));
    let r = &o.results;
    assert!(admitted(&r.bins[30..60]) > 1000, "the room admits into the dead backend");
    let drops: u64 = r.bins[30..60].iter().map(|b| b.counts.dropped[DropCause::BackendOutage as usize]).sum();
    assert!(drops > 1000, "{drops}");
    conserved(&o);
}

/// An identity check at booking that is down holds the line like the
/// backend; one before the queue is in front of the line, which goes on.
#[test]
fn an_identity_outage_at_booking_stops_the_line() {
    let outage = |placement: &str| {
        format!(
            "[identity]\nplacement = \"{placement}\"\ncapacity = 1000\nservice = {{ dist = \"constant\", value = \"1s\" }}\n\
             [faults]\noutages = [{{ tier = \"identity\", from = \"30m\", to = \"1h\" }}]"
        )
    };
    let at_booking = outcome(&night("", &outage("at_booking")));
    for (m, b) in at_booking.results.bins[30..60].iter().enumerate() {
        assert_eq!(b.counts.admitted, 0, "admitted in minute {} of the check's outage", m + 30);
    }
    assert!(admitted(&at_booking.results.bins[60..65]) > 0, "the line resumes after");
    conserved(&at_booking);
    let before = outcome(&night("", &outage("before_queue")));
    assert!(admitted(&before.results.bins[30..60]) > 0, "people already past the check are admitted");
    conserved(&before);
}

fn sold_out_at(r: &Results, s: &surgesim::scenario::Scenario) -> Option<f64> {
    *figures::headline(s, r).get(Headline::SoldOutAt)
}

#[test]
fn a_sell_out_stops_the_line_and_tells_everyone() {
    let text = night("", "slots = 3000");
    let s = from_text(&text, &repo());
    let o = simulate(&s, 0);
    let r = &o.results;
    let t = r.totals();
    assert_eq!(t.booked, 3000, "bookings are the inventory exactly");
    let at = sold_out_at(r, &s).expect("sold out");
    let bin = (at / 60.0) as usize;
    assert!(admitted(&r.bins[bin + 1..]) == 0, "nobody admitted after the sell-out at {at} s");
    let sold_out = t.dropped[DropCause::SoldOut as usize];
    assert!(sold_out > 1000, "{sold_out} told it was sold out");
    // Told, and gone: nobody is left in line or retrying for a slot.
    assert_eq!(r.bins.last().unwrap().end.queue_len, 0);
    conserved(&o);
    // The clock figure reaches summary.json as a clock time.
    let h = figures::headline(&s, r);
    let json = surgesim::report::summary::figures_json(&h, |k, v| {
        surgesim::report::format::Shown::json_at(v, surgesim::stats::Columns::kind(k), s.start)
    });
    let text = json["sold_out_at"].as_str().expect("a clock time").to_string();
    assert!(text.starts_with("2021-01-01T0"), "{text}");
}

#[test]
fn sold_out_at_is_undefined_when_the_inventory_lasts() {
    let text = night("", "slots = 1000000");
    let s = from_text(&text, &repo());
    let o = simulate(&s, 0);
    assert_eq!(sold_out_at(&o.results, &s), None);
    assert_eq!(o.results.totals().dropped[DropCause::SoldOut as usize], 0);
    conserved(&o);
}

#[test]
fn one_cohort_sells_out_while_the_other_goes_on() {
    let text = night("", "").replace(
        "[clients]",
        "slots = 500\n[[cohort]]\nname = \"other\"\npeople = 5000\nslots = 100000\narrivals = { curve = \"surge\", share = 0.6, tau = \"10m\" }\n[clients]",
    );
    let s = from_text(&text, &repo());
    let o = simulate(&s, 0);
    let r = &o.results;
    assert_eq!(r.cohorts[0].counts.booked, 500);
    let first = r.cohorts[0].sold_out_at.expect("the first cohort sold out");
    assert_eq!(r.cohorts[1].sold_out_at, None);
    assert_eq!(sold_out_at(r, &s), None, "the night goes on for the other cohort");
    assert!(r.cohorts[1].counts.booked > 0 && r.cohorts[1].counts.dropped[DropCause::SoldOut as usize] == 0);
    assert!(r.cohorts[0].counts.dropped[DropCause::SoldOut as usize] > 0);
    assert!(first > surgesim::engine::SimTime::ZERO);
    conserved(&o);
}

/// Balking at a constant tolerance on a nominal shown wait caps the line:
/// M/M/c with balking is M/M/c/K. With c = 10 sessions of mean 1 minute
/// the nominal rate is 10 a minute, so n people ahead are shown n × 6 s; a
/// tolerance of 27 s lets people join with at most 4 ahead: K - c = 5.
/// Run five times as long as `mmck.toml` (the same rates), so that the
/// interval tells K = 15 from K = 14 and 16.
#[test]
fn balking_at_a_nominal_wait_is_mmck_blocking() {
    let text = std::fs::read_to_string(repo().join("scenarios/mmck.toml")).expect("mmck.toml");
    let text = text.replace("max_queue = 5", "shown_wait = \"nominal\"");
    let text = text.replace("duration = \"100h\"", "duration = \"500h\"").replace("people = 60000 ", "people = 300000");
    let text = text.replace(
        "session = { dist = \"exponential\", mean = \"1m\" }",
        "session = { dist = \"exponential\", mean = \"1m\" }\nbalk = { dist = \"constant\", value = \"27s\" }",
    );
    let r = simulate(&from_text(&text, &repo()), 0).results;
    let b = steady(&r);
    let balked: Vec<f64> = b.iter().map(|b| b.counts.balked as f64).collect();
    let attempts: Vec<f64> = b.iter().map(|b| b.counts.attempts() as f64).collect();
    assert_eq!(r.totals().dropped[DropCause::QueueFull as usize], 0);
    let e = Estimate::ratio(&balked, &attempts);
    e.assert_near(mmck_blocking(10, 15, 10.0, 1.0), Z, "M/M/10 with balking = M/M/10/15 blocking");
    // The check tells K from its neighbours.
    for k in [14, 16] {
        let off = (e.mean - mmck_blocking(10, k, 10.0, 1.0)).abs() / e.std_err;
        assert!(off > Z, "K = {k} is only {off:.1} standard errors away: the test could not fail");
    }
}

#[test]
fn the_shown_wait_is_reported_only_when_the_room_shows_one() {
    let none = outcome(&night("", "")).results;
    assert!(none.bins.iter().all(|b| b.shown_wait == [None, None]));
    // Nominal: the set 200 a minute; rate: what the room really admits,
    // 100 sessions of 2 minutes, 50 a minute.
    for (how, per_minute) in [("nominal", 200.0), ("rate", 50.0)] {
        let r = outcome(&night(&format!("shown_wait = \"{how}\""), "")).results;
        // In the rush the line is long: the wait shown to someone joining
        // behind q people is about q / per_minute minutes.
        let b = &r.bins[20];
        let p50 = b.shown_wait[0].expect("a shown wait");
        let q = b.queue_len_mean;
        let expected = q / per_minute * 60.0;
        assert!((p50 - expected).abs() < 0.25 * expected, "{how}: shown p50 {p50} s, queue {q}: expected ~{expected}");
        assert_eq!(r.totals().balked, 0, "nobody balks without clients.balk");
    }
}

#[test]
fn balkers_retry_per_the_retry_policy_and_are_conserved() {
    let text = night("shown_wait = \"rate\"", "")
        .replace("[waiting_room]", "balk = { dist = \"exponential\", mean = \"20m\" }\n[waiting_room]");
    let o = outcome(&text);
    let t = o.results.totals();
    assert!(t.balked > 1000, "{} balked", t.balked);
    assert!(t.retries > t.balked / 2, "balkers come back");
    conserved(&o);
}
