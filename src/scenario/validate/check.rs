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
use super::super::units::{parse_moment, parse_positive_duration};
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
        parse_positive_duration(text).map_err(|e| self.push(path, e)).ok()
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

/// What the sections' tests share: a context, raw parts from TOML text,
/// and the one problem a bad value must give.
#[cfg(test)]
pub(super) mod testing {
    use super::Check;
    use crate::engine::SimTime;
    use chrono::DateTime;
    use serde::de::DeserializeOwned;
    use std::path::Path;

    /// A context on a two-hour run from 2021-07-19T20:00:00+09:00.
    pub fn context() -> Check<'static> {
        context_in(Path::new("."))
    }

    /// The same, with traces read from `base_dir`.
    pub fn context_in(base_dir: &Path) -> Check<'_> {
        let start = DateTime::parse_from_rfc3339("2021-07-19T20:00:00+09:00").expect("a valid time");
        Check::new(start, SimTime::from_secs(7200), base_dir)
    }

    /// The raw part that `text` (TOML) reads as.
    pub fn raw<T: DeserializeOwned>(text: &str) -> T {
        toml::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// The one problem noted, as (field path, message); fails on none or more.
    pub fn one(c: &Check) -> (String, String) {
        match c.problems.0.as_slice() {
            [p] => (p.path.clone(), p.message.clone()),
            other => panic!("expected one problem, found {other:#?}"),
        }
    }

    /// Fails when any problem was noted.
    pub fn none(c: &Check) {
        assert!(c.problems.is_empty(), "expected no problem, found {:#?}", c.problems.0);
    }

    /// Run `section` on a fresh context; the one problem it notes.
    pub fn problem(section: impl FnOnce(&mut Check)) -> (String, String) {
        let mut c = context();
        section(&mut c);
        one(&c)
    }

    /// A problem as `one` and `problem` return it.
    pub fn at(path: &str, message: &str) -> (String, String) {
        (path.to_string(), message.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{at, context, one, problem};
    use super::*;

    #[test]
    fn moments_read_as_offsets_or_clock_times_inside_the_run() {
        let mut c = context();
        assert_eq!(c.moment("20m", "x"), SimTime::from_secs(1200));
        assert_eq!(c.moment("2021-07-19T20:40:00+09:00", "x"), SimTime::from_secs(2400));
        c.before_end(SimTime::from_secs(7199), "x");
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let (path, message) = problem(|c| {
            c.moment("soon", "a.at");
        });
        assert_eq!(path, "a.at");
        assert!(message.starts_with("found \"soon\", expected a clock time like"), "{message}");
        let early = problem(|c| {
            c.moment("2021-07-19T19:00:00+09:00", "a.at");
        });
        let message =
            "found \"2021-07-19T19:00:00+09:00\", which is before the scenario start 2021-07-19T20:00:00+09:00";
        assert_eq!(early, at("a.at", message));
        let late = problem(|c| c.before_end(SimTime::from_secs(7200), "a.at"));
        assert_eq!(late, at("a.at", "found 2h after the start, expected before the end of the run (2h)"));
    }

    #[test]
    fn durations_probabilities_and_shares_have_their_ranges() {
        let mut c = context();
        assert_eq!(c.positive_duration("1m", "d"), Some(SimTime::from_secs(60)));
        assert_eq!(c.probability(None, 0.25, "p"), 0.25);
        c.share(1.0, "s");
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let zero = problem(|c| assert_eq!(c.positive_duration("0s", "d"), None));
        assert_eq!(zero, at("d", "found \"0s\", expected a duration above zero"));
        let (path, message) = problem(|c| assert_eq!(c.positive_duration("soon", "d"), None));
        assert_eq!(path, "d");
        assert!(message.starts_with("found \"soon\", expected a duration like"), "{message}");
        let p = problem(|c| assert_eq!(c.probability(Some(1.5), 0.0, "p"), 1.5));
        assert_eq!(p, at("p", "found 1.5, expected a probability from 0 to 1"));
        let nan = problem(|c| {
            c.probability(Some(f64::NAN), 0.0, "p");
        });
        assert_eq!(nan, at("p", "found NaN, expected a probability from 0 to 1"));
        assert_eq!(problem(|c| c.share(-0.5, "s")), at("s", "found -0.5, expected a share from 0 to 1"));
    }

    #[test]
    fn text_is_short_and_free_of_control_characters() {
        let mut c = context();
        c.text("Night of 19 July", "t", 20, "why");
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let long = problem(|c| c.text("abcdef", "t", 5, "it heads a chart"));
        assert_eq!(long, at("t", "found 6 characters, expected at most 5 (it heads a chart)"));
        let control = problem(|c| c.text("a\u{1b}b", "t", 5, "why"));
        let message = "found \"a\\u001Bb\" with the control character \\u001B at character 2, expected text without control characters";
        assert_eq!(control, at("t", message));
    }

    #[test]
    fn an_interval_ends_after_it_begins_and_begins_inside_the_run() {
        let mut c = context();
        assert_eq!(c.interval("10m", "3h", "s[0]"), (SimTime::from_secs(600), SimTime::from_secs(10_800)));
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let backwards = problem(|c| {
            c.interval("1h", "30m", "s[0]");
        });
        assert_eq!(
            backwards,
            at("s[0].to", "found 30m after the start, expected later than `from` (1h after the start)")
        );
        let late = problem(|c| {
            c.interval("2h", "3h", "s[0]");
        });
        assert_eq!(late, at("s[0].from", "found 2h after the start, expected before the end of the run (2h)"));
    }

    #[test]
    fn changes_are_in_time_order_with_values_of_at_least_one() {
        let mut c = context();
        let good = c.changes([("0m", 5), ("1h", 10)].into_iter(), "b.schedule", "max_sessions");
        assert_eq!(good.iter().map(|g| (g.at.0, g.value)).collect::<Vec<_>>(), [(0, 5), (3_600_000_000, 10)]);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let zero = problem(|c| {
            c.changes([("1h", 0)].into_iter(), "b.schedule", "max_sessions");
        });
        let message = "found 0, expected at least 1 (use [faults] outages for a tier that is down)";
        assert_eq!(zero, at("b.schedule[0].max_sessions", message));
        let order = problem(|c| {
            c.changes([("1h", 1), ("1h", 2)].into_iter(), "b.schedule", "max_sessions");
        });
        let message = "found 1h after the start, expected later than the change before (1h): changes in time order";
        assert_eq!(order, at("b.schedule[1].at", message));
        let late = problem(|c| {
            c.changes([("3h", 1)].into_iter(), "b.schedule", "max_sessions");
        });
        assert_eq!(late, at("b.schedule[0].at", "found 3h after the start, expected before the end of the run (2h)"));
    }

    #[test]
    fn spans_are_apart_in_time_order_with_values_in_range() {
        let mut c = context();
        let good = c.spans([("0m", "10m", 0.5), ("10m", "3h", 1.0)].into_iter(), "w.bypass", "share", 1.0);
        assert_eq!(good.len(), 2);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let high = problem(|c| {
            c.spans([("0m", "10m", 2.0)].into_iter(), "w.bypass", "share", 1.0);
        });
        assert_eq!(high, at("w.bypass[0].share", "found 2, expected a value from 0 to 1"));
        let negative = problem(|c| {
            c.spans([("0m", "10m", -1.0)].into_iter(), "w.loss", "per_hour", f64::MAX);
        });
        assert_eq!(negative, at("w.loss[0].per_hour", "found -1, expected a value of at least 0"));
        let overlap = problem(|c| {
            c.spans([("0m", "20m", 0.5), ("10m", "30m", 0.5)].into_iter(), "w.bypass", "share", 1.0);
        });
        assert_eq!(overlap, at("w.bypass[1].from", "overlaps the span before it, expected spans in time order"));
    }

    #[test]
    fn a_name_from_a_list_is_suggested_when_near() {
        let message = "found \"surg\", expected \"constant\", \"surge\" or \"trace\"; did you mean \"surge\"?";
        assert_eq!(one_of("surg", &["constant", "surge", "trace"]), message);
        assert_eq!(one_of("banana", &["fifo"]), "found \"banana\", expected \"fifo\"");
    }

    #[test]
    fn count_tells_whether_a_part_added_problems() {
        let mut c = context();
        let before = c.count();
        c.share(2.0, "s");
        assert_eq!(c.count(), before + 1);
        one(&c);
    }
}
