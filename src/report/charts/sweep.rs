//! Charts of `surgesim sweep`: for each varied key, `sweep-<key>.png`, the
//! headline figures (p90 wait, booked share, drop rate; one panel each)
//! against the key's values, one line per combination of the other keys'
//! values, each point with the error bar of its 95 % confidence interval
//! (the `_lo`/`_hi` columns).
//!
//! The x axis is a number line when every value is a number, or a duration
//! (then in minutes, ticks labelled as written: "50s", "1m"); otherwise the
//! values are categories, in the order given.
//!
//! The figures are drawn from the rows of `sweep.csv` as read back from its
//! bytes (`report::sweep::read`): `merge` draws them from the merged table,
//! which is the very table an unsharded sweep writes, so both draw the same
//! charts.

use super::axis::{ValueAxis, XAxis};
use super::figure::{color, dashed, Figure, Panel, Series, Spread, Swatch, DASHED_W, LINE_W};
use super::run::ANY_COLOUR;
use super::scale::{percent_axis, percent_top, top_of, value_axis, waits_span_decades, WAIT_FLOOR_MIN};
use super::{render, ChartFormat};
use crate::report::sweep::table::{Sweep, SweepRow};
use crate::scenario::grid::Grid;
use crate::scenario::units::parse_duration;
use crate::stats::{Columns, Headline, Kind};
use anyhow::{Context, Result};
use std::collections::{BTreeMap, HashMap};

/// What each panel shows: the figure, what it reads as, and the factor
/// from the figure's unit to the one shown.
struct Shown {
    figure: Headline,
    y_desc: &'static str,
    factor: f64,
}

const HEADLINES: [Shown; 3] = [
    Shown { figure: Headline::WaitP90, y_desc: "p90 wait [min]", factor: 1.0 / 60.0 },
    Shown { figure: Headline::BookedShare, y_desc: "Booked, of eligible [%]", factor: 100.0 },
    Shown { figure: Headline::DropRate, y_desc: "Dropped, of attempts [%]", factor: 100.0 },
];

/// How a key's values sit on the x axis.
enum Scale {
    /// Numbers (durations in minutes), in the values' order.
    Numeric(Vec<f64>),
    Categories,
}

impl Scale {
    /// Numbers if every value is one, else durations if every value is
    /// one, else categories.
    fn of(values: &[String]) -> (Scale, &'static str) {
        let numbers: Option<Vec<f64>> =
            values.iter().map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite())).collect();
        if let Some(x) = numbers {
            return (Scale::Numeric(x), "");
        }
        let minutes: Option<Vec<f64>> =
            values.iter().map(|v| parse_duration(v).ok().map(|d| d.as_secs_f64() / 60.0)).collect();
        match minutes {
            Some(x) => (Scale::Numeric(x), " [min]"),
            None => (Scale::Categories, ""),
        }
    }
}

/// The x axis of a key's values and where each value sits on it: numbers
/// on a log axis when they form a geometric grid, else a linear one;
/// categories at 0, 1, 2, ...
fn x_axis(scale: &Scale, values: &[String], desc: &str) -> (XAxis, Vec<f64>) {
    match scale {
        Scale::Numeric(xs) => {
            let ticks: Vec<(f64, String)> = xs.iter().copied().zip(values.iter().cloned()).collect();
            let axis = if is_geometric(xs) { XAxis::numeric_log(&ticks, desc) } else { XAxis::numeric(&ticks, desc) };
            (axis, xs.clone())
        }
        Scale::Categories => (XAxis::categories(values, desc), (0..values.len()).map(|i| i as f64).collect()),
    }
}

/// Ratios of neighbouring values may differ by this factor and still make
/// a geometric grid: 1, 2, 5, 10 (ratios 2 and 2.5) is one.
const RATIO_SPREAD: f64 = 1.3;
/// A geometric grid spans at least this factor: below it, log and linear
/// axes look alike and the linear one is easier to read.
const GEOMETRIC_SPAN: f64 = 8.0;

