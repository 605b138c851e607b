//! `surgesim calibrate`: several keys fitted at once to the scenario's
//! observations (`[[observed]]`), each with an interval, and the
//! observations held out by `--hold-out` checked out of sample. See
//! `stats::calibrate` for the method and what it guarantees.
//!
//! Every point of the search runs replications `0..R` of the scenario
//! with the keys set (common random numbers), in parallel; counts and
//! levels at `--scale F` are divided by F to compare them at full size.
//! The folder holds `calibration.json`, `calibration.csv`, `calibrated.toml`
//! (the scenario extended with the fitted keys, runnable as it is), the
//! charts and `report.md` (see `report::calibrate`).
//!
//! Refused before anything runs (exit code 2): a scenario on standard
//! input (calibrated.toml could not extend it), a scenario without
//! observations, a `--fit` key twice or set by `--set`, a bad range, a
//! `--hold-out` that names no observation, holding out every one, and a
//! `--max-runs` below one point's replications.

use super::args::{parse_scale, ChartArgs, RunFlags};
use super::key::{load_at, parse_key, Key};
use super::progress::Progress;
use super::{execute, outln, tell, CliError};
use crate::limits::{self, Keeps};
use crate::report::{self, output};
use crate::scenario::figure::FigureName;
use crate::scenario::grid::{Grid, Vary};
use crate::scenario::path::{self, Segment};
use crate::scenario::{self, units::parse_duration, Scenario};
use crate::stats::calibrate::{self as fitting, Observation, Oracle, Param, Settings};
use crate::stats::measure::{self, Measure};
use crate::stats::{Kind, RunFigures, Value};
use anyhow::Result;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario file (TOML) holding the observations ([[observed]]).
    scenario: PathBuf,
    /// A key to fit and its range: KEY=LO..HI, like
    /// waiting_room.admit_per_minute=1000..20000 or clients.patience.mean=5m..2h
    /// (repeatable; linked keys a+b take one value).
    #[arg(long = "fit", value_name = "KEY=LO..HI", required = true)]
    fits: Vec<String>,
    /// An observation (its figure, as the scenario names it) left out of
    /// the fit and reported as an out-of-sample check (repeatable).
    #[arg(long = "hold-out", value_name = "FIGURE")]
    hold_out: Vec<String>,
    /// Replications at every point (the same seeds at each: common random
    /// numbers); two at least give intervals.
    #[arg(long, short = 'r', default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1000))]
    replications: u32,
    /// Run the night at this fraction of its size (see `run --scale`);
    /// counts are compared at full size.
    #[arg(long, value_name = "FACTOR", value_parser = parse_scale)]
    scale: Option<f64>,
    /// Simulated runs in all (points x replications), at most.
    #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_runs: u32,
    /// Output folder [default: outputs/<scenario name>-<8 hex digits>-calibrate,
    /// the digits a CRC-32 of the question].
    #[arg(long)]
    out: Option<PathBuf>,
    /// --set, --unset, --quiet (the answer is still printed), --allow-large.
    #[command(flatten)]
    flags: RunFlags,
    #[command(flatten)]
    charts: ChartArgs,
}

/// Profile points on each side of the best, per key (fewer when the
/// budget is short).
const PROFILE_PER_SIDE: usize = 8;

