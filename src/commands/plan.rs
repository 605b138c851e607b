//! `surgesim plan`: the least value of one scenario key (or with `--most`
//! the greatest) at which every target holds, at a stated confidence; or
//! with one `==` target, the value at which a figure hits a number
//! (calibration). See `stats::plan` for the method and its guarantee.
//!
//! The key's values: whole numbers when the key takes only whole numbers
//! (the loader refuses a fraction there), numbers at `--resolution`
//! otherwise, or durations (`10m..2h`, searched in seconds).
//!
//! Refused before anything runs (exit code 2): a `--set` of the key varied
//! (or of a key inside it, or of one of linked keys `a+b`), which every
//! value tried would overwrite, as `sweep` refuses it; and a `==` target
//! with another target, which calibration cannot weigh.
//!
//! The default folder is named from the question: the same question (the
//! key and range, the targets, `--most`, confidence, resolution, budget and
//! the scenario's changes) lands in the same folder, another never replaces
//! it.

use super::args::{parse_scale, ChartArgs, RunFlags};
use super::key::{parse_key, Key};
use super::progress::Progress;
use super::{execute, outln, tell, CliError};
use crate::limits::{self, Keeps};
use crate::report::{self, output};
use crate::scenario::grid::{Grid, Vary};
use crate::scenario::{self, CohortNames, Scenario};
use crate::stats::plan::{self as search, Op, Settings, Target};
use crate::stats::Measure;
use crate::stats::{RunFigures, Value};
use anyhow::Result;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario file (TOML), or - for standard input.
    scenario: PathBuf,
    /// The key and its range: KEY=LO..HI, like backend.max_sessions=10..100
    /// or clients.patience.mean=5m..2h.
    #[arg(long, value_name = "KEY=LO..HI")]
    vary: String,
    /// A target every answer must meet: 'FIGURE <= VALUE', 'FIGURE >= VALUE'
    /// (repeatable), or one 'FIGURE == VALUE' to calibrate. FIGURE is a
    /// headline figure of summary.json, a figure at a clock time
    /// (queue_at_2021-07-20T02:00, booked_by_..., see docs/scenario.md) or
    /// a cohort's (cohort."50-52".wait_p90_s); waits in seconds or as
    /// durations (30m), shares from 0 to 1 or in percent (60%).
    #[arg(long = "target", value_name = "'FIGURE OP VALUE'", required = true)]
    targets: Vec<Target>,
    /// The greatest value meeting every target (e.g. the most people a
    /// night can take) instead of the least.
    #[arg(long)]
    most: bool,
    /// Probability that the value given meets every target.
    #[arg(long, default_value_t = 0.95, value_parser = parse_confidence)]
    confidence: f64,
    /// Simulated runs in all, at most.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(4..=100_000))]
    max_runs: u32,
    /// Smallest step of the key, for keys that take fractions (default: a
    /// thousandth of the range; 1 second for durations).
    #[arg(long, value_name = "STEP")]
    resolution: Option<String>,
    /// Replications given to a value at first, and at each round after
    /// (two are the least that give an interval; a value on the fence gets
    /// more, round by round).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(2..=1000))]
    batch: u32,
    /// Run the night at this fraction of its size (see `run --scale`).
    #[arg(long, value_name = "FACTOR", value_parser = parse_scale)]
    scale: Option<f64>,
    /// Output folder [default: outputs/<scenario name>-<8 hex digits>-plan,
    /// the digits a CRC-32 of the question].
    #[arg(long)]
    out: Option<PathBuf>,
    /// --set, --unset, --quiet (the answer is still printed), --allow-large.
    #[command(flatten)]
    flags: RunFlags,
    #[command(flatten)]
    charts: ChartArgs,
}

fn parse_confidence(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(c) if c > 0.5 && c < 1.0 => Ok(c),
        _ => Err(format!("found \"{text}\", expected a probability above 0.5 and below 1, like 0.95")),
    }
}

pub fn plan(a: Args) -> Result<(), CliError> {
    let changes = a.flags.changes();
    check_targets(&a.targets)?;
    let names = check_set(&a.vary, &a.scenario, changes)?;
    let key = parse_key("--vary", &a.vary, a.resolution.as_deref(), &a.scenario, changes)?;
    let (mut base, _) = load_at(&a.scenario, changes, &key, key.domain.lo, a.scale, &a.targets)?;
    // The plan's own changes are the user's --set; the key is the answer.
    base.origin.set = a.flags.set.clone();
    let runs = [(&base, u64::from(a.max_runs))];
    let guard = limits::check_command(&runs, Keeps::Summaries, execute::threads(), a.flags.allow_large)?;
    if let Some(note) = guard.time_note().filter(|_| !a.flags.quiet) {
        eprintln!("note: {note}");
    }
    let dir = a.out.clone().unwrap_or_else(|| default_dir(&a, &key, &names, &base));
    let claim = super::claim(&dir, "plan")?;
    let bar = Progress::jobs(u64::from(a.max_runs), "runs (at most)", a.flags.quiet);
    let mut oracle =
        Runs { path: &a.scenario, changes, key: &key, scale: a.scale, targets: &a.targets, progress: &bar };
    let settings =
        Settings { confidence: a.confidence, most: a.most, max_runs: a.max_runs as usize, batch: a.batch as usize };
    let outcome = execute::within(&guard, || search::search(&a.targets, key.domain, settings, &mut oracle))?;
    bar.finish();
    let plan = report::plan::PlanReport {
        scenario: &base,
        key: &key.name,
        value_text: outcome.value.map(|x| key.text(x)),
        domain: key.domain,
        most: a.most,
        confidence: a.confidence,
        targets: &a.targets,
        outcome: &outcome,
        text: &|x| key.text(x),
    };
    tell(&claim.write(&report::plan::render(&plan, &a.charts.options())?)?, a.flags.quiet);
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    outln!("{}", report::plan::answer_line(&plan))?;
    if !a.flags.quiet {
        outln!("  wrote {}", output::shown(&dir))?;
    }
    Ok(())
}

