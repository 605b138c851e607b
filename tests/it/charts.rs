//! Charts, `report.md` and `compare`: every file is written, every PNG is a
//! real picture of the stated size, and awkward runs (nobody booked, every
//! attempt dropped, no waits at all, one bin) still draw without error.

use crate::common::{file, from_text_with as load, quiet};
use assert_cmd::Command;
use std::collections::HashSet;
use surgesim::commands::{merge, sweep};
use surgesim::report::{self, charts, ChartFormat, ReportOptions};
use surgesim::scenario::grid::{Shard, Vary};
use surgesim::stats::RunFigures;
use surgesim::Scenario;

const RUN_PNGS: [&str; 6] = ["waits.png", "queue.png", "drops.png", "bookings.png", "fairness.png", "arrivals.png"];
const COMPARE_PNGS: [&str; 3] = ["compare-waits.png", "compare-bookings.png", "compare-drops.png"];

/// A small surge night: two eligible cohorts with their own windows, an
/// ineligible crowd, a waiting room that fills, impatient people who retry.
const SURGE: &str = r#"
[scenario]
name = "small-surge"
title = "Small surge night"
start = "2021-07-19T20:00:00+09:00"
duration = "3h"
bin = "5m"

[[cohort]]
name = "53-54"
people = 3000
windows = [{ opens = "10m", closes = "1h30m" }]
arrivals = { curve = "surge", share = 0.6, tau = "10m" }

[[cohort]]
name = "50-52"
people = 2000
windows = [{ opens = "1h30m", closes = "3h" }]
arrivals = { curve = "surge", share = 0.5, tau = "15m" }

[[cohort]]
name = "ineligible"
people = 1000
eligible = false
windows = [{ opens = "10m", closes = "3h" }]
arrivals = { curve = "surge", share = 0.5, tau = "10m" }

[clients]
session = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "20m" }
retry = { probability = 0.5, delay = { dist = "exponential", mean = "10m" }, max_attempts = 3 }

[waiting_room]
max_active = 40
max_queue = 800

[backend]
max_sessions = 40
error_probability = 0.05
"#;

fn render(s: &Scenario, opts: &ReportOptions) -> Vec<(String, Vec<u8>)> {
    report::render(s, &[figures(s, 0)], opts).unwrap_or_else(|e| panic!("{}: {e:#}", s.name))
}

/// Replication `r` of `s`, reduced to what the reports read.
fn figures(s: &Scenario, r: u64) -> RunFigures {
    RunFigures::of(s, surgesim::simulate(s, r).results)
}

/// Decode a PNG; return its size and the number of distinct colours.
fn inspect_png(bytes: &[u8]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a valid PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a sane PNG size")];
    let info = reader.next_frame(&mut buf).expect("valid PNG data");
    let channels = info.color_type.samples();
    let colours: HashSet<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    (info.width, info.height, colours.len())
}

/// A real picture: the stated size, and more than a blank or a flat fill.
fn assert_real_chart(name: &str, bytes: &[u8]) {
    let (w, h, colours) = inspect_png(bytes);
    assert_eq!((w, h), (charts::WIDTH, charts::HEIGHT), "{name}");
    assert_eq!((w, h), (1200, 700), "{name}");
    assert!(colours > 20, "{name} has only {colours} colours");
}

#[test]
fn a_run_writes_every_chart_and_the_report() {
    let s = load(SURGE, &[]);
    let files = render(&s, &ReportOptions::default());
    for name in RUN_PNGS {
        assert_real_chart(name, file(&files, name));
    }
    let md = String::from_utf8(file(&files, "report.md").to_vec()).expect("UTF-8");
    assert!(md.starts_with("# Small surge night"), "{md}");
    for name in RUN_PNGS {
        assert!(md.contains(&format!("]({name})")), "report.md links {name}");
    }
    for figure in ["| Wait p90 |", "Drop rate", "Abandon rate", "53-54", "50-52", "Booked at window close"] {
        assert!(md.contains(figure), "report.md states {figure}:\n{md}");
    }
    // The tables are still there, unchanged in kind.
    for name in ["timeseries.csv", "cohorts.csv", "summary.json"] {
        assert!(!file(&files, name).is_empty());
    }
}

