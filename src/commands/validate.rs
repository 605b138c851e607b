//! `surgesim validate` (check scenarios, list every problem; with
//! `--resolved`, show what a file resolves to: the files it extends and
//! every cohort, a split's groups included) and `surgesim new` (print a
//! commented scenario to start from).
//!
//! A file is valid when it loads and its observations (`[[observed]]`) name
//! figures a run has: the loader checks their shape, the statistics their
//! names (`observed_problems`, which `run` asks too).

use super::{out, outln, CliError};
use crate::scenario::echo::escaped;
use crate::scenario::units::clock_at;
use crate::scenario::{self, template::Preset, Curve, Scenario};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario files (TOML); - reads one from standard input.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Override any scenario key (repeatable), as `run` does.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Take a key back to its default, or a section or a cohort out (repeatable), as `run` does.
    #[arg(long = "unset", value_name = "KEY")]
    unset: Vec<String>,
    /// Show what each file resolves to: the files it extends and every
    /// cohort as it will run (a split's groups, their people and windows).
    #[arg(long)]
    resolved: bool,
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
    let changes = scenario::Changes { unset: &a.unset, set: &a.set };
    for path in &a.scenarios {
        match scenario::load_with(path, changes) {
            Ok(mut s) => {
                if let Err(problems) = observed_problems(&mut s, path) {
                    // Nobody reading the errors is no reason to panic.
                    let _ = writeln!(std::io::stderr(), "error: {problems}");
                    first_err.get_or_insert(CliError::Usage(problems).exit_code());
                    continue;
                }
                let shown = scenario::shown_path(path).display().to_string();
                let shown = scenario::echo::escaped(&shown);
                let people = s.cohorts.iter().fold(0u64, |sum, c| sum.saturating_add(c.people));
                let most = crate::limits::size(&s).people;
                let back =
                    if most > people { format!(", up to {} more coming back", most - people) } else { String::new() };
                outln!("{shown}: ok ({} cohorts, {people} people{back})", s.cohorts.len())?;
                if a.resolved {
                    out!("{}", resolved(&s))?;
                }
                if let Some(note) = scenario::due::note(&s) {
                    outln!("  note: {note}")?;
                }
                // The verdict `run` gives (one run), with the estimate.
                match crate::limits::check(&s, 1, false) {
                    Err(e) => outln!("  note: {e}")?,
                    Ok(_) => {
                        if let Some(size) = crate::limits::worth_telling(&s) {
                            outln!("  size: {size}")?;
                        }
                    }
                }
            }
            Err(e) => {
                // Nobody reading the errors is no reason to panic.
                let _ = writeln!(std::io::stderr(), "error: {e}");
                first_err.get_or_insert(CliError::Input(e).exit_code());
            }
        }
    }
    match first_err {
        // Already printed: `main` prints nothing more for it.
        Some(code) => Err(CliError::Printed(code)),
        None => Ok(()),
    }
}

/// The observations of `s` (loaded from `path`) whose figure is no figure
/// of a run, said as a scenario's problems are ("N problem(s) in scenario
/// 'FILE':" then one located line each); resolving them samples the clock
/// times they name, so call it before `--scale` and the run.
pub(super) fn observed_problems(s: &mut Scenario, path: &Path) -> Result<(), String> {
    crate::stats::measure::observed(s).map(|_| ()).map_err(|problems| {
        let shown = scenario::shown_path(path).display().to_string();
        let lines: Vec<String> = problems.iter().map(|p| format!("  {}", escaped(p))).collect();
        format!("{} problem(s) in scenario '{}':\n{}", problems.len(), escaped(&shown), lines.join("\n"))
    })
}

/// The chain of files and one line per cohort, windows on the scenario's
/// clock: what `--resolved` adds under a file's `ok` line.
pub fn resolved(s: &Scenario) -> String {
    let text = |t: &str| scenario::echo::escaped(t).into_owned();
    let mut lines = Vec::new();
    if !s.origin.extends.is_empty() {
        let chain: Vec<String> = s.origin.extends.iter().map(|f| text(f)).collect();
        lines.push(format!("  extends {}", chain.join(", which extends ")));
    }
    let width = s.cohorts.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    for c in &s.cohorts {
        let windows: Vec<String> = c
            .windows
            .iter()
            .map(|w| {
                let at = |t| clock_at(s.start, t).to_rfc3339();
                match c.windows.len() {
                    1 => format!("{} to {}", at(w.opens), at(w.cut_from.unwrap_or(w.closes))),
                    _ => format!(
                        "{} to {} ({:.3} of the people)",
                        at(w.opens),
                        at(w.cut_from.unwrap_or(w.closes)),
                        w.share
                    ),
                }
            })
            .collect();
        let curve = curve_name(&c.arrivals);
        let who = if c.eligible { "eligible" } else { "ineligible" };
        let name = format!("{:width$}", text(&c.name));
        let after =
            if c.after_end > 0 { format!(" (and {} due after the run's end)", c.after_end) } else { String::new() };
        lines.push(format!("  cohort {name}  {:>10} people{after}, {who}, {curve}, {}", c.people, windows.join("; ")));
        if let Some(own) = &c.clients {
            lines.push(format!("    its own clients: {}", behaviour(own)));
        }
        for r in &c.catch_up {
            let at = |t| clock_at(s.start, t).to_rfc3339();
            let (from, to, curve) = (at(r.opens), at(r.cut_from.unwrap_or(r.closes)), curve_name(&r.arrivals));
            lines.push(format!(
                "    catch-up {from} to {to}: each not booked comes back with probability {}, {curve}",
                r.probability
            ));
        }
    }
    lines.into_iter().map(|l| format!("{l}\n")).collect()
}

fn curve_name(c: &Curve) -> &'static str {
    match c {
        Curve::Constant => "constant",
        Curve::Surge { .. } => "surge",
        Curve::Piecewise { .. } => "piecewise",
        Curve::Trace { .. } => "trace",
    }
}

/// A cohort's own clients in one line: means of the distributions, the
/// retry policy.
fn behaviour(c: &scenario::Clients) -> String {
    let mean = |d: &scenario::Dist| crate::engine::SimTime::from_secs_f64(d.mean_secs()).to_string();
    let patience = c.patience.as_ref().map_or("none".to_string(), |d| format!("mean {}", mean(d)));
    let r = &c.retry;
    format!(
        "patience {patience}, session mean {}, retry probability {} after mean {}, up to {} attempts",
        mean(&c.session),
        r.probability,
        mean(&r.delay),
        r.max_attempts
    )
}

pub fn new(a: NewArgs) -> Result<(), CliError> {
    out!("{}", a.preset.text())
}
