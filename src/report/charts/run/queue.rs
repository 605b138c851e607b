//! `queue.png`: people queued, and booking sessions against their
//! capacity, time averages per bin.

use super::{capacity_line, clock, line, with_replications, BinTimes};
use crate::report::charts::axis::ValueAxis;
use crate::report::charts::figure::{okabe_ito, Figure, Panel, Swatch};
use crate::report::charts::marks;
use crate::report::charts::scale::{max_of, top_of};
use crate::report::format::count;
use crate::scenario::Scenario;
use crate::stats::RunFigures;

/// `queue.png`: people queued (top) and booking sessions against their
/// capacity (bottom), time averages per bin.
pub fn queue(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let queued = line(runs, "Queue length (time average)", okabe_ito::BLUE, |b| t.mid(b), |b| Some(b.queue_len_mean));
    let active = line(
        runs,
        "Active booking sessions (time average)",
        okabe_ito::BLUISH_GREEN,
        |b| t.mid(b),
        |b| Some(b.active_mean),
    );
    // Capacity is a level over the whole bin: drawn from bin start to end.
    let capacity = capacity_line(runs, &t, "Session capacity", |b| b.end.session_capacity as f64);
    let q_max = top_of(std::slice::from_ref(&queued));
    // A capacity far above what is used would flatten the sessions line to
    // the axis; it is then named in the legend instead of drawn.
    let a_max = max_of(std::slice::from_ref(&active));
    let c_max = max_of(std::slice::from_ref(&capacity));
    let mut legend_extra = Vec::new();
    let sessions = if c_max > 20.0 * a_max.max(1.0) {
        let c_min = capacity.points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let level = if c_min < c_max {
            format!("{} to {}", count(c_min as u64), count(c_max as u64))
        } else {
            count(c_max as u64)
        };
        legend_extra.push((
            Swatch::Line { color: capacity.color, dashed: true },
            format!("Session capacity: {level}, off the scale"),
        ));
        vec![active]
    } else {
        vec![active, capacity]
    };
    let s_max = top_of(&sessions);
    let subtitle = match &s.waiting_room {
        None => format!("No waiting room in this scenario: nobody queues. Averages over each {} bin", s.bin),
        Some(w) => {
            let rate = crate::model::Gate::set_per_minute(w)
                .map_or(String::new(), |r| format!(", at most {} a minute", count(r.round() as u64)));
            format!(
                "Averages over each {} bin; the waiting room admits while fewer than {} sessions are active{rate}",
                s.bin,
                count(w.max_active)
            )
        }
    };
    let fig = Figure {
        title: format!("Queue and booking sessions: {}", s.title),
        subtitle,
        x: clock(s),
        panels: vec![
            Panel {
                y_desc: "People queued".into(),
                y: ValueAxis::linear(q_max, 1.0),
                series: vec![queued],
                bands: Vec::new(),
                empty_note: String::new(),
            },
            Panel {
                y_desc: "Booking sessions".into(),
                y: ValueAxis::linear(s_max, 1.0),
                series: sessions,
                bands: Vec::new(),
                empty_note: String::new(),
            },
        ],
        legend_extra,
        marks: marks::of_run(s),
    };
    with_replications(fig, runs)
}
