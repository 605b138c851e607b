//! Figures at a clock time and per cohort (issue 23): exact on a night
//! counted by hand, `plan` on them against answers that follow from the
//! night's structure, and `compare --figure` / `sweep --figure` giving the
//! values a run of the same scenario gives, shards and all.
//!
//! The night (`HAND`): 50 people of cohort `early` come in the first 5
//! minutes with a patience of exactly 10 minutes, 70 of cohort `late.1`
//! (a dot in its name, so written in quotes) between 5 and 9 minutes with
//! no limit to their patience. The room opens at 20 minutes and admits 6 a
//! minute, evenly spaced (`model::gate`: the first at the opening, then one
//! every 60 / 6 = 10 s); sessions last exactly 1 h and the backend has room
//! for all. Nobody retries. So:
//! - by 20:09:30 everyone has come and nobody's patience has run out (the
//!   first early comer's runs out at 10 min at the soonest): 120 in line;
//! - by 20:16 every early comer has given up (by 15 min at the latest): 70
//!   in line, 50 gone;
//! - at 20:25:05, 305 s after the opening, admissions at 0, 10, ..., 300 s:
//!   31 admitted, all still in session (1 h long), 39 in line;
//! - each admitted person books exactly 1 h later: 31 booked by 21:25:05.

use crate::common::{file, from_text, quiet, surgesim};
use std::path::Path;
use surgesim::scenario::figure::FigureName;
use surgesim::stats::measure::Measure;
use surgesim::stats::{RunFigures, Value};
use surgesim::{batch, QueueKind, Scenario};

const HAND: &str = r#"
[scenario]
name = "hand"
start = "2021-07-19T20:00:00+09:00"
duration = "3h"
bin = "10m"

[[cohort]]
name = "early"
people = 50
arrivals = { curve = "piecewise", points = [{ at = "0m", rate = 10.0 }, { at = "5m", rate = 10.0 }] }
clients = { patience = { dist = "constant", value = "10m" } }

[[cohort]]
name = "late.1"
people = 70
arrivals = { curve = "piecewise", points = [{ at = "5m", rate = 14.0 }, { at = "9m", rate = 14.0 }] }

[clients]
session = { dist = "constant", value = "1h" }

[waiting_room]
opens = "20m"
admit_per_minute = 6
shown_wait = "nominal"

[backend]
max_sessions = 1000
"#;

/// Admissions by `secs` after the opening at `per_minute`, evenly spaced
/// from the opening on (the gate's rule), of `waiting` people.
fn admitted_by(secs: f64, per_minute: f64, waiting: u64) -> u64 {
    ((secs / (60.0 / per_minute)).floor() as u64 + 1).min(waiting)
}

/// Each figure of `names` in replication 0 of `s`, resolved on it first.
fn values(s: &mut Scenario, names: &[&str]) -> Vec<Value> {
    let measures: Vec<Measure> = names
        .iter()
        .map(|n| Measure::resolve(&FigureName::parse(n).expect("a name"), s).expect("a figure of the night"))
        .collect();
    let run: RunFigures = batch::replications(s, 1, QueueKind::default(), &quiet()).expect("memory").remove(0);
    measures.iter().map(|m| m.value(s, &run)).collect()
}

/// The figure `name` of the night, whole and per cohort: (whole, early, late).
fn whole_and_cohorts(name: &str) -> (f64, f64, f64) {
    let mut s = from_text(HAND, Path::new("."));
    let names = [name.to_string(), format!("cohort.early.{name}"), format!("cohort.\"late.1\".{name}")];
    let v = values(&mut s, &names.iter().map(String::as_str).collect::<Vec<_>>());
    let get = |i: usize| v[i].unwrap_or_else(|| panic!("{} is defined", names[i]));
    (get(0), get(1), get(2))
}

