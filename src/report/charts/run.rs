//! The charts of a run, one function per figure. Each reads the bins of
//! `stats::RunFigures` and says what to draw; `figure::draw` draws it.
//!
//! A figure is drawn from one run or from the replications of one scenario
//! (`&[RunFigures]`, bins lined up by index). Per bin, each line is the mean
//! of the replications' values (those where the value is defined, as in the
//! replicated `timeseries.csv`), and with two or more a shaded 95 %
//! confidence band (`stats::Estimate`) surrounds it. One run draws exactly
//! the single-run chart: the mean of one value is that value, and no band.
//!
//! Where a bin's value is plotted: rates and percentiles of a bin at the
//! bin's middle, cumulative counts (bookings) and levels read at the bin's
//! end at the bin's end, so a line never claims a value before the time it
//! describes.

use super::axis::{ValueAxis, XAxis};
use super::figure::{color, Band, Figure, Panel, Series, Spread, Swatch};
use crate::engine::SimTime;
use crate::report::format::count;
use crate::scenario::{Scenario, Window};
use crate::stats::{Bin, DropCause, Estimate, Headline, RunFigures};
use plotters::style::RGBColor;

/// p50 / p90 / p99 colours: light to dark, so the order reads at a glance.
const QUANTILE_COLORS: [RGBColor; 3] =
    [RGBColor(0x6B, 0xAE, 0xD6), RGBColor(0xF2, 0x8E, 0x2B), RGBColor(0xC0, 0x39, 0x2B)];
const BLACK_ISH: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Capacity lines: a dashed red level.
const CAPACITY: RGBColor = RGBColor(0xC0, 0x39, 0x2B);

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
fn clock(s: &Scenario) -> XAxis {
    XAxis::clock(s.start, s.duration.as_secs_f64())
}

/// The bins of the runs (the same in every replication).
fn bins(runs: &[RunFigures]) -> &[Bin] {
    runs.first().map_or(&[], |r| &r.bins[..])
}

/// Per bin, `value` of every run where it is defined, combined into the
/// mean and its 95 % interval: (mean, low, high), NaN where undefined.
fn per_bin(runs: &[RunFigures], value: impl Fn(&Bin) -> Option<f64>) -> Vec<(f64, f64, f64)> {
    (0..bins(runs).len())
        .map(|i| {
            let values: Vec<f64> =
                runs.iter().filter_map(|r| value(r.bins.get(i)?)).filter(|v| v.is_finite()).collect();
            match Estimate::of(&values) {
                None => (f64::NAN, f64::NAN, f64::NAN),
                Some(c) => (c.mean, c.lo.unwrap_or(f64::NAN), c.hi.unwrap_or(f64::NAN)),
            }
        })
        .collect()
}

/// One line over the bins: per bin, the mean of `value` over the runs,
/// drawn at `at`, with its 95 % band when there are several runs.
fn line(
    runs: &[RunFigures],
    label: &str,
    color: RGBColor,
    at: impl Fn(&Bin) -> f64,
    value: impl Fn(&Bin) -> Option<f64>,
) -> Series {
    let stats = per_bin(runs, value);
    let points = bins(runs).iter().zip(&stats).map(|(b, m)| (at(b), m.0)).collect();
    let spread = if runs.len() > 1 { Spread::Band(stats.iter().map(|m| (m.1, m.2)).collect()) } else { Spread::None };
    Series { label: label.to_string(), color, dashed: false, points, spread }
}

/// A capacity set per bin, as a dashed level over each whole bin (from its
/// start to its end); the mean over the runs, which share the schedule.
fn capacity_line(runs: &[RunFigures], t: &BinTimes, label: &str, value: impl Fn(&Bin) -> f64) -> Series {
    let stats = per_bin(runs, |b| Some(value(b)));
    let points = bins(runs).iter().zip(&stats).flat_map(|(b, m)| [(b.start.as_secs_f64(), m.0), (t.end(b), m.0)]);
    Series { label: label.to_string(), color: CAPACITY, dashed: true, points: points.collect(), spread: Spread::None }
}

/// Said first under the title of a chart of several replications.
fn replicated_note(runs: &[RunFigures]) -> Option<String> {
    (runs.len() > 1).then(|| format!("Mean of {} replications, shaded: 95 % confidence band. ", runs.len()))
}

/// Mark `fig` as drawn from several replications: the subtitle says so
/// first, and the legend says what the shading is.
fn with_replications(mut fig: Figure, runs: &[RunFigures]) -> Figure {
    if let Some(note) = replicated_note(runs) {
        fig.subtitle = format!("{note}{}", fig.subtitle);
        let banded = fig.panels.iter().flat_map(|p| &p.series).any(|s| matches!(s.spread, Spread::Band(_)));
        if banded {
            fig.legend_extra.push((
                Swatch::LineInBand(RGBColor(0x66, 0x66, 0x66)),
                "Mean and its 95 % confidence band (in each line's colour)".into(),
            ));
        }
    }
    fig
}

/// Largest finite value of the series.
pub(super) fn max_of(series: &[Series]) -> f64 {
    series.iter().flat_map(|s| &s.points).map(|p| p.1).filter(|v| v.is_finite()).fold(0.0, f64::max)
}

