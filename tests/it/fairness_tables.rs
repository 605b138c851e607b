//! Who gets booked (issue 24), as written: `by_arrival.csv` adds up to
//! each cohort's own counts, `cohorts_timeseries.csv` to `timeseries.csv`
//! bin by bin, replications get their intervals, and `report.md`,
//! `summary.json` and the terminal name the bins and figures the tables
//! hold.

use crate::common::*;
use std::collections::BTreeMap;
use surgesim::batch::{self, Quiet};
use surgesim::report::{self, ReportOptions};
use surgesim::stats::RunFigures;
use surgesim::{simulate, QueueKind, Scenario};

/// Two eligible cohorts (the first with a catch-up round bringing back
/// those not booked) and ineligible visitors, a few thousand people on a
/// site too small for them, in 5-minute arrival bins; an arrival bin
/// counts in the ratio with `min_people` people. The windows close before
/// the run ends, so the last bins before a close book nobody (too late to
/// get through); `open_late` keeps them open to the last 10 minutes, where
/// few come.
fn night_with(min_people: u64, open_late: bool) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "fair"
duration = "4h"
bin = "5m"
seed = 11
arrival_bin_min_people = {min_people}

[[cohort]]
name = "53-54"
people = 2500
windows = [{{ opens = "10m", closes = "1h10m" }}]
arrivals = {{ curve = "surge", share = 0.6, tau = "5m" }}
catch_up = [{{ opens = "2h", closes = "3h", probability = 0.8, arrivals = {{ curve = "surge", share = 0.5, tau = "10m" }} }}]

[[cohort]]
name = "50-52"
people = 1500
windows = [{{ opens = "40m", closes = "2h" }}]
arrivals = {{ curve = "surge", share = 0.3, tau = "10m" }}

[[cohort]]
name = "visitors"
people = 800
eligible = false
windows = [{{ opens = "10m", closes = "3h" }}]
arrivals = {{ curve = "surge", share = 0.5, tau = "10m" }}

[clients]
session = {{ dist = "exponential", mean = "2m" }}
patience = {{ dist = "exponential", mean = "15m" }}
retry = {{ probability = 0.4, delay = {{ dist = "exponential", mean = "5m" }}, max_attempts = 3 }}

[waiting_room]
max_queue = 1500

