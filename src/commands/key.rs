//! A key of the scenario searched over a range, as `plan --vary` and
//! `calibrate --fit` take it (`KEY=LO..HI`): its range, and the kind of
//! values it takes (whole numbers, fractions, durations in seconds), read
//! by asking the loader; and how a value of it is written for `--set`.

use crate::commands::CliError;
use crate::report;
use crate::scenario::{self, units::parse_duration, Scenario};
use crate::stats::plan::Domain;
use crate::stats::Measure;
use std::path::Path;

/// The key and how its values are written.
#[derive(Clone, Debug)]
pub struct Key {
    pub name: String,
    pub domain: Domain,
    /// Durations: values are seconds, written `{n}s`.
    pub seconds: bool,
    /// Whole numbers only.
    pub integer: bool,
}

impl Key {
    /// The value as `--set` takes it.
    pub fn text(&self, x: f64) -> String {
        if self.seconds {
            format!("{}s", report::format::number(Some(x)).trim_end_matches(".0"))
        } else if self.integer {
            format!("{}", x.round() as i64)
        } else {
            report::format::number(Some(x)).trim_end_matches(".0").to_string()
        }
    }
}

/// `KEY=LO..HI`, with the kind of values the key takes; messages name
/// the flag it came with (`--vary`, `--fit`).
pub fn parse_key(
    flag: &str,
    spec: &str,
    resolution: Option<&str>,
    path: &Path,
    changes: scenario::Changes,
) -> Result<Key, CliError> {
    let bad = |why: &str| CliError::Usage(format!("{flag} \"{spec}\": {why}"));
    let (name, range) = spec.split_once('=').ok_or_else(|| bad("expected KEY=LO..HI"))?;
    let (lo, hi) = range.split_once("..").ok_or_else(|| bad("expected a range LO..HI"))?;
    let number = |t: &str| t.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let seconds = |t: &str| parse_duration(t.trim()).ok().map(|d| d.as_secs_f64());
    let (lo_x, hi_x, durations) = match (number(lo), number(hi)) {
        (Some(l), Some(h)) => (l, h, false),
        _ => match (seconds(lo), seconds(hi)) {
            (Some(l), Some(h)) => (l, h, true),
            _ => return Err(bad("expected two numbers, or two durations like 5m..2h")),
        },
    };
    if lo_x >= hi_x {
        return Err(bad("expected LO below HI"));
    }
    let name = name.trim().to_string();
    // A key of whole numbers refuses a fraction: that tells which it is.
    let probe = format!("{name}={}", (lo_x + 0.5).floor() + 0.5);
    let probed = [changes.set, &[probe]].concat();
    let takes_fractions =
        !durations && scenario::load_with(path, scenario::Changes { unset: changes.unset, set: &probed }).is_ok();
    let integer = !durations && !takes_fractions;
    let step = match resolution {
        Some(r) => number(r).or_else(|| seconds(r)).filter(|s| *s > 0.0).ok_or_else(|| bad("bad --resolution"))?,
        None if integer => 1.0,
        None if durations => 1.0,
        None => (hi_x - lo_x) / 1000.0,
    };
    let step = if integer { step.round().max(1.0) } else { step };
    Ok(Key { name, domain: Domain { lo: lo_x, hi: hi_x, step }, seconds: durations, integer })
}

/// The scenario with each of `keys` at its value in `x` (after the user's
/// `--set`), checked as every command checks one (`args::load_checked`),
/// the figures `resolve` names held against it, then run at `scale`:
/// resolving samples the instants the figures name, so it comes first.
/// What `plan` and `calibrate` run at each value they try.
pub fn load_at(
    path: &Path,
    changes: scenario::Changes,
    keys: &[Key],
    x: &[f64],
    scale: Option<f64>,
    resolve: impl FnOnce(&mut Scenario) -> Result<Vec<Measure>, CliError>,
) -> Result<(Scenario, Vec<Measure>), CliError> {
    let mut all = changes.set.to_vec();
    all.extend(keys.iter().zip(x).map(|(k, x)| format!("{}={}", k.name, k.text(*x))));
    let mut s = super::args::load_checked(path, scenario::Changes { unset: changes.unset, set: &all })?;
    let measures = resolve(&mut s)?;
    let s = match scale {
        Some(f) => s.scaled(f),
        None => s,
    };
    Ok((s, measures))
}
