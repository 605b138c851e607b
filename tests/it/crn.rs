//! Common random numbers (issue 17): runs of one seed and replication that
//! differ in a capacity, an admission rule or another cohort meet the same
//! people, arriving at the same instants, each with the same draws; so the
//! difference between two scenarios is measured with far less noise than
//! between independent runs.

use crate::common::*;
use statrs::distribution::{ContinuousCDF, FisherSnedecor};
use surgesim::simulate;
use surgesim::stats::{Headline, Results, RunFigures};
use surgesim::Scenario;

/// A 19 July night at 1 %: surge, retries, several cohorts, a front tier.
fn night(file: &str, sets: &[&str]) -> Scenario {
    bundled(file, sets).scaled(0.01)
}

fn arrivals_per_bin(r: &Results) -> Vec<u64> {
    r.bins.iter().map(|b| b.counts.arrivals).collect()
}

/// The first bin where two columns differ, and their values there.
fn first_difference(a: &[u64], b: &[u64]) -> Option<(usize, u64, u64)> {
    if a.len() != b.len() {
        return Some((a.len().min(b.len()), a.len() as u64, b.len() as u64));
    }
    a.iter().zip(b).enumerate().find(|(_, (x, y))| x != y).map(|(i, (x, y))| (i, *x, *y))
}

fn first_attempts_per_cohort(r: &Results) -> Vec<u64> {
    r.cohorts.iter().map(|c| c.counts.arrivals).collect()
}

/// Two nights that differ in the backend's capacity (the night without a
/// waiting room, where the backend turns people away), or in the waiting
/// room's: the same first attempts minute by minute, in every cohort; what
/// the capacity changes (retries, bookings) does change.
#[test]
fn capacity_changes_keep_every_arrival_instant() {
    // Before scaling: the files' 300,000 sessions and admitted at once,
    // against 30,000 sessions (the backend turns some away at 1 %) and
    // 2,000 admitted at once (fewer than the 2,300 the night keeps busy).
    let pairs = [
        ("what-if-no-waiting-room.toml", "backend.max_sessions=30000"),
        ("kdca-2021-07-19.toml", "waiting_room.max_active=2000"),
    ];
    for (file, set) in pairs {
        let what = format!("{file} with {set}");
        let r0 = simulate(&night(file, &[]), 0).results;
        let r1 = simulate(&night(file, &[set]), 0).results;
        let differ = first_difference(&arrivals_per_bin(&r0), &arrivals_per_bin(&r1));
        assert_eq!(differ, None, "{what}: first attempts differ, at (bin, one, other)");
        assert_eq!(first_attempts_per_cohort(&r0), first_attempts_per_cohort(&r1), "{what}");
        assert_ne!(r0.totals().retries, r1.totals().retries, "{what} should change the night after the first attempts");
    }
}

