//! The floor of issue 25 as a process: the bare M/M/c loop of
//! `benches/engine.rs` (`bare_mmc`: a std `BinaryHeap` of completion times,
//! exponential arrivals and services, nothing else) at c = 100, load 0.95,
//! so the whole CLI on `scenarios/bench-mm100.toml` can be timed against it
//! process to process (startup, loading and output included on the CLI's
//! side).
//!
//! `cargo build --release --example bare_mm100`, then
//! `target/release/examples/bare_mm100 [CUSTOMERS [SEED]]` (default
//! 1,000,000 customers, seed 1). It prints the customers served and the mean
//! wait, so the loop's work cannot be optimised away.

#[path = "../benches/support/bare_mmc.rs"]
mod bare_mmc;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut arg = |name: &str, default: u64| -> u64 {
        args.next()
            .map_or(default, |a| a.parse().unwrap_or_else(|_| panic!("{name} must be a whole number, not {a:?}")))
    };
    let customers = arg("customers", 1_000_000);
    let seed = arg("seed", 1);
    let (served, wait_sum_us) = bare_mmc::bare_mmc(100, customers, seed);
    let mean_wait_s = wait_sum_us as f64 / served.max(1) as f64 / 1e6;
    println!("customers served: {served}\nmean wait: {mean_wait_s:.3} s");
}
