//! Replicated runs draw means with their 95 % bands; sweeps draw one
//! chart per key, and merge draws the same; the front tier gets its chart.

use super::*;
use surgesim::report::charts::{run as run_charts, Spread};
use surgesim::QueueKind;

const RUN_PNGS_WITH_FRONT: [&str; 7] =
    ["waits.png", "queue.png", "drops.png", "front.png", "bookings.png", "fairness.png", "arrivals.png"];

/// Replications `0..n` of `s`.
fn replicate(s: &Scenario, n: usize) -> Vec<RunFigures> {
    surgesim::batch::replications(s, n, QueueKind::default(), &quiet()).expect("memory")
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
pub(super) fn sweep_files(
    vary: &[&str],
    reps: usize,
    shard: Option<Shard>,
    opts: &ReportOptions,
) -> Vec<(String, Vec<u8>)> {
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
