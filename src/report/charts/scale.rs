//! The value scales the charts share: how high an axis reaches (the
//! largest value, a 95 % band up to half again above it), when waits and
//! rates call for a log axis and what sits on its bottom line, percentage
//! axes, and the notes a subtitle gives of them. Used by the charts of a
//! run, of a comparison and of a sweep alike, so that they choose alike.

use super::axis::ValueAxis;
use super::figure::Series;

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
pub(super) fn rate_is_peaky(series: &[Series]) -> bool {
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

/// What a per-minute axis with a floor says of the values below it.
pub(super) fn floored_note(count_y: &ValueAxis) -> String {
    format!("; under {} per minute, zero included, on the bottom line", count_y.label(count_y.bottom()))
}
