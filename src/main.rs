//! The `surgesim` binary: parse the command line, call the library, print
//! the error chain and choose the exit code. All the work is in the library.
//!
//! Exit codes: 0 success, 2 bad input (scenario, arguments, a scenario too
//! large without `--allow-large`), 1 anything else.

use clap::Parser;
use std::io::Write;
use surgesim::commands::{main_with, Cli, CliError};

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
    if let Err(e) = main_with(cli) {
        // A closed stderr is no reason to panic: the exit code still tells.
        let mut stderr = std::io::stderr().lock();
        let _ = match &e {
            CliError::Printed(_) => Ok(()),
            CliError::Input(err) => writeln!(stderr, "error: {err}"),
            CliError::Output(err) => writeln!(stderr, "error: {err}"),
            CliError::Other(err) => writeln!(stderr, "error: {err:#}"),
        };
        std::process::exit(e.exit_code());
    }
}