/// Whether `xs` form a geometric grid (5, 10, 20, 40, 80; 1, 3, 10, 30):
/// three or more distinct positive values whose neighbours stand in roughly
/// the same ratio, spanning a factor 8 or more. A doubling sweep drawn on a
/// linear axis crowds its small values into a corner.
pub fn is_geometric(xs: &[f64]) -> bool {
    if xs.iter().any(|x| !x.is_finite() || *x <= 0.0) {
        return false;
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let ratios: Vec<f64> = sorted.windows(2).map(|w| w[1] / w[0]).collect();
    let (lo, hi) = ratios.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    sorted.len() >= 3 && hi <= RATIO_SPREAD * lo && sorted[sorted.len() - 1] >= GEOMETRIC_SPAN * sorted[0]
}

/// A file name made of `key`: letters, digits, `-`, `_` and `.` kept,
/// anything else `_`.
pub fn file_stem(key: &str) -> String {
    let safe: String =
        key.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
    format!("sweep-{}", safe.trim_matches('.'))
}

/// The rows of a sweep by point number.
type Rows<'a> = HashMap<usize, &'a SweepRow>;

/// One figure per varied key, as (file stem, figure), in `--vary` order.
pub fn figures(sweep: &Sweep) -> Vec<(String, Figure)> {
    let rows: Rows = sweep.rows.iter().map(|r| (r.point, r)).collect();
    let mut stems: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for k in 0..sweep.vary.len() {
        let mut stem = file_stem(&sweep.vary[k].key);
        // Two keys that read the same once made safe get numbered names.
        if stems.contains(&stem) {
            stem = format!("{stem}-{}", k + 1);
        }
        stems.push(stem.clone());
        out.push((stem, figure(sweep, &rows, k)));
    }
    out
}

/// Every sweep chart, as (file name, bytes).
pub fn charts(sweep: &Sweep, format: ChartFormat) -> Result<Vec<(String, Vec<u8>)>> {
    figures(sweep)
        .into_iter()
        .map(|(stem, fig)| {
            let name = format!("{stem}.{}", format.extension());
            let bytes = render(&fig, format).with_context(|| format!("could not draw {name}"))?;
            Ok((name, bytes))
        })
        .collect()
}

/// A figure's mean and interval at a point, NaN where undefined.
fn estimate(row: Option<&&SweepRow>, figure: Headline) -> (f64, f64, f64) {
    match row.and_then(|r| *r.figures.get(figure)) {
        Some(e) => (e.mean, e.lo.unwrap_or(f64::NAN), e.hi.unwrap_or(f64::NAN)),
        None => (f64::NAN, f64::NAN, f64::NAN),
    }
}

/// The figure of key `k`.
fn figure(sweep: &Sweep, rows: &Rows, k: usize) -> Figure {
    let vary = &sweep.vary[k];
    let grid = Grid { vary: sweep.vary };
    let (scale, unit) = Scale::of(&vary.values);
    let (x, position) = x_axis(&scale, &vary.values, &format!("{}{unit}", vary.key));

    // Points grouped into lines by the other keys' values, in grid order.
    let mut lines: BTreeMap<Vec<usize>, Vec<(usize, usize)>> = BTreeMap::new();
    for p in 0..grid.points() {
        let idx = grid.indices(p);
        let others: Vec<usize> = idx.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, i)| *i).collect();
        lines.entry(others).or_default().push((idx[k], p));
    }
    let n_lines = lines.len();
    let replicated = sweep.replications > 1;
    let step =
        if replicated && n_lines > 1 && bars_overlap(rows, &lines) { offset_step(&x, &position, n_lines) } else { 0.0 };

    let mut panels = Vec::new();
    let mut left_out = Vec::new();
    for h in &HEADLINES {
        let mut series = Vec::new();
        for (n, (others, points)) in lines.iter().enumerate() {
            let shift = (n as f64 - (n_lines as f64 - 1.0) / 2.0) * step;
            let mut pts: Vec<(f64, f64, f64, f64)> = points
                .iter()
                .map(|&(xi, p)| {
                    let at = x.from_even(x.to_even(position.get(xi).copied().unwrap_or(f64::NAN)) + shift);
                    let (mean, lo, hi) = estimate(rows.get(&p), h.figure);
                    (at, mean * h.factor, lo * h.factor, hi * h.factor)
                })
                .collect();
            if matches!(scale, Scale::Numeric(_)) {
                pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            }
            let label = if sweep.vary.len() > 1 {
                line_label(sweep, k, others)
            } else if replicated {
                format!("Mean of {} replications", sweep.replications)
            } else {
                "One run per value".to_string()
            };
            series.push(Series {
                label,
                color: color(n),
                // Past the palette the colours come round again, dashed.
                dashed: dashed(n),
                width: if dashed(n) { DASHED_W + 1 } else { LINE_W },
                points: pts.iter().map(|p| (p.0, p.1)).collect(),
                spread: if replicated { Spread::Bars(pts.iter().map(|p| (p.2, p.3)).collect()) } else { Spread::None },
            });
        }
        // A figure undefined at every point (no wait without a waiting
        // room) is said in a line, not drawn as an empty panel.
        if !series.iter().any(Series::has_data) {
            left_out.push(h.y_desc.split(" [").next().unwrap_or(h.y_desc));
            continue;
        }
        panels.push(panel(h, series));
    }
    if panels.is_empty() {
        // Nothing defined anywhere: one panel that says so.
        panels.push(panel(&HEADLINES[1], Vec::new()));
    }

    let subtitle = subtitle(sweep, k, step > 0.0, &left_out);
    let legend_extra = if replicated {
        vec![(Swatch::Bar(ANY_COLOUR), "95 % confidence interval of the mean".to_string())]
    } else {
        Vec::new()
    };
    Figure {
        title: format!("Sweep of {}: headline figures against {}", sweep.scenario, vary.key),
        subtitle,
        x,
        panels,
        legend_extra,
        // The x axis is not time: no event to mark.
        marks: Vec::new(),
    }
}

