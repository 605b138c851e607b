//! `arrivals.png`: first attempts and retries per minute.

use super::{clock, line, with_replications, BinTimes};
use crate::report::charts::figure::{okabe_ito, Figure, Panel};
use crate::report::charts::marks;
use crate::report::charts::scale::per_minute_axis;
use crate::scenario::Scenario;
use crate::stats::{Bin, RunFigures};

/// `arrivals.png`: first attempts and retries per minute.
pub fn arrivals(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let per_min = |b: &Bin, n: u64| Some(n as f64 / t.minutes(b));
    let mut series = vec![
        line(runs, "First attempts", okabe_ito::BLUE, |b| t.mid(b), |b| per_min(b, b.counts.arrivals)),
        line(runs, "Retries", okabe_ito::ORANGE, |b| t.mid(b), |b| per_min(b, b.counts.retries)),
    ];
    let (y, y_desc, floored) = per_minute_axis(&mut series, "Attempts per minute");
    let mut subtitle = format!("Attempts per minute, averaged over each {} bin", s.bin);
    if floored {
        subtitle.push_str(&format!(
            "; rates under {} per minute, zero included, are drawn on the bottom line",
            y.label(y.bottom())
        ));
    }
    let fig = Figure {
        title: format!("Attempts: {}", s.title),
        subtitle,
        x: clock(s),
        panels: vec![Panel { y_desc, y, series, bands: Vec::new(), empty_note: String::new() }],
        legend_extra: Vec::new(),
        marks: marks::of_run(s),
    };
    with_replications(fig, runs)
}
