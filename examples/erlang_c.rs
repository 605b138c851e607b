//! An M/M/c queue against the Erlang C formula, through the library.
//!
//! A waiting room admits Poisson arrivals (45 a minute) to c = 50 booking
//! sessions of exponential length (mean 1 min): offered load a = 45
//! erlangs. Theory says what share of people wait, and how long on
//! average; the run is cut into hourly bins (batches) and each figure must
//! lie within four standard errors of the batch means.
//!
//! `cargo run --release --example erlang_c`; `cargo test` runs it too.

use surgesim::stats::Bin;
use surgesim::{load_str, simulate};

const MMC: &str = r#"
[scenario]
name = "mmc-example"
duration = "40h"
bin = "1h"

[[cohort]]
name = "all"
people = 108000          # 45 a minute for 40 hours

[clients]
session = { dist = "exponential", mean = "1m" }

[waiting_room]
max_active = 50

[backend]
max_sessions = 50
"#;

/// Erlang B by its stable recursion, then Erlang C from it
/// (Kleinrock, *Queueing Systems* Vol. 1, eqs. 3.40 and 3.46).
fn erlang_c(c: u32, a: f64) -> f64 {
    let b = (1..=c).fold(1.0, |b, k| a * b / (k as f64 + a * b));
    c as f64 * b / (c as f64 - a * (1.0 - b))
}

/// Ratio estimate Σnum / Σden over batches, with the standard error of the
/// batch ratios.
fn batch_ratio(bins: &[Bin], num: impl Fn(&Bin) -> f64, den: impl Fn(&Bin) -> f64) -> (f64, f64) {
    let ratios: Vec<f64> = bins.iter().map(|b| num(b) / den(b)).collect();
    let k = ratios.len() as f64;
    let mean_ratio = ratios.iter().sum::<f64>() / k;
    let var = ratios.iter().map(|r| (r - mean_ratio).powi(2)).sum::<f64>() / (k - 1.0);
    let total = bins.iter().map(&num).sum::<f64>() / bins.iter().map(&den).sum::<f64>();
    (total, (var / k).sqrt())
}

fn main() {
    let s = load_str(MMC, "mmc-example.toml".as_ref(), ".".as_ref(), &[]).expect("the scenario is valid");
    let r = simulate(&s, 0).results;
    // The first hour starts from an empty system: dropped as warm-up.
    let bins = &r.bins[1..];
    let admitted = |b: &Bin| b.counts.admitted as f64;
    let (c, a, mu) = (50, 45.0, 1.0 / 60.0);

    let (p_wait, se) = batch_ratio(bins, |b| b.p_wait.unwrap_or(0.0) * admitted(b), admitted);
    let theory = erlang_c(c, a);
    println!("P(wait): simulated {p_wait:.4} ± {se:.4}, Erlang C {theory:.4}");
    assert!((p_wait - theory).abs() <= 4.0 * se, "P(wait) off by more than 4 standard errors");

    let (wait, se) = batch_ratio(bins, |b| b.wait_mean.unwrap_or(0.0) * admitted(b), admitted);
    let theory = erlang_c(c, a) / (c as f64 * mu - a * mu);
    println!("mean wait: simulated {wait:.2} s ± {se:.2}, Erlang C {theory:.2} s");
    assert!((wait - theory).abs() <= 4.0 * se, "mean wait off by more than 4 standard errors");
}

#[test]
fn agrees_with_erlang_c() {
    main();
}
