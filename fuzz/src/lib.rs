//! What the fuzz targets share: the whole pipeline a `surgesim run` takes
//! (load with `--set` overrides, validate, size guard, simulate, render),
//! with the simulation capped so that one input costs milliseconds, and the
//! properties a finished run must have whatever the scenario.
//!
//! A panic anywhere (an overflow included: the targets build with debug
//! assertions) is a finding; so is an input that runs past libFuzzer's
//! `-timeout` (a hang) or its `-rss_limit_mb`.

pub mod night;

use std::path::Path;
use surgesim::limits;
use surgesim::report::{self, ChartFormat, ReportOptions};
use surgesim::scenario::{load_str, ScenarioError};
use surgesim::stats::{DropCause, RunFigures};
use surgesim::{simulate_on, Outcome, QueueKind, Scenario};

/// How large a scenario the targets simulate: a few thousand events, so an
/// input costs about a millisecond and libFuzzer keeps up a thousand or more
/// inputs a second. Larger scenarios are scaled down (`Scenario::scaled`,
/// the `--scale` path) or, when no scale can bring them under, skipped.
pub const CAP_PEOPLE: u64 = 400;
/// Events, as `limits` estimates them (an upper bound).
pub const CAP_EVENTS: f64 = 20_000.0;
/// Time-series rows times cohorts (what the tables cost).
pub const CAP_CELLS: u64 = 4_000;
/// Cohorts (each holds two histograms of about 220 KB).
pub const CAP_COHORTS: usize = 6;

/// Lines of a fuzz input that start with this are `--set` overrides (they
/// are TOML comments, so the text still parses the same).
pub const SET_PREFIX: &str = "#set ";

