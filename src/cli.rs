//! The command line: parse arguments, run the pipeline, map failures to
//! exit codes (0 success, 2 bad input, 1 anything else).

use crate::engine::{fmt_bytes, OutOfMemory};
use crate::progress::Progress;
use crate::report::{self, output};
use crate::scenario::limits::{self, Keeps, Plan};
use crate::scenario::{self, ScenarioError};
use anyhow::Result;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

/// `print!` and `println!` that do not panic on a closed standard output
/// (`surgesim run x.toml | head -1`): see `say`.
macro_rules! out {
    ($($arg:tt)*) => { say(format_args!($($arg)*)) };
}
macro_rules! outln {
    ($($arg:tt)*) => { say(format_args!("{}\n", format_args!($($arg)*))) };
}

#[derive(Parser, Debug)]
#[command(name = "surgesim", version, about = "Discrete-event simulator of booking-day surges", long_about = None,
          after_help = "Exit codes: 0 success, 2 bad input (scenario or arguments), 1 any other failure.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario and write its tables to a folder.
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Output folder [default: outputs/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Override any scenario key: --set waiting_room.max_active=100 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Run the night at this fraction of its size (people, capacities,
        /// rates, inventories): 0.01 for a quick preview.
        #[arg(long, value_name = "FACTOR", value_parser = parse_scale)]
        scale: Option<f64>,
        /// Future-event list to run on (for benchmarks; all give the same results).
        #[arg(long, hide = true, value_enum, default_value_t = QueueArg::Radix)]
        queue: QueueArg,
        /// Run even a scenario past the size limits (people, bins, events, memory).
        #[arg(long)]
        allow_large: bool,
        /// Independent replications, run in parallel; tables and summary then
        /// give means with 95 % confidence intervals.
        #[arg(long, short = 'r', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        replications: u32,
        #[command(flatten)]
        charts: ChartArgs,
    },
    /// Run a grid of variants of one scenario: sweep.csv, one row per point.
    Sweep {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// A key and its values, key=v1,v2,... (repeatable; the grid is every combination).
        #[arg(long, required = true, value_name = "KEY=V1,V2,...")]
        vary: Vec<crate::sweep::Vary>,
        /// Override a key at every point (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Replications per point.
        #[arg(long, short = 'r', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        replications: u32,
        /// Run only shard i of n (points p with p mod n = i), for a job array.
        #[arg(long, value_name = "I/N")]
        shard: Option<crate::sweep::Shard>,
        /// Output folder [default: outputs/<scenario name>-sweep, or -shard-I-of-N].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Run points larger than the size guard allows.
        #[arg(long)]
        allow_large: bool,
        // Charts: one sweep-<key> chart per varied key (a shard draws none; merge draws them).
        #[command(flatten)]
        charts: ChartArgs,
    },
    /// Merge the folders of a sharded sweep into the sweep an unsharded run writes.
    Merge {
        /// The shard folders, in any order.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        charts: ChartArgs,
    },
    /// Run several scenarios side by side: compare.csv, overlay charts and
    /// report.md in one folder.
    Compare {
        /// The scenario files (TOML), two or more.
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, default_value = crate::compare::DEFAULT_DIR)]
        out: PathBuf,
        /// Override a key in every scenario (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Run even scenarios past the size limits (people, bins, events, memory).
        #[arg(long)]
        allow_large: bool,
        #[command(flatten)]
        charts: ChartArgs,
    },
    /// Check scenarios without running them; every problem is listed.
    Validate {
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// Print a commented scenario to start from: surgesim new > my.toml
    New {
        /// Which template.
        #[arg(long, value_enum, default_value_t = scenario::template::Preset::Kdca)]
        preset: scenario::template::Preset,
    },
}

/// Chart options shared by `run`, `compare`, `sweep` and `merge`.
#[derive(clap::Args, Debug, Clone)]
pub struct ChartArgs {
    /// Write no charts (only the tables, and report.md where there is one).
    #[arg(long)]
    pub no_charts: bool,
    /// File format of the charts.
    #[arg(long, value_enum, default_value_t = report::ChartFormat::Png)]
    pub chart_format: report::ChartFormat,
}

