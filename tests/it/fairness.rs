//! Who gets booked (issue 24): the fairness figures respond to the
//! mechanisms they are meant to measure. FIFO overtakes nobody, a random
//! order overtakes half the pairs that waited together, a pre-queue shuffle
//! gives every early comer the same chance while FIFO favours the earliest,
//! Jain's index sees a cohort shut out, and the new tables add up to the
//! figures the run already had, on every event queue.
//!
//! The tolerances are derived from the sampling law of each figure under
//! the mechanism (a random permutation, a random subset), at four standard
//! errors or the 0.999 quantile: a false alarm for a correct model is a
//! one-in-a-thousand-or-rarer event, while a real bias (FIFO where a shuffle
//! was asked for) lands tens of standard errors away.

use crate::common::*;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use surgesim::stats::{ArrivalRow, DropCause, Headline, Results, RunFigures};
use surgesim::{simulate, simulate_on, QueueKind, Scenario};

/// One cohort of `people` who all come in the hour before the room opens
/// at 1h (uniformly over [0, 1h)), booking sessions of a minute on
/// `sessions` seats, the line in `order`; `tail` adds keys at the end
/// (under `[backend]`).
fn prequeued(people: u64, order: &str, sessions: u64, arrival_bin: &str, tail: &str) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "fairness-prequeued"
duration = "6h"
bin = "10m"
arrival_bin = "{arrival_bin}"
seed = 11

[[cohort]]
name = "early"
people = {people}
windows = [{{ opens = "1h", closes = "6h" }}]
arrivals = {{ curve = "surge", share = 0.0, early = "1h", early_share = 1.0 }}

[clients]
session = {{ dist = "exponential", mean = "1m" }}

[waiting_room]
order = "{order}"

[backend]
max_sessions = {sessions}
{tail}
"#
    );
    from_text(&text, &repo())
}

/// One cohort of `people` arriving at a constant rate over two hours into
/// a line that grows (about 2,000 an hour against 1,200 sessions of a
/// minute on 20 seats), `order` given; nobody leaves, retries or bounces,
/// and there is no front tier.
fn steady_line(people: u64, order: &str) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "fairness-line"
duration = "6h"
bin = "10m"
seed = 5

[[cohort]]
name = "all"
people = {people}
windows = [{{ opens = "0m", closes = "2h" }}]
"#
    );
    with_line(&text, order, "")
}

fn figure(r: &RunFigures, h: Headline) -> Option<f64> {
    *r.headline.get(h)
}

/// The rows of cohort `c` in `by_arrival`.
fn rows_of<'a>(s: &Scenario, rows: &'a [ArrivalRow], c: usize) -> &'a [ArrivalRow] {
    let bins = s.arrival_bins();
    &rows[c * bins..(c + 1) * bins]
}

/// The standard error of the overtaking rate of a uniformly random order
/// of `n` people: Kendall's distance of a random permutation has variance
/// n(n-1)(2n+5)/72 (Kendall, *Rank Correlation Methods*, 1948, ch. 4), so
/// as a share of the n(n-1)/2 pairs, √((2n+5) / (18·n(n-1))) ≈ 1/(3√n).
fn kendall_share_se(n: u64) -> f64 {
    let n = n as f64;
    ((2.0 * n + 5.0) / (18.0 * n * (n - 1.0))).sqrt()
}

/// Pearson's chi-square statistic of homogeneity of the (booked, not
/// booked) split across `rows` (each row's people: first comers and
/// returners), with the expected counts from the pooled share.
fn chi_square_booked(rows: &[&ArrivalRow]) -> f64 {
    let started = |r: &ArrivalRow| (r.counts.people + r.counts.returned) as f64;
    let total: f64 = rows.iter().map(|r| started(r)).sum();
    let booked: f64 = rows.iter().map(|r| r.counts.booked as f64).sum();
    let p = booked / total;
    rows.iter()
        .map(|r| {
            let (n, b) = (started(r), r.counts.booked as f64);
            let (eb, en) = (n * p, n * (1.0 - p));
            (b - eb).powi(2) / eb + ((n - b) - en).powi(2) / en
        })
        .sum()
}

fn share(r: &ArrivalRow) -> f64 {
    r.counts.booked as f64 / (r.counts.people + r.counts.returned) as f64
}

// 1. FIFO overtakes nobody.

