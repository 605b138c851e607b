//! The files of `surgesim compare`: `compare.csv` (one row per scenario:
//! its headline figures and booked shares by every milestone, and with
//! replications each one's paired difference to the first scenario), the
//! overlay charts (one line per scenario: with replications its mean per
//! bin inside a 95 % band) and `report.md` (the seeds, the table, the
//! bookings by milestone, which differences are real, the selection if one
//! was asked for); and the terminal's lines, which say the same in short.
//! Figures asked for by name (`compare --figure`: at a clock time, of one
//! cohort) follow the milestones everywhere, in the same layout; then the
//! figures of every cohort the scenarios share (`cohorts`).
//!
//! A difference is paired only when replication r of every scenario ran on
//! the same seed: `Seeds` says which seeds the runs used, and the reports
//! claim pairing only when there was one seed for all.

mod cohorts;

use super::charts::{self, compare as overlay};
use super::format::{cell, Difference, Shown};
use super::{combined_headline, tables, Files, ReportOptions};
use crate::scenario::{units::clock_at, Scenario};
use crate::stats::measure::Measure;
use crate::stats::select::{Best, Selection};
use crate::stats::{Columns, Estimate, Figures, Headline, Kind, RunFigures, Value};
use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
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
    /// The figure's name (`--select`, without its min:/max:).
    pub figure: String,
    pub best: Best,
    pub confidence: f64,
    pub selection: &'a Selection,
}

/// The seeds the scenarios of a comparison ran on. Replication r of a
/// scenario draws from streams derived from (seed, r), so runs are paired
/// when every scenario has the same seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Seeds {
    /// The seed every scenario ran on; `None` when they ran on seeds of
    /// their own (a library caller's choice), and nothing is paired.
    pub common: Option<u64>,
    /// Whether the common seed was given on the command line (`--seed`),
    /// rather than taken from the first scenario.
    pub from_flag: bool,
    /// Scenarios whose own file names another seed, which this comparison
    /// did not use: (index, that seed).
    pub overridden: Vec<(usize, u64)>,
}

impl Seeds {
    /// What `scenarios` ran on, as they are: one seed if they share it.
    pub fn of(scenarios: &[Scenario]) -> Seeds {
        let first = scenarios.first().map(|s| s.seed);
        let common = first.filter(|&f| scenarios.iter().all(|s| s.seed == f));
        Seeds { common, from_flag: false, overridden: Vec::new() }
    }

    /// Whether differences are paired.
    pub fn paired(&self) -> bool {
        self.common.is_some()
    }

    /// One sentence for people: which seed, whence, and which replications.
    fn sentence(&self, scenarios: &[Scenario], runs: &[Vec<RunFigures>]) -> String {
        let most = runs.iter().map(Vec::len).max().unwrap_or(0);
        let reps = match most {
            0 | 1 => "replication 0".to_string(),
            n => format!("replications 0 to {}", n - 1),
        };
        let Some(seed) = self.common else {
            let list: Vec<String> = scenarios.iter().map(|s| format!("`{}` {}", cell(&s.name), s.seed)).collect();
            return format!(
                "The scenarios ran on seeds of their own ({}), {reps}: the differences are not paired.",
                list.join(", ")
            );
        };
        let whence = if self.from_flag { "given by --seed" } else { "the first file's" };
        let mut text = if most > 1 {
            format!(
                "Every scenario ran on seed {seed} ({whence}), {reps}: replication r of each drew from the same \
                 random streams (seed {seed}, replication r), so the differences are paired."
            )
        } else {
            format!("Every scenario ran on seed {seed} ({whence}), {reps}: each drew from the same random streams.")
        };
        for &(i, own) in &self.overridden {
            let _ = write!(
                text,
                " `{}` names seed {own} in its file; here it ran on {seed} like the others (its own seed is \
                 for `surgesim run`).",
                cell(&scenarios[i].name)
            );
        }
        text
    }

    /// The same in one short line for the terminal.
    fn line(&self, runs: &[Vec<RunFigures>]) -> String {
        let most = runs.iter().map(Vec::len).max().unwrap_or(0);
        let reps = if most > 1 { format!(", replications 0-{}", most - 1) } else { String::new() };
        match self.common {
            Some(seed) => {
                let whence = if self.from_flag { "--seed" } else { "the first file's" };
                let paired = if most > 1 { ": differences are paired" } else { "" };
                format!("  seed {seed} ({whence}) for every scenario{reps}{paired}\n")
            }
            None => format!("  each scenario on its own seed{reps}: differences are not paired\n"),
        }
    }
}

