//! The scenario's observations on a run's time charts: each value seen at a
//! clock time, marked where the chart draws the same figure's series, so a
//! reader sees the simulated line pass by (or miss) what was seen.
//!
//! Where each goes: `queue_at_` on the queue panel of `queue.png`,
//! `active_at_` on its sessions panel (the lines there are time averages
//! over a bin, the marks a state at an instant: close on a scale of hours);
//! a cohort's `booked_by_` and `booked_share_by_` on `bookings.png`, as a
//! share of the cohort's people, where the cohort has its line. A figure of
//! the whole night has no line of its own in `bookings.png` (but the night's
//! `booked_share_by_` goes on the line of a night's only eligible cohort:
//! it is that cohort's share); `shown_wait_at_` on `waits.png`'s panel with
//! the shown-wait line (by time joined), in minutes. A cohort has no line
//! in `queue.png`, and whole-run figures no clock time: those are not drawn (they are in `observed.csv` and
//! `report.md`). A chart with nothing to mark is drawn as without
//! observations, byte for byte.

use crate::report::charts::axis::ValueAxis;
use crate::report::charts::figure::{color, okabe_ito, Figure, ObservedPoint, Swatch};
use crate::report::observed::Row;
use crate::scenario::figure::ClockFigure;
use crate::scenario::Scenario;
use crate::stats::measure::What;