#[test]
fn the_cli_writes_the_charts_into_the_run_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("surge.toml");
    std::fs::write(&scenario, SURGE).expect("write scenario");
    let out = dir.path().join("run");
    Command::cargo_bin("surgesim")
        .expect("binary")
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .assert()
        .success();
    for name in RUN_PNGS {
        let bytes = std::fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_real_chart(name, &bytes);
    }
    assert!(out.join("report.md").exists());

    let svg = dir.path().join("svg");
    Command::cargo_bin("surgesim")
        .expect("binary")
        .args(["run", "--chart-format", "svg", "-q", "--out"])
        .arg(&svg)
        .arg(&scenario)
        .assert()
        .success();
    let text = std::fs::read_to_string(svg.join("waits.svg")).expect("waits.svg");
    assert!(text.contains("<svg") && text.contains("Small surge night"));
    assert!(!svg.join("waits.png").exists());

    let none = dir.path().join("none");
    Command::cargo_bin("surgesim")
        .expect("binary")
        .args(["run", "--no-charts", "-q", "--out"])
        .arg(&none)
        .arg(&scenario)
        .assert()
        .success();
    assert!(!none.join("waits.png").exists());
    assert!(none.join("report.md").exists() && none.join("timeseries.csv").exists());
}

#[test]
fn svg_charts_and_no_charts() {
    let s = load(SURGE, &["cohort.0.people=500"]);
    let files = render(&s, &ReportOptions { charts: true, format: ChartFormat::Svg });
    for name in RUN_PNGS {
        let svg = name.replace(".png", ".svg");
        let text = std::str::from_utf8(file(&files, &svg)).expect("SVG is text");
        assert!(text.starts_with("<svg") && text.contains("</svg>"), "{svg}");
        assert!(text.contains("Small surge night"), "{svg} has the scenario title");
    }
    let md = String::from_utf8(file(&files, "report.md").to_vec()).expect("UTF-8");
    assert!(md.contains("](waits.svg)"));

    let files = render(&s, &ReportOptions { charts: false, format: ChartFormat::Png });
    assert!(files.iter().all(|(n, _)| !n.ends_with(".png") && !n.ends_with(".svg")));
    let md = String::from_utf8(file(&files, "report.md").to_vec()).expect("UTF-8");
    assert!(!md.contains("## Charts"));
}

#[test]
fn compare_writes_one_row_per_scenario_and_overlay_charts() {
    let a = load(SURGE, &[]);
    let b = load(
        SURGE,
        &[
            "scenario.name=more-sessions",
            "scenario.title=More sessions",
            "backend.max_sessions=80",
            "waiting_room.max_active=80",
        ],
    );
    let runs = [vec![figures(&a, 0)], vec![figures(&b, 0)]];
    let files = report::compare::render(&[a, b], &runs, None, &ReportOptions::default()).expect("compare renders");
    let csv = std::str::from_utf8(file(&files, "compare.csv")).expect("CSV is text");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().expect("header").clone();
    for col in ["scenario", "title", "people", "booked_share", "drop_rate", "abandon_rate", "wait_p90_s"] {
        assert!(headers.iter().any(|h| h == col), "compare.csv has {col}: {headers:?}");
    }
    let names: Vec<String> = rows.records().map(|r| r.expect("row")[0].to_string()).collect();
    assert_eq!(names, ["small-surge", "more-sessions"], "one row each, in input order");
    for name in COMPARE_PNGS {
        assert_real_chart(name, file(&files, name));
    }
    let md = String::from_utf8(file(&files, "report.md").to_vec()).expect("UTF-8");
    assert!(md.contains("More sessions") && md.contains("](compare-waits.png)"));
}

#[test]
fn compare_results_do_not_depend_on_the_thread_count() {
    let scenarios: Vec<Scenario> =
        (1..=3).map(|seed| load(SURGE, &["cohort.0.people=500", &format!("scenario.seed={seed}")])).collect();
    let opts = ReportOptions { charts: false, format: ChartFormat::Png };
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let both = || {
        let runs = surgesim::batch::scenarios(&scenarios, 1, &quiet()).expect("memory");
        report::compare::render(&scenarios, &runs, None, &opts).expect("compare renders")
    };
    let serial = one.install(both);
    let parallel = both();
    assert_eq!(file(&serial, "compare.csv"), file(&parallel, "compare.csv"));
}

