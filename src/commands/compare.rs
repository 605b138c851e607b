//! `surgesim compare`: several scenarios run side by side, one table row
//! and one line per chart each. Every scenario runs on one seed (`--seed`,
//! or the first file's; a file's own seed is for `run`), so replication r
//! of each draws from the same streams (seed, r): with `-r R`, each
//! figure's difference to the first scenario is a paired estimate; with
//! `--select FIGURE`, replications are added until the best scenario on
//! that figure is known at a stated probability (`stats::select`), on the
//! paired variances that pairing gives.
//!
//! Any figure `plan --target` takes (at a clock time, of one cohort) can be
//! selected on, or added with `--figure NAME` (repeatable) to the table,
//! `report.md` and the terminal like the headline figures. Each scenario
//! resolves the name on its own: a cohort it lacks, or a clock outside its
//! run, is an input error naming the scenario. Every cohort the scenarios
//! share is compared without asking (`report::compare`): a `--figure` that
//! is one of its columns is kept, written once.
//!
//! The default folder is named from the question: the scenarios as
//! resolved and the options that change the answer, through a CRC-32
//! (`output::default_dir_keyed`), so the same question lands in the same
//! folder and another never replaces it.
//!
//! Runs go in parallel, results are collected in input order, so the
//! output does not depend on the number of threads.

use super::args::{parse_scale, ChartArgs, RunFlags};
use super::progress::Progress;
use super::{execute, out, outln, tell, CliError};
use crate::batch;
use crate::limits::{self, Keeps};
use crate::report::{self, compare::Seeds, output};
use crate::scenario::figure::{Base, ClockFigure, FigureName};
use crate::scenario::{units, Scenario};
use crate::stats::measure::Measure;
use crate::stats::select::{self, Best, Selection};
use crate::stats::{Columns, Headline, RunFigures};
use std::path::PathBuf;

/// What the default output folder's name ends with, after the scenarios'
/// names and the question's CRC: `outputs/<a>-vs-<b>-<8 hex digits>-compare`.
pub const DEFAULT_SUFFIX: &str = "-compare";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario files (TOML), two or more.
    #[arg(required = true, num_args = 2..)]
    scenarios: Vec<PathBuf>,
    /// Output folder [default: outputs/<first>-vs-<second>-<CRC of the question>-compare].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replications of each scenario, on one seed: figures become means
    /// with 95 % intervals, and differences to the first scenario paired ones.
    #[arg(long, short = 'r', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    replications: u32,
    /// Name the best scenario on this figure (lowest waits, drops and
    /// queues, most bookings; or min:FIGURE / max:FIGURE), adding
    /// replications until it is known (Kim & Nelson's KN procedure). Any
    /// figure `plan --target` takes: headline, at a clock time, of a cohort.
    #[arg(long, value_name = "FIGURE")]
    select: Option<String>,
    /// Also compare this figure (repeatable), like the headline ones: any
    /// name `plan --target` takes (`queue_at_2021-07-20T02:00`,
    /// `cohort."50-52".wait_p90_s`).
    #[arg(long, value_name = "NAME", value_parser = parse_figure)]
    figure: Vec<FigureName>,
    /// With --select: probability of choosing the best (or one within --delta of it).
    #[arg(long, default_value_t = 0.95, value_parser = parse_confidence)]
    confidence: f64,
    /// With --select: the smallest difference worth telling apart, in the
    /// figure's unit [default: 1 % of the largest first-stage mean].
    #[arg(long, value_parser = parse_delta)]
    delta: Option<f64>,
    /// With --select: replications per scenario at most.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    max_runs: u32,
    /// Run every scenario at this fraction of its size (see `run --scale`).
    #[arg(long, value_name = "FACTOR", value_parser = parse_scale)]
    scale: Option<f64>,
    /// Run every scenario on this seed [default: the first file's]; each
    /// file's own seed is for `run`.
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    flags: RunFlags,
    #[command(flatten)]
    charts: ChartArgs,
}