/// A FIFO line with nobody retrying or bounced (a retry or a bounce joins
/// at the back, after later comers), and no front tier to reorder page
/// loads: people are admitted in the order they came, so not one ordered
/// pair is inverted, whatever the seed. (Ties within a millisecond are no
/// pairs, so this holds exactly, not within noise.)
#[test]
fn fifo_overtakes_nobody() {
    // Also with two or three devices a person (each holding a place; the
    // person's first admission is their first device's, which came first)
    // and with a second cohort whose window opens later (nobody of it comes
    // before it, so nobody of it waits for it in the line).
    let mut nights = vec![steady_line(4000, "fifo"), prequeued(3000, "fifo", 20, "10m", "")];
    nights.push(from_text(
        &fifo_variants("devices = { dist = \"discrete\", values = [1, 2, 3], weights = [0.5, 0.3, 0.2] }", "0m"),
        &repo(),
    ));
    nights.push(from_text(&fifo_variants("", "40m"), &repo()));
    // Patience without retries takes people out of the line but reorders
    // nobody; those back in a catch-up round are new starts, at their return.
    let catch_up = fifo_variants("patience = { dist = \"exponential\", mean = \"20m\" }", "0m").replace(
        "closes = \"2h\" }]\n\n[[cohort]]",
        "closes = \"2h\" }]\ncatch_up = [{ opens = \"3h\", closes = \"4h\", probability = 0.8 }]\n\n[[cohort]]",
    );
    assert!(catch_up.contains("catch_up"));
    nights.push(from_text(&catch_up, &repo()));
    let mut returned = 0;
    for s in nights {
        for replication in 0..3 {
            let r = simulate(&s, replication).results;
            let o = r.overtaking;
            returned += r.totals().returned;
            assert!(o.people > 1000 && o.ordered_pairs > 0, "{}: too few admitted to tell: {o:?}", s.name);
            assert_eq!(o.overtaken, 0, "{} replication {replication}: {o:?}", s.name);
            assert!(o.together > 0, "{}: people waited together", s.name);
            let f = RunFigures::of(&s, r);
            assert_eq!(figure(&f, Headline::OvertakingRate), Some(0.0));
            assert_eq!(figure(&f, Headline::OvertakingRateTogether), Some(0.0));
        }
    }
    assert!(returned > 0, "the catch-up night brings people back");
}

/// Two cohorts of 2,000 arriving at a constant rate from their windows'
/// openings (0m and `later`) into a FIFO line of 20 seats; `clients` keys.
fn fifo_variants(clients: &str, later: &str) -> String {
    format!(
        r#"
[scenario]
name = "fairness-fifo"
duration = "6h"
bin = "10m"
seed = 9

[[cohort]]
name = "a"
people = 2000
windows = [{{ opens = "0m", closes = "2h" }}]

[[cohort]]
name = "b"
people = 2000
windows = [{{ opens = "{later}", closes = "2h" }}]

[clients]
session = {{ dist = "exponential", mean = "1m" }}
{clients}

[waiting_room]
order = "fifo"

[backend]
max_sessions = 20
"#
    )
}

// 2. A random order overtakes about half of those who waited together.

/// On the same line a random order overtakes: far from FIFO's exact zero.
/// (Not every pair waited together, so not one half: people hundreds apart
/// in time never shared the line. With a line hundreds long, a good share
/// of pairs did; 20 standard errors of a random order's figure is a floor
/// no sampling wobble reaches.)
#[test]
fn a_random_order_overtakes() {
    let s = steady_line(4000, "random");
    let r = simulate(&s, 0).results;
    let o = r.overtaking;
    let rate = o.rate().expect("pairs");
    let floor = 20.0 * kendall_share_se(o.people);
    eprintln!("random order on a steady line: overtaking {rate:.4} over {} people (floor {floor:.4})", o.people);
    assert!(rate > floor, "overtaking {rate} among {} admitted, expected clearly above 0 (> {floor})", o.people);
    assert!(rate < 0.5, "a line that forms over two hours cannot mix all pairs: {rate}");
}

/// Everyone comes before the room opens: every pair waited together, so a
/// uniformly random admission order (the `random` bag, or the `pre-queue`
/// shuffled once at the opening) inverts each pair with probability one
/// half. The rate is a normalised Kendall distance of a random permutation:
/// within 4 standard errors of 1/2, the error derived from n.
#[test]
fn among_people_who_all_waited_together_a_random_order_overtakes_half() {
    for order in ["random", "prequeue_shuffle"] {
        for replication in 0..2 {
            let s = prequeued(4000, order, 20, "10m", "");
            let r = simulate(&s, replication).results;
            let o = r.overtaking;
            assert!(o.people >= 3900, "{order}: everyone is admitted in the 5 hours: {o:?}");
            let rate = o.rate().expect("pairs");
            assert_eq!(o.together, o.ordered_pairs, "{order}: everyone waited together");
            let tol = 4.0 * kendall_share_se(o.people);
            eprintln!("{order} rep {replication}: overtaking {rate:.4} ± {tol:.4} (4 SE) over {} people", o.people);
            assert!((rate - 0.5).abs() <= tol, "{order} rep {replication}: overtaking {rate}, expected 0.5 ± {tol}");
        }
    }
}