/// The scenario with the key at `x`, sampling the instants the targets
/// name, and the targets' figures held against it.
fn load_at(
    path: &Path,
    changes: scenario::Changes,
    key: &Key,
    x: f64,
    scale: Option<f64>,
    targets: &[Target],
) -> Result<(Scenario, Vec<Measure>), CliError> {
    super::key::load_at(path, changes, std::slice::from_ref(key), &[x], scale, |s| {
        let resolve = |t: &Target| {
            Measure::resolve(&t.figure, s).map_err(|e| CliError::Usage(format!("--target {}: {e}", t.figure)))
        };
        targets.iter().map(resolve).collect()
    })
}

/// The value of each target's figure in one run, at the night's full
/// size: a target is about the night, so at `--scale F` a count (and a time
/// average of people) is divided by F, as `observed.csv` and `calibrate`
/// compare them.
fn target_values(s: &Scenario, run: &RunFigures, measures: &[Measure]) -> Vec<Value> {
    let scale = s.origin.scale.unwrap_or(1.0);
    measures.iter().map(|m| m.value(s, run).map(|v| m.at_full_size(v, scale))).collect()
}

/// A `==` target goes alone: calibration finds where one figure hits one
/// number, and has no way to weigh it against another target.
fn check_targets(targets: &[Target]) -> Result<(), CliError> {
    if targets.len() > 1 {
        if let Some(t) = targets.iter().find(|t| t.op == Op::Equal) {
            return Err(CliError::Usage(format!(
                "--target '{t}': a `==` target (calibration) goes alone, found {} targets; give one `==`, or \
                 only `<=` and `>=` targets",
                targets.len()
            )));
        }
    }
    Ok(())
}

/// Refuse a `--set` that every value tried would overwrite: of the key
/// varied, a key inside it or one of linked keys, compared as `sweep`
/// compares them (cohort names and indices are one key). The cohorts'
/// names, for the folder's name.
fn check_set(vary: &str, path: &Path, changes: scenario::Changes) -> Result<CohortNames, CliError> {
    let names = scenario::cohort_names(path, changes).unwrap_or_default();
    let Some((key, range)) = vary.split_once('=') else { return Ok(names) };
    let varied = [Vary { key: key.trim().to_string(), values: vec![range.trim().to_string()] }];
    let grid = Grid { vary: &varied };
    let canon = |key: &str| names.canonical(key);
    grid.check_with(&canon)?;
    for set in changes.set {
        grid.check_set_with(set, &canon)?;
    }
    Ok(names)
}

/// The default folder: `outputs/<name>-<8 hex digits>-plan`, the digits a
/// CRC-32 of the question, by `output::default_dir_of` as `run` names a
/// what-if: the question's terms are put among the scenario's changes. Each
/// term as the search reads it (the key's range as numbers, the targets
/// parsed and in one order, a cohort by its index), so that one question
/// spelled two ways lands in one folder.
fn default_dir(a: &Args, key: &Key, names: &CohortNames, base: &Scenario) -> PathBuf {
    let d = key.domain;
    let name: Vec<String> = key.name.split('+').map(|k| names.canonical(k)).collect();
    let mut targets: Vec<String> = a.targets.iter().map(|t| format!("--target {t}")).collect();
    targets.sort();
    let mut question = vec![
        format!("--vary {}={:?}..{:?} step {:?}", name.join("+"), d.lo, d.hi, d.step),
        format!("--most {}", a.most),
        format!("--confidence {:?}", a.confidence),
        format!("--max-runs {} --batch {}", a.max_runs, a.batch),
    ];
    question.extend(targets);
    question.extend(a.flags.set.iter().cloned());
    output::default_dir_of_question(base, question, "-plan")
}

/// The oracle of the search: replications of the scenario at a key value,
/// in parallel, each on the random stream of its index.
struct Runs<'a> {
    path: &'a Path,
    changes: scenario::Changes<'a>,
    key: &'a Key,
    scale: Option<f64>,
    targets: &'a [Target],
    progress: &'a Progress,
}

impl search::Oracle for Runs<'_> {
    fn runs(&mut self, x: f64, from: usize, to: usize) -> Result<Vec<Vec<Value>>> {
        let (s, measures) = load_at(self.path, self.changes, self.key, x, self.scale, self.targets)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok((from as u64..to as u64)
            .into_par_iter()
            .map(|r| {
                let outcome = crate::batch::run(&s, r, crate::QueueKind::default(), self.progress)?;
                Ok(target_values(&s, &RunFigures::of(&s, outcome.results), &measures))
            })
            .collect::<Result<_, crate::engine::OutOfMemory>>()?)
    }

    fn show(&self, x: f64) -> String {
        self.key.text(x)
    }
}