pub fn calibrate(a: Args) -> Result<(), CliError> {
    if a.scenario == Path::new(scenario::STDIN) {
        return Err(CliError::Usage(
            "calibrate needs a scenario file: calibrated.toml extends it, and standard input cannot be extended; \
             save the scenario to a file first"
                .into(),
        ));
    }
    if a.max_runs < a.replications {
        return Err(CliError::Usage(format!(
            "--max-runs {}: cannot pay for one point of {} replications, expected at least -r",
            a.max_runs, a.replications
        )));
    }
    let changes = a.flags.changes();
    check_fits(&a.fits, &a.scenario, changes)?;
    let keys =
        a.fits.iter().map(|f| parse_key("--fit", f, None, &a.scenario, changes)).collect::<Result<Vec<Key>, _>>()?;
    let mut base = a.flags.load(&a.scenario)?;
    if base.observed.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no [[observed]] in the scenario, expected the figures to fit to (figure, value, source, weight)",
            scenario::shown_path(&a.scenario).display()
        )));
    }
    let measures = measure::observed(&mut base).map_err(|e| CliError::Usage(e.join("\n")))?;
    let used = held_out(&a.hold_out, &base)?;
    let observations: Vec<Observation> = base
        .observed
        .iter()
        .zip(&measures)
        .zip(&used)
        .map(|((o, m), &used)| Observation { value: o.value, weight: o.weight, floor: fitting::floor(m.kind()), used })
        .collect();
    let n_used = used.iter().filter(|u| **u).count();
    if n_used == 0 {
        return Err(CliError::Usage(format!(
            "--hold-out: every observation ({}) is held out, expected at least one left to fit to",
            observations.len()
        )));
    }
    let mut warnings = Vec::new();
    if n_used < keys.len() {
        warnings.push(format!(
            "{n_used} observation{} used for {} keys: the keys are not all determined by the fit",
            if n_used == 1 { "" } else { "s" },
            keys.len()
        ));
    }
    let current = serde_json::to_value(&base).unwrap_or_default();
    let params: Vec<Param> = keys.iter().map(param).collect();
    let start: Vec<f64> = keys
        .iter()
        .zip(&params)
        .map(|(k, p)| current_value(&current, &k.name).filter(|x| p.holds(*x)).unwrap_or((p.lo + p.hi) / 2.0))
        .collect();
    // The report's scenario: the user's changes; the keys are the answer.
    let shown = match a.scale {
        Some(f) => base.clone().scaled(f),
        None => base.clone(),
    };
    let r = a.replications as usize;
    let guard = limits::check_command(
        &[(&shown, u64::from(a.max_runs))],
        Keeps::Summaries,
        execute::threads(),
        a.flags.allow_large,
    )?;
    if let Some(note) = guard.time_note().filter(|_| !a.flags.quiet) {
        eprintln!("note: {note}");
    }
    let dir = a.out.clone().unwrap_or_else(|| default_dir(&a, &keys, &shown));
    let claim = super::claim(&dir, "calibrate")?;
    let bar = Progress::jobs(u64::from(a.max_runs), "runs (at most)", a.flags.quiet);
    let kinds: Vec<Kind> = measures.iter().map(Measure::kind).collect();
    let mut oracle = Runs { path: &a.scenario, changes, keys: &keys, scale: a.scale, progress: &bar };
    let settings =
        Settings { replications: r, max_runs: a.max_runs as usize, start, profile_per_side: PROFILE_PER_SIDE };
    let fit = execute::within(&guard, || fitting::fit(&params, &observations, &settings, &mut oracle))?;
    bar.finish();
    warnings.extend(fit.warnings.iter().cloned());
    let toml = calibrated_toml(&a, &dir, &keys, &fit.best().x, &base).map_err(CliError::Usage)?;
    let figures: Vec<String> = base.observed.iter().map(|o| o.figure.to_string()).collect();
    let sources: Vec<String> = base.observed.iter().map(|o| o.source.clone()).collect();
    let report = report::calibrate::CalibrationReport {
        scenario: &shown,
        keys: &keys.iter().map(|k| k.name.clone()).collect::<Vec<_>>(),
        params: &params,
        figures: &figures,
        sources: &sources,
        kinds: &kinds,
        observations: &observations,
        fit: &fit,
        max_runs: a.max_runs as usize,
        warnings: &warnings,
        text: &|j, x| keys[j].text(x),
    };
    let mut files = report::calibrate::render(&report, &a.charts.options())?;
    files.push(("calibrated.toml".into(), toml.into_bytes()));
    tell(&claim.write(&files)?, a.flags.quiet);
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    outln!("{}", report::calibrate::answer_line(&report))?;
    if !a.flags.quiet {
        outln!("  wrote {}", output::shown(&dir))?;
    }
    Ok(())
}

/// The cube's side of a key: whole numbers and durations (whole seconds)
/// by one, fractions by a thousandth of the range.
fn param(k: &Key) -> Param {
    let step = if k.integer || k.seconds { 1.0 } else { k.domain.step };
    Param { lo: k.domain.lo, hi: k.domain.hi, step }
}

