//! The command line: what the user typed (`Cli`), one function per
//! subcommand (`run`, `compare`, `sweep`, `merge`, `validate`, `new`), and
//! the mapping of failures to exit codes (0 success, 2 bad input, 1
//! anything else). The top of the pipeline: it calls everything below it
//! and nothing calls it but `main`.

mod args;
mod calibrate;
pub mod compare;
mod complete;
mod execute;
mod interrupt;
mod key;
mod manual;
pub mod merge;
mod plan;
pub mod progress;
mod run;
pub mod sweep;
mod validate;

pub use args::{ChartArgs, RunFlags};

use crate::report::output;
use crate::scenario::grid::GridError;
use crate::scenario::ScenarioError;
use clap::{Parser, Subcommand};
use merge::MergeError;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

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
    Run(run::Args),
    /// Run a grid of variants of one scenario: sweep.csv, one row per point.
    Sweep(sweep::Args),
    /// Merge the folders of a sharded sweep into the sweep an unsharded run writes.
    Merge(merge::Args),
    /// Run several scenarios side by side: compare.csv, overlay charts and
    /// report.md in one folder.
    Compare(compare::Args),
    /// The least value of a key (or with --most the greatest) at which every
    /// target holds, at a stated confidence; or with one == target, the
    /// value at which a figure hits a number.
    Plan(plan::Args),
    /// Fit several keys to the scenario's observations ([[observed]]) at
    /// once, each with an interval; held-out observations checked out of
    /// sample; writes calibrated.toml, runnable as it is.
    Calibrate(calibrate::Args),
    /// Check scenarios without running them; every problem is listed.
    Validate(validate::Args),
    /// Print a commented scenario to start from: surgesim new > my.toml
    New(validate::NewArgs),
    /// Print a shell completion script, which offers scenario keys after
    /// --set/--vary/--fit and figure names after --target:
    /// surgesim completions bash > ~/.local/share/bash-completion/completions/surgesim
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): every command and option, every scenario
    /// key, every output. surgesim man > ~/.local/share/man/man1/surgesim.1
    Man,
}

/// Failures sorted by exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The user's input is wrong: exit code 2.
    #[error(transparent)]
    Input(#[from] ScenarioError),
    /// The output folder cannot be used or written: its own code (2 for a
    /// bad path or a folder surgesim may not replace, 1 for a busy folder
    /// or a disk error).
    #[error(transparent)]
    Output(#[from] output::OutputError),
    /// Arguments that cannot be used, said in a sentence: exit code 2.
    #[error("{0}")]
    Usage(String),
    /// A sweep's `--vary` and `--set` would have a value silently not
    /// count: exit code 2.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// A merge's shard folders do not make one sweep, or `--out` is one of
    /// them: exit code 2.
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// Anything else: exit code 1.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
    /// A failure whose messages were printed as they came (`validate`
    /// reports each file's problems on its way): only its exit code is left.
    #[error("exit code {0}, messages already printed")]
    Printed(i32),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) | CliError::Usage(_) | CliError::Grid(_) | CliError::Merge(_) => 2,
            CliError::Output(e) => e.exit_code(),
            CliError::Other(_) => 1,
            CliError::Printed(code) => *code,
        }
    }
}

/// Run the subcommand.
pub fn main_with(cli: Cli) -> Result<(), CliError> {
    interrupt::install();
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Sweep(a) => sweep::sweep(a),
        Command::Merge(a) => merge::merge(a),
        Command::Compare(a) => compare::compare(a),
        Command::Plan(a) => plan::plan(a),
        Command::Calibrate(a) => calibrate::calibrate(a),
        Command::Validate(a) => validate::validate(a),
        Command::New(a) => validate::new(a),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
    }
}

/// A completion script for `shell`, from the command line's definition,
/// offering scenario keys and figure names where options take them
/// (`complete`).
fn completions(shell: clap_complete::Shell) -> Result<(), CliError> {
    let mut bytes = Vec::new();
    let mut cmd = complete::with_candidates(<Cli as clap::CommandFactory>::command());
    clap_complete::generate(shell, &mut cmd, "surgesim", &mut bytes);
    out!("{}", String::from_utf8_lossy(&bytes))
}