/// Three nights of the steady line, a day apart, in a random order: people
/// of different nights never met, so over all pairs the overtaking falls
/// to about a third of one night's (two pairs in three are across nights),
/// while over the pairs who waited together it stays one night's: each
/// night's pairs are the only ones that waited together. From the moment j
/// joins the bag, i and j are alike to a uniform draw (nobody leaves but
/// by admission), so each such pair is inverted with probability one half.
/// The tolerance is 4 standard errors of a random permutation of one
/// night's people (the share of its pairs, 1/(3√n)) doubled: fewer pairs
/// waited together than a whole night's.
#[test]
fn over_several_nights_overtaking_among_those_who_waited_together_stays_a_nights() {
    let night = steady_line(4000, "random");
    let one = RunFigures::of(&night, simulate(&night, 0).results);
    let text = format!(
        "[scenario]\nname = \"nights\"\nduration = \"54h\"\nbin = \"10m\"\nseed = 5\n\n{}\
         [clients]\nsession = {{ dist = \"exponential\", mean = \"1m\" }}\n\n\
         [waiting_room]\norder = \"random\"\n\n[backend]\nmax_sessions = 20\n",
        (0..3)
            .map(|d| format!(
                "[[cohort]]\nname = \"night {d}\"\npeople = 4000\nwindows = [{{ opens = \"{}h\", closes = \"{}h\" }}]\n\n",
                24 * d,
                24 * d + 2
            ))
            .collect::<String>()
    );
    let nights = from_text(&text, &repo());
    let r = simulate(&nights, 0).results;
    let o = r.overtaking;
    let three = RunFigures::of(&nights, r);
    let (all_1, all_3) =
        (figure(&one, Headline::OvertakingRate).unwrap(), figure(&three, Headline::OvertakingRate).unwrap());
    let (tog_1, tog_3) = (
        figure(&one, Headline::OvertakingRateTogether).unwrap(),
        figure(&three, Headline::OvertakingRateTogether).unwrap(),
    );
    let tol = 2.0 * 4.0 * kendall_share_se(4000);
    eprintln!("one night: {all_1:.4} over all pairs, {tog_1:.4} together; three: {all_3:.4}, {tog_3:.4} ({o:?}); tol {tol:.4}");
    assert!(all_3 < 0.5 * all_1, "three nights dilute the rate over all pairs: {all_3} against {all_1}");
    for (what, rate) in [("one night", tog_1), ("three nights", tog_3)] {
        assert!(
            (rate - 0.5).abs() <= tol,
            "{what}: overtaking among those who waited together {rate}, expected 0.5 ± {tol}"
        );
    }
}

// 3. The pre-queue shuffle gives every early comer the same chance.