impl ChartArgs {
    pub fn options(&self) -> report::ReportOptions {
        report::ReportOptions { charts: !self.no_charts, format: self.chart_format }
    }
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum QueueArg {
    Heap,
    Radix,
    Calendar,
}

impl From<QueueArg> for crate::QueueKind {
    fn from(q: QueueArg) -> Self {
        match q {
            QueueArg::Heap => crate::QueueKind::Heap,
            QueueArg::Radix => crate::QueueKind::Radix,
            QueueArg::Calendar => crate::QueueKind::Calendar,
        }
    }
}

fn parse_scale(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if f > 0.0 && f.is_finite() => Ok(f),
        _ => Err(format!("found \"{text}\", expected a factor above 0, like 0.01")),
    }
}

/// Failures sorted by exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The user's input is wrong: exit code 2.
    #[error(transparent)]
    Input(#[from] ScenarioError),
    /// Anything else: exit code 1.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) => 2,
            CliError::Other(_) => 1,
        }
    }
}

pub fn main_with(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run { scenario, out, seed, set, quiet, scale, queue, allow_large, replications, charts } => {
            let mut s = scenario::load(&scenario, &set)?;
            if let Some(seed) = seed {
                s.seed = seed;
            }
            if let Some(f) = scale {
                s = s.scaled(f);
            }
            let keeps = if replications > 1 { Keeps::Replications } else { Keeps::Results };
            let plan = limits::check_command(&[(&s, u64::from(replications))], keeps, threads(), allow_large)?;
            let dir = out.unwrap_or_else(|| output::default_dir(&s.name));
            if replications > 1 {
                let bar = Progress::jobs(u64::from(replications), "replications", quiet);
                let runs = within(&plan, || crate::replicate::run(&s, replications as usize, &bar))?;
                bar.finish();
                let files = crate::replicate::render(&s, &runs, &charts.options())?;
                output::write_folder(&dir, &files)?;
                if !quiet {
                    out!("{}", report::headline(&s, &runs[0]))?;
                    outln!("  (replication 0 of {replications}; tables, charts, report.md: means, 95 % intervals)")?;
                    outln!("  wrote {}", dir.display())?;
                }
                return Ok(());
            }
            let bar = Progress::clock(&s, quiet);
            let outcome = crate::simulate_observed(&s, 0, queue.into(), &|t| bar.clock_at(t))
                .map_err(|e| estimated(e.into(), &plan))?;
            bar.finish();
            let files = report::render_with(&s, &outcome.results, &charts.options())?;
            output::write_folder(&dir, &files)?;
            if !quiet {
                out!("{}", report::headline(&s, &outcome.results))?;
                outln!("  wrote {}", dir.display())?;
            }
            Ok(())
        }
        Command::Sweep { scenario, vary, set, replications, shard, out, quiet, allow_large, charts } => {
            let name = scenario.file_stem().map_or("sweep".into(), |n| n.to_string_lossy().to_string());
            let plan = crate::sweep::Plan::new(&name, vary, replications as usize, shard);
            // Every point is a scenario in memory: first, the sweep as if
            // each were like the first, before loading them all.
            if let Some(&p) = plan.my_points().first() {
                let mut sets = set.clone();
                sets.extend(plan.point(p).into_iter().map(|(k, v)| format!("{k}={v}")));
                let first = scenario::load(&scenario, &sets)?;
                let n = plan.my_points().len();
                let runs = vec![(&first, plan.replications as u64); n];
                limits::check_command(&runs, Keeps::Summaries, threads(), allow_large)?;
            }
            let points = crate::sweep::load_points(&scenario, &set, &plan)?;
            // The whole sweep at once: every point's runs, and what each keeps.
            let runs: Vec<(&scenario::Scenario, u64)> =
                points.iter().map(|(_, s)| (s, plan.replications as u64)).collect();
            let guard = limits::check_command(&runs, Keeps::Summaries, threads(), allow_large)?;
            let bar = Progress::jobs((points.len() * plan.replications) as u64, "runs", quiet);
            let rows = within(&guard, || crate::sweep::run(&plan, &points, &bar))?;
            bar.finish();
            let dir = out.unwrap_or_else(|| {
                let base = points.first().map_or(name.clone(), |(_, s)| s.name.clone());
                match shard {
                    None => output::default_dir(&format!("{base}-sweep")),
                    Some(sh) => output::default_dir(&format!("{base}-sweep-shard-{}-of-{}", sh.index, sh.count)),
                }
            });
            output::write_folder(&dir, &crate::sweep::render(&plan, &rows, &charts.options())?)?;
            if !quiet {
                outln!("{} points x {} replications", rows.len(), plan.replications)?;
                outln!("  wrote {}", dir.display())?;
            }
            Ok(())
        }
        Command::Merge { shards, out, charts } => {
            output::write_folder(&out, &crate::sweep::merge(&shards, &charts.options())?)?;
            Ok(())
        }
        Command::Compare { scenarios, out, set, quiet, allow_large, charts } => {
            let list = scenarios.iter().map(|p| scenario::load(p, &set)).collect::<Result<Vec<_>, _>>()?;
            let runs: Vec<(&scenario::Scenario, u64)> = list.iter().map(|s| (s, 1)).collect();
            let plan = limits::check_command(&runs, Keeps::Results, threads(), allow_large)?;
            let bar = Progress::jobs(list.len() as u64, "scenarios", quiet);
            let results = within(&plan, || crate::compare::run_all(&list, &bar))?;
            bar.finish();
            let files = crate::compare::render(&list, &results, &charts.options())?;
            output::write_folder(&out, &files)?;
            if !quiet {
                out!("{}", crate::compare::headline(&list, &results))?;
                outln!("  wrote {}", out.display())?;
            }
            Ok(())
        }
        Command::Validate { scenarios, set } => {
            let mut first_err = None;
            for path in scenarios {
                match scenario::load(&path, &set) {
                    Ok(s) => {
                        outln!("{}: ok ({} cohorts, {} people)", path.display(), s.cohorts.len(), s.size().people)?;
                        if let Err(e) = limits::check(&s, 1, false) {
                            outln!("  note: {e}")?;
                        }
                    }
                    Err(e) => {
                        // Nobody reading the errors is no reason to panic.
                        let _ = writeln!(std::io::stderr(), "error: {e}");
                        first_err.get_or_insert(e);
                    }
                }
            }
            match first_err {
                Some(e) => Err(CliError::Input(e)),
                None => Ok(()),
            }
        }
        Command::New { preset } => out!("{}", preset.text()),
    }
}