[backend]
max_sessions = 25
error_probability = 0.03
"#
    );
    let text = if open_late {
        text.replace(r#"closes = "2h""#, r#"closes = "3h50m""#)
            .replace(r#"closes = "3h", probability"#, r#"closes = "3h50m", probability"#)
    } else {
        text
    };
    from_text(&text, &repo())
}

fn night(min_people: u64) -> Scenario {
    night_with(min_people, false)
}

/// A CSV's rows as column -> cell.
fn rows(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().expect("a header").iter().map(String::from).collect();
    r.records().map(|rec| header.iter().cloned().zip(rec.expect("a row").iter().map(String::from)).collect()).collect()
}

fn header(bytes: &[u8]) -> Vec<String> {
    csv::Reader::from_reader(bytes).headers().expect("a header").iter().map(String::from).collect()
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    let cell = row.get(col).unwrap_or_else(|| panic!("no column {col}"));
    cell.parse().unwrap_or_else(|_| panic!("{col} = {cell:?} is not a number"))
}

fn render(s: &Scenario, runs: &[RunFigures]) -> Vec<(String, Vec<u8>)> {
    report::render(s, runs, &ReportOptions { charts: false, ..ReportOptions::default() })
        .unwrap_or_else(|e| panic!("{e:#}"))
}

/// Per cohort: its rows' people are the people who came, their bookings
/// its bookings, their attempts its attempts, their returns its catch-up
/// arrivals, and their give-ups less the returns `cohorts.csv`'s gave_up:
/// exactly, all counts.
fn assert_by_arrival_adds_up(s: &Scenario) {
    let out = simulate(s, 0);
    let came: Vec<u64> = out.results.cohorts.iter().map(|c| c.counts.arrivals).collect();
    let files = render(s, &[RunFigures::of(s, out.results)]);
    let by_arrival = rows(file(&files, "by_arrival.csv"));
    let cohorts = rows(file(&files, "cohorts.csv"));
    assert!(by_arrival.iter().all(|r| num(r, "people") + num(r, "returned") > 0.0), "empty rows are left out");
    let summary: serde_json::Value = serde_json::from_slice(file(&files, "summary.json")).unwrap();
    let mut everyone = 0.0;
    for (i, c) in cohorts.iter().enumerate() {
        let name = &c["cohort"];
        let mine: Vec<_> = by_arrival.iter().filter(|r| &r["cohort"] == name).collect();
        let sum = |col: &str| mine.iter().map(|r| num(r, col)).sum::<f64>();
        // attempts = attempts_per_person · (people + returned), rounded
        // back to the whole count it was divided from.
        let attempts: f64 = mine
            .iter()
            .map(|r| (num(r, "attempts_per_person") * (num(r, "people") + num(r, "returned"))).round())
            .sum();
        assert_eq!(sum("people"), came[i] as f64, "{name}: people who came");
        assert_eq!(sum("booked"), num(c, "booked"), "{name}: booked");
        assert_eq!(attempts, num(c, "attempts"), "{name}: attempts");
        assert_eq!(sum("returned"), num(c, "catch_up_arrivals"), "{name}: returned");
        assert_eq!(sum("gave_up") - sum("returned"), num(c, "gave_up"), "{name}: gave up, net of returns");
        everyone += sum("people");
        for r in &mine {
            let started = num(r, "people") + num(r, "returned");
            assert_eq!(num(r, "booked_share"), num(r, "booked") / started, "{name} {}", r["arrived_from"]);
        }
    }
    assert_eq!(Some(everyone), summary["people"].as_f64(), "every row's people are the night's people");
}

#[test]
fn by_arrival_adds_up_to_each_cohort_with_a_catch_up_round() {
    let s = night(50);
    assert_by_arrival_adds_up(&s);
    // The round brings people back: the identity with returns is tested.
    let back = simulate(&s, 0).results.cohorts[0].counts.returned;
    assert!(back > 100, "the first night books few, many come back: {back}");
}

#[test]
fn by_arrival_adds_up_on_the_bundled_catch_up_night() {
    assert_by_arrival_adds_up(&bundled("kdca-2021-07-21-catchup.toml", &["scenario.seed=5"]).scaled(0.01));
}

/// Every column the two tables share, bin by bin: the cohorts' rows add
/// up to the bin's row (exactly for one run; for replications' means, to
/// a sum's rounding).
fn assert_cohorts_add_up_to_the_timeseries(s: &Scenario, runs: &[RunFigures]) {
    let files = render(s, runs);
    let per_cohort = rows(file(&files, "cohorts_timeseries.csv"));
    let bins = rows(file(&files, "timeseries.csv"));
    let cohort_cols = header(file(&files, "cohorts_timeseries.csv"));
    assert_eq!(&cohort_cols[..3], ["time", "minute", "cohort"]);
    let shared: Vec<&String> = cohort_cols[3..].iter().filter(|c| bins[0].contains_key(*c)).collect();
    for must in ["arrivals", "admitted", "booked", "queue_len", "abandoned", "dropped", "drop_backend_error"] {
        assert!(shared.iter().any(|c| *c == must), "{must} is in both tables");
    }
    let n = s.cohorts.len();
    assert_eq!(per_cohort.len(), bins.len() * n, "one row per bin and cohort");
    let mut nonzero = 0;
    for (b, bin) in bins.iter().enumerate() {
        let mine = &per_cohort[b * n..(b + 1) * n];
        for (c, row) in mine.iter().enumerate() {
            assert_eq!((&row["time"], &row["minute"]), (&bin["time"], &bin["minute"]), "bin {b}");
            assert_eq!(row["cohort"], s.cohorts[c].name, "bin {b}: cohorts in the scenario's order");
        }
        for col in &shared {
            let sum: f64 = mine.iter().map(|r| num(r, col)).sum();
            let whole = num(bin, col);
            // Means of R runs are sums divided by R: each cell is off by at
            // most half an ulp, so n + 1 cells by a few ulps of the total.
            let tol = if runs.len() == 1 { 0.0 } else { 8.0 * f64::EPSILON * whole.abs().max(1.0) };
            assert!((sum - whole).abs() <= tol, "bin {b} {col}: cohorts {sum}, timeseries {whole}");
            nonzero += usize::from(whole > 0.0);
        }
    }
    assert!(nonzero > 100, "the night has events to add up ({nonzero} non-zero cells)");
}

#[test]
fn cohorts_timeseries_adds_up_to_the_timeseries_bin_by_bin() {
    let s = night(50);
    assert_cohorts_add_up_to_the_timeseries(&s, &[RunFigures::of(&s, simulate(&s, 0).results)]);
    let cu = bundled("kdca-2021-07-21-catchup.toml", &[]).scaled(0.01);
    assert_cohorts_add_up_to_the_timeseries(&cu, &[RunFigures::of(&cu, simulate(&cu, 0).results)]);
}

#[test]
fn replications_give_means_with_intervals() {
    let s = night(50);
    let runs = batch::replications(&s, 3, QueueKind::default(), &Quiet).expect("runs");
    let came: Vec<f64> =
        (0..3).map(|r| simulate(&s, r).results.cohorts.iter().map(|c| c.counts.arrivals as f64).sum()).collect();
    let files = render(&s, &runs);
    let bytes = file(&files, "by_arrival.csv");
    let cols = header(bytes);
    for figure in ["people", "booked", "booked_share", "wait_p50_s", "wait_p90_s", "gave_up", "attempts_per_person"] {
        let at = cols.iter().position(|c| c == figure).unwrap_or_else(|| panic!("no {figure}: {cols:?}"));
        assert_eq!(cols[at + 1], format!("{figure}_lo"), "{cols:?}");
        assert_eq!(cols[at + 2], format!("{figure}_hi"), "{cols:?}");
    }
    let table = rows(bytes);
    // Mean people per row, summed: the mean number who came.
    let sum: f64 = table.iter().map(|r| num(r, "people")).sum();
    let mean = came.iter().sum::<f64>() / 3.0;
    assert!((sum - mean).abs() <= 1e-9 * mean, "rows {sum}, mean who came {mean}");
    // Three runs differ somewhere: a booked share with a real interval.
    assert!(table.iter().any(|r| num(r, "booked_share_hi") > num(r, "booked_share_lo")), "no interval has width");
    assert_cohorts_add_up_to_the_timeseries(&s, &runs);
    let summary: serde_json::Value = serde_json::from_slice(file(&files, "summary.json")).unwrap();
    assert_eq!(summary["booking_chance"]["replication"], 0, "the bins are replication 0's");
}

/// The arrival bins the ratio compared, found again from `by_arrival.csv`:
/// eligible cohorts' bins with `min_people` or more people (and returns);
/// `report.md` and `summary.json` name the highest and the lowest, and the
/// headline is their ratio.
#[test]
fn the_report_names_the_highest_and_lowest_bins() {
    let s = night_with(60, true);
    let files = render(&s, &[RunFigures::of(&s, simulate(&s, 0).results)]);
    let eligible = |name: &str| s.cohorts.iter().any(|c| c.name == name && c.eligible);
    let table = rows(file(&files, "by_arrival.csv"));
    let counted: Vec<_> =
        table.iter().filter(|r| eligible(&r["cohort"]) && num(r, "people") + num(r, "returned") >= 60.0).collect();
    assert!(counted.len() < table.len(), "some bins are too small to count");
    let share = |r: &&BTreeMap<String, String>| num(r, "booked_share");
    // The first of equals, in cohort then time order (the table's order).
    let highest = counted.iter().fold(counted[0], |h, r| if share(r) > share(&h) { r } else { h });
    let lowest = counted.iter().fold(counted[0], |l, r| if share(r) < share(&l) { r } else { l });
    assert!(share(&highest) > share(&lowest), "a night where arrival time matters");

    let summary: serde_json::Value = serde_json::from_slice(file(&files, "summary.json")).unwrap();
    let chance = &summary["booking_chance"];
    assert_eq!(chance["bins_counted"], counted.len());
    assert_eq!(chance["min_people"], 60);
    assert_eq!(chance["arrival_bin_s"], 300.0);
    for (key, row) in [("highest", highest), ("lowest", lowest)] {
        assert_eq!(chance[key]["cohort"], row["cohort"].as_str(), "{key}");
        assert_eq!(chance[key]["arrived_from"], row["arrived_from"].as_str(), "{key}");
        assert_eq!(chance[key]["booked_share"].as_f64(), Some(share(&row)), "{key}");
    }
    let ratio = summary["booking_chance_ratio"].as_f64().expect("defined");
    assert!((ratio - share(&highest) / share(&lowest)).abs() <= 1e-12 * ratio, "{ratio}");

    let md = String::from_utf8(file(&files, "report.md").to_vec()).unwrap();
    let section = &md[md.find("## Who gets booked").expect("the section")..];
    let cohorts_at = md.find("## Cohorts").expect("the cohorts' section");
    assert!(md.find("## Who gets booked").unwrap() > cohorts_at, "after the cohorts");
    let clock = |row: &BTreeMap<String, String>| {
        let t = chrono::DateTime::parse_from_rfc3339(&row["arrived_from"]).unwrap();
        format!("cohort {}, from {}", row["cohort"], t.format("%a %-d %b %H:%M"))
    };
    for said in [format!("the highest was {}", clock(highest)), format!("the lowest {}", clock(lowest))] {
        assert!(section.contains(&said), "report.md names the bin ({said}):\n{section}");
    }
    assert!(section.contains(&format!("compared {} bins", counted.len())), "{section}");
    assert!(section.contains("[by_arrival.csv](by_arrival.csv)") && section.contains("(cohorts_timeseries.csv)"));
}

/// A window's last bins book nobody: the ratio is undefined, and the
/// report names that bin and says so.
#[test]
fn a_lowest_bin_that_booked_nobody_is_said() {
    let s = night(60);
    let files = render(&s, &[RunFigures::of(&s, simulate(&s, 0).results)]);
    let summary: serde_json::Value = serde_json::from_slice(file(&files, "summary.json")).unwrap();
    assert!(summary["booking_chance_ratio"].is_null());
    assert_eq!(summary["booking_chance"]["lowest"]["booked_share"], 0.0);
    let md = String::from_utf8(file(&files, "report.md").to_vec()).unwrap();
    let lowest = &summary["booking_chance"]["lowest"];
    let at = chrono::DateTime::parse_from_rfc3339(lowest["arrived_from"].as_str().unwrap()).unwrap();
    let named = format!(
        "the lowest bin (cohort {}, from {}) booked nobody",
        lowest["cohort"].as_str().unwrap(),
        at.format("%a %-d %b %H:%M")
    );
    assert!(md.contains(&format!("The ratio is undefined: {named}")), "{named}\n{md}");
}

/// When no two bins hold enough people the ratio is undefined, and the
/// report says why instead of naming bins.
#[test]
fn an_undefined_ratio_is_explained() {
    let s = night(100_000);
    let files = render(&s, &[RunFigures::of(&s, simulate(&s, 0).results)]);
    let md = String::from_utf8(file(&files, "report.md").to_vec()).unwrap();
    assert!(md.contains("The ratio is undefined: fewer than two arrival bins"), "{md}");
    let summary: serde_json::Value = serde_json::from_slice(file(&files, "summary.json")).unwrap();
    assert!(summary["booking_chance_ratio"].is_null());
    assert_eq!(summary["booking_chance"]["bins_counted"], 0);
    assert!(summary["booking_chance"]["highest"].is_null());
}

/// The terminal's summary has the three figures on one line.
#[test]
fn the_terminal_shows_the_three_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = surgesim()
        .args(["run", "scenarios/kdca-2021-07-21-catchup.toml", "--scale", "0.01", "--no-charts", "--out"])
        .arg(dir.path().join("out"))
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().find(|l| l.contains("overtaking")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("booking chance ratio") && line.contains("Jain's index"), "{line}");
    for f in ["by_arrival.csv", "cohorts_timeseries.csv"] {
        assert!(dir.path().join("out").join(f).is_file(), "{f} written");
    }
}