/// Six ten-minute arrival bins before the opening, inventory for half the
/// people. Shuffled, who books is a uniformly random half whatever the
/// bin: the (booked, not) table is homogeneous, and Pearson's chi-square
/// stays below its 0.999 quantile with df = bins − 1 = 5 (20.52; computed
/// here from the distribution). FIFO on the same night books the first
/// bins and sells out before the last: the first bin's share near 1, the
/// last's near 0, and a chi-square hundreds of times the critical value.
#[test]
fn a_prequeue_shuffle_books_every_early_bin_alike_and_fifo_does_not() {
    let people = 6000;
    let slots = format!("slots = {}", people / 2);
    let early_rows = |s: &Scenario, r: &Results| -> Vec<ArrivalRow> {
        // The bins before the opening at 1h: 6 of 10 minutes.
        let rows = rows_of(s, &r.by_arrival, 0);
        assert!(rows[6..].iter().all(|r| r.counts.people == 0), "nobody comes after the opening");
        rows[..6].to_vec()
    };
    let critical = ChiSquared::new(5.0).unwrap().inverse_cdf(0.999);
    assert!((critical - 20.515).abs() < 0.01, "the table's 0.999 quantile at df 5 is 20.515: {critical}");

    for replication in 0..3 {
        let s = prequeued(people, "prequeue_shuffle", 20, "10m", &slots);
        let r = simulate(&s, replication).results;
        let rows = early_rows(&s, &r);
        assert!(rows.iter().all(|r| r.counts.people >= 800), "each bin holds about 1,000 people: {rows:?}");
        assert_eq!(rows.iter().map(|r| r.counts.booked).sum::<u64>(), people / 2, "the inventory sells out");
        let refs: Vec<&ArrivalRow> = rows.iter().collect();
        let chi = chi_square_booked(&refs);
        let shares: Vec<f64> = rows.iter().map(share).collect();
        eprintln!("shuffle rep {replication}: shares {shares:.3?}, chi-square {chi:.2} (critical {critical:.2})");
        assert!(chi < critical, "shuffle rep {replication}: chi-square {chi:.2} ≥ {critical:.2}, shares {shares:?}");
    }

    let s = prequeued(people, "fifo", 20, "10m", &slots);
    let r = simulate(&s, 0).results;
    let rows = early_rows(&s, &r);
    let refs: Vec<&ArrivalRow> = rows.iter().collect();
    let chi = chi_square_booked(&refs);
    let (first, last) = (share(&rows[0]), share(&rows[5]));
    eprintln!("fifo: shares {:.3?}, chi-square {chi:.1}", rows.iter().map(share).collect::<Vec<_>>());
    assert!(first > 0.95 && last < 0.05, "FIFO books the first comers: first bin {first}, last {last}");
    // Nobody is admitted before 1h: a booking from bin i (its first attempts
    // before (i+1)·10m) waited at least 1h − (i+1)·10m from its first attempt.
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| r.counts.booked > 0) {
        let floor = 3600.0 - 600.0 * (i + 1) as f64;
        let p50 = row.wait[0].expect("booked");
        assert!(p50 >= floor && row.wait[1] >= row.wait[0], "bin {i}: waits {:?}, expected ≥ {floor} s", row.wait);
    }
    assert!(chi > 100.0 * critical, "FIFO's booked share falls with arrival: chi-square {chi}");
}

// 4. booking_chance_ratio and jain_index.

/// Two arrival bins of half an hour before the opening, inventory for three
/// quarters of the people (m slots; N₀ and N₁ people in the bins). FIFO
/// books all of the first bin and the rest of the slots from the second: a
/// ratio of exactly N₁/(m − N₀), near 2, its highest bin the first. A random
/// order (the `random` bag or the pre-queue shuffled) books a uniformly
/// random m of the N₀ + N₁: bin 0's bookings X are hypergeometric, and
/// within 4 of its standard deviations of m·N₀/N the ratio stays below the
/// bound computed from that X (about 1.08 here). The ratio is never below
/// 1, and is undefined when fewer than two bins hold
/// `arrival_bin_min_people`.
#[test]
fn booking_chance_ratio_is_higher_when_later_comers_are_shut_out() {
    let people = 4000;
    let m = 3 * people / 4;
    let slots = format!("slots = {m}");
    let fifo = prequeued(people, "fifo", 20, "30m", &slots);
    let f = RunFigures::of(&fifo, simulate(&fifo, 0).results);
    let (n0, n1) = (f.by_arrival[0].counts.people, f.by_arrival[1].counts.people);
    assert_eq!(n0 + n1, people, "everyone comes in the hour before the opening");
    let ratio_fifo = figure(&f, Headline::BookingChanceRatio).expect("two full bins, both booked");
    let expected = n1 as f64 / (m - n0) as f64;
    eprintln!("booking_chance_ratio: fifo {ratio_fifo:.4}, expected N1/(m - N0) = {expected:.4}");
    assert!((ratio_fifo - expected).abs() < 1e-12, "FIFO books bin 0 whole: {ratio_fifo}, expected {expected}");
    let spread = f.chance.as_ref().expect("two bins");
    assert_eq!((spread.bins, spread.highest.bin, spread.lowest.bin), (2, 0, 1), "{spread:?}");
    assert_eq!(spread.ratio(), Some(ratio_fifo), "the headline is the spread's ratio");

    for order in ["random", "prequeue_shuffle"] {
        let s = prequeued(people, order, 20, "30m", &slots);
        let r = RunFigures::of(&s, simulate(&s, 0).results);
        let (n0, n1) = (r.by_arrival[0].counts.people as f64, r.by_arrival[1].counts.people as f64);
        let (n, mf) = (n0 + n1, m as f64);
        let sd = (mf * (n0 / n) * (n1 / n) * (n - mf) / (n - 1.0)).sqrt();
        let ratio_at = |x: f64| {
            let (a, b) = (x / n0, (mf - x) / n1);
            a.max(b) / a.min(b)
        };
        let mean = mf * n0 / n;
        let bound = ratio_at(mean + 4.0 * sd).max(ratio_at(mean - 4.0 * sd));
        let ratio = figure(&r, Headline::BookingChanceRatio).expect("two full bins, both booked");
        eprintln!("booking_chance_ratio: {order} {ratio:.4} (bound {bound:.4})");
        assert!((1.0..=bound).contains(&ratio), "{order}: {ratio}, expected 1 to {bound}");
        assert!(bound < ratio_fifo, "the test tells the orders apart: {bound} vs FIFO's {ratio_fifo}");
    }

    // Bins of about 2,000 people against a threshold above that: no bin
    // counts, no ratio.
    let mut few = prequeued(people, "fifo", 20, "30m", &slots);
    few.arrival_bin_min_people = people;
    let r = RunFigures::of(&few, simulate(&few, 0).results);
    assert_eq!(r.chance, None, "no bin holds {people} people");
    assert_eq!(figure(&r, Headline::BookingChanceRatio), None);
    // One bin that counts is not two.
    let mut one = prequeued(people, "fifo", 20, "1h", &slots);
    one.arrival_bin_min_people = 100;
    let r = RunFigures::of(&one, simulate(&one, 0).results);
    assert_eq!(r.by_arrival.iter().filter(|r| r.counts.people >= 100).count(), 1, "everyone came in the first hour");
    assert_eq!((r.chance.clone(), figure(&r, Headline::BookingChanceRatio)), (None, None));
}

