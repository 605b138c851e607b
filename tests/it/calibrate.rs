//! `surgesim calibrate`: two keys recovered from observations the model
//! made itself at known values (started far from them), the intervals
//! covering the truth; a held-out observation reported and not moving the
//! fit; `calibrated.toml` loading, running and reproducing the fitted
//! point's figures; the inputs refused.

use assert_cmd::Command;
use std::path::Path;
use surgesim::batch::{self, Quiet};
use surgesim::stats::measure;
use surgesim::{scenario, QueueKind};

/// A surge of 3,000 people in two hours through a waiting room that
/// admits a number a minute: the admission rate sets how fast the queue
/// drains (bookings by 21:00, the queue at 20:30), patience how many give
/// up waiting. Small enough that a point of four replications runs in
/// milliseconds. Its own values (150 a minute, 6 minutes) are far from
/// the truth the observations are made at, so the fit starts far.
const NIGHT: &str = r#"
[scenario]
name = "cal"
start = "2021-07-19T20:00:00+09:00"
duration = "2h"
bin = "10m"

[[cohort]]
name = "all"
people = 3000
arrivals = { curve = "surge", share = 0.8, tau = "5m" }

[clients]
session = { dist = "exponential", mean = "1m" }
patience = { dist = "exponential", mean = "6m" }

[waiting_room]
admit_per_minute = 150

[backend]
max_sessions = 100
"#;

/// The figures observed, all three moving with the keys.
const FIGURES: [&str; 3] = ["booked_by_2021-07-19T21:00", "queue_at_2021-07-19T20:30", "wait_p50_s"];

/// The truth: 50 admitted a minute, 30 minutes' patience.
const TRUTH: [&str; 2] = ["waiting_room.admit_per_minute=50", "clients.patience.mean=30m"];
const TRUTH_X: [f64; 2] = [50.0, 1800.0];

const R: usize = 4;

const FITS: [&str; 4] = ["--fit", "waiting_room.admit_per_minute=10..200", "--fit", "clients.patience.mean=5m..2h"];

/// `[[observed]]` tables for `figures` at `values`.
fn observed(figures: &[&str], values: &[f64]) -> String {
    figures
        .iter()
        .zip(values)
        .map(|(f, v)| format!("\n[[observed]]\nfigure = \"{f}\"\nvalue = {v:?}\nsource = \"the model at the truth\"\n"))
        .collect()
}

/// The figures' means over replications 0..R of `text` (which holds
/// `[[observed]]` of them) with `sets`: what `calibrate` compares.
fn means(text: &str, dir: &Path, sets: &[&str]) -> Vec<f64> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let mut s = scenario::load_str(text, &dir.join("x.toml"), dir, &sets).expect("loads");
    let measures = measure::observed(&mut s).expect("figures resolve");
    let runs = batch::replications(&s, R, QueueKind::default(), &Quiet).expect("runs");
    measures
        .iter()
        .map(|m| runs.iter().map(|r| m.value(&s, r).expect("defined")).sum::<f64>() / runs.len() as f64)
        .collect()
}

/// The night with observations made by the model at the truth.
fn night_observed(dir: &Path, figures: &[&str]) -> String {
    let placeholder = format!("{NIGHT}{}", observed(figures, &vec![1.0; figures.len()]));
    let values = means(&placeholder, dir, &TRUTH);
    format!("{NIGHT}{}", observed(figures, &values))
}

/// Run `calibrate` on `text`: stdout and `calibration.json`.
fn calibrate(dir: &Path, name: &str, text: &str, args: &[&str]) -> (String, serde_json::Value) {
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).expect("write");
    let out = dir.join(name);
    let output = Command::cargo_bin("surgesim")
        .expect("binary")
        .arg("calibrate")
        .arg(&file)
        .args(FITS)
        .args(["-r", &R.to_string(), "--max-runs", "600", "-q", "--out"])
        .arg(&out)
        .args(args)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let json = serde_json::from_slice(&std::fs::read(out.join("calibration.json")).expect("json")).expect("JSON");
    (stdout, json)
}

