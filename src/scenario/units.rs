//! Units a scenario is written in: durations (`90s`, `4m`, `1h30m`, `1.5h`)
//! and clock times (RFC 3339, `2021-07-19T20:00:00+09:00`), and how both
//! become `SimTime` on the run's clock.

use super::echo::quoted;
use crate::engine::SimTime;
use chrono::{DateTime, FixedOffset, Timelike};

/// What a duration may look like, quoted in every error about one.
pub const DURATION_FORMS: &str = "a duration like \"90s\", \"4m\", \"1h30m\", \"1.5h\" or \"250ms\"";

/// Parse a duration: one or more `<number><unit>` parts, units `d`, `h`, `m`,
/// `s`, `ms`, `us`. A bare number is refused: "30" could mean seconds or
/// minutes, and guessing wrong silently is worse than asking.
pub fn parse_duration(text: &str) -> Result<SimTime, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err(format!("found an empty string, expected {DURATION_FORMS}"));
    }
    let bad = || format!("found {}, expected {DURATION_FORMS}", quoted(text));
    let mut total_us = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad());
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let micros_per = match &rest[..unit_len] {
            "d" => 86_400e6,
            "h" => 3_600e6,
            "m" | "min" => 60e6,
            "s" => 1e6,
            "ms" => 1e3,
            "us" => 1.0,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total_us += value * micros_per;
    }
    if !total_us.is_finite() || total_us >= u64::MAX as f64 {
        return Err(format!("found {}, which is too long for the clock", quoted(text)));
    }
    Ok(SimTime(total_us.round() as u64))
}

/// A duration that must be above zero (a session, a timeout, a bin): zero
/// would divide by zero or never end.
pub fn parse_positive_duration(text: &str) -> Result<SimTime, String> {
    match parse_duration(text)? {
        SimTime::ZERO => Err(format!("found {}, expected a duration above zero", quoted(text))),
        d => Ok(d),
    }
}

/// Parse an RFC 3339 clock time with its UTC offset.
///
/// A leap second (`23:59:60`) is refused: chrono keeps it as second 59
/// with a nanosecond count past 1e9, so the run's clock, counted from it,
/// would write every row a second early; and nothing in a run needs one.
pub fn parse_clock(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let at = DateTime::parse_from_rfc3339(text.trim()).map_err(|e| {
        format!("found {}, expected a clock time like \"2021-07-19T20:00:00+09:00\" ({e})", quoted(text))
    })?;
    if at.nanosecond() >= 1_000_000_000 {
        return Err(format!(
            "found {}, a leap second, expected seconds from 00 to 59 (the run's clock has no leap seconds)",
            quoted(text)
        ));
    }
    Ok(at)
}

/// A moment written either as a clock time or as an offset from the start
/// (`"2021-07-19T20:40:00+09:00"` or `"40m"`), resolved on the run's clock.
/// A clock time before the start is an error: the run cannot go back.
pub fn parse_moment(text: &str, start: DateTime<FixedOffset>) -> Result<SimTime, String> {
    if text.contains('T') || text.contains(':') {
        let at = parse_clock(text)?;
        let us =
            (at - start).num_microseconds().ok_or_else(|| format!("{} is too far from the start", quoted(text)))?;
        // Negative: before the start.
        u64::try_from(us)
            .map(SimTime)
            .map_err(|_| format!("found {}, which is before the scenario start {}", quoted(text), start.to_rfc3339()))
    } else {
        parse_duration(text.trim_start_matches('+')).map_err(|_| {
            format!("found {}, expected a clock time like \"2021-07-19T20:40:00+09:00\" or an offset from the start like \"40m\"", quoted(text))
        })
    }
}

/// The clock time of a simulated instant (of a checked run: validation
/// refuses a run whose end the calendar or RFC 3339 cannot hold).
pub fn clock_at(start: DateTime<FixedOffset>, t: SimTime) -> DateTime<FixedOffset> {
    start + chrono::Duration::microseconds(i64::try_from(t.0).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_form() {
        assert_eq!(parse_duration("90s"), Ok(SimTime::from_secs(90)));
        assert_eq!(parse_duration("4m"), Ok(SimTime::from_secs(240)));
        assert_eq!(parse_duration("1h30m"), Ok(SimTime::from_secs(5400)));
        assert_eq!(parse_duration("1.5h"), Ok(SimTime::from_secs(5400)));
        assert_eq!(parse_duration("104h"), Ok(SimTime::from_secs(104 * 3600)));
        assert_eq!(parse_duration("250ms"), Ok(SimTime(250_000)));
        assert_eq!(parse_duration("2d"), Ok(SimTime::from_secs(172_800)));
    }

    #[test]
    fn bad_durations_say_what_was_expected() {
        for bad in ["", "30", "5 parsecs", "h", "1.2.3s", "-5s"] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.contains("expected") || err.contains("empty"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_positive_duration_is_above_zero() {
        assert_eq!(parse_positive_duration("1ms"), Ok(SimTime(1000)));
        assert_eq!(parse_positive_duration("0m"), Err("found \"0m\", expected a duration above zero".into()));
        assert_eq!(parse_positive_duration("5 parsecs"), Err(parse_duration("5 parsecs").unwrap_err()));
    }

    #[test]
    fn a_leap_second_is_refused_wherever_a_clock_time_goes() {
        // chrono reads it, as second 59 and a nanosecond count past 1e9.
        let start = parse_clock("2021-07-19T20:00:00+09:00").unwrap();
        for text in ["2016-12-31T23:59:60Z", "2017-01-01T08:59:60+09:00"] {
            assert!(parse_clock(text).unwrap_err().contains("a leap second"), "{text}");
            assert!(parse_moment(text, start).unwrap_err().contains("a leap second"), "{text}");
        }
    }

    #[test]
    fn moments_as_clock_or_offset() {
        let start = parse_clock("2021-07-19T20:00:00+09:00").unwrap();
        assert_eq!(parse_moment("2021-07-19T20:40:00+09:00", start), Ok(SimTime::from_secs(2400)));
        assert_eq!(parse_moment("2021-07-19T11:40:00Z", start), Ok(SimTime::from_secs(2400)));
        assert_eq!(parse_moment("40m", start), Ok(SimTime::from_secs(2400)));
        assert_eq!(parse_moment("+40m", start), Ok(SimTime::from_secs(2400)));
        assert!(parse_moment("2021-07-19T19:00:00+09:00", start).unwrap_err().contains("before"));
        assert_eq!(clock_at(start, SimTime::from_secs(3600)).to_rfc3339(), "2021-07-19T21:00:00+09:00");
    }
}
