//! The context every section is checked in, and the rules they share.
//!
//! A section reads its part of the raw mirror, checks it against the run's
//! clock and notes each problem at its field path. `Check` carries the
//! clock, the folder traces are read from and the problem list, so that a
//! rule many fields obey (a moment inside the run, a duration above zero,
//! spans in time order) is written once, with its message, here.

use super::super::dist::{Dist, RawDist};
use super::super::echo::{escape_char, first_unsafe, quoted};
use super::super::spelling::{self, Spelled};
use super::super::units::{parse_duration, parse_moment};
use super::super::{Change, Problems, Span};
use crate::engine::SimTime;
use chrono::{DateTime, FixedOffset};
use std::path::Path;

/// What a scenario is checked in: its clock, its folder, its problems.
pub(super) struct Check<'a> {
    /// Clock time of simulated time zero: moments are read relative to it.
    pub start: DateTime<FixedOffset>,
    /// Length of the run: moments must fall before its end.
    pub duration: SimTime,
    /// Where relative trace paths are looked up.
    pub base_dir: &'a Path,
    pub problems: Problems,
}

impl<'a> Check<'a> {
    /// A context on the given clock, with no problems yet.
    pub fn new(start: DateTime<FixedOffset>, duration: SimTime, base_dir: &'a Path) -> Self {
        Check { start, duration, base_dir, problems: Problems::default() }
    }

    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(path, message);
    }

    /// Problems so far: a part that adds none since is valid.
    pub fn count(&self) -> usize {
        self.problems.0.len()
    }

    /// A moment (`20m`, or a clock time), if it reads as one.
    pub fn try_moment(&mut self, text: &str, path: &str) -> Option<SimTime> {
        parse_moment(text, self.start).map_err(|e| self.push(path, e)).ok()
    }

    /// A moment, or the start when it does not read (its problem noted).
    pub fn moment(&mut self, text: &str, path: &str) -> SimTime {
        self.try_moment(text, path).unwrap_or(SimTime::ZERO)
    }

    /// A moment that must fall inside the run to mean anything.
    pub fn before_end(&mut self, at: SimTime, path: &str) {
        if at >= self.duration {
            let message = format!("found {at} after the start, expected before the end of the run ({})", self.duration);
            self.push(path, message);
        }
    }

    /// A length of time: zero would divide by zero or never end.
    pub fn positive_duration(&mut self, text: &str, path: &str) -> Option<SimTime> {
        match parse_duration(text) {
            Ok(d) if d > SimTime::ZERO => Some(d),
            Ok(_) => {
                self.push(path, format!("found {}, expected a duration above zero", quoted(text)));
                None
            }
            Err(e) => {
                self.push(path, e);
                None
            }
        }
    }

    /// A chance, `default` when not given.
    pub fn probability(&mut self, v: Option<f64>, default: f64, path: &str) -> f64 {
        let v = v.unwrap_or(default);
        if !(0.0..=1.0).contains(&v) {
            self.push(path, format!("found {v}, expected a probability from 0 to 1"));
        }
        v
    }

    /// A part of a whole.
    pub fn share(&mut self, v: f64, path: &str) {
        if !(0.0..=1.0).contains(&v) {
            self.push(path, format!("found {v}, expected a share from 0 to 1"));
        }
    }

    /// Free text that reaches charts, tables and report.md (a title, a
    /// cohort name, a trace path): at most `max` characters, and no control
    /// character (a newline would break report.md's tables, an ESC the
    /// terminal that shows it).
    pub fn text(&mut self, text: &str, path: &str, max: usize, why: &str) {
        let n = text.chars().count();
        if n > max {
            self.push(path, format!("found {n} characters, expected at most {max} ({why})"));
        }
        if let Some((at, c)) = first_unsafe(text) {
            let (text, c) = (quoted(text), escape_char(c));
            let message =
                format!("found {text} with the control character {c} at character {at}, expected text without control characters");
            self.push(path, message);
        }
    }

    /// A distribution, its problems under `path`.
    pub fn dist(&mut self, raw: &RawDist, path: &str) -> Option<Dist> {
        Dist::from_raw(raw, path, &mut self.problems)
    }

    /// `from` and `to` of the span at `here`: `to` after `from`, and `from`
    /// inside the run (a span may run past the end: it is cut there).
    pub fn interval(&mut self, from: &str, to: &str, here: &str) -> (SimTime, SimTime) {
        let from = self.moment(from, &format!("{here}.from"));
        let to = self.moment(to, &format!("{here}.to"));
        if to <= from {
            let message = format!("found {to} after the start, expected later than `from` ({from} after the start)");
            self.push(format!("{here}.to"), message);
        }
        self.before_end(from, &format!("{here}.from"));
        (from, to)
    }

    /// Capacity changes `(at, value)` listed at `path`, the value under the
    /// key `field`: in time order, inside the run, values at least 1 (a
    /// tier at 0 is an outage, which `[faults]` says with its end).
    pub fn changes<'r>(&mut self, items: impl Iterator<Item = (&'r str, u64)>, path: &str, field: &str) -> Vec<Change> {
        let mut out: Vec<Change> = Vec::new();
        for (i, (at, value)) in items.enumerate() {
            let here = format!("{path}[{i}]");
            let at = self.moment(at, &format!("{here}.at"));
            if value == 0 {
                let message = "found 0, expected at least 1 (use [faults] outages for a tier that is down)";
                self.push(format!("{here}.{field}"), message);
            }
            self.before_end(at, &format!("{here}.at"));
            if let Some(prev) = out.last().map(|c| c.at).filter(|prev| *prev >= at) {
                let message = format!(
                    "found {at} after the start, expected later than the change before ({prev}): changes in time order"
                );
                self.push(format!("{here}.at"), message);
            }
            out.push(Change { at, value });
        }
        out
    }

    /// Spans `(from, to, value)` listed at `path`, the value under the key
    /// `field`: in time order, not overlapping (the model looks up the one
    /// span holding a moment), starting within the run, value in [0, max].
    pub fn spans<'r>(
        &mut self,
        items: impl Iterator<Item = (&'r str, &'r str, f64)>,
        path: &str,
        field: &str,
        max: f64,
    ) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::new();
        for (i, (from, to, value)) in items.enumerate() {
            let here = format!("{path}[{i}]");
            let (from, to) = self.interval(from, to, &here);
            if !(value >= 0.0 && value <= max) {
                let range = if max < f64::MAX { format!("from 0 to {max}") } else { "of at least 0".into() };
                self.push(format!("{here}.{field}"), format!("found {value}, expected a value {range}"));
            }
            if out.last().is_some_and(|s| s.to > from) {
                self.push(format!("{here}.from"), "overlaps the span before it, expected spans in time order");
            }
            out.push(Span { from, to, value });
        }
        out
    }
}

/// A name picked from a list: "found "surg", expected "constant",
/// "surge", "piecewise" or "trace"; did you mean "surge"?".
pub(super) fn one_of(found: &str, names: &[&str]) -> String {
    let names_quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let list = match names_quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    format!("found {}, expected {list}{}", quoted(found), spelling::hint(found, names, Spelled::Value))
}
