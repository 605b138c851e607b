//! Resource guards: how much a command asks of the machine, estimated from
//! the scenario and the sizes the model and the statistics state for their
//! structures (so this module sits above them, below the commands), before
//! anything runs, and refused above limits that a
//! laptop handles in well under an hour, unless the user says so
//! (`--allow-large`). A few limits hold even then: the model's own, and
//! the machine's physical memory.
//!
//! The estimates are upper bounds, deliberately simple: a planner who meets
//! one should be able to redo the arithmetic from the message.
//!
//! Memory is estimated from what grows (`RunMemory`). In one run: the
//! people in the system at once (`people_at_once`: crowds whose windows
//! overlap add up, a night's crowd drains before the next night's at the
//! slowest the model admits people; a ten-night rotation of 16 M people
//! was refused for 16 GiB, counting everyone queued at once, and took
//! 144 MiB), each in the
//! structure that holds them, at the bytes per person the model states
//! (`model::footprint`: a place in the line, a page load waiting, a
//! session, their spare capacity included); the events pending at once
//! (each person's live one, and every join's queue deadline, which stays
//! pending after its person was admitted) in the event list with its spare
//! capacity; the time-series rows and histograms; the arrival tables. For a
//! whole command: the runs that go at once (one per thread) each at its
//! peak, plus what every finished run keeps (its rows and figures; a sweep
//! keeps a summary) and, for replications, the combined time series while
//! the report is written. `check_command` picks the most threads that fit the limit, so
//! a command is refused only when one run at a time does not fit: the
//! refusal is the same on every machine.
//!
//! Time is told, not refused: runs after runs (a plan's, a sweep's,
//! replications) take what they take, and `Budget::seconds` estimates it
//! for a note before the work and the progress bar's ETA during it. Only
//! one run of more events than `MAX_EVENTS` is refused.
//!
//! One job per module: `size` estimates what one run needs (`Size`,
//! `RunMemory`); `budget` turns the runs of a command into its peak memory
//! and the runs at once that fit (`Budget`); `reasons` words a refusal, with `words` for its numbers.
//! Here: the limits, and the checks that hold a command against them.

mod budget;
mod reasons;
mod size;
mod words;

pub use budget::{Budget, Keeps};
pub use size::{size, Part, RunMemory, Size};

use crate::engine::fmt_bytes;
use crate::scenario::{Scenario, ScenarioError};
use budget::{CommandMemory, PROCESS_BYTES, TELL_AFTER};
use reasons::{command_name, hard_reasons, soft_reasons};
use words::{billions, hours};

/// People (first attempts, all cohorts) a run may bring without
/// `--allow-large`: a guard on time and memory. The model's own limit,
/// which nothing lifts, is `bounds::MAX_PEOPLE`.
pub const SOFT_MAX_PEOPLE: u64 = 100_000_000;
/// Time-series rows per run.
pub const MAX_BINS: u64 = 1_000_000;
/// Events of one run (see `EVENTS_PER_SECOND` for the time): about 40
/// minutes of one core. Runs after runs are not capped (their time is told).
pub const MAX_EVENTS: f64 = 20e9;
/// Memory a command may take at its peak without `--allow-large` [bytes]:
/// 8 GiB, a third of the 24 GiB machines this is developed on and what a
/// planner's laptop can give one program. The 19 July replay's estimate is
/// about 3 GiB (it takes 152 MiB: the estimate assumes everyone in the
/// system at once); 10^8 people queued at a capacity of 1 need 9 GiB by it
/// (4.8 GiB measured at the peak of the ring's last doubling).
pub const MAX_MEMORY: f64 = 8.0 * GIB;

pub(crate) const GIB: f64 = (1u64 << 30) as f64;
pub(crate) const KIB: f64 = 1024.0;

/// Events an attempt makes at most, about: its arrival or retry, a page
/// load's end and its timeout, leaving the queue or an admission timer, a
/// session's end. The July 2021 replay makes 3.2 (65 M events, 20 M attempts).
pub(crate) const EVENTS_PER_ATTEMPT: f64 = 4.0;
/// A release build handles about 8 million events a second on one core
/// (the July 2021 replay: 65 M events in about 7 s, `scripts/bench.sh`);
/// for the time in messages.
pub(crate) const EVENTS_PER_SECOND: f64 = 8e6;

/// Refuse a scenario whose `runs` runs (replications) would pass the limits
/// above, with the figures it would need; with `allow_large`, only the
/// model's own limits and the machine's memory apply. One run at a time.
pub fn check(s: &Scenario, runs: u64, allow_large: bool) -> Result<Size, ScenarioError> {
    let keeps = if runs > 1 { Keeps::Replications } else { Keeps::Results };
    check_command(&[(s, runs)], keeps, 1, allow_large)?;
    Ok(size(s))
}

