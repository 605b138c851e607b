//! The two axes every chart uses, as plotters coordinates that choose their
//! own ticks: on x, time (clock or elapsed), a number (a swept key's values,
//! on a linear or log scale) or categories; on y, a linear or log value
//! scale.
//!
//! plotters' built-in `f64` ranges place ticks at round *numbers*, which on a
//! time axis in seconds land on 20:07:30 and the like; these place them on
//! round *clock times* (every 15 min, every 6 h, at midnight) and label them
//! as a reader of a briefing expects.
//!
//! `panel_chart` sets a panel on them, with the same margins in every
//! panel, so that a time falls on the same pixel column in each.

use anyhow::Result;
use chrono::{DateTime, Datelike, Duration, FixedOffset, Timelike};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::{Cartesian2d, ChartBuilder, ChartContext, DrawingArea, DrawingBackend};
use std::ops::Range;

/// Tick steps a time axis may use [s]; each divides a day (or is whole days)
/// so that ticks fall on the same clock times every day.
const TIME_STEPS: [u64; 22] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 172_800, 345_600,
    604_800, 1_209_600,
];

/// The x axis: on time charts, seconds since the run's start, shown as
/// clock time or as time elapsed since the start; on sweep charts, a key's
/// values (numbers, or categories at 0, 1, 2, ...).
#[derive(Clone, Debug)]
pub struct XAxis {
    /// The range shown.
    lo: f64,
    hi: f64,
    /// Tick positions and their labels.
    ticks: Vec<(f64, String)>,
    desc: String,
    /// Logarithmic (numbers > 0 only).
    log: bool,
}

impl XAxis {
    /// Clock time: ticks on round clock times of the scenario's own UTC
    /// offset; a tick on a new day carries the date ("20 Jul 00:00").
    pub fn clock(start: DateTime<FixedOffset>, span_secs: f64) -> XAxis {
        let span = span_secs.max(1.0);
        let end = start + Duration::milliseconds((span * 1e3) as i64);
        let multi_day = end.date_naive() != start.date_naive();
        // Labels with a date are about twice as wide as "HH:MM".
        let max_ticks = if multi_day { 9.0 } else { 13.0 };
        let step = choose_step(span, max_ticks);
        let start_of_day = start.num_seconds_from_midnight() as u64;
        let first = if step <= 86_400 {
            (step - start_of_day % step) % step
        } else {
            // Whole-day steps start at the first midnight.
            (86_400 - start_of_day) % 86_400
        };
        let with_seconds = step < 60;
        let mut ticks = Vec::new();
        let mut prev_day = None;
        let mut t = first;
        while t as f64 <= span + 1e-9 {
            let at = start + Duration::seconds(t as i64);
            let time = if with_seconds { at.format("%H:%M:%S") } else { at.format("%H:%M") };
            let day = at.date_naive();
            let label = if multi_day && prev_day != Some(day) {
                format!("{} {} {time}", at.day(), month(at.month()))
            } else {
                time.to_string()
            };
            prev_day = Some(day);
            ticks.push((t as f64, label));
            t += step;
        }
        let zone = format!("UTC{}", start.format("%:z"));
        let desc = if multi_day {
            format!("Clock time ({zone})")
        } else {
            format!("Clock time on {} ({zone})", start.format("%a %-d %b %Y"))
        };
        XAxis { lo: 0.0, hi: span, ticks, desc, log: false }
    }

    /// The same axis, its description saying what its times are of: a
    /// chart by when people first tried is not read at the time of events.
    pub fn of_what(mut self, what: &str) -> XAxis {
        let mut own = self.desc.chars();
        let rest: String = own.next().map(|c| c.to_lowercase().chain(own).collect()).unwrap_or_default();
        self.desc = format!("{what}, {rest}");
        self
    }

    /// Time since each run's start, labelled h:mm (for runs that start at
    /// different clock times, drawn on the same axes).
    pub fn elapsed(span_secs: f64) -> XAxis {
        let span = span_secs.max(1.0);
        let step = choose_step(span, 13.0);
        let ticks = (0..)
            .map(|i| i * step)
            .take_while(|&t| t as f64 <= span + 1e-9)
            .map(|t| {
                let label = if step < 60 {
                    format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
                } else {
                    format!("{}:{:02}", t / 3600, t / 60 % 60)
                };
                (t as f64, label)
            })
            .collect();
        XAxis { lo: 0.0, hi: span, ticks, desc: "Time since the scenario's start [h:mm]".into(), log: false }
    }

