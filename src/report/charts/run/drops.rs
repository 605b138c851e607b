//! `drops.png`: drops by cause and abandons, per minute and as a share of
//! the attempts that ended in the bin; the share of ended attempts and the
//! two panels are shared with the comparison's drops chart.

use super::{clock, line, with_replications, BinTimes, TOTAL};
use crate::report::charts::axis::ValueAxis;
use crate::report::charts::figure::{okabe_ito, Figure, Panel, Series};
use crate::report::charts::marks;
use crate::report::charts::scale::{floored_note, per_minute_axis, percent_axis, percent_top};
use crate::report::format::count;
use crate::scenario::Scenario;
use crate::stats::{Bin, DropCause, Headline, RefusalCause, RunFigures};
use plotters::style::RGBColor;

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
pub(in crate::report::charts) fn share_of_ended(b: &Bin, n: u64) -> Option<f64> {
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

/// The two panels of a drops chart: per minute (`count`: description,
/// axis, lines) on top, as a share of the attempts that ended below.
pub(in crate::report::charts) fn drop_panels(
    count: (String, ValueAxis, Vec<Series>),
    share: (ValueAxis, Vec<Series>),
) -> Vec<Panel> {
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