/// The figures of the comparison's table, in scenario order.
enum Rows {
    /// One run each: their values.
    One(Vec<Figures<Headline, Value>>),
    /// Replications: means with intervals, and paired differences to the
    /// first scenario (`None` for the first).
    Many(Vec<Figures<Headline, Option<Estimate>>>, Vec<Option<Figures<Headline, Difference>>>),
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
fn paired(a: &[RunFigures], b: &[RunFigures]) -> Figures<Headline, Difference> {
    Figures::from_fn(|k| {
        let d: Vec<f64> = a
            .iter()
            .zip(b)
            .filter_map(|(x, y)| Some(y.headline.get(k).as_ref()? - x.headline.get(k).as_ref()?))
            .collect();
        Difference(Estimate::of(&d))
    })
}

/// One clock time a milestone of some scenario names, as every scenario's
/// runs saw it: the booked share of their eligible people by then.
struct Milestone {
    /// `booked_share_by_<clock>`, the clock in the first such scenario's offset.
    column: String,
    /// The moment, in that scenario's offset.
    clock: DateTime<FixedOffset>,
    /// `shares[i][r]`: scenario i's replication r; empty where scenario i
    /// does not have this milestone.
    shares: Vec<Vec<Value>>,
}

impl Milestone {
    /// Every milestone of the scenarios, in time order. `compare` gives each
    /// scenario the others' milestones that fall inside its run, so these
    /// are mostly common to all.
    fn all(scenarios: &[Scenario], runs: &[Vec<RunFigures>]) -> Vec<Milestone> {
        let mut instants: Vec<(DateTime<FixedOffset>, String)> = Vec::new();
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
                clock,
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
    fn paired(&self, i: usize) -> Difference {
        let d: Vec<f64> = self.shares[0].iter().zip(&self.shares[i]).filter_map(|(a, b)| Some((*b)? - (*a)?)).collect();
        Difference(Estimate::of(&d))
    }

    /// How people read the moment: `Tue 20 Jul 12:00`.
    fn when(&self) -> String {
        self.clock.format("%a %-d %b %H:%M").to_string()
    }

    /// Scenario i's share for people: its value or mean with interval,
    /// `-` where its run does not reach the moment.
    fn human(&self, i: usize) -> String {
        match &self.shares[i][..] {
            [] => "-".to_string(),
            [one] => one.human(Kind::Share),
            _ => self.estimate(i).human(Kind::Share),
        }
    }
}

/// A figure asked for by name (`compare --figure`), or a column of a
/// cohort every scenario has (`cohorts::ByCohort`), as every scenario's
/// runs gave it: one block of `compare.csv`, one paired difference.
struct Asked {
    /// The name as a column: its canonical spelling.
    column: String,
    kind: Kind,
    /// `values[i][r]`: scenario i's replication r.
    values: Vec<Vec<Value>>,
}

impl Asked {
    /// The figure `measures[i]` reads from scenario i's runs (resolved on
    /// it; `None` where a scenario has none: empty cells), named by the
    /// first scenario's measure, in its canonical spelling.
    fn read(scenarios: &[Scenario], runs: &[Vec<RunFigures>], measures: &[Option<&Measure>]) -> Option<Asked> {
        let first = measures.first().copied().flatten()?;
        Some(Asked {
            column: first.name.to_string(),
            kind: first.kind(),
            values: (0..scenarios.len())
                .map(|i| {
                    let m = measures.get(i).copied().flatten();
                    runs[i].iter().map(|r| m.and_then(|m| m.value(&scenarios[i], r))).collect()
                })
                .collect(),
        })
    }

    /// Scenario i's value over its replications.
    fn estimate(&self, i: usize) -> Option<Estimate> {
        Estimate::of(&self.values[i].iter().flatten().copied().collect::<Vec<f64>>())
    }

    /// Scenario i's value less the first scenario's, replication by
    /// replication (a paired estimate).
    fn paired(&self, i: usize) -> Difference {
        let d: Vec<f64> = self.values[0].iter().zip(&self.values[i]).filter_map(|(a, b)| Some((*b)? - (*a)?)).collect();
        Difference(Estimate::of(&d))
    }

