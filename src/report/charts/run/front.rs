//! `front.png`: the front tier's request slots against capacity, and the
//! page loads sent to it and timed out.

use super::{capacity_line, clock, line, with_replications, BinTimes, TOTAL};
use crate::report::charts::figure::{okabe_ito, Figure, Panel, Series};
use crate::report::charts::marks;
use crate::report::charts::scale::{rate_is_peaky, top_of, value_axis};
use crate::scenario::Scenario;
use crate::stats::{Bin, DropCause, RunFigures};

/// The front tier's slot lines: in use, busy with page loads, taken by
/// polls, and the capacity last (the total and the polls only when some
/// poll took a slot).
fn slot_lines(runs: &[RunFigures], t: &BinTimes) -> Vec<Series> {
    let mut slots = vec![
        line(
            runs,
            "Slots in use (page loads + polls)",
            TOTAL,
            |b| t.mid(b),
            |b| Some(b.front_busy_mean + b.end.front_polls as f64),
        ),
        line(runs, "Busy with page loads", okabe_ito::BLUE, |b| t.mid(b), |b| Some(b.front_busy_mean)),
        line(
            runs,
            "Taken by status polls",
            okabe_ito::REDDISH_PURPLE,
            |b| t.end(b),
            |b| Some(b.end.front_polls as f64),
        ),
        capacity_line(runs, t, "Capacity (request slots)", |b| b.end.front_capacity as f64),
    ];
    // Without a poll ever taking a slot, slots in use are the page loads':
    // the total and the polls would only hide under and beside them.
    if runs.iter().flat_map(|r| &r.bins).all(|b| b.end.front_polls == 0) {
        slots.remove(2);
        slots.remove(0);
    }
    slots
}

/// What `front.png` shows, how its page loads time out, and what its log
/// scales leave out.
fn front_subtitle(s: &Scenario, log: bool, floored: bool) -> String {
    let mut subtitle = format!("Entry-page request slots (top) and page loads (bottom), per {} bin", s.bin);
    if let Some(f) = &s.front {
        subtitle.push_str(&format!("; a page load not served within {} times out", f.timeout));
        if f.wasted_work {
            subtitle.push_str(" but keeps its slot busy until served");
        }
    }
    if log {
        subtitle.push_str("; on a log scale zeros are left out");
        if floored {
            subtitle.push_str(" and tiny values sit on the bottom line");
        }
    }
    subtitle
}

/// `front.png`, for a scenario with a front tier: its request slots in use
/// against capacity (top) and the page loads sent to it and timed out
/// (bottom). Busy slots are a time average over the bin; polls and
/// capacity are read at the bin's end. In use = page loads + polls: when it
/// meets the capacity line, the tier is saturated and page loads wait, then
/// time out.
pub fn front(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let per_min = |b: &Bin, n: u64| Some(n as f64 / t.minutes(b));
    let mut slots = slot_lines(runs, &t);
    // Capacity that grows twentyfold (origin, then the cloud) or a flood of
    // page loads would flatten the rest to the axis: a log scale then.
    let (lines, capacity) = slots.split_at(slots.len() - 1);
    let (c_min, c_max) = capacity[0]
        .points
        .iter()
        .map(|p| p.1)
        .filter(|v| *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let slots_log = rate_is_peaky(lines) || (c_min.is_finite() && c_max / c_min > 10.0);
    let mut loads = vec![
        line(runs, "Page loads sent", okabe_ito::BLUISH_GREEN, |b| t.mid(b), |b| per_min(b, b.counts.front_requests)),
        line(
            runs,
            "Page loads timed out",
            okabe_ito::ORANGE,
            |b| t.mid(b),
            |b| per_min(b, b.counts.dropped[DropCause::FrontTimeout as usize]),
        ),
    ];
    let loads_log = rate_is_peaky(&loads);
    // On a log scale a zero (no polls, no timeout) has no place: the line
    // breaks there rather than run along the bottom as if it were small.
    for (series, log) in [(&mut slots, slots_log), (&mut loads, loads_log)] {
        if log {
            for p in series.iter_mut().flat_map(|s| s.points.iter_mut()) {
                if p.1 == 0.0 {
                    p.1 = f64::NAN;
                }
            }
        }
    }
    // At most five decades under the peak, as on `arrivals.png`.
    let floor = top_of(&slots) * 1e-4;
    let (slots_y, slots_floored) = value_axis(&mut slots, slots_log, floor);
    let floor = top_of(&loads) * 1e-4;
    let (loads_y, loads_floored) = value_axis(&mut loads, loads_log, floor);

    let subtitle = front_subtitle(s, slots_y.is_log() || loads_y.is_log(), slots_floored || loads_floored);
    let log_desc = |log: bool, desc: &str| if log { format!("{desc}, log scale") } else { desc.to_string() };
    let fig = Figure {
        title: format!("Front-tier load: {}", s.title),
        subtitle,
        x: clock(s),
        panels: vec![
            Panel {
                y_desc: log_desc(slots_y.is_log(), "Request slots"),
                y: slots_y,
                series: slots,
                bands: Vec::new(),
                empty_note: "No front tier in this scenario".into(),
            },
            Panel {
                y_desc: log_desc(loads_y.is_log(), "Page loads per minute"),
                y: loads_y,
                series: loads,
                bands: Vec::new(),
                empty_note: "No page load was sent".into(),
            },
        ],
        legend_extra: Vec::new(),
        marks: marks::of_run(s),
    };
    with_replications(fig, runs)
}
