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
use super::figure::{color, dashed, okabe_ito, Band, Figure, Panel, Series, Spread, Swatch, DASHED_W, LINE_W};
use super::marks;
use crate::engine::SimTime;
use crate::report::format::count;
use crate::scenario::{Scenario, Window};
use crate::stats::{Bin, DropCause, Estimate, Headline, RefusalCause, RunFigures};
use plotters::style::RGBColor;

/// p50 / p90 / p99: label, colour (light blue, blue, then vermillion for
/// the tail) and width where they coincide. The widths narrow from p99 to
/// p50, each drawn over the wider, so where the three are one wait (a FIFO
/// queue) the line shows all three colours, nested, instead of one line
/// against three entries. Apart, they are drawn alike.
const QUANTILES: [(&str, RGBColor, u32); 3] =
    [("p50 (median)", okabe_ito::SKY_BLUE, 2), ("p90", okabe_ito::BLUE, 4), ("p99", okabe_ito::VERMILLION, 7)];
/// Totals and references (slots in use, abandons).
const TOTAL: RGBColor = okabe_ito::BLACK;
/// Capacity lines: a dashed vermillion level.
const CAPACITY: RGBColor = okabe_ito::VERMILLION;
/// Neutral grey of legend entries that stand for every line's colour.
pub(super) const ANY_COLOUR: RGBColor = RGBColor(0x66, 0x66, 0x66);

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
    pub(super) fn minutes(&self, b: &Bin) -> f64 {
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
    Series { label: label.to_string(), color, dashed: false, width: LINE_W, points, spread }
}

/// A capacity set per bin, as a dashed level over each whole bin (from its
/// start to its end); the mean over the runs, which share the schedule.
fn capacity_line(runs: &[RunFigures], t: &BinTimes, label: &str, value: impl Fn(&Bin) -> f64) -> Series {
    let stats = per_bin(runs, |b| Some(value(b)));
    let points = bins(runs).iter().zip(&stats).flat_map(|(b, m)| [(b.start.as_secs_f64(), m.0), (t.end(b), m.0)]);
    Series {
        label: label.to_string(),
        color: CAPACITY,
        dashed: true,
        width: DASHED_W,
        points: points.collect(),
        spread: Spread::None,
    }
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
                Swatch::LineInBand(ANY_COLOUR),
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

/// The smallest wait a log axis resolves [min]: 0.1 min is 6 s, below
/// anything a person in a queue minds. Shorter waits (a queue that clears
/// as fast as people join) sit on the bottom line, not as a band of noise
/// over the decades under it.
pub(super) const WAIT_FLOOR_MIN: f64 = 0.1;

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
    let floored = floor_to(series, &axis);
    (axis, floored)
}

/// On a log axis, put the values below its bottom (zeros included) on the
/// bottom line; whether any was.
pub(super) fn floor_to(series: &mut [Series], axis: &ValueAxis) -> bool {
    if !axis.is_log() {
        return false;
    }
    let bottom = axis.bottom();
    let mut floored = false;
    for p in series.iter_mut().flat_map(|s| s.points.iter_mut()) {
        if p.1.is_finite() && p.1 < bottom {
            p.1 = bottom;
            floored = true;
        }
    }
    floored
}

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
    let log = waits_span_decades(&series);
    let (y, floored) = value_axis(&mut series, log, WAIT_FLOOR_MIN);
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

/// A percentage axis: 0-100 when the values come near 100, from 0 to the
/// largest value otherwise (never past 100).
pub(super) fn percent_axis(max: f64) -> ValueAxis {
    if max > 50.0 {
        ValueAxis::fixed(0.0, 100.0, 10.0)
    } else {
        ValueAxis::linear(max, 1.0)
    }
}

/// The top a percentage axis should reach: as `top_of`, but a band or bar
/// takes it to 100 at most. The band of a bin with a handful of attempts
/// can pass 100 where no mean does; it is cut at the top instead.
pub(super) fn percent_top(series: &[Series]) -> f64 {
    max_of(series).max(top_of(series).min(100.0))
}

/// How a drop cause reads in a legend ("queue_full" -> "queue full").
pub(super) fn cause_label(c: DropCause) -> String {
    c.name().replace('_', " ")
}

/// Attempts that ended in bin `b`: booked, dropped, refused by design,
/// abandoned or turned away. A share of these is a share of real outcomes,
/// at most 100 %, however many attempts started in the bin.
pub(super) fn ended(b: &Bin) -> u64 {
    let c = &b.counts;
    // Turned away covers the ineligible refusals (and the clock bug's);
    // the other refusals are the device lock's and the sold out's.
    let refused = c.refused(RefusalCause::SoldOut) + c.refused(RefusalCause::DeviceLocked);
    c.booked + c.dropped_total() + refused + c.abandoned + c.turned_away
}