/// A cohort's arrival instants depend on its own definition only: adding
/// an unrelated cohort (before it in the file or after), or resizing
/// another, leaves them where they were. Checked bin by bin: the night's
/// first attempts are exactly the sum of each cohort's own.
#[test]
fn other_cohorts_do_not_move_a_cohorts_arrivals() {
    let cohort = |name: &str, people: u64, curve: &str| {
        format!("[[cohort]]\nname = \"{name}\"\npeople = {people}\narrivals = {curve}\n")
    };
    let x =
        cohort("53-54", 20_000, r#"{ curve = "surge", share = 0.6, tau = "10m", early = "20m", early_share = 0.1 }"#);
    let y = |people| cohort("visitors", people, r#"{ curve = "constant" }"#);
    let text = |cohorts: &str| {
        format!(
            "[scenario]\nname = \"crn\"\nduration = \"3h\"\n{cohorts}[clients]\nsession = {{ dist = \"exponential\", mean = \"2m\" }}\n\
             [waiting_room]\nmax_active = 100\n[backend]\nmax_sessions = 100\n"
        )
    };
    let run = |cohorts: &str| arrivals_per_bin(&simulate(&from_text(&text(cohorts), &repo()), 0).results);
    let alone = run(&x);
    for y_people in [5_000, 17_000] {
        let others = run(&y(y_people));
        for together in [format!("{x}{}", y(y_people)), format!("{}{x}", y(y_people))] {
            let both = run(&together);
            // Wrapping: a cohort that moved may leave a bin short of the others.
            let minus: Vec<u64> = both.iter().zip(&others).map(|(b, o)| b.wrapping_sub(*o)).collect();
            let differ = first_difference(&minus, &alone);
            assert_eq!(differ, None, "53-54's first attempts moved with visitors = {y_people}, at (bin, ...)");
        }
    }
}

/// The variance of the difference of a figure between two scenarios over R
/// replications: paired on the same replication (common random numbers),
/// and independent (replication r of A against replication r + R of B).
/// Returns (paired, independent).
fn difference_variances(a: &Scenario, b: &Scenario, figure: Headline, r: u64) -> (f64, f64) {
    let value = |s: &Scenario, rep: u64| {
        let fig = RunFigures::of(s, simulate(s, rep).results);
        fig.headline.get(figure).expect("defined")
    };
    let var = |d: &[f64]| {
        let m = d.iter().sum::<f64>() / d.len() as f64;
        d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (d.len() - 1) as f64
    };
    let (mut paired, mut independent) = (Vec::new(), Vec::new());
    for rep in 0..r {
        let va = value(a, rep);
        paired.push(va - value(b, rep));
        independent.push(va - value(b, rep + r));
    }
    (var(&paired), var(&independent))
}

/// The bound the variance ratio must stay under: the α = 1e-4 lower
/// quantile of F(R - 1, R - 1). Without common random numbers the paired
/// and the independent differences have the same variance, and the ratio
/// of their sample variances falls below this bound once in 10,000 tries
/// (less, since the two share A's replications); with them, a true ratio
/// well below the bound passes as surely (at a true ratio of 0.1, the
/// observed one exceeds the bound about once in 5,000 tries). So the
/// margin follows from R alone: with R = 40, 0.30.
fn bound(r: u64) -> f64 {
    let df = (r - 1) as f64;
    FisherSnedecor::new(df, df).expect("positive degrees of freedom").inverse_cdf(1e-4)
}

fn check_ratio(what: &str, a: &Scenario, b: &Scenario, figure: Headline) {
    const R: u64 = 40;
    let (paired, independent) = difference_variances(a, b, figure, R);
    let ratio = paired / independent;
    let limit = bound(R);
    eprintln!(
        "{what}: variance of the difference over {R} replications, paired {paired:.4e}, independent \
         {independent:.4e}: ratio {ratio:.4} (bound {limit:.3})"
    );
    assert!(ratio < limit, "{what}: paired / independent variance {ratio:.4}, expected below {limit:.3}");
}

/// Erlang-A (M/M/c+M, patience drawn per person), 30 against 31
/// sessions at load 33 (10 hours, 19,800 callers each): the mean wait.
/// (Erlang-A rather than M/M/c: there one session more shrinks the waits
/// so much that the difference is mostly the smaller system's own spread,
/// whatever the pairing; M/M/50 against M/M/51 gives about 0.1, near that
/// floor, and M/M/52 about 0.3.)
#[test]
fn paired_differences_of_the_mean_wait_are_far_less_noisy() {
    let sets = ["scenario.duration=10h", "cohort.0.people=19800"];
    let a = bundled("erlang-a.toml", &sets);
    let b = bundled("erlang-a.toml", &[&sets[..], &["backend.max_sessions=31", "waiting_room.max_active=31"]].concat());
    check_ratio("M/M/30+M vs M/M/31+M, mean wait", &a, &b, Headline::WaitMean);
}

/// The same, 30 against 32 sessions: the people booked.
#[test]
fn paired_differences_of_bookings_are_far_less_noisy() {
    let sets = ["scenario.duration=10h", "cohort.0.people=19800"];
    let a = bundled("erlang-a.toml", &sets);
    let b = bundled("erlang-a.toml", &[&sets[..], &["backend.max_sessions=32", "waiting_room.max_active=32"]].concat());
    check_ratio("M/M/30+M vs M/M/32+M, booked", &a, &b, Headline::Booked);
}