/// The label of the line of key `k` at the other keys' value indices
/// `others`: "clients.session.mean = 1m, waiting_room.order = fifo".
fn line_label(sweep: &Sweep, k: usize, others: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut it = others.iter();
    for (j, v) in sweep.vary.iter().enumerate() {
        if j != k {
            if let Some(&i) = it.next() {
                parts.push(format!("{} = {}", v.key, v.values.get(i).map_or("?", String::as_str)));
            }
        }
    }
    parts.join(", ")
}

/// How far apart neighbouring lines are drawn when their error bars would
/// hide each other: all of them together by at most a third of the closest
/// two values' distance, and no more than 1.2 % of the axis each (distances
/// along the axis: ratios on a log axis).
fn offset_step(x: &XAxis, position: &[f64], n_lines: usize) -> f64 {
    let (x_lo, x_hi) = (x.to_even(x.ends().0), x.to_even(x.ends().1));
    let mut sorted: Vec<f64> = position.iter().map(|&p| x.to_even(p)).collect();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let gap = sorted.windows(2).map(|w| w[1] - w[0]).fold(x_hi - x_lo, f64::min);
    (0.012 * (x_hi - x_lo)).min(gap / 3.0 / n_lines as f64)
}

/// What a sweep chart's points are, what its lines are, and which
/// headlines it leaves out.
fn subtitle(sweep: &Sweep, k: usize, apart: bool, left_out: &[&str]) -> String {
    let mut subtitle = if sweep.replications > 1 {
        format!("Each point: the mean of {} replications, with its 95 % confidence interval", sweep.replications)
    } else {
        "Each point: one run".to_string()
    };
    if sweep.vary.len() > 1 {
        let others: Vec<&str> =
            sweep.vary.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, v)| v.key.as_str()).collect();
        subtitle.push_str(&format!("; one line per value of {}", others.join(" and ")));
        if apart {
            subtitle.push_str(" (drawn slightly apart so their bars stay apart)");
        }
    }
    if !left_out.is_empty() {
        subtitle.push_str(&format!("; not drawn, undefined at every point: {}", left_out.join(", ")));
    }
    subtitle
}

