//! The charts of one run, one function per figure. Each reads the bins of
//! `stats::Results` and says what to draw; `figure::draw` draws it.
//!
//! Where a bin's value is plotted: rates and percentiles of a bin at the
//! bin's middle, cumulative counts (bookings) at the bin's end, so a line
//! never claims a value before the time it describes.

use super::axis::{TimeAxis, ValueAxis};
use super::figure::{color, Band, Figure, Panel, Series, Swatch};
use crate::engine::SimTime;
use crate::report::markdown::count;
use crate::scenario::{Scenario, Window};
use crate::stats::{Bin, DropCause, Results};
use plotters::style::RGBColor;

/// p50 / p90 / p99 colours: light to dark, so the order reads at a glance.
const QUANTILE_COLORS: [RGBColor; 3] =
    [RGBColor(0x6B, 0xAE, 0xD6), RGBColor(0xF2, 0x8E, 0x2B), RGBColor(0xC0, 0x39, 0x2B)];
const BLACK_ISH: RGBColor = RGBColor(0x33, 0x33, 0x33);

/// Bin geometry on the run's clock [s since start].
pub(super) struct BinTimes {
    bin: f64,
    duration: f64,
}

impl BinTimes {
    pub(super) fn of(s: &Scenario) -> BinTimes {
        BinTimes { bin: s.bin.as_secs_f64(), duration: s.duration.as_secs_f64() }
    }
    fn start(&self, b: &Bin) -> f64 {
        b.start.as_secs_f64()
    }
    /// The last bin may stretch past the run's end; it is cut there.
    pub(super) fn end(&self, b: &Bin) -> f64 {
        (self.start(b) + self.bin).min(self.duration)
    }
    pub(super) fn mid(&self, b: &Bin) -> f64 {
        (self.start(b) + self.end(b)) / 2.0
    }
    /// Length of the bin in minutes, as cut by the run's end.
    fn minutes(&self, b: &Bin) -> f64 {
        ((self.end(b) - self.start(b)) / 60.0).max(1e-9)
    }
}

/// The x axis of a run: its clock.
fn clock(s: &Scenario) -> TimeAxis {
    TimeAxis::clock(s.start, s.duration.as_secs_f64())
}

fn nan_if_none(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

/// Largest finite value of the series.
pub(super) fn max_of(series: &[Series]) -> f64 {
    series.iter().flat_map(|s| &s.points).map(|p| p.1).filter(|v| v.is_finite()).fold(0.0, f64::max)
}

/// The smallest wait a log axis resolves [min]: 0.01 min is 0.6 s, far
/// below anything a person in a queue notices.
pub(super) const WAIT_FLOOR_MIN: f64 = 0.01;

/// Positive finite values of a line, at or above `floor`.
fn positives(s: &Series, floor: f64) -> impl Iterator<Item = f64> + '_ {
    s.points.iter().map(|p| p.1).filter(move |v| v.is_finite() && *v > 0.0 && *v >= floor)
}

/// Waits call for a log axis when some line spans more than a factor 100
/// (largest over smallest positive value, sub-second waits ignored): a p99
/// going from seconds to hours is flat on a linear axis. The spread is taken
/// per line, so a median near zero under a p99 of a minute is no reason.
pub(super) fn waits_span_decades(series: &[Series]) -> bool {
    series.iter().any(|s| {
        let (lo, hi) = positives(s, WAIT_FLOOR_MIN).fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        hi > 0.0 && hi / lo > 100.0
    })
}

/// A rate calls for a log axis when its peak is over 30 times its typical
/// (median positive) level: an opening burst would otherwise flatten the
/// rest of the night to a line on zero.
fn rate_is_peaky(series: &[Series]) -> bool {
    series.iter().any(|s| {
        let mut v: Vec<f64> = positives(s, 0.0).collect();
        if v.is_empty() {
            return false;
        }
        v.sort_by(f64::total_cmp);
        let median = v[v.len() / 2];
        v[v.len() - 1] / median > 30.0
    })
}

/// A y axis from 0 (linear), or, when `log`, over the decades from the
/// smallest value at or above `floor` to the largest. On a log axis, values
/// below its bottom (zeros included) are drawn on the bottom line; the
/// returned flag says whether any was.
pub(super) fn value_axis(series: &mut [Series], log: bool, floor: f64) -> (ValueAxis, bool) {
    let max = max_of(series);
    let min = series.iter().flat_map(|s| positives(s, floor)).fold(f64::INFINITY, f64::min);
    if !log || max <= 0.0 || !min.is_finite() {
        return (ValueAxis::linear(max, 1.0), false);
    }
    let axis = ValueAxis::log(min, max);
    let bottom = axis.bottom();
    let mut floored = false;
    for p in series.iter_mut().flat_map(|s| s.points.iter_mut()) {
        if p.1.is_finite() && p.1 < bottom {
            p.1 = bottom;
            floored = true;
        }
    }
    (axis, floored)
}