/// Which observations the fit uses: all but those `--hold-out` names
/// (each must name one, by its figure).
fn held_out(names: &[String], s: &Scenario) -> Result<Vec<bool>, CliError> {
    let mut used = vec![true; s.observed.len()];
    for name in names {
        let figure = FigureName::parse(name).map_err(|e| CliError::Usage(format!("--hold-out \"{name}\": {e}")))?;
        match s.observed.iter().position(|o| o.figure == figure) {
            Some(i) => used[i] = false,
            None => {
                let known: Vec<String> = s.observed.iter().map(|o| o.figure.to_string()).collect();
                return Err(CliError::Usage(format!(
                    "--hold-out \"{name}\": found no observation of it, expected one of the scenario's: {}",
                    known.join(", ")
                )));
            }
        }
    }
    Ok(used)
}

/// Each `--fit` key once, and none of them (nor a key inside one, nor
/// one of linked keys) overwritten by a `--set`, compared as `sweep`
/// compares them (cohort names and indices are one key).
fn check_fits(fits: &[String], path: &Path, changes: scenario::Changes) -> Result<(), CliError> {
    let names = scenario::cohort_names(path, changes).unwrap_or_default();
    let canon = |key: &str| names.canonical(key);
    let mut seen: Vec<String> = Vec::new();
    let mut varied = Vec::new();
    for f in fits {
        let Some((key, range)) = f.split_once('=') else { continue };
        for part in path::split_linked(key.trim()) {
            let c = canon(part);
            if seen.contains(&c) {
                return Err(CliError::Usage(format!(
                    "--fit \"{f}\": {} is fitted twice, expected each key once",
                    part.trim()
                )));
            }
            seen.push(c);
        }
        varied.push(Vary { key: key.trim().to_string(), values: vec![range.trim().to_string()] });
    }
    let grid = Grid { vary: &varied };
    grid.check_with(&canon)?;
    for set in changes.set {
        // The grid's message speaks of --vary; here the key is fitted.
        grid.check_set_with(set, &canon).map_err(|e| {
            CliError::Usage(e.to_string().replace("--vary", "--fit").replace("at every point", "at every point tried"))
        })?;
    }
    Ok(())
}

/// The key's value in the resolved scenario (as `summary.json` has it),
/// in the key's units (durations in seconds); the first of linked keys.
/// `None` when it is not a number or a duration there (unset: a default
/// the resolved form leaves empty).
fn current_value(resolved: &serde_json::Value, key: &str) -> Option<f64> {
    let first = path::split_linked(key).first().copied()?;
    let segments = path::parse_key(first.trim()).ok()?;
    let mut at = resolved;
    for (i, seg) in segments.iter().enumerate() {
        at = match seg {
            Segment::Name(n) if i == 0 && n == "cohort" => resolved.get("cohorts")?,
            Segment::Name(n) if i == 1 && segments.first() == Some(&Segment::Name("cohort".into())) => {
                at.as_array()?.iter().find(|c| c.get("name").and_then(|v| v.as_str()) == Some(n.as_str()))?
            }
            Segment::Name(n) => at.get(n)?,
            Segment::Index(k) => at.get(*k)?,
        };
    }
    match at {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(t) => parse_duration(t).ok().map(|d| d.as_secs_f64()),
        _ => None,
    }
}

/// The default folder: `outputs/<name>-<8 hex digits>-calibrate`, the
/// digits a CRC-32 of the question (the keys and ranges, the held-out
/// figures, R, the budget and the scenario's changes).
fn default_dir(a: &Args, keys: &[Key], s: &Scenario) -> PathBuf {
    let mut question: Vec<String> =
        keys.iter().map(|k| format!("--fit {}={:?}..{:?}", k.name, k.domain.lo, k.domain.hi)).collect();
    let mut held: Vec<String> = a.hold_out.iter().map(|h| format!("--hold-out {h}")).collect();
    held.sort();
    question.extend(held);
    question.push(format!("-r {} --max-runs {}", a.replications, a.max_runs));
    question.extend(a.flags.set.iter().cloned());
    output::default_dir_of_question(s, question, "-calibrate")
}

/// The oracle of the fit: replications of the scenario at a point, in
/// parallel, each on the random stream of its index.
struct Runs<'a> {
    path: &'a Path,
    changes: scenario::Changes<'a>,
    keys: &'a [Key],
    scale: Option<f64>,
    progress: &'a Progress,
}

