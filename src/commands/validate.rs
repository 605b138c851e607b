//! `surgesim validate` (check scenarios, list every problem) and
//! `surgesim new` (print a commented scenario to start from).

use super::{out, outln, CliError};
use crate::scenario::{self, template::Preset};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario files (TOML); - reads one from standard input.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Override any scenario key (repeatable), as `run` does.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct NewArgs {
    /// Which template.
    #[arg(long, value_enum, default_value_t = Preset::Kdca)]
    preset: Preset,
}

/// Check every file; its problems are printed as they are found, and the
/// exit code is that of the first failure.
pub fn validate(a: Args) -> Result<(), CliError> {
    let mut first_err = None;
    for path in a.scenarios {
        match scenario::load(&path, &a.set) {
            Ok(s) => {
                let shown = scenario::shown_path(&path).display().to_string();
                let shown = scenario::echo::escaped(&shown);
                outln!("{shown}: ok ({} cohorts, {} people)", s.cohorts.len(), crate::limits::size(&s).people)?;
                if let Err(e) = crate::limits::check(&s, 1, false) {
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
        // Already printed: `main` prints nothing more for it.
        Some(e) => Err(CliError::Printed(CliError::Input(e).exit_code())),
        None => Ok(()),
    }
}

pub fn new(a: NewArgs) -> Result<(), CliError> {
    out!("{}", a.preset.text())
}
