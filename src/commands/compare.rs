//! `surgesim compare`: several scenarios run side by side (in parallel,
//! results in input order), one table row and one line per chart each.

use super::args::{ChartArgs, RunFlags};
use super::progress::Progress;
use super::{out, outln, tell, CliError};
use crate::report::{self, output};
use crate::scenario::{self, Scenario};
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
    for s in &list {
        scenario::limits::check(s, 1, a.flags.allow_large)?;
    }
    let claim = output::claim(&a.out, "compare")?;
    let bar = Progress::jobs(list.len() as u64, "scenarios", a.flags.quiet);
    let runs = run_all(&list, &bar);
    bar.finish();
    tell(&claim.write(&report::compare::render(&list, &runs, &a.charts.options())?)?, a.flags.quiet);
    if !a.flags.quiet {
        out!("{}", report::compare::headline(&list, &runs))?;
        outln!("  wrote {}", a.out.display())?;
    }
    Ok(())
}

/// Run every scenario (replication 0, as `run` does), in parallel; the
/// results are in the order of `scenarios`.
pub fn run_all(scenarios: &[Scenario], progress: &Progress) -> Vec<RunFigures> {
    scenarios
        .par_iter()
        .map(|s| {
            let figures = RunFigures::of(s, crate::simulate(s, 0).results);
            progress.inc();
            figures
        })
        .collect()
}