    /// A number line through `values` (x, label as the user wrote it), with
    /// a margin at both ends so no point sits on the frame. Ticks go on the
    /// values themselves, labelled as written, when there are few enough and
    /// they are far enough apart to read; else on round numbers.
    pub fn numeric(values: &[(f64, String)], desc: &str) -> XAxis {
        let finite = || values.iter().map(|v| v.0).filter(|x| x.is_finite());
        let (min, max) = finite().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        let (min, max) = if min.is_finite() { (min, max) } else { (0.0, 1.0) };
        // One value (or all equal): a window around it.
        let half = if max > min { (max - min) * 0.06 } else { min.abs().max(1.0) * 0.5 };
        let (lo, hi) = (min - half, max + half);
        let mut sorted: Vec<f64> = finite().collect();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        let min_gap = sorted.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min);
        let readable = sorted.len() <= 12 && min_gap >= (hi - lo) / 14.0;
        let ticks = if readable {
            let mut t: Vec<(f64, String)> =
                values.iter().filter(|v| v.0.is_finite()).map(|(x, l)| (*x, l.clone())).collect();
            t.sort_by(|a, b| a.0.total_cmp(&b.0));
            t.dedup_by(|a, b| a.0 == b.0);
            t
        } else {
            let step = nice_step((hi - lo) / 8.0);
            let (div, suffix) = compact_scale(lo.abs().max(hi.abs()));
            let decimals = decimals_for(step / div);
            let first = (lo / step).ceil() as i64;
            let last = (hi / step).floor() as i64;
            (first..=last).map(|i| i as f64 * step).map(|x| (x, format!("{:.decimals$}{suffix}", x / div))).collect()
        };
        XAxis { lo, hi, ticks, desc: desc.to_string(), log: false }
    }

    /// A log number line through `values` (all > 0): a geometric grid
    /// (5, 10, 20, 40) evenly spaced. Ticks on the values as written when
    /// they are few and far enough apart, else on 1, 2 and 5 times the powers
    /// of ten; the description says the scale is logarithmic.
    pub fn numeric_log(values: &[(f64, String)], desc: &str) -> XAxis {
        let logs: Vec<(f64, String)> =
            values.iter().filter(|v| v.0.is_finite() && v.0 > 0.0).map(|(x, l)| (x.log10(), l.clone())).collect();
        let mut on_log = XAxis::numeric(&logs, desc);
        // The linear layout of the logs is the log layout of the values:
        // only the ticks chosen on round logs need other places and labels.
        let readable = on_log.ticks.iter().all(|(t, l)| logs.iter().any(|(x, w)| x == t && w == l));
        if !readable {
            let (lo_exp, hi_exp) = (on_log.lo.floor() as i32, on_log.hi.ceil() as i32);
            on_log.ticks = (lo_exp..=hi_exp)
                .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
                .filter(|v| v.log10() >= on_log.lo && v.log10() <= on_log.hi)
                .map(|v| (v.log10(), compact(v)))
                .collect();
        }
        let ticks = on_log.ticks.into_iter().map(|(t, l)| (10f64.powf(t), l)).collect();
        XAxis {
            lo: 10f64.powf(on_log.lo),
            hi: 10f64.powf(on_log.hi),
            ticks,
            desc: format!("{desc}, log scale"),
            log: true,
        }
    }

    /// Where `v` sits along the axis, in units that are even on it: `v`
    /// itself, or its log on a log axis.
    pub fn to_even(&self, v: f64) -> f64 {
        if self.log {
            v.log10()
        } else {
            v
        }
    }

    /// The value at a place in even units (`to_even` undone).
    pub fn from_even(&self, u: f64) -> f64 {
        if self.log {
            10f64.powf(u)
        } else {
            u
        }
    }

    pub fn is_log(&self) -> bool {
        self.log
    }

    /// Categories at 0, 1, 2, ..., labelled in order.
    pub fn categories(labels: &[String], desc: &str) -> XAxis {
        let n = labels.len().max(1);
        // Long labels of many categories would run into each other.
        let max_chars = (110 / n).clamp(6, 40);
        let ticks = labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let label = if l.chars().count() > max_chars {
                    l.chars().take(max_chars - 1).collect::<String>() + "…"
                } else {
                    l.clone()
                };
                (i as f64, label)
            })
            .collect();
        XAxis { lo: -0.5, hi: n as f64 - 0.5, ticks, desc: desc.to_string(), log: false }
    }

    /// What the axis shows, with its unit.
    pub fn desc(&self) -> &str {
        &self.desc
    }

    /// The label of a tick (plotters asks for ticks this axis chose).
    pub fn label(&self, v: f64) -> String {
        self.ticks.iter().find(|(t, _)| (t - v).abs() < 1e-6).map(|(_, l)| l.clone()).unwrap_or_default()
    }

    /// The range shown: (left end, right end).
    pub fn ends(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }
}

