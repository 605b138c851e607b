//! `waits.png`: the waits in the queue (p50, p90, p99) per bin, and,
//! where the three are one wait (a FIFO queue), the same waits against the
//! time people joined; where the room shows a wait, the wait it showed
//! people joining (p50, dashed), by the time they joined.

use super::{clock, line, with_replications, BinTimes};
use crate::report::charts::figure::{okabe_ito, Figure, Panel, Series, DASHED_W};
use crate::report::charts::marks;
use crate::report::charts::scale::{floor_to, value_axis, waits_span_decades, WAIT_FLOOR_MIN};
use crate::report::format::count;
use crate::scenario::Scenario;
use crate::stats::RunFigures;
use plotters::style::RGBColor;

/// p50 / p90 / p99: label, colour (light blue, blue, then vermillion for
/// the tail) and width where they coincide. The widths narrow from p99 to
/// p50, each drawn over the wider, so where the three are one wait (a FIFO
/// queue) the line shows all three colours, nested, instead of one line
/// against three entries. Apart, they are drawn alike.
const QUANTILES: [(&str, RGBColor, u32); 3] =
    [("p50 (median)", okabe_ito::SKY_BLUE, 2), ("p90", okabe_ito::BLUE, 4), ("p99", okabe_ito::VERMILLION, 7)];

/// How close p50 and p99 of a bin must be to count as one wait: within 5 %
/// of p99.
const COINCIDE_WITHIN: f64 = 0.05;
/// Waits shorter than this [min] are left out of that count: seconds of
/// difference between tiny waits matter to nobody.
const COINCIDE_FROM_MIN: f64 = 1.0;
/// Share of the counted bins that must coincide for the chart to say so.
const COINCIDE_SHARE: f64 = 0.9;
/// Share of them that must coincide for the lines to be drawn nested: one
/// would hide the others there.
const NEST_SHARE: f64 = 0.3;

/// Whether p50, p90 and p99 (the first three lines) are one wait: in how
/// many of the bins with a p99 of a minute or more they lie within 5 % of
/// each other, as (coinciding, counted). Under FIFO the people admitted in
/// one bin joined together and waited alike, so they do.
fn coinciding(quantiles: &[Series]) -> (usize, usize) {
    let [p50, _, p99] = quantiles else { return (0, 0) };
    let counted = p50.points.iter().zip(&p99.points).filter(|(a, b)| a.1.is_finite() && b.1 >= COINCIDE_FROM_MIN);
    counted.fold((0, 0), |(same, n), (a, b)| (same + usize::from(b.1 - a.1 <= COINCIDE_WITHIN * b.1), n + 1))
}

/// Whether the quantile lines are drawn nested (they coincide in part),
/// whether they are one wait (they coincide nearly everywhere: the lower
/// panel by joining time is then exact), and what the subtitle says of it.
fn coincidence(quantiles: &[Series]) -> (bool, bool, String) {
    let (same, counted) = coinciding(quantiles);
    let share = if counted == 0 { 0.0 } else { same as f64 / counted as f64 };
    let (nested, together) = (share >= NEST_SHARE, share >= COINCIDE_SHARE && counted >= 3);
    let how = format!(
        "p50, p90 and p99 coincide (within 5 %) in {} of the {} bins with waits over a minute",
        count(same as u64),
        count(counted as u64)
    );
    let note = if together {
        format!("{how}: the people admitted together had joined together. ")
    } else if nested {
        format!("{how} (drawn nested, so each shows). ")
    } else {
        String::new()
    };
    (nested, together, note)
}

/// A wait line re-drawn against the time people joined: a bin admitted at
/// `x` after waiting `w` minutes joined at `x - w`. Exact when the
/// percentiles coincide (everyone admitted together joined together).
///
/// The points stay in the order of admission (under FIFO, the order of
/// joining too), and a bin with nobody admitted still breaks the line:
/// nobody who joined in between was admitted either (the queue was lost,
/// or nobody came), so no line may bridge it.
fn by_joining_time(s: &Series) -> Series {
    let points = s.points.iter().map(|&(x, w)| if w.is_finite() { ((x - 60.0 * w).max(0.0), w) } else { (x, w) });
    Series { points: points.collect(), ..s.clone() }
}

