//! The real binary: exit codes, files written, columns, error wording.

use crate::common::bundled_files;
use assert_cmd::Command;
use predicates::prelude::*;

fn surgesim() -> Command {
    Command::cargo_bin("surgesim").unwrap()
}

const SMALL: &str = r#"
[scenario]
name = "small"
duration = "2h"
[[cohort]]
name = "all"
people = 3000
arrivals = { curve = "surge", share = 0.5, tau = "10m" }
[clients]
patience = { dist = "exponential", mean = "20m" }
[waiting_room]
max_active = 20
[backend]
max_sessions = 20
"#;

#[test]
fn run_writes_the_three_tables_with_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("small.toml");
    std::fs::write(&scenario, SMALL).unwrap();
    let out = dir.path().join("out");
    surgesim()
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-charts"])
        .assert()
        .success()
        .stdout(predicate::str::contains("booked"));
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header = ts.lines().next().unwrap();
    for col in [
        "time",
        "minute",
        "arrivals",
        "retries",
        "queue_len",
        "admitted",
        "active_sessions",
        "session_capacity",
        "booked",
        "abandoned",
        "dropped",
        "ineligible",
        "wait_p50_s",
        "wait_p90_s",
        "wait_p99_s",
    ] {
        assert!(header.split(',').any(|h| h == col), "timeseries.csv lacks {col}: {header}");
    }
    assert_eq!(ts.lines().count(), 1 + 120, "one row per 1-minute bin");
    let cohorts = std::fs::read_to_string(out.join("cohorts.csv")).unwrap();
    for col in [
        "cohort",
        "people",
        "attempts",
        "booked",
        "booked_share",
        "abandoned",
        "dropped",
        "wait_p50_s",
        "wait_p90_s",
        "wait_p99_s",
        "time_to_book_p50_s",
        "time_to_book_p90_s",
    ] {
        assert!(cohorts.lines().next().unwrap().split(',').any(|h| h == col), "cohorts.csv lacks {col}");
    }
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "scenario",
        "seed",
        "version",
        "people",
        "attempts",
        "admitted",
        "booked",
        "abandoned",
        "dropped",
        "drops_by_cause",
        "ineligible",
        "drop_rate",
        "abandon_rate",
        "p_wait",
        "wait_mean_s",
        "wait_p50_s",
        "wait_p90_s",
        "wait_p99_s",
        "queue_len_mean",
        "active_sessions_mean",
        "events",
        "resolved",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(summary["people"], 3000);
}

#[test]
fn seed_and_set_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("small.toml");
    std::fs::write(&scenario, SMALL).unwrap();
    let out = dir.path().join("out");
    surgesim()
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-charts", "-q"])
        .args(["--seed", "42", "--set", "cohort.0.people=1234"])
        .assert()
        .success()
        .stdout("");
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["seed"], 42);
    assert_eq!(summary["people"], 1234);
}

#[test]
fn bad_input_exits_2_with_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("bad.toml");
    std::fs::write(&scenario, SMALL.replace("max_sessions = 20", "max_sessions = -3")).unwrap();
    surgesim()
        .args(["run", scenario.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:14").and(predicate::str::contains("max_sessions")));
    surgesim().args(["run", "no/such/file.toml"]).assert().code(2).stderr(predicate::str::contains("could not read"));
    surgesim().args(["frobnicate"]).assert().code(2);
}

#[test]
fn validate_checks_every_bundled_scenario() {
    let files = bundled_files();
    assert!(files.len() >= 5);
    surgesim().arg("validate").args(&files).assert().success().stdout(predicate::str::contains("ok"));
}
