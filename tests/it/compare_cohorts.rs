//! `compare` by cohort: every cohort the scenarios share gets its block of
//! `compare.csv` (`cohort.NAME.FIGURE`, with `-r` its paired difference
//! `_diff`, `_diff_lo`, `_diff_hi`), a cohort of one scenario only is left
//! out and named in `report.md`, a dotted name is quoted as `--figure`
//! spells it, a figure also asked with `--figure` is one column, and a
//! FIFO room against a random-order one shows who gains and who loses.

use crate::common::{from_text, quiet, surgesim};
use std::path::Path;
use surgesim::stats::{CohortFigure, RunFigures};
use surgesim::QueueKind;

/// A rush of 2,400 people in 20 minutes at a room admitting 40 a minute,
/// whose patience runs out in 30 minutes on average: `early` (the first
/// ten minutes) and `late.1` (the next ten); `extra` is added by `with_extra`.
/// FIFO serves the early ones first and the late ones wait, random order
/// gives both the same chance: the cohorts' booked shares move apart.
fn rush(name: &str, order: &str) -> String {
    format!(
        r#"
[scenario]
name = "{name}"
start = "2021-07-19T20:00:00+09:00"
duration = "3h"
bin = "10m"

[[cohort]]
name = "early"
people = 1200
arrivals = {{ curve = "piecewise", points = [{{ at = "0m", rate = 120.0 }}, {{ at = "10m", rate = 120.0 }}] }}

[[cohort]]
name = "late.1"
people = 1200
arrivals = {{ curve = "piecewise", points = [{{ at = "10m", rate = 120.0 }}, {{ at = "20m", rate = 120.0 }}] }}

[clients]
session = {{ dist = "exponential", mean = "1m" }}
patience = {{ dist = "exponential", mean = "30m" }}

[waiting_room]
order = "{order}"
admit_per_minute = 40

[backend]
max_sessions = 1000
"#
    )
}

/// `rush` with a third cohort, which only this scenario has.
fn with_extra(text: &str) -> String {
    text.replace(
        "[clients]",
        "[[cohort]]\nname = \"extra\"\npeople = 300\n\
         arrivals = { curve = \"piecewise\", points = [{ at = \"0m\", rate = 10.0 }, { at = \"30m\", rate = 10.0 }] }\n\n\
         [clients]",
    )
}

/// `surgesim compare a.toml b.toml ARGS` in `dir`, into `dir/cmp`: its
/// terminal output.
fn compare(dir: &Path, args: &[&str]) -> String {
    let out = surgesim()
        .current_dir(dir)
        .args(["compare", "a.toml", "b.toml", "--no-charts", "--out", "cmp"])
        .args(args)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// `compare.csv` of `dir/cmp` as (header, rows).
fn table(dir: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(dir.join("cmp/compare.csv")).expect("compare.csv");
    let header = r.headers().expect("header").iter().map(String::from).collect();
    (header, r.records().map(|x| x.expect("row")).collect())
}

fn number(header: &[String], row: &csv::StringRecord, name: &str) -> f64 {
    let i = header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}: {header:?}"));
    row[i].parse().unwrap_or_else(|_| panic!("{name}: {:?} is not a number", &row[i]))
}

