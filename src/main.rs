//! The `surgesim` binary: parse the command line, call the library, print
//! the error chain and choose the exit code. All the work is in the library.
//!
//! Exit codes: 0 success, 2 bad input (scenario, arguments, a scenario too
//! large without `--allow-large`), 1 anything else.

use clap::Parser;
use std::io::Write;
use surgesim::cli::{main_with, Cli, CliError, Command};

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are not errors.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    // `validate` prints every scenario's problems as it goes.
    let printed = matches!(cli.command, Command::Validate { .. });
    let result = main_with(cli);
    peak_memory();
    if let Err(e) = result {
        // A closed stderr is no reason to panic: the exit code still tells.
        let mut stderr = std::io::stderr().lock();
        let _ = match &e {
            CliError::Input(_) if printed => Ok(()),
            CliError::Input(err) => writeln!(stderr, "error: {err}"),
            CliError::Other(err) => writeln!(stderr, "error: {err:#}"),
        };
        std::process::exit(e.exit_code());
    }
}

/// With `SURGESIM_PEAK_MEMORY` set, print the process's peak resident
/// memory (Linux's `VmHWM` line) on standard error at the end: the memory
/// tests check the size guard's estimates against it. (A parent's `wait4`
/// would count the test process's own memory, copied by `fork`.)
fn peak_memory() {
    if std::env::var_os("SURGESIM_PEAK_MEMORY").is_none() {
        return;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}
