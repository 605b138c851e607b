//! The command line: parse arguments, run the pipeline, map failures to
//! exit codes (0 success, 2 bad input, 1 anything else).

use crate::report::{self, output};
use crate::scenario::{self, ScenarioError};
use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

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
}

/// Chart options shared by `run` and `compare`.
#[derive(clap::Args, Debug, Clone)]
pub struct ChartArgs {
    /// Write no charts (tables and report.md only).
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
        Command::Run { scenario, out, seed, set, quiet, scale, queue, charts } => {
            let mut s = scenario::load(&scenario, &set)?;
            if let Some(seed) = seed {
                s.seed = seed;
            }
            if let Some(f) = scale {
                s = s.scaled(f);
            }
            let outcome = crate::simulate_on(&s, 0, queue.into());
            let files = report::render_with(&s, &outcome.results, &charts.options())?;
            let dir = out.unwrap_or_else(|| output::default_dir(&s.name));
            output::write_folder(&dir, &files)?;
            if !quiet {
                print!("{}", report::headline(&s, &outcome.results));
                println!("  wrote {}", dir.display());
            }
            Ok(())
        }
        Command::Compare { scenarios, out, set, quiet, charts } => {
            let list = scenarios.iter().map(|p| scenario::load(p, &set)).collect::<Result<Vec<_>, _>>()?;
            let results = crate::compare::run_all(&list);
            let files = crate::compare::render(&list, &results, &charts.options())?;
            output::write_folder(&out, &files)?;
            if !quiet {
                print!("{}", crate::compare::headline(&list, &results));
                println!("  wrote {}", out.display());
            }
            Ok(())
        }
        Command::Validate { scenarios, set } => {
            let mut first_err = None;
            for path in scenarios {
                match scenario::load(&path, &set) {
                    Ok(s) => println!(
                        "{}: ok ({} cohorts, {} people)",
                        path.display(),
                        s.cohorts.len(),
                        s.cohorts.iter().map(|c| c.people).sum::<u64>()
                    ),
                    Err(e) => {
                        eprintln!("error: {e}");
                        first_err.get_or_insert(e);
                    }
                }
            }
            match first_err {
                Some(e) => Err(CliError::Input(e)),
                None => Ok(()),
            }
        }
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
