//! `fairness.png`: who gets booked, by when they first tried. Two panels on
//! the run's clock, one line per eligible cohort (visitors who cannot book
//! have none): the booked share of the people whose first attempt fell in
//! each arrival bin, and the wait from that first attempt to the booking
//! of those booked (p50 solid, p90 dashed in the same colour). The rows are
//! `by_arrival.csv`'s (`stats::figures::arrival`), so the chart and the
//! table cannot disagree; the headline fairness figures (`overtaking_rate`,
//! `booking_chance_ratio`, `jain_index`) are said under the title.
//!
//! A bin of few people has a share that is mostly luck: bins with fewer
//! people (and returners) than `arrival_bin_min_people`, the bins
//! `booking_chance_ratio` leaves out, are drawn as a thinner, lighter line
//! in the cohort's colour, without a band, and their p90 is left out.

use super::{clock, with_replications, ANY_COLOUR};
use crate::report::charts::figure::{color, dashed, Figure, Panel, Series, Spread, Swatch, DASHED_W, LINE_W};
use crate::report::charts::marks;
use crate::report::charts::scale::{percent_axis, percent_top, value_axis, waits_span_decades, WAIT_FLOOR_MIN};
use crate::report::format::{count, Shown};
use crate::scenario::Scenario;
use crate::stats::figures::arrival as arrival_figures;
use crate::stats::{ArrivalFigure, ArrivalRow, Columns, Estimate, Headline, RunFigures};
use plotters::style::RGBColor;

/// How much of the way to white a thin bin's colour goes: far enough to
/// read as "less sure", not so far that yellow or sky blue vanish.
const THIN_FADE: f64 = 0.55;

/// `c` faded towards white.
fn lighter(c: RGBColor) -> RGBColor {
    let fade = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * THIN_FADE).round() as u8;
    RGBColor(fade(c.0), fade(c.1), fade(c.2))
}

/// The arrival bins of a run: bin `b` holds the first attempts from
/// `b * width` to the next bin's start or the run's end [s].
struct ArrivalBins {
    width: f64,
    duration: f64,
    n: usize,
}

impl ArrivalBins {
    fn of(s: &Scenario) -> ArrivalBins {
        ArrivalBins { width: s.arrival_bin.as_secs_f64(), duration: s.duration.as_secs_f64(), n: s.arrival_bins() }
    }
    /// A bin's shares and waits are of the people who came in it: drawn at
    /// its middle, as a rate is (the last bin cut at the run's end).
    fn mid(&self, b: usize) -> f64 {
        let start = b as f64 * self.width;
        (start + (start + self.width).min(self.duration)) / 2.0
    }
}

/// Per arrival bin of cohort `i`, `value` of every run where it is defined,
/// combined into the mean and its 95 % interval: (mean, low, high), NaN
/// where undefined.
fn per_bin(
    runs: &[RunFigures],
    bins: &ArrivalBins,
    i: usize,
    value: impl Fn(&ArrivalRow) -> Option<f64>,
) -> Vec<(f64, f64, f64)> {
    (0..bins.n)
        .map(|b| {
            let values: Vec<f64> = runs
                .iter()
                .filter_map(|r| value(r.by_arrival.get(i * bins.n + b)?))
                .filter(|v| v.is_finite())
                .collect();
            match Estimate::of(&values) {
                None => (f64::NAN, f64::NAN, f64::NAN),
                Some(c) => (c.mean, c.lo.unwrap_or(f64::NAN), c.hi.unwrap_or(f64::NAN)),
            }
        })
        .collect()
}

/// Per arrival bin of cohort `i`, whether it is thin: some people (and
/// returners), but fewer on average over the runs than
/// `arrival_bin_min_people`, the bins `booking_chance_ratio` does not
/// count. A bin nobody came in has no value to draw at all.
fn thin_bins(s: &Scenario, runs: &[RunFigures], bins: &ArrivalBins, i: usize) -> Vec<bool> {
    let started = per_bin(runs, bins, i, |r| Some((r.counts.people + r.counts.returned) as f64));
    let least = s.arrival_bin_min_people.max(1) as f64;
    started.iter().map(|m| m.0 > 0.0 && m.0 < least).collect()
}