/// The refusals by design a drops chart does not draw (the device lock's
/// and the sold out's: the ineligible are among the turned away), said in
/// its subtitle so that nobody looks for them among the drops; empty if
/// there were none.
fn refusals_note(runs: &[RunFigures]) -> String {
    let mean = |c: RefusalCause| {
        let n: f64 = runs.iter().filter_map(|r| *r.headline.get(Headline::Refusal(c))).sum();
        n / runs.len().max(1) as f64
    };
    let parts: Vec<String> =
        [(RefusalCause::DeviceLocked, "by the device lock"), (RefusalCause::SoldOut, "as sold out")]
            .into_iter()
            .map(|(c, how)| (mean(c), how))
            .filter(|(n, _)| *n > 0.0)
            .map(|(n, how)| format!("{} {how}", count(n.round() as u64)))
            .collect();
    if parts.is_empty() {
        return String::new();
    }
    let means = if runs.len() > 1 { ", means" } else { "" };
    format!(". Refused by design, not drops and not drawn{means}: {}", parts.join(", "))
}

/// `100 n / ended(b)`, undefined when nothing ended in the bin.
pub(super) fn share_of_ended(b: &Bin, n: u64) -> Option<f64> {
    let e = ended(b);
    (e > 0).then(|| 100.0 * n as f64 / e as f64)
}

/// Colours of the drop causes, in the order they appear; vermillion is
/// kept for all causes together, black for abandons.
const CAUSE_COLORS: [RGBColor; 6] = [
    okabe_ito::BLUE,
    okabe_ito::ORANGE,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::REDDISH_PURPLE,
    okabe_ito::SKY_BLUE,
    okabe_ito::YELLOW,
];
pub(super) const ALL_DROPS: RGBColor = okabe_ito::VERMILLION;
/// The abandons' line, which says so when nobody abandoned (no patience
/// set, or no queue): it then lies on zero, and is not mistaken for a line
/// hidden under the others.
fn abandoned_label(runs: &[RunFigures]) -> &'static str {
    let any = runs.iter().any(|r| r.headline.get(Headline::Abandoned).is_some_and(|n| n > 0.0));
    match (any, runs.len() > 1) {
        (true, _) => "Abandoned (patience ran out)",
        (false, false) => "Abandoned (nobody in this run)",
        (false, true) => "Abandoned (nobody in any replication)",
    }
}

/// Whether the lines' peaks lie more than a factor 100 apart: on a linear
/// axis the smaller would lie flat on zero under the larger.
fn peaks_span_decades(series: &[Series]) -> bool {
    let peaks = series.iter().map(|s| positives(s, 0.0).fold(0.0, f64::max)).filter(|p| *p > 0.0);
    let (lo, hi) = peaks.fold((f64::INFINITY, 0.0f64), |(lo, hi), p| (lo.min(p), hi.max(p)));
    hi > 100.0 * lo
}

/// Rates per minute on a log axis when one is peaky or their peaks lie
/// decades apart, the values under its bottom on the bottom line:
/// (axis, y description, whether any was).
pub(super) fn per_minute_axis(series: &mut [Series], desc: &str) -> (ValueAxis, String, bool) {
    let log = rate_is_peaky(series) || peaks_span_decades(series);
    // At most five decades under the peak, as on `arrivals.png`.
    let floor = max_of(series) * 1e-4;
    let (y, floored) = value_axis(series, log, floor);
    let desc = if y.is_log() { format!("{desc}, log scale") } else { desc.to_string() };
    (y, desc, floored)
}