/// `waits.png`: wait p50/p90/p99 per bin, in minutes, of the attempts
/// admitted in the bin. Where the three coincide (a FIFO queue), the chart
/// says so, and a second panel shows the spread they cannot: the wait
/// against the time people joined.
pub fn waits(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let mut series: Vec<Series> = QUANTILES
        .iter()
        .enumerate()
        .map(|(k, &(label, color, _))| line(runs, label, color, |b| t.mid(b), |b| b.wait[k].map(|w| w / 60.0)))
        .collect();
    let (nested, together, mut subtitle) = coincidence(&series);
    if nested {
        for (s, q) in series.iter_mut().zip(QUANTILES) {
            s.width = q.2;
        }
    }
    let mut joined: Vec<Series> = if together { series.iter().map(by_joining_time).collect() } else { Vec::new() };
    // The wait the room showed people as they joined, beside the wait they
    // had: by the time they joined, so on the lower panel where there is
    // one. It shares the panels' axis, so it is measured with the waits.
    let shown = s.waiting_room.as_ref().and_then(|w| w.shown_wait).map(|_| {
        let l = line(
            runs,
            "shown on joining (p50)",
            okabe_ito::BLUISH_GREEN,
            |b| t.mid(b),
            |b| b.shown_wait[0].map(|w| w / 60.0),
        );
        Series { dashed: true, width: DASHED_W, ..l }
    });
    let has_shown = shown.is_some();
    series.extend(shown);
    let log = waits_span_decades(&series);
    let (y, floored) = value_axis(&mut series, log, WAIT_FLOOR_MIN);
    if has_shown && !joined.is_empty() {
        joined.extend(series.pop());
    }
    let floored = floor_to(&mut joined, &y) || floored;
    let empty_note = if s.waiting_room.is_none() {
        "No waiting room in this scenario: nobody waits"
    } else {
        "No attempt was admitted from the waiting room"
    };
    let log_suffix = if y.is_log() { ", log" } else { "" };
    let panel = |y_desc: String, series: Vec<Series>| Panel {
        y_desc,
        y: y.clone(),
        series,
        bands: Vec::new(),
        empty_note: empty_note.into(),
    };
    let panels = if joined.is_empty() {
        subtitle.push_str(&format!(
            "Wait from joining the waiting room to admission, of the attempts admitted in each {} bin",
            s.bin
        ));
        vec![panel(format!("Wait [min{log_suffix}]"), series)]
    } else {
        subtitle.push_str(&format!(
            "Top: the wait by the time of admission ({} bins); bottom: the same waits by the time people joined",
            s.bin
        ));
        vec![
            panel(format!("By admission [min{log_suffix}]"), series),
            panel(format!("By time joined [min{log_suffix}]"), joined),
        ]
    };
    if floored {
        subtitle.push_str(&format!("; waits under {} min sit on the bottom line", y.label(y.bottom())));
    }
    let fig = Figure {
        title: format!("Waits in the queue: {}", s.title),
        subtitle,
        x: clock(s),
        panels,
        legend_extra: Vec::new(),
        marks: marks::of_run(s),
    };
    with_replications(fig, runs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::figure::{Spread, LINE_W};

    /// Three quantile lines of ten bins: p50 at 10 min, p90 and p99 at
    /// 10 min in the first `same` bins and at 20 min after.
    fn quantiles(same: usize) -> Vec<Series> {
        let at = |k: usize, v: f64| (k as f64 * 60.0, v);
        let line = |f: &dyn Fn(usize) -> f64| Series {
            label: String::new(),
            color: okabe_ito::BLUE,
            dashed: false,
            width: LINE_W,
            points: (0..10).map(|k| at(k, f(k))).collect(),
            spread: Spread::None,
        };
        let upper = |k: usize| if k < same { 10.0 } else { 20.0 };
        vec![line(&|_| 10.0), line(&upper), line(&upper)]
    }

    #[test]
    fn coinciding_quantiles_are_nested_then_said_to_be_one_wait() {
        let (nested, together, note) = coincidence(&quantiles(10));
        assert!(nested && together && note.contains("10 of the 10 bins") && note.contains("joined together"), "{note}");
        let (nested, together, note) = coincidence(&quantiles(5));
        assert!(nested && !together && note.contains("drawn nested"), "{note}");
        let (nested, together, note) = coincidence(&quantiles(1));
        assert!(!nested && !together && note.is_empty(), "{note}");
        // Waits under a minute are not counted: nothing to say of them.
        let mut tiny = quantiles(0);
        for p in tiny.iter_mut().flat_map(|s| s.points.iter_mut()) {
            p.1 /= 100.0;
        }
        assert_eq!(coincidence(&tiny), (false, false, String::new()));
    }

    #[test]
    fn a_line_by_joining_time_moves_each_bin_back_by_its_wait_and_keeps_its_gaps() {
        let mut s = quantiles(10).remove(0);
        // Admitted every 10 minutes after waiting 5.
        s.points = (0..10).map(|k| (k as f64 * 600.0, 5.0)).collect();
        s.points[3].1 = f64::NAN;
        let joined = by_joining_time(&s);
        assert_eq!(joined.points[9], (5400.0 - 300.0, 5.0));
        assert_eq!(joined.points[0], (0.0, 5.0), "not before the start");
        assert!(joined.points[3].1.is_nan(), "a bin nobody was admitted in still breaks the line");
    }
}