#[test]
fn clock_figures_are_exact_on_a_night_counted_by_hand() {
    let in_session = admitted_by(305.0, 6.0, 70) as f64;
    assert_eq!(in_session, 31.0);
    // (figure, whole, early, late): the counts of the module's comment.
    let cases = [
        ("queue_at_2021-07-19T20:09:30", 120.0, 50.0, 70.0),
        ("queue_at_2021-07-19T20:16", 70.0, 0.0, 70.0),
        ("queue_at_2021-07-19T20:25:05", 70.0 - in_session, 0.0, 70.0 - in_session),
        ("active_at_2021-07-19T20:19", 0.0, 0.0, 0.0),
        ("active_at_2021-07-19T20:25:05", in_session, 0.0, in_session),
        // Everyone admitted by 20:31:30 (the 70th at 69 x 10 s), none
        // booked before 21:20: all 70 in session.
        ("active_at_2021-07-19T21:15", 70.0, 0.0, 70.0),
        ("attempts_by_2021-07-19T20:09:30", 120.0, 50.0, 70.0),
        ("attempts_by_2021-07-19T22:00", 120.0, 50.0, 70.0),
        ("gave_up_by_2021-07-19T20:09:30", 0.0, 0.0, 0.0),
        ("gave_up_by_2021-07-19T20:16", 50.0, 50.0, 0.0),
        ("gave_up_by_2021-07-19T22:59", 50.0, 50.0, 0.0),
        ("booked_by_2021-07-19T21:19", 0.0, 0.0, 0.0),
        ("booked_by_2021-07-19T21:25:05", in_session, 0.0, in_session),
        ("booked_by_2021-07-19T22:59", 70.0, 0.0, 70.0),
    ];
    for (name, whole, early, late) in cases {
        let (w, e, l) = whole_and_cohorts(name);
        assert_eq!((w, e, l), (whole, early, late), "{name}: (whole, early, late)");
        assert_eq!(e + l, w, "{name}: the cohorts sum to the whole");
    }
    // A share of each cohort's people; of all eligible people for the whole.
    let (w, e, l) = whole_and_cohorts("booked_share_by_2021-07-19T21:25:05");
    assert_eq!((w, e, l), (in_session / 120.0, 0.0, in_session / 70.0));
}

#[test]
fn the_nominal_shown_wait_is_the_people_ahead_over_the_set_rate() {
    let mut s = from_text(HAND, Path::new("."));
    let names = ["shown_wait_at_2021-07-19T20:16", "shown_wait_at_2021-07-19T20:25:05"];
    let v = values(&mut s, &names);
    // 6 a minute is 0.1 a second: 70 ahead show 700 s, 39 ahead 390 s.
    let per_sec = 6.0 / 60.0;
    assert_eq!(v, vec![Some(70.0 / per_sec), Some((70.0 - admitted_by(305.0, 6.0, 70) as f64) / per_sec)]);
}

#[test]
fn a_figure_outside_the_run_or_of_no_cohort_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hand.toml");
    std::fs::write(&path, HAND).expect("write");
    // Figures separated by spaces, each its own --figure.
    let sweep = |figure: &str| {
        let out = surgesim()
            .arg("sweep")
            .arg(&path)
            .args(["--vary", "backend.max_sessions=1000", "-q", "--no-charts", "--out"])
            .arg(dir.path().join("never"))
            .args(figure.split(' ').flat_map(|f| ["--figure", f]))
            .assert()
            .code(2);
        String::from_utf8_lossy(&out.get_output().stderr).to_string()
    };
    let e = sweep("queue_at_2021-07-19T23:30");
    assert!(e.contains("queue_at_2021-07-19T23:30") && e.contains("inside the run"), "{e}");
    let e = sweep("cohort.late.queue_at_1h");
    assert!(e.contains("cohort.late.queue_at_1h") && e.contains("\"late\""), "{e}");
    let e = sweep("queue_at_1h queue_at_1h");
    assert!(e.contains("--figure queue_at_1h: found it twice"), "{e}");
    assert!(!dir.path().join("never").exists(), "nothing is written");
}

/// Run `plan` on `text` in `dir`; plan.json.
fn plan(dir: &Path, text: &str, args: &[&str]) -> serde_json::Value {
    let path = dir.join("p.toml");
    std::fs::write(&path, text).expect("write");
    let out = dir.join("plan");
    let assert =
        surgesim().arg("plan").arg(&path).args(args).args(["--no-charts", "-q", "--out"]).arg(&out).assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    eprintln!("{stdout}");
    serde_json::from_slice(&std::fs::read(out.join("plan.json")).expect("plan.json")).expect("JSON")
}

#[test]
fn plan_finds_the_least_rate_that_keeps_the_line_short_at_a_clock_time() {
    // 70 in line at the opening; at most 40 by 20:25:05 takes 30 admissions
    // in the first 305 s: floor(305 r / 60) + 1 >= 30, r >= 29 x 60 / 305.
    let answer = 29.0 * 60.0 / 305.0;
    assert!(admitted_by(305.0, answer + 1e-9, 70) == 30 && admitted_by(305.0, answer - 1e-3, 70) == 29);
    let dir = tempfile::tempdir().expect("temp dir");
    let resolution = 0.01;
    let json = plan(
        dir.path(),
        HAND,
        &[
            "--vary",
            "waiting_room.admit_per_minute=1..20",
            "--resolution",
            "0.01",
            "--target",
            "queue_at_2021-07-19T20:25:05 <= 40",
        ],
    );
    let found = json["value"].as_f64().expect("a value");
    // The least value on the grid of the resolution at or above the answer
    // (the spacing is rounded to the microsecond: half a step of slack).
    assert!(found >= answer - resolution / 2.0 && found <= answer + resolution, "{found} vs {answer}");
}

