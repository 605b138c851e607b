//! Every headline figure reaches every report: `summary.json` (one run and
//! replicated), `report.md`, `compare.csv` and `sweep.csv`, read back as
//! numbers; and a figure counted by hand comes out exact.

use crate::common::*;
use surgesim::commands::sweep;
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
    let runs = surgesim::batch::replications(&s, 3, QueueKind::default(), &quiet()).expect("memory");
    let replicated = report::render(&s, &runs, &NO_CHARTS).expect("renders");
    let rep: serde_json::Value = serde_json::from_slice(file(&replicated, "summary.json")).expect("JSON");
    let compare =
        report::compare::render(std::slice::from_ref(&s), &[vec![one.clone()]], None, &NO_CHARTS).expect("renders");
    let compare_row = first_row(file(&compare, "compare.csv"));
    let md = String::from_utf8(file(&single, "report.md").to_vec()).expect("UTF-8");

    let plan = sweep::SweepLayout::new("hand-count", vec!["backend.max_sessions=2".parse().expect("vary")], 2, None)
        .expect("a plan");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("night.toml");
    std::fs::write(&path, NIGHT).expect("write");
    let points = sweep::load_points(&path, Default::default(), &plan, None).expect("loads");
    let provenance = sweep::provenance(&path, Default::default(), &plan, None).expect("loads");
    let rows = sweep::run(&plan, &points, &quiet()).expect("memory");
    let files = report::sweep::render(&plan, &provenance, &rows, &NO_CHARTS).expect("renders");
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
            Headline::Refusal(c) => &summary["refusals_by_cause"][c.name()],
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
            Headline::Refusal(c) => {
                (&rep["refusals_by_cause"][c.name()], &rep["intervals"]["refusals_by_cause"][c.name()])
            }
            _ => (&rep[name], &rep["intervals"][name]),
        };
        assert_eq!(mean.is_number(), interval.is_object(), "replicated {name}: {mean} {interval}");
        assert!(mean.is_null() || interval["n"] == 3, "replicated {name}: {interval}");
        assert_eq!(number(&compare_row, name), value, "compare.csv {name} (read back exactly)");
        // A sweep point of two replications, replication 0 being this run.
        assert!(number(&sweep_row, name).is_some() == value.is_some(), "sweep.csv {name}");
        if !matches!(k, Headline::Drop(_) | Headline::Refusal(_)) {
            assert!(md.contains(&format!("| {} |", k.label())), "report.md has {}", k.label());
        }
    }
}

/// A script reads one run's and five runs' `summary.json` the same way.
#[test]
fn one_run_and_five_share_the_shape_of_summary_json() {
    let s = night();
    let read = |n: usize| -> serde_json::Value {
        let runs = surgesim::batch::replications(&s, n, QueueKind::default(), &quiet()).expect("memory");
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
    assert_eq!(summary["milestones"][0]["booked_share_by"], 0.3);
    assert_eq!(summary["milestones"][0]["of_people"], 1000);
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

/// Two nights of a rotation: the first group may book on night one (0 to
/// 1 h), the second on night two (24 h to 25 h), and sessions are ample.
const TWO_NIGHTS: &str = r#"
[scenario]
name = "two-nights"
duration = "26h"
bin = "10m"
milestones = ["1h", "25h30m"]

[[cohort]]
name = "night 1"
people = 300
windows = [{ opens = "0m", closes = "1h" }]

[[cohort]]
name = "night 2"
people = 700
windows = [{ opens = "24h", closes = "25h" }]

[clients]
session = { dist = "constant", value = "1s" }

[backend]
max_sessions = 1000
"#;

/// By the first night's close, the milestone's share is of the first
/// night's people (whose window had opened), not of both nights': a night
/// that booked nearly everyone reads so, not 30 %. Each cohort's own share
/// stays in `cohorts.csv`.
#[test]
fn a_milestone_s_share_is_of_the_people_whose_window_had_opened() {
    let s = from_text_with(TWO_NIGHTS, &[]);
    let r = RunFigures::of(&s, surgesim::simulate(&s, 0).results);
    let (first, second) = (&r.milestones[0], &r.milestones[1]);
    assert_eq!((first.of_people, second.of_people), (300, 1000), "night one's people, then both nights'");
    let night_one = first.cohorts[0].expect("an eligible cohort's share");
    assert!(night_one > 0.95, "night one books nearly everyone: {night_one}");
    assert_eq!(first.share, first.cohorts[0], "of night one's people only");
    assert_eq!(first.cohorts[1], Some(0.0), "night two has not opened");
    assert!(second.share.expect("defined") > 0.95, "{:?}", second.share);

    let line = report::headline(&s, &r.headline, &r.milestones);
    assert!(line.contains("of the 300 eligible whose window had opened"), "{line}");
    let files = report::render(&s, std::slice::from_ref(&r), &NO_CHARTS).expect("renders");
    let summary: serde_json::Value = serde_json::from_slice(file(&files, "summary.json")).expect("JSON");
    assert_eq!(summary["milestones"][0]["of_people"], 300);
    assert_eq!(summary["milestones"][0]["booked_share_by"].as_f64(), first.share);
    let md = String::from_utf8(file(&files, "report.md").to_vec()).expect("UTF-8");
    assert!(md.contains("Eligible whose window had opened") && md.contains(" of 300 |"), "{md}");
    // Every cohort's own share by each milestone, in cohorts.csv.
    let table = String::from_utf8(file(&files, "cohorts.csv").to_vec()).expect("UTF-8");
    let header = table.lines().next().expect("a header");
    assert!(header.ends_with("booked_share_by_2021-01-01T01:00,booked_share_by_2021-01-02T01:30"), "{header}");
    assert!(table.lines().nth(2).expect("night two").contains(",0,"), "{table}");
}

/// A milestone has one shape in `summary.json` for one run and for three:
/// the README's `booked_share_by`, a number (the mean), beside the same
/// keys, and `intervals` with the same keys (`null` for one run).
#[test]
fn milestones_keep_one_shape_with_and_without_replications() {
    let s = from_text_with(TWO_NIGHTS, &[]);
    let read = |n: usize| -> serde_json::Value {
        let runs = surgesim::batch::replications(&s, n, QueueKind::default(), &quiet()).expect("memory");
        let summary: serde_json::Value =
            serde_json::from_slice(file(&report::render(&s, &runs, &NO_CHARTS).expect("renders"), "summary.json"))
                .expect("JSON");
        summary["milestones"][0].clone()
    };
    let (one, three) = (read(1), read(3));
    let keys = |v: &serde_json::Value| v.as_object().expect("an object").keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&one), ["at", "label", "of_people", "booked_share_by", "cohorts", "intervals"]);
    assert_eq!(keys(&one), keys(&three));
    for m in [&one, &three] {
        assert!(m["booked_share_by"].is_f64(), "{m}");
        assert!(m["cohorts"]["night 1"].is_f64(), "{m}");
        assert_eq!(keys(&m["intervals"]), ["booked_share_by", "cohorts"]);
        assert_eq!(keys(&m["cohorts"]), keys(&m["intervals"]["cohorts"]));
    }
    assert!(one["intervals"]["booked_share_by"].is_null() && one["intervals"]["cohorts"]["night 1"].is_null());
    assert_eq!(three["intervals"]["booked_share_by"]["n"], 3);
    assert_eq!(three["intervals"]["cohorts"]["night 2"]["n"], 3);
}
