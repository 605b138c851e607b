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
    },
    /// Check scenarios without running them; every problem is listed.
    Validate {
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
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
        Command::Run {
            scenario,
            out,
            seed,
            set,
            quiet,
        } => {
            let mut s = scenario::load(&scenario, &set)?;
            if let Some(seed) = seed {
                s.seed = seed;
            }
            let outcome = crate::simulate(&s, 0);
            let files = report::render(&s, &outcome.results)?;
            let dir = out.unwrap_or_else(|| output::default_dir(&s.name));
            output::write_folder(&dir, &files)?;
            if !quiet {
                print!("{}", report::headline(&s, &outcome.results));
                println!("  wrote {}", dir.display());
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
