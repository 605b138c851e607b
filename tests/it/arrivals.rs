//! First attempts per bin follow each arrival curve within Poisson noise.
//!
//! The check is Pearson's chi-square over the bins (expected counts from the
//! curve, computed here independently of the simulator): with k bins the
//! statistic has mean k-1 and s.d. sqrt(2(k-1)) for a correct curve; we
//! accept below mean + 4 s.d. A curve off by a few percent in its shape
//! inflates the statistic far beyond that with tens of thousands of arrivals.

use crate::common::*;
use surgesim::simulate;

/// Arrivals per bin, with the session capacity big enough to stay out of
/// the way (arrivals do not depend on it anyway).
fn arrivals(text: &str, base: &std::path::Path) -> Vec<f64> {
    let s = from_text(text, base);
    simulate(&s, 0).results.bins.iter().map(|b| b.counts.arrivals as f64).collect()
}

fn chi_square_ok(observed: &[f64], expected: &[f64]) {
    let total_o: f64 = observed.iter().sum();
    let total_e: f64 = expected.iter().sum();
    assert!((total_o - total_e).abs() < 1.0 + 1e-6 * total_e, "all people arrive: {total_o} vs {total_e}");
    let (mut x2, mut k) = (0.0, 0);
    for (o, e) in observed.iter().zip(expected) {
        if *e >= 5.0 {
            x2 += (o - e).powi(2) / e;
            k += 1;
        } else {
            assert!(*o <= e + 5.0 * e.sqrt().max(1.0), "a near-empty bin got {o}, expected {e}");
        }
    }
    let df = (k - 1) as f64;
    let limit = df + 4.0 * (2.0 * df).sqrt();
    eprintln!("chi-square {x2:.1} on {df} degrees of freedom (limit {limit:.1})");
    assert!(x2 < limit, "chi-square {x2:.1} on {df} df exceeds {limit:.1}: counts do not follow the curve");
}

fn scenario(arrivals: &str, people: &str, windows: &str) -> String {
    format!(
        r#"
[scenario]
name = "arrivals"
duration = "3h"
bin = "1m"
[[cohort]]
name = "c"
{people}
{windows}
arrivals = {arrivals}
[backend]
max_sessions = 1000000
"#
    )
}

#[test]
fn constant_is_uniform_over_the_window() {
    let text =
        scenario(r#"{ curve = "constant" }"#, "people = 60000", r#"windows = [{ opens = "30m", closes = "2h30m" }]"#);
    let obs = arrivals(&text, &repo());
    let exp: Vec<f64> = (0..180).map(|m| if (30..150).contains(&m) { 500.0 } else { 0.0 }).collect();
    chi_square_ok(&obs, &exp);
}

#[test]
fn surge_has_its_burst_its_early_birds_and_its_spread() {
    // 60 % in a burst with tau = 10 min from opening at 30m, 10 % in the
    // 20 minutes before opening (held until it opens), 30 % over the window.
    let text = scenario(
        r#"{ curve = "surge", share = 0.6, tau = "10m", early = "20m", early_share = 0.1 }"#,
        "people = 100000",
        r#"windows = [{ opens = "30m", closes = "2h30m" }]"#,
    );
    let obs = arrivals(&text, &repo());
    let (n, o, c, tau) = (100_000.0, 30.0, 150.0, 10.0);
    let burst_cdf = |t: f64| (1.0 - (-(t - o).max(0.0) / tau).exp()) / (1.0 - (-(c - o) / tau).exp());
    let exp: Vec<f64> = (0..180)
        .map(|m| {
            let (a, b) = (m as f64, m as f64 + 1.0);
            if b <= o || a >= c {
                return 0.0;
            }
            let early = if m == 30 { 0.1 * n } else { 0.0 };
            early + 0.6 * n * (burst_cdf(b.min(c)) - burst_cdf(a)) + 0.3 * n / (c - o)
        })
        .collect();
    assert!(obs[30] > 10_000.0, "the early birds all come in at the opening minute");
    chi_square_ok(&obs, &exp);
}

#[test]
fn piecewise_rates_are_interpolated_and_scaled_to_people() {
    // A triangle: 0 at 0m, peak at 1h, 0 at 3h; 90,000 people in all.
    let text = scenario(
        r#"{ curve = "piecewise", points = [{ at = "0m", rate = 0.0 }, { at = "1h", rate = 1000.0 }, { at = "3h", rate = 0.0 }] }"#,
        "people = 90000",
        "",
    );
    let obs = arrivals(&text, &repo());
    // Rate shape r(t), area 1000·180/2 = 90,000 per minute·minutes.
    let r = |t: f64| {
        if t <= 60.0 {
            1000.0 * t / 60.0
        } else {
            1000.0 * (180.0 - t) / 120.0
        }
    };
    let exp: Vec<f64> = (0..180).map(|m| 0.5 * (r(m as f64) + r(m as f64 + 1.0))).collect();
    chi_square_ok(&obs, &exp);
}

#[test]
fn trace_counts_are_replayed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("trace.csv"), "time,count\n0m,3000\n30m,12000\n60m,600\n90m,0\n").unwrap();
    let text = scenario(r#"{ curve = "trace", file = "trace.csv" }"#, "", "");
    let s = from_text(&text, dir.path());
    assert_eq!(s.cohorts[0].people, 15_600, "people default to the trace's total");
    let obs = arrivals(&text, dir.path());
    let exp: Vec<f64> = (0..180)
        .map(|m| match m {
            0..30 => 100.0,
            30..60 => 400.0,
            60..90 => 20.0,
            _ => 0.0,
        })
        .collect();
    chi_square_ok(&obs, &exp);
}