    /// Scenario i's value for people (a clock time in its own clock).
    fn human(&self, i: usize, start: DateTime<FixedOffset>) -> String {
        match &self.values[i][..] {
            [one] => one.human_at(self.kind, start),
            _ => self.estimate(i).human_at(self.kind, start),
        }
    }
}

/// A comparison ready to write: the scenarios, their runs (`runs[i]` are
/// the replications of `scenarios[i]`, one each without `-r`), the seeds
/// they ran on, and what is derived from them once.
pub struct Comparison<'a> {
    scenarios: &'a [Scenario],
    runs: &'a [Vec<RunFigures>],
    seeds: Seeds,
    table: Rows,
    milestones: Vec<Milestone>,
    /// The figures asked for by name, in the order asked.
    asked: Vec<Asked>,
    /// The figures of the cohorts every scenario has.
    by_cohort: cohorts::ByCohort,
}

impl<'a> Comparison<'a> {
    pub fn new(scenarios: &'a [Scenario], runs: &'a [Vec<RunFigures>], seeds: Seeds) -> Result<Comparison<'a>> {
        anyhow::ensure!(scenarios.len() == runs.len() && runs.iter().all(|r| !r.is_empty()), "runs for every scenario");
        let milestones = Milestone::all(scenarios, runs);
        let by_cohort = cohorts::ByCohort::of(scenarios, runs);
        Ok(Comparison { scenarios, runs, seeds, table: rows(runs), milestones, asked: Vec::new(), by_cohort })
    }

