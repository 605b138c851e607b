//! What the fuzzer found (issue 12), kept: every valid scenario in
//! `fuzz/regressions/` runs to the end on each future-event list, the lists
//! agree, and nobody is created or lost. (Broken scenarios the fuzzer found
//! live in `tests/corpus/` with their expected messages.)

use crate::common::repo;
use std::path::{Path, PathBuf};
use surgesim::limits;
use surgesim::scenario;
use surgesim::{simulate_on, Outcome, QueueKind};

fn regressions() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("fuzz/regressions"))
        .expect("fuzz/regressions exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The counts a run ends with, for comparing runs.
fn counts(o: &Outcome) -> impl PartialEq + std::fmt::Debug {
    let r = &o.results;
    let bins: Vec<_> = r.bins.iter().map(|b| b.counts.clone()).collect();
    let cohorts: Vec<_> = r.cohorts.iter().map(|c| c.counts.clone()).collect();
    (r.events, o.in_system.clone(), bins, cohorts)
}

#[test]
fn every_fuzz_finding_runs_alike_on_every_queue() {
    let files = regressions();
    assert!(!files.is_empty(), "fuzz/regressions holds the findings");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        // `#set ` lines are --set overrides, as in the fuzz targets.
        let sets: Vec<String> = text.lines().filter_map(|l| l.strip_prefix("#set ")).map(str::to_string).collect();
        let s = scenario::load_str(&text, Path::new(&name), &repo().join("tests/corpus"), &sets)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let size = limits::check(&s, 1, false).unwrap_or_else(|e| panic!("{name}: {e}"));
        let radix = simulate_on(&s, 0, QueueKind::Radix);
        // The guard's attempts per person bound what the run made, as the
        // night target checks it: the mean, plus the spread of a sum over
        // few people (the bounce and devices findings: it once counted
        // retries only, and one device a person).
        let attempts = radix.results.totals().attempts() as f64;
        let (n, m) = (size.people as f64, f64::from(s.clients.retry.max_attempts.max(1)));
        let bound = n * size.attempts_per_person + 2.0 * n.sqrt() * m * f64::from(s.clients.devices.max()) + m;
        assert!(
            attempts <= bound,
            "{name}: {attempts} attempts, the guard expected {} a person",
            size.attempts_per_person
        );
        for kind in [QueueKind::Heap, QueueKind::Calendar] {
            assert_eq!(counts(&simulate_on(&s, 0, kind)), counts(&radix), "{name}: {kind:?} against Radix");
        }
        for (i, c) in radix.results.cohorts.iter().enumerate() {
            let k = &c.counts;
            assert_eq!(k.arrivals, k.booked + k.gave_up + radix.in_system.total(i), "{name}: people, cohort {i}");
        }
    }
}