/// `waits.png`: wait p50/p90/p99 per bin, in minutes.
pub fn waits(s: &Scenario, r: &Results) -> Figure {
    let t = BinTimes::of(s);
    let mut series: Vec<Series> = ["p50 (median)", "p90", "p99"]
        .iter()
        .enumerate()
        .map(|(k, label)| Series {
            label: label.to_string(),
            color: QUANTILE_COLORS[k],
            dashed: false,
            points: r.bins.iter().map(|b| (t.mid(b), nan_if_none(b.wait[k]) / 60.0)).collect(),
        })
        .collect();
    let log = waits_span_decades(&series);
    let (y, floored) = value_axis(&mut series, log, WAIT_FLOOR_MIN);
    let y_desc = if y.is_log() { "Wait [min], log scale" } else { "Wait [min]" };
    let mut subtitle =
        format!("Wait from joining the waiting room to admission, of the attempts admitted in each {} bin", s.bin);
    if floored {
        subtitle.push_str(&format!("; waits under {} min are drawn on the bottom line", y.label(y.bottom())));
    }
    let empty_note = if s.waiting_room.is_none() {
        "No waiting room in this scenario: nobody waits"
    } else {
        "No attempt was admitted from the waiting room"
    };
    Figure {
        title: format!("Waits in the queue: {}", s.title),
        subtitle,
        x: clock(s),
        panels: vec![Panel { y_desc: y_desc.into(), y, series, bands: Vec::new(), empty_note: empty_note.into() }],
        legend_extra: Vec::new(),
    }
}

/// `queue.png`: people queued (top) and booking sessions against their
/// capacity (bottom), time averages per bin.
pub fn queue(s: &Scenario, r: &Results) -> Figure {
    let t = BinTimes::of(s);
    let queued = Series {
        label: "Queue length (time average)".into(),
        color: color(0),
        dashed: false,
        points: r.bins.iter().map(|b| (t.mid(b), b.queue_len_mean)).collect(),
    };
    let active = Series {
        label: "Active booking sessions (time average)".into(),
        color: color(3),
        dashed: false,
        points: r.bins.iter().map(|b| (t.mid(b), b.active_mean)).collect(),
    };
    // Capacity is a level over the whole bin: drawn from bin start to end.
    let capacity = Series {
        label: "Session capacity".into(),
        color: RGBColor(0xC0, 0x39, 0x2B),
        dashed: true,
        points: r
            .bins
            .iter()
            .flat_map(|b| {
                let c = b.end.session_capacity as f64;
                [(b.start.as_secs_f64(), c), (t.end(b), c)]
            })
            .collect(),
    };
    let q_max = max_of(std::slice::from_ref(&queued));
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
    let s_max = max_of(&sessions);
    let subtitle = match &s.waiting_room {
        None => format!("No waiting room in this scenario: nobody queues. Averages over each {} bin", s.bin),
        Some(w) => {
            let rate =
                w.admit_per_minute.map_or(String::new(), |r| format!(", at most {} a minute", count(r.round() as u64)));
            format!(
                "Averages over each {} bin; the waiting room admits while fewer than {} sessions are active{rate}",
                s.bin,
                count(w.max_active)
            )
        }
    };
    Figure {
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
    }
}

/// A percentage axis: 0-100 when the values come near 100, from 0 to the
/// largest value otherwise. A bin's drops and abandons are counted when they
/// happen, but its attempts when they start: an abandon after hours in the
/// queue lands in a bin with few new attempts, so the ratio can pass 100
/// (the flag says so, and the axis then grows to show it rather than cut it).
pub(super) fn percent_axis(max: f64) -> (ValueAxis, bool) {
    if max > 100.0 {
        (ValueAxis::linear(max, 100.0), true)
    } else if max > 50.0 {
        (ValueAxis::fixed(0.0, 100.0, 10.0), false)
    } else {
        (ValueAxis::linear(max, 1.0), false)
    }
}

/// Said under a percentage chart whose values pass 100.
pub(super) const OVER_100: &str =
    "; events count when they happen, attempts when they start, so after a surge this can pass 100";

/// How a drop cause reads in a legend ("queue_full" -> "queue full").
pub(super) fn cause_label(c: DropCause) -> String {
    c.name().replace('_', " ")
}