/// The manual page, in roff (`manual`).
fn man() -> Result<(), CliError> {
    let page = manual::page(<Cli as clap::CommandFactory>::command())
        .map_err(|e| CliError::Other(anyhow::Error::new(e).context("could not render the manual page")))?;
    out!("{page}")
}

/// Claim an output folder (see `report::output`) and say what Ctrl-C
/// would keep from now on: nothing written, the folder as it was.
fn claim(dir: &std::path::Path, command: &str) -> Result<output::Claim, CliError> {
    let claim = output::claim(dir, command)?;
    interrupt::on_interrupt(format!("nothing was written; '{}' is as it was", output::shown(dir)));
    Ok(claim)
}

/// Whether standard output was closed when the process started: set by
/// the binary, which alone can look before Rust's runtime puts `/dev/null`
/// in place of a closed descriptor (after which writes succeed, unread).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Tell `say` that standard output was closed at the start (`surgesim new >&-`).
pub fn stdout_was_closed() {
    STDOUT_CLOSED.store(true, Ordering::Relaxed);
}

/// Why standard output cannot take what was asked for: exit code 1.
fn unwritten(e: std::io::Error) -> CliError {
    CliError::Other(anyhow::Error::new(e).context("could not write to standard output"))
}

/// Write to standard output. Output asked for that reaches nobody is a
/// failure (exit code 1, one line on stderr), never a silent success nor
/// a panic as with `println!`: a pipe whose reader is gone
/// (`surgesim run --json x.toml | false`), a descriptor closed or open only
/// for reading, a full disk. The folder a command writes is written first,
/// and stays. The text goes out through a duplicate of the descriptor:
/// the standard library's `Stdout` takes "bad descriptor" for success.
fn say(text: std::fmt::Arguments) -> Result<(), CliError> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Err(unwritten(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "it was closed")));
    }
    let text = std::fmt::format(text);
    // Held while writing: one writer at a time, as `print!` has it.
    let stdout = std::io::stdout().lock();
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let mut file = std::fs::File::from(stdout.as_fd().try_clone_to_owned().map_err(unwritten)?);
        file.write_all(text.as_bytes()).map_err(unwritten)
    }
    #[cfg(not(unix))]
    {
        let mut stdout = stdout;
        stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).map_err(unwritten)
    }
}

/// Print on stderr what the output folder's write wants the user to know.
/// A result kept or put back beside the folder (a dead run's finished
/// outputs, previous outputs moved aside) is named even with `quiet`: a
/// finished result is never left behind unnamed. `quiet` hides the rest.
fn tell(notes: &[output::Note], quiet: bool) {
    let mut stderr = std::io::stderr().lock();
    for note in notes {
        let names_a_result = matches!(
            note,
            output::Note::KeptFinished { .. } | output::Note::KeptPrevious { .. } | output::Note::Restored { .. }
        );
        if names_a_result || !quiet {
            let _ = writeln!(stderr, "note: {note}");
        }
    }
}

/// `print!` and `println!` that fail (exit code 1) rather than panic, or
/// succeed unread, on a standard output nobody reads (see `say`).
macro_rules! out {
    ($($arg:tt)*) => { crate::commands::say(format_args!($($arg)*)) };
}
macro_rules! outln {
    ($($arg:tt)*) => { crate::commands::say(format_args!("{}\n", format_args!($($arg)*))) };
}
pub(crate) use {out, outln};

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// `--help` describes every argument of every subcommand.
    #[test]
    fn every_argument_says_what_it_is() {
        for sub in Cli::command().get_subcommands() {
            assert!(sub.get_about().is_some(), "{} has no description", sub.get_name());
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                assert!(arg.get_help().is_some(), "{} --{id} has no description", sub.get_name());
            }
        }
    }
}
