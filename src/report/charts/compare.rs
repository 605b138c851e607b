//! Overlay charts of `surgesim compare`: one line per scenario on the same
//! axes. With replications, a scenario's line is its mean per time bin
//! over its replications, inside its 95 % confidence band (as a run's
//! charts with `-r`): replication 0 alone would show one draw of the noise
//! the table's intervals describe. The x axis is clock time when every scenario starts at the same
//! moment, else time since each scenario's own start. The events every
//! scenario shares (the same opening, the same fault at the same time) are
//! marked; those of some only are not, as they would be read as everyone's.

use super::axis::{ValueAxis, XAxis};
use super::figure::{color, dashed, Figure, Panel, Series, Spread, Swatch, DASHED_W, LINE_W};
use super::marks::{self, TimeLabel};
use super::run::{drop_panels, share_of_ended, BinTimes, ANY_COLOUR};
use super::scale::{
    floored_note, per_minute_axis, percent_axis, percent_top, value_axis, waits_span_decades, WAIT_FLOOR_MIN,
};
use crate::scenario::Scenario;
use crate::stats::{Estimate, RunFigures};

/// One scenario and what its runs measured: one run, or its replications
/// (bins lined up by index).
pub type Run<'a> = (&'a Scenario, &'a [RunFigures]);

/// The common clock of the runs, if they all start at the same moment.
fn common_start(runs: &[Run]) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let (first, _) = runs.first()?;
    runs.iter().all(|(s, _)| s.start == first.start).then_some(first.start)
}

fn x_axis(runs: &[Run]) -> XAxis {
    let span = runs.iter().map(|(s, _)| s.duration.as_secs_f64()).fold(0.0, f64::max);
    match common_start(runs) {
        Some(start) => XAxis::clock(start, span),
        None => XAxis::elapsed(span),
    }
}

/// The marks of the events all the scenarios share.
fn shared_marks(runs: &[Run]) -> Vec<super::figure::Mark> {
    let lists: Vec<_> = runs.iter().map(|(s, _)| marks::of(s)).collect();
    let time = common_start(runs).map_or(TimeLabel::Elapsed, TimeLabel::Clock);
    marks::marks(&marks::common(&lists), time)
}

/// Legend labels: scenario titles, with the name added where two titles are the same.
pub fn labels(runs: &[Run]) -> Vec<String> {
    runs.iter()
        .map(|(s, _)| {
            let twins = runs.iter().filter(|(o, _)| o.title == s.title).count();
            if twins > 1 {
                format!("{} ({})", s.title, s.name)
            } else {
                s.title.clone()
            }
        })
        .collect()
}

/// One line per scenario: `value` gives a run's (x, y) in bin i; the line
/// is the mean y per bin over the scenario's runs where it is defined, with
/// its 95 % band when there are several runs.
fn lines(runs: &[Run], value: impl Fn(&Scenario, &RunFigures, usize) -> (f64, f64)) -> Vec<Series> {
    runs.iter()
        .zip(labels(runs))
        .enumerate()
        .map(|(k, ((s, reps), label))| {
            let bins = reps.first().map_or(0, |r| r.bins.len());
            let per_bin: Vec<(f64, Option<Estimate>)> = (0..bins)
                .map(|i| {
                    // Every replication has the same bins: the first places them.
                    let x = value(s, &reps[0], i).0;
                    let ys: Vec<f64> = reps
                        .iter()
                        .filter(|r| i < r.bins.len())
                        .map(|r| value(s, r, i).1)
                        .filter(|y| y.is_finite())
                        .collect();
                    (x, Estimate::of(&ys))
                })
                .collect();
            let spread = if reps.len() > 1 {
                let end = |v: Option<f64>| v.unwrap_or(f64::NAN);
                Spread::Band(
                    per_bin.iter().map(|(_, e)| (end(e.and_then(|e| e.lo)), end(e.and_then(|e| e.hi)))).collect(),
                )
            } else {
                Spread::None
            };
            Series {
                label,
                color: color(k),
                dashed: dashed(k),
                width: if dashed(k) { DASHED_W + 1 } else { LINE_W },
                points: per_bin.iter().map(|(x, e)| (*x, e.map_or(f64::NAN, |e| e.mean))).collect(),
                spread,
            }
        })
        .collect()
}

/// Said first under the title when a scenario has several runs.
fn replicated_note(runs: &[Run]) -> Option<String> {
    let fewest = runs.iter().map(|(_, r)| r.len()).min()?;
    let most = runs.iter().map(|(_, r)| r.len()).max()?;
    (most > 1).then(|| {
        let n = if fewest == most { format!("{most}") } else { format!("{fewest} to {most}") };
        format!("Mean of each scenario's {n} replications per bin, shaded: its 95 % confidence band. ")
    })
}

