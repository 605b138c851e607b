//! `bookings.png`: the booked share of each eligible cohort over time,
//! with its booking windows shaded.

use super::{clock, line, with_replications, BinTimes, ANY_COLOUR};
use crate::engine::SimTime;
use crate::report::charts::axis::ValueAxis;
use crate::report::charts::figure::{color, dashed, Band, Figure, Panel, Spread, Swatch};
use crate::report::charts::marks;
use crate::scenario::{Scenario, Window};
use crate::stats::RunFigures;

/// `bookings.png`: booked share of each eligible cohort over time, with
/// the cohort's booking windows shaded in its colour.
pub fn bookings(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let mut series = Vec::new();
    let mut bands = Vec::new();
    for (k, (i, c)) in s.cohorts.iter().enumerate().filter(|(_, c)| c.eligible && c.people > 0).enumerate() {
        let col = color(k);
        let mut booked = line(
            runs,
            &c.name,
            col,
            |b| t.end(b),
            |b| {
                let booked = b.booked_so_far.get(i).copied().unwrap_or(0);
                Some(100.0 * booked as f64 / c.people as f64)
            },
        );
        booked.dashed = dashed(k);
        // Everyone starts at zero booked.
        booked.points.insert(0, (0.0, 0.0));
        if let Spread::Band(ends) = &mut booked.spread {
            ends.insert(0, (0.0, 0.0));
        }
        series.push(booked);
        // A window over the whole run would shade everything and say nothing.
        let whole_run = |w: &Window| w.opens == SimTime::ZERO && w.closes >= s.duration;
        bands.extend(c.windows.iter().filter(|w| !whole_run(w)).map(|w| Band {
            from: w.opens.as_secs_f64(),
            to: w.closes.as_secs_f64(),
            color: col,
        }));
    }
    // Windows of several cohorts that overlap would shade each other into
    // mud: the marks of their openings and closings say it then.
    let overlap = bands.iter().enumerate().any(|(i, a)| bands[i + 1..].iter().any(|b| a.from < b.to && b.from < a.to));
    if overlap {
        bands.clear();
    }
    let legend_extra = if bands.is_empty() {
        Vec::new()
    } else {
        vec![(Swatch::Shade(ANY_COLOUR), "Booking windows (shaded in the cohort's colour)".to_string())]
    };
    let fig = Figure {
        title: format!("Bookings by cohort: {}", s.title),
        subtitle: "Booked people as a share of each eligible cohort, cumulative".into(),
        x: clock(s),
        panels: vec![Panel {
            y_desc: "Booked share of the cohort [%]".into(),
            y: ValueAxis::fixed(0.0, 100.0, 10.0),
            series,
            bands,
            empty_note: "No eligible cohort in this scenario".into(),
        }],
        legend_extra,
        marks: marks::of_run(s),
    };
    with_replications(fig, runs)
}
