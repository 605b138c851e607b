//! `surgesim compare`: several scenarios run side by side, one table row
//! and one line per chart each. With `-r R`, each runs R replications on
//! the same seeds (replication r of every scenario on seed (seed, r)), and
//! each figure's difference to the first scenario is a paired estimate;
//! with `--select FIGURE`, replications are added until the best scenario
//! on that figure is known at a stated probability (`stats::select`).
//!
//! Runs go in parallel, results are collected in input order, so the
//! output does not depend on the number of threads.

use super::args::{parse_scale, ChartArgs, RunFlags};
use super::progress::Progress;
use super::{execute, out, outln, tell, CliError};
use crate::engine::OutOfMemory;
use crate::limits::{self, Keeps};
use crate::report;
use crate::scenario::{units, Scenario};
use crate::stats::select::{self, Best, Selection};
use crate::stats::{Columns, Headline, RunFigures};
use crate::QueueKind;
use rayon::prelude::*;
use std::path::PathBuf;

/// The default output folder of `compare`.
pub const DEFAULT_DIR: &str = "outputs/compare";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario files (TOML), two or more.
    #[arg(required = true, num_args = 2..)]
    scenarios: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, default_value = DEFAULT_DIR)]
    out: PathBuf,
    /// Replications of each scenario, on common seeds: figures become means
    /// with 95 % intervals, and differences to the first scenario paired ones.
    #[arg(long, short = 'r', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    replications: u32,
    /// Name the best scenario on this headline figure (lowest waits and
    /// drops, most bookings; or min:FIGURE / max:FIGURE), adding
    /// replications until it is known (Kim & Nelson's KN procedure).
    #[arg(long, value_name = "FIGURE")]
    select: Option<String>,
    /// With --select: probability of choosing the best (or one within --delta of it).
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// With --select: the smallest difference worth telling apart, in the
    /// figure's unit [default: 1 % of the largest first-stage mean].
    #[arg(long)]
    delta: Option<f64>,
    /// With --select: replications per scenario at most.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    max_runs: u32,
    /// Run every scenario at this fraction of its size (see `run --scale`).
    #[arg(long, value_name = "FACTOR", value_parser = parse_scale)]
    scale: Option<f64>,
    /// Run every scenario on this seed (common random numbers need one).
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    flags: RunFlags,
    #[command(flatten)]
    charts: ChartArgs,
}

pub fn compare(a: Args) -> Result<(), CliError> {
    let list = load(&a)?;
    let select = a.select.as_deref().map(parse_select).transpose()?;
    let reps = if select.is_some() { a.max_runs } else { a.replications };
    let runs: Vec<(&Scenario, u64)> = list.iter().map(|s| (s, u64::from(reps))).collect();
    let guard = limits::check_command(&runs, Keeps::Results, execute::threads(), a.flags.allow_large)?;
    let claim = super::claim(&a.out, "compare")?;
    let (results, chosen) = match select {
        Some((figure, best)) => {
            let (results, chosen) = execute::within(&guard, || choose(&list, figure, best, &a))?;
            (results, Some((figure, best, chosen)))
        }
        None => {
            let bar = Progress::jobs(list.len() as u64 * u64::from(reps), "runs", a.flags.quiet);
            let results = execute::within(&guard, || run_all(&list, reps as usize, &bar))?;
            bar.finish();
            (results, None)
        }
    };
    let selection = chosen.as_ref().map(|(figure, best, s)| report::compare::Choice {
        figure: *figure,
        best: *best,
        confidence: a.confidence,
        selection: s,
    });
    let files = report::compare::render(&list, &results, selection.as_ref(), &a.charts.options())?;
    tell(&claim.write(&files)?, a.flags.quiet);
    if let Some(c) = &selection {
        outln!("{}", report::compare::choice_line(&list, c))?;
    }
    if !a.flags.quiet {
        out!("{}", report::compare::headline(&list, &results))?;
        outln!("  wrote {}", report::output::shown(&a.out))?;
    }
    Ok(())
}

