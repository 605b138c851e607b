//! Leaving once the shown wait has passed (`clients.overdue_hazard`): a
//! person shown a wait `w` on joining leaves at join + w + an exponential
//! draw of the hazard, if nothing else took them out before.
//!
//! The night: 600 people join within the first second, and the room opens
//! only near the end, so nobody is admitted while they wait: the k-th to
//! join has k ahead and is shown k / rate (`nominal`, 10 a minute), and
//! leaving once that has passed is the only way out.

use crate::common::*;
use surgesim::report::{self, ReportOptions};
use surgesim::simulate;
use surgesim::stats::RunFigures;

/// Admissions a minute the shown wait is divided by.
const RATE_PER_MIN: f64 = 10.0;

fn night(hazard: Option<f64>) -> String {
    let key = hazard.map_or(String::new(), |h| format!("overdue_hazard = {h:?}"));
    format!(
        r#"
[scenario]
name = "overdue"
duration = "2h"
bin = "1m"
seed = 5

[[cohort]]
name = "all"
people = 600
windows = [{{ opens = "0s", closes = "1s" }}]

[clients]
{key}

[waiting_room]
opens = "1h50m"
admit_per_minute = {RATE_PER_MIN:?}
shown_wait = "nominal"

[backend]
max_sessions = 10
"#
    )
}

/// Overdue departures by the end of each minute, cumulated.
fn overdue_by_minute(hazard: Option<f64>) -> Vec<u64> {
    let s = from_text(&night(hazard), ".".as_ref());
    let out = simulate(&s, 0);
    crate::conservation::identities(&s, &out, "overdue");
    let bins = &out.results.bins;
    assert_eq!(
        bins.iter().map(|b| b.counts.abandoned).sum::<u64>(),
        out.results.cohorts[0].counts.abandoned,
        "bins and cohort agree"
    );
    for b in bins {
        // Nobody has patience: every abandonment is an overdue one.
        assert_eq!(b.counts.abandoned, b.counts.abandoned_overdue, "at {:?}", b.start);
    }
    bins.iter()
        .scan(0, |sum, b| {
            *sum += b.counts.abandoned_overdue;
            Some(*sum)
        })
        .collect()
}

#[test]
fn a_hazard_of_zero_is_the_night_without_one() {
    let files = |h| {
        let s = from_text(&night(h), ".".as_ref());
        let r = RunFigures::of(&s, simulate(&s, 0).results);
        report::render(&s, &[r], &ReportOptions::default()).unwrap()
    };
    let (without, zero) = (files(None), files(Some(0.0)));
    assert_eq!(without.len(), zero.len());
    for ((na, a), (nb, b)) in without.iter().zip(&zero) {
        assert_eq!(na, nb);
        assert!(a == b, "{na} differs with overdue_hazard = 0");
    }
    assert_eq!(*overdue_by_minute(None).last().unwrap(), 0);
}

#[test]
fn people_leave_only_once_their_shown_wait_has_passed() {
    // A hazard of 6 a minute (10 s on average): each leaves soon after
    // their shown wait. The k-th joiner (k = 0, 1, ...) was shown
    // k / RATE minutes and leaves after it, so by minute m at most those
    // with k <= RATE * m can have left: RATE * m + 1. One more for anyone
    // who left within the first second, while others were still joining
    // (shown under a second: k < RATE / 60, the first joiner only).
    let left = overdue_by_minute(Some(6.0));
    for (m, &n) in left.iter().enumerate() {
        let minutes = (m + 1) as f64;
        assert!(n as f64 <= RATE_PER_MIN * minutes + 2.0, "by minute {minutes}: {n} left");
    }
    // And they do leave: by minute m everyone shown at most m - 2 minutes
    // (joined within a second, 2 minutes' margin for a hazard of 6 a
    // minute: each stays longer than that with e^-12 at most) is gone.
    for (m, &n) in left.iter().enumerate().take(55).skip(3) {
        let minutes = (m + 1) as f64;
        assert!(n as f64 >= RATE_PER_MIN * (minutes - 2.0), "by minute {minutes}: only {n} left");
    }
}

#[test]
fn more_hazard_more_overdue_departures() {
    let total = |h| *overdue_by_minute(Some(h)).last().unwrap();
    let counts: Vec<u64> = [0.002, 0.02, 0.2].into_iter().map(total).collect();
    // Person k stays past their wait for an exponential of mean 1 / h
    // minutes within the ~(110 - k / 10) minutes left before the room
    // opens; from 0.002 to 0.2 a minute the share gone grows from ~10 %
    // to nearly all, far beyond the binomial noise (sqrt(600) ~ 25).
    assert!(counts.windows(2).all(|w| w[0] + 50 < w[1]), "{counts:?}");
}
