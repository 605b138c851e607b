//! The `surgesim` binary: parse the command line, call the library, print
//! the error chain and choose the exit code. All the work is in the library.
//!
//! Exit codes: 0 success, 2 bad input (scenario, arguments, a scenario too
//! large without `--allow-large`, shards that do not make one sweep), 1
//! anything else.
//!
//! Every error goes out through `printable`: whatever a message echoes (an
//! argument, a path, a key), no control character reaches the terminal raw.
//! Output asked for that nobody can read (standard output closed, or a
//! pipe whose reader is gone) fails with exit code 1; see `commands::say`.

use clap::Parser;
use std::io::Write;
use surgesim::commands::{main_with, Cli, CliError};
use surgesim::scenario::echo::printable;

fn main() {
    let closed = stdout_closed::at_start();
    if closed {
        surgesim::commands::stdout_was_closed();
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are not errors, and print as clap
            // styles them. An error quotes the arguments: plain and escaped.
            if !e.use_stderr() {
                let printed = if closed { Err(std::io::Error::other("it was closed")) } else { e.print() };
                if let Err(e) = printed {
                    let _ = writeln!(std::io::stderr(), "error: could not write to standard output: {e}");
                    std::process::exit(1);
                }
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

/// Whether standard output was closed when the process started
/// (`surgesim new >&-`). Rust's runtime opens `/dev/null` in the place of
/// a closed standard descriptor before `main`, so that from `main` on a
/// closed output cannot be told from `> /dev/null`: a function the loader
/// runs before the runtime (an ELF constructor) looks first, for the
/// descriptor in `/proc/self/fd`. Without `/proc` nothing is claimed.
mod stdout_closed {
    use std::sync::atomic::{AtomicBool, Ordering};

    static CLOSED: AtomicBool = AtomicBool::new(false);

    /// What the constructor saw (false where none runs).
    pub fn at_start() -> bool {
        CLOSED.load(Ordering::Relaxed)
    }

    #[cfg(target_os = "linux")]
    extern "C" fn look() {
        let proc_fds = std::path::Path::new("/proc/self/fd");
        let closed = proc_fds.is_dir() && std::fs::symlink_metadata(proc_fds.join("1")).is_err();
        CLOSED.store(closed, Ordering::Relaxed);
    }

    /// Run by the loader before `main` and before Rust's runtime starts.
    #[cfg(target_os = "linux")]
    #[used]
    #[link_section = ".init_array"]
    static LOOK: extern "C" fn() = look;
}
