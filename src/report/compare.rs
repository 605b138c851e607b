//! The files of `surgesim compare`: `compare.csv` (one row per scenario:
//! its headline figures, and with replications each figure's paired
//! difference to the first scenario), the overlay charts (one line per
//! scenario) and `report.md` (the table, which differences are real, the
//! selection if one was asked for).

use super::charts::{self, compare as overlay};
use super::format::{cell, Shown};
use super::{combined_headline, tables, Files, ReportOptions};
use crate::scenario::{units::clock_at, Scenario};
use crate::stats::select::{Best, Selection};
use crate::stats::{Columns, Estimate, Figures, Headline, RunFigures, Value};
use anyhow::{Context, Result};
use std::fmt::Write;

/// The overlay charts: file stem, caption, figure.
type Overlay = (&'static str, &'static str, fn(&[overlay::Run]) -> charts::Figure);
const OVERLAYS: [Overlay; 3] = [
    ("compare-waits", "p90 wait in the queue", overlay::waits),
    ("compare-bookings", "Booked share of eligible people", overlay::bookings),
    ("compare-drops", "Drops (all causes), per minute and as a share of the attempts that ended", overlay::drops),
];

/// A selection `compare --select` made.
pub struct Choice<'a> {
    pub figure: Headline,
    pub best: Best,
    pub confidence: f64,
    pub selection: &'a Selection,
}

/// The figures of the comparison's table, in scenario order.
enum Rows {
    /// One run each: their values.
    One(Vec<Figures<Headline, Value>>),
    /// Replications: means with intervals, and paired differences to the
    /// first scenario (`None` for the first).
    Many(Vec<Figures<Headline, Option<Estimate>>>, Vec<Option<Figures<Headline, Option<Estimate>>>>),
}

fn rows(runs: &[Vec<RunFigures>]) -> Rows {
    if runs.iter().all(|r| r.len() == 1) {
        return Rows::One(runs.iter().map(|r| r[0].headline.clone()).collect());
    }
    let means = runs.iter().map(|r| combined_headline(r)).collect();
    let diffs = runs.iter().enumerate().map(|(i, r)| (i > 0).then(|| paired(&runs[0], r))).collect();
    Rows::Many(means, diffs)
}

/// Each figure's difference `b - a` over the replications both have (same
/// index, same seed): a paired estimate.
fn paired(a: &[RunFigures], b: &[RunFigures]) -> Figures<Headline, Option<Estimate>> {
    Figures::from_fn(|k| {
        let d: Vec<f64> = a
            .iter()
            .zip(b)
            .filter_map(|(x, y)| Some(y.headline.get(k).as_ref()? - x.headline.get(k).as_ref()?))
            .collect();
        Estimate::of(&d)
    })
}

/// One clock time a milestone of some scenario names, as every scenario's
/// runs saw it: the booked share of their eligible people by then.
struct Milestone {
    /// `booked_share_by_<clock>`, the clock in the first such scenario's offset.
    column: String,
    /// `shares[i][r]`: scenario i's replication r; empty where scenario i
    /// does not have this milestone.
    shares: Vec<Vec<Value>>,
}

impl Milestone {
    /// Every milestone of the scenarios, in time order. `compare` gives each
    /// scenario the others' milestones that fall inside its run, so these
    /// are mostly common to all.
    fn all(scenarios: &[Scenario], runs: &[Vec<RunFigures>]) -> Vec<Milestone> {
        let mut instants: Vec<(chrono::DateTime<chrono::FixedOffset>, String)> = Vec::new();
        for s in scenarios {
            for &at in &s.milestones {
                let clock = clock_at(s.start, at);
                if !instants.iter().any(|(c, _)| *c == clock) {
                    instants.push((clock, format!("booked_share_by_{}", s.milestone_label(at))));
                }
            }
        }
        instants.sort_by_key(|(c, _)| *c);
        let share_at = |i: usize, clock| -> Vec<Value> {
            let Some(k) = scenarios[i].milestones.iter().position(|&at| clock_at(scenarios[i].start, at) == clock)
            else {
                return Vec::new();
            };
            runs[i].iter().map(|r| r.milestones.get(k).and_then(|m| m.share)).collect()
        };
        instants
            .into_iter()
            .map(|(clock, column)| Milestone {
                column,
                shares: (0..scenarios.len()).map(|i| share_at(i, clock)).collect(),
            })
            .collect()
    }

    /// Scenario i's share over its replications.
    fn estimate(&self, i: usize) -> Option<Estimate> {
        Estimate::of(&self.shares[i].iter().flatten().copied().collect::<Vec<f64>>())
    }

