//! How figures read, in one place: numbers for people (`1,234,567`,
//! `64.3%`, `88.2 min`), numbers for machines (CSV cells, JSON values),
//! and `Shown`, which writes a figure's value the same way in every report
//! whether it is one run's number or an estimate over replications.
//!
//! A difference between two figures is not a figure: it has a sign, and a
//! count's difference may be below zero where the count itself never is.
//! It is its own type (`Difference`), written with its sign everywhere
//! (`+1,234`, `-10`, `-2.1 pp`, `+3.5 min`); only `Shown` (a figure) reads
//! a count's interval end below zero as 0.

use crate::engine::SimTime;
use crate::scenario::units::clock_at;
use crate::stats::{Estimate, Kind, Value};
use chrono::{DateTime, FixedOffset};

/// A moment `secs` after the scenario's `start` as its clock time: RFC
/// 3339 in the scenario's offset, to the second (as `timeseries.csv`'s
/// `time` and the milestones' `at`).
pub fn clock(start: DateTime<FixedOffset>, secs: f64) -> String {
    clock_at(start, SimTime::from_secs(secs.max(0.0) as u64)).to_rfc3339()
}

/// `1234567` as `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A share as a percentage, `-` when undefined.
pub fn pct(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| format!("{:.1}%", 100.0 * v))
}

/// Seconds as minutes, `-` when undefined.
pub fn mins(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| format!("{:.1} min", v / 60.0))
}

/// Text safe inside a Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// A number as the CSV tables write it: shortest round-trip form
/// (`0.5`, `12.0`), empty when undefined or not finite.
pub fn number(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => ryu::Buffer::new().format_finite(v).to_string(),
        _ => String::new(),
    }
}

/// A figure of one run as a CSV cell: counts as whole numbers.
fn value_cell(kind: Kind, v: Value) -> String {
    match (kind, v) {
        (Kind::Count, Some(n)) => format!("{}", n as u64),
        _ => number(v),
    }
}

/// A figure of one run as a JSON value: counts as whole numbers, other
/// figures as numbers, `null` when undefined.
fn value_json(kind: Kind, v: Value) -> serde_json::Value {
    match (kind, v) {
        (Kind::Count, Some(n)) => serde_json::Value::from(n as u64),
        (_, v) => v.and_then(serde_json::Number::from_f64).map_or(serde_json::Value::Null, serde_json::Value::Number),
    }
}

/// How a figure reads for people, by its kind. A count is never below 0:
/// an interval's low end below it (a small mean, a wide interval) reads as 0.
fn human(kind: Kind, x: f64) -> String {
    match kind {
        Kind::Count => count(x.max(0.0).round() as u64),
        Kind::Share => format!("{:.1}%", 100.0 * x),
        Kind::Seconds => format!("{:.1} min", x / 60.0),
        Kind::Level => format!("{x:.1}"),
        Kind::Ratio => format!("{x:.3}"),
        // Without the scenario's clock: the time after its start.
        Kind::Clock => format!("{:.1} min after the start", x / 60.0),
    }
}

/// The same without its unit (the second end of an interval).
fn bare(kind: Kind, x: f64) -> String {
    match kind {
        Kind::Count => count(x.max(0.0).round() as u64),
        Kind::Share => format!("{:.1}", 100.0 * x),
        Kind::Seconds => format!("{:.1}", x / 60.0),
        Kind::Level => format!("{x:.1}"),
        Kind::Ratio => format!("{x:.3}"),
        Kind::Clock => format!("{:.1}", x / 60.0),
    }
}

/// A figure's value as the reports write it: one run's `Value`, or an
/// `Option<Estimate>` over replications. The tables, `summary.json` and
/// `report.md` are written once, generic over this.
pub trait Shown {
    /// Whether values carry an interval (replications).
    const INTERVALS: bool;
    /// The CSV cell of the value (the mean, for an estimate).
    fn cell(&self, kind: Kind) -> String;
    /// The interval's ends as CSV cells (empty for one run).
    fn bounds(&self) -> [String; 2];
    /// The value in `summary.json` (an estimate's mean).
    fn json(&self, kind: Kind) -> serde_json::Value;
    /// An estimate's interval as `{ lo, hi, n }` in `summary.json`.
    fn interval(&self) -> serde_json::Value;
    /// For people: the value with its unit; an estimate's interval in
    /// brackets when it has a width.
    fn human(&self, kind: Kind) -> String;
    /// The point value (an estimate's mean), if defined.
    fn point(&self) -> Option<f64>;

    /// `cell`, with clock figures written as clock times of a scenario
    /// that starts at `start` (an estimate's: its mean's).
    fn cell_at(&self, kind: Kind, start: DateTime<FixedOffset>) -> String {
        match kind {
            Kind::Clock => self.point().map_or(String::new(), |x| clock(start, x)),
            _ => self.cell(kind),
        }
    }