#[test]
fn plan_finds_the_least_sessions_for_a_cohorts_share() {
    // Without the rate, the room admits while a session is free: with c
    // sessions of 1 h, c of late.1 are admitted at 20:20 and c more at
    // 21:20, booked at 21:20 and 22:20; the next would book at 23:20, after
    // the end. Half of the 70 booked takes 2c >= 35: c = 18. All eligible
    // people (120) would take 2c >= 60: the cohort's answer is its own.
    let text = HAND.replace("admit_per_minute = 6\n", "");
    let dir = tempfile::tempdir().expect("temp dir");
    let target = "cohort.\"late.1\".booked_share >= 0.5";
    let json = plan(dir.path(), &text, &["--vary", "backend.max_sessions=1..60", "--target", target]);
    assert_eq!(json["value"], 18, "{json}");
    let json = plan(dir.path(), &text, &["--vary", "backend.max_sessions=1..60", "--target", "booked_share >= 0.5"]);
    assert_eq!(json["value"], 30, "{json}");
}

/// A night with chance in it: exponential sessions, a room without a rate.
fn noisy(sessions: u32) -> String {
    HAND.replace("admit_per_minute = 6\n", "")
        .replace(
            "session = { dist = \"constant\", value = \"1h\" }",
            "session = { dist = \"exponential\", mean = \"20m\" }",
        )
        .replace("max_sessions = 1000", &format!("max_sessions = {sessions}"))
        .replace("name = \"hand\"", &format!("name = \"noisy-{sessions}\""))
}

const ASKED: [&str; 3] =
    ["active_at_2021-07-19T21:00", "cohort.\"late.1\".booked_by_2021-07-19T21:30", "cohort.early.gave_up"];

/// The values of `ASKED` in replications 0..reps of `text` (seed 1).
fn library(text: &str, reps: usize) -> Vec<Vec<f64>> {
    let mut s = from_text(text, Path::new("."));
    let measures: Vec<Measure> =
        ASKED.iter().map(|n| Measure::resolve(&FigureName::parse(n).unwrap(), &mut s).unwrap()).collect();
    let runs = batch::replications(&s, reps, QueueKind::default(), &quiet()).expect("memory");
    measures.iter().map(|m| runs.iter().map(|r| m.value(&s, r).expect("defined")).collect()).collect()
}

/// `compare.csv` or `sweep.csv` as (header, rows).
fn table(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).expect("a table");
    let header = r.headers().expect("header").iter().map(String::from).collect();
    (header, r.records().map(|x| x.expect("row")).collect())
}

fn cell(header: &[String], row: &csv::StringRecord, name: &str) -> f64 {
    let i = header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}: {header:?}"));
    row[i].parse().unwrap_or_else(|_| panic!("{name}: {:?}", &row[i]))
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn compare_figure_gives_the_values_of_the_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.toml"), noisy(10)).unwrap();
    std::fs::write(dir.path().join("b.toml"), noisy(14)).unwrap();
    let (a, b) = (library(&noisy(10), 3), library(&noisy(14), 3));
    let figures: Vec<&str> = ASKED.iter().flat_map(|f| ["--figure", f]).collect();
    for reps in ["1", "3"] {
        let out = dir.path().join(format!("cmp{reps}"));
        let assert = surgesim()
            .current_dir(dir.path())
            .args(["compare", "a.toml", "b.toml", "-r", reps, "--no-charts", "--out"])
            .arg(&out)
            .args(&figures)
            .assert()
            .success();
        let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
        let (header, rows) = table(&out.join("compare.csv"));
        let n: usize = reps.parse().unwrap();
        for (j, name) in ASKED.iter().enumerate() {
            assert_eq!(cell(&header, &rows[0], name), mean(&a[j][..n]), "{name} of a, -r {reps}");
            assert_eq!(cell(&header, &rows[1], name), mean(&b[j][..n]), "{name} of b, -r {reps}");
            if n > 1 {
                let d: Vec<f64> = b[j].iter().zip(&a[j]).map(|(y, x)| y - x).collect();
                let found = cell(&header, &rows[1], &format!("{name}_diff"));
                assert!((found - mean(&d)).abs() <= 1e-9 * mean(&d).abs().max(1.0), "{name}_diff");
                assert!(header.contains(&format!("{name}_diff_hi")));
            }
            assert!(stdout.contains(name), "the terminal names {name}: {stdout}");
        }
        let report = std::fs::read_to_string(out.join("report.md")).unwrap();
        assert!(report.contains("## Figures asked for") && report.contains("`cohort.early.gave_up`"), "{report}");
    }
}

