//! Charts, `report.md` and `compare`: every file is written, every PNG is a
//! real picture of the stated size, and awkward runs (nobody booked, every
//! attempt dropped, no waits at all, one bin) still draw without error.

use crate::common::{file, from_text_with as load, quiet};
use assert_cmd::Command;
use std::collections::HashSet;
use surgesim::commands::{self, merge, sweep};
use surgesim::report::{self, charts, ChartFormat, ReportOptions};
use surgesim::scenario::grid::{Shard, Vary};
use surgesim::stats::RunFigures;
use surgesim::Scenario;

const RUN_PNGS: [&str; 5] = ["waits.png", "queue.png", "drops.png", "bookings.png", "arrivals.png"];
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
        let runs = commands::compare::run_all(&scenarios, 1, &quiet()).expect("memory");
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

// ---- Replicated runs, sweeps and the front tier (issues 4 and 6) ----

use surgesim::report::charts::{run as run_charts, Spread};
use surgesim::QueueKind;

const RUN_PNGS_WITH_FRONT: [&str; 6] =
    ["waits.png", "queue.png", "drops.png", "front.png", "bookings.png", "arrivals.png"];

/// Replications `0..n` of `s`.
fn replicate(s: &Scenario, n: usize) -> Vec<RunFigures> {
    commands::replications(s, n, QueueKind::default(), &quiet()).expect("memory")
}

/// (finite means, finite band ends) over a figure's lines.
fn band_counts(fig: &charts::Figure) -> (usize, usize) {
    let series = || fig.panels.iter().flat_map(|p| &p.series);
    let means = series().flat_map(|s| &s.points).filter(|p| p.1.is_finite()).count();
    let ends = series()
        .map(|s| match &s.spread {
            Spread::Band(e) => e.iter().filter(|(lo, hi)| lo.is_finite() && hi.is_finite()).count(),
            _ => 0,
        })
        .sum();
    (means, ends)
}

#[test]
fn a_replicated_run_draws_means_with_95_percent_bands() {
    let s = load(SURGE, &["cohort.0.people=1500"]);
    let runs = replicate(&s, 3);
    let files = report::render(&s, &runs, &ReportOptions::default()).expect("replicated render");
    for name in RUN_PNGS {
        assert_real_chart(name, file(&files, name));
    }
    assert!(files.iter().all(|(n, _)| n != "front.png"), "no front tier, no front chart");
    // The charts are not replication 0's: the waits chart differs from it.
    let single = render(&s, &ReportOptions::default());
    assert_ne!(file(&files, "waits.png"), file(&single, "waits.png"));

    for (fig, what) in [(run_charts::waits(&s, &runs), "waits"), (run_charts::drops(&s, &runs), "drops")] {
        let (means, ends) = band_counts(&fig);
        assert!(means > 0 && ends > 0, "{what}: {means} means, {ends} band ends");
        assert!(fig.subtitle.starts_with("Mean of 3 replications"), "{what}: {}", fig.subtitle);
        assert!(fig.legend_extra.iter().any(|(_, l)| l.contains("95 %")), "{what} explains its bands");
        // Every band holds its mean.
        for s in fig.panels.iter().flat_map(|p| &p.series) {
            for (p, (lo, hi)) in s.points.iter().zip(s.spread.ends()) {
                if lo.is_finite() {
                    assert!(*lo <= p.1 + 1e-9 && p.1 <= *hi + 1e-9, "{what} {}: {p:?} outside [{lo}, {hi}]", s.label);
                }
            }
        }
    }
    // The means per bin are the replicated timeseries.csv's.
    let waits = run_charts::waits(&s, &runs);
    let ts = std::str::from_utf8(file(&files, "timeseries.csv")).expect("CSV");
    let mut rows = csv::Reader::from_reader(ts.as_bytes());
    let col = rows.headers().expect("header").iter().position(|h| h == "wait_p90_s").expect("wait_p90_s");
    for (row, point) in rows.records().zip(&waits.panels[0].series[1].points) {
        let cell = row.expect("row")[col].to_string();
        match cell.parse::<f64>() {
            Ok(v) => assert!((v / 60.0 - point.1).abs() < 1e-9, "{v} s vs {} min", point.1),
            Err(_) => assert!(point.1.is_nan()),
        }
    }

    let md = String::from_utf8(file(&files, "report.md").to_vec()).expect("UTF-8");
    assert!(md.contains("**3 replications**") && md.contains("95 % confidence interval"), "{md}");
    assert!(md.contains("mean of the 3 replications"), "the charts are said to be means:\n{md}");
    assert!(md.contains(" to ") && md.contains("| Wait p90 |"), "figures carry intervals:\n{md}");
    for name in RUN_PNGS {
        assert!(md.contains(&format!("]({name})")), "report.md links {name}");
    }
}

