//! A run is a pure function of (scenario, seed): the same seed gives the
//! same bytes in every output file; another seed gives other numbers.

use crate::common::*;
use surgesim::report::{self, ReportOptions};
use surgesim::simulate;
use surgesim::stats::RunFigures;

fn files(seed: u64) -> Vec<(String, Vec<u8>)> {
    let mut s = bundled("erlang-a.toml", &["scenario.duration=5h", "cohort.0.people=9900"]);
    s.seed = seed;
    let r = RunFigures::of(&s, simulate(&s, 0).results);
    report::render(&s, &[r], &ReportOptions::default())
        .unwrap()
        .into_iter()
        .filter(|(name, _)| !name.ends_with(".png") && !name.ends_with(".svg"))
        .collect()
}

#[test]
fn same_seed_same_bytes() {
    let (a, b) = (files(5), files(5));
    assert!(!a.is_empty());
    for ((na, ba), (nb, bb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between two runs with the same seed");
    }
}

#[test]
fn another_seed_other_numbers() {
    let (a, b) = (files(5), files(6));
    let ts = |f: &[(String, Vec<u8>)]| f.iter().find(|(n, _)| n == "timeseries.csv").unwrap().1.clone();
    assert_ne!(ts(&a), ts(&b));
}