    /// Scenario i's share less the first scenario's, replication by
    /// replication (a paired estimate).
    fn paired(&self, i: usize) -> Option<Estimate> {
        let d: Vec<f64> = self.shares[0].iter().zip(&self.shares[i]).filter_map(|(a, b)| Some((*b)? - (*a)?)).collect();
        Estimate::of(&d)
    }
}

/// Every file of the comparison folder. `runs[i]` are the replications of
/// `scenarios[i]` (one each without `-r`).
pub fn render(
    scenarios: &[Scenario],
    runs: &[Vec<RunFigures>],
    choice: Option<&Choice>,
    opts: &ReportOptions,
) -> Result<Files> {
    anyhow::ensure!(scenarios.len() == runs.len() && runs.iter().all(|r| !r.is_empty()), "runs for every scenario");
    let table = rows(runs);
    let milestones = Milestone::all(scenarios, runs);
    let mut files = vec![("compare.csv".to_string(), csv(scenarios, &table, &milestones)?)];
    let firsts: Vec<RunFigures> = runs.iter().map(|r| r[0].clone()).collect();
    let overlay_runs: Vec<overlay::Run> = scenarios.iter().zip(&firsts).collect();
    if opts.charts {
        for (stem, _, figure) in OVERLAYS {
            let name = format!("{stem}.{}", opts.format.extension());
            let bytes = charts::render(&figure(&overlay_runs), opts.format)
                .with_context(|| format!("could not draw {name}"))?;
            files.push((name, bytes));
        }
    }
    let md = report(scenarios, runs, &table, choice, opts.charts.then_some(opts.format));
    files.push(("report.md".to_string(), md));
    Ok(files)
}

/// `compare.csv`: scenario, title, seed, version, replications, then every
/// headline figure; with replications its `_lo`/`_hi`, and its paired
/// difference to the first scenario with `_lo`/`_hi` (`<figure>_diff`).
/// Then the same for the booked share by each milestone of any scenario
/// (`booked_share_by_<clock>`), empty where a run does not reach it.
fn csv(scenarios: &[Scenario], table: &Rows, milestones: &[Milestone]) -> Result<Vec<u8>> {
    let ident = |s: &Scenario, n: usize| {
        vec![s.name.clone(), s.title.clone(), s.seed.to_string(), env!("CARGO_PKG_VERSION").to_string(), n.to_string()]
    };
    let labels = ["scenario", "title", "seed", "version", "replications"];
    match table {
        Rows::One(values) => {
            let names: Vec<String> = milestones.iter().map(|m| m.column.clone()).collect();
            let rows = scenarios.iter().zip(values).enumerate().map(|(i, (s, v))| {
                let shares = milestones.iter().map(|m| m.shares[i].first().copied().flatten());
                (ident(s, 1), v, tables::milestone_cells(shares))
            });
            tables::csv_with(&labels, &names, None, rows)
        }
        Rows::Many(means, diffs) => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
            for &k in Headline::ALL {
                let n = k.name();
                header.extend(
                    [
                        n,
                        &format!("{n}_lo"),
                        &format!("{n}_hi"),
                        &format!("{n}_diff"),
                        &format!("{n}_diff_lo"),
                        &format!("{n}_diff_hi"),
                    ]
                    .map(String::from),
                );
            }
            for m in milestones {
                let n = &m.column;
                header.extend([n.clone(), format!("{n}_lo"), format!("{n}_hi")]);
                header.extend([format!("{n}_diff"), format!("{n}_diff_lo"), format!("{n}_diff_hi")]);
            }
            w.write_record(&header)?;
            for (i, ((s, m), d)) in scenarios.iter().zip(means).zip(diffs).enumerate() {
                let mut row = ident(s, m.get(Headline::People).map_or(0, |e| e.n));
                for (k, v) in m.iter() {
                    row.push(v.cell(k.kind()));
                    row.extend(v.bounds());
                    let dv = d.as_ref().map(|d| *d.get(k)).unwrap_or(None);
                    row.push(dv.cell(crate::stats::Kind::Level));
                    row.extend(dv.bounds());
                }
                for m in milestones {
                    let mean = m.estimate(i);
                    row.push(mean.cell(crate::stats::Kind::Share));
                    row.extend(mean.bounds());
                    let diff = if i == 0 { None } else { m.paired(i) };
                    row.push(diff.cell(crate::stats::Kind::Level));
                    row.extend(diff.bounds());
                }
                w.write_record(&row)?;
            }
            w.into_inner().map_err(|e| anyhow::anyhow!("csv buffer: {e}"))
        }
    }
}

/// The figures shown in `report.md`'s table.
const SHOWN: [Headline; 8] = [
    Headline::People,
    Headline::BookedShare,
    Headline::WaitP50,
    Headline::WaitP90,
    Headline::WaitP99,
    Headline::DropRate,
    Headline::AbandonRate,
    Headline::InSystemAtEnd,
];