/// A cohort's figure in each of `reps` replications of `text`, through the
/// library (seed 1, the files' own: the seed `compare` runs them all on).
fn by_hand(text: &str, reps: usize, cohort: usize, f: CohortFigure) -> Vec<f64> {
    let s = from_text(text, Path::new("."));
    let runs: Vec<RunFigures> =
        surgesim::batch::replications(&s, reps, QueueKind::default(), &quiet()).expect("memory");
    runs.iter().map(|r| r.cohorts[cohort].get(f).expect("defined")).collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn shared_cohorts_get_paired_differences_and_the_others_are_named_as_left_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = (rush("fifo", "fifo"), with_extra(&rush("random", "random")));
    std::fs::write(dir.path().join("a.toml"), &a).expect("write");
    std::fs::write(dir.path().join("b.toml"), &b).expect("write");
    let terminal = compare(dir.path(), &["-r", "4"]);
    let (header, rows) = table(dir.path());
    for cohort in ["early", "\"late.1\""] {
        for suffix in ["", "_lo", "_hi", "_diff", "_diff_lo", "_diff_hi"] {
            let name = format!("cohort.{cohort}.booked_share{suffix}");
            assert!(header.contains(&name), "compare.csv has {name}: {header:?}");
        }
        // Every column of cohorts.csv, not only the booked share.
        assert!(header.contains(&format!("cohort.{cohort}.time_to_book_p90_s_diff_hi")), "{header:?}");
    }
    assert!(!header.iter().any(|h| h.contains("extra")), "a cohort of one scenario has no column: {header:?}");
    assert!(!header.iter().any(|h| h.starts_with("cohort.late.1.")), "a dotted name is quoted: {header:?}");

    // The paired difference is the mean of the replications' differences,
    // each run here through the library on the same seed. The CSV writes
    // the shortest round-trip form, so only the summation order may differ:
    // a few units in the last place.
    for (j, cohort) in ["early", "\"late.1\""].iter().enumerate() {
        for f in [CohortFigure::BookedShare, CohortFigure::WaitP90] {
            let (x, y) = (by_hand(&a, 4, j, f), by_hand(&b, 4, j, f));
            let d: Vec<f64> = y.iter().zip(&x).map(|(y, x)| y - x).collect();
            let name = format!("cohort.{cohort}.{}", surgesim::stats::Columns::name(f));
            assert!((number(&header, &rows[0], &name) - mean(&x)).abs() <= 1e-12 * mean(&x).abs().max(1.0), "{name}");
            let found = number(&header, &rows[1], &format!("{name}_diff"));
            assert!((found - mean(&d)).abs() <= 1e-9 * mean(&d).abs().max(1.0), "{name}_diff {found} vs {d:?}");
            let i = header.iter().position(|h| *h == format!("{name}_diff")).expect("column");
            assert_eq!(&rows[0][i], "", "the first scenario has no difference to itself");
        }
    }

    let md = std::fs::read_to_string(dir.path().join("cmp/report.md")).expect("report.md");
    assert!(md.contains("## By cohort"), "{md}");
    assert!(md.contains("Left out, not in every scenario: `extra` (only in `random`)"), "{md}");
    assert!(md.contains("| `late.1` | Wait p90 |"), "{md}");
    assert!(md.contains("  - `early` booked share of eligible people: "), "{md}");
    assert!(terminal.contains("    cohort.early.booked_share "), "{terminal}");
    assert!(terminal.contains("    cohort.\"late.1\".booked_share "), "{terminal}");
}

#[test]
fn random_order_moves_the_cohorts_booked_shares_apart_from_fifo_beyond_the_noise() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.toml"), rush("fifo", "fifo")).expect("write");
    std::fs::write(dir.path().join("b.toml"), rush("random", "random")).expect("write");
    compare(dir.path(), &["-r", "4"]);
    let (header, rows) = table(dir.path());
    let diff = |cohort: &str, end: &str| number(&header, &rows[1], &format!("cohort.{cohort}.booked_share_diff{end}"));
    // FIFO serves the first ten minutes first; random order gives the late
    // their share of the admissions, taken from the early: each cohort's
    // interval leaves out zero, on opposite sides.
    let (early, late) = ("early", "\"late.1\"");
    assert!(diff(early, "_lo") < diff(early, "") && diff(early, "") < diff(early, "_hi"), "an interval");
    assert!(diff(early, "_hi") < 0.0, "the early lose under random order: {}", diff(early, ""));
    assert!(diff(late, "_lo") > 0.0, "the late gain under random order: {}", diff(late, ""));
    let md = std::fs::read_to_string(dir.path().join("cmp/report.md")).expect("report.md");
    let line = md.lines().find(|l| l.starts_with("  - `early` booked share")).expect("a line for early");
    assert!(line.ends_with("(real)"), "{line}");
}

#[test]
fn one_run_each_gives_the_values_and_no_differences() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.toml"), rush("fifo", "fifo")).expect("write");
    std::fs::write(dir.path().join("b.toml"), rush("random", "random")).expect("write");
    compare(dir.path(), &[]);
    let (header, rows) = table(dir.path());
    let x = by_hand(&rush("fifo", "fifo"), 1, 0, CohortFigure::Booked);
    assert_eq!(number(&header, &rows[0], "cohort.early.booked"), x[0], "replication 0's count");
    assert!(header.contains(&"cohort.\"late.1\".booked_share".to_string()), "{header:?}");
    assert!(!header.iter().any(|h| h.starts_with("cohort.") && h.ends_with("_diff")), "{header:?}");
}

#[test]
fn a_figure_asked_by_name_that_is_a_cohort_column_is_written_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.toml"), rush("fifo", "fifo")).expect("write");
    std::fs::write(dir.path().join("b.toml"), rush("random", "random")).expect("write");
    for reps in ["1", "2"] {
        let terminal = compare(
            dir.path(),
            &["-r", reps, "--figure", "cohort.early.booked_share", "--figure", "cohort.\"late.1\".wait_p90_s"],
        );
        let (header, _) = table(dir.path());
        for name in ["cohort.early.booked_share", "cohort.\"late.1\".wait_p90_s", "cohort.early.booked_share_diff"] {
            let n = header.iter().filter(|h| *h == name).count();
            assert_eq!(n, usize::from(reps == "2" || !name.ends_with("_diff")), "{name} in -r {reps}: {header:?}");
        }
        // With -r, one line of difference for the figure asked, not a
        // second one from the by-cohort lines.
        assert_eq!(terminal.matches("cohort.early.booked_share ").count(), usize::from(reps == "2"), "{terminal}");
    }
}