impl Oracle for Runs<'_> {
    fn runs(&mut self, x: &[f64], from: usize, to: usize) -> Result<Vec<Vec<Value>>> {
        let (s, measures) = load_at(self.path, self.changes, self.keys, x, self.scale, |s| {
            measure::observed(s).map_err(|e| CliError::Usage(e.join("\n")))
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        // Counts and time averages of people grow with the night's size:
        // compared at full size.
        let scale = self.scale.unwrap_or(1.0);
        Ok((from as u64..to as u64)
            .into_par_iter()
            .map(|r| {
                let outcome = crate::batch::run(&s, r, crate::QueueKind::default(), self.progress)?;
                let run = RunFigures::of(&s, outcome.results);
                Ok(measures.iter().map(|m| m.value(&s, &run).map(|v| m.at_full_size(v, scale))).collect())
            })
            .collect::<Result<_, crate::engine::OutOfMemory>>()?)
    }
}

/// `calibrated.toml`: the scenario file `extends`-ed, with the user's
/// `--unset` and `--set` and the fitted keys written as TOML (see
/// `assign`), runnable as it is.
fn calibrated_toml(a: &Args, dir: &Path, keys: &[Key], x: &[f64], base: &Scenario) -> Result<String, String> {
    let cohorts: Vec<String> = base.cohorts.iter().map(|c| c.name.clone()).collect();
    let mut doc = toml::Table::new();
    for set in &a.flags.set {
        let (key, value) = path::split_assignment(set).ok_or_else(|| format!("--set \"{set}\": expected KEY=VALUE"))?;
        for part in path::split_linked(key.trim()) {
            assign(&mut doc, part.trim(), value.trim(), &cohorts)?;
        }
    }
    for (k, x) in keys.iter().zip(x) {
        for part in path::split_linked(&k.name) {
            assign(&mut doc, part.trim(), &k.text(*x), &cohorts)?;
        }
    }
    let mut head = toml::Table::new();
    head.insert("extends".into(), toml::Value::String(extends_path(&a.scenario, dir)));
    head.insert("name".into(), toml::Value::String(format!("{}-calibrated", base.name)));
    if !a.flags.unset.is_empty() {
        head.insert(
            "unset".into(),
            toml::Value::Array(a.flags.unset.iter().cloned().map(toml::Value::String).collect()),
        );
    }
    let scenario_table = doc.entry("scenario").or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let toml::Value::Table(t) = scenario_table {
        for (k, v) in head {
            t.insert(k, v);
        }
    }
    // `[scenario]` (what it extends, its name) first, as a reader expects;
    // the table writes its keys in order of name.
    let mut top = toml::Table::new();
    top.extend(doc.remove("scenario").map(|t| ("scenario".to_string(), t)));
    let write = |t: &toml::Table| toml::to_string(t).map_err(|e| format!("could not write calibrated.toml: {e}"));
    let (head, body) = (write(&top)?, write(&doc)?);
    Ok(format!(
        "# Written by `surgesim calibrate`: the scenario with the fitted keys set.\n\
         # Run it as it is: surgesim run calibrated.toml\n\n{head}\n{body}"
    ))
}

/// Put `key = value` (the value as `--set` reads it: TOML, else text)
/// into `doc`; a cohort's key (`cohort.NAME.x`, `cohort[0].x`) in a
/// `[[cohort]]` table of that name, which `extends` merges by name.
fn assign(doc: &mut toml::Table, key: &str, value: &str, cohorts: &[String]) -> Result<(), String> {
    let segments = path::parse_key(key).map_err(|e| format!("\"{key}\": {e}"))?;
    let value = toml::from_str::<toml::Table>(&format!("v = {value}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_string()));
    let unwritable = || {
        format!("\"{key}\": an item of a list other than a cohort cannot be written under extends (the list would replace the base's)")
    };
    let (mut table, rest) = match segments.as_slice() {
        [Segment::Name(c), who, rest @ ..] if c == "cohort" => {
            let name = match who {
                Segment::Name(n) => n.clone(),
                Segment::Index(i) => cohorts.get(*i).cloned().ok_or_else(unwritable)?,
            };
            let list = doc.entry("cohort").or_insert_with(|| toml::Value::Array(Vec::new()));
            let toml::Value::Array(list) = list else { return Err(unwritable()) };
            let at = list.iter().position(|c| c.get("name").and_then(|n| n.as_str()) == Some(name.as_str()));
            let at = at.unwrap_or_else(|| {
                let mut t = toml::Table::new();
                t.insert("name".into(), toml::Value::String(name.clone()));
                list.push(toml::Value::Table(t));
                list.len() - 1
            });
            let toml::Value::Table(t) = &mut list[at] else { return Err(unwritable()) };
            (t, rest)
        }
        all => (doc, all),
    };
    let Some((last, inner)) = rest.split_last() else { return Err(unwritable()) };
    for seg in inner {
        let Segment::Name(n) = seg else { return Err(unwritable()) };
        let next = table.entry(n.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(t) = next else { return Err(unwritable()) };
        table = t;
    }
    let Segment::Name(last) = last else { return Err(unwritable()) };
    table.insert(last.clone(), value);
    Ok(())
}

/// The scenario's path as `extends` in a file in `dir` reads it: relative
/// to `dir` when both resolve, else absolute.
fn extends_path(scenario: &Path, dir: &Path) -> String {
    // The folder may not exist yet: the nearest folder above it that does,
    // resolved, and the rest as written.
    let absolute = |p: &Path| -> Option<PathBuf> {
        let p = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().ok()?.join(p) };
        let mut rest = Vec::new();
        let mut at = p.as_path();
        loop {
            if let Ok(found) = at.canonicalize() {
                return Some(rest.iter().rev().fold(found, |acc: PathBuf, part| acc.join(part)));
            }
            rest.push(at.file_name()?.to_os_string());
            at = at.parent()?;
        }
    };
    let Some(file) = absolute(scenario) else { return scenario.display().to_string() };
    let Some(dir) = absolute(dir) else { return file.display().to_string() };
    let (f, d): (Vec<_>, Vec<_>) = (file.components().collect(), dir.components().collect());
    let common = f.iter().zip(&d).take_while(|(a, b)| a == b).count();
    // Nothing but the root in common: the absolute path reads better.
    if common <= 1 {
        return file.display().to_string();
    }
    let mut rel = PathBuf::new();
    for _ in common..d.len() {
        rel.push("..");
    }
    for c in &f[common..] {
        rel.push(c);
    }
    rel.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_written_as_toml_a_cohort_in_a_table_of_its_name() {
        let cohorts = vec!["53-54".to_string(), "a.b".to_string()];
        let mut doc = toml::Table::new();
        assign(&mut doc, "waiting_room.admit_per_minute", "6200", &cohorts).unwrap();
        assign(&mut doc, "clients.patience.mean", "2460s", &cohorts).unwrap();
        assign(&mut doc, "cohort.53-54.people", "100", &cohorts).unwrap();
        assign(&mut doc, "cohort[1].people", "7", &cohorts).unwrap();
        assign(&mut doc, "cohort.\"53-54\".eligible", "false", &cohorts).unwrap();
        let text = toml::to_string(&doc).unwrap();
        let back: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(back["waiting_room"]["admit_per_minute"].as_integer(), Some(6200));
        assert_eq!(back["clients"]["patience"]["mean"].as_str(), Some("2460s"), "a duration as text");
        let list = back["cohort"].as_array().unwrap();
        assert_eq!(list.len(), 2, "one table per cohort: {text}");
        assert_eq!(list[0]["name"].as_str(), Some("53-54"));
        assert_eq!(list[0]["people"].as_integer(), Some(100));
        assert_eq!(list[0]["eligible"].as_bool(), Some(false));
        assert_eq!(list[1]["name"].as_str(), Some("a.b"), "an index names its cohort");
        assert!(assign(&mut doc, "front.schedule[0].value", "5", &cohorts).unwrap_err().contains("list"));
    }

    #[test]
    fn the_current_value_is_read_from_the_resolved_scenario() {
        let resolved = serde_json::json!({
            "cohorts": [{ "name": "all", "people": 3000 }],
            "clients": { "patience": { "mean": "20m" } },
            "waiting_room": { "admit_per_minute": 40.5 },
            "backend": { "max_sessions": 100 },
        });
        assert_eq!(current_value(&resolved, "cohort.all.people"), Some(3000.0));
        assert_eq!(current_value(&resolved, "cohort.0.people"), Some(3000.0));
        assert_eq!(current_value(&resolved, "clients.patience.mean"), Some(1200.0));
        assert_eq!(current_value(&resolved, "backend.max_sessions+waiting_room.admit_per_minute"), Some(100.0));
        assert_eq!(current_value(&resolved, "front.capacity"), None);
    }

    #[test]
    fn extends_is_relative_to_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("night.toml");
        std::fs::write(&file, "").unwrap();
        assert_eq!(extends_path(&file, &dir.path().join("outputs/fit")), "../../night.toml");
    }
}