/// Two cohorts of `people`, windows opening at 0 and at `later` (both
/// closing at 6h), a burst after each opening; `order` and `backend` keys.
fn two_cohorts(people: u64, later: &str, order: &str, duration: &str, backend: &str) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "fairness-cohorts"
duration = "{duration}"
bin = "10m"
seed = 21

[[cohort]]
name = "first"
people = {people}
windows = [{{ opens = "0m", closes = "6h" }}]
arrivals = {{ curve = "surge", share = 1.0, tau = "5m" }}

[[cohort]]
name = "second"
people = {people}
windows = [{{ opens = "{later}", closes = "6h" }}]
arrivals = {{ curve = "surge", share = 1.0, tau = "5m" }}
"#
    );
    with_line(&text, order, backend)
}

/// `cohorts` (the scenario and its cohorts) with the line both builders
/// share: sessions of a minute on 20 seats, a room in `order`, and the
/// `backend` keys given.
fn with_line(cohorts: &str, order: &str, backend: &str) -> Scenario {
    let text = format!(
        r#"{cohorts}
[clients]
session = {{ dist = "exponential", mean = "1m" }}

[waiting_room]
order = "{order}"

[backend]
max_sessions = 20
{backend}
"#
    );
    from_text(&text, &repo())
}

/// Two identical cohorts sharing inventory for half of them, in a random
/// order: which cohort a booked person is from is a fair draw, so cohort
/// A's bookings X are hypergeometric (N = 2n people, n of them A's, m = n
/// bookings). With shares p ± d, d = (X − m/2)/n, Jain's index is
/// p²/(p² + d²) ≥ 1 − d²/p²: within 4 standard deviations of X, 1 − J is
/// at most (4·sd(X)/n)²/p², about 8/n. When the second cohort's window
/// opens two hours later, the first has booked the inventory by then
/// (slots) or the line ahead of it has outlasted the night (FIFO, no
/// slots): the index falls far below that band (to 1/2 when one cohort
/// gets everything).
#[test]
fn jain_index_is_one_for_twins_and_falls_when_one_comes_late() {
    let n = 2000u64;
    let slots = format!("slots = {n}");
    let (nf, m) = (n as f64, n as f64);
    let big_n = 2.0 * nf;
    let sd_x = (m * 0.5 * 0.5 * (big_n - m) / (big_n - 1.0)).sqrt();
    let p = m / big_n;
    let band = (4.0 * sd_x / nf).powi(2) / (p * p);

    for replication in 0..3 {
        let s = two_cohorts(n, "0m", "random", "6h", &slots);
        let r = RunFigures::of(&s, simulate(&s, replication).results);
        let j = figure(&r, Headline::JainIndex).expect("bookings");
        eprintln!("twins rep {replication}: jain {j:.5}, 1 - band {:.5}", 1.0 - band);
        assert!(j <= 1.0 + 1e-12 && j >= 1.0 - band, "twins rep {replication}: jain {j}, expected ≥ {}", 1.0 - band);
    }

    // Inventory: the first cohort books every slot before the second opens.
    let s = two_cohorts(n, "2h", "random", "6h", &slots);
    let r = RunFigures::of(&s, simulate(&s, 0).results);
    let j = figure(&r, Headline::JainIndex).expect("bookings");
    eprintln!("late cohort, slots: jain {j:.4}");
    assert!((j - 0.5).abs() < 0.01, "one cohort gets all {n} slots: jain {j}, expected 1/2");

    // A FIFO line: the second cohort stands behind the first's (2,000 at
    // 1,200 an hour) and the night ends at 2h30m, half an hour after it came.
    let s = two_cohorts(n, "1h", "fifo", "2h30m", "");
    let r = RunFigures::of(&s, simulate(&s, 0).results);
    let j = figure(&r, Headline::JainIndex).expect("bookings");
    eprintln!("late cohort, fifo: jain {j:.4}");
    assert!(j < 1.0 - 10.0 * band, "the late cohort books less: jain {j}, band {band}");
}

