//! `report.md`: a short page a planner can read or paste into a briefing:
//! every headline figure, the scenario's observations beside the run's own
//! figures, the drops (failures) and the refusals by design by cause, one
//! line per cohort, and the
//! charts linked by relative path (the page sits in the run's folder
//! beside them).
//!
//! One writer for one run and for replications: it is generic over how a
//! figure's value is shown (`format::Shown`: a number, or a mean with its
//! 95 % interval), and it reads the same typed figures as `summary.json`
//! and `cohorts.csv`, so the page always agrees with them.

use super::charts::{run_charts_of, ChartFormat};
use super::format::{cell, count, pct, Shown};
use super::observed::Row;
use crate::engine::SimTime;
use crate::scenario::{units::clock_at, Scenario};
use crate::stats::{ByMilestone, CohortFigure, Columns, Figures, Headline, Kind, RunFigures};
use std::fmt::Write;

/// What `report.md` is written from: one run's figures (`F = Value`) or
/// the estimates over `replications` runs (`F = Option<Estimate>`).
pub struct Page<'a, F> {
    pub scenario: &'a Scenario,
    pub replications: usize,
    pub headline: &'a Figures<Headline, F>,
    pub cohorts: &'a [Figures<CohortFigure, F>],
    /// Bookings by each of the scenario's milestones.
    pub milestones: &'a [ByMilestone<F>],
    /// The format of the charts, if drawn.
    pub charts: Option<ChartFormat>,
    /// The scenario's observations beside the run's figures (empty: no
    /// section).
    pub observed: &'a [Row],
    /// The runs themselves (one, or the replications in order), for the
    /// arrival bins of the "Who gets booked" section.
    pub runs: &'a [RunFigures],
}

/// The page.
pub fn report<F: Shown>(page: &Page<F>) -> Vec<u8> {
    let s = page.scenario;
    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "# {}\n", s.title);
    let _ = writeln!(
        out,
        "Scenario `{}`, seed {}, surgesim {}. From {} for {}, in bins of {}.\n",
        s.name,
        s.seed,
        env!("CARGO_PKG_VERSION"),
        clock_at(s.start, SimTime::ZERO).format("%a %-d %b %Y %H:%M (UTC%:z)"),
        s.duration,
        s.bin
    );
    if !s.origin.extends.is_empty() {
        let chain: Vec<String> = s.origin.extends.iter().map(|f| format!("`{}`", f.replace('`', "'"))).collect();
        let _ = writeln!(
            out,
            "Its file extends {}: what it does not set comes from there.\n",
            chain.join(", which extends ")
        );
    }
    if !s.origin.is_plain() {
        let _ = writeln!(out, "{}\n", origin_line(&s.origin));
    }
    // Windows reaching past the run's end: who the run leaves out.
    if let Some(note) = crate::scenario::due::note(s) {
        let _ = writeln!(out, "Note: {}.\n", note.replace('`', "'"));
    }
    if F::INTERVALS {
        let _ = writeln!(
            out,
            "**{} replications**: independent runs of the scenario, each on its own random stream of seed {}. \
             Every figure below is the mean over them, with its 95 % confidence interval in brackets (Student's t).\n",
            page.replications, s.seed
        );
    }
    headline_section(&mut out, s, page.headline);
    observed_section(&mut out, s, page.observed);
    drops_sentence(&mut out, page.headline);
    refusals_sentence(&mut out, page.headline);
    milestone_section(&mut out, s, page.milestones);
    cohort_section(&mut out, s, page.cohorts);
    super::fairness::section(&mut out, s, page.headline, page.runs);
    charts_section(&mut out, s, page);
    let bounds = if F::INTERVALS { ", means with `_lo`/`_hi` bounds" } else { "" };
    let observed = if page.observed.is_empty() { "" } else { ", [observed.csv](observed.csv)" };
    let _ = writeln!(
        out,
        "Tables: [timeseries.csv](timeseries.csv) (one row per bin{bounds}), [cohorts.csv](cohorts.csv), [{}]({}), [{}]({}), [summary.json](summary.json){observed}.",
        super::fairness::BY_ARRIVAL,
        super::fairness::BY_ARRIVAL,
        super::fairness::COHORTS_TIMESERIES,
        super::fairness::COHORTS_TIMESERIES
    );
    out.into_bytes()
}

