//! The `surgesim` binary: parse the command line, call the library, print
//! the error chain and choose the exit code. All the work is in the library.

use clap::Parser;
use surgesim::cli::{main_with, Cli, CliError};

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    if let Err(e) = main_with(cli) {
        match &e {
            // Validate has already printed every problem.
            CliError::Input(_) if std::env::args().nth(1).as_deref() == Some("validate") => {}
            CliError::Input(err) => eprintln!("error: {err}"),
            CliError::Other(err) => eprintln!("error: {err:#}"),
        }
        std::process::exit(e.exit_code());
    }
}
