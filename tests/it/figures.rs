//! Every headline figure reaches every report: `summary.json` (one run and
//! replicated), `report.md`, `compare.csv` and `sweep.csv`, read back as
//! numbers; and a figure counted by hand comes out exact.

use crate::common::*;
use surgesim::commands::{self, sweep};
use surgesim::report::{self, ReportOptions};
use surgesim::stats::{Columns, Headline, RunFigures};
use surgesim::QueueKind;

/// 300 eligible people and 200 ineligible visitors, no retries, in a run
/// long enough for all to leave: every visitor gives up (in the queue, or
/// turned away at the check); the eligible book or give up in the queue.
const NIGHT: &str = r#"
[scenario]
name = "hand-count"
duration = "10h"
bin = "10m"

[[cohort]]
name = "eligible"
people = 300
windows = [{ opens = "0m", closes = "1h" }]

[[cohort]]
name = "visitors"
people = 200
eligible = false
windows = [{ opens = "0m", closes = "1h" }]

[clients]
session = { dist = "exponential", mean = "2m" }
patience = { dist = "exponential", mean = "5m" }

[waiting_room]
max_active = 2

[backend]
max_sessions = 2
"#;

const NO_CHARTS: ReportOptions = ReportOptions { charts: false, format: surgesim::report::ChartFormat::Png };

fn night() -> surgesim::Scenario {
    from_text_with(NIGHT, &[])
}

#[test]
fn eligible_people_who_gave_up_are_counted_apart_from_visitors() {
    let s = night();
    let r = RunFigures::of(&s, surgesim::simulate(&s, 0).results);
    let h = |k: Headline| r.headline.get(k).expect("defined");
    assert_eq!(h(Headline::InSystemAtEnd), 0.0, "everyone has left after 10 h");
    // Every visitor leaves without a booking, at the check or before it.
    assert!(h(Headline::Ineligible) > 0.0 && h(Headline::Ineligible) <= 200.0);
    assert_eq!(h(Headline::GaveUp), h(Headline::GaveUpEligible) + 200.0);
    // Eligible people either booked or gave up.
    assert_eq!(h(Headline::GaveUpEligible), 300.0 - h(Headline::Booked));
    assert!(h(Headline::GaveUpEligible) > 0.0, "patience of 5 min against 2 sessions: some give up");
}

/// The numbers of a CSV table's first row, by column.
fn first_row(bytes: &[u8]) -> Vec<(String, String)> {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().expect("header").iter().map(String::from).collect();
    let row = r.records().next().expect("a row").expect("readable");
    header.into_iter().zip(row.iter().map(String::from)).collect()
}

#[test]
fn every_headline_figure_is_in_every_report() {
    let s = night();
    let one = RunFigures::of(&s, surgesim::simulate(&s, 0).results);
    let single = report::render(&s, std::slice::from_ref(&one), &NO_CHARTS).expect("renders");
    let summary: serde_json::Value = serde_json::from_slice(file(&single, "summary.json")).expect("JSON");
    let runs = commands::replications(&s, 3, QueueKind::default(), &quiet()).expect("memory");
    let replicated = report::render(&s, &runs, &NO_CHARTS).expect("renders");
    let rep: serde_json::Value = serde_json::from_slice(file(&replicated, "summary.json")).expect("JSON");
    let compare =
        report::compare::render(std::slice::from_ref(&s), &[vec![one.clone()]], None, &NO_CHARTS).expect("renders");
    let compare_row = first_row(file(&compare, "compare.csv"));
    let md = String::from_utf8(file(&single, "report.md").to_vec()).expect("UTF-8");

    let plan =
        sweep::Plan::new("hand-count", vec!["backend.max_sessions=2".parse().expect("vary")], 2, None).expect("a plan");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("night.toml");
    std::fs::write(&path, NIGHT).expect("write");
    let points = sweep::load_points(&path, Default::default(), &plan, None).expect("loads");
    let provenance = sweep::provenance(&path, Default::default(), &plan, None).expect("loads");
    let rows = sweep::run(&plan, &points, &quiet()).expect("memory");
    let files = sweep::render(&plan, &provenance, &rows, &NO_CHARTS).expect("renders");
    let sweep_row = first_row(file(&files, "sweep.csv"));

    let number = |row: &[(String, String)], name: &str| -> Option<f64> {
        let cell = &row.iter().find(|(k, _)| k == name).unwrap_or_else(|| panic!("no column {name}")).1;
        (!cell.is_empty()).then(|| cell.parse().unwrap_or_else(|_| panic!("{name}: {cell:?} is not a number")))
    };
    for &k in Headline::ALL {
        let name = k.name();
        let value = *one.headline.get(k);
        let json = match k {
            Headline::Drop(c) => &summary["drops_by_cause"][c.name()],
            _ => &summary[name],
        };
        // serde_json reads floats back to within a unit in the last place.
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            (a, b) => a == b,
        };
        assert!(close(json.as_f64(), value), "summary.json {name}: {json} vs {value:?}");
        // Replicated: the same key holds the mean, `intervals` its interval.
        let (mean, interval) = match k {
            Headline::Drop(c) => (&rep["drops_by_cause"][c.name()], &rep["intervals"]["drops_by_cause"][c.name()]),
            _ => (&rep[name], &rep["intervals"][name]),
        };
        assert_eq!(mean.is_number(), interval.is_object(), "replicated {name}: {mean} {interval}");
        assert!(mean.is_null() || interval["n"] == 3, "replicated {name}: {interval}");
        assert_eq!(number(&compare_row, name), value, "compare.csv {name} (read back exactly)");
        // A sweep point of two replications, replication 0 being this run.
        assert!(number(&sweep_row, name).is_some() == value.is_some(), "sweep.csv {name}");
        if !matches!(k, Headline::Drop(_)) {
            assert!(md.contains(&format!("| {} |", k.label())), "report.md has {}", k.label());
        }
    }
}