#[test]
fn one_run_draws_no_band_and_says_nothing_of_replications() {
    let s = load(SURGE, &["cohort.0.people=500"]);
    let r = figures(&s, 0);
    let fig = run_charts::waits(&s, std::slice::from_ref(&r));
    assert_eq!(band_counts(&fig).1, 0);
    assert!(fig.panels[0].series.iter().all(|s| matches!(s.spread, Spread::None)));
    assert!(!fig.subtitle.contains("replications") && fig.legend_extra.is_empty());
}

#[test]
fn two_replications_with_a_bin_waited_in_one_only_draw() {
    let s = load(SURGE, &["cohort.0.people=500"]);
    let mut runs = replicate(&s, 2);
    // Find a bin with waits in both; take them away from replication 1.
    let k = (0..runs[0].bins.len())
        .find(|&i| runs.iter().all(|r| r.bins[i].wait[1].is_some()))
        .expect("a bin with waits in both replications");
    runs[1].bins[k].wait = [None; 3];
    runs[1].bins[k].wait_mean = None;
    let fig = run_charts::waits(&s, &runs);
    let p90 = &fig.panels[0].series[1];
    assert_eq!(p90.points[k].1, runs[0].bins[k].wait[1].expect("kept") / 60.0, "the one value is the mean");
    assert!(p90.spread.ends()[k].0.is_nan(), "one value has no interval");
    let files = report::render(&s, &runs, &ReportOptions::default()).expect("renders");
    assert_real_chart("waits.png", file(&files, "waits.png"));
    // SVG too, and a replicated run with no waits at all.
    report::render(&s, &runs, &ReportOptions { charts: true, format: ChartFormat::Svg }).expect("SVG renders");
    let none = load(TINY, &["backend.error_probability=1"]);
    let runs = replicate(&none, 2);
    let files = report::render(&none, &runs, &ReportOptions::default()).expect("renders without waits");
    assert_real_chart("waits.png", file(&files, "waits.png"));
}

/// TINY with a front tier too small for its crowd and a waiting room whose
/// status polls take front-tier slots.
fn with_front() -> String {
    format!(
        "{}\n[waiting_room]\nmax_active = 5\npolls_per_minute = 4\n\n[front]\ncapacity = 2\n\
         schedule = [{{ at = \"1h\", capacity = 40 }}]\npoll_service = \"200ms\"\n\
         service = {{ dist = \"exponential\", mean = \"2s\" }}\ntimeout = \"30s\"\n",
        TINY.replace("people = 200", "people = 400\narrivals = { curve = \"surge\", share = 0.7, tau = \"10m\" }")
    )
}