/// The line of one cohort's figure over its arrival bins, split in two:
/// the bins with enough people (with its band over several runs), and the
/// thin bins, lighter and thinner, reaching to their neighbours so the two
/// join: (full bins, thin bins). A figure whose thin bins are left out
/// (the p90) drops the second.
fn split_line(
    label: &str,
    col: RGBColor,
    bins: &ArrivalBins,
    stats: &[(f64, f64, f64)],
    is_thin: &[bool],
    several: bool,
) -> (Series, Series) {
    let at = |b: usize, keep: bool| (bins.mid(b), if keep { stats[b].0 } else { f64::NAN });
    let main_points = (0..bins.n).map(|b| at(b, !is_thin[b])).collect();
    let spread = if several {
        Spread::Band(
            (0..bins.n).map(|b| if is_thin[b] { (f64::NAN, f64::NAN) } else { (stats[b].1, stats[b].2) }).collect(),
        )
    } else {
        Spread::None
    };
    // A thin bin without a value (nobody booked, so no wait) draws nothing,
    // and must not pull its neighbours in as lone light dots.
    let shown_thin = |b: usize| is_thin.get(b).copied().unwrap_or(false) && stats[b].0.is_finite();
    let near_thin = |b: usize| shown_thin(b) || (b > 0 && shown_thin(b - 1)) || shown_thin(b + 1);
    let main =
        Series { label: label.to_string(), color: col, dashed: false, width: LINE_W, points: main_points, spread };
    let thin = Series {
        label: label.to_string(),
        color: lighter(col),
        dashed: false,
        width: DASHED_W,
        points: (0..bins.n).map(|b| at(b, near_thin(b))).collect(),
        spread: Spread::None,
    };
    (main, thin)
}

/// The headline fairness figures as the reports write them: one run's
/// value, or the mean over the replications with its 95 % interval. A
/// booking chance ratio undefined in every run says why, since a reader
/// cannot tell "no bin to compare" from "a bin booked nobody" by a dash.
fn headline_note(s: &Scenario, runs: &[RunFigures]) -> String {
    let said: Vec<String> = crate::report::fairness::FIGURES
        .iter()
        .map(|&(h, words)| {
            let values: Vec<f64> = runs.iter().filter_map(|r| *r.headline.get(h)).collect();
            let value = Estimate::of(&values);
            let why = match (h, value, runs.first().map(|r| &r.chance)) {
                (Headline::BookingChanceRatio, None, Some(None)) => {
                    format!(" (fewer than two bins of {} people)", count(s.arrival_bin_min_people.max(1)))
                }
                (Headline::BookingChanceRatio, None, Some(Some(_))) => " (a bin booked nobody)".to_string(),
                _ => String::new(),
            };
            format!("{words} {}{why}", value.human(h.kind()))
        })
        .collect();
    said.join(", ")
}