/// A script reads one run's and five runs' `summary.json` the same way.
#[test]
fn one_run_and_five_share_the_shape_of_summary_json() {
    let s = night();
    let read = |n: usize| -> serde_json::Value {
        let runs = commands::replications(&s, n, QueueKind::default(), &quiet()).expect("memory");
        serde_json::from_slice(file(&report::render(&s, &runs, &NO_CHARTS).expect("renders"), "summary.json"))
            .expect("JSON")
    };
    let (one, five) = (read(1), read(5));
    assert_eq!(one["replications"], 1);
    assert_eq!(five["replications"], 5);
    let keys = |v: &serde_json::Value| v.as_object().expect("object").keys().cloned().collect::<Vec<_>>();
    let five_keys: Vec<String> = keys(&five).into_iter().filter(|k| k != "confidence" && k != "intervals").collect();
    assert_eq!(keys(&one), five_keys, "the same keys, in the same order");
    // Counts stay integers: people are 500 in every replication.
    assert_eq!(one["people"], 500);
    assert_eq!(five["people"], 500);
    assert!(five["people"].is_u64() && five["booked_share"].is_f64());
    assert_eq!(five["intervals"]["people"]["n"], 5);
}

/// 1,000 people come in the hour before the room opens (at 1 h) and queue;
/// ten sessions of exactly one minute take ten people a minute, so the
/// queue empties exactly 99 minutes after the opening, when the last ten
/// are admitted.
pub const BEFORE_OPENING: &str = r#"
[scenario]
name = "before-opening"
duration = "4h"
bin = "10m"

[[cohort]]
name = "all"
people = 1000
arrivals = { curve = "piecewise", points = [{ at = "0m", rate = 1.0 }, { at = "59m", rate = 1.0 }, { at = "60m", rate = 0.0 }, { at = "4h", rate = 0.0 }] }

[clients]
session = { dist = "constant", value = "1m" }

[waiting_room]
opens = "1h"

[backend]
max_sessions = 10
"#;

#[test]
fn the_queue_clears_99_minutes_after_the_opening_and_waits_count_from_it() {
    let s = from_text_with(BEFORE_OPENING, &[]);
    let r = RunFigures::of(&s, surgesim::simulate(&s, 0).results);
    let h = |k: Headline| *r.headline.get(k);
    assert_eq!(h(Headline::QueueClearedAfter), Some(99.0 * 60.0));
    // From the opening, the k-th ten wait k minutes: p50 about 50 min, and
    // every full wait is longer by the time spent before the opening.
    let from_opening = h(Headline::WaitFromOpeningP50).expect("waits");
    assert!((from_opening - 49.0 * 60.0).abs() <= 60.0, "{from_opening}");
    assert!(h(Headline::WaitP50).expect("waits") > from_opening + 10.0 * 60.0);
    assert!(h(Headline::WaitFromOpeningP99).expect("waits") <= 99.0 * 60.0 * 1.001);
    // The same per cohort.
    let c = &r.cohorts[0];
    assert_eq!(c.get(surgesim::stats::CohortFigure::WaitFromOpeningP50), r.headline.get(Headline::WaitFromOpeningP50));
}

#[test]
fn without_early_comers_waits_from_the_opening_are_the_waits() {
    let s = night();
    let r = RunFigures::of(&s, surgesim::simulate(&s, 0).results);
    for (a, b) in [(Headline::WaitP50, Headline::WaitFromOpeningP50), (Headline::WaitP99, Headline::WaitFromOpeningP99)]
    {
        assert_eq!(r.headline.get(a), r.headline.get(b));
    }
    // Visitors are reported on their own.
    assert_eq!(*r.headline.get(Headline::Visitors), Some(200.0));
    assert!(r.headline.get(Headline::AbandonRateEligible).is_some());
}

/// Bookings by a milestone, counted by hand: ten one-minute sessions from
/// the opening at 1 h take ten people a minute, so by 1 h 30 m the thirty
/// batches admitted from 1 h 0 m to 1 h 29 m have booked: 300 of 1,000.
#[test]
fn the_share_booked_by_a_milestone_is_counted_at_that_instant() {
    let text = BEFORE_OPENING.replace("bin = \"10m\"", "bin = \"10m\"\nmilestones = [\"1h30m\", \"4h\"]");
    let s = from_text_with(&text, &[]);
    let r = RunFigures::of(&s, surgesim::simulate(&s, 0).results);
    assert_eq!(r.milestones.len(), 2);
    assert_eq!(r.milestones[0].share, Some(0.3));
    assert_eq!(r.milestones[1].share, Some(1.0), "everyone by the end");
    let files = report::render(&s, std::slice::from_ref(&r), &NO_CHARTS).expect("renders");
    let summary: serde_json::Value = serde_json::from_slice(file(&files, "summary.json")).expect("JSON");
    assert_eq!(summary["milestones"][0]["booked_share"], 0.3);
    assert_eq!(summary["milestones"][0]["label"], "2021-01-01T01:30");
    let row = first_row(file(&files, "cohorts.csv"));
    let cell = &row.iter().find(|(k, _)| k == "booked_share_by_2021-01-01T01:30").expect("the column").1;
    assert_eq!(cell, "0.3");
    let md = String::from_utf8(file(&files, "report.md").to_vec()).expect("UTF-8");
    assert!(md.contains("## Booked by milestone") && md.contains("30.0%"), "{md}");
}

#[test]
fn milestones_default_to_each_eligible_window_s_close() {
    let s = night();
    assert_eq!(s.milestones, [surgesim::engine::SimTime::from_secs(3600)]);
}