/// The top an axis should reach: the largest value, or the top of a 95 %
/// band or bar above it, but a band no higher than half again the largest
/// value (a wild bin of few replications would flatten every line; its band
/// is cut at the panel's top instead).
pub(super) fn top_of(series: &[Series]) -> f64 {
    let max = max_of(series);
    let band = series.iter().flat_map(|s| s.spread.ends()).map(|e| e.1).filter(|v| v.is_finite()).fold(0.0, f64::max);
    max.max(band.min(1.5 * max))
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
    let max = top_of(series);
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
pub fn waits(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let mut series: Vec<Series> = ["p50 (median)", "p90", "p99"]
        .iter()
        .enumerate()
        .map(|(k, label)| line(runs, label, QUANTILE_COLORS[k], |b| t.mid(b), |b| b.wait[k].map(|w| w / 60.0)))
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
    let fig = Figure {
        title: format!("Waits in the queue: {}", s.title),
        subtitle,
        x: clock(s),
        panels: vec![Panel { y_desc: y_desc.into(), y, series, bands: Vec::new(), empty_note: empty_note.into() }],
        legend_extra: Vec::new(),
    };
    with_replications(fig, runs)
}

/// `queue.png`: people queued (top) and booking sessions against their
/// capacity (bottom), time averages per bin.
pub fn queue(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let queued = line(runs, "Queue length (time average)", color(0), |b| t.mid(b), |b| Some(b.queue_len_mean));
    let active = line(runs, "Active booking sessions (time average)", color(3), |b| t.mid(b), |b| Some(b.active_mean));
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
            let rate =
                w.admit_per_minute.map_or(String::new(), |r| format!(", at most {} a minute", count(r.round() as u64)));
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
    };
    with_replications(fig, runs)
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

/// The top a percentage axis should reach: as `top_of`, but a band or bar
/// takes it to 100 at most. The band of a bin with a handful of attempts
/// can pass 100 where no mean does; it is cut at the top instead.
pub(super) fn percent_top(series: &[Series]) -> f64 {
    max_of(series).max(top_of(series).min(100.0))
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
pub fn drops(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let rate = |b: &Bin, n: u64| {
        let a = b.counts.attempts();
        (a > 0).then(|| 100.0 * n as f64 / a as f64)
    };
    let happened = |c: DropCause| runs.iter().any(|r| r.headline.get(Headline::Drop(c)).is_some_and(|n| n > 0.0));
    let mut series: Vec<Series> = DropCause::ALL
        .iter()
        .enumerate()
        .filter(|(_, c)| happened(**c))
        .map(|(i, &c)| {
            let label = format!("Dropped: {}", cause_label(c));
            // Each cause keeps its colour from run to run: its place in `ALL`.
            line(runs, &label, color(i), |b| t.mid(b), |b| rate(b, b.counts.dropped[c as usize]))
        })
        .collect();
    if series.is_empty() {
        let label =
            if runs.len() > 1 { "Dropped (no drops in any replication)" } else { "Dropped (no drops in this run)" };
        series.push(line(runs, label, color(2), |b| t.mid(b), |b| rate(b, b.counts.dropped_total())));
    }
    series.push(line(runs, "Abandoned (patience ran out)", BLACK_ISH, |b| t.mid(b), |b| rate(b, b.counts.abandoned)));
    let (y, over) = percent_axis(percent_top(&series));
    let mut subtitle = format!("Drops by cause and abandons per 100 attempts made in each {} bin", s.bin);
    if over {
        subtitle.push_str(OVER_100);
    }
    let fig = Figure {
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
    };
    with_replications(fig, runs)
}

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
    let legend_extra = if bands.is_empty() {
        Vec::new()
    } else {
        vec![(Swatch::Shade(RGBColor(0x88, 0x88, 0x88)), "Booking windows (shaded in the cohort's colour)".to_string())]
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
    };
    with_replications(fig, runs)
}

/// `arrivals.png`: first attempts and retries per minute.
pub fn arrivals(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let per_min = |b: &Bin, n: u64| Some(n as f64 / t.minutes(b));
    let mut series = vec![
        line(runs, "First attempts", color(0), |b| t.mid(b), |b| per_min(b, b.counts.arrivals)),
        line(runs, "Retries", color(1), |b| t.mid(b), |b| per_min(b, b.counts.retries)),
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
    let fig = Figure {
        title: format!("Attempts: {}", s.title),
        subtitle,
        x: clock(s),
        panels: vec![Panel { y_desc: y_desc.into(), y, series, bands: Vec::new(), empty_note: String::new() }],
        legend_extra: Vec::new(),
    };
    with_replications(fig, runs)
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
    let mut slots = vec![
        line(
            runs,
            "Slots in use (page loads + polls)",
            BLACK_ISH,
            |b| t.mid(b),
            |b| Some(b.front_busy_mean + b.end.front_polls as f64),
        ),
        line(runs, "Busy with page loads", color(0), |b| t.mid(b), |b| Some(b.front_busy_mean)),
        line(runs, "Taken by status polls", color(4), |b| t.end(b), |b| Some(b.end.front_polls as f64)),
        capacity_line(runs, &t, "Capacity (request slots)", |b| b.end.front_capacity as f64),
    ];
    // Without a poll ever taking a slot, slots in use are the page loads':
    // the total and the polls would only hide under and beside them.
    if runs.iter().flat_map(|r| &r.bins).all(|b| b.end.front_polls == 0) {
        slots.remove(2);
        slots.remove(0);
    }
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
        line(runs, "Page loads sent", color(5), |b| t.mid(b), |b| per_min(b, b.counts.front_requests)),
        line(
            runs,
            "Page loads timed out",
            color(2),
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

    let mut subtitle = format!("Entry-page request slots (top) and page loads (bottom), per {} bin", s.bin);
    if let Some(f) = &s.front {
        subtitle.push_str(&format!("; a page load not served within {} times out", f.timeout));
        if f.wasted_work {
            subtitle.push_str(" but keeps its slot busy until served");
        }
    }
    if slots_y.is_log() || loads_y.is_log() {
        subtitle.push_str("; on a log scale zeros are left out");
        if slots_floored || loads_floored {
            subtitle.push_str(" and tiny values sit on the bottom line");
        }
    }
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
    };
    with_replications(fig, runs)
}
