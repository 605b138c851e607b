//! A run held against its scenario's observations (`[[observed]]`), with
//! the real binary: `observed.csv` gives the same numbers as the run's own
//! tables, replications an interval around their mean, `--scale` counts at
//! full size; a figure that is no figure is bad input; observations pass
//! through `extends` like every other list; a scenario without any writes
//! exactly what it wrote before.

use crate::common::surgesim;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Two cohorts queueing for 20 sessions: the line is long at 20:30, the
/// sessions full at 21:00, bookings go on all night.
const NIGHT: &str = r#"
[scenario]
name = "held"
start = "2021-07-19T20:00:00+09:00"
duration = "2h"
bin = "10m"
seed = 7

[[cohort]]
name = "early"
people = 3000
windows = [{ opens = "0m", closes = "1h" }]
arrivals = { curve = "surge", share = 0.6, tau = "5m" }

[[cohort]]
name = "late"
people = 1000
windows = [{ opens = "30m", closes = "2h" }]

[clients]
session = { dist = "exponential", mean = "2m" }
patience = { dist = "exponential", mean = "30m" }

[waiting_room]
max_active = 20

[backend]
max_sessions = 20
"#;

/// One observation of each kind: at a bin's end (20:30 and 21:00 end the
/// bins of 20:20 and 20:50), a count by a bin's end, a cohort's count by
/// the run's end, a cohort's column of cohorts.csv, a headline figure.
const OBSERVED: &str = r#"
[[observed]]
figure = "queue_at_2021-07-19T20:30"
value = 1500
source = "press briefing | 20:30"

[[observed]]
figure = "active_at_1h"
value = 20
source = "KDCA"

[[observed]]
figure = "booked_by_2021-07-19T20:50"
value = 400

[[observed]]
figure = "cohort.early.booked_by_2021-07-19T22:00"
value = 900

[[observed]]
figure = "cohort.late.wait_p90_s"
value = 1200

[[observed]]
figure = "booked_share"
value = 0
"#;

/// A folder holding `files` (name, text).
fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write scenario");
    }
    dir
}

/// `surgesim run FILE --out OUT -q` and more arguments; asserts success.
fn run(dir: &Path, file: &str, out: &str, more: &[&str]) -> PathBuf {
    let out = dir.join(out);
    surgesim()
        .current_dir(dir)
        .args(["run", file, "--out"])
        .arg(&out)
        .args(["-q", "--no-charts"])
        .args(more)
        .assert()
        .success();
    out
}

/// A CSV file's rows, each as column -> cell.
fn table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().expect("header").iter().map(String::from).collect();
    r.records().map(|row| header.iter().cloned().zip(row.expect("a row").iter().map(String::from)).collect()).collect()
}

fn num(cell: &str) -> f64 {
    cell.parse().unwrap_or_else(|_| panic!("not a number: {cell:?}"))
}

/// observed.csv's row of `figure`.
fn row<'a>(rows: &'a [BTreeMap<String, String>], figure: &str) -> &'a BTreeMap<String, String> {
    rows.iter().find(|r| r["figure"] == figure).unwrap_or_else(|| panic!("no row {figure} in {rows:?}"))
}