#[test]
fn the_compare_command_writes_its_folder_and_refuses_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    std::fs::write(&a, SURGE).expect("write a");
    std::fs::write(
        &b,
        SURGE.replace("max_sessions = 40", "max_sessions = 60").replace("Small surge night", "Bigger backend"),
    )
    .expect("write b");
    let out = dir.path().join("cmp");
    Command::cargo_bin("surgesim")
        .expect("binary")
        .args(["compare", "--set", "cohort.0.people=500", "-q", "--out"])
        .arg(&out)
        .arg(&a)
        .arg(&b)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("compare.csv")).expect("compare.csv");
    assert_eq!(csv.lines().count(), 3, "header and one row each:\n{csv}");
    for name in COMPARE_PNGS {
        assert!(out.join(name).exists(), "{name}");
    }
    assert!(out.join("report.md").exists());

    // A broken scenario is bad input (exit 2), and nothing is written.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, SURGE.replace("people = 3000", "pepole = 3000")).expect("write bad");
    let out2 = dir.path().join("cmp2");
    Command::cargo_bin("surgesim")
        .expect("binary")
        .args(["compare", "--out"])
        .arg(&out2)
        .arg(&a)
        .arg(&bad)
        .assert()
        .code(2);
    assert!(!out2.exists());
}

/// A minimal run that every edge case below adapts.
const TINY: &str = r#"
[scenario]
name = "edge"
title = "Edge case"
start = "2021-07-19T23:00:00+09:00"
duration = "2h"
bin = "10m"

[[cohort]]
name = "all"
people = 200

[backend]
max_sessions = 5
"#;

/// Every run chart of `s`, as PNG and SVG, must draw.
fn draws(s: &Scenario) {
    for format in [ChartFormat::Png, ChartFormat::Svg] {
        let files = render(s, &ReportOptions { charts: true, format });
        if format == ChartFormat::Png {
            for name in RUN_PNGS {
                let (w, h, _) = inspect_png(file(&files, name));
                assert_eq!((w, h), (1200, 700), "{}: {name}", s.title);
            }
        }
    }
}

#[test]
fn a_cohort_with_no_arrivals_draws() {
    let text = TINY.replace("people = 200", "people = 0");
    draws(&load(&text, &[]));
    let two = format!("{TINY}\n[[cohort]]\nname = \"nobody\"\npeople = 0\n");
    draws(&load(&two, &[]));
}

/// Text far past the validator's limits (a library caller can build any
/// `Scenario`) still lays out in a blink: a title of 100,000 characters took
/// minutes, cut one character and one measurement at a time. The watchdog
/// is a hang guard, far above the milliseconds the drawing takes.
#[test]
fn a_title_of_100_000_characters_draws_without_hanging() {
    let mut s = load(TINY, &[]);
    s.title = "Booking night ".repeat(7_143);
    s.cohorts[0].name = "한국어 ".repeat(25_000);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        draws(&s);
        let _ = tx.send(());
    });
    rx.recv_timeout(std::time::Duration::from_secs(120)).expect("the charts are drawn, not stuck cutting the title");
}

#[test]
fn a_run_of_one_bin_draws() {
    draws(&load(TINY, &["scenario.bin=2h"]));
    // And a last bin cut short by the end of the run.
    draws(&load(TINY, &["scenario.bin=90m"]));
}

#[test]
fn every_attempt_dropped_and_nobody_booked_draws() {
    // No waiting room (so no wait at all) and every session fails.
    let s = load(TINY, &["backend.error_probability=1"]);
    let r = surgesim::simulate(&s, 0).results;
    let t = r.totals();
    // All but the few still in a session at the end are dropped.
    assert!(t.attempts() > 0 && t.booked == 0 && t.dropped_total() + 5 >= t.attempts(), "{t:?}");
    assert!(r.bins.iter().all(|b| b.wait.iter().all(Option::is_none)), "no wait recorded");
    draws(&s);
}

#[test]
fn only_ineligible_visitors_draw() {
    let text = TINY.replace("people = 200", "people = 200\neligible = false");
    draws(&load(&text, &[]));
}

#[test]
fn compare_of_scenarios_with_different_starts_draws() {
    let a = load(TINY, &[]);
    let morning = TINY.replace("2021-07-19T23:00:00+09:00", "2021-07-20T09:00:00+09:00");
    let b = load(&morning, &["scenario.name=morning", "backend.error_probability=1"]);
    let runs = [vec![figures(&a, 0)], vec![figures(&b, 0)]];
    let files = report::compare::render(&[a, b], &runs, None, &ReportOptions::default()).expect("compare renders");
    for name in COMPARE_PNGS {
        let (w, h, _) = inspect_png(file(&files, name));
        assert_eq!((w, h), (1200, 700), "{name}");
    }
}

// Replicated runs, sweeps and the front tier; charts for a briefing
// (marks, palette, waits, drops, log x).
mod briefing;
mod replicated;