#[test]
fn a_scenario_with_a_front_tier_gets_front_png() {
    let s = load(&with_front(), &[]);
    let r = figures(&s, 0);
    let timeouts = r.headline.get(surgesim::stats::Headline::Drop(surgesim::stats::DropCause::FrontTimeout));
    assert!(timeouts.is_some_and(|n| n > 0.0), "the front tier times out");
    let files = render(&s, &ReportOptions::default());
    for name in RUN_PNGS_WITH_FRONT {
        assert_real_chart(name, file(&files, name));
    }
    let fig = run_charts::front(&s, std::slice::from_ref(&r));
    assert_eq!(fig.panels.len(), 2);
    let labels: Vec<&str> = fig.panels.iter().flat_map(|p| &p.series).map(|s| s.label.as_str()).collect();
    for want in ["Busy with page loads", "Taken by status polls", "Capacity", "Page loads sent", "timed out"] {
        assert!(labels.iter().any(|l| l.contains(want)), "{want} in {labels:?}");
    }
    let md = String::from_utf8(file(&files, "report.md").to_vec()).expect("UTF-8");
    assert!(md.contains("](front.png)") && md.contains("Front-tier load"), "{md}");
    // Without a waiting room nobody polls: no polls line, no total hiding under the page loads'.
    let no_room = with_front().replace("[waiting_room]\nmax_active = 5\npolls_per_minute = 4\n", "");
    let s2 = load(&no_room, &[]);
    let fig = run_charts::front(&s2, std::slice::from_ref(&figures(&s2, 0)));
    let labels: Vec<&str> = fig.panels[0].series.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["Busy with page loads", "Capacity (request slots)"]);

    // Replicated, the front chart has its bands too.
    let runs = replicate(&s, 2);
    let fig = run_charts::front(&s, &runs);
    assert!(band_counts(&fig).1 > 0);
    assert_real_chart("front.png", &charts::render(&fig, ChartFormat::Png).expect("front.png draws"));

    // Without a front tier: no chart and no link.
    let plain = load(TINY, &[]);
    assert!(charts::run_charts_of(&plain).all(|c| c.stem != "front"));
    assert!(charts::run_charts_of(&s).any(|c| c.stem == "front"));
    let md = String::from_utf8(file(&render(&plain, &ReportOptions::default()), "report.md").to_vec()).expect("UTF-8");
    assert!(md.contains("](waits.png)") && !md.contains("front.png"), "{md}");
}

/// Run a sweep (or one shard of it) of TINY with a waiting room through the library.
fn sweep_files(vary: &[&str], reps: usize, shard: Option<Shard>, opts: &ReportOptions) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("tiny.toml");
    let text = format!(
        "{TINY}\n[clients]\nsession = {{ dist = \"exponential\", mean = \"1m\" }}\n\n[waiting_room]\nmax_active = 3\n"
    );
    std::fs::write(&path, text).expect("write scenario");
    let vary: Vec<Vary> = vary.iter().map(|v| v.parse().expect("vary spec")).collect();
    let layout = sweep::SweepLayout::new("tiny", vary, reps, shard).expect("a layout");
    let provenance = sweep::provenance(&path, Default::default(), &layout, None).expect("the scenario loads");
    let points = sweep::load_points(&path, Default::default(), &layout, None).expect("points load");
    let rows = sweep::run(&layout, &points, &quiet()).expect("memory");
    report::sweep::render(&layout, &provenance, &rows, opts).expect("sweep renders")
}

#[test]
fn a_sweep_draws_one_chart_per_key_and_merge_draws_the_same() {
    let vary = ["backend.max_sessions=3,5,8", "clients.session.mean=50s,1m,2m"];
    let whole = sweep_files(&vary, 2, None, &ReportOptions::default());
    for name in ["sweep-backend.max_sessions.png", "sweep-clients.session.mean.png"] {
        assert_real_chart(name, file(&whole, name));
    }
    // Shards draw no chart; merged, they draw the unsharded sweep's, byte for byte.
    let dirs: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().expect("temp dir")).collect();
    for (i, dir) in dirs.iter().enumerate() {
        let shard = sweep_files(&vary, 2, Some(Shard { index: i, count: 2 }), &ReportOptions::default());
        assert!(shard.iter().all(|(n, _)| !n.ends_with(".png")), "shard {i} draws no chart");
        report::output::write_folder(&dir.path().join("out"), &shard).expect("write shard");
    }
    let outs: Vec<_> = dirs.iter().map(|d| d.path().join("out")).collect();
    let merged = merge::merged(&outs, &ReportOptions::default()).expect("merge");
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&merged), names(&whole));
    for (name, bytes) in &whole {
        assert!(file(&merged, name) == bytes.as_slice(), "merged {name} differs from the unsharded sweep's");
    }
    let none = merge::merged(&outs, &ReportOptions { charts: false, format: ChartFormat::Png }).expect("merge");
    assert_eq!(names(&none), ["sweep.csv", "sweep.json"]);
}