/// `drops.png`: attempts dropped, by cause, and abandoned, per minute (top),
/// and as a share of the attempts that ended in the bin (bottom). Causes
/// that never happened are left out; a run without any drop says so.
pub fn drops(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let per_min = |b: &Bin, n: u64| Some(n as f64 / t.minutes(b));
    let happened = |c: DropCause| runs.iter().any(|r| r.headline.get(Headline::Drop(c)).is_some_and(|n| n > 0.0));
    // Failures only: refusals by design are noted in the subtitle.
    let mut counts: Vec<Series> = DropCause::FAILURES
        .iter()
        .filter(|c| happened(**c))
        .enumerate()
        .map(|(k, &c)| {
            let label = format!("Dropped: {}", cause_label(c));
            let l = line(
                runs,
                &label,
                CAUSE_COLORS[k % CAUSE_COLORS.len()],
                |b| t.mid(b),
                |b| per_min(b, b.counts.dropped[c as usize]),
            );
            Series { dashed: k >= CAUSE_COLORS.len(), ..l }
        })
        .collect();
    let no_drops = counts.is_empty();
    let abandoned = abandoned_label(runs);
    counts.push(line(runs, abandoned, TOTAL, |b| t.mid(b), |b| per_min(b, b.counts.abandoned)));
    let (count_y, count_desc, floored) = per_minute_axis(&mut counts, "Per minute");

    let dropped_label = match (no_drops, runs.len() > 1) {
        (false, _) => "Dropped (any cause)",
        (true, false) => "Dropped (no drops in this run)",
        (true, true) => "Dropped (no drops in any replication)",
    };
    let shares = vec![
        line(runs, dropped_label, ALL_DROPS, |b| t.mid(b), |b| share_of_ended(b, b.counts.dropped_total())),
        line(runs, abandoned, TOTAL, |b| t.mid(b), |b| share_of_ended(b, b.counts.abandoned)),
    ];
    let share_y = percent_axis(percent_top(&shares));
    let mut subtitle = format!(
        "Top: attempts dropped (by cause) and abandoned per minute, per {} bin; bottom: their share of the attempts \
         that ended in the bin (booked, dropped, abandoned or turned away)",
        s.bin
    );
    if floored {
        subtitle.push_str(&floored_note(&count_y));
    }
    subtitle.push_str(&refusals_note(runs));
    let fig = Figure {
        title: format!("Drops and abandons: {}", s.title),
        subtitle,
        x: clock(s),
        panels: drop_panels((count_desc, count_y, counts), (share_y, shares)),
        legend_extra: Vec::new(),
        marks: marks::of_run(s),
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

/// `identity.png`, for a scenario with an identity check: checks in
/// progress against the check's capacity (top; both read at each bin's
/// end: when they meet, checks wait, then time out) and the checks asked
/// for and timed out per minute (bottom).
pub fn identity(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let t = BinTimes::of(s);
    let per_min = |b: &Bin, n: u64| Some(n as f64 / t.minutes(b));
    let mut slots = vec![
        line(runs, "Checks in progress", okabe_ito::BLUE, |b| t.end(b), |b| Some(b.end.identity_busy as f64)),
        capacity_line(runs, &t, "Capacity (concurrent checks)", |b| b.end.identity_capacity as f64),
    ];
    let (slots_y, _) = value_axis(&mut slots, false, 0.0);
    let mut checks = vec![
        line(runs, "Checks asked for", okabe_ito::BLUISH_GREEN, |b| t.mid(b), |b| per_min(b, b.counts.identity_checks)),
        line(
            runs,
            "Checks timed out",
            okabe_ito::ORANGE,
            |b| t.mid(b),
            |b| per_min(b, b.counts.dropped[DropCause::IdentityTimeout as usize]),
        ),
    ];
    let (checks_y, checks_desc, _) = per_minute_axis(&mut checks, "Checks per minute");
    let mut subtitle = format!("Identity check slots (top) and checks (bottom), per {} bin", s.bin);
    if let Some(i) = &s.identity {
        let at = match i.placement {
            crate::scenario::Placement::BeforeQueue => "before the waiting room",
            crate::scenario::Placement::AtBooking => "at the start of the booking session",
        };
        subtitle.push_str(&format!("; checked {at}; a check not done within {} times out", i.timeout));
    }
    let fig = Figure {
        title: format!("Identity check: {}", s.title),
        subtitle,
        x: clock(s),
        panels: vec![
            Panel {
                y_desc: "Concurrent checks".into(),
                y: slots_y,
                series: slots,
                bands: Vec::new(),
                empty_note: "No identity check in this scenario".into(),
            },
            Panel {
                y_desc: checks_desc,
                y: checks_y,
                series: checks,
                bands: Vec::new(),
                empty_note: "No check was asked for".into(),
            },
        ],
        legend_extra: Vec::new(),
        marks: marks::of_run(s),
    };
    with_replications(fig, runs)
}

/// The two panels of a drops chart: per minute (`count`: description,
/// axis, lines) on top, as a share of the attempts that ended below.
pub(super) fn drop_panels(count: (String, ValueAxis, Vec<Series>), share: (ValueAxis, Vec<Series>)) -> Vec<Panel> {
    let (y_desc, y, series) = count;
    vec![
        Panel { y_desc, y, series, bands: Vec::new(), empty_note: "No attempt was made".into() },
        Panel {
            y_desc: "Of attempts ended [%]".into(),
            y: share.0,
            series: share.1,
            bands: Vec::new(),
            empty_note: "No attempt ended".into(),
        },
    ]
}

/// What a per-minute axis with a floor says of the values below it.
pub(super) fn floored_note(count_y: &ValueAxis) -> String {
    format!("; under {} per minute, zero included, on the bottom line", count_y.label(count_y.bottom()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