/// The scenarios, with `--set`, `--seed` and `--scale` applied to each.
fn load(a: &Args) -> Result<Vec<Scenario>, CliError> {
    let mut list = Vec::new();
    for path in &a.scenarios {
        let mut s = a.flags.load(path)?;
        if let Some(seed) = a.seed {
            s.seed = seed;
            s.origin.set.push(format!("scenario.seed={seed}"));
        }
        list.push(match a.scale {
            Some(f) => s.scaled(f),
            None => s,
        });
    }
    share_milestones(&mut list);
    Ok(list)
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

/// `--select FIGURE`, `min:FIGURE` or `max:FIGURE`.
fn parse_select(text: &str) -> Result<(Headline, Best), CliError> {
    let (forced, name) = match text.split_once(':') {
        Some(("min", n)) => (Some(Best::Lowest), n),
        Some(("max", n)) => (Some(Best::Highest), n),
        _ => (None, text),
    };
    let bad = |why: String| CliError::Usage(format!("--select \"{text}\": {why}"));
    let figure = Headline::from_name(name.trim()).ok_or_else(|| bad("not a headline figure of summary.json".into()))?;
    let best = forced
        .or(figure.better())
        .ok_or_else(|| bad(format!("{name} has no better end; write min:{name} or max:{name}")))?;
    Ok((figure, best))
}

/// Replications `0..reps` of every scenario, in parallel; `results[i][r]`
/// is replication r of scenario i.
pub fn run_all(scenarios: &[Scenario], reps: usize, progress: &Progress) -> Result<Vec<Vec<RunFigures>>, OutOfMemory> {
    let jobs: Vec<(usize, u64)> = (0..scenarios.len()).flat_map(|i| (0..reps as u64).map(move |r| (i, r))).collect();
    let done: Vec<RunFigures> = jobs
        .par_iter()
        .map(|&(i, r)| {
            let s = &scenarios[i];
            Ok(RunFigures::of(s, execute::run_one(s, r, QueueKind::default(), progress)?.results))
        })
        .collect::<Result<_, OutOfMemory>>()?;
    let mut it = done.into_iter();
    Ok(scenarios.iter().map(|_| it.by_ref().take(reps).collect()).collect())
}

/// KN over the scenarios on `figure`, keeping every run for the report.
fn choose(
    list: &[Scenario],
    figure: Headline,
    best: Best,
    a: &Args,
) -> Result<(Vec<Vec<RunFigures>>, Selection), CliError> {
    let bar = Progress::jobs(list.len() as u64 * u64::from(a.max_runs), "runs (at most)", a.flags.quiet);
    let mut oracle = Rounds { list, figure, kept: vec![Vec::new(); list.len()], progress: &bar };
    // The first stage tells the scale of the figure, for the default delta.
    let n0 = 10.min(a.max_runs as usize);
    let delta = match a.delta {
        Some(d) if d > 0.0 => d,
        Some(_) => return Err(CliError::Usage("--delta must be above 0".into())),
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
    figure: Headline,
    kept: Vec<Vec<RunFigures>>,
    progress: &'a Progress,
}

impl select::Runs for Rounds<'_> {
    fn values(&mut self, scenarios: &[usize], r: usize) -> anyhow::Result<Vec<f64>> {
        let missing: Vec<usize> = scenarios.iter().copied().filter(|&i| self.kept[i].len() <= r).collect();
        let new: Vec<RunFigures> = missing
            .par_iter()
            .map(|&i| {
                let s = &self.list[i];
                Ok(RunFigures::of(s, execute::run_one(s, r as u64, QueueKind::default(), self.progress)?.results))
            })
            .collect::<Result<_, OutOfMemory>>()?;
        for (i, f) in missing.into_iter().zip(new) {
            self.kept[i].push(f);
        }
        scenarios
            .iter()
            .map(|&i| {
                self.kept[i][r].headline.get(self.figure).ok_or_else(|| {
                    anyhow::anyhow!(
                        "{} is undefined in replication {r} of {}: nothing to select on",
                        self.figure.name(),
                        self.list[i].name
                    )
                })
            })
            .collect()
    }
}
