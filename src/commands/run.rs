//! `surgesim run`: one scenario, once or as R replications, into one
//! folder of tables, charts and `report.md`.

use super::args::{parse_scale, ChartArgs, RunFlags};
use super::progress::Progress;
use super::{execute, out, outln, tell, CliError};
use crate::batch;
use crate::limits::{self, Keeps};
use crate::report::{self, output};
use crate::scenario::Scenario;
use crate::stats::RunFigures;
use crate::QueueKind;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario file (TOML), or - to read it from standard input.
    scenario: PathBuf,
    /// Output folder [default: outputs/<scenario name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Override the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Run the night at this fraction of its size (people, capacities,
    /// rates, inventories): 0.01 for a quick preview.
    #[arg(long, value_name = "FACTOR", value_parser = parse_scale)]
    scale: Option<f64>,
    /// Future-event list to run on (for benchmarks; all give the same results).
    #[arg(long, hide = true, value_enum, default_value_t = QueueKind::Radix)]
    queue: QueueKind,
    /// Independent replications, run in parallel; tables and summary then
    /// give means with 95 % confidence intervals.
    #[arg(long, short = 'r', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    replications: u32,
    /// Print summary.json on standard output instead of the headline (no
    /// progress bar; the folder is written as always).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    flags: RunFlags,
    #[command(flatten)]
    charts: ChartArgs,
}

pub fn run(a: Args) -> Result<(), CliError> {
    // Observations naming no figure are bad input like any other scenario
    // problem, refused before anything is claimed or run.
    let mut s = a.flags.load(&a.scenario)?;
    if let Some(seed) = a.seed {
        s.seed = seed;
        s.origin.set.push(format!("scenario.seed={seed}"));
    }
    if let Some(f) = a.scale {
        s = s.scaled(f);
    }
    let keeps = if a.replications > 1 { Keeps::Replications } else { Keeps::Results };
    let guard =
        limits::check_command(&[(&s, u64::from(a.replications))], keeps, execute::threads(), a.flags.allow_large)?;
    let dir = a.out.unwrap_or_else(|| output::default_dir_of(&s, ""));
    // Claimed before the run: a folder that cannot take the result is
    // refused before any time is spent on it.
    let claim = super::claim(&dir, "run")?;
    let runs = simulate(&s, a.replications as usize, a.queue, a.flags.quiet || a.json, &guard)?;
    let files = report::render(&s, &runs, &a.charts.options())?;
    tell(&claim.write(&files)?, a.flags.quiet);
    if a.json {
        // The very bytes written to the folder: one shape for scripts.
        let summary = files.iter().find(|(name, _)| name == "summary.json").map(|(_, b)| b.as_slice());
        out!("{}", String::from_utf8_lossy(summary.unwrap_or_default()))?;
    } else if !a.flags.quiet {
        if let [one] = &runs[..] {
            out!("{}", report::headline(&s, &one.headline, &one.milestones))?;
        } else {
            out!(
                "{}",
                report::headline(&s, &report::combined_headline(&runs), &report::tables::milestones_combined(&runs))
            )?;
            outln!("  ({} replications: means, 95 % intervals in brackets)", runs.len())?;
        }
        if let Some(note) = crate::scenario::due::note(&s) {
            outln!("  note: {note}")?;
        }
        outln!("  wrote {}", output::shown(&dir))?;
    }
    Ok(())
}

/// One run with a bar over its simulated clock, or replications with a
/// bar over their count, on as many threads as the size guard allows.
fn simulate(
    s: &Scenario,
    replications: usize,
    queue: QueueKind,
    quiet: bool,
    guard: &limits::Budget,
) -> Result<Vec<RunFigures>, CliError> {
    if replications > 1 {
        let bar = Progress::jobs(replications as u64, "replications", quiet);
        let runs = execute::within(guard, || batch::replications(s, replications, queue, &bar))?;
        bar.finish();
        return Ok(runs);
    }
    let bar = Progress::clock(s, quiet);
    let outcome =
        crate::simulate_observed(s, 0, queue, &|t| bar.clock_at(t)).map_err(|e| execute::estimated(e.into(), guard))?;
    bar.finish();
    Ok(vec![RunFigures::of(s, outcome.results)])
}