/// `report.md` of a comparison: the table, the differences, the selection,
/// then the charts.
fn report(
    scenarios: &[Scenario],
    runs: &[Vec<RunFigures>],
    table: &Rows,
    choice: Option<&Choice>,
    charts: Option<charts::ChartFormat>,
) -> Vec<u8> {
    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "# Comparison of {} scenarios\n", scenarios.len());
    let head: Vec<String> = SHOWN.iter().map(|k| k.label()).collect();
    let _ = writeln!(out, "| Scenario | {} |", head.join(" | "));
    let _ = writeln!(out, "| --- |{}", " ---: |".repeat(SHOWN.len()));
    for (i, s) in scenarios.iter().enumerate() {
        let cells: Vec<String> = SHOWN
            .iter()
            .map(|&k| match table {
                Rows::One(v) => v[i].get(k).human_at(k.kind(), s.start),
                Rows::Many(m, _) => m[i].get(k).human_at(k.kind(), s.start),
            })
            .collect();
        let _ = writeln!(out, "| {} (`{}`) | {} |", cell(&s.title), cell(&s.name), cells.join(" | "));
    }
    if let Rows::Many(_, diffs) = table {
        differences(&mut out, scenarios, runs, diffs);
    }
    if let Some(c) = choice {
        let _ = writeln!(out, "\n## Selection\n\n{}", choice_line(scenarios, c));
    }
    let _ = writeln!(out, "\nAll figures: [compare.csv](compare.csv).\n");
    if let Some(format) = charts {
        let _ = writeln!(out, "## Charts\n");
        if runs.iter().any(|r| r.len() > 1) {
            let _ = writeln!(out, "The charts show replication 0 of each scenario (the same seed for all).\n");
        }
        for (stem, caption, _) in OVERLAYS {
            let _ = writeln!(out, "### {caption}\n\n![{caption}]({stem}.{})\n", format.extension());
        }
    }
    out.into_bytes()
}

/// Which differences to the first scenario are real: their 95 % paired
/// interval leaves out zero.
fn differences(
    out: &mut String,
    scenarios: &[Scenario],
    runs: &[Vec<RunFigures>],
    diffs: &[Option<Figures<Headline, Option<Estimate>>>],
) {
    let _ = writeln!(
        out,
        "\n## Differences to `{}`\n\nEach scenario against the first, replication by replication on the same seeds \
         (paired, 95 % interval). A difference is real when its interval leaves out zero.\n",
        cell(&scenarios[0].name)
    );
    for (i, d) in diffs.iter().enumerate().skip(1) {
        let Some(d) = d else { continue };
        let n = runs[0].len().min(runs[i].len());
        let _ = writeln!(out, "- `{}` ({n} pairs):", cell(&scenarios[i].name));
        for &k in &SHOWN[1..] {
            let Some(e) = d.get(k) else { continue };
            let real = match (e.lo, e.hi) {
                (Some(lo), Some(hi)) if lo > 0.0 || hi < 0.0 => "real",
                (Some(_), Some(_)) => "not shown to differ",
                _ => "too few pairs to tell",
            };
            let _ = writeln!(out, "  - {}: {} ({real})", k.label(), Some(*e).human(k.kind()));
        }
    }
}

/// One line: the best scenario on the figure, or the ones that could not
/// be told apart.
pub fn choice_line(scenarios: &[Scenario], c: &Choice) -> String {
    let end = if c.best == Best::Lowest { "lowest" } else { "highest" };
    let runs: usize = c.selection.replications.iter().sum();
    match c.selection.best {
        Some(i) => format!(
            "best on {} ({end}): {} ({} % probability of a correct choice, or one within the indifference zone; {runs} runs, KN)",
            c.figure.name(),
            scenarios[i].name,
            100.0 * c.confidence
        ),
        None => {
            let names: Vec<&str> = c.selection.survivors.iter().map(|&i| scenarios[i].name.as_str()).collect();
            format!(
                "cannot tell apart on {} within {} replications each: {} ({runs} runs)",
                c.figure.name(),
                c.selection.replications.iter().max().unwrap_or(&0),
                names.join(", ")
            )
        }
    }
}

/// A few lines for the terminal: one per scenario (means with replications).
pub fn headline(scenarios: &[Scenario], runs: &[Vec<RunFigures>]) -> String {
    let mut out = String::new();
    for (s, r) in scenarios.iter().zip(runs) {
        let h = combined_headline(r);
        let show = |k: Headline| h.get(k).human(k.kind());
        let _ = writeln!(
            out,
            "{}\n  booked {} of eligible  wait p90 {}  drop rate {}  abandon rate {}",
            s.title,
            show(Headline::BookedShare),
            show(Headline::WaitP90),
            show(Headline::DropRate),
            show(Headline::AbandonRate)
        );
    }
    out
}
