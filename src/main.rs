//! The `surgesim` binary: parse the command line, call the library, print
//! the error chain and choose the exit code. All the work is in the library.
//!
//! Exit codes: 0 success, 2 bad input (scenario, arguments, a scenario too
//! large without `--allow-large`, shards that do not make one sweep), 1
//! anything else.
//!
//! Every error goes out through `printable`: whatever a message echoes (an
//! argument, a path, a key), no control character reaches the terminal raw.

use clap::Parser;
use std::io::Write;
use surgesim::commands::{main_with, Cli, CliError};
use surgesim::scenario::echo::printable;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are not errors, and print as clap
            // styles them. An error quotes the arguments: plain and escaped.
            if !e.use_stderr() {
                let _ = e.print();
                std::process::exit(0);
            }
            let _ = write!(std::io::stderr().lock(), "{}", printable(&e.render().to_string()));
            std::process::exit(2);
        }
    };
    let result = main_with(cli);
    peak_memory();
    if let Err(e) = result {
        // A closed stderr is no reason to panic: the exit code still tells.
        let mut stderr = std::io::stderr().lock();
        let _ = match &e {
            CliError::Printed(_) => Ok(()),
            CliError::Input(_) | CliError::Grid(_) | CliError::Merge(_) | CliError::Output(_) => {
                writeln!(stderr, "error: {}", printable(&e.to_string()))
            }
            CliError::Usage(err) => writeln!(stderr, "error: {}", printable(err)),
            CliError::Other(err) => writeln!(stderr, "error: {}", printable(&format!("{err:#}"))),
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
