//! No allocation per event (issue 5). The engine reuses its memory: the
//! future-event list's buckets, the line's ring, the statistics. So the heap
//! allocations of a run grow with the size its structures reach, not with
//! the number of events it handles. Counted by a global allocator that
//! wraps the system's; a test binary of its own, so that nothing else runs
//! in the process while it counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// A bundled scenario with `sets`.
fn scenario(file: &str, sets: &[String]) -> surgesim::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
    surgesim::load(&path, sets).expect("a bundled scenario loads")
}

/// Allocations and events of one run.
fn count(s: &surgesim::Scenario) -> (u64, u64) {
    let before = ALLOCATIONS.load(Relaxed);
    let events = surgesim::simulate(s, 0).results.events;
    (ALLOCATIONS.load(Relaxed) - before, events)
}

/// Many times the events; the allocations may grow by one per 1,000 extra
/// events at the most (measured: about one per 5,000, all of them vectors
/// doubling towards a larger peak). One allocation per event, or per
/// person, would be a thousand times that.
fn check(name: &str, small: (u64, u64), large: (u64, u64)) {
    let ((a1, e1), (a2, e2)) = (small, large);
    assert!(e2 > 5 * e1, "{name}: the larger run should have many more events ({e1} vs {e2})");
    let extra = a2.saturating_sub(a1);
    assert!(
        extra * 1000 < e2 - e1,
        "{name}: {a1} allocations for {e1} events, {a2} for {e2}: {extra} more for {} more events",
        e2 - e1
    );
}

#[test]
fn allocations_do_not_grow_with_the_number_of_events() {
    // M/M/100 at load 95, c = 100 at both sizes: more people over more time.
    let mm = |n: u64| {
        scenario("bench-mm100.toml", &[format!("cohort.0.people={n}"), format!("scenario.duration={}m", n / 100)])
    };
    check("M/M/100", count(&mm(30_000)), count(&mm(300_000)));
    // The 19 July night (front tier, waiting room, retries) at 0.3 % and 3 %.
    let kdca = |f: f64| scenario("kdca-2021-07-19.toml", &[]).scaled(f);
    check("19 July", count(&kdca(0.003)), count(&kdca(0.03)));
}