#[test]
fn observed_csv_agrees_with_the_runs_own_tables() {
    let dir = workspace(&[("night.toml", &format!("{NIGHT}{OBSERVED}"))]);
    let out = run(dir.path(), "night.toml", "out", &[]);
    let text = std::fs::read_to_string(out.join("observed.csv")).expect("observed.csv");
    assert!(text.starts_with("figure,observed,simulated,lo,hi,error,source\n"), "{text}");
    let observed = table(&out.join("observed.csv"));
    let names: Vec<&str> = observed.iter().map(|r| r["figure"].as_str()).collect();
    assert_eq!(
        names,
        [
            "queue_at_2021-07-19T20:30",
            "active_at_1h",
            "booked_by_2021-07-19T20:50",
            "cohort.early.booked_by_2021-07-19T22:00",
            "cohort.late.wait_p90_s",
            "booked_share"
        ],
        "the scenario's order"
    );
    let bins = table(&out.join("timeseries.csv"));
    let bin = |time: &str| bins.iter().position(|b| b["time"] == time).expect("the bin");
    // The state at a bin's end is the bin's end-of-bin column.
    let queue = row(&observed, "queue_at_2021-07-19T20:30");
    assert_eq!(queue["simulated"], bins[bin("2021-07-19T20:20:00+09:00")]["queue_len"]);
    assert!(num(&queue["simulated"]) > 0.0, "the test has a line to read");
    let active = row(&observed, "active_at_1h");
    assert_eq!(active["simulated"], bins[bin("2021-07-19T20:50:00+09:00")]["active_sessions"]);
    // A count by a bin's end: the bins' counts up to it.
    let by = bin("2021-07-19T20:40:00+09:00");
    let booked: u64 = bins[..=by].iter().map(|b| b["booked"].parse::<u64>().expect("a count")).sum();
    assert_eq!(row(&observed, "booked_by_2021-07-19T20:50")["simulated"], booked.to_string());
    // A cohort's count by the run's end, and its column: cohorts.csv.
    let cohorts = table(&out.join("cohorts.csv"));
    let cohort = |name: &str| cohorts.iter().find(|c| c["cohort"] == name).expect("the cohort");
    assert_eq!(row(&observed, "cohort.early.booked_by_2021-07-19T22:00")["simulated"], cohort("early")["booked"]);
    let wait = row(&observed, "cohort.late.wait_p90_s");
    assert_eq!(wait["simulated"], cohort("late")["wait_p90_s"]);
    // A headline figure: summary.json's.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary")).expect("JSON");
    let share = row(&observed, "booked_share");
    assert_eq!(num(&share["simulated"]), summary["booked_share"].as_f64().expect("a share"));
    // One run: no interval. The error is relative, and blank against 0.
    assert!(observed.iter().all(|r| r["lo"].is_empty() && r["hi"].is_empty()), "{observed:?}");
    let expected = (num(&wait["simulated"]) - 1200.0) / 1200.0;
    assert_eq!(num(&wait["error"]), expected);
    assert_eq!(share["error"], "", "no relative difference from 0");
    assert_eq!(queue["source"], "press briefing | 20:30");
    // report.md says the same, after the headline figures; the free text
    // cannot break its table.
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    let section = md.find("## Observed and simulated").expect("the section");
    assert!(md.find("## Headline figures").expect("headline") < section);
    assert!(md.contains("press briefing \\| 20:30"), "{md}");
    assert!(md.contains("Error is (simulated - observed) / observed"), "{md}");
    // The folder's marker lists the file: a later run may replace it.
    let marker = std::fs::read_to_string(out.join(".surgesim-output")).expect("marker");
    assert!(marker.contains("\"observed.csv\""), "{marker}");
    run(dir.path(), "night.toml", "out", &[]);
}

#[test]
fn replications_put_their_mean_inside_its_interval() {
    let dir = workspace(&[("night.toml", &format!("{NIGHT}{OBSERVED}"))]);
    let out = run(dir.path(), "night.toml", "out", &["-r", "3"]);
    let observed = table(&out.join("observed.csv"));
    assert_eq!(observed.len(), 6);
    for r in &observed {
        let (lo, sim, hi) = (num(&r["lo"]), num(&r["simulated"]), num(&r["hi"]));
        assert!(lo <= sim && sim <= hi, "{r:?}");
    }
    // Bookings differ between replications: a real interval.
    let booked = row(&observed, "booked_by_2021-07-19T20:50");
    assert!(num(&booked["lo"]) < num(&booked["hi"]), "{booked:?}");
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("| Figure | Observed | Simulated [95 % interval] | Error | Source |"), "{md}");
}

#[test]
fn a_figure_that_is_no_figure_is_bad_input_and_nothing_is_written() {
    let bad = format!("{NIGHT}\n[[observed]]\nfigure = \"wait_p91_s\"\nvalue = 1\n");
    let line = bad.lines().position(|l| l.starts_with("figure = \"wait_p91_s\"")).expect("the line") + 1;
    let dir = workspace(&[("bad.toml", &bad)]);
    let out = dir.path().join("out");
    let o = out.to_str().expect("utf-8");
    // Every command runs only what `validate` passes.
    for args in [
        vec!["run", "bad.toml", "--out", o, "-q"],
        vec!["validate", "bad.toml"],
        vec!["compare", "bad.toml", "bad.toml", "--out", o, "-q"],
        vec!["sweep", "bad.toml", "--vary", "backend.max_sessions=30,40", "--out", o, "-q"],
        vec!["plan", "bad.toml", "--vary", "backend.max_sessions=30..40", "--target", "drop_rate <= 0.1", "--out", o],
        vec!["calibrate", "bad.toml", "--fit", "backend.max_sessions=30..40", "--out", o],
    ] {
        let done = surgesim().current_dir(dir.path()).args(&args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(&format!("bad.toml:{line}:")), "{args:?} names the line: {stderr}");
        assert!(stderr.contains("observed[0].figure") && stderr.contains("wait_p90_s"), "{stderr}");
    }
    assert!(!out.exists(), "no output folder");
    let leftovers: Vec<_> =
        std::fs::read_dir(dir.path()).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(leftovers, ["bad.toml"], "nothing beside it either (no lock, no temporary folder)");
}

