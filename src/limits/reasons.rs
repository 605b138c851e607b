//! The reasons a command is refused, worded so that a planner can redo
//! the arithmetic: the model's own limits and the machine's memory (which
//! nothing lifts), and the limits `--allow-large` lifts.

use super::budget::{CommandMemory, REPORT_BYTES};
use super::size::Size;
use super::words::{billions, hours};
use super::{EVENTS_PER_ATTEMPT, EVENTS_PER_SECOND, MAX_BINS, MAX_EVENTS, MAX_MEMORY, SOFT_MAX_PEOPLE};
use crate::engine::fmt_bytes;
use crate::scenario::{bounds, Scenario};

/// The name a refusal goes by: the scenario's, or each of them.
pub(super) fn command_name(runs: &[(&Scenario, u64)]) -> String {
    let mut names: Vec<&str> = runs.iter().map(|(s, _)| s.name.as_str()).collect();
    names.dedup();
    names.join("' + '")
}

/// The model's own limits, and the machine's memory.
pub(super) fn hard_reasons(
    runs: &[(&Scenario, u64, Size)],
    memory: &CommandMemory,
    physical: Option<f64>,
) -> Vec<String> {
    let mut hard = Vec::new();
    if let Some((_, _, size)) = runs.iter().find(|(_, _, size)| size.people > bounds::MAX_PEOPLE) {
        hard.push(format!("people: {} in total, above the model's limit of {}", size.people, bounds::MAX_PEOPLE));
    }
    // A cohort's numbers: its people, and those of each catch-up round's
    // crowd, numbered after them (at most the cohort again per round).
    let numbers = |c: &crate::scenario::Cohort| c.people.saturating_mul(c.catch_up.len() as u64 + 1);
    let numbered = |s: &Scenario| {
        s.clients.devices.max() > 1 && s.cohorts.iter().any(|c| numbers(c) > bounds::MAX_PEOPLE_ON_DEVICES)
    };
    if runs.iter().any(|(s, _, _)| numbered(s)) {
        hard.push(format!(
            "people: a cohort numbering more than {} (its people, and as many again per catch-up round) on several devices each, above the model's limit (a device is numbered with its person)",
            bounds::MAX_PEOPLE_ON_DEVICES
        ));
    }
    // Without the stale deadlines, the loosest part of the estimate: a run
    // that may fit is not refused for good.
    if let Some(p) = physical.filter(|&p| memory.live() > p) {
        hard.push(memory_reason(memory, &format!("this machine's memory ({})", fmt_bytes(p))));
    }
    hard
}

/// The limits `--allow-large` lifts.
pub(super) fn soft_reasons(runs: &[(&Scenario, u64, Size)], memory: &CommandMemory) -> Vec<String> {
    let mut soft = Vec::new();
    if let Some((_, _, size)) = runs.iter().find(|(_, _, size)| size.people > SOFT_MAX_PEOPLE) {
        soft.push(format!("people: {} in total, above the limit of {SOFT_MAX_PEOPLE}", size.people));
    }
    if let Some((s, _, size)) = runs.iter().find(|(_, _, size)| size.bins > MAX_BINS) {
        soft.push(format!(
            "bins: {} time-series rows ({} / {}), above the limit of {MAX_BINS}; a wider scenario.bin needs fewer",
            size.bins, s.duration, s.bin
        ));
    }
    // Runs after runs are time, told as an estimate (`Budget::seconds`), not
    // a reason to refuse; one run of more events than this is refused.
    if let Some((_, _, size)) = runs.iter().find(|(_, _, size)| size.events > MAX_EVENTS) {
        soft.push(events_reason(size));
    }
    if memory.at(1) > MAX_MEMORY {
        soft.push(memory_reason(memory, &fmt_bytes(MAX_MEMORY)));
    }
    soft
}

fn events_reason(size: &Size) -> String {
    format!(
        "events: about {} in one run ({} people x up to {:.1} attempts x {EVENTS_PER_ATTEMPT} events), \
         above the limit of {}; that is about {} of computing at {} million events a second",
        billions(size.events),
        size.people,
        size.attempts_per_person,
        billions(MAX_EVENTS),
        hours(size.events / EVENTS_PER_SECOND),
        EVENTS_PER_SECOND / 1e6,
    )
}

/// "memory: about 9.6 GiB at the peak, one run at a time, above the limit
/// of 8.0 GiB: up to ... (per run); results kept ..."
fn memory_reason(m: &CommandMemory, limit: &str) -> String {
    let mut kept = format!("kept results and scenarios {}", fmt_bytes(m.kept));
    if m.report > REPORT_BYTES {
        kept.push_str(&format!(", rows combined for the report {}", fmt_bytes(m.report)));
    }
    format!(
        "memory: about {} at the peak, one run at a time, above the limit of {limit}: {} (per run {}); {kept}",
        fmt_bytes(m.at(1)),
        m.largest.describe(),
        fmt_bytes(m.largest.working()),
    )
}