/// `fairness.png`: per eligible cohort, by the arrival bin of people's
/// first attempt, the booked share (top) and the wait to booking, p50 and
/// p90, in minutes (bottom); thin bins lighter, the night's events marked,
/// the headline fairness figures in the subtitle.
pub fn fairness(s: &Scenario, runs: &[RunFigures]) -> Figure {
    let bins = ArrivalBins::of(s);
    let several = runs.len() > 1;
    let (mut shares, mut waits, mut thin_shown, mut p90_shown) = (Vec::new(), Vec::new(), false, false);
    for (k, (i, c)) in s.cohorts.iter().enumerate().filter(|(_, c)| c.eligible && c.people > 0).enumerate() {
        let col = color(k);
        let is_thin = thin_bins(s, runs, &bins, i);
        let figure = |f: ArrivalFigure, factor: f64| {
            per_bin(runs, &bins, i, move |r| arrival_figures(r).get(f).map(|v| v * factor))
        };
        let (mut share, share_thin) =
            split_line(&c.name, col, &bins, &figure(ArrivalFigure::BookedShare, 100.0), &is_thin, several);
        let (mut p50, p50_thin) =
            split_line(&c.name, col, &bins, &figure(ArrivalFigure::WaitP50, 1.0 / 60.0), &is_thin, several);
        let (p90, _) = split_line(&c.name, col, &bins, &figure(ArrivalFigure::WaitP90, 1.0 / 60.0), &is_thin, several);
        // The second round of colours is told apart by dashes, as on every
        // chart; the p90 is dashed and thinner whatever the round.
        share.dashed = dashed(k);
        p50.dashed = dashed(k);
        let p90 = Series { dashed: true, width: DASHED_W, ..p90 };
        thin_shown |= share_thin.points.iter().zip(&is_thin).any(|(p, t)| *t && p.1.is_finite());
        p90_shown |= p90.has_data();
        shares.extend([share, share_thin]);
        waits.extend([p50, p50_thin, p90]);
    }
    let share_y = percent_axis(percent_top(&shares));
    let log = waits_span_decades(&waits);
    let (wait_y, floored) = value_axis(&mut waits, log, WAIT_FLOOR_MIN);

    let mut subtitle = format!(
        "Eligible cohorts by the {} bin of their first attempt: top, the share booked; bottom, the wait from the \
         first attempt to booking of those booked. Fairness: {}",
        s.arrival_bin,
        headline_note(s, runs)
    );
    if floored {
        subtitle.push_str(&format!("; waits under {} min sit on the bottom line", wait_y.label(wait_y.bottom())));
    }
    let mut legend_extra = Vec::new();
    if p90_shown {
        legend_extra.push((Swatch::Line { color: ANY_COLOUR, dashed: true }, "Wait p90 (p50 solid)".to_string()));
    }
    if thin_shown {
        legend_extra.push((
            Swatch::Line { color: lighter(ANY_COLOUR), dashed: false },
            format!("Bins of fewer than {} people (lighter, no p90)", count(s.arrival_bin_min_people.max(1))),
        ));
    }
    let log_suffix = if wait_y.is_log() { ", log" } else { "" };
    let fig = Figure {
        title: format!("Who gets booked, by arrival: {}", s.title),
        subtitle,
        x: clock(s).of_what("Time of the first attempt"),
        panels: vec![
            Panel {
                y_desc: "Booked share of arrivals [%]".into(),
                y: share_y,
                series: shares,
                bands: Vec::new(),
                empty_note: "No eligible cohort in this scenario".into(),
            },
            Panel {
                y_desc: format!("Wait to booking [min{log_suffix}]"),
                y: wait_y,
                series: waits,
                bands: Vec::new(),
                empty_note: "Nobody eligible was booked".into(),
            },
        ],
        legend_extra,
        marks: marks::of_run(s),
    };
    with_replications(fig, runs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::ArrivalCounts;

    /// An hour in six 10-minute arrival bins: two eligible cohorts and
    /// visitors who cannot book.
    const NIGHT: &str = "[scenario]\nname = \"f\"\nstart = \"2021-07-19T20:00:00+09:00\"\nduration = \"1h\"\n\
        bin = \"5m\"\narrival_bin = \"10m\"\narrival_bin_min_people = 100\n\
        [[cohort]]\nname = \"a\"\npeople = 300\n[[cohort]]\nname = \"b\"\npeople = 300\n\
        [[cohort]]\nname = \"v\"\npeople = 100\neligible = false\n\
        [waiting_room]\nmax_active = 5\n[backend]\nmax_sessions = 5\n";

    fn night(text: &str, runs: u64) -> (Scenario, Vec<RunFigures>) {
        let s = crate::scenario::load_str(text, "f.toml".as_ref(), ".".as_ref(), &[]).unwrap();
        let runs = (0..runs).map(|r| RunFigures::of(&s, crate::simulate(&s, r).results)).collect();
        (s, runs)
    }

    /// A row of `people` first attempts, `booked` of them booked, waits
    /// p50 and p90 in minutes.
    fn row(people: u64, booked: u64, wait_min: [f64; 2]) -> ArrivalRow {
        let counts = ArrivalCounts { people, booked, attempts: people, ..ArrivalCounts::default() };
        let wait = if booked > 0 { wait_min.map(|w| Some(60.0 * w)) } else { [None, None] };
        ArrivalRow { counts, wait }
    }

    /// Cohort a's rows: a full bin, a thin one, a full one, then nobody.
    fn set_a(run: &mut RunFigures, first_share: u64) {
        let rows = [row(200, first_share, [10.0, 20.0]), row(50, 40, [5.0, 9.0]), row(200, 50, [30.0, 60.0])];
        for (b, r) in rows.into_iter().enumerate() {
            run.by_arrival[b] = r;
        }
        for b in 3..6 {
            run.by_arrival[b] = ArrivalRow::default();
        }
    }

    fn ys(s: &Series) -> Vec<f64> {
        s.points.iter().map(|p| p.1).collect()
    }

    /// Equal, NaN counting as equal to NaN.
    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
    }

    #[test]
    fn one_line_per_eligible_cohort_in_each_panel_and_none_for_visitors() {
        let (s, runs) = night(NIGHT, 1);
        let fig = fairness(&s, &runs);
        assert_eq!(fig.panels.len(), 2);
        for p in &fig.panels {
            let mut labels: Vec<&str> = p.series.iter().map(|l| l.label.as_str()).collect();
            labels.dedup();
            assert_eq!(labels, ["a", "b"], "{}", p.y_desc);
            // Each cohort keeps its colour (or its lighter self) in both.
            for l in &p.series {
                let k = usize::from(l.label == "b");
                assert!(l.color == color(k) || l.color == lighter(color(k)), "{}", l.label);
            }
        }
        // Six arrival bins, drawn at their middles.
        let xs: Vec<f64> = fig.panels[0].series[0].points.iter().map(|p| p.0).collect();
        assert_eq!(xs, [300.0, 900.0, 1500.0, 2100.0, 2700.0, 3300.0]);
        assert!(fig.x.desc().starts_with("Time of the first attempt, clock time"), "{}", fig.x.desc());
        for words in ["overtaking", "booking chance ratio", "Jain's index"] {
            assert!(fig.subtitle.contains(words), "{words}: {}", fig.subtitle);
        }
    }

    #[test]
    fn thin_bins_are_drawn_lighter_and_their_p90_left_out() {
        let (s, mut runs) = night(NIGHT, 1);
        set_a(&mut runs[0], 100);
        let fig = fairness(&s, &runs);
        let nan = f64::NAN;
        let [share, share_thin] = &fig.panels[0].series[..2] else { panic!("two lines of a") };
        assert!(same(&ys(share), &[50.0, nan, 25.0, nan, nan, nan]), "{:?}", ys(share));
        // The thin bin (50 people) on its own lighter, thinner line, joined
        // to its neighbours.
        assert!(same(&ys(share_thin), &[50.0, 80.0, 25.0, nan, nan, nan]), "{:?}", ys(share_thin));
        assert_eq!((share.color, share.width), (color(0), LINE_W));
        assert_eq!((share_thin.color, share_thin.width), (lighter(color(0)), DASHED_W));
        assert!(share_thin.color != share.color);
        let [p50, p50_thin, p90] = &fig.panels[1].series[..3] else { panic!("three lines of a") };
        assert!(same(&ys(p50), &[10.0, nan, 30.0, nan, nan, nan]), "{:?}", ys(p50));
        assert!(same(&ys(p50_thin), &[10.0, 5.0, 30.0, nan, nan, nan]), "{:?}", ys(p50_thin));
        assert!(same(&ys(p90), &[20.0, nan, 60.0, nan, nan, nan]), "the thin bin's p90 is left out");
        assert!(p90.dashed && !p50.dashed && p90.color == p50.color && p90.width < p50.width);
        let extra: Vec<&str> = fig.legend_extra.iter().map(|e| e.1.as_str()).collect();
        assert!(extra.iter().any(|e| e.contains("fewer than 100 people")), "{extra:?}");
        assert!(extra.iter().any(|e| e.contains("p90")), "{extra:?}");
    }

    #[test]
    fn a_thin_bin_with_nothing_to_draw_leaves_its_neighbours_alone() {
        let (s, mut runs) = night(NIGHT, 1);
        set_a(&mut runs[0], 100);
        // The thin bin booked nobody: a share of 0, but no wait.
        runs[0].by_arrival[1] = row(50, 0, [0.0, 0.0]);
        let fig = fairness(&s, &runs);
        let p50_thin = &fig.panels[1].series[1];
        assert!(!p50_thin.has_data(), "no lone light dots on the full bins: {:?}", ys(p50_thin));
        assert!(same(&ys(&fig.panels[0].series[1])[..3], &[50.0, 0.0, 25.0]));
    }

    #[test]
    fn replications_draw_the_mean_with_a_band_over_full_bins_only() {
        let (s, mut runs) = night(NIGHT, 2);
        set_a(&mut runs[0], 100);
        set_a(&mut runs[1], 140);
        let fig = fairness(&s, &runs);
        let share = &fig.panels[0].series[0];
        assert_eq!(share.points[0].1, 60.0, "the mean of 50 % and 70 %");
        let ends = share.spread.ends();
        assert_eq!(ends.len(), 6);
        assert!(ends[0].0 < 60.0 && 60.0 < ends[0].1, "{:?}", ends[0]);
        // Both runs alike there: an interval of no width.
        assert_eq!(ends[2], (25.0, 25.0));
        assert!(ends[1].0.is_nan() && ends[1].1.is_nan(), "no band on the thin bin");
        assert!(matches!(fig.panels[0].series[1].spread, Spread::None));
        assert!(fig.subtitle.starts_with("Mean of 2 replications"), "{}", fig.subtitle);
    }

    #[test]
    fn an_undefined_booking_chance_ratio_says_why() {
        let text = NIGHT.replace("arrival_bin_min_people = 100", "arrival_bin_min_people = 1000000");
        let (s, runs) = night(&text, 1);
        assert_eq!(runs[0].chance, None);
        let fig = fairness(&s, &runs);
        assert!(
            fig.subtitle.contains("booking chance ratio - (fewer than two bins of 1,000,000 people)"),
            "{}",
            fig.subtitle
        );
        // Every bin is thin now: the lines are the lighter ones.
        assert!(!fig.panels[0].series[0].has_data() && fig.panels[0].series[1].has_data());
    }
}