/// What was changed from the scenario's file, said before any figure
/// (a run's report and a plan's).
pub(super) fn origin_line(o: &crate::scenario::Origin) -> String {
    let mut parts = Vec::new();
    if !o.unset.is_empty() {
        let keys: Vec<String> = o.unset.iter().map(|k| format!("`--unset {}`", k.replace('`', "'"))).collect();
        parts.push(format!("taken back to its defaults by {}", keys.join(", ")));
    }
    if !o.set.is_empty() {
        let sets: Vec<String> = o.set.iter().map(|s| format!("`--set {}`", s.replace('`', "'"))).collect();
        parts.push(format!("changed from its file by {}", sets.join(", ")));
    }
    if let Some(f) = o.scale {
        parts.push(format!("run at `--scale {f}` (people, capacities, rates and inventories times {f})"));
    }
    format!("**Not the file's own night**: {}.", parts.join("; "))
}

/// Every headline figure but the drop and refusal causes (said in
/// sentences below).
fn headline_section<F: Shown>(out: &mut String, s: &Scenario, headline: &Figures<Headline, F>) {
    let column = if F::INTERVALS { "Mean [95 % interval]" } else { "Value" };
    let _ = writeln!(out, "## Headline figures\n");
    let _ = writeln!(out, "| Figure | {column} |\n| --- | ---: |");
    for (k, v) in headline.iter().filter(|(k, _)| !matches!(k, Headline::Drop(_) | Headline::Refusal(_))) {
        let _ = writeln!(out, "| {} | {} |", k.label(), v.human_at(k.kind(), s.start));
    }
    out.push('\n');
}

/// Free text of the user's (an observation's source) as one table cell:
/// control characters escaped (a line break would end the row), `|`
/// escaped (it would end the cell), `<` as an entity (no HTML gets in).
pub(super) fn free_text(text: &str) -> String {
    cell(&crate::scenario::echo::escaped(text)).replace('<', "&lt;")
}

/// Each observation beside the run's value of its figure, and what the
/// error means; nothing without observations.
fn observed_section(out: &mut String, s: &Scenario, rows: &[Row]) {
    if rows.is_empty() {
        return;
    }
    let simulated = if rows.iter().any(|r| r.simulated.is_some_and(|e| e.n > 1)) {
        "Simulated [95 % interval]"
    } else {
        "Simulated"
    };
    let _ = writeln!(
        out,
        "## Observed and simulated
"
    );
    let _ = writeln!(out, "| Figure | Observed | {simulated} | Error | Source |\n| --- | ---: | ---: | ---: | --- |");
    for r in rows {
        let name = free_text(&r.name().to_string()).replace('`', "'");
        let error = r.error().map_or("-".to_string(), |e| format!("{:+.1} %", 100.0 * e));
        let _ = writeln!(
            out,
            "| `{name}` | {} | {} | {error} | {} |",
            Some(r.observed).human_at(r.kind(), s.start),
            r.simulated.human_at(r.kind(), s.start),
            free_text(&r.source)
        );
    }
    let _ = writeln!(
        out,
        "\nError is (simulated - observed) / observed: +10.0 % means the run gave 10 % more than was seen; `-` where \
         nothing was seen (0) or the run's figure is undefined. Observations and their sources are the scenario's \
         `[[observed]]`; [observed.csv](observed.csv) holds the same numbers."
    );
    if let Some(f) = s.origin.scale.filter(|_| rows.iter().any(|r| r.full_size)) {
        let _ = writeln!(
            out,
            "\nThe run was at `--scale {f}`: its counts are shown divided by {f}, at the night's full size, to compare \
             with what was seen; shares, waits and clock times are as simulated."
        );
    }
    out.push('\n');
}

