//! How a figure is named wherever one is asked for (`plan --target`,
//! `compare`, `sweep --figure`, `[[observed]] figure`): the grammar, read
//! without a scenario, and the parts only a scenario can check (a cohort's
//! name, a clock time inside the run).
//!
//! ```text
//! FIGURE  = [ "cohort." COHORT "." ] BASE
//! COHORT  = a cohort's name, in double quotes when it holds a dot
//! BASE    = PREFIX CLOCK          a figure at (or by) one instant
//!         | NAME                  a whole-run figure: a headline figure of
//!                                 summary.json, or for a cohort a column
//!                                 of cohorts.csv
//! PREFIX  = queue_at_ | active_at_ | shown_wait_at_ | booked_by_
//!         | booked_share_by_ | attempts_by_ | gave_up_by_
//! CLOCK   = 2021-07-12T03:00 (the scenario's offset), an RFC 3339 time,
//!           or an offset from the start (16h)
//! ```
//!
//! Which NAMEs exist is the statistics' business (`stats::measure`): this
//! layer sits below them, so it checks the shape and leaves the name.

use super::units;
use crate::engine::SimTime;
use chrono::{DateTime, FixedOffset};
use std::fmt;

/// A figure at one instant of the night: the state then, or a count of
/// everything up to it (events at the instant itself included).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClockFigure {
    /// People in the waiting room's line at the instant.
    QueueAt,
    /// Booking sessions in progress at the instant.
    ActiveAt,
    /// The wait the room would show a person joining at the instant [s].
    ShownWaitAt,
    /// Bookings made by the instant (a count).
    BookedBy,
    /// The share of the eligible people whose window had opened booked by
    /// the instant (a cohort: of its people).
    BookedShareBy,
    /// Attempts made by the instant (first, retries, extra devices).
    AttemptsBy,
    /// People gone for good by the instant (net of those who came back).
    GaveUpBy,
}

impl ClockFigure {
    pub const ALL: [ClockFigure; 7] = [
        ClockFigure::QueueAt,
        ClockFigure::ActiveAt,
        ClockFigure::ShownWaitAt,
        ClockFigure::BookedBy,
        ClockFigure::BookedShareBy,
        ClockFigure::AttemptsBy,
        ClockFigure::GaveUpBy,
    ];

    /// The name's prefix, before the clock time.
    pub fn prefix(self) -> &'static str {
        match self {
            ClockFigure::QueueAt => "queue_at_",
            ClockFigure::ActiveAt => "active_at_",
            ClockFigure::ShownWaitAt => "shown_wait_at_",
            ClockFigure::BookedBy => "booked_by_",
            ClockFigure::BookedShareBy => "booked_share_by_",
            ClockFigure::AttemptsBy => "attempts_by_",
            ClockFigure::GaveUpBy => "gave_up_by_",
        }
    }
}

/// The part after the cohort: a figure at an instant, or a whole-run one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Base {
    /// The clock as written.
    At(ClockFigure, String),
    /// A whole-run figure's name (checked by `stats::measure`).
    Named(String),
}

/// A figure's name, read but not yet held against a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FigureName {
    /// The cohort's name, for a figure of one cohort.
    pub cohort: Option<String>,
    pub base: Base,
}

impl FigureName {
    /// Read a figure's name; the error says what was found and expected.
    pub fn parse(text: &str) -> Result<FigureName, String> {
        let text = text.trim();
        let (cohort, rest) = match text.strip_prefix("cohort.") {
            Some(rest) => {
                let (name, rest) = cohort_part(rest).ok_or_else(|| {
                    format!("found \"{text}\", expected cohort.NAME.FIGURE (a name with a dot in quotes)")
                })?;
                (Some(name), rest)
            }
            None => (None, text),
        };
        if rest.is_empty() {
            return Err(format!("found \"{text}\", expected a figure's name after the cohort"));
        }
        let base = match ClockFigure::ALL
            .iter()
            // The longest prefix first: booked_share_by_ is not booked_by_.
            .filter_map(|f| rest.strip_prefix(f.prefix()).map(|clock| (f, clock)))
            .max_by_key(|(f, _)| f.prefix().len())
        {
            Some((_, "")) => return Err(format!("found \"{text}\", expected a clock time after the prefix")),
            Some((_, clock)) if clock.contains(char::is_whitespace) => {
                return Err(format!("found \"{text}\", expected a clock time with no spaces after the prefix"))
            }
            Some((f, clock)) => Base::At(*f, clock.to_string()),
            None if rest.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') => Base::Named(rest.to_string()),
            None => {
                return Err(format!(
                    "found \"{text}\", expected a figure's name (letters, digits, _) or PREFIX<clock time> \
                     (queue_at_, active_at_, shown_wait_at_, booked_by_, booked_share_by_, attempts_by_, gave_up_by_)"
                ))
            }
        };
        Ok(FigureName { cohort, base })
    }

