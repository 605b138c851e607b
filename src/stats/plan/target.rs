//! `--target 'FIGURE OP VALUE'`: a figure named as `scenario::figure`
//! says (a headline figure, a figure at a clock time, a cohort's), `<=`,
//! `>=` or `==`, and a value in the figure's own unit (seconds for waits,
//! which may also be written as a duration like `30m`; a share from 0 to 1,
//! or `60%`). The name is read here; held against the scenario (its
//! cohorts, its clock) by `stats::measure::Measure::resolve`.

use crate::scenario::figure::FigureName;
use crate::scenario::units::parse_duration;
use crate::stats::measure::kind_of;
use crate::stats::Kind;
use std::fmt;
use std::str::FromStr;

/// How a figure must compare with the target value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `<=`: at most.
    AtMost,
    /// `>=`: at least.
    AtLeast,
    /// `==`: as close as the key's resolution allows (calibration).
    Equal,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::AtMost => "<=",
            Op::AtLeast => ">=",
            Op::Equal => "==",
        }
    }
}

/// One target: `figure op value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub figure: FigureName,
    pub op: Op,
    /// In the figure's unit (seconds, shares from 0 to 1, counts).
    pub value: f64,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.figure, self.op.symbol(), self.value)
    }
}

impl FromStr for Target {
    type Err = String;
    fn from_str(text: &str) -> Result<Target, String> {
        let bad = |why: String| format!("found \"{text}\": {why}");
        let (at, op) = ["<=", ">=", "=="]
            .iter()
            .find_map(|s| text.find(s).map(|i| (i, *s)))
            .ok_or_else(|| bad("expected FIGURE <= VALUE, FIGURE >= VALUE or FIGURE == VALUE".into()))?;
        let (name, value) = (text[..at].trim(), text[at + 2..].trim());
        let figure = FigureName::parse(name).map_err(|e| format!("{e} (in \"{text}\")"))?;
        let kind = kind_of(&figure).map_err(bad)?;
        let op = match op {
            "<=" => Op::AtMost,
            ">=" => Op::AtLeast,
            _ => Op::Equal,
        };
        let value = parse_value(kind, value).map_err(bad)?;
        Ok(Target { figure, op, value })
    }
}

/// A value in the unit of a figure of `kind`.
fn parse_value(kind: Kind, text: &str) -> Result<f64, String> {
    let x = number_or_unit(kind, text)?;
    if kind == Kind::Share && !(0.0..=1.0).contains(&x) {
        return Err(format!("expected a share from 0 to 1 (0 % to 100 %), found \"{text}\""));
    }
    Ok(x)
}

/// A plain number, or a duration or a percentage where the kind takes one.
fn number_or_unit(kind: Kind, text: &str) -> Result<f64, String> {
    if let Ok(x) = text.parse::<f64>() {
        return if x.is_finite() { Ok(x) } else { Err(format!("expected a finite number, found {text}")) };
    }
    match kind {
        Kind::Seconds => parse_duration(text).map(|d| d.as_secs_f64()),
        Kind::Share => text
            .strip_suffix('%')
            .and_then(|p| p.trim().parse::<f64>().ok())
            .filter(|p| p.is_finite())
            .map(|p| p / 100.0)
            .ok_or_else(|| format!("expected a share like 0.6 or 60%, found \"{text}\"")),
        _ => Err(format!("expected a number, found \"{text}\"")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_in_the_figures_units() {
        let name = |t: &str| FigureName::parse(t).unwrap();
        let t: Target = "drop_rate <= 0.01".parse().unwrap();
        assert_eq!(t, Target { figure: name("drop_rate"), op: Op::AtMost, value: 0.01 });
        let t: Target = "wait_p99_s<=30m".parse().unwrap();
        assert_eq!((t.figure, t.op, t.value), (name("wait_p99_s"), Op::AtMost, 1800.0));
        let t: Target = "booked_share_by_2021-07-20T12:00 == 53.9%".parse().unwrap();
        assert_eq!(t.figure, name("booked_share_by_2021-07-20T12:00"));
        assert!((t.value - 0.539).abs() < 1e-12);
        let t: Target = "booked_share >= 60%".parse().unwrap();
        assert_eq!((t.op, t.value), (Op::AtLeast, 0.6));
        assert_eq!("p_wait == 0.2".parse::<Target>().unwrap().op, Op::Equal);
        let t: Target = "cohort.\"50-52\".wait_p90_s <= 30m".parse().unwrap();
        assert_eq!((t.figure, t.value), (name("cohort.\"50-52\".wait_p90_s"), 1800.0));
        let t: Target = "queue_at_2021-07-20T02:00 <= 1000".parse().unwrap();
        assert_eq!(t.value, 1000.0);
        assert!("shown_wait_at_2h <= 1h".parse::<Target>().is_ok());
    }

    #[test]
    fn bad_targets_say_what_was_expected() {
        assert!("drop_rate < 0.01".parse::<Target>().unwrap_err().contains("expected FIGURE <= VALUE"));
        assert!("drop_rat <= 0.01".parse::<Target>().unwrap_err().contains("did you mean `drop_rate`"));
        assert!("people <= 10m".parse::<Target>().unwrap_err().contains("expected a number"));
        assert!("drop_rate <= NaN".parse::<Target>().is_err());
        assert!("booked_share >= 200%".parse::<Target>().unwrap_err().contains("share from 0 to 1"));
        assert!("booked_share >= 1.5".parse::<Target>().is_err());
    }
}