#[test]
fn sweep_figures_put_each_key_on_x_with_error_bars() {
    let vary = ["backend.max_sessions=3,5", "clients.session.mean=50s,1m"];
    let whole = sweep_files(&vary, 2, None, &ReportOptions { charts: false, format: ChartFormat::Png });
    let layout = sweep::SweepLayout::new("tiny", vary.iter().map(|v| v.parse().expect("vary spec")).collect(), 2, None)
        .expect("a layout");
    let rows = report::sweep::read(file(&whole, "sweep.csv"), &layout.vary, 2).expect("sweep.csv reads");
    let table = report::sweep::Sweep { scenario: "tiny", vary: &layout.vary, replications: 2, rows };
    let figs = charts::sweep::figures(&table);
    assert_eq!(figs.len(), 2);
    let (stem, fig) = &figs[1];
    assert_eq!(stem, "sweep-clients.session.mean");
    assert!(fig.title.contains("clients.session.mean"));
    let wait = &fig.panels[0];
    assert!(wait.y_desc.contains("p90 wait [min]"), "{}", wait.y_desc);
    assert!(fig.panels.iter().any(|p| p.y_desc.contains("Booked")));
    // One line per value of the other key, with bars, x in minutes.
    assert_eq!(wait.series.len(), 2);
    assert!(wait.series[0].label.contains("backend.max_sessions = 3"), "{}", wait.series[0].label);
    let xs: Vec<f64> = wait.series[0].points.iter().map(|p| p.0).collect();
    assert!((xs[0] - 50.0 / 60.0).abs() < 0.05 && (xs[1] - 1.0).abs() < 0.05, "{xs:?}");
    assert!(matches!(wait.series[0].spread, Spread::Bars(_)));
}

#[test]
fn sweeps_of_one_value_per_key_or_of_words_draw() {
    let files = sweep_files(&["backend.max_sessions=5", "clients.session.mean=1m"], 1, None, &ReportOptions::default());
    for name in ["sweep-backend.max_sessions.png", "sweep-clients.session.mean.png"] {
        assert_real_chart(name, file(&files, name));
    }
    let files = sweep_files(&["waiting_room.order=fifo,random"], 2, None, &ReportOptions::default());
    assert_real_chart("sweep-waiting_room.order.png", file(&files, "sweep-waiting_room.order.png"));
    let svg =
        sweep_files(&["backend.max_sessions=3,5"], 2, None, &ReportOptions { charts: true, format: ChartFormat::Svg });
    assert!(std::str::from_utf8(file(&svg, "sweep-backend.max_sessions.svg")).expect("text").contains("<svg"));
}

#[test]
fn the_sweep_and_merge_commands_take_no_charts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("tiny.toml");
    std::fs::write(&scenario, TINY).expect("write scenario");
    let run = |args: &[&str], out: &str| {
        Command::cargo_bin("surgesim")
            .expect("binary")
            .arg("sweep")
            .arg(&scenario)
            .args(["--vary", "backend.max_sessions=3,5", "-r", "2", "-q"])
            .args(args)
            .arg("--out")
            .arg(dir.path().join(out))
            .assert()
            .success();
    };
    run(&[], "whole");
    assert!(dir.path().join("whole/sweep-backend.max_sessions.png").exists());
    run(&["--no-charts"], "bare");
    assert!(!dir.path().join("bare/sweep-backend.max_sessions.png").exists());
    assert!(dir.path().join("bare/sweep.csv").exists());
    run(&["--shard", "0/1"], "shard");
    assert!(!dir.path().join("shard/sweep-backend.max_sessions.png").exists(), "a shard draws no chart");
    for (extra, out, charts) in [(None, "merged", true), (Some("--no-charts"), "merged-bare", false)] {
        Command::cargo_bin("surgesim")
            .expect("binary")
            .arg("merge")
            .arg(dir.path().join("shard"))
            .args(extra)
            .arg("--out")
            .arg(dir.path().join(out))
            .assert()
            .success();
        assert_eq!(dir.path().join(out).join("sweep-backend.max_sessions.png").exists(), charts, "{out}");
    }
    let a = std::fs::read(dir.path().join("whole/sweep-backend.max_sessions.png")).expect("whole chart");
    let b = std::fs::read(dir.path().join("merged/sweep-backend.max_sessions.png")).expect("merged chart");
    assert!(a == b, "merge draws the unsharded sweep's chart");
}