    /// The name as written back (one spelling for one figure).
    pub fn name(&self) -> String {
        self.to_string()
    }

    /// The clock as written, for a figure at an instant.
    pub fn clock(&self) -> Option<&str> {
        match &self.base {
            Base::At(_, clock) => Some(clock),
            Base::Named(_) => None,
        }
    }
}

/// `NAME.REST` or `"NA.ME".REST`: the name and the rest.
fn cohort_part(text: &str) -> Option<(String, &str)> {
    if let Some(quoted) = text.strip_prefix('"') {
        let end = quoted.find('"')?;
        let rest = quoted[end + 1..].strip_prefix('.')?;
        return Some((quoted[..end].to_string(), rest)).filter(|(n, _)| !n.is_empty());
    }
    let (name, rest) = text.split_once('.')?;
    (!name.is_empty()).then(|| (name.to_string(), rest))
}

impl fmt::Display for FigureName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(c) = &self.cohort {
            if c.contains('.') {
                write!(f, "cohort.\"{c}\".")?;
            } else {
                write!(f, "cohort.{c}.")?;
            }
        }
        match &self.base {
            Base::At(k, clock) => write!(f, "{}{clock}", k.prefix()),
            Base::Named(n) => write!(f, "{n}"),
        }
    }
}

/// The instant a clock time names in a run starting at `start` and lasting
/// `duration`: a clock time (RFC 3339, or `2021-07-20T12:00` in the start's
/// offset) or an offset from the start (`16h`); it must fall inside the run
/// (after its start, not after its end).
pub fn moment_in_run(text: &str, start: DateTime<FixedOffset>, duration: SimTime) -> Result<SimTime, String> {
    let at = units::parse_moment(text, start).or_else(|e| {
        ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
            .and_then(|t| t.and_local_timezone(*start.offset()).single())
            .and_then(|t| (t - start).num_microseconds())
            .filter(|us| *us >= 0)
            .map(|us| SimTime(us as u64))
            .ok_or(e)
    })?;
    if at == SimTime::ZERO || at > duration {
        return Err(format!("found \"{text}\", {at} after the start, expected a moment inside the run ({duration})"));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(cohort: Option<&str>, base: Base) -> FigureName {
        FigureName { cohort: cohort.map(str::to_string), base }
    }

    #[test]
    fn names_read_as_the_grammar_says() {
        let p = |t: &str| FigureName::parse(t).unwrap();
        assert_eq!(p("wait_p90_s"), named(None, Base::Named("wait_p90_s".into())));
        assert_eq!(
            p("queue_at_2021-07-12T03:00"),
            named(None, Base::At(ClockFigure::QueueAt, "2021-07-12T03:00".into()))
        );
        assert_eq!(
            p("booked_share_by_2021-07-20T12:00"),
            named(None, Base::At(ClockFigure::BookedShareBy, "2021-07-20T12:00".into()))
        );
        assert_eq!(p("cohort.\"53-54\".wait_p90_s"), named(Some("53-54"), Base::Named("wait_p90_s".into())));
        assert_eq!(
            p("cohort.53-54.booked_by_16h"),
            named(Some("53-54"), Base::At(ClockFigure::BookedBy, "16h".into()))
        );
        assert_eq!(p("cohort.\"a.b\".gave_up_by_1h").cohort.as_deref(), Some("a.b"));
        for t in ["cohort.\"a.b\".gave_up_by_1h", "cohort.x.queue_at_2h", "drop_rate", "attempts_by_30m"] {
            assert_eq!(p(t).to_string(), t, "round trip");
        }
    }

    #[test]
    fn bad_names_say_what_was_expected() {
        assert!(FigureName::parse("cohort.x").unwrap_err().contains("cohort.NAME.FIGURE"));
        assert!(FigureName::parse("queue_at_").unwrap_err().contains("clock time"));
        assert!(FigureName::parse("queue_at_ 1h").unwrap_err().contains("no spaces"));
        assert!(FigureName::parse("wait p90").unwrap_err().contains("expected a figure's name"));
        assert!(FigureName::parse("cohort.\"\".booked").is_err());
    }

    #[test]
    fn clocks_must_fall_inside_the_run() {
        let start = DateTime::parse_from_rfc3339("2021-07-19T20:00:00+09:00").unwrap();
        let day = SimTime::from_secs(86_400);
        assert_eq!(moment_in_run("2021-07-20T02:00", start, day), Ok(SimTime::from_secs(6 * 3600)));
        assert_eq!(moment_in_run("90m", start, day), Ok(SimTime::from_secs(5400)));
        assert!(moment_in_run("2021-07-21T02:00", start, day).unwrap_err().contains("inside the run"));
        assert!(moment_in_run("2021-07-19T19:00", start, day).is_err());
    }
}