fn fitted(json: &serde_json::Value, key: &str) -> (f64, f64, f64) {
    let f = &json["fitted"][key];
    let n = |v: &serde_json::Value| v.as_f64().unwrap_or_else(|| panic!("{key}: {f}"));
    (n(&f["value"]), n(&f["lo"]), n(&f["hi"]))
}

/// Recovery. The observations are the means of replications 0..R at the
/// truth, and every point of the fit runs those same replications (common
/// random numbers), so the objective is exactly zero at the truth. The
/// tolerance is the replication noise itself, as each key's interval
/// measures it (the values whose per-replication objective cannot be told
/// from the best's by a paired t test at 95 %): the interval must cover the
/// truth, and must be informative (narrower than a quarter of the range),
/// so that covering is not had for free.
#[test]
fn two_keys_are_recovered_from_far_within_the_replication_noise() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = night_observed(dir.path(), &FIGURES);
    let (line, json) = calibrate(dir.path(), "recover", &text, &[]);
    assert!(line.starts_with("calibrated waiting_room.admit_per_minute="), "{line}");
    eprintln!("recovery of (50, 30m): {line}");
    for (j, (key, range)) in
        [("waiting_room.admit_per_minute", 190.0), ("clients.patience.mean", 6900.0)].into_iter().enumerate()
    {
        let (x, lo, hi) = fitted(&json, key);
        let truth = TRUTH_X[j];
        assert!(lo <= truth && truth <= hi, "{key}: the interval [{lo}, {hi}] misses the truth {truth} (fit {x})");
        assert!(hi - lo < range / 4.0, "{key}: the interval [{lo}, {hi}] tells little");
        assert!(lo <= x && x <= hi, "{key}: the fit {x} lies outside its interval [{lo}, {hi}]");
    }
    assert!(json["objective"].as_f64().expect("objective") < 0.01, "{}", json["objective"]);
    assert!(json["runs"].as_u64().expect("runs") <= 600);
    let obs = json["observations"].as_array().expect("observations");
    assert_eq!(obs.len(), 3);
    assert!(obs.iter().all(|o| o["used"] == true));
    // calibration.csv: a row per point, the columns the docs promise.
    let csv = std::fs::read_to_string(dir.path().join("recover/calibration.csv")).expect("csv");
    let header = csv.lines().next().expect("header");
    assert_eq!(
        header,
        format!(
            "point,waiting_room.admit_per_minute,clients.patience.mean,objective,replications,{}",
            FIGURES.join(",")
        )
    );
    assert_eq!(csv.lines().count() - 1, json["points"].as_u64().expect("points") as usize);
    for chart in ["calibration-fit.png", "calibration-search.png", "report.md", "calibrated.toml"] {
        assert!(dir.path().join("recover").join(chart).is_file(), "{chart}");
    }
}

/// A held-out observation is computed and reported (used: false, its
/// error), and the fit is the one made without it: the same point and
/// objective as a scenario that does not hold it at all. It is made wrong
/// on purpose (twice the model's value), so that were it used it would
/// pull the fit away.
#[test]
fn a_held_out_observation_is_reported_and_does_not_move_the_fit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let two = night_observed(dir.path(), &FIGURES[..2]);
    let wrong = format!("{two}{}", observed(&FIGURES[2..], &[2.0 * 900.0]));
    let (_, without) = calibrate(dir.path(), "two", &two, &[]);
    let (line, held) = calibrate(dir.path(), "held", &wrong, &["--hold-out", FIGURES[2]]);
    assert_eq!(held["fitted"], without["fitted"], "the held-out observation moved the fit");
    assert_eq!(held["objective"], without["objective"]);
    let o = &held["observations"][2];
    assert_eq!(o["figure"], FIGURES[2]);
    assert_eq!(o["used"], false);
    let error = o["error"].as_f64().expect("an error is reported");
    let simulated = o["simulated"].as_f64().expect("simulated");
    assert!((error - (simulated - 1800.0) / 1800.0).abs() < 1e-12, "{o}");
    assert!(line.contains(&format!("held out: {}", FIGURES[2])), "{line}");
}