// ---- Charts for a briefing (issue 16): marks, palette, waits, drops, log x ----

use surgesim::report::charts::{marks, okabe_ito, MARK_COLOR};

/// A PNG's size and its pixels, row by row, as RGB.
fn pixels(bytes: &[u8]) -> (usize, usize, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a valid PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a sane PNG size")];
    let info = reader.next_frame(&mut buf).expect("valid PNG data");
    assert_eq!(info.color_type.samples(), 3, "RGB charts");
    let px = buf[..info.buffer_size()].chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
    (info.width as usize, info.height as usize, px)
}

fn rgb(c: plotters::style::RGBColor) -> [u8; 3] {
    [c.0, c.1, c.2]
}

/// How many pixels of each column are exactly `colour`.
fn column_counts(bytes: &[u8], colour: [u8; 3]) -> Vec<usize> {
    let (w, _, px) = pixels(bytes);
    let mut counts = vec![0; w];
    for (i, p) in px.iter().enumerate() {
        if *p == colour {
            counts[i % w] += 1;
        }
    }
    counts
}

/// The columns with at least `min` pixels of `colour`: vertical lines.
fn line_columns(bytes: &[u8], colour: [u8; 3], min: usize) -> Vec<usize> {
    column_counts(bytes, colour).iter().enumerate().filter(|(_, n)| **n >= min).map(|(c, _)| c).collect()
}

fn pixel_count(bytes: &[u8], colour: [u8; 3]) -> usize {
    column_counts(bytes, colour).iter().sum()
}

/// TINY with a session capacity change 70 minutes in (00:10 on its clock).
fn with_capacity_change() -> Scenario {
    load(&TINY.replace("max_sessions = 5", "max_sessions = 5\nschedule = [{ at = \"1h10m\", max_sessions = 10 }]"), &[])
}

#[test]
fn an_event_is_marked_at_the_column_the_axis_gives_its_time() {
    let s = with_capacity_change();
    let fig = run_charts::queue(&s, &[figures(&s, 0)]);
    assert_eq!(fig.marks.len(), 1, "{:?}", fig.marks);
    assert_eq!(fig.marks[0].label, "00:10 session capacity 10");
    let png = charts::render(&fig, ChartFormat::Png).expect("draws");
    // The vertical grid lines fall on the ticks, every 15 minutes from the
    // start (23:00) to the end (01:00): their columns give the axis's scale.
    let grid = line_columns(&png, [0xE2, 0xE2, 0xE2], 200);
    assert_eq!(grid.len(), 9, "grid columns {grid:?}");
    let (start, end) = (grid[0] as f64, grid[8] as f64);
    let expected = start + (end - start) * 70.0 / 120.0;
    let marked = line_columns(&png, rgb(MARK_COLOR), 100);
    assert_eq!(marked.len(), 1, "one dashed line: {marked:?}");
    assert!(
        (marked[0] as f64 - expected).abs() <= 2.0,
        "mark at column {}, the axis puts 00:10 at {expected}",
        marked[0]
    );
    // Dashed: of the rows it spans, many are gaps.
    let (_, h, px) = pixels(&png);
    let rows: Vec<bool> = (0..h).map(|y| px[y * charts::WIDTH as usize + marked[0]] == rgb(MARK_COLOR)).collect();
    let (first, last) = (rows.iter().position(|r| *r).unwrap_or(0), rows.iter().rposition(|r| *r).unwrap_or(0));
    let gaps = rows[first..=last].iter().filter(|r| !**r).count();
    assert!(gaps * 4 > last - first, "{gaps} gaps in {} rows: dashed", last - first);
}