/// Runs that could go at once: the thread pool's size.
fn threads() -> usize {
    rayon::current_num_threads()
}

/// Run `work` on at most `plan.threads` threads (the size guard's choice,
/// so that the runs at once fit in memory); an out-of-memory error gets
/// the guard's estimate.
fn within<T: Send, E: Into<anyhow::Error> + Send>(
    plan: &Plan,
    work: impl FnOnce() -> Result<T, E> + Send,
) -> Result<T, CliError> {
    let result = if plan.threads >= threads() {
        work()
    } else {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(plan.threads).build().map_err(anyhow::Error::from)?;
        pool.install(work)
    };
    result.map_err(|e| estimated(e.into(), plan))
}

/// An error, with the size guard's estimate if it is for want of memory:
/// "out of memory: could not hold N queued people (X); the size guard
/// estimated Y".
fn estimated(e: anyhow::Error, plan: &Plan) -> CliError {
    match e.downcast_ref::<OutOfMemory>() {
        Some(oom) => CliError::Other(anyhow::anyhow!("{oom}; the size guard estimated {}", fmt_bytes(plan.memory))),
        None => CliError::Other(e),
    }
}

/// Write to standard output. A closed pipe (`surgesim run x.toml | head -1`)
/// means nobody wants the rest: not an error, and not a panic as with
/// `println!`. Other failures (a full disk) are errors.
fn say(text: std::fmt::Arguments) -> Result<(), CliError> {
    match std::io::stdout().lock().write_fmt(text) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Other(anyhow::Error::new(e).context("could not write to standard output")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