pub fn compare(a: Args) -> Result<(), CliError> {
    let select = a.select.as_deref().map(parse_select).transpose()?;
    // One column per figure: a name given twice would write two.
    if let Some(f) = a.figure.iter().enumerate().find_map(|(i, f)| a.figure[..i].contains(f).then_some(f)) {
        return Err(CliError::Usage(format!("--figure {f}: found it twice, expected each figure once")));
    }
    let mut asked: Vec<(&str, FigureName)> = a.figure.iter().map(|f| ("--figure", f.clone())).collect();
    if let Some((name, _)) = &select {
        asked.push(("--select", name.clone()));
    }
    let (list, seeds, mut measures) = load(&a, &asked)?;
    // The selected figure's measures ride at the end of each scenario's list.
    let chosen_measures: Option<Vec<Measure>> =
        select.as_ref().map(|_| measures.iter_mut().filter_map(Vec::pop).collect());
    let select = select.map(|(name, best)| (name.to_string(), best));
    let reps = if select.is_some() { a.max_runs } else { a.replications };
    let runs: Vec<(&Scenario, u64)> = list.iter().map(|s| (s, u64::from(reps))).collect();
    let guard = limits::check_command(&runs, Keeps::Results, execute::threads(), a.flags.allow_large)?;
    let dir = match &a.out {
        Some(dir) => dir.clone(),
        None => default_dir(&list, &seeds, &a, select.as_ref())?,
    };
    let claim = super::claim(&dir, "compare")?;
    let (results, chosen) = match (select, chosen_measures) {
        (Some((figure, best)), Some(m)) => {
            let (results, chosen) = execute::within(&guard, || choose(&list, (&figure, &m), best, &a))?;
            (results, Some((figure, best, chosen)))
        }
        _ => {
            let bar = Progress::jobs(list.len() as u64 * u64::from(reps), "runs", a.flags.quiet);
            let results = execute::within(&guard, || batch::scenarios(&list, reps as usize, &bar))?;
            bar.finish();
            (results, None)
        }
    };
    let selection = chosen.as_ref().map(|(figure, best, s)| report::compare::Choice {
        figure: figure.clone(),
        best: *best,
        confidence: a.confidence,
        selection: s,
    });
    let comparison = report::compare::Comparison::new(&list, &results, seeds)?.asking(&measures);
    let files = comparison.files(selection.as_ref(), &a.charts.options())?;
    tell(&claim.write(&files)?, a.flags.quiet);
    if let Some(c) = &selection {
        outln!("{}", report::compare::choice_line(&list, c))?;
    }
    if !a.flags.quiet {
        out!("{}", comparison.terminal())?;
        outln!("  wrote {}", report::output::shown(&dir))?;
    }
    Ok(())
}

/// What `load` gives: the scenarios, the seeds they run on, and each one's
/// measures of the figures asked for.
type Loaded = (Vec<Scenario>, Seeds, Vec<Vec<Measure>>);