/// Whether two lines' intervals overlap at some value of the key, in any
/// headline: their error bars would then hide each other.
fn bars_overlap(rows: &Rows, lines: &BTreeMap<Vec<usize>, Vec<(usize, usize)>>) -> bool {
    HEADLINES.iter().any(|h| {
        // Per value index of the key: the intervals of every line there.
        let mut at: BTreeMap<usize, Vec<(f64, f64)>> = BTreeMap::new();
        for points in lines.values() {
            for &(xi, p) in points {
                let (_, lo, hi) = estimate(rows.get(&p), h.figure);
                if lo.is_finite() && hi.is_finite() {
                    at.entry(xi).or_default().push((lo, hi));
                }
            }
        }
        at.values().any(|v| v.iter().enumerate().any(|(i, a)| v[i + 1..].iter().any(|b| a.0 <= b.1 && b.0 <= a.1)))
    })
}

/// One headline's panel: a log axis for waits that span decades, else a
/// linear one (percentages from 0, never past 100: these are shares of
/// whole runs).
fn panel(h: &Shown, mut series: Vec<Series>) -> Panel {
    let (y, empty_note) = if h.figure.kind() == Kind::Seconds {
        let log = waits_span_decades(&series);
        let y = value_axis(&mut series, log, WAIT_FLOOR_MIN).0;
        (y, "No wait at any point (no waiting room, or nobody admitted from it)")
    } else if h.figure.kind() == Kind::Share {
        (percent_axis(percent_top(&series)), "Not defined at any point")
    } else {
        (ValueAxis::linear(top_of(&series), 1.0), "No data")
    };
    let y_desc = if y.is_log() { format!("{}, log scale", h.y_desc) } else { h.y_desc.to_string() };
    Panel { y_desc, y, series, bands: Vec::new(), empty_note: empty_note.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_safe_file_names() {
        assert_eq!(file_stem("backend.max_sessions"), "sweep-backend.max_sessions");
        assert_eq!(file_stem("cohort.0.people"), "sweep-cohort.0.people");
        assert_eq!(file_stem("a/b c"), "sweep-a_b_c");
    }

    #[test]
    fn geometric_grids_are_told_from_linear_ones() {
        for grid in [&[5.0, 10.0, 20.0, 40.0, 80.0][..], &[1.0, 3.0, 10.0, 30.0], &[1.0, 2.0, 5.0, 10.0, 20.0, 50.0]] {
            assert!(is_geometric(grid), "{grid:?}");
        }
        assert!(is_geometric(&[80.0, 10.0, 40.0, 20.0, 5.0]), "in any order");
        for grid in [
            &[10.0, 20.0, 30.0, 40.0][..],
            &[100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0, 900.0, 1000.0],
            &[2.0, 4.0, 8.0][..2],
            &[1.0, 2.0, 4.0],
            &[0.0, 1.0, 10.0, 100.0],
            &[-1.0, 1.0, 10.0],
        ] {
            assert!(!is_geometric(grid), "{grid:?}");
        }
    }

    #[test]
    fn values_are_numbers_durations_or_categories() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let numbers = |s: &[&str]| match Scale::of(&v(s)) {
            (Scale::Numeric(x), unit) => Some((x, unit)),
            (Scale::Categories, _) => None,
        };
        assert_eq!(numbers(&["16", "18.5"]), Some((vec![16.0, 18.5], "")));
        let (minutes, unit) = numbers(&["50s", "1m"]).expect("durations are numbers");
        assert!((minutes[0] - 50.0 / 60.0).abs() < 1e-12 && minutes[1] == 1.0 && unit == " [min]");
        assert_eq!(numbers(&["fifo", "random"]), None);
        assert_eq!(numbers(&["16", "fifo"]), None);
    }
}