/// Check a whole command: `runs` lists each scenario with the runs the
/// command makes of it (a sweep's points are scenarios of their own), at
/// most `threads` at once. The budget has the most threads that fit.
pub fn check_command(
    runs: &[(&Scenario, u64)],
    keeps: Keeps,
    threads: usize,
    allow_large: bool,
) -> Result<Budget, ScenarioError> {
    if runs.is_empty() {
        return Ok(Budget { threads: 1, memory: PROCESS_BYTES, seconds: 0.0, runs: 0 });
    }
    let sized: Vec<(&Scenario, u64, Size)> = runs.iter().map(|(s, n)| (*s, (*n).max(1), size(s))).collect();
    let name = command_name(runs);
    let too_large = |reasons, can_allow| ScenarioError::TooLarge { name: name.clone(), reasons, can_allow };
    let memory = CommandMemory::of(&sized, keeps);
    let physical = physical_memory();
    let hard = hard_reasons(&sized, &memory, physical);
    if !hard.is_empty() {
        return Err(too_large(hard, false));
    }
    if !allow_large {
        let soft = soft_reasons(&sized, &memory);
        if !soft.is_empty() {
            return Err(too_large(soft, true));
        }
    }
    let limit = match (allow_large, physical) {
        (true, Some(p)) => p,
        (true, None) => f64::INFINITY,
        (false, p) => p.map_or(MAX_MEMORY, |p| p.min(MAX_MEMORY)),
    };
    let jobs: u64 = sized.iter().map(|(_, n, _)| n).sum();
    let most = threads.max(1).min(usize::try_from(jobs).unwrap_or(usize::MAX)).max(1);
    let threads = (1..=most).rev().find(|&t| memory.at(t) <= limit).unwrap_or(1);
    let events: f64 = sized.iter().map(|(_, n, size)| size.events * *n as f64).sum();
    let seconds = events / EVENTS_PER_SECOND / threads as f64;
    Ok(Budget { threads, memory: memory.at(threads), seconds, runs: jobs })
}

/// What one run of `s` needs, in a line for `validate`, when it is worth
/// telling (a minute of computing, or a GiB at the peak): "about 1.7 GiB
/// at the peak (up to 1620000 of 16200000 people in the system at once),
/// up to about 2.3 billion events (5 min of computing)".
pub fn worth_telling(s: &Scenario) -> Option<String> {
    let plan = check_command(&[(s, 1)], Keeps::Results, 1, true).ok()?;
    let size = size(s);
    if plan.seconds < TELL_AFTER && plan.memory < GIB {
        return None;
    }
    Some(format!(
        "about {} at the peak (up to {:.0} of {} people in the system at once), up to about {} events ({} of computing)",
        fmt_bytes(plan.memory),
        size.at_once,
        size.people,
        billions(size.events),
        hours(plan.seconds),
    ))
}