#[test]
fn compare_selects_on_a_clock_figure_and_refuses_a_missing_cohort() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The same night with twice the sessions: more booked by 21:30.
    std::fs::write(dir.path().join("a.toml"), noisy(5)).unwrap();
    std::fs::write(dir.path().join("b.toml"), noisy(10)).unwrap();
    let run = |args: &[&str]| {
        surgesim()
            .current_dir(dir.path())
            .args(["compare", "a.toml", "b.toml", "--no-charts", "-q", "--max-runs", "20", "--out", "sel"])
            .args(args)
            .assert()
    };
    let out = run(&["--select", "booked_by_2021-07-19T21:30"]).success();
    let line = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(line.starts_with("best on booked_by_2021-07-19T21:30 (highest): noisy-10"), "{line}");
    let out = run(&["--select", "attempts_by_2021-07-19T21:30"]).code(2);
    let e = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(e.contains("min:attempts_by_2021-07-19T21:30"), "no plain better end: {e}");
    std::fs::write(dir.path().join("b.toml"), noisy(10).replace("late.1", "late")).unwrap();
    let out = run(&["--figure", "queue_at_1h", "--figure", "queue_at_1h"]).code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("found it twice"));
    let out = run(&["--figure", "cohort.\"late.1\".booked"]).code(2);
    let e = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(e.contains("b.toml") && e.contains("late.1"), "names the scenario and the cohort: {e}");
}

/// `sweep` of `file` with `args` into `out`: its files by name.
fn sweep(file: &Path, args: &[&str], out: &Path) -> Vec<(String, Vec<u8>)> {
    surgesim().arg("sweep").arg(file).args(args).args(["-q", "--no-charts", "--out"]).arg(out).assert().success();
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn sweep_figure_gives_the_values_of_the_runs_and_shards_merge_to_its_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("noisy.toml");
    std::fs::write(&scenario, noisy(10)).unwrap();
    let mut args = vec!["--vary", "backend.max_sessions=10,14,20", "-r", "2"];
    args.extend(ASKED.iter().flat_map(|f| ["--figure", *f]));
    let whole = sweep(&scenario, &args, &dir.path().join("whole"));
    let (header, rows) = table(&dir.path().join("whole/sweep.csv"));
    let tail: Vec<&str> = header[header.len() - 9..].iter().map(String::as_str).collect();
    assert_eq!(tail[..3], [ASKED[0], &format!("{}_lo", ASKED[0]), &format!("{}_hi", ASKED[0])]);
    for (row, sessions) in rows.iter().zip([10, 14, 20]) {
        let lib = library(&noisy(sessions), 2);
        for (j, name) in ASKED.iter().enumerate() {
            assert_eq!(cell(&header, row, name), mean(&lib[j]), "{name} at {sessions} sessions");
        }
    }
    let json: serde_json::Value = serde_json::from_slice(file(&whole, "sweep.json")).unwrap();
    assert_eq!(json["figures"], serde_json::json!(ASKED), "sweep.json records the figures");
    // Shards, merged: the unsharded sweep's bytes.
    let mut parts = Vec::new();
    for i in 0..2 {
        let out = dir.path().join(format!("s{i}"));
        let shard = format!("{i}/2");
        sweep(&scenario, &[&args[..], &["--shard", &shard]].concat(), &out);
        parts.push(out);
    }
    let merged = dir.path().join("merged");
    surgesim().arg("merge").args(&parts).args(["--no-charts", "--out"]).arg(&merged).assert().success();
    for name in ["sweep.csv", "sweep.json"] {
        assert_eq!(std::fs::read(merged.join(name)).unwrap(), file(&whole, name), "{name}");
    }
    // A shard run with other figures is another sweep.
    let other = dir.path().join("other");
    sweep(
        &scenario,
        &["--vary", "backend.max_sessions=10,14,20", "-r", "2", "--shard", "1/2", "--figure", ASKED[0]],
        &other,
    );
    let refused = surgesim()
        .arg("merge")
        .arg(&parts[0])
        .arg(&other)
        .args(["--no-charts", "--out"])
        .arg(dir.path().join("mixed"))
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(e.contains("the figures asked for"), "{e}");
}