    /// The comparison with figures asked for by name: `measures[i]` are
    /// scenario i's (resolved on it, `Measure::resolve`), the same names in
    /// the same order for every scenario.
    pub fn asking(mut self, measures: &[Vec<Measure>]) -> Comparison<'a> {
        let count = measures.first().map_or(0, Vec::len);
        self.asked = (0..count)
            .filter_map(|j| {
                let of_each: Vec<Option<&Measure>> = measures.iter().map(|m| m.get(j)).collect();
                Asked::read(self.scenarios, self.runs, &of_each)
            })
            .collect();
        self
    }

    /// Every file of the comparison folder.
    pub fn files(&self, choice: Option<&Choice>, opts: &ReportOptions) -> Result<Files> {
        let blocks: Vec<&Asked> = self.asked.iter().chain(self.by_cohort.columns(&self.asked)).collect();
        let mut files = vec![("compare.csv".to_string(), csv(self.scenarios, &self.table, &self.milestones, &blocks)?)];
        let overlay_runs: Vec<overlay::Run> = self.scenarios.iter().zip(self.runs).map(|(s, r)| (s, &r[..])).collect();
        if opts.charts {
            for (stem, _, figure) in OVERLAYS {
                let name = format!("{stem}.{}", opts.format.extension());
                let bytes = charts::render(&figure(&overlay_runs), opts.format)
                    .with_context(|| format!("could not draw {name}"))?;
                files.push((name, bytes));
            }
        }
        files.push(("report.md".to_string(), self.report(choice, opts.charts.then_some(opts.format))));
        Ok(files)
    }

    /// `report.md`: the seeds, the table, the bookings by milestone, the
    /// differences, the selection, then the charts.
    fn report(&self, choice: Option<&Choice>, charts: Option<charts::ChartFormat>) -> Vec<u8> {
        let (scenarios, runs) = (self.scenarios, self.runs);
        let mut out = String::new();
        // `write!` into a String cannot fail; the results are ignored on purpose.
        let _ = writeln!(out, "# Comparison of {} scenarios\n", scenarios.len());
        let _ = writeln!(out, "{}\n", self.seeds.sentence(scenarios, runs));
        let head: Vec<String> = SHOWN.iter().map(|k| k.label()).collect();
        let _ = writeln!(out, "| Scenario | {} |", head.join(" | "));
        let _ = writeln!(out, "| --- |{}", " ---: |".repeat(SHOWN.len()));
        for (i, s) in scenarios.iter().enumerate() {
            let cells: Vec<String> = SHOWN
                .iter()
                .map(|&k| match &self.table {
                    Rows::One(v) => v[i].get(k).human_at(k.kind(), s.start),
                    Rows::Many(m, _) => m[i].get(k).human_at(k.kind(), s.start),
                })
                .collect();
            let _ = writeln!(out, "| {} (`{}`) | {} |", cell(&s.title), cell(&s.name), cells.join(" | "));
        }
        self.milestone_table(&mut out);
        self.asked_table(&mut out);
        match &self.table {
            Rows::Many(_, diffs) => self.differences(&mut out, diffs),
            Rows::One(_) => {
                let _ = writeln!(out, "\n{ONE_RUN_EACH}");
            }
        }
        self.by_cohort.section(self, &mut out);
        if let Some(c) = choice {
            let _ = writeln!(out, "\n## Selection\n\n{}", choice_line(scenarios, c));
        }
        let _ = writeln!(out, "\nAll figures: [compare.csv](compare.csv).\n");
        if let Some(format) = charts {
            let _ = writeln!(out, "## Charts\n");
            if runs.iter().any(|r| r.len() > 1) {
                let _ = writeln!(
                    out,
                    "Each scenario's line is its mean per time bin over its replications, inside its 95 % \
                     confidence band (shaded).\n"
                );
            }
            for (stem, caption, _) in OVERLAYS {
                let _ = writeln!(out, "### {caption}\n\n![{caption}]({stem}.{})\n", format.extension());
            }
        }
        out.into_bytes()
    }

    /// The booked share by every milestone of any scenario: one row per
    /// moment, one column per scenario.
    fn milestone_table(&self, out: &mut String) {
        if self.milestones.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "\n## Booked by milestone\n\nThe booked share of each scenario's eligible people by every moment one \
             of them quotes (`-`: its run ends before).\n"
        );
        let names: Vec<String> = self.scenarios.iter().map(|s| format!("`{}`", cell(&s.name))).collect();
        let _ = writeln!(out, "| By | {} |", names.join(" | "));
        let _ = writeln!(out, "| --- |{}", " ---: |".repeat(self.scenarios.len()));
        for m in &self.milestones {
            let cells: Vec<String> = (0..self.scenarios.len()).map(|i| m.human(i)).collect();
            let _ = writeln!(out, "| {} | {} |", m.when(), cells.join(" | "));
        }
    }

    /// The figures asked for by name: one row per figure, one column per
    /// scenario.
    fn asked_table(&self, out: &mut String) {
        if self.asked.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n## Figures asked for\n\n`-`: undefined in the scenario's runs.\n");
        let names: Vec<String> = self.scenarios.iter().map(|s| format!("`{}`", cell(&s.name))).collect();
        let _ = writeln!(out, "| Figure | {} |", names.join(" | "));
        let _ = writeln!(out, "| --- |{}", " ---: |".repeat(self.scenarios.len()));
        for f in &self.asked {
            let cells: Vec<String> = self.scenarios.iter().enumerate().map(|(i, s)| f.human(i, s.start)).collect();
            let _ = writeln!(out, "| `{}` | {} |", cell(&f.column), cells.join(" | "));
        }
    }

    /// Which differences to the first scenario are real: their 95 % paired
    /// interval leaves out zero. Headline figures, then the bookings by
    /// each milestone.
    fn differences(&self, out: &mut String, diffs: &[Option<Figures<Headline, Difference>>]) {
        let (scenarios, runs) = (self.scenarios, self.runs);
        let how = self.how();
        let _ = writeln!(
            out,
            "\n## Differences to `{}`\n\nEach scenario less the first, {how}. A difference is real when its \
             interval leaves out zero; shares differ in percentage points (pp).\n",
            cell(&scenarios[0].name)
        );
        for (i, d) in diffs.iter().enumerate().skip(1) {
            let Some(d) = d else { continue };
            let n = runs[0].len().min(runs[i].len());
            let _ = writeln!(out, "- `{}` ({n} pairs):", cell(&scenarios[i].name));
            for &k in &SHOWN[1..] {
                let e = d.get(k);
                if e.0.is_some() {
                    let _ = writeln!(out, "  - {}: {} ({})", k.label(), e.human(k.kind()), e.verdict().words());
                }
            }
            for m in &self.milestones {
                let e = m.paired(i);
                if e.0.is_some() {
                    let _ =
                        writeln!(out, "  - Booked by {}: {} ({})", m.when(), e.human(Kind::Share), e.verdict().words());
                }
            }
            for f in &self.asked {
                let e = f.paired(i);
                if e.0.is_some() {
                    let _ = writeln!(out, "  - `{}`: {} ({})", cell(&f.column), e.human(f.kind), e.verdict().words());
                }
            }
        }
    }

    /// How the differences were taken, for people: paired or not.
    fn how(&self) -> &'static str {
        if self.seeds.paired() {
            "replication by replication on the same seeds (paired, 95 % interval)"
        } else {
            "replication against replication; the scenarios ran on seeds of their own, so the pairs share no \
             random numbers (95 % interval of independent runs)"
        }
    }

    /// A few lines for the terminal: each scenario's headline figures and
    /// bookings by milestone (means with replications), its differences
    /// to the first (with replications), and the seeds.
    pub fn terminal(&self) -> String {
        let mut out = String::new();
        for (i, (s, r)) in self.scenarios.iter().zip(self.runs).enumerate() {
            let h = combined_headline(r);
            let show = |k: Headline| h.get(k).human(k.kind());
            let _ = writeln!(
                out,
                "{}\n  booked {} of eligible  wait p90 {}  drop rate {}  refusal rate {}  abandon rate {}",
                s.title,
                show(Headline::BookedShare),
                show(Headline::WaitP90),
                show(Headline::DropRate),
                show(Headline::RefusalRate),
                show(Headline::AbandonRate)
            );
            for m in self.milestones.iter().filter(|m| !m.shares[i].is_empty()) {
                let _ =
                    writeln!(out, "  booked by {}: {} of the eligible whose window had opened", m.when(), m.human(i));
            }
            for f in &self.asked {
                let _ = writeln!(out, "  {}: {}", f.column, f.human(i, s.start));
            }
            let Rows::Many(_, diffs) = &self.table else { continue };
            let Some(d) = &diffs[i] else { continue };
            let pairs = self.runs[0].len().min(r.len());
            let _ = writeln!(out, "  difference to {} ({pairs} pairs):", self.scenarios[0].name);
            // Then the fairness figures (`report::fairness`'s list).
            for &(k, name) in TERMINAL.iter().chain(&super::fairness::FIGURES) {
                let e = d.get(k);
                if e.0.is_some() {
                    let _ = writeln!(out, "    {name} {} ({})", e.human(k.kind()), e.verdict().words());
                }
            }
            for m in &self.milestones {
                let e = m.paired(i);
                if e.0.is_some() {
                    let _ =
                        writeln!(out, "    booked by {} {} ({})", m.when(), e.human(Kind::Share), e.verdict().words());
                }
            }
            for f in &self.asked {
                let e = f.paired(i);
                if e.0.is_some() {
                    let _ = writeln!(out, "    {} {} ({})", f.column, e.human(f.kind), e.verdict().words());
                }
            }
            self.by_cohort.terminal(i, &self.asked, &mut out);
        }
        if matches!(self.table, Rows::One(_)) && self.scenarios.len() > 1 {
            let _ = writeln!(out, "  {ONE_RUN_EACH}");
        }
        out + &self.seeds.line(self.runs)
    }
}