/// calibrated.toml extends the scenario with the fitted keys set: it
/// loads, `surgesim run` runs it, and its replications 0..R give exactly
/// the figures calibration.json reports at the fitted point (same seeds).
#[test]
fn calibrated_toml_runs_and_reproduces_the_fitted_point() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = night_observed(dir.path(), &FIGURES);
    let (_, json) = calibrate(dir.path(), "repro", &text, &["--set", "backend.max_sessions=120"]);
    let toml_path = dir.path().join("repro/calibrated.toml");
    let toml = std::fs::read_to_string(&toml_path).expect("calibrated.toml");
    assert!(toml.contains("extends = \"../repro.toml\""), "{toml}");
    assert!(toml.contains("max_sessions = 120"), "the user's --set is kept: {toml}");
    let s = scenario::load(&toml_path, &[]).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    assert_eq!(s.name, "cal-calibrated");
    assert_eq!(s.backend.max_sessions, 120);
    let again = means(&std::fs::read_to_string(&toml_path).expect("read"), &dir.path().join("repro"), &[]);
    for (i, o) in json["observations"].as_array().expect("observations").iter().enumerate() {
        assert_eq!(o["simulated"].as_f64(), Some(again[i]), "{}", o["figure"]);
    }
    Command::cargo_bin("surgesim")
        .expect("binary")
        .arg("run")
        .arg(&toml_path)
        .args(["-q", "--no-charts", "--out"])
        .arg(dir.path().join("rerun"))
        .assert()
        .success();
}

/// Inputs refused with exit code 2 and a sentence saying what was
/// expected, before anything runs.
#[test]
fn bad_questions_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let with = format!("{NIGHT}{}", observed(&FIGURES[..1], &[1900.0]));
    std::fs::write(dir.path().join("none.toml"), NIGHT).expect("write");
    std::fs::write(dir.path().join("with.toml"), &with).expect("write");
    let refused = |file: &str, args: &[&str], says: &str| {
        let output = Command::cargo_bin("surgesim")
            .expect("binary")
            .current_dir(dir.path())
            .args(["calibrate", file, "-q", "--out", "out"])
            .args(args)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: expected '{says}' in: {stderr}");
    };
    refused("none.toml", &FITS[..2], "no [[observed]]");
    refused(
        "with.toml",
        &["--fit", "waiting_room.admit_per_minute=10..200", "--fit", "waiting_room.admit_per_minute=1..5"],
        "fitted twice",
    );
    refused("with.toml", &["--fit", "waiting_room.admit_per_minute=200..10"], "expected LO below HI");
    refused("with.toml", &["--fit", "waiting_room.admit_per_minute"], "expected KEY=LO..HI");
    refused("with.toml", &[&FITS[..2], &["--hold-out", "wait_p90_s"]].concat(), "found no observation");
    refused("with.toml", &[&FITS[..2], &["--hold-out", FIGURES[0]]].concat(), "every observation");
    refused(
        "with.toml",
        &[&FITS[..2], &["--set", "waiting_room.admit_per_minute=20"]].concat(),
        "--fit waiting_room.admit_per_minute=",
    );
    refused("-", &FITS[..2], "standard input");
    refused("with.toml", &[&FITS[..2], &["--max-runs", "3"]].concat(), "cannot pay for one point");
    assert!(!dir.path().join("out").exists(), "nothing written");
}

/// The fit does not depend on the number of threads: each replication
/// runs on the seed of its index, and the search sees the points in one
/// order. One thread and four give the same bytes.
#[test]
fn the_fit_is_the_same_on_one_thread_and_on_four() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("{NIGHT}{}", observed(&FIGURES, &[1900.0, 900.0, 600.0]));
    let file = dir.path().join("s.toml");
    std::fs::write(&file, text).expect("write");
    let csv = |threads: &str| {
        let out = dir.path().join(format!("t{threads}"));
        Command::cargo_bin("surgesim")
            .expect("binary")
            .env("RAYON_NUM_THREADS", threads)
            .arg("calibrate")
            .arg(&file)
            .args(FITS)
            .args(["--max-runs", "120", "-q", "--no-charts", "--out"])
            .arg(&out)
            .assert()
            .success();
        (
            std::fs::read(out.join("calibration.csv")).expect("csv"),
            std::fs::read(out.join("calibrated.toml")).expect("toml"),
        )
    };
    assert_eq!(csv("1"), csv("4"));
}