/// The smallest step that keeps the number of ticks at most `max_ticks`.
fn choose_step(span: f64, max_ticks: f64) -> u64 {
    TIME_STEPS.iter().copied().find(|&s| span / s as f64 <= max_ticks).unwrap_or_else(|| {
        // Longer than ~4 months: whole weeks, as many as needed.
        let weeks = (span / 604_800.0 / max_ticks).ceil().max(1.0) as u64;
        weeks * 604_800
    })
}

fn month(m: u32) -> &'static str {
    const NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    NAMES.get(m.wrapping_sub(1) as usize).copied().unwrap_or("?")
}

impl Ranged for XAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let (v, lo, hi) = (self.to_even(*v), self.to_even(self.lo), self.to_even(self.hi));
        let frac = (v - lo) / (hi - lo);
        let frac = if frac.is_finite() { frac.clamp(-0.05, 1.05) } else { 0.0 };
        limit.0 + (frac * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Only the chosen ticks, and no light grid lines between them.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.iter().map(|(t, _)| *t).collect()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// The y axis: linear from a round lower bound (usually 0) to a round upper
/// bound, or logarithmic over whole decades.
#[derive(Clone, Debug)]
pub struct ValueAxis {
    lo: f64,
    hi: f64,
    log: bool,
    ticks: Vec<f64>,
    /// Divisor and suffix of the labels (1e6 and "M" for millions).
    scale: (f64, &'static str),
    decimals: usize,
}

impl ValueAxis {
    /// A linear axis from 0 up to at least `max` (and at least `min_top`).
    pub fn linear(max: f64, min_top: f64) -> ValueAxis {
        let top = if max.is_finite() && max > 0.0 { max * 1.05 } else { 0.0 }.max(min_top).max(1e-9);
        let step = nice_step(top / 6.0);
        let hi = (top / step - 1e-9).ceil() * step;
        let n = (hi / step).round() as usize;
        let ticks = (0..=n).map(|i| i as f64 * step).collect();
        let scale = compact_scale(hi);
        ValueAxis { lo: 0.0, hi, log: false, ticks, scale, decimals: decimals_for(step / scale.0) }
    }

    /// A fixed linear range with ticks every `step` (percent axes).
    pub fn fixed(lo: f64, hi: f64, step: f64) -> ValueAxis {
        let n = ((hi - lo) / step).floor() as usize;
        let ticks = (0..=n).map(|i| lo + i as f64 * step).collect();
        ValueAxis { lo, hi, log: false, ticks, scale: (1.0, ""), decimals: decimals_for(step) }
    }

    /// A log axis over the whole decades around [min, max] (both > 0).
    pub fn log(min: f64, max: f64) -> ValueAxis {
        let min = if min.is_finite() && min > 0.0 { min } else { 1.0 };
        let max = if max.is_finite() && max > min { max } else { min * 10.0 };
        let lo_exp = min.log10().floor() as i32;
        let hi_exp = (max.log10().ceil() as i32).max(lo_exp + 1);
        let decades = hi_exp - lo_exp;
        let mut ticks = Vec::new();
        for e in lo_exp..=hi_exp {
            let base = 10f64.powi(e);
            ticks.push(base);
            if decades <= 3 && e < hi_exp {
                ticks.push(2.0 * base);
                ticks.push(5.0 * base);
            }
        }
        let (lo, hi) = (10f64.powi(lo_exp), 10f64.powi(hi_exp));
        ValueAxis { lo, hi, log: true, ticks, scale: compact_scale(hi), decimals: 0 }
    }

    pub fn is_log(&self) -> bool {
        self.log
    }

    pub fn top(&self) -> f64 {
        self.hi
    }

    pub fn bottom(&self) -> f64 {
        self.lo
    }

    /// A tick label: compact (12k, 1.5M) and with as many decimals as the
    /// step needs.
    pub fn label(&self, v: f64) -> String {
        if v == 0.0 {
            return "0".into();
        }
        if self.log {
            return compact(v);
        }
        let (div, suffix) = self.scale;
        let x = v / div;
        let decimals = self.decimals;
        format!("{x:.decimals$}{suffix}")
    }
}

impl Ranged for ValueAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let frac = if self.log {
            let v = v.max(self.lo * 0.5);
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        // Clamped a little outside the area, so a stray value cannot send a
        // line to the far side of the picture.
        let frac = if frac.is_finite() { frac.clamp(-0.05, 1.05) } else { 0.0 };
        limit.0 + (frac * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = if raw.is_finite() && raw > 0.0 { raw } else { 1.0 };
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|s| *s >= raw * (1.0 - 1e-9)).unwrap_or(10.0 * p)
}

/// Decimals that show `x` (a step or a tick) without trailing noise.
fn decimals_for(x: f64) -> usize {
    (0..6)
        .find(|&d| {
            let scaled = x * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// A round number on its own (a log axis's tick): compact, with the
/// decimals it needs (0.05, 20, 50k, 2M).
fn compact(v: f64) -> String {
    let (div, suffix) = compact_scale(v.abs());
    let x = v / div;
    let decimals = decimals_for(x);
    format!("{x:.decimals$}{suffix}")
}

fn compact_scale(top: f64) -> (f64, &'static str) {
    if top >= 1e6 {
        (1e6, "M")
    } else if top >= 1e4 {
        (1e3, "k")
    } else {
        (1.0, "")
    }
}

/// The coordinates of one panel.
pub(super) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<XAxis, ValueAxis>>;

/// The chart of a panel on `area`: every panel has the same left and right
/// margins, so the same x pixels.
pub(super) fn panel_chart<'a, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: XAxis,
    y: ValueAxis,
    last: bool,
) -> Result<Chart<'a, DB>>
where
    DB::ErrorType: 'static,
{
    Ok(ChartBuilder::on(area)
        .margin_top(8)
        // Room for half a date label at the right end of the time axis.
        .margin_right(44)
        .x_label_area_size(if last { 56 } else { 30 })
        .y_label_area_size(86)
        .build_cartesian_2d(x, y)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).expect("test clock parses")
    }

    fn labels(a: &XAxis) -> Vec<&str> {
        a.ticks.iter().map(|(_, l)| l.as_str()).collect()
    }

    #[test]
    fn clock_ticks_fall_on_round_times_of_the_local_clock() {
        let a = XAxis::clock(start("2021-07-19T20:07:00+09:00"), 3.0 * 3600.0);
        assert_eq!(
            labels(&a),
            [
                "20:15", "20:30", "20:45", "21:00", "21:15", "21:30", "21:45", "22:00", "22:15", "22:30", "22:45",
                "23:00"
            ]
        );
        assert!(a.desc().contains("Mon 19 Jul 2021") && a.desc().contains("UTC+09:00"), "{}", a.desc());
    }

    #[test]
    fn a_run_across_midnight_dates_its_ticks() {
        let a = XAxis::clock(start("2021-07-19T20:00:00+09:00"), 104.0 * 3600.0);
        let l = labels(&a);
        assert_eq!(l[0], "20 Jul 00:00");
        assert!(l.len() <= 9, "{l:?}");
        assert_eq!(l[1], "12:00", "only the first tick of a day carries the date: {l:?}");
        let b = XAxis::clock(start("2021-07-19T20:00:00+09:00"), 12.0 * 3600.0);
        assert_eq!(labels(&b), ["19 Jul 20:00", "22:00", "20 Jul 00:00", "02:00", "04:00", "06:00", "08:00"]);
    }

    #[test]
    fn elapsed_ticks_read_as_hours_and_minutes() {
        assert_eq!(labels(&XAxis::elapsed(3.0 * 3600.0))[..3], ["0:00", "0:15", "0:30"]);
        assert_eq!(labels(&XAxis::elapsed(20.0)).len(), 11);
    }

    #[test]
    fn value_axes_have_round_ticks_and_compact_labels() {
        let a = ValueAxis::linear(280_000.0, 1.0);
        assert_eq!(a.top(), 300_000.0);
        assert_eq!(a.label(250_000.0), "250k");
        let b = ValueAxis::linear(0.0, 1.0);
        assert!(b.top() >= 1.0 && b.ticks.len() >= 2);
        assert_eq!(b.label(0.2), "0.2");
        let c = ValueAxis::log(0.03, 250.0);
        assert_eq!((c.bottom(), c.top()), (0.01, 1000.0));
        assert_eq!(c.label(0.05), "0.05");
        assert_eq!(c.label(100.0), "100");
    }
}