/// The machine's physical memory [bytes], where it can be read (Linux).
pub fn physical_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * KIB)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn scenario(extra: &[&str]) -> Scenario {
        let text = "[scenario]\nname = \"t\"\nduration = \"1h\"\n[[cohort]]\nname = \"a\"\npeople = 1000\n[backend]\nmax_sessions = 10\n";
        let sets: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        crate::scenario::load_str(text, Path::new("t.toml"), Path::new("."), &sets).expect("valid")
    }

    #[test]
    fn small_scenarios_pass_and_report_their_size() {
        let size = check(&scenario(&[]), 1, false).expect("small");
        assert_eq!((size.people, size.bins), (1000, 60));
        assert_eq!(size.attempts_per_person, 1.0, "no retries by default");
    }

    /// Catch-up rounds and a cohort's own retries count in the guard: a
    /// round at its probability of the cohort, a cohort's retry policy at
    /// its most.
    #[test]
    fn catch_up_crowds_and_a_cohorts_retries_count() {
        let windows = "cohort.a.windows=[{ opens = \"0m\", closes = \"10m\" }]";
        let rounds = "cohort.a.catch_up=[{ opens = \"20m\", closes = \"30m\", probability = 0.5 }, { opens = \"40m\", closes = \"50m\", probability = 0.25 }]";
        assert_eq!(size(&scenario(&[windows, rounds])).people, 1000 + 500 + 250);
        let own = size(&scenario(&["cohort.a.clients.retry={ probability = 1.0, max_attempts = 7 }"]));
        assert_eq!(own.attempts_per_person, 7.0);
    }

    #[test]
    fn each_limit_names_its_figure() {
        let too_large = |sets: &[&str], runs: u64| match check(&scenario(sets), runs, false) {
            Err(e @ ScenarioError::TooLarge { can_allow: true, .. }) => e.to_string(),
            other => panic!("expected too large, got {other:?}"),
        };
        assert!(too_large(&["cohort.0.people=150000000"], 1).contains("people: 150000000 in total"));
        let bins = too_large(&["scenario.bin=1ms", "scenario.duration=2h"], 1);
        assert!(bins.contains("bins: 7200000 time-series rows"), "{bins}");
        let retries = ["cohort.0.people=90000000", "clients.retry.probability=1", "clients.retry.max_attempts=100"];
        let events = too_large(&retries, 1);
        assert!(events.contains("events: about 36.0 billion"), "{events}");
        assert!(events.contains("about 75 min of computing at 8 million events a second"), "{events}");
        assert!(events.contains("Pass --allow-large"), "{events}");
    }

    /// Runs after runs are time, not a reason to refuse: a thousand runs of
    /// ten million people pass, with the time told (the guard refused
    /// them, and `plan`'s plain question of 200 runs at most with them).
    #[test]
    fn many_runs_are_time_told_not_refused() {
        let s = scenario(&["cohort.0.people=10000000"]);
        let plan = check_command(&[(&s, 1000)], Keeps::Summaries, 2, false).expect("not refused");
        assert_eq!(plan.runs, 1000);
        let note = plan.time_note().expect("worth telling");
        assert!(note.starts_with("up to about ") && note.contains("(1000 runs at most, "), "{note}");
        let one = check_command(&[(&scenario(&[]), 1)], Keeps::Results, 1, false).expect("small");
        assert_eq!(one.time_note(), None, "a blink is not worth a note");
    }

    /// Runs go at once only as many as fit: the refusal does not depend on
    /// the machine's threads, the parallelism does.
    #[test]
    fn threads_are_chosen_to_fit_the_limit() {
        // About 1.3 GiB a run: 10 M people queued at 112 bytes, and each
        // person's 24 bytes of fairness figures (first admission, booking).
        let big = scenario(&["cohort.0.people=10000000", "waiting_room.max_active=1"]);
        let per_run = size(&big).memory.working();
        assert!(per_run > 1.0 * GIB && per_run < 1.4 * GIB, "{per_run}");
        let plan = check_command(&[(&big, 64)], Keeps::Replications, 64, false).expect("one at a time fits");
        assert!(plan.threads >= 2 && plan.threads <= 8, "{plan:?}");
        assert!(plan.memory <= MAX_MEMORY, "{plan:?}");
        assert_eq!(check_command(&[(&big, 64)], Keeps::Replications, 1, false).map(|p| p.threads).ok(), Some(1));
        // Never more threads than runs.
        assert_eq!(check_command(&[(&big, 1)], Keeps::Results, 64, false).map(|p| p.threads).ok(), Some(1));
    }

    /// Each person holds one event of their own at most; deadlines of people
    /// admitted are counted apart, one per join.
    #[test]
    fn pending_events_count_people_once_and_joins_for_stale_deadlines() {
        let sets = [
            "cohort.0.people=1000",
            "clients.retry.probability=0.5",
            "clients.retry.max_attempts=3",
            "waiting_room.max_active=10",
        ];
        let plain = size(&scenario(&sets)).memory;
        assert!(plain.events.count >= 1000.0 && plain.events.count < 1100.0, "{:?}", plain.events);
        assert_eq!(plain.stale.count, 0.0, "no deadlines without patience or connection loss");
        let patient = scenario(&[&sets[..], &["clients.patience={ dist = \"exponential\", mean = \"1h\" }"]].concat());
        let m = size(&patient).memory;
        // 1 + 0.5 + 0.25 attempts a person: 1,750 joins, 1,000 of them live.
        assert_eq!(m.stale.count, 750.0, "{:?}", m.stale);
    }

    #[test]
    fn allow_large_lifts_all_but_the_model_limits() {
        assert!(check(&scenario(&["cohort.0.people=150000000"]), 1, true).is_ok());
        let absurd = scenario(&[]).scaled(1e7);
        match check(&absurd, 1, true) {
            Err(e @ ScenarioError::TooLarge { can_allow: false, .. }) => {
                assert!(
                    e.to_string().contains("model's limit") && e.to_string().contains("Not even with --allow-large")
                )
            }
            other => panic!("expected the hard limit, got {other:?}"),
        }
    }
}