fn figure(runs: &[Run], title: &str, subtitle: String, panels: Vec<Panel>) -> Figure {
    let mut legend_extra = Vec::new();
    let subtitle = match replicated_note(runs) {
        Some(note) => {
            legend_extra.push((
                Swatch::LineInBand(ANY_COLOUR),
                "Mean and its 95 % confidence band (in each scenario's colour)".to_string(),
            ));
            format!("{note}{subtitle}")
        }
        None => subtitle,
    };
    Figure {
        title: format!("{title}: {} scenarios compared", runs.len()),
        subtitle,
        x: x_axis(runs),
        panels,
        legend_extra,
        marks: shared_marks(runs),
    }
}

/// `compare-waits.png`: p90 wait per bin [min].
pub fn waits(runs: &[Run]) -> Figure {
    let mut series = lines(runs, |s, r, i| {
        let b = &r.bins[i];
        (BinTimes::of(s).mid(b), b.wait[1].map_or(f64::NAN, |w| w / 60.0))
    });
    let log = waits_span_decades(&series);
    let (y, floored) = value_axis(&mut series, log, WAIT_FLOOR_MIN);
    let mut subtitle = "p90 of the wait of the attempts admitted in each bin".to_string();
    if floored {
        subtitle.push_str(&format!("; waits under {} min are drawn on the bottom line", y.label(y.bottom())));
    }
    let y_desc = if y.is_log() { "p90 wait [min], log scale" } else { "p90 wait [min]" };
    let empty_note = "No attempt was admitted from a waiting room".to_string();
    figure(
        runs,
        "p90 wait in the queue",
        subtitle,
        vec![Panel { y_desc: y_desc.into(), y, series, bands: Vec::new(), empty_note }],
    )
}

/// `compare-bookings.png`: booked share of all eligible people [%].
pub fn bookings(runs: &[Run]) -> Figure {
    let series: Vec<Series> = lines(runs, |s, r, i| {
        let b = &r.bins[i];
        let eligible = s.cohorts.iter().filter(|c| c.eligible);
        let people: u64 = eligible.clone().map(|c| c.people).sum();
        let booked: u64 = s
            .cohorts
            .iter()
            .enumerate()
            .filter(|(_, c)| c.eligible)
            .map(|(k, _)| b.booked_so_far.get(k).copied().unwrap_or(0))
            .sum();
        let share = if people == 0 { f64::NAN } else { 100.0 * booked as f64 / people as f64 };
        (BinTimes::of(s).end(b), share)
    })
    .into_iter()
    .map(|mut s| {
        // Everyone starts at zero booked.
        if s.points.first().is_some_and(|p| p.1.is_finite()) {
            s.points.insert(0, (0.0, 0.0));
            if let Spread::Band(ends) = &mut s.spread {
                ends.insert(0, (0.0, 0.0));
            }
        }
        s
    })
    .collect();
    figure(
        runs,
        "Bookings",
        "Booked people as a share of all eligible people, cumulative".into(),
        vec![Panel {
            y_desc: "Booked share of eligible people [%]".into(),
            y: ValueAxis::fixed(0.0, 100.0, 10.0),
            series,
            bands: Vec::new(),
            empty_note: "No eligible people in these scenarios".into(),
        }],
    )
}

/// `compare-drops.png`: attempts dropped (all causes) per minute (top), and
/// as a share of the attempts that ended in the bin (bottom).
pub fn drops(runs: &[Run]) -> Figure {
    let mut counts = lines(runs, |s, r, i| {
        let (t, b) = (BinTimes::of(s), &r.bins[i]);
        (t.mid(b), b.counts.dropped_total() as f64 / t.minutes(b))
    });
    let (count_y, count_desc, floored) = per_minute_axis(&mut counts, "Dropped per minute");
    let shares = lines(runs, |s, r, i| {
        let b = &r.bins[i];
        (BinTimes::of(s).mid(b), share_of_ended(b, b.counts.dropped_total()).unwrap_or(f64::NAN))
    });
    let share_y = percent_axis(percent_top(&shares));
    let mut subtitle = "Attempts dropped by the system (all causes): per minute (top) and as a share of the attempts \
                        that ended in the bin, booked, dropped, abandoned or turned away (bottom)"
        .to_string();
    if floored {
        subtitle.push_str(&floored_note(&count_y));
    }
    figure(runs, "Drops", subtitle, drop_panels((count_desc, count_y, counts), (share_y, shares)))
}
