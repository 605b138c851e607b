//! Replications, confidence intervals, sweeps and shards (issue 6).

use crate::common::*;
use crate::queueing::erlang_b;
use surgesim::batch;
use surgesim::stats::{DropCause, Estimate, Headline};
use surgesim::QueueKind;

/// Blocking of each replication of a short Erlang B run (c = 20, a = 18).
fn blocking(replications: usize) -> Vec<f64> {
    let s = bundled("erlang-b.toml", &["scenario.duration=5h", "cohort.0.people=5400"]);
    let runs = batch::replications(&s, replications, QueueKind::default(), &quiet()).expect("memory");
    let figure = |r: &surgesim::stats::RunFigures, k| r.headline.get(k).expect("defined");
    runs.iter().map(|r| figure(r, Headline::Drop(DropCause::BackendFull)) / figure(r, Headline::Attempts)).collect()
}

#[test]
fn the_interval_shrinks_like_one_over_root_r_and_covers_the_theory() {
    let (few, many) = (blocking(8), blocking(32));
    // Replications 0..7 are the first 8 of the 32: streams depend on the
    // index only, not on how many there are.
    assert_eq!(few[..], many[..8]);
    let b = Estimate::of(&many).unwrap();
    let se = |i: &Estimate, r: usize| i.half_width().unwrap() / surgesim::stats::ci::t975(r - 1);
    // The standard error of 8 replications, pooled over the four groups of
    // 8 in the 32: one group's alone is too noisy to compare (its 7 degrees
    // of freedom put a correct ratio outside 0.3-0.8 about one time in ten).
    // Pooled (28 degrees of freedom, and mostly the same numbers as the
    // 32's), a correct ratio stays within 0.45-0.65, and a half-width not
    // divided by sqrt(R) would give about 1.
    let pooled = (many.chunks(8).map(|g| se(&Estimate::of(g).unwrap(), 8).powi(2)).sum::<f64>() / 4.0).sqrt();
    let ratio = se(&b, 32) / pooled;
    eprintln!("standard error, 8 (pooled) vs 32 replications: ratio {ratio:.3} (1/sqrt(4) = 0.5)");
    assert!((0.3..0.8).contains(&ratio), "SE ratio {ratio:.3}, expected about 0.5");
    let theory = erlang_b(20, 18.0);
    eprintln!("Erlang B {theory:.5}; 32 replications: {:.5} [{:.5}, {:.5}]", b.mean, b.lo.unwrap(), b.hi.unwrap());
    assert!(b.lo.unwrap() <= theory && theory <= b.hi.unwrap(), "the 95 % interval covers B(20, 18)");
}

const SMALL: [&str; 2] = ["scenario.duration=5h", "cohort.0.people=5400"];

#[test]
fn replicated_outputs_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/erlang-b.toml");
    same_on_one_and_four_threads(&scenario, &SMALL, dir.path());
    let ts = std::fs::read_to_string(dir.path().join("one/timeseries.csv")).unwrap();
    let header = ts.lines().next().unwrap();
    for col in ["wait_p90_s_lo", "wait_p90_s_hi", "drop_rate_lo", "drop_rate_hi"] {
        assert!(header.split(',').any(|h| h == col), "timeseries.csv lacks {col}");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("one/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["replications"], 6);
    assert!(
        summary["intervals"]["drop_rate"]["lo"].as_f64().unwrap()
            < summary["intervals"]["drop_rate"]["hi"].as_f64().unwrap()
    );
    assert_eq!(summary["intervals"]["drop_rate"]["n"], 6);
}

#[test]
fn a_sweep_has_the_full_grid_and_shards_merge_into_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/erlang-b.toml");
    let vary = ["--vary", "backend.max_sessions=18,20,22", "--vary", "clients.session.mean=50s,1m", "-r", "2", "-q"];
    let run = |extra: &[&str], out: &str| {
        surgesim()
            .arg("sweep")
            .arg(&scenario)
            .args(SMALL.iter().flat_map(|s| ["--set", s]))
            .args(vary)
            .args(extra)
            .arg("--out")
            .arg(dir.path().join(out))
            .assert()
            .success();
    };
    run(&[], "whole");
    for i in 0..4 {
        run(&["--shard", &format!("{i}/4")], &format!("shard{i}"));
    }
    surgesim()
        .arg("merge")
        .args((0..4).rev().map(|i| dir.path().join(format!("shard{i}"))))
        .arg("--out")
        .arg(dir.path().join("merged"))
        .assert()
        .success();
    let whole = std::fs::read(dir.path().join("whole/sweep.csv")).unwrap();
    assert_eq!(whole, std::fs::read(dir.path().join("merged/sweep.csv")).unwrap(), "merged shards = one machine");
    let json = |d: &str| std::fs::read(dir.path().join(d).join("sweep.json")).unwrap();
    assert_eq!(json("whole"), json("merged"), "fingerprint and rows_sha256 included");
    let text = String::from_utf8(whole).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..3], ["point", "backend.max_sessions", "clients.session.mean"]);
    for col in ["booked_share", "drop_rate", "drop_rate_lo", "drop_rate_hi", "wait_p90_s"] {
        assert!(header.contains(&col), "sweep.csv lacks {col}");
    }
    assert_eq!(lines.count(), 6, "3 x 2 points");
    // A missing shard is refused.
    surgesim()
        .arg("merge")
        .arg(dir.path().join("shard0"))
        .arg("--out")
        .arg(dir.path().join("bad"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("missing"));
}
