//! `surgesim compare`: several scenarios run side by side (in parallel,
//! results in input order), one table row and one line per chart each.

use super::args::{ChartArgs, RunFlags};
use super::progress::Progress;
use super::{execute, out, outln, tell, CliError};
use crate::engine::OutOfMemory;
use crate::report::{self, output};
use crate::scenario::limits::{self, Keeps};
use crate::scenario::Scenario;
use crate::stats::RunFigures;
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
    #[command(flatten)]
    flags: RunFlags,
    #[command(flatten)]
    charts: ChartArgs,
}

pub fn compare(a: Args) -> Result<(), CliError> {
    let list = a.scenarios.iter().map(|p| a.flags.load(p)).collect::<Result<Vec<_>, _>>()?;
    let runs: Vec<(&Scenario, u64)> = list.iter().map(|s| (s, 1)).collect();
    let guard = limits::check_command(&runs, Keeps::Results, execute::threads(), a.flags.allow_large)?;
    let claim = output::claim(&a.out, "compare")?;
    let bar = Progress::jobs(list.len() as u64, "scenarios", a.flags.quiet);
    let runs = execute::within(&guard, || run_all(&list, &bar))?;
    bar.finish();
    tell(&claim.write(&report::compare::render(&list, &runs, &a.charts.options())?)?, a.flags.quiet);
    if !a.flags.quiet {
        out!("{}", report::compare::headline(&list, &runs))?;
        outln!("  wrote {}", a.out.display())?;
    }
    Ok(())
}

/// Run every scenario (replication 0, as `run` does), in parallel; the
/// results are in the order of `scenarios`, or an error if one ran out of
/// memory.
pub fn run_all(scenarios: &[Scenario], progress: &Progress) -> Result<Vec<RunFigures>, OutOfMemory> {
    scenarios
        .par_iter()
        .map(|s| {
            let figures = RunFigures::of(s, crate::try_simulate(s, 0)?.results);
            progress.inc();
            Ok(figures)
        })
        .collect()
}
