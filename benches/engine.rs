//! Engine benchmarks for issue 5 ("Ten million visitors in seconds").
//!
//! Run with `cargo bench -p surgesim-bench --bench engine` (add `-- hold`, `-- bare` or
//! `-- model` to pick a group; `cargo test -p surgesim-bench --benches` runs
//! each once).
//!
//! - `hold`: the classic "hold model" of future-event lists (Vaucher &
//!   Duval 1975; Jones 1986). N events are pending; each operation pops the
//!   earliest and schedules one at now + an exponential increment, so N
//!   stays fixed. For `HeapQueue` (binary heap), `RadixQueue` (radix heap,
//!   the model's default), `CalendarQueue` (one-second buckets in front of a
//!   small heap) at N = 100, 300,000 (the KDCA night's concurrent sessions)
//!   and 3,000,000 (a waiting room of millions, each with a patience
//!   deadline).
//!   Each timed iteration is a batch of max(N, 100,000) holds (one pop plus
//!   one push each): ns per hold = 1e9 / divan's items/s.
//! - `bare_mmc_binary_heap`: an M/M/c loop on `std::collections::BinaryHeap`
//!   with nothing else (no statistics, no scenario, no waiting-room slab):
//!   the "bare binary-heap loop" the issue compares the whole model against,
//!   at c = 100 and c = 300,000. One iteration = 1,000,000 customers;
//!   divan's throughput column is customers per second.
//! - `model_mm100`: `surgesim::simulate_on` on `scenarios/bench-mm100.toml`
//!   (the same M/M/100 at load 95, 1,000,000 customers) through the library,
//!   on each of the model's queues: the event loop and statistics without
//!   the CLI, report or I/O. Throughput = customers per second.
//! - `rng`: what one random draw costs: an exponential (the ziggurat that
//!   now steps each arrival's order statistic, with a short series), a
//!   uniform, and a uniform with a `powf` (how the step was drawn before).
//!
//! The hold increments are drawn in advance (a table of 2^16 exponential
//! variates, reused cyclically) so `hold` measures the queue, not the random
//! generator.

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp};
use surgesim::engine::{CalendarQueue, FutureEvents, HeapQueue, RadixQueue, Rng, SimTime};
use surgesim::QueueKind;

#[path = "support/bare_mmc.rs"]
mod bare_mmc;
use bare_mmc::bare_mmc;

fn main() {
    divan::main();
}

/// Stand-in for the model's event: the same size as `model::Event` (16
/// bytes at commit 370c2c8: an enum carrying an 8-byte `Person` or slab key
/// and a flag), so the queues move entries of the size the model's do.
#[derive(Clone, Copy, Debug)]
#[allow(dead_code)]
struct Payload {
    first_ms: u32,
    attempts: u16,
    cohort: u16,
    kind: u32,
    flag: u32,
}

const _: () = assert!(std::mem::size_of::<Payload>() == 16);

/// Mean increment of the hold model: 3 minutes in microseconds, the median
/// booking session of the KDCA scenario, so keys span as many bits as the
/// model's do.
const MEAN_INCREMENT_US: f64 = 180e6;
const TABLE: usize = 1 << 16;

fn increments(seed: u64) -> Vec<SimTime> {
    let mut rng = Rng::seed_from_u64(seed);
    let exp = Exp::new(1.0 / MEAN_INCREMENT_US).unwrap();
    (0..TABLE).map(|_| SimTime(exp.sample(&mut rng).round() as u64)).collect()
}

/// A queue in the hold model's steady state with `n` events pending, and
/// the position in the increment table to go on from.
fn steady_queue<Q: FutureEvents<Payload>>(n: usize, inc: &[SimTime]) -> (Q, usize) {
    let mut q = Q::default();
    let mut k = 0;
    for i in 0..n {
        q.schedule(inc[k], payload(i as u64));
        k = (k + 1) % TABLE;
    }
    // Warm up: the initial keys are exponential from 0; after a few times N
    // holds they take the steady-state shape, and the radix heap's buckets
    // and the binary heap's vector reach their working size.
    for _ in 0..(2 * n).max(100_000) {
        k = hold_once(&mut q, inc, k);
    }
    (q, k)
}

#[inline]
fn payload(id: u64) -> Payload {
    Payload { first_ms: id as u32, attempts: 1, cohort: 0, kind: 3, flag: 0 }
}