/// The marks of the chart `stem` of a run of `s`, on `fig`'s panels: each
/// panel's linear axis is widened to hold its marks, and the legend says
/// what they are.
pub fn observed(stem: &str, s: &Scenario, rows: &[Row], fig: &mut Figure) -> Vec<ObservedPoint> {
    // The charts draw the run at its own size: a count seen on the whole
    // night is drawn at the run's scale beside them.
    let scale = s.origin.scale.unwrap_or(1.0);
    // The cohorts `bookings.png` draws a line for, in its order (and so
    // its colours).
    let lines: Vec<usize> =
        (0..s.cohorts.len()).filter(|&i| s.cohorts[i].eligible && s.cohorts[i].people > 0).collect();
    let line_of = |i: usize| lines.iter().position(|&k| k == i);
    let mut points = Vec::new();
    let (mut scaled, mut coloured) = (false, false);
    for r in rows {
        let What::At(f, at) = r.measure.what else { continue };
        let counted = r.measure.grows_with_size();
        let seen = if counted { r.observed * scale } else { r.observed };
        // A night with one eligible cohort: the night's share booked is
        // that cohort's, and its line is the night's.
        let only = (r.measure.cohort.is_none() && lines.len() == 1 && f == ClockFigure::BookedShareBy).then_some(0);
        let line = r.measure.cohort.and_then(line_of).or(only);
        let place = match (stem, f, r.measure.cohort, line) {
            ("queue", ClockFigure::QueueAt, None, _) => Some((0, seen)),
            ("queue", ClockFigure::ActiveAt, None, _) => Some((1, seen)),
            ("bookings", ClockFigure::BookedBy, Some(i), Some(_)) => {
                Some((0, 100.0 * seen / s.cohorts[i].people as f64))
            }
            ("bookings", ClockFigure::BookedShareBy, _, Some(_)) => Some((0, 100.0 * seen)),
            // The shown-wait line is on the last panel (by time joined, or the only one).
            ("waits", ClockFigure::ShownWaitAt, _, _) => Some((fig.panels.len().saturating_sub(1), seen / 60.0)),
            _ => None,
        };
        let Some((panel, y)) = place.filter(|(p, y)| *p < fig.panels.len() && y.is_finite()) else { continue };
        scaled |= counted && scale != 1.0;
        // A cohort's mark in its line's colour: several cohorts share the panel.
        let color = match line {
            Some(k) if stem == "bookings" => color(k),
            _ => okabe_ito::BLACK,
        };
        coloured |= color != okabe_ito::BLACK;
        points.push(ObservedPoint { panel, x: at.as_secs_f64(), y, color });
    }
    for p in &points {
        let axis = &mut fig.panels[p.panel].y;
        // The same headroom over a mark as over the lines (5 %): a mark
        // is not drawn cut by the panel's top edge.
        if !axis.is_log() && p.y * 1.05 > axis.top() {
            *axis = ValueAxis::linear(p.y, 1.0);
        }
    }
    if !points.is_empty() {
        let mut notes = Vec::new();
        if coloured {
            notes.push("filled in its cohort's colour".to_string());
        }
        if scaled {
            notes.push(format!("counts times {scale}, the run's scale"));
        }
        let label = if notes.is_empty() { "observed".to_string() } else { format!("observed ({})", notes.join("; ")) };
        fig.legend_extra.push((Swatch::Observed, label));
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::run::{bookings, queue};
    use crate::stats::RunFigures;

    const NIGHT: &str = "[scenario]\nname = \"o\"\nstart = \"2021-07-19T20:00:00+09:00\"\nduration = \"2h\"\n\
        bin = \"10m\"\n[[cohort]]\nname = \"a\"\npeople = 200\n[[cohort]]\nname = \"v\"\npeople = 50\n\
        eligible = false\n[waiting_room]\nmax_active = 5\n[backend]\nmax_sessions = 5\n\
        [[observed]]\nfigure = \"queue_at_2021-07-19T21:00\"\nvalue = 90000\n\
        [[observed]]\nfigure = \"active_at_1h\"\nvalue = 4\n\
        [[observed]]\nfigure = \"cohort.a.booked_by_1h\"\nvalue = 50\n\
        [[observed]]\nfigure = \"cohort.v.booked_by_1h\"\nvalue = 5\n\
        [[observed]]\nfigure = \"booked_by_1h\"\nvalue = 50\n\
        [[observed]]\nfigure = \"booked\"\nvalue = 100\n";

    fn night() -> (Scenario, Vec<RunFigures>, Vec<Row>) {
        let s = crate::scenario::load_str(NIGHT, "o.toml".as_ref(), ".".as_ref(), &[]).unwrap();
        let runs = vec![RunFigures::of(&s, crate::simulate(&s, 0).results)];
        let rows = crate::report::observed::rows(&s, &runs).unwrap();
        (s, runs, rows)
    }

    #[test]
    fn each_clock_observation_goes_on_the_panel_of_its_series() {
        let (s, runs, rows) = night();
        let mut fig = queue(&s, &runs);
        let points = observed("queue", &s, &rows, &mut fig);
        let black = okabe_ito::BLACK;
        assert_eq!(
            points,
            [
                ObservedPoint { panel: 0, x: 3600.0, y: 90000.0, color: black },
                ObservedPoint { panel: 1, x: 3600.0, y: 4.0, color: black }
            ]
        );
        assert!(fig.panels[0].y.top() >= 90000.0, "the queue panel is widened to hold the mark");
        assert_eq!(fig.legend_extra.last().map(|e| e.1.as_str()), Some("observed"));
        // Only the eligible cohort with a line; the whole night has none.
        let mut fig = bookings(&s, &runs);
        let marks = observed("bookings", &s, &rows, &mut fig);
        assert_eq!(marks, [ObservedPoint { panel: 0, x: 3600.0, y: 25.0, color: color(0) }]);
        assert!(fig.legend_extra.last().is_some_and(|e| e.1.contains("cohort's colour")));
        // Nothing to mark: the figure is left as it was.
        let mut fig = crate::report::charts::run::waits(&s, &runs);
        let before = fig.legend_extra.len();
        assert!(observed("waits", &s, &rows, &mut fig).is_empty());
        assert_eq!(fig.legend_extra.len(), before);
    }

    #[test]
    fn the_nights_share_goes_on_its_only_eligible_cohorts_line() {
        // Cohort v is not eligible: a's line is the night's.
        let text = format!("{NIGHT}[[observed]]\nfigure = \"booked_share_by_1h\"\nvalue = 0.3\n");
        let s = crate::scenario::load_str(&text, "o.toml".as_ref(), ".".as_ref(), &[]).unwrap();
        let runs = vec![RunFigures::of(&s, crate::simulate(&s, 0).results)];
        let rows = crate::report::observed::rows(&s, &runs).unwrap();
        let mut fig = bookings(&s, &runs);
        let marks = observed("bookings", &s, &rows, &mut fig);
        assert!(marks.contains(&ObservedPoint { panel: 0, x: 3600.0, y: 30.0, color: color(0) }), "{marks:?}");
        assert_eq!(marks.len(), 2, "a's booked_by_ and the night's share; v's booked_by_ has no line");
    }

    #[test]
    fn the_shown_wait_is_marked_beside_the_shown_wait_line() {
        let room = "[waiting_room]\nmax_active = 5\nshown_wait = \"nominal\"\n";
        let text = NIGHT.replace("[waiting_room]\nmax_active = 5\n", room)
            + "[[observed]]\nfigure = \"shown_wait_at_1h\"\nvalue = 1200\n";
        let s = crate::scenario::load_str(&text, "o.toml".as_ref(), ".".as_ref(), &[]).unwrap();
        let runs = vec![RunFigures::of(&s, crate::simulate(&s, 0).results)];
        let rows = crate::report::observed::rows(&s, &runs).unwrap();
        let mut fig = crate::report::charts::run::waits(&s, &runs);
        let last = fig.panels.len() - 1;
        assert!(fig.panels[last].series.iter().any(|l| l.label.starts_with("shown on joining")), "the line is drawn");
        let marks = observed("waits", &s, &rows, &mut fig);
        assert_eq!(marks, [ObservedPoint { panel: last, x: 3600.0, y: 20.0, color: okabe_ito::BLACK }]);
    }
}
