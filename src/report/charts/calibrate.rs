//! The charts of `surgesim calibrate`: each observation against the
//! fitted model's figure (as a percentage of the observation, so figures of
//! every unit share one axis), and the objective over the search.

use super::axis::{ValueAxis, XAxis};
use super::{okabe_ito, Figure, Panel, Series, Spread};

/// One observation at the fitted point: its name, whether the fit used
/// it, and the simulated mean with its 95 % interval, each as a
/// percentage of the observation (100 % = hit).
pub struct FitPoint {
    pub figure: String,
    pub used: bool,
    pub percent: Option<f64>,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// (x, y) points, or (low, high) bar ends.
type Points = Vec<(f64, f64)>;

/// Observed against fitted: one category per observation, the
/// observation at 100 %, the fitted figure with its interval; held-out
/// observations in their own colour.
pub fn fit(title: &str, points: &[FitPoint]) -> Figure {
    let labels: Vec<String> = points.iter().map(|p| p.figure.clone()).collect();
    let n = points.len() as f64;
    let series_of = |used: bool| {
        // Observations are categories, not a curve: a NaN between each two
        // breaks the line, leaving a dot with its bar at each.
        let (mut pts, mut bars): (Points, Points) = (Vec::new(), Vec::new());
        for (i, p) in points.iter().enumerate().filter(|(_, p)| p.used == used) {
            pts.push((i as f64, p.percent.unwrap_or(f64::NAN)));
            bars.push((p.lo.unwrap_or(f64::NAN), p.hi.unwrap_or(f64::NAN)));
            pts.push((i as f64 + 0.5, f64::NAN));
            bars.push((f64::NAN, f64::NAN));
        }
        (pts, bars)
    };
    let (fitted, fitted_bars) = series_of(true);
    let (held, held_bars) = series_of(false);
    let top = points.iter().filter_map(|p| p.hi.or(p.percent)).fold(100.0, f64::max);
    let mut series = vec![
        Series {
            label: "observed (100 %)".into(),
            color: okabe_ito::VERMILLION,
            dashed: true,
            width: 2,
            points: vec![(-0.5, 100.0), (n - 0.5, 100.0)],
            spread: Spread::None,
        },
        Series {
            label: "fitted, used in the fit (mean, 95 % interval)".into(),
            color: okabe_ito::BLUE,
            dashed: false,
            width: 2,
            points: fitted,
            spread: Spread::Bars(fitted_bars),
        },
    ];
    if !held.is_empty() {
        series.push(Series {
            label: "fitted, held out (mean, 95 % interval)".into(),
            color: okabe_ito::REDDISH_PURPLE,
            dashed: false,
            width: 2,
            points: held,
            spread: Spread::Bars(held_bars),
        });
    }
    Figure {
        title: "Calibration: observed against fitted".into(),
        subtitle: format!("{title}: each figure at the fitted point as a percentage of what was observed"),
        x: XAxis::categories(&labels, "observation"),
        panels: vec![Panel {
            y_desc: "simulated, % of observed".into(),
            y: ValueAxis::linear(top * 1.05, 120.0),
            series,
            bands: Vec::new(),
            empty_note: "No observation".into(),
        }],
        legend_extra: Vec::new(),
        marks: Vec::new(),
    }
}

/// The objective of each point in evaluation order, and the best so far
/// among the search's points. The axis tops at the start's objective:
/// points far worse are cut off, so the descent stays readable.
pub fn search(title: &str, objectives: &[(f64, bool)]) -> Figure {
    let top = objectives.first().map_or(1.0, |o| o.0).max(1e-12);
    let mut best = f64::INFINITY;
    let mut best_line = Vec::new();
    let mut each = Vec::new();
    for (i, &(j, searched)) in objectives.iter().enumerate() {
        if searched {
            best = best.min(j);
        }
        best_line.push((i as f64, best.min(top)));
        each.push((i as f64, if j <= top * 1.05 { j } else { f64::NAN }));
    }
    let ticks: Vec<(f64, String)> = {
        let n = objectives.len().max(2);
        let step = (n / 8).max(1);
        (0..n).step_by(step).map(|i| (i as f64, i.to_string())).collect()
    };
    Figure {
        title: "Calibration: the objective over the search".into(),
        subtitle: format!("{title}: each point run (search, then profiles), and the best of the search so far"),
        x: XAxis::numeric(&ticks, "point (in evaluation order)"),
        panels: vec![Panel {
            y_desc: "objective (weighted squared relative errors)".into(),
            y: ValueAxis::linear(top, 1e-9),
            series: vec![
                Series {
                    label: "each point".into(),
                    color: okabe_ito::SKY_BLUE,
                    dashed: false,
                    width: 1,
                    points: each,
                    spread: Spread::None,
                },
                Series {
                    label: "best of the search so far".into(),
                    color: okabe_ito::BLUE,
                    dashed: false,
                    width: 3,
                    points: best_line,
                    spread: Spread::None,
                },
            ],
            bands: Vec::new(),
            empty_note: "No point was run".into(),
        }],
        legend_extra: Vec::new(),
        marks: Vec::new(),
    }
}