// 5. The new tables add up to the run's figures.

/// A night with everything that moves people between bins and rows:
/// retries, patience, several devices, a small front tier, a bounded line,
/// a sell-out of one cohort, an ineligible cohort, and a catch-up round.
/// Arrival bins of 25 minutes over 4 hours: the last is a partial one.
fn busy_night(order: &str) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "fairness-busy"
duration = "4h"
bin = "10m"
arrival_bin = "25m"
arrival_bin_min_people = 50
seed = 17

[[cohort]]
name = "old"
people = 3000
slots = 1200
windows = [{{ opens = "10m", closes = "1h30m" }}]
arrivals = {{ curve = "surge", share = 0.6, tau = "5m", early = "10m", early_share = 0.2 }}
catch_up = [{{ opens = "2h", closes = "3h", probability = 0.5 }}]

[[cohort]]
name = "young"
people = 3000
windows = [{{ opens = "30m", closes = "3h" }}]
arrivals = {{ curve = "surge", share = 0.5, tau = "10m" }}
clients = {{ patience = {{ dist = "exponential", mean = "10m" }} }}

[[cohort]]
name = "visitors"
people = 500
eligible = false

[clients]
session = {{ dist = "exponential", mean = "2m" }}
patience = {{ dist = "exponential", mean = "20m" }}
retry = {{ probability = 0.6, delay = {{ dist = "exponential", mean = "3m" }}, max_attempts = 4 }}
devices = {{ dist = "discrete", values = [1, 2, 3], weights = [0.6, 0.3, 0.1] }}

[front]
capacity = 3
service = {{ dist = "exponential", mean = "300ms" }}
timeout = "10s"

[waiting_room]
order = "{order}"
max_queue = 2000
bounce_probability = 0.02

[backend]
max_sessions = 60
error_probability = 0.02
"#
    );
    from_text(&text, &repo())
}

/// Each cohort's arrival rows add up to its counts exactly: people are its
/// first comers, bookings its bookings, attempts its attempts (retries,
/// returns and extra devices included), and gave_up less returned its
/// gave_up (net of those who came back in the round).
#[test]
fn arrival_rows_add_up_to_each_cohort() {
    for order in ["fifo", "random"] {
        let s = busy_night(order);
        let r = simulate(&s, 0).results;
        assert_eq!(r.by_arrival.len(), s.cohorts.len() * s.arrival_bins());
        for (c, cohort) in r.cohorts.iter().enumerate() {
            let k = &cohort.counts;
            let rows = rows_of(&s, &r.by_arrival, c);
            let sum = |f: fn(&ArrivalRow) -> u64| rows.iter().map(f).sum::<u64>();
            let name = &s.cohorts[c].name;
            assert_eq!(sum(|r| r.counts.people), k.arrivals, "{order} {name}: people");
            assert_eq!(sum(|r| r.counts.booked), k.booked, "{order} {name}: booked");
            assert_eq!(sum(|r| r.counts.attempts), k.attempts(), "{order} {name}: attempts");
            assert_eq!(sum(|r| r.counts.returned), k.returned, "{order} {name}: returned");
            assert_eq!(sum(|r| r.counts.gave_up) - sum(|r| r.counts.returned), k.gave_up, "{order} {name}: gave_up");
            for row in rows {
                // A booking's wait exists exactly when the row booked someone.
                assert_eq!(row.wait[0].is_some(), row.counts.booked > 0, "{order} {name}: {row:?}");
                if let [Some(p50), Some(p90)] = row.wait {
                    assert!(0.0 <= p50 && p50 <= p90, "{order} {name}: {row:?}");
                }
            }
        }
        // The night exercised what the rows must survive.
        let t = r.totals();
        assert!(t.returned > 0 && t.device_arrivals > 0 && t.retries > t.returned, "{order}: {t:?}");
        assert!(t.abandoned > 0 && t.gave_up > 0, "{order}: {t:?}");
        assert!(r.cohorts[0].sold_out_at.is_some(), "{order}: the old cohort sells out");
    }
}

