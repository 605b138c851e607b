//! Scenarios written as another file plus their changes (issue 14):
//! `[scenario] extends` and `unset`, a cohort's `split` into groups,
//! cohorts by name and linked keys on the command line.
//!
//! The bundled files that were full copies of 19 July are now its changes;
//! each must be the very scenario its full copy was (kept in
//! `tests/fixtures/full-copies/`), with the same tables byte for byte.

use crate::common::*;
use assert_cmd::Command;
use surgesim::report::{self, ReportOptions};
use surgesim::stats::RunFigures;
use surgesim::{scenario, simulate, Scenario};

/// The tables of one run of `s` at 1 % of its size.
fn tables(s: &Scenario) -> Vec<(String, Vec<u8>)> {
    let s = s.clone().scaled(0.01);
    let r = RunFigures::of(&s, simulate(&s, 0).results);
    let opts = ReportOptions { charts: false, ..ReportOptions::default() };
    let files = report::render(&s, &[r], &opts).expect("renders");
    files.into_iter().filter(|(n, _)| n == "timeseries.csv" || n == "cohorts.csv").collect()
}

#[test]
fn every_rewritten_file_is_the_scenario_of_its_full_copy() {
    let copies = repo().join("tests/fixtures/full-copies");
    let mut names: Vec<_> = std::fs::read_dir(&copies)
        .expect("the full copies are there")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "19 July, its three what-ifs, 12, 20 and 21 July");
    for copy in names {
        let name = copy.file_name().expect("a file").to_string_lossy().to_string();
        let full = scenario::load(&copy, &[]).unwrap_or_else(|e| panic!("{e}"));
        let now = bundled(&name, &[]);
        // The resolved scenario, every value filled in: the same whatever
        // the scale, the seed or the replication.
        let json = |s: &Scenario| serde_json::to_string(s).expect("serializes");
        assert_eq!(json(&now), json(&full), "{name} resolves to another scenario than its full copy");
        assert!(now.origin.extends.len() <= 2 && full.origin.extends.is_empty());
        let (a, b) = (tables(&now), tables(&full));
        assert_eq!(a.len(), 2);
        for ((file, x), (_, y)) in a.iter().zip(&b) {
            assert!(x == y, "{name}: {file} differs from the full copy's");
        }
    }
}

#[test]
fn the_birth_digit_split_is_ten_hourly_groups_of_the_19_july_cohort() {
    let s = bundled("what-if-birth-digit-split.toml", &[]);
    let base = bundled("kdca-2021-07-19.toml", &[]);
    assert_eq!(s.origin.extends, ["kdca-2021-07-19.toml"]);
    let groups = &s.cohorts[..10];
    let names: Vec<String> = groups.iter().map(|c| c.name.clone()).collect();
    assert_eq!(names, (0..10).map(|d| format!("53-54 digit {d}")).collect::<Vec<_>>());
    assert_eq!(groups.iter().map(|c| c.people).sum::<u64>(), base.cohorts[0].people);
    for (d, g) in groups.iter().enumerate() {
        let (w, b) = (g.windows[0], base.cohorts[0].windows[0]);
        assert_eq!(w.opens.0, b.opens.0 + d as u64 * 3_600_000_000, "digit {d} opens {d} h later");
        assert_eq!(w.closes, b.closes, "and books until the same close");
    }
    assert_eq!(s.cohorts[10].name, "ineligible visitors");
}

/// Arrivals per one-minute bin of a scenario.
fn arrivals(s: &Scenario) -> Vec<f64> {
    simulate(s, 0).results.bins.iter().map(|b| b.counts.arrivals as f64).collect()
}

/// Pearson's chi-square of `observed` against `expected` below mean + 4
/// s.d. (as `arrivals.rs` judges a curve).
fn follows(observed: &[f64], expected: &[f64]) -> bool {
    let (mut x2, mut k) = (0.0, 0);
    for (o, e) in observed.iter().zip(expected) {
        if *e >= 5.0 {
            x2 += (o - e).powi(2) / e;
            k += 1;
        } else if *o > e + 5.0 * e.sqrt().max(1.0) {
            return false;
        }
    }
    let df = (k - 1) as f64;
    x2 < df + 4.0 * (2.0 * df).sqrt()
}

