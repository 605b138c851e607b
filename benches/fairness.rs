//! What the fairness figures cost at the end of a run (issue 24): counting
//! `overtaking_rate` from the order of first admissions, 3,000,000 people
//! (about those admitted on the 19 July replay), by the merge sort of
//! `stats::overtaking`.
//!
//! Run with `cargo bench -p surgesim-bench --bench fairness` (`cargo test
//! -p surgesim-bench --benches` runs it once). Two orders: FIFO-like (arrival order with one person in ten
//! moved a short way, as retries and bounces move them) and a random order
//! (a random-order room): the merge's choices are predictable in the first
//! and a coin toss in the second.

use divan::{black_box, Bencher};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use surgesim::engine::SimTime;
use surgesim::stats::AdmissionOrder;

fn main() {
    divan::main();
}

const PEOPLE: usize = 3_000_000;

/// First arrivals [ms] in admission order: ten people a second over the
/// night, in order or shuffled.
fn arrivals(shuffled: bool) -> Vec<u64> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(24);
    let mut a: Vec<u64> = (0..PEOPLE as u64).map(|i| i * 100).collect();
    if shuffled {
        a.shuffle(&mut rng);
    } else {
        for i in (0..PEOPLE).step_by(10) {
            let j = (i + rng.random_range(0..1000)).min(PEOPLE - 1);
            a.swap(i, j);
        }
    }
    a
}

#[divan::bench(args = [false, true], sample_count = 5, sample_size = 1)]
fn overtaking_finish(bencher: Bencher, shuffled: bool) {
    let a = arrivals(shuffled);
    bencher
        .with_inputs(|| {
            let mut order = AdmissionOrder::new(1);
            for (id, &ms) in a.iter().enumerate() {
                // Admitted in turn after everyone came.
                order.admitted(0, id as u32, SimTime(ms * 1000), SimTime((ms + 1_000_000_000) * 1000));
            }
            order
        })
        .bench_values(|order| black_box(order.finish().expect("fits").overtaken));
}