#[inline]
fn hold_once<Q: FutureEvents<Payload>>(q: &mut Q, inc: &[SimTime], k: usize) -> usize {
    let (now, mut e) = q.pop().expect("hold model never empties");
    e.attempts = e.attempts.wrapping_add(1);
    q.schedule(now + inc[k], e);
    (k + 1) & (TABLE - 1)
}

/// Hold operations per timed iteration: N of them (a full turnover of the
/// pending events), and at least 100,000. A radix heap's cost is amortised:
/// now and then a pop redistributes a bucket holding a good share of the N
/// pending events (with N = 3,000,000, about once every two million pops),
/// so a batch shorter than a turnover could miss or overweight those pops.
/// Divan's time column is per batch; ns per hold = 1e9 / its items/s.
fn hold_batch(n: usize) -> usize {
    n.max(100_000)
}

/// Hold operations (pop the earliest, push one at now + Exp(180 s)) with N
/// events pending; one iteration = `hold_batch(N)` holds.
#[divan::bench(
    types = [HeapQueue<Payload>, RadixQueue<Payload>, CalendarQueue<Payload>],
    args = [100, 300_000, 3_000_000],
    sample_count = 7,
    sample_size = 1,
)]
fn hold<Q: FutureEvents<Payload>>(bencher: Bencher, n: usize) {
    let inc = increments(1);
    let (mut q, mut k) = steady_queue::<Q>(n, &inc);
    let batch = hold_batch(n);
    bencher.counter(ItemsCount::new(batch)).bench_local(|| {
        for _ in 0..batch {
            k = hold_once(&mut q, &inc, k);
        }
    });
    assert_eq!(q.len(), n);
    black_box(&q);
}

const CUSTOMERS: u64 = 1_000_000;

/// One iteration = one run of 1,000,000 customers; throughput = customers/s.
#[divan::bench(args = [100, 300_000], sample_count = 10, sample_size = 1)]
fn bare_mmc_binary_heap(bencher: Bencher, c: u64) {
    bencher.counter(ItemsCount::new(CUSTOMERS)).bench_local(|| black_box(bare_mmc(black_box(c), CUSTOMERS, 1)));
}

/// The whole model on bench-mm100 (1,000,000 customers), without the CLI,
/// on each of the model's future-event lists (`--queue` on the command line).
#[divan::bench(args = ["radix", "calendar", "heap"], sample_count = 5, sample_size = 1)]
fn model_mm100(bencher: Bencher, queue: &str) {
    let kind = match queue {
        "radix" => QueueKind::Radix,
        "calendar" => QueueKind::Calendar,
        _ => QueueKind::Heap,
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/bench-mm100.toml");
    let s = surgesim::load(&path, &[]).expect("bench-mm100.toml loads");
    bencher
        .counter(ItemsCount::new(CUSTOMERS))
        .bench_local(|| black_box(surgesim::simulate_on(&s, 0, kind).results.events));
}

mod rng {
    use super::*;

    /// One exponential draw from the engine's generator (the cost `hold`
    /// leaves out by drawing its increments in advance).
    #[divan::bench]
    fn exp_sample(bencher: Bencher) {
        let mut rng = Rng::seed_from_u64(7);
        let exp = Exp::new(1.0 / MEAN_INCREMENT_US).unwrap();
        bencher.bench_local(|| exp.sample(&mut rng));
    }

    /// One uniform f64 (what the arrival streams and retry coin flips draw).
    #[divan::bench]
    fn uniform_f64(bencher: Bencher) {
        let mut rng = Rng::seed_from_u64(7);
        bencher.bench_local(|| rng.random::<f64>());
    }

    /// One uniform and a `powf`: an order-statistic step as it was drawn
    /// before (V^(1/n)); now it is one exponential draw (`exp_sample`) and
    /// five multiply-adds.
    #[divan::bench]
    fn uniform_powf(bencher: Bencher) {
        let mut rng = Rng::seed_from_u64(7);
        let mut remaining = 1_000_000u64;
        bencher.bench_local(|| {
            remaining = remaining.wrapping_sub(1).max(1);
            (1.0 - rng.random::<f64>()).powf(1.0 / remaining as f64)
        });
    }
}