/// The headline's ratio and index are what their definitions give from the
/// rows and cohorts, computed here on their own: the ratio from the arrival
/// rows of eligible cohorts holding `arrival_bin_min_people` (the
/// ineligible visitors, who book nobody, left out; with them the lowest
/// share would be 0 and the ratio undefined), Jain's index from the
/// eligible cohorts' booked shares of their people (with the visitors' 0 it
/// would be at most 2/3 of what it is).
#[test]
fn the_headline_reads_the_eligible_rows_and_cohorts() {
    let mut defined = 0;
    for (order, sell_out) in [("fifo", true), ("random", true), ("fifo", false), ("random", false)] {
        let mut s = busy_night(order);
        if !sell_out {
            // Without the old cohort's sell-out, its late and returning
            // comers book too: every bin books someone, and the ratio is defined.
            s.cohorts[0].slots = None;
        }
        let r = simulate(&s, 0).results;
        let bins = s.arrival_bins();
        let shares: Vec<f64> = (r.by_arrival.iter().enumerate())
            .filter(|(i, row)| {
                s.cohorts[i / bins].eligible && row.counts.people + row.counts.returned >= s.arrival_bin_min_people
            })
            .map(|(_, row)| share(row))
            .collect();
        assert!(shares.len() >= 4, "{order}: bins to compare: {shares:?}");
        let (hi, lo) = shares.iter().fold((0.0f64, 1.0f64), |(h, l), &x| (h.max(x), l.min(x)));
        let eligible: Vec<f64> = (s.cohorts.iter().zip(&r.cohorts))
            .filter(|(c, _)| c.eligible)
            .map(|(c, cr)| cr.counts.booked as f64 / c.people as f64)
            .collect();
        assert_eq!(eligible.len(), 2);
        let jain = eligible.iter().sum::<f64>().powi(2) / (2.0 * eligible.iter().map(|x| x * x).sum::<f64>());
        let f = RunFigures::of(&s, r);
        let ratio = figure(&f, Headline::BookingChanceRatio);
        defined += usize::from(ratio.is_some());
        assert_eq!(ratio, (lo > 0.0).then(|| hi / lo), "{order}: shares {shares:?}");
        let j = figure(&f, Headline::JainIndex).expect("bookings");
        assert!((j - jain).abs() < 1e-12, "{order}: jain {j}, expected {jain} from {eligible:?}");
    }
    assert!(defined >= 2, "the nights without a sell-out define the ratio");
}

/// The waits of a row are exact percentiles of the same waits as the
/// cohort's `time_to_book` histogram (first attempt, or return, to
/// booking): with one arrival bin spanning the run, a cohort's row p50/p90
/// lies in the histogram's slot, which reports its top. Three significant
/// figures make the histogram's slots 2^11 sub-buckets wide, so the top of
/// a slot is at most 1/1024 above any value in it (values below 2,048 ms
/// are exact).
#[test]
fn a_rows_waits_are_the_exact_times_to_book() {
    let mut s = busy_night("random");
    s.arrival_bin = s.duration;
    assert_eq!(s.arrival_bins(), 1);
    let r = simulate(&s, 0).results;
    for (c, cohort) in r.cohorts.iter().enumerate() {
        let row = &r.by_arrival[c];
        for (i, q) in [0.5, 0.9].into_iter().enumerate() {
            let hist = cohort.time_to_book.quantile_secs(q);
            match (row.wait[i], hist) {
                (Some(exact), Some(top)) => {
                    let slack = exact / 1024.0 + 1e-9;
                    assert!(
                        exact <= top + 1e-9 && top <= exact + slack,
                        "cohort {c} q {q}: exact {exact}, histogram {top}"
                    );
                }
                (None, None) => assert_eq!(row.counts.booked, 0),
                other => panic!("cohort {c} q {q}: {other:?}"),
            }
        }
    }
    assert!(r.by_arrival[0].wait[0].is_some(), "the old cohort books");
}

