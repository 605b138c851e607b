//! Flags shared by several subcommands, each group defined once and
//! flattened where it applies.

use super::CliError;
use crate::report::{ChartFormat, ReportOptions};
use crate::scenario::{self, Scenario};
use std::path::Path;

/// How a scenario is changed and guarded before it runs: `run`, `sweep`,
/// `compare`.
#[derive(clap::Args, Debug, Clone)]
pub struct RunFlags {
    /// Override any scenario key: --set waiting_room.max_active=100 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Take a key back to its default, or a section or a cohort out, before
    /// any --set: --unset front.schedule, --unset cohort.53-54 (repeatable).
    #[arg(long = "unset", value_name = "KEY")]
    pub unset: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run even a scenario past the size limits (people, bins, events, memory).
    #[arg(long)]
    pub allow_large: bool,
}

impl RunFlags {
    /// The `--unset` keys and the `--set` overrides.
    pub fn changes(&self) -> scenario::Changes<'_> {
        scenario::Changes { unset: &self.unset, set: &self.set }
    }

    /// Load `path` with the `--unset` keys and the `--set` overrides, its
    /// observations' figures checked (`load_checked`).
    pub fn load(&self, path: &Path) -> Result<Scenario, CliError> {
        load_checked(path, self.changes())
    }
}

/// Load `path` with `changes` and check that its observations name figures
/// of a run: every command runs only a scenario `validate` passes. The
/// names are resolved on the file's own size (resolving samples the
/// instants they name), so scale after this.
pub fn load_checked(path: &Path, changes: scenario::Changes<'_>) -> Result<Scenario, CliError> {
    let mut s = scenario::load_with(path, changes)?;
    super::validate::observed_problems(&mut s, path).map_err(CliError::Usage)?;
    Ok(s)
}

/// Chart options shared by `run`, `compare`, `sweep` and `merge`.
#[derive(clap::Args, Debug, Clone)]
pub struct ChartArgs {
    /// Write no charts (only the tables, and report.md where there is one).
    #[arg(long)]
    pub no_charts: bool,
    /// File format of the charts.
    #[arg(long, value_enum, default_value_t = ChartFormat::Png)]
    pub chart_format: ChartFormat,
}

impl ChartArgs {
    pub fn options(&self) -> ReportOptions {
        ReportOptions { charts: !self.no_charts, format: self.chart_format }
    }
}

/// `--scale`: a factor above zero.
pub fn parse_scale(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if f > 0.0 && f.is_finite() => Ok(f),
        _ => Err(format!("found \"{text}\", expected a factor above 0, like 0.01")),
    }
}