/// Any text, read as a scenario file whose `#set ` lines are `--set`
/// overrides, through the whole pipeline. Refusals are fine, panics are not.
pub fn pipeline(text: &str, base: &Path, charts: Option<ChartFormat>) {
    let sets: Vec<String> =
        text.lines().filter_map(|l| l.strip_prefix(SET_PREFIX)).take(4).map(str::to_string).collect();
    match load_str(text, Path::new("fuzz.toml"), base, &sets) {
        Ok(s) => checked(s, charts, false),
        Err(ScenarioError::Invalid { diagnostics, .. }) => {
            // Every refusal says where and why.
            assert!(!diagnostics.is_empty(), "refused without a reason");
            for d in &diagnostics {
                assert!(!d.message.is_empty(), "a problem without a message: {d:?}");
                let _ = d.to_string();
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// A valid scenario: the size guard (as given, and absurdly scaled up, as
/// the proptests do), then a capped run.
pub fn checked(s: Scenario, charts: Option<ChartFormat>, all_queues: bool) {
    let _ = limits::check(&s, 1, false).map_err(|e| e.to_string());
    let _ = limits::check(&s, 1000, true).map_err(|e| e.to_string());
    let _ = limits::check(&s.clone().scaled(1e9), 1, true).map_err(|e| e.to_string());
    if let Some(small) = capped(s) {
        run(&small, charts, all_queues);
    }
}

/// `s`, scaled down until it fits the caps; `None` if no scale does.
pub fn capped(s: Scenario) -> Option<Scenario> {
    if s.cohorts.len() > CAP_COHORTS || (s.bins() as u64).saturating_mul(s.cohorts.len() as u64 + 1) > CAP_CELLS {
        return None;
    }
    let size = limits::size(&s);
    let by_people = CAP_PEOPLE as f64 / size.people.max(1) as f64;
    let by_events = CAP_EVENTS / size.events.max(1.0);
    let factor = by_people.min(by_events);
    // Scale only when needed: `scaled` rounds every count up to at least 1,
    // so even a factor of 1 would change a zero.
    let s = if factor < 1.0 { s.scaled(factor) } else { s };
    // A scaled scenario is one `--scale` could produce: the guard must
    // still take it, and it must still fit (rounding up to 1 person per
    // cohort can leave it above the caps).
    let size = limits::check(&s, 1, false).ok()?;
    (size.people <= 2 * CAP_PEOPLE && size.events <= 2.0 * CAP_EVENTS).then_some(s)
}

/// Simulate `s` (on every future-event list when `all_queues`), check what
/// every run must satisfy, and render its report.
pub fn run(s: &Scenario, charts: Option<ChartFormat>, all_queues: bool) {
    let out = simulate_on(s, 0, QueueKind::Radix);
    conserved(s, &out);
    within_estimate(s, &out);
    let opts = ReportOptions { charts: charts.is_some(), format: charts.unwrap_or(ChartFormat::Svg) };
    let figures = RunFigures::of(s, out.results.clone());
    let _ = report::headline(s, &figures.headline, &figures.milestones);
    report::render(s, &[figures], &opts).expect("a finished run renders");
    if all_queues {
        // The event order is fixed by (time, sequence): every queue must
        // give the same run.
        // The calendar queue turns a ring of 131,072 one-second buckets
        // (slow on a sparse night, with coverage instrumentation): one
        // input in four, picked by the scenario's seed, tries it.
        let kinds: &[QueueKind] =
            if s.seed.is_multiple_of(4) { &[QueueKind::Heap, QueueKind::Calendar] } else { &[QueueKind::Heap] };
        for &kind in kinds {
            let other = simulate_on(s, 0, kind);
            assert!(same_run(&out, &other), "{kind:?} and Radix disagree");
        }
    }
}

/// Whether two runs counted the same things at the same times (cheaper
/// than comparing their rendered tables, and as strict on the counts).
fn same_run(a: &Outcome, b: &Outcome) -> bool {
    let (x, y) = (&a.results, &b.results);
    x.events == y.events
        && a.in_system == b.in_system
        && x.bins.len() == y.bins.len()
        && x.bins.iter().zip(&y.bins).all(|(p, q)| p.counts == q.counts && p.booked_so_far == q.booked_so_far)
        && x.cohorts.iter().zip(&y.cohorts).all(|(p, q)| p.counts == q.counts)
        && x.queue_len_mean.to_bits() == y.queue_len_mean.to_bits()
        && x.active_mean.to_bits() == y.active_mean.to_bits()
}

/// The size guard's estimates (`limits`) must bound what a run does, or a
/// scenario gets past the guard and then runs far longer than it said:
/// attempts per person at most the geometric sum it computes (plus the
/// spread of a sum over few people), events at most 4 per attempt (with a
/// factor 4 of slack: "about") plus the timeline's fixed events.
///
/// (A waiting room's `bounce_probability` counts as a chance of another
/// attempt, 1 - (1-p)(1-b): the fuzzer found the guard missing it.)
pub fn within_estimate(s: &Scenario, out: &Outcome) {
    let size = limits::size(s);
    let (per_person, m) = (size.attempts_per_person, f64::from(s.clients.retry.max_attempts.max(1)));
    let n = size.people as f64;
    let attempts = out.results.totals().attempts() as f64;
    // The spread: each person's attempts, on each of their devices.
    let attempt_bound = n * per_person + 2.0 * n.sqrt() * m * f64::from(s.clients.devices.max()) + m;
    assert!(
        attempts <= attempt_bound,
        "{attempts} attempts, above the bound {attempt_bound} ({per_person} per person)"
    );
    // The timeline's own events: every scheduled change (the identity
    // check's too: a finding of the harness, not of the guard) and outage.
    let timeline = s.backend.schedule.len()
        + s.front.as_ref().map_or(0, |f| f.schedule.len())
        + s.identity.as_ref().map_or(0, |i| i.schedule.len())
        + 2 * s.faults.outages.len()
        + s.cohorts.iter().map(|c| c.catch_up.len()).sum::<usize>()
        + 1;
    let event_bound = 4.0 * 4.0 * n * per_person + timeline as f64;
    let events = out.results.events as f64;
    assert!(events <= event_bound, "{events} events, above 4 x the estimate of {}", event_bound / 4.0);
}

/// Nobody is created or lost (the identities of `tests/it/conservation.rs`),
/// and the time series adds up to the cohort totals.
pub fn conserved(s: &Scenario, out: &Outcome) {
    let (r, sys) = (&out.results, &out.in_system);
    assert_eq!(r.bins.len(), s.bins(), "one row per bin");
    assert_eq!(r.cohorts.len(), s.cohorts.len());
    let placement = s.identity.as_ref().map(|i| i.placement);
    let before_queue = placement == Some(surgesim::scenario::Placement::BeforeQueue);
    let at_booking = placement == Some(surgesim::scenario::Placement::AtBooking);
    for (i, c) in r.cohorts.iter().enumerate() {
        let k = &c.counts;
        let d = |cause: DropCause| k.dropped[cause as usize];
        assert_eq!(k.arrivals, k.booked + k.gave_up + sys.total(i), "people, cohort {i}");
        assert_eq!(
            k.arrivals + k.device_arrivals,
            k.booked + k.gave_up + k.devices_quit + k.devices_left + sys.devices(i),
            "devices, cohort {i}"
        );
        assert!(k.arrivals <= s.cohorts[i].people, "more first attempts than people, cohort {i}");
        let before: u64 = DropCause::ALL.iter().filter(|c| c.before_admission(placement)).map(|&c| d(c)).sum();
        let after: u64 = DropCause::ALL.iter().filter(|c| !c.before_admission(placement)).map(|&c| d(c)).sum();
        // A check before the queue turns people away before admission; one
        // at booking holds admitted people while it runs.
        let at_check = if before_queue { sys.checking[i] + k.turned_away } else { 0 };
        assert_eq!(
            k.attempts(),
            k.admitted + k.abandoned + k.balked + before + sys.queued[i] + sys.loading[i] + at_check,
            "attempts, cohort {i}"
        );
        let turned_away = if before_queue { 0 } else { k.turned_away };
        let checked = if at_booking { sys.checking[i] } else { 0 };
        assert_eq!(
            k.admitted,
            k.booked + turned_away + after + sys.active[i] + k.devices_left + checked,
            "admitted, cohort {i}"
        );
    }
    let mut by_bins = surgesim::stats::Counts::default();
    for b in &r.bins {
        by_bins.add(&b.counts);
    }
    assert_eq!(by_bins, r.totals(), "the bins add up to the totals");
}