#[test]
fn each_group_has_its_own_rush_after_its_own_opening() {
    // Three groups of 60,000 people opening 30 minutes apart, each with a
    // burst of 60 % decaying over 10 minutes after its opening.
    let text = r#"
[scenario]
name = "rotation"
duration = "3h"
[[cohort]]
name = "all"
people = 180000
windows = [{ opens = "10m", closes = "2h50m" }]
arrivals = { curve = "surge", share = 0.6, tau = "10m" }
split = { groups = 3, every = "30m" }
[backend]
max_sessions = 1000000
"#;
    let s = from_text(text, &repo());
    assert_eq!(s.cohorts.len(), 3);
    for (k, group) in s.cohorts.iter().enumerate() {
        // Arrivals do not depend on the other groups: each is run alone.
        let alone = Scenario { cohorts: vec![group.clone()], ..s.clone() };
        let (n, o, c, tau) = (60_000.0, 10.0 + 30.0 * k as f64, 170.0, 10.0);
        let burst = |t: f64| (1.0 - (-(t - o).max(0.0) / tau).exp()) / (1.0 - (-(c - o) / tau).exp());
        let expected = |shift: f64| -> Vec<f64> {
            (0..180)
                .map(|m| {
                    let (a, b) = (m as f64 - shift, m as f64 + 1.0 - shift);
                    if b <= o || a >= c {
                        return 0.0;
                    }
                    0.6 * n * (burst(b.min(c)) - burst(a.max(o))) + 0.4 * n * (b.min(c) - a.max(o)) / (c - o)
                })
                .collect()
        };
        let observed = arrivals(&alone);
        assert!(follows(&observed, &expected(0.0)), "group {k} follows the rush after its own opening");
        // The check can tell: the same rush a group earlier or later fails it.
        assert!(!follows(&observed, &expected(if k == 0 { 30.0 } else { -30.0 })), "group {k}: the test has power");
    }
}

#[test]
fn the_bundled_night_takes_fewer_sessions_now_that_max_active_follows() {
    // Issue 14: with max_active written out, no bundled file could sweep
    // max_sessions below 300,000 (max_active above max_sessions).
    let s = bundled("kdca-2021-07-19.toml", &["backend.max_sessions=100000"]);
    assert_eq!(s.waiting_room.map(|w| w.max_active), Some(100_000));
    let full = repo().join("tests/fixtures/full-copies/kdca-2021-07-19.toml");
    let refused = scenario::load(&full, &["backend.max_sessions=100000".to_string()]);
    assert!(refused.is_err(), "the full copy wrote max_active = 300000");
    let linked = ["backend.max_sessions+waiting_room.max_active=100000".to_string()];
    let s = scenario::load(&full, &linked).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.backend.max_sessions, s.waiting_room.map(|w| w.max_active)), (100_000, Some(100_000)));
}

const NIGHT: &str = r#"
[scenario]
name = "night"
duration = "2h"

[[cohort]]
name = "all"
people = 2000

[waiting_room]
max_active = 50

[backend]
max_sessions = 50
"#;

fn surgesim(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("surgesim").expect("binary");
    cmd.current_dir(dir);
    cmd
}

#[test]
fn a_sweep_moves_linked_keys_together() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("night.toml"), NIGHT).expect("write");
    let vary = "backend.max_sessions+waiting_room.max_active=20,40";
    surgesim(dir.path())
        .args(["sweep", "night.toml", "--vary", vary, "--no-charts", "-q", "--out", "s"])
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.path().join("s/sweep.csv")).expect("written");
    let mut lines = csv.lines();
    assert!(lines.next().expect("a header").starts_with("point,backend.max_sessions+waiting_room.max_active,"));
    assert_eq!(lines.count(), 2);
    // Alone, 20 sessions are refused: max_active would stay 50.
    let alone = surgesim(dir.path())
        .args(["sweep", "night.toml", "--vary", "backend.max_sessions=20,40", "-q", "--out", "t"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&alone.get_output().stderr).to_string();
    assert!(stderr.contains("waiting_room.max_active"), "{stderr}");
    // The cohort's name and its index are one key.
    let both = surgesim(dir.path())
        .args([
            "sweep",
            "night.toml",
            "--vary",
            "cohort.all.people=10,20",
            "--vary",
            "cohort.0.people=30",
            "-q",
            "--out",
            "u",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&both.get_output().stderr).to_string();
    assert!(stderr.contains("cohort[0].people is given twice"), "{stderr}");
}

#[test]
fn a_run_records_the_files_it_extends_and_what_was_unset() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("night.toml"), NIGHT).expect("write");
    let child = "[scenario]\nextends = \"night.toml\"\nname = \"child\"\n[[cohort]]\nname = \"all\"\npeople = 1000\n";
    std::fs::write(dir.path().join("child.toml"), child).expect("write");
    surgesim(dir.path()).args(["run", "child.toml", "--no-charts", "-q", "--unset", "waiting_room"]).assert().success();
    let out =
        std::fs::read_dir(dir.path().join("outputs")).expect("written").next().expect("one folder").expect("ok").path();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("written")).expect("JSON");
    assert_eq!(summary["extends"], serde_json::json!(["night.toml"]));
    assert_eq!(summary["unset"], serde_json::json!(["waiting_room"]));
    assert_eq!(summary["people"], 1000);
    assert!(summary["resolved"]["waiting_room"].is_null());
    let md = std::fs::read_to_string(out.join("report.md")).expect("written");
    assert!(md.contains("extends `night.toml`") && md.contains("`--unset waiting_room`"), "{md}");
    let shown = surgesim(dir.path()).args(["validate", "--resolved", "child.toml"]).assert().success();
    let stdout = String::from_utf8_lossy(&shown.get_output().stdout).to_string();
    assert!(
        stdout.contains("  extends night.toml\n") && stdout.contains("cohort all") && stdout.contains("1000 people"),
        "{stdout}"
    );
}