#[test]
fn observations_pass_through_extends_like_other_lists() {
    let base = format!("{NIGHT}{OBSERVED}");
    let inherits = "[scenario]\nextends = \"base.toml\"\nname = \"inherits\"\n";
    let own = "[scenario]\nextends = \"base.toml\"\nname = \"own\"\n\
               [[observed]]\nfigure = \"booked\"\nvalue = 1000\nsource = \"own\"\n";
    let drops = "[scenario]\nextends = \"base.toml\"\nname = \"drops\"\nunset = [\"observed\"]\n";
    let dir = workspace(&[("base.toml", &base), ("inherits.toml", inherits), ("own.toml", own), ("drops.toml", drops)]);
    let figures =
        |out: &Path| -> Vec<String> { table(&out.join("observed.csv")).iter().map(|r| r["figure"].clone()).collect() };
    let from_base = figures(&run(dir.path(), "base.toml", "base", &[]));
    assert_eq!(figures(&run(dir.path(), "inherits.toml", "inherits", &[])), from_base, "inherited whole");
    assert_eq!(figures(&run(dir.path(), "own.toml", "own", &[])), ["booked"], "its own list replaces the base's");
    let dropped = run(dir.path(), "drops.toml", "drops", &[]);
    assert!(!dropped.join("observed.csv").exists(), "unset takes them out");
}

#[test]
fn a_scenario_without_observations_writes_what_it_wrote_before() {
    let dir = workspace(&[("plain.toml", NIGHT), ("held.toml", &format!("{NIGHT}{OBSERVED}"))]);
    let charts = |file: &str, out: &str| {
        let out = dir.path().join(out);
        surgesim().current_dir(dir.path()).args(["run", file, "-q", "--out"]).arg(&out).assert().success();
        out
    };
    let plain = charts("plain.toml", "plain");
    assert!(!plain.join("observed.csv").exists());
    let md = std::fs::read_to_string(plain.join("report.md")).expect("report.md");
    assert!(!md.contains("Observed and simulated") && !md.contains("observed.csv"), "{md}");
    // The same night with observations: its queue chart carries their
    // marks, a chart with none to show is the same bytes.
    let held = charts("held.toml", "held");
    let read = |dir: &Path, name: &str| std::fs::read(dir.join(name)).expect("a chart");
    assert_ne!(read(&plain, "queue.png"), read(&held, "queue.png"), "the queue chart marks 20:30 and 21:00");
    assert_ne!(read(&plain, "bookings.png"), read(&held, "bookings.png"), "the early cohort's booked count");
    assert_eq!(read(&plain, "arrivals.png"), read(&held, "arrivals.png"), "nothing to mark on arrivals");
    assert_eq!(read(&plain, "timeseries.csv"), read(&held, "timeseries.csv"), "sampling instants changes no bin");
}

#[test]
fn a_scaled_run_reports_counts_at_full_size() {
    let dir = workspace(&[("night.toml", &format!("{NIGHT}{OBSERVED}"))]);
    let out = run(dir.path(), "night.toml", "out", &["--scale", "0.5"]);
    let observed = table(&out.join("observed.csv"));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary")).expect("JSON");
    let cohorts = table(&out.join("cohorts.csv"));
    let early = cohorts.iter().find(|c| c["cohort"] == "early").expect("early");
    // The run booked at half size; its count is reported doubled, exactly.
    let by_end = row(&observed, "cohort.early.booked_by_2021-07-19T22:00");
    assert_eq!(num(&by_end["simulated"]), num(&early["booked"]) / 0.5);
    // A share and a wait are the same at any size: as simulated.
    assert_eq!(num(&row(&observed, "booked_share")["simulated"]), summary["booked_share"].as_f64().expect("share"));
    assert_eq!(row(&observed, "cohort.late.wait_p90_s")["simulated"], cohorts[1]["wait_p90_s"]);
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("its counts are shown divided by 0.5"), "{md}");
}