/// `drops.png`: share of the bin's attempts dropped, by cause, and the share
/// abandoned, in percent. Causes that never happened are left out of the
/// legend; a run without any drop shows the total at zero instead.
pub fn drops(s: &Scenario, r: &Results) -> Figure {
    let t = BinTimes::of(s);
    let rate = |b: &Bin, n: u64| {
        let a = b.counts.attempts();
        if a == 0 {
            f64::NAN
        } else {
            100.0 * n as f64 / a as f64
        }
    };
    let totals = r.totals();
    let mut series: Vec<Series> = DropCause::ALL
        .iter()
        .enumerate()
        .filter(|(_, c)| totals.dropped[**c as usize] > 0)
        .map(|(i, &c)| Series {
            label: format!("Dropped: {}", cause_label(c)),
            // Each cause keeps its colour from run to run: its place in `ALL`.
            color: color(i),
            dashed: false,
            points: r.bins.iter().map(|b| (t.mid(b), rate(b, b.counts.dropped[c as usize]))).collect(),
        })
        .collect();
    if series.is_empty() {
        series.push(Series {
            label: "Dropped (no drops in this run)".into(),
            color: color(2),
            dashed: false,
            points: r.bins.iter().map(|b| (t.mid(b), rate(b, b.counts.dropped_total()))).collect(),
        });
    }
    series.push(Series {
        label: "Abandoned (patience ran out)".into(),
        color: BLACK_ISH,
        dashed: false,
        points: r.bins.iter().map(|b| (t.mid(b), rate(b, b.counts.abandoned))).collect(),
    });
    let (y, over) = percent_axis(max_of(&series));
    let mut subtitle = format!("Drops by cause and abandons per 100 attempts made in each {} bin", s.bin);
    if over {
        subtitle.push_str(OVER_100);
    }
    Figure {
        title: format!("Drops and abandons: {}", s.title),
        subtitle,
        x: clock(s),
        panels: vec![Panel {
            y_desc: "Per 100 attempts in the bin [%]".into(),
            y,
            series,
            bands: Vec::new(),
            empty_note: "No attempt was made".into(),
        }],
        legend_extra: Vec::new(),
    }
}

/// `bookings.png`: booked share of each eligible cohort over time, with
/// the cohort's booking windows shaded in its colour.
pub fn bookings(s: &Scenario, r: &Results) -> Figure {
    let t = BinTimes::of(s);
    let mut series = Vec::new();
    let mut bands = Vec::new();
    for (k, (i, c)) in s.cohorts.iter().enumerate().filter(|(_, c)| c.eligible && c.people > 0).enumerate() {
        let col = color(k);
        let mut points = vec![(0.0, 0.0)];
        points.extend(r.bins.iter().map(|b| {
            let booked = b.booked_so_far.get(i).copied().unwrap_or(0);
            (t.end(b), 100.0 * booked as f64 / c.people as f64)
        }));
        series.push(Series { label: c.name.clone(), color: col, dashed: false, points });
        // A window over the whole run would shade everything and say nothing.
        let whole_run = |w: &Window| w.opens == SimTime::ZERO && w.closes >= s.duration;
        bands.extend(c.windows.iter().filter(|w| !whole_run(w)).map(|w| Band {
            from: w.opens.as_secs_f64(),
            to: w.closes.as_secs_f64(),
            color: col,
        }));
    }
    let legend_extra = if bands.is_empty() {
        Vec::new()
    } else {
        vec![(Swatch::Shade(RGBColor(0x88, 0x88, 0x88)), "Booking windows (shaded in the cohort's colour)".to_string())]
    };
    Figure {
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
    }
}

/// `arrivals.png`: first attempts and retries per minute.
pub fn arrivals(s: &Scenario, r: &Results) -> Figure {
    let t = BinTimes::of(s);
    let per_min = |b: &Bin, n: u64| n as f64 / t.minutes(b);
    let mut series = vec![
        Series {
            label: "First attempts".into(),
            color: color(0),
            dashed: false,
            points: r.bins.iter().map(|b| (t.mid(b), per_min(b, b.counts.arrivals))).collect(),
        },
        Series {
            label: "Retries".into(),
            color: color(1),
            dashed: false,
            points: r.bins.iter().map(|b| (t.mid(b), per_min(b, b.counts.retries))).collect(),
        },
    ];
    let log = rate_is_peaky(&series);
    // At most five decades under the peak: rarer than that is "none".
    let floor = max_of(&series) * 1e-4;
    let (y, floored) = value_axis(&mut series, log, floor);
    let mut subtitle = format!("Attempts per minute, averaged over each {} bin", s.bin);
    if floored {
        subtitle.push_str(&format!(
            "; rates under {} per minute, zero included, are drawn on the bottom line",
            y.label(y.bottom())
        ));
    }
    let y_desc = if y.is_log() { "Attempts per minute, log scale" } else { "Attempts per minute" };
    Figure {
        title: format!("Attempts: {}", s.title),
        subtitle,
        x: clock(s),
        panels: vec![Panel { y_desc: y_desc.into(), y, series, bands: Vec::new(), empty_note: String::new() }],
        legend_extra: Vec::new(),
    }
}