#[test]
fn every_time_chart_marks_the_nights_events_and_a_sweep_none() {
    let text = format!(
        "{}\n[waiting_room]\nmax_active = 5\nopens = \"20m\"\nbypass = [{{ from = \"30m\", to = \"40m\", share = 0.1 }}]\n\
         [faults]\noutages = [{{ tier = \"backend\", from = \"50m\", to = \"1h\" }}]\n\
         error_windows = [{{ from = \"1h20m\", to = \"1h30m\", probability = 0.3 }}]\n\
         clock_bug = [{{ from = \"1h40m\", to = \"1h50m\", probability = 0.5 }}]\n",
        TINY.replace("people = 200", "people = 200\nwindows = [{ opens = \"10m\", closes = \"1h55m\" }]")
            .replace("max_sessions = 5", "max_sessions = 5\nschedule = [{ at = \"1h10m\", max_sessions = 10 }]")
    );
    let s = load(&text, &[]);
    let labels: Vec<String> = marks::of_run(&s).into_iter().map(|m| m.label).collect();
    assert_eq!(
        labels,
        [
            "23:10 booking opens",
            "23:20 waiting room opens",
            "23:30 back door opens",
            "23:40 back door closes",
            "23:50 backend down",
            "00:00 backend back up",
            "00:10 session capacity 10",
            "00:20 backend errors 30 %",
            "00:30 backend errors back to 0 %",
            "00:40 clock bug starts",
            "00:50 clock bug ends",
            "00:55 booking closes, milestone",
        ]
    );
    let runs = [figures(&s, 0)];
    for c in charts::run_charts_of(&s) {
        let fig = (c.figure)(&s, &runs);
        assert_eq!(fig.marks.len(), labels.len(), "{} marks every event", c.stem);
        assert_real_chart(c.stem, &charts::render(&fig, ChartFormat::Png).expect("draws"));
    }
    // Milestones join the same list, and events of one instant one label.
    let noon = surgesim::engine::SimTime::from_secs(70 * 60);
    let events = marks::events(&s, &[noon]);
    let m = marks::marks(&events, marks::TimeLabel::Clock(s.start));
    assert!(m.iter().any(|m| m.label == "00:10 milestone, session capacity 10"), "{m:?}");
}

#[test]
fn a_comparison_marks_only_what_every_scenario_has() {
    let a = with_capacity_change();
    let b = load(TINY, &["scenario.name=plain"]);
    let runs = [figures(&a, 0), figures(&b, 0)];
    let (ra, rb) = (std::slice::from_ref(&runs[0]), std::slice::from_ref(&runs[1]));
    let pairs: Vec<charts::compare::Run> = vec![(&a, ra), (&a, ra)];
    assert_eq!(charts::compare::waits(&pairs).marks.len(), 1, "both have the change");
    let pairs: Vec<charts::compare::Run> = vec![(&a, ra), (&b, rb)];
    for fig in [charts::compare::waits(&pairs), charts::compare::drops(&pairs), charts::compare::bookings(&pairs)] {
        assert!(fig.marks.is_empty(), "{}: only one has the change: {:?}", fig.title, fig.marks);
    }
}

#[test]
fn charts_use_the_okabe_ito_colours_and_no_red_green_pair() {
    let scenarios: Vec<Scenario> = (1..=4)
        .map(|k| load(SURGE, &["cohort.0.people=500", &format!("scenario.name=s{k}"), &format!("scenario.seed={k}")]))
        .collect();
    let runs: Vec<Vec<RunFigures>> = scenarios.iter().map(|s| vec![figures(s, 0)]).collect();
    let files = report::compare::render(&scenarios, &runs, None, &ReportOptions::default()).expect("compare renders");
    let png = file(&files, "compare-bookings.png");
    for (name, c) in [
        ("blue", okabe_ito::BLUE),
        ("orange", okabe_ito::ORANGE),
        ("bluish green", okabe_ito::BLUISH_GREEN),
        ("vermillion", okabe_ito::VERMILLION),
    ] {
        assert!(pixel_count(png, rgb(c)) > 300, "{name} draws a scenario's line");
    }
    // Tableau's red and green, hard to tell apart for many, are gone from every chart.
    let run = render(&scenarios[0], &ReportOptions::default());
    for (name, bytes) in run.iter().chain(&files).filter(|(n, _)| n.ends_with(".png")) {
        for old in [[0xE1, 0x57, 0x59], [0x59, 0xA1, 0x4F], [0xC0, 0x39, 0x2B]] {
            assert_eq!(pixel_count(bytes, old), 0, "{name} has the old colour {old:02X?}");
        }
    }
    // The run's own charts: capacity in vermillion, attempts in blue and orange.
    assert!(pixel_count(file(&run, "queue.png"), rgb(okabe_ito::VERMILLION)) > 300);
    assert!(pixel_count(file(&run, "arrivals.png"), rgb(okabe_ito::ORANGE)) > 300);
}

