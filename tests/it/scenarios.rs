//! Every scenario shipped in `scenarios/` validates and runs (at 1 % of its
//! size, so the suite stays fast), and conservation holds in each (people,
//! attempts, admissions and devices: `conservation::identities`).

use crate::common::*;
use surgesim::{scenario, simulate};

#[test]
fn every_bundled_scenario_runs_small_and_conserves_people() {
    let files = bundled_files();
    assert!(files.len() >= 12, "the replays, what-ifs and textbook checks are all there");
    for path in files {
        let s = scenario::load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
        let big = s.cohorts.iter().map(|c| c.people).sum::<u64>() > 500_000;
        let s = if big { s.scaled(0.01) } else { s };
        let out = simulate(&s, 0);
        let r = &out.results;
        assert!(r.totals().arrivals > 0, "{}: nobody came", path.display());
        assert_eq!(r.bins.len(), s.bins());
        crate::conservation::identities(&s, &out, &path.display().to_string());
    }
}

#[test]
fn the_19_july_replay_has_the_reported_shape_at_small_scale() {
    // At 1 % the night keeps its shape: page loads fail until the cloud
    // offload at 20:40 and not after; the queue runs into tens of minutes.
    let s = bundled("kdca-2021-07-19.toml", &[]).scaled(0.01);
    let r = simulate(&s, 0).results;
    let front_failed = |from: usize, to: usize| -> u64 {
        r.bins[from..to].iter().map(|b| b.counts.dropped[surgesim::stats::DropCause::FrontTimeout as usize]).sum()
    };
    // Bins are minutes from 19:30: 20:00 is bin 30, 20:40 is bin 70.
    assert!(front_failed(30, 70) > 1000, "the origin page fails at opening");
    assert_eq!(front_failed(75, r.bins.len()), 0, "no failures once the cloud is up");
    assert!(r.wait.quantile_secs(0.9).unwrap() > 1800.0, "waits of the seed's order (hours)");
}
