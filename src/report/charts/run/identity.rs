//! `identity.png`: identity checks in progress against capacity, and the
//! checks asked for and timed out.

use super::{capacity_line, clock, line, with_replications, BinTimes};
use crate::report::charts::figure::{okabe_ito, Figure, Panel};
use crate::report::charts::marks;
use crate::report::charts::scale::{per_minute_axis, value_axis};
use crate::scenario::Scenario;
use crate::stats::{Bin, DropCause, RunFigures};

/// `identity.png`, for a scenario with an identity check: checks in
/// progress against the check's capacity (top; both read at each bin's
/// end: when they meet, checks wait, then time out) and the checks asked
/// for and timed out per minute (bottom).
pub fn identity(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let per_min = |b: &Bin, n: u64| Some(n as f64 / t.minutes(b));
    let mut slots = vec![
        line(runs, "Checks in progress", okabe_ito::BLUE, |b| t.end(b), |b| Some(b.end.identity_busy as f64)),
        capacity_line(runs, &t, "Capacity (concurrent checks)", |b| b.end.identity_capacity as f64),
    ];
    let (slots_y, _) = value_axis(&mut slots, false, 0.0);
    let mut checks = vec![
        line(runs, "Checks asked for", okabe_ito::BLUISH_GREEN, |b| t.mid(b), |b| per_min(b, b.counts.identity_checks)),
        line(
            runs,
            "Checks timed out",
            okabe_ito::ORANGE,
            |b| t.mid(b),
            |b| per_min(b, b.counts.dropped[DropCause::IdentityTimeout as usize]),
        ),
    ];
    let (checks_y, checks_desc, _) = per_minute_axis(&mut checks, "Checks per minute");
    let mut subtitle = format!("Identity check slots (top) and checks (bottom), per {} bin", s.bin);
    if let Some(i) = &s.identity {
        let at = match i.placement {
            crate::scenario::Placement::BeforeQueue => "before the waiting room",
            crate::scenario::Placement::AtBooking => "at the start of the booking session",
        };
        subtitle.push_str(&format!("; checked {at}; a check not done within {} times out", i.timeout));
    }
    let fig = Figure {
        title: format!("Identity check: {}", s.title),
        subtitle,
        x: clock(s),
        panels: vec![
            Panel {
                y_desc: "Concurrent checks".into(),
                y: slots_y,
                series: slots,
                bands: Vec::new(),
                empty_note: "No identity check in this scenario".into(),
            },
            Panel {
                y_desc: checks_desc,
                y: checks_y,
                series: checks,
                bands: Vec::new(),
                empty_note: "No check was asked for".into(),
            },
        ],
        legend_extra: Vec::new(),
        marks: marks::of_run(s),
    };
    with_replications(fig, runs)
}