/// A steady crowd behind a waiting room that admits fewer a minute than
/// come, in one-minute bins: in FIFO order the people admitted in one
/// minute joined together and waited alike, the wait growing all night.
fn steady_crowd(order: &str) -> Scenario {
    let text = TINY
        .replace("bin = \"10m\"", "bin = \"1m\"")
        .replace("people = 200", "people = 600\narrivals = { curve = \"constant\" }")
        + "\n[clients]\nsession = { dist = \"exponential\", mean = \"30s\" }\n"
        + &format!("\n[waiting_room]\norder = \"{order}\"\nmax_active = 5\nadmit_per_minute = 2\n");
    load(&text, &[])
}

#[test]
fn coinciding_percentiles_are_said_and_their_spread_shown_by_joining_time() {
    let s = steady_crowd("fifo");
    let r = figures(&s, 0);
    let fig = run_charts::waits(&s, std::slice::from_ref(&r));
    assert!(fig.subtitle.starts_with("p50, p90 and p99 coincide"), "{}", fig.subtitle);
    assert_eq!(fig.panels.len(), 2, "by admission, and by the time people joined");
    assert!(fig.panels[1].y_desc.contains("joined"), "{}", fig.panels[1].y_desc);
    // Below, each bin's wait sits at the time its people joined: admitted
    // at x after w minutes, they joined at x - w.
    let (above, below) = (&fig.panels[0].series[1].points, &fig.panels[1].series[1].points);
    for (a, b) in above.iter().zip(below) {
        if a.1.is_finite() && a.1 > 1.0 {
            // (Not before the start: a bin's time is its middle, half a bin
            // after the first of its admissions.)
            assert!((b.0 - (a.0 - 60.0 * a.1).max(0.0)).abs() < 1e-6 && b.1 == a.1, "{a:?} -> {b:?}");
        }
    }
    // Nested, the three lines all show: each colour covers many pixels.
    let png = charts::render(&fig, ChartFormat::Png).expect("draws");
    for c in [okabe_ito::SKY_BLUE, okabe_ito::BLUE, okabe_ito::VERMILLION] {
        assert!(pixel_count(&png, rgb(c)) > 1000, "{c:?} shows");
    }

    // In random order the percentiles spread: nothing to say, one panel.
    let s = steady_crowd("random");
    let fig = run_charts::waits(&s, &[figures(&s, 0)]);
    assert!(!fig.subtitle.contains("coincide") && fig.panels.len() == 1, "{}", fig.subtitle);
}

#[test]
fn drop_shares_never_pass_100_where_per_attempt_rates_did() {
    // Long waits that end in abandons long after the surge that started them.
    let s = load(
        &TINY.replace("people = 200", "people = 600\narrivals = { curve = \"surge\", share = 0.95, tau = \"2m\" }"),
        &["clients.patience.dist=exponential", "clients.patience.mean=40m", "waiting_room.max_active=2"],
    );
    let r = figures(&s, 0);
    let per_attempt = r
        .bins
        .iter()
        .filter(|b| b.counts.attempts() > 0)
        .map(|b| 100.0 * (b.counts.dropped_total() + b.counts.abandoned) as f64 / b.counts.attempts() as f64)
        .fold(0.0, f64::max);
    assert!(per_attempt > 100.0, "the old scale passed 100 here: {per_attempt}");
    let fig = run_charts::drops(&s, std::slice::from_ref(&r));
    let shares = &fig.panels[1];
    assert!(shares.y_desc.contains('%') && shares.y.top() <= 100.0, "{} up to {}", shares.y_desc, shares.y.top());
    let top = shares.series.iter().flat_map(|l| &l.points).map(|p| p.1).filter(|v| v.is_finite()).fold(0.0, f64::max);
    assert!(top > 50.0 && top <= 100.0, "abandons are most of what ended: {top}");
    assert!(fig.panels[0].y_desc.contains("minute"), "counts per minute above: {}", fig.panels[0].y_desc);
    assert!(!fig.subtitle.contains("pass 100"), "{}", fig.subtitle);
    assert_real_chart("drops.png", &charts::render(&fig, ChartFormat::Png).expect("draws"));
}