/// Said where one run each leaves the differences untested.
const ONE_RUN_EACH: &str =
    "One run each: the differences are not tested (one pair tells no noise from a real difference); use -r 4 or more.";

/// The differences the terminal shows, with their short names.
const TERMINAL: [(Headline, &str); 8] = [
    (Headline::BookedShare, "booked"),
    (Headline::WaitP50, "wait p50"),
    (Headline::WaitP90, "wait p90"),
    (Headline::WaitP99, "wait p99"),
    (Headline::DropRate, "drop rate"),
    (Headline::RefusalRate, "refusal rate"),
    (Headline::AbandonRate, "abandon rate"),
    (Headline::InSystemAtEnd, "still in the system"),
];

/// Every file of the comparison folder, for scenarios that ran on the
/// seeds they carry (`Seeds::of`). `runs[i]` are the replications of
/// `scenarios[i]` (one each without `-r`).
pub fn render(
    scenarios: &[Scenario],
    runs: &[Vec<RunFigures>],
    choice: Option<&Choice>,
    opts: &ReportOptions,
) -> Result<Files> {
    Comparison::new(scenarios, runs, Seeds::of(scenarios))?.files(choice, opts)
}

/// `compare.csv`: scenario, title, seed (the one it ran on), version,
/// replications, then every headline figure; with replications its
/// `_lo`/`_hi`, and its paired difference to the first scenario with
/// `_lo`/`_hi` (`<figure>_diff`, signed). Then the same for the booked
/// share by each milestone of any scenario (`booked_share_by_<clock>`),
/// empty where a run does not reach it; then the same for each figure
/// asked for by name (`compare --figure`), under its name, and for each
/// figure of every cohort the scenarios share (`cohort.NAME.FIGURE`): the
/// `blocks`.
fn csv(scenarios: &[Scenario], table: &Rows, milestones: &[Milestone], blocks: &[&Asked]) -> Result<Vec<u8>> {
    let ident = |s: &Scenario, n: usize| {
        vec![s.name.clone(), s.title.clone(), s.seed.to_string(), env!("CARGO_PKG_VERSION").to_string(), n.to_string()]
    };
    let labels = ["scenario", "title", "seed", "version", "replications"];
    match table {
        Rows::One(values) => {
            let names: Vec<String> =
                milestones.iter().map(|m| m.column.clone()).chain(blocks.iter().map(|f| f.column.clone())).collect();
            let rows = scenarios.iter().zip(values).enumerate().map(|(i, (s, v))| {
                let shares = milestones.iter().map(|m| m.shares[i].first().copied().flatten());
                let mut cells = tables::milestone_cells(shares);
                cells.extend(blocks.iter().map(|f| f.values[i].first().copied().flatten().cell(f.kind)));
                (ident(s, 1), v, cells)
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
            for n in milestones.iter().map(|m| &m.column).chain(blocks.iter().map(|f| &f.column)) {
                header.extend([n.clone(), format!("{n}_lo"), format!("{n}_hi")]);
                header.extend([format!("{n}_diff"), format!("{n}_diff_lo"), format!("{n}_diff_hi")]);
            }
            w.write_record(&header)?;
            for (i, ((s, m), d)) in scenarios.iter().zip(means).zip(diffs).enumerate() {
                let mut row = ident(s, m.get(Headline::People).map_or(0, |e| e.n));
                for (k, v) in m.iter() {
                    row.push(v.cell(k.kind()));
                    row.extend(v.bounds());
                    let dv = d.as_ref().map_or(Difference(None), |d| *d.get(k));
                    row.push(dv.cell());
                    row.extend(dv.bounds());
                }
                for m in milestones {
                    let mean = m.estimate(i);
                    row.push(mean.cell(Kind::Share));
                    row.extend(mean.bounds());
                    let diff = if i == 0 { Difference(None) } else { m.paired(i) };
                    row.push(diff.cell());
                    row.extend(diff.bounds());
                }
                for f in blocks {
                    let mean = f.estimate(i);
                    row.push(mean.cell(f.kind));
                    row.extend(mean.bounds());
                    let diff = if i == 0 { Difference(None) } else { f.paired(i) };
                    row.push(diff.cell());
                    row.extend(diff.bounds());
                }
                w.write_record(&row)?;
            }
            w.into_inner().map_err(|e| anyhow::anyhow!("csv buffer: {e}"))
        }
    }
}

/// The figures shown in `report.md`'s table.
const SHOWN: [Headline; 14] = [
    Headline::People,
    Headline::BookedShare,
    Headline::WaitP50,
    Headline::WaitP90,
    Headline::WaitP99,
    Headline::DropRate,
    Headline::RefusalRate,
    Headline::AbandonRate,
    Headline::InSystemAtEnd,
    Headline::OvertakingRate,
    Headline::OvertakingRateTogether,
    Headline::BookingChanceRatio,
    Headline::BookingChanceGap,
    Headline::JainIndex,
];

/// One line: the best scenario on the figure, or the ones that could not
/// be told apart.
pub fn choice_line(scenarios: &[Scenario], c: &Choice) -> String {
    let end = if c.best == Best::Lowest { "lowest" } else { "highest" };
    let runs: usize = c.selection.replications.iter().sum();
    match c.selection.best {
        Some(i) => format!(
            "best on {} ({end}): {} ({} % probability of a correct choice, or one within the indifference zone; {runs} runs, KN)",
            c.figure,
            scenarios[i].name,
            100.0 * c.confidence
        ),
        None => {
            let names: Vec<&str> = c.selection.survivors.iter().map(|&i| scenarios[i].name.as_str()).collect();
            format!(
                "cannot tell apart on {} within {} replications each: {} ({runs} runs)",
                c.figure,
                c.selection.replications.iter().max().unwrap_or(&0),
                names.join(", ")
            )
        }
    }
}
