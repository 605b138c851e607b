//! The bare M/M/c loop the issue compares the whole model against: shared
//! by `benches/engine.rs` (`bare_mmc_binary_heap`) and
//! `examples/bare_mm100.rs` (the same loop as a process, timed against
//! `surgesim run scenarios/bench-mm100.toml`), each through
//! `#[path = ...] mod`, so the floor is one piece of code and not part of
//! the library's API.

use rand::SeedableRng;
use rand_distr::{Distribution, Exp};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use surgesim::engine::Rng;

/// A bare M/M/c loop: std `BinaryHeap` of (time, tag) keys, a FIFO of
/// arrival times for the waiting line, a busy-server counter, and the sum of
/// waits so the work is not optimised away. Load 0.95 * c, mean service
/// 1 minute, times in integer microseconds like the engine's. Stops at the
/// `customers`-th arrival, as the model stops at its horizon.
pub fn bare_mmc(c: u64, customers: u64, seed: u64) -> (u64, u64) {
    const ARRIVAL: u64 = 0;
    const DEPARTURE: u64 = 1;
    let service_mean_us = 60e6;
    let interarrival_mean_us = service_mean_us / (0.95 * c as f64);
    let mut rng = Rng::seed_from_u64(seed);
    let arrive = Exp::new(1.0 / interarrival_mean_us).unwrap();
    let serve = Exp::new(1.0 / service_mean_us).unwrap();
    // Keys (time, seq << 1 | tag): unique, so ties go first-scheduled-first
    // like the engine's (time, seq) order.
    let mut heap: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |heap: &mut BinaryHeap<Reverse<(u64, u64)>>, t: u64, tag: u64| {
        heap.push(Reverse((t, seq << 1 | tag)));
        seq += 1;
    };
    let mut line: VecDeque<u64> = VecDeque::new();
    let (mut busy, mut arrived, mut served, mut wait_sum) = (0u64, 0u64, 0u64, 0u64);
    push(&mut heap, arrive.sample(&mut rng) as u64, ARRIVAL);
    while let Some(Reverse((now, key))) = heap.pop() {
        if key & 1 == ARRIVAL {
            arrived += 1;
            if arrived > customers {
                break;
            }
            push(&mut heap, now + arrive.sample(&mut rng) as u64, ARRIVAL);
            if busy < c {
                busy += 1;
                push(&mut heap, now + serve.sample(&mut rng) as u64, DEPARTURE);
            } else {
                line.push_back(now);
            }
        } else {
            served += 1;
            if let Some(joined) = line.pop_front() {
                wait_sum += now - joined;
                push(&mut heap, now + serve.sample(&mut rng) as u64, DEPARTURE);
            } else {
                busy -= 1;
            }
        }
    }
    (served, wait_sum)
}
