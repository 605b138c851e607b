//! Catch-up rounds (issue 14): the people a night did not book come back
//! with a stated probability, so the round's crowd follows from the night.

use crate::common::*;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use surgesim::stats::{CohortFigure, Headline, RunFigures};
use surgesim::{simulate, Scenario};

/// One cohort's night (10m to 1h10m) with `sessions` booking sessions,
/// a catch-up round from 2h to 3h bringing back each person not booked by
/// then with `probability`, and a night of `duration`.
fn night(sessions: u64, probability: f64, duration: &str) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "catch-up"
duration = "{duration}"
bin = "5m"
seed = 3

[[cohort]]
name = "53-54"
people = 6000
windows = [{{ opens = "10m", closes = "1h10m" }}]
arrivals = {{ curve = "surge", share = 0.6, tau = "5m" }}
catch_up = [{{ opens = "2h", closes = "3h", probability = {probability}, arrivals = {{ curve = "surge", share = 0.5, tau = "10m" }} }}]

[clients]
session = {{ dist = "exponential", mean = "2m" }}
patience = {{ dist = "exponential", mean = "15m" }}
retry = {{ probability = 0.3, delay = {{ dist = "exponential", mean = "5m" }}, max_attempts = 3 }}

[waiting_room]

[backend]
max_sessions = {sessions}
"#
    );
    from_text(&text, &repo())
}

/// People gone for good when the round opens at 2h (who left in the bins
/// before it: nobody came back yet), and those who came back in it, of a
/// run of `s` (one cohort: the night's counts are its).
fn gone_and_back(s: &Scenario, replication: u64) -> (u64, u64) {
    let r = simulate(s, replication).results;
    let opening = (7200 / s.bin.as_secs_f64() as usize).min(r.bins.len());
    let gone = r.bins[..opening].iter().map(|b| b.counts.gave_up).sum::<u64>();
    (gone, r.cohorts[0].counts.returned)
}

/// Over both rounds a cohort books no more than its people, whatever the
/// capacity: even when everyone not booked comes back to an empty site.
#[test]
fn people_booked_over_both_rounds_never_exceed_the_cohort() {
    for (sessions, probability) in [(20, 1.0), (60, 1.0), (2000, 1.0), (20, 0.5)] {
        let s = night(sessions, probability, "6h");
        let out = simulate(&s, 0);
        let k = &out.results.cohorts[0].counts;
        assert!(k.booked <= 6000, "{sessions} sessions: {} booked of 6000", k.booked);
        assert_eq!(k.arrivals, 6000, "people came once each; those back are not new people");
        assert_eq!(k.arrivals, k.booked + k.gave_up + out.in_system.total(0), "conservation");
        let f = RunFigures::of(&s, out.results);
        let share = f.cohorts[0].get(CohortFigure::BookedShare).expect("eligible");
        assert!(share <= 1.0, "{sessions} sessions: booked share {share}");
        let back = f.cohorts[0].get(CohortFigure::CatchUpArrivals).expect("a count");
        assert_eq!(Some(back), *f.headline.get(Headline::CatchUpArrivals), "the headline is the cohorts' sum");
        if sessions == 20 {
            assert!(back > 1000.0, "at 20 sessions most were not booked by 2h: {back} back");
        }
    }
}

/// The crowd is an outcome of the first night: fewer sessions then, more
/// people left to come back; and at the catch-up's opening they are
/// exactly those gone by then.
#[test]
fn the_catch_up_crowd_grows_when_the_first_night_books_fewer() {
    let crowd = |sessions| gone_and_back(&night(sessions, 0.7, "6h"), 0);
    let (few_gone, few_back) = crowd(30);
    let (many_gone, many_back) = crowd(300);
    assert!(few_gone > many_gone, "30 sessions leave {few_gone} gone by 2h, 300 leave {many_gone}");
    assert!(few_back > many_back + 500, "30 sessions: {few_back} back, 300: {many_back}");
    for (gone, back) in [(few_gone, few_back), (many_gone, many_back)] {
        assert!(back <= gone, "{back} came back of {gone} gone");
    }
}

/// How many come back is binomial: of G gone at the opening, each with
/// probability p. Over R replications, Z_r = (X_r - p G_r) / sqrt(G_r p
/// (1 - p)) are independent standard normals (near enough at G of
/// hundreds); so their mean times sqrt(R) is standard normal (|.| < 4 fails
/// once in 16,000 runs), and their sum of squares chi-square with R degrees
/// of freedom (outside its 1e-4 and 1 - 1e-4 quantiles once in 5,000).
#[test]
fn the_crowd_is_binomial_with_the_rounds_probability() {
    const R: u64 = 40;
    let p = 0.7;
    let s = night(40, p, "3h30m");
    let mut z = Vec::new();
    for r in 0..R {
        let (gone, back) = gone_and_back(&s, r);
        assert!(gone > 300, "replication {r}: only {gone} gone");
        let g = gone as f64;
        z.push((back as f64 - p * g) / (g * p * (1.0 - p)).sqrt());
    }
    let mean = z.iter().sum::<f64>() / R as f64;
    assert!((mean * (R as f64).sqrt()).abs() < 4.0, "the crowd's mean is off: z = {:.2}", mean * (R as f64).sqrt());
    let chi2 = ChiSquared::new(R as f64).expect("degrees of freedom");
    let squares: f64 = z.iter().map(|x| x * x).sum();
    let (lo, hi) = (chi2.inverse_cdf(1e-4), chi2.inverse_cdf(1.0 - 1e-4));
    assert!((lo..hi).contains(&squares), "the crowd's spread is off: {squares:.1} outside {lo:.1}..{hi:.1}");
}

/// A round comes after the night: its close is the cohort's last, for the
/// booked share at close and the default milestones.
#[test]
fn the_rounds_close_is_the_cohorts_last() {
    let s = night(40, 0.7, "6h");
    let closes: Vec<f64> = s.milestones.iter().map(|m| m.as_secs_f64()).collect();
    assert_eq!(closes, [4200.0, 10_800.0], "the window's close, then the round's");
    assert_eq!(s.cohorts[0].last_close().map(|t| t.as_secs_f64()), Some(10_800.0));
}