    /// `json`, with clock figures as clock times (`null` when undefined).
    fn json_at(&self, kind: Kind, start: DateTime<FixedOffset>) -> serde_json::Value {
        match kind {
            Kind::Clock => self.point().map_or(serde_json::Value::Null, |x| serde_json::Value::from(clock(start, x))),
            _ => self.json(kind),
        }
    }

    /// `human`, with clock figures as clock times (`-` when undefined).
    fn human_at(&self, kind: Kind, start: DateTime<FixedOffset>) -> String {
        match kind {
            Kind::Clock => self.point().map_or("-".to_string(), |x| clock(start, x)),
            _ => self.human(kind),
        }
    }
}

impl Shown for Value {
    const INTERVALS: bool = false;
    fn cell(&self, kind: Kind) -> String {
        value_cell(kind, *self)
    }
    fn bounds(&self) -> [String; 2] {
        [String::new(), String::new()]
    }
    fn json(&self, kind: Kind) -> serde_json::Value {
        value_json(kind, *self)
    }
    fn interval(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
    fn human(&self, kind: Kind) -> String {
        self.map_or("-".to_string(), |x| human(kind, x))
    }
    fn point(&self) -> Option<f64> {
        *self
    }
}

/// A mean of counts that is a whole number (people, in every replication
/// the same) reads as a count; other means keep their fraction.
fn whole(kind: Kind, mean: f64) -> Option<u64> {
    (kind == Kind::Count && mean.fract() == 0.0 && (0.0..9.0e15).contains(&mean)).then_some(mean as u64)
}

impl Shown for Option<Estimate> {
    const INTERVALS: bool = true;
    fn cell(&self, kind: Kind) -> String {
        match self.map(|e| e.mean) {
            Some(m) if whole(kind, m).is_some() => value_cell(kind, Some(m)),
            mean => number(mean),
        }
    }
    fn bounds(&self) -> [String; 2] {
        [number(self.and_then(|e| e.lo)), number(self.and_then(|e| e.hi))]
    }
    fn json(&self, kind: Kind) -> serde_json::Value {
        match self.map(|e| e.mean) {
            Some(m) if whole(kind, m).is_some() => value_json(kind, Some(m)),
            mean => value_json(Kind::Level, mean),
        }
    }
    fn interval(&self) -> serde_json::Value {
        match self {
            None => serde_json::Value::Null,
            Some(e) => serde_json::json!({ "lo": e.lo, "hi": e.hi, "n": e.n }),
        }
    }
    fn human(&self, kind: Kind) -> String {
        match self {
            None => "-".to_string(),
            Some(Estimate { mean, lo: Some(lo), hi: Some(hi), .. }) if hi > lo => {
                format!("{} [{} to {}]", human(kind, *mean), bare(kind, *lo), bare(kind, *hi))
            }
            Some(e) => human(kind, e.mean),
        }
    }
    fn point(&self) -> Option<f64> {
        self.map(|e| e.mean)
    }
}

/// A paired difference between two scenarios' figure (`b - a`, one value
/// per pair of runs on the same seed, combined over the pairs), or
/// `None` where the figure is undefined in every pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference(pub Option<Estimate>);

/// What the pairs say about a difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Zero in every pair: the two scenarios gave the same figure.
    Identical,
    /// The 95 % interval leaves out zero.
    Real,
    /// The interval holds zero.
    NotShown,
    /// One pair (or none): no interval.
    TooFew,
}

impl Verdict {
    /// As `report.md` and the terminal say it.
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Identical => "identical in every pair",
            Verdict::Real => "real",
            Verdict::NotShown => "not shown to differ",
            Verdict::TooFew => "too few pairs to tell",
        }
    }
}

impl Difference {
    /// The CSV cell: the mean difference, with its sign.
    pub fn cell(&self) -> String {
        number(self.0.map(|e| e.mean))
    }

    /// The interval's ends as CSV cells, with their signs.
    pub fn bounds(&self) -> [String; 2] {
        [number(self.0.and_then(|e| e.lo)), number(self.0.and_then(|e| e.hi))]
    }

    /// For people: the signed difference in the figure's unit (a share's
    /// in percentage points, a clock time's in minutes), its interval in
    /// brackets when it has a width; `-` when undefined.
    pub fn human(&self, kind: Kind) -> String {
        match self.0 {
            None => "-".to_string(),
            Some(Estimate { mean, lo: Some(lo), hi: Some(hi), .. }) if hi > lo => {
                format!("{} [{} to {}]", signed(kind, mean, true), signed(kind, lo, false), signed(kind, hi, false))
            }
            Some(e) => signed(kind, e.mean, true),
        }
    }

    /// Whether the difference is real, by its 95 % interval.
    pub fn verdict(&self) -> Verdict {
        match self.0 {
            Some(Estimate { mean, lo: Some(lo), hi: Some(hi), .. }) if mean == 0.0 && lo == 0.0 && hi == 0.0 => {
                Verdict::Identical
            }
            Some(Estimate { lo: Some(lo), hi: Some(hi), .. }) if lo > 0.0 || hi < 0.0 => Verdict::Real,
            Some(Estimate { lo: Some(_), hi: Some(_), .. }) => Verdict::NotShown,
            _ => Verdict::TooFew,
        }
    }
}