/// Each bin's cohort rows add up to the bin: arrivals, admissions,
/// bookings, abandonments and drops cause by cause, and the line at the
/// bin's end.
#[test]
fn cohort_bins_add_up_to_the_time_series() {
    for order in ["fifo", "random"] {
        let s = busy_night(order);
        let r = simulate(&s, 0).results;
        let n = s.cohorts.len();
        assert_eq!(r.cohort_bins.len(), r.bins.len() * n);
        let mut drops_seen = [0u64; DropCause::COUNT];
        for (b, bin) in r.bins.iter().enumerate() {
            let rows = &r.cohort_bins[b * n..(b + 1) * n];
            let sum = |f: fn(&surgesim::stats::CohortBin) -> u64| rows.iter().map(f).sum::<u64>();
            let k = &bin.counts;
            let at = format!("{order}, bin {b}");
            assert_eq!(sum(|c| c.arrivals), k.arrivals, "{at}: arrivals");
            assert_eq!(sum(|c| c.admitted), k.admitted, "{at}: admitted");
            assert_eq!(sum(|c| c.booked), k.booked, "{at}: booked");
            assert_eq!(sum(|c| c.abandoned), k.abandoned, "{at}: abandoned");
            assert_eq!(sum(|c| c.queue_len), bin.end.queue_len, "{at}: queue_len");
            for cause in DropCause::ALL {
                let i = cause as usize;
                assert_eq!(rows.iter().map(|c| c.dropped[i]).sum::<u64>(), k.dropped[i], "{at}: {}", cause.column());
                drops_seen[i] += k.dropped[i];
            }
        }
        // And over the bins, to each cohort's totals.
        for (c, cohort) in r.cohorts.iter().enumerate() {
            let booked: u64 = r.cohort_bins.iter().skip(c).step_by(n).map(|x| x.booked).sum();
            assert_eq!(booked, cohort.counts.booked, "{order}, cohort {c}");
        }
        let causes = drops_seen.iter().filter(|&&d| d > 0).count();
        assert!(causes >= 3, "{order}: the night drops for several causes: {drops_seen:?}");
        assert!(r.bins.iter().any(|b| b.end.queue_len > 0), "{order}: a line forms");
    }
}

// 6. Determinism.

/// The fairness figures and the tables behind them are a function of the
/// scenario and seed: the same on a second run and on each of the three
/// future-event lists.
#[test]
fn fairness_figures_do_not_depend_on_the_run_or_the_event_queue() {
    let fairness = [Headline::OvertakingRate, Headline::BookingChanceRatio, Headline::JainIndex];
    for order in ["random", "prequeue_shuffle"] {
        let s = busy_night(order);
        let reference = simulate_on(&s, 1, QueueKind::Radix).results;
        for queue in [QueueKind::Radix, QueueKind::Heap, QueueKind::Calendar] {
            let r = simulate_on(&s, 1, queue).results;
            assert_eq!(r.overtaking, reference.overtaking, "{order} {queue:?}");
            assert_eq!(r.by_arrival, reference.by_arrival, "{order} {queue:?}");
            assert_eq!(r.cohort_bins, reference.cohort_bins, "{order} {queue:?}");
            let (a, b) = (RunFigures::of(&s, r), RunFigures::of(&s, reference.clone()));
            for h in fairness {
                let (x, y) = (figure(&a, h), figure(&b, h));
                // (booking_chance_ratio may be undefined here: a bin of the
                // sold-out cohort can book nobody; `chance` is compared below.)
                assert!(x.is_some() || h == Headline::BookingChanceRatio, "{order}: {h:?} undefined");
                assert_eq!(x.map(f64::to_bits), y.map(f64::to_bits), "{order} {queue:?} {h:?}");
            }
            assert_eq!(a.chance, b.chance, "{order} {queue:?}");
            // Where defined, the ratio is highest over lowest (≥ 1), and
            // Jain's index of the two eligible cohorts lies in [1/2, 1].
            if let Some(ratio) = figure(&a, Headline::BookingChanceRatio) {
                assert!(ratio >= 1.0, "{order}: {ratio}");
            }
            let j = figure(&a, Headline::JainIndex).expect("bookings");
            assert!((0.5..=1.0 + 1e-12).contains(&j), "{order}: jain {j}");
        }
    }
}