#[test]
fn a_geometric_sweep_grid_gets_a_log_axis_and_a_linear_one_not() {
    let figure_of = |vary: &str| {
        let whole = sweep_files(&[vary], 1, None, &ReportOptions { charts: false, format: ChartFormat::Png });
        let layout = sweep::SweepLayout::new("tiny", vec![vary.parse().expect("vary spec")], 1, None).expect("a grid");
        let rows = report::sweep::read(file(&whole, "sweep.csv"), &layout.vary, 1).expect("sweep.csv reads");
        let table = report::sweep::Sweep { scenario: "tiny", vary: &layout.vary, replications: 1, rows };
        let mut figs = charts::sweep::figures(&table);
        figs.remove(0).1
    };
    let doubling = figure_of("backend.max_sessions=3,6,12,24");
    assert!(doubling.x.is_log() && doubling.x.desc().contains("log scale"), "{}", doubling.x.desc());
    assert!(doubling.marks.is_empty(), "x is not time: no marks");
    // Evenly spaced on the log axis: 3, 6, 12 and 24 are a step apart each.
    use plotters::coord::ranged1d::Ranged;
    let px: Vec<i32> = [3.0, 6.0, 12.0, 24.0].iter().map(|v| doubling.x.map(v, (0, 1000))).collect();
    assert!(px.windows(3).all(|w| ((w[2] - w[1]) - (w[1] - w[0])).abs() <= 1), "{px:?}");
    assert_real_chart("sweep", &charts::render(&doubling, ChartFormat::Png).expect("draws"));
    let linear = figure_of("backend.max_sessions=3,4,5,6");
    assert!(!linear.x.is_log() && !linear.x.desc().contains("log"), "{}", linear.x.desc());
    let durations = figure_of("clients.session.mean=30s,1m,2m,4m");
    assert!(durations.x.is_log(), "durations in a doubling grid too: {}", durations.x.desc());
}

/// A library caller can build any schedule: 100,000 capacity changes, up to
/// fifteen at one instant, still mark in a blink (the shared events of a
/// comparison were once found by scanning every list for each event). The
/// watchdog is a hang guard, far above the time the drawing takes.
#[test]
fn a_hundred_thousand_events_are_marked_without_hanging() {
    use surgesim::engine::SimTime;
    use surgesim::scenario::Change;
    let mut s = load(TINY, &[]);
    let run = figures(&s, 0);
    s.backend.schedule =
        (0..100_000u64).map(|k| Change { at: SimTime::from_secs(60 + k % 7_000), value: 5 + k % 3 }).collect();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let m = marks::of_run(&s);
        assert_eq!(m.len(), 7_000, "one mark per instant");
        assert!(m.iter().all(|m| m.label.chars().count() < 100), "labels stay short: {}", m[0].label);
        let png = charts::render(&run_charts::queue(&s, std::slice::from_ref(&run)), ChartFormat::Png).expect("draws");
        assert_real_chart("queue.png", &png);
        let one = std::slice::from_ref(&run);
        let pairs: Vec<charts::compare::Run> = vec![(&s, one), (&s, one)];
        assert_eq!(charts::compare::waits(&pairs).marks.len(), 7_000);
        let _ = tx.send(());
    });
    rx.recv_timeout(std::time::Duration::from_secs(120)).expect("marked, not stuck");
}