/// A difference for people: `+` or `-` (zero without), and the unit when
/// `unit` (not on an interval's ends).
fn signed(kind: Kind, x: f64, unit: bool) -> String {
    let sign = if x > 0.0 {
        "+"
    } else if x < 0.0 {
        "-"
    } else {
        ""
    };
    let a = x.abs();
    let (number, unit_text) = match kind {
        // A mean of whole differences keeps a decimal only where it is small
        // enough to matter (-0.2 is not 0).
        Kind::Count if a.fract() == 0.0 || a >= 100.0 => (count(a.round() as u64), ""),
        Kind::Count => (format!("{a:.1}"), ""),
        Kind::Share => (format!("{:.1}", 100.0 * a), " pp"),
        Kind::Seconds | Kind::Clock => (format!("{:.1}", a / 60.0), " min"),
        Kind::Level => (format!("{a:.1}"), ""),
        Kind::Ratio => (format!("{a:.3}"), ""),
    };
    format!("{sign}{number}{}", if unit { unit_text } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(280_800), "280,800");
        assert_eq!(count(12_345_678), "12,345,678");
    }

    #[test]
    fn undefined_figures_read_as_a_dash() {
        assert_eq!(pct(None), "-");
        assert_eq!(mins(None), "-");
        assert_eq!(pct(Some(0.1234)), "12.3%");
        assert_eq!(mins(Some(90.0)), "1.5 min");
    }

    #[test]
    fn cells_write_counts_whole_and_other_numbers_round_trip() {
        assert_eq!(Some(12.0).cell(Kind::Count), "12");
        assert_eq!(Some(12.0).cell(Kind::Level), "12.0");
        assert_eq!(Some(0.1 + 0.2).cell(Kind::Share), "0.30000000000000004");
        assert_eq!(None::<f64>.cell(Kind::Seconds), "");
        assert_eq!(Some(f64::NAN).cell(Kind::Share), "");
        let e = Estimate::of(&[1.0, 3.0]);
        assert_eq!(e.cell(Kind::Count), "2", "a whole mean of counts reads as a count");
        assert_eq!(e.cell(Kind::Share), "2.0");
        assert_eq!(Estimate::of(&[1.0, 2.0]).cell(Kind::Count), "1.5");
        assert_eq!(e.json(Kind::Count), serde_json::json!(2));
        assert!(e.bounds().iter().all(|b| !b.is_empty()));
        assert_eq!(Some(7.0).json(Kind::Count), serde_json::json!(7));
        assert_eq!(Some(7.0).json(Kind::Level), serde_json::json!(7.0));
    }

    #[test]
    fn estimates_read_with_their_interval() {
        let e = Estimate::of(&[0.5, 0.7]);
        let text = e.human(Kind::Share);
        assert!(text.starts_with("60.0% [") && text.ends_with(']'), "{text}");
        assert_eq!(Estimate::of(&[0.5]).human(Kind::Share), "50.0%", "no interval from one value");
    }

    #[test]
    fn differences_keep_their_sign() {
        // Counts: a negative difference is not a count clamped at zero.
        let d = Difference(Estimate::of(&[-10.0, -10.0, -10.0, -10.0]));
        assert_eq!(d.human(Kind::Count), "-10");
        assert_eq!(d.cell(), "-10.0");
        let d = Difference(Estimate::of(&[-12.0, -8.0, -11.0, -9.0]));
        let text = d.human(Kind::Count);
        assert!(text.starts_with("-10 [-") && text.contains(" to -"), "{text}");
        assert!(d.bounds().iter().all(|b| b.starts_with('-')), "{:?}", d.bounds());
        assert_eq!(d.verdict(), Verdict::Real);
        assert_eq!(Difference(Estimate::of(&[-0.25])).human(Kind::Count), "-0.2");
        assert_eq!(Difference(Estimate::of(&[1234.0])).human(Kind::Count), "+1,234");
        // Shares in percentage points, durations and clock times in minutes.
        assert_eq!(Difference(Estimate::of(&[-0.021])).human(Kind::Share), "-2.1 pp");
        assert_eq!(Difference(Estimate::of(&[210.0])).human(Kind::Seconds), "+3.5 min");
        assert_eq!(Difference(Estimate::of(&[-90.0])).human(Kind::Clock), "-1.5 min");
        let across = Difference(Estimate::of(&[-1.0, 2.0, 1.0, -1.5]));
        assert!(across.human(Kind::Level).contains("[-"), "{}", across.human(Kind::Level));
        assert_eq!(across.verdict(), Verdict::NotShown);
        let zero = Difference(Estimate::of(&[0.0, 0.0, 0.0]));
        assert_eq!((zero.human(Kind::Share).as_str(), zero.verdict()), ("0.0 pp", Verdict::Identical));
        assert_eq!(Difference(Estimate::of(&[0.5])).verdict(), Verdict::TooFew);
        assert_eq!(Difference(None).human(Kind::Count), "-");
    }
}