/// The scenarios, with `--set`, `--scale` and one seed applied to each:
/// `--seed`, or the first scenario's (after `--set`). A scenario whose own
/// seed differs is put on the common one, and `Seeds` remembers it, so
/// that the reports can say so: two files that differ only in their seed
/// are then the same scenario, and their differences exactly zero.
///
/// Each scenario resolves the figures `asked` (each with the flag that
/// asked for it) on its own, and then samples the instants they name:
/// `measures[i]` are scenario i's.
fn load(a: &Args, asked: &[(&str, FigureName)]) -> Result<Loaded, CliError> {
    let mut list = Vec::new();
    let mut measures = Vec::new();
    for path in &a.scenarios {
        let mut s = a.flags.load(path)?;
        let mine = asked
            .iter()
            .map(|(flag, f)| {
                Measure::resolve(f, &mut s).map_err(|e| {
                    CliError::Usage(format!("{flag} {f}: in '{}' (scenario {}): {e}", path.display(), s.name))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        // One column per figure (the selected one rides at the end, and
        // may be any figure).
        let columns = &mine[..a.figure.len().min(mine.len())];
        if let Some(why) = crate::stats::measure::repeats(columns, &s) {
            return Err(CliError::Usage(format!("--figure {why}")));
        }
        measures.push(mine);
        if let Some(seed) = a.seed {
            s.seed = seed;
            s.origin.set.push(format!("scenario.seed={seed}"));
        }
        list.push(match a.scale {
            Some(f) => s.scaled(f),
            None => s,
        });
    }
    // `load` has at least the two files clap asks for.
    let common = list.first().map_or(0, |s| s.seed);
    let mut overridden = Vec::new();
    for (i, s) in list.iter_mut().enumerate() {
        if s.seed != common {
            overridden.push((i, s.seed));
            s.seed = common;
        }
    }
    share_milestones(&mut list);
    Ok((list, Seeds { common: Some(common), from_flag: a.seed.is_some(), overridden }, measures))
}

/// The default folder of a comparison, named from its question: the first
/// two scenarios' names (and how many more), then a CRC-32 of everything
/// that makes the answer: each scenario as resolved (after `--set`,
/// `--unset`, `--scale` and the common seed) with what it was made from
/// and its file's own seed, `-r`, and `--select` with its settings. What
/// only changes the presentation (`--no-charts`, `--chart-format`,
/// `--quiet`) is left out: the same question, drawn or not, is the same
/// folder.
fn default_dir(
    list: &[Scenario],
    seeds: &Seeds,
    a: &Args,
    select: Option<&(String, Best)>,
) -> Result<PathBuf, CliError> {
    let mut key = String::from("compare");
    for (i, s) in list.iter().enumerate() {
        let resolved = serde_json::to_string(s).map_err(anyhow::Error::from)?;
        let own = seeds.overridden.iter().find(|(k, _)| *k == i).map_or(s.seed, |&(_, own)| own);
        key.push_str(&format!("\n{resolved}|{:?}|own seed {own}", s.origin));
    }
    match select {
        Some((figure, best)) => key.push_str(&format!(
            "\nselect {figure} {best:?} confidence {:?} delta {:?} max runs {}",
            a.confidence.to_bits(),
            a.delta.map(f64::to_bits),
            a.max_runs
        )),
        None => key.push_str(&format!("\nreplications {}", a.replications)),
    }
    // Only when asked: a comparison without `--figure` keeps its folder.
    for f in &a.figure {
        key.push_str(&format!("\nfigure {f}"));
    }
    // The names, as long as they fit a folder's name (a scenario's name is
    // at most 200 bytes; the folder's must leave room for the CRC and the
    // siblings' suffixes within 239).
    let more = match list.len() {
        0..=2 => String::new(),
        n => format!("-and-{}-more", n - 2),
    };
    let both = format!("{}-vs-{}{more}", list[0].name, list[1].name);
    let name = if both.len() <= 200 { both } else { format!("{}-and-{}-more", list[0].name, list.len() - 1) };
    Ok(output::default_dir_keyed(&name, key.as_bytes(), DEFAULT_SUFFIX))
}

/// Give every scenario the others' milestones that fall inside its run, so
/// that the booked share by a clock time is compared across all of them
/// (one scenario quoting 20 Jul 12:00 makes it a column of the table).
fn share_milestones(list: &mut [Scenario]) {
    let clocks: Vec<String> =
        list.iter().flat_map(|s| s.milestones.iter().map(|&at| units::clock_at(s.start, at).to_rfc3339())).collect();
    for s in list.iter_mut() {
        for clock in &clocks {
            // Outside this run: it has no share by then (an empty cell).
            if let Ok(at) = s.milestone_at(clock) {
                s.add_milestone(at);
            }
        }
    }
}

/// `--delta`: a finite number above 0 (the indifference zone), else exit 2.
fn parse_delta(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(d) if d > 0.0 && d.is_finite() => Ok(d),
        _ => Err(format!(
            "found \"{text}\", expected a number above 0 in the selected figure's unit (the smallest \
             difference worth telling apart), like 0.01 for a share or 60 for seconds"
        )),
    }
}

/// `--confidence`: a probability strictly between 0 and 1, else exit 2.
fn parse_confidence(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(c) if c > 0.0 && c < 1.0 => Ok(c),
        _ => Err(format!("found \"{text}\", expected a probability between 0 and 1, like 0.95")),
    }
}

/// `--figure`: a figure's name, read (each scenario checks the rest).
fn parse_figure(text: &str) -> Result<FigureName, String> {
    FigureName::parse(text)
}

/// `--select FIGURE`, `min:FIGURE` or `max:FIGURE`: any figure `plan`
/// takes; without a prefix, one whose better end is plain (`better_end`).
fn parse_select(text: &str) -> Result<(FigureName, Best), CliError> {
    let (forced, name) = match text.split_once(':') {
        Some(("min", n)) => (Some(Best::Lowest), n),
        Some(("max", n)) => (Some(Best::Highest), n),
        _ => (None, text),
    };
    let bad = |why: String| CliError::Usage(format!("--select \"{text}\": {why}"));
    let figure = FigureName::parse(name).map_err(bad)?;
    let best = forced.or(better_end(&figure)).ok_or_else(|| {
        bad(format!(
            "{figure} has no better end (neither more nor fewer is plainly better); write min:{figure} or max:{figure}"
        ))
    })?;
    Ok((figure, best))
}

/// Which end of a figure a planner prefers, when one plainly is: a
/// headline figure's own; a cohort's figure as the headline figure of the
/// same name (its share booked by its close as its share booked); fewer
/// in the queue, a shorter shown wait, fewer gone by a clock time; more
/// booked by it. Sessions in use and attempts made by a clock time have
/// none: more may mean more served or more retries.
pub fn better_end(figure: &FigureName) -> Option<Best> {
    match &figure.base {
        Base::At(f, _) => match f {
            ClockFigure::QueueAt | ClockFigure::ShownWaitAt | ClockFigure::GaveUpBy => Some(Best::Lowest),
            ClockFigure::BookedBy | ClockFigure::BookedShareBy => Some(Best::Highest),
            ClockFigure::ActiveAt | ClockFigure::AttemptsBy => None,
        },
        Base::Named(n) if figure.cohort.is_some() && n == "booked_share_at_close" => Some(Best::Highest),
        Base::Named(n) => Headline::from_name(n).and_then(Headline::better),
    }
}

/// KN over the scenarios on `figure`, keeping every run for the report.
fn choose(
    list: &[Scenario],
    (name, measures): (&str, &[Measure]),
    best: Best,
    a: &Args,
) -> Result<(Vec<Vec<RunFigures>>, Selection), CliError> {
    let bar = Progress::jobs(list.len() as u64 * u64::from(a.max_runs), "runs (at most)", a.flags.quiet);
    let mut oracle = Rounds { list, name, measures, kept: vec![Vec::new(); list.len()], progress: &bar };
    // The first stage tells the scale of the figure, for the default delta.
    let n0 = 10.min(a.max_runs as usize);
    let delta = match a.delta {
        // Above 0 and finite: `parse_delta` saw to it.
        Some(d) => d,
        None => {
            let all: Vec<usize> = (0..list.len()).collect();
            let first: Vec<f64> = (0..2).flat_map(|r| select::Runs::values(&mut oracle, &all, r)).flatten().collect();
            (0.01 * first.iter().fold(0.0f64, |m, v| m.max(v.abs()))).max(f64::MIN_POSITIVE)
        }
    };
    let settings =
        select::Settings { best, confidence: a.confidence, delta, n0, max_per_scenario: a.max_runs as usize };
    let selection = select::select(list.len(), settings, &mut oracle)?;
    bar.finish();
    Ok((oracle.kept, selection))
}

/// Replication rounds for KN: run what it asks (in parallel), keep the
/// figures of every run, answer with the figure; a replication already run
/// (for the default delta) is not run again.
struct Rounds<'a> {
    list: &'a [Scenario],
    /// The figure's name, and its measure in each scenario.
    name: &'a str,
    measures: &'a [Measure],
    kept: Vec<Vec<RunFigures>>,
    progress: &'a Progress,
}

impl select::Runs for Rounds<'_> {
    fn values(&mut self, scenarios: &[usize], r: usize) -> anyhow::Result<Vec<f64>> {
        let missing: Vec<usize> = scenarios.iter().copied().filter(|&i| self.kept[i].len() <= r).collect();
        let jobs: Vec<(&Scenario, u64)> = missing.iter().map(|&i| (&self.list[i], r as u64)).collect();
        let new = batch::runs(&jobs, self.progress)?;
        for (i, f) in missing.into_iter().zip(new) {
            self.kept[i].push(f);
        }
        scenarios
            .iter()
            .map(|&i| {
                self.measures[i].value(&self.list[i], &self.kept[i][r]).ok_or_else(|| {
                    anyhow::anyhow!(
                        "{} is undefined in replication {r} of {}: nothing to select on",
                        self.name,
                        self.list[i].name
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_and_cohort_figures_have_the_better_end_a_planner_means() {
        let end = |name: &str| better_end(&FigureName::parse(name).unwrap());
        assert_eq!(end("queue_at_1h"), Some(Best::Lowest));
        assert_eq!(end("shown_wait_at_1h"), Some(Best::Lowest));
        assert_eq!(end("gave_up_by_1h"), Some(Best::Lowest));
        assert_eq!(end("booked_by_1h"), Some(Best::Highest));
        assert_eq!(end("cohort.a.booked_share_by_1h"), Some(Best::Highest));
        assert_eq!(end("active_at_1h"), None);
        assert_eq!(end("attempts_by_1h"), None);
        assert_eq!(end("cohort.\"a.b\".wait_p90_s"), Some(Best::Lowest));
        assert_eq!(end("cohort.a.booked_share_at_close"), Some(Best::Highest));
        assert_eq!(end("active_sessions_mean"), None, "a level has no plain better end");
        assert_eq!(end("queue_len_mean"), Some(Best::Lowest), "a headline figure keeps its own");
        assert_eq!(end("cohort.a.people"), None);
    }

    #[test]
    fn select_takes_any_figure_and_asks_for_an_end_where_none_is_plain() {
        let (figure, best) = parse_select("max:active_at_2021-07-20T02:00").unwrap();
        assert_eq!((figure.to_string(), best), ("active_at_2021-07-20T02:00".to_string(), Best::Highest));
        assert_eq!(parse_select("wait_p90_s").unwrap().1, Best::Lowest);
        let e = parse_select("active_at_1h").unwrap_err().to_string();
        assert!(e.contains("min:active_at_1h or max:active_at_1h"), "{e}");
        assert!(parse_select("cohort.").is_err());
    }
}
