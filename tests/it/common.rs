//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use surgesim::batch::Quiet;
use surgesim::stats::Results;
use surgesim::{scenario, Scenario};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real binary, to run as a user would.
pub fn surgesim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("surgesim").expect("the binary is built")
}

/// Every scenario file shipped in `scenarios/`, sorted.
pub fn bundled_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// Load a bundled scenario with overrides.
pub fn bundled(name: &str, sets: &[&str]) -> Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    scenario::load(&repo().join("scenarios").join(name), &sets).unwrap_or_else(|e| panic!("{e}"))
}

/// Load a scenario from text (traces relative to `base`).
pub fn from_text(text: &str, base: &Path) -> Scenario {
    scenario::load_str(text, Path::new("test.toml"), base, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Load a scenario from text with `--set` overrides.
pub fn from_text_with(text: &str, sets: &[&str]) -> Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    scenario::load_str(text, Path::new("test.toml"), Path::new("."), &sets).unwrap_or_else(|e| panic!("{e}"))
}

/// The bytes of `name` among rendered files.
pub fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b.as_slice())
        .unwrap_or_else(|| panic!("no {name} in {:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>()))
}

/// A batch's watch that hears nothing: no progress shown.
pub fn quiet() -> Quiet {
    Quiet
}

/// A batch-means estimate: the run is cut into its time bins (batches), the
/// first `warmup` are dropped, and the standard error comes from the spread
/// of the per-batch values (Law & Kelton, *Simulation Modeling and
/// Analysis*, 3rd ed., §9.5.3). With batches of an hour against
/// correlation times of minutes, batch values are close to independent.
pub struct Estimate {
    pub mean: f64,
    pub std_err: f64,
    pub batches: usize,
}

impl Estimate {
    /// Ratio estimator Σnum/Σden with the standard error of the batch ratios.
    pub fn ratio(num: &[f64], den: &[f64]) -> Estimate {
        let ratios: Vec<f64> = num.iter().zip(den).filter(|(_, d)| **d > 0.0).map(|(n, d)| n / d).collect();
        let k = ratios.len() as f64;
        let total = num.iter().sum::<f64>() / den.iter().sum::<f64>();
        let m = ratios.iter().sum::<f64>() / k;
        let var = ratios.iter().map(|r| (r - m).powi(2)).sum::<f64>() / (k - 1.0);
        Estimate { mean: total, std_err: (var / k).sqrt(), batches: ratios.len() }
    }

    /// Plain batch means.
    pub fn mean(values: &[f64]) -> Estimate {
        let ones = vec![1.0; values.len()];
        Estimate::ratio(values, &ones)
    }

    /// Assert `expected` lies within `z` standard errors. z = 4 makes a
    /// false alarm a 1-in-15,000 event for a correct model, while a model
    /// error of a few standard errors (about 1-2 % here) is caught.
    pub fn assert_near(&self, expected: f64, z: f64, what: &str) {
        let tol = z * self.std_err;
        // Shown with --nocapture: the figures behind each check.
        eprintln!("{what}: simulated {:.5} ± {:.5} (SE), theory {expected:.5}", self.mean, self.std_err);
        assert!(
            (self.mean - expected).abs() <= tol,
            "{what}: simulated {:.5} ± {:.5} ({} batches), theory {expected:.5}, off by {:.1} standard errors",
            self.mean,
            self.std_err,
            self.batches,
            (self.mean - expected).abs() / self.std_err
        );
    }
}

pub const Z: f64 = 4.0;

/// Bins after the warm-up (the first hour starts from an empty system).
pub fn steady(r: &Results) -> &[surgesim::stats::Bin] {
    &r.bins[1..]
}

/// Run `scenario` with `sets` (`KEY=VALUE`) at six replications on one
/// thread and on four, into `dir/one` and `dir/four`, and check the two
/// write the same bytes (a replication's streams and state are its own);
/// `dir/one` is left to read.
pub fn same_on_one_and_four_threads(scenario: &Path, sets: &[&str], dir: &Path) {
    for (threads, out) in [("1", "one"), ("4", "four")] {
        surgesim()
            .env("RAYON_NUM_THREADS", threads)
            .arg("run")
            .arg(scenario)
            .args(sets.iter().flat_map(|s| ["--set", s]))
            .args(["-r", "6", "--no-charts", "-q", "--out"])
            .arg(dir.join(out))
            .assert()
            .success();
    }
    for file in ["timeseries.csv", "cohorts.csv", "summary.json"] {
        let a = std::fs::read(dir.join("one").join(file)).unwrap();
        let b = std::fs::read(dir.join("four").join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 4 threads");
    }
}