/// The drop causes, largest first, each with its share of the drops.
fn drops_sentence<F: Shown>(out: &mut String, headline: &Figures<Headline, F>) {
    let dropped = headline.get(Headline::Dropped).point().unwrap_or(0.0);
    let mut causes: Vec<(&'static str, f64)> = headline
        .iter()
        .filter_map(|(k, v)| match k {
            Headline::Drop(c) => Some((c.name(), v.point().unwrap_or(0.0))),
            _ => None,
        })
        .filter(|(_, n)| *n > 0.0)
        .collect();
    causes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    if causes.is_empty() {
        let what = if F::INTERVALS { "in any replication" } else { "" };
        let _ = writeln!(
            out,
            "No attempt was dropped{}.\n",
            if what.is_empty() { String::new() } else { format!(" {what}") }
        );
        return;
    }
    let list: Vec<String> = causes
        .iter()
        .map(|(k, n)| {
            let of = (dropped > 0.0).then(|| n / dropped);
            format!("{} {} ({} of drops)", k.replace('_', " "), count(n.round() as u64), pct(of))
        })
        .collect();
    let means = if F::INTERVALS { ", means" } else { "" };
    let _ = writeln!(out, "Drops by cause{means}: {}.\n", list.join("; "));
}

/// The refusals by design, largest first: not failures, so said apart
/// from the drops (a device lock that turns away millions of second
/// devices is the lock doing its job).
fn refusals_sentence<F: Shown>(out: &mut String, headline: &Figures<Headline, F>) {
    let mut causes: Vec<(&'static str, f64)> = headline
        .iter()
        .filter_map(|(k, v)| match k {
            Headline::Refusal(c) => Some((c.name(), v.point().unwrap_or(0.0))),
            _ => None,
        })
        .filter(|(_, n)| *n > 0.0)
        .collect();
    if causes.is_empty() {
        return;
    }
    causes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let list: Vec<String> =
        causes.iter().map(|(k, n)| format!("{} {}", k.replace('_', " "), count(n.round() as u64))).collect();
    let means = if F::INTERVALS { ", means" } else { "" };
    let _ = writeln!(
        out,
        "Refused by design, not counted as drops{means}: {} (the device lock, a sold-out cohort, people turned away \
         as ineligible or outside their windows).\n",
        list.join("; ")
    );
}

/// Bookings by each milestone: of the eligible people whose window had
/// opened by then, and of each eligible cohort. The figure a planner
/// quotes ("53.9 % by 20 July 12:00").
fn milestone_section<F: Shown>(out: &mut String, s: &Scenario, milestones: &[ByMilestone<F>]) {
    if milestones.is_empty() {
        return;
    }
    let eligible: Vec<usize> = (0..s.cohorts.len()).filter(|&i| s.cohorts[i].eligible).collect();
    let _ = writeln!(
        out,
        "## Booked by milestone
"
    );
    let names: Vec<String> = eligible.iter().map(|&i| cell(&s.cohorts[i].name)).collect();
    let _ = writeln!(out, "| By | Eligible whose window had opened | {} |", names.join(" | "));
    let _ = writeln!(out, "| --- | ---: |{}", " ---: |".repeat(eligible.len()));
    for m in milestones {
        let by = clock_at(s.start, m.at).format("%a %-d %b %H:%M");
        let shares: Vec<String> = eligible.iter().map(|&i| m.cohorts[i].human(Kind::Share)).collect();
        let of = format!("{} of {}", m.share.human(Kind::Share), count(m.of_people));
        let _ = writeln!(out, "| {by} | {of} | {} |", shares.join(" | "));
    }
    let _ = writeln!(
        out,
        "\nA milestone's share is of the eligible people whose window had opened by then (a rotation's later \
         groups are not counted before their night); each cohort's is of its own people.\n"
    );
}

/// One line per cohort: bookings at the window's close and at the end,
/// waits, abandons, drops and refusals.
fn cohort_section<F: Shown>(out: &mut String, s: &Scenario, cohorts: &[Figures<CohortFigure, F>]) {
    let _ = writeln!(out, "## Cohorts\n");
    let _ = writeln!(
        out,
        "| Cohort | People | Attempts | Booked at window close | Booked at the end | Wait p50 | Wait p90 | Wait p99 | Abandoned | Dropped | Refused by design |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (c, f) in s.cohorts.iter().zip(cohorts) {
        let shown = |k: CohortFigure| f.get(k).human(k.kind());
        // Counts are read as the mean count, without its interval.
        let n = |k: CohortFigure| f.get(k).point().map_or("-".to_string(), |x| count(x.max(0.0).round() as u64));
        let (close, end) = if c.eligible {
            (
                shown(CohortFigure::BookedShareAtClose),
                format!("{} ({})", shown(CohortFigure::BookedShare), n(CohortFigure::Booked)),
            )
        } else {
            ("ineligible".to_string(), "ineligible".to_string())
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&c.name),
            n(CohortFigure::People),
            n(CohortFigure::Attempts),
            close,
            end,
            shown(CohortFigure::WaitP50),
            shown(CohortFigure::WaitP90),
            shown(CohortFigure::WaitP99),
            n(CohortFigure::Abandoned),
            n(CohortFigure::Dropped),
            n(CohortFigure::Refused)
        );
    }
    out.push('\n');
}

/// The charts, linked, under a heading.
fn charts_section<F: Shown>(out: &mut String, s: &Scenario, page: &Page<F>) {
    let Some(format) = page.charts else { return };
    let _ = writeln!(out, "## Charts\n");
    if F::INTERVALS {
        let _ = writeln!(
            out,
            "Each chart shows, per bin, the mean of the {} replications; the shading around a line is the 95 % \
             confidence band of that mean.\n",
            page.replications
        );
    }
    for c in run_charts_of(s) {
        let _ = writeln!(out, "### {}\n\n![{}]({}.{})\n", c.caption, c.caption, c.stem, format.extension());
    }
}
