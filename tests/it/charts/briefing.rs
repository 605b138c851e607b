//! Charts for a briefing: the night's events marked where the axis puts
//! them, the Okabe-Ito palette, coinciding percentiles, drop shares, log
//! axes for geometric sweeps.

use super::replicated::sweep_files;
use super::*;
use surgesim::report::charts::run as run_charts;
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