#[test]
fn the_check_rejects_a_wrong_curve() {
    // Uniform arrivals judged against a surge shape must fail the test.
    let text =
        scenario(r#"{ curve = "constant" }"#, "people = 60000", r#"windows = [{ opens = "30m", closes = "2h30m" }]"#);
    let obs = arrivals(&text, &repo());
    let exp: Vec<f64> = (0..180)
        .map(|m| if (30..150).contains(&m) { 500.0 * (1.0 + 0.1 * ((m as f64 - 89.5) / 60.0)) } else { 0.0 })
        .collect();
    let result = std::panic::catch_unwind(|| chi_square_ok(&obs, &exp));
    assert!(result.is_err(), "a 10 % tilt must be detected");
}

/// A window that closes after the run's end keeps its curve's shape: the
/// people due in the run come at the curve's rate, those due after the end
/// are not generated, and the scenario says how many they are. (The whole
/// window's people were squeezed into the run: a day of 3.1 M people into
/// a run of four hours.)
#[test]
fn a_window_past_the_end_keeps_its_shape_and_counts_those_left_out() {
    // 60,000 over 30m..5h30m (200 a minute), the run ends at 3h: 150
    // minutes of 300 in the run, 30,000 people.
    let text =
        scenario(r#"{ curve = "constant" }"#, "people = 60000", r#"windows = [{ opens = "30m", closes = "5h30m" }]"#);
    let s = from_text(&text, &repo());
    assert_eq!((s.cohorts[0].people, s.cohorts[0].after_end), (30_000, 30_000));
    let note = surgesim::scenario::due::note(&s).expect("a note");
    assert!(note.starts_with("30000 people due after the run's end") && note.ends_with(": c 30000"), "{note}");
    let obs = arrivals(&text, &repo());
    let exp: Vec<f64> = (0..180).map(|m| if m >= 30 { 200.0 } else { 0.0 }).collect();
    chi_square_ok(&obs, &exp);

    // A surge: its burst by its decay (tau 1h, cut at 2h30m of 5h), the
    // rest spread at the whole window's rate.
    let text = scenario(
        r#"{ curve = "surge", share = 0.5, tau = "1h" }"#,
        "people = 100000",
        r#"windows = [{ opens = "30m", closes = "5h30m" }]"#,
    );
    let s = from_text(&text, &repo());
    let (o, c, end, tau, n) = (30.0, 330.0, 180.0, 60.0, 100_000.0);
    let burst = |t: f64| (1.0 - (-(t - o).max(0.0) / tau).exp()) / (1.0 - (-(c - o) / tau).exp());
    let expected_in = (0.5 * n * burst(end)).round() + (0.5 * n * (end - o) / (c - o)).round();
    assert_eq!(s.cohorts[0].people as f64, expected_in);
    assert_eq!(s.cohorts[0].people + s.cohorts[0].after_end, 100_000);
    let obs = arrivals(&text, &repo());
    let exp: Vec<f64> = (0..180)
        .map(|m| {
            let (a, b) = (m as f64, m as f64 + 1.0);
            if b <= o {
                return 0.0;
            }
            0.5 * n * (burst(b) - burst(a)) + 0.5 * n / (c - o)
        })
        .collect();
    chi_square_ok(&obs, &exp);
}

/// A piecewise curve past the end: cut there with its rates, the people
/// after it counted apart; at a smaller scale the two scale together.
#[test]
fn a_piecewise_curve_past_the_end_keeps_its_rates() {
    // 100 a minute for 4 hours, 24,000 people; the run has 3 of them.
    let text = scenario(
        r#"{ curve = "piecewise", points = [{ at = "0m", rate = 100.0 }, { at = "4h", rate = 100.0 }] }"#,
        "",
        "",
    );
    let s = from_text(&text, &repo());
    assert_eq!((s.cohorts[0].people, s.cohorts[0].after_end), (18_000, 6_000));
    let obs = arrivals(&text, &repo());
    chi_square_ok(&obs, &[100.0; 180]);
    let small = s.scaled(0.1).cohorts[0].clone();
    assert_eq!((small.people, small.after_end), (1_800, 600));
}

/// `validate`, the run's terminal and its report say how many people were
/// due after the end; the run brings exactly the cohort's people of the
/// run, and nobody is lost: people = booked + gave up + still in the
/// system, with `people` the people who came within the run.
#[test]
fn those_due_after_the_end_are_told_and_the_rest_conserved() {
    let text = scenario(
        r#"{ curve = "surge", share = 0.5, tau = "30m" }"#,
        "people = 40000",
        r#"windows = [{ opens = "2h", closes = "26h" }]"#,
    )
    .replace("max_sessions = 1000000", "max_sessions = 50");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("late.toml");
    std::fs::write(&file, &text).unwrap();
    let s = from_text(&text, dir.path());
    let (people, after) = (s.cohorts[0].people, s.cohorts[0].after_end);
    assert!(after > 0 && people + after == 40_000, "{people} + {after}");
    let said = format!("{after} people due after the run's end");
    surgesim().arg("validate").arg(&file).assert().success().stdout(predicates::str::contains(said.clone()));
    let out = dir.path().join("out");
    let run = surgesim().arg("run").arg(&file).args(["--no-charts", "--out"]).arg(&out).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stdout).contains(&said), "the terminal says it");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains(&said), "the report says it");
    let outcome = surgesim::simulate(&s, 0);
    crate::conservation::identities(&s, &outcome, "a window past the end");
    assert_eq!(outcome.results.cohorts[0].counts.arrivals, people, "exactly the people due in the run");
}
