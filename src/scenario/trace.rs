//! Trace files: an empirical arrival curve as a CSV of `time,count` rows,
//! read into the rate points a `trace` curve replays.
//!
//! Row i's count arrives uniformly over [time_i, time_i+1); the last row's
//! interval is as long as the one before it. A trace is user input like the
//! scenario itself: every way it can be wrong is one message naming the
//! file, the line and the column, never a panic, and never a read that
//! eats the memory.

use super::echo::quoted;
use super::units::parse_moment;
use super::{volume, RatePoint};
use crate::engine::SimTime;
use chrono::{DateTime, FixedOffset};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Trace files larger than this are refused (a million rows take ~20 MB).
const MAX_TRACE_BYTES: u64 = 64 << 20;

/// Read the trace at `path`, its times relative to `start`, as a step
/// curve of rate points (first attempts per minute).
pub fn read(path: &Path, start: DateTime<FixedOffset>) -> Result<Vec<RatePoint>, String> {
    let shown = path.display();
    let rows = rows(open(path)?, &shown.to_string(), start)?;
    if rows.len() < 2 {
        return Err(format!("trace '{shown}': found {} row(s), expected at least 2", rows.len()));
    }
    let points = steps(&rows);
    if volume(&points) <= 0.0 {
        return Err(format!("trace '{shown}': all counts are zero, expected some arrivals"));
    }
    if !volume(&points).is_finite() {
        return Err(format!("trace '{shown}': found counts adding up to more arrivals than a number can hold"));
    }
    Ok(points)
}

/// The file, opened once it is known to be a regular file of a sane size:
/// no device, pipe or folder (a typo like "/dev/zero" must not eat the
/// memory; a FIFO would wait for a writer for ever).
fn open(path: &Path) -> Result<File, String> {
    let shown = path.display();
    let cannot = |e: std::io::Error| format!("could not read trace '{shown}': {e}");
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(format!("trace '{shown}' is not a regular file, expected a CSV file with columns time,count"));
    }
    if meta.len() > MAX_TRACE_BYTES {
        return Err(format!(
            "trace '{shown}' has {} bytes, expected at most {MAX_TRACE_BYTES} (a trace needs one row per interval, not per person)",
            meta.len()
        ));
    }
    File::open(path).map_err(cannot)
}

/// The `(time, count)` rows under the header, times in increasing order
/// and counts at least 0. Reads at most `MAX_TRACE_BYTES`, whatever the
/// file grew to since it was measured.
fn rows(file: File, shown: &str, start: DateTime<FixedOffset>) -> Result<Vec<(SimTime, f64)>, String> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(file.take(MAX_TRACE_BYTES));
    let csv_problem = |e: csv::Error| csv_problem(shown, e);
    let headers = reader.headers().map_err(csv_problem)?.clone();
    if headers.len() != 2 || &headers[0] != "time" || &headers[1] != "count" {
        return Err(format!(
            "trace '{shown}' line 1: found header {:?}, expected \"time,count\"",
            headers.iter().collect::<Vec<_>>()
        ));
    }
    let mut rows: Vec<(SimTime, f64)> = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(csv_problem)?;
        let line = rec.position().map_or(0, |p| p.line());
        // Two fields in every row: the reader refuses rows of another length.
        let (time, count) = (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""));
        let at = parse_moment(time, start).map_err(|e| format!("trace '{shown}' line {line}, column time: {e}"))?;
        let count: f64 = count.parse().ok().filter(|c: &f64| c.is_finite() && *c >= 0.0).ok_or_else(|| {
            format!(
                "trace '{shown}' line {line}, column count: found {}, expected a count of at least 0",
                quoted(count)
            )
        })?;
        if let Some(&(prev, _)) = rows.last() {
            if at <= prev {
                return Err(format!("trace '{shown}' line {line}: found time {at} after the start, expected later than the row before ({prev})"));
            }
        }
        rows.push((at, count));
    }
    Ok(rows)
}

/// The CSV reader's problem in the trace's words; its own message repeats
/// the position, so the line is said once.
fn csv_problem(shown: &str, e: csv::Error) -> String {
    let line = e.position().map_or(String::new(), |p| format!(" line {}", p.line()));
    match e.kind() {
        csv::ErrorKind::UnequalLengths { len, .. } => {
            format!("trace '{shown}'{line}: found {len} fields, expected 2 (time,count)")
        }
        csv::ErrorKind::Utf8 { .. } => format!("trace '{shown}'{line}: found bytes that are not UTF-8 text"),
        _ => format!("trace '{shown}'{line}: {e}"),
    }
}

/// Rows (at least two) as a step curve: each interval gets two points at
/// the same rate; the piecewise-linear sampler treats equal-rate segments
/// as uniform.
fn steps(rows: &[(SimTime, f64)]) -> Vec<RatePoint> {
    let mut points = Vec::with_capacity(rows.len() * 2);
    for (k, &(at, count)) in rows.iter().enumerate() {
        let end = match rows.get(k + 1) {
            Some(&(next, _)) => next,
            None => at + (at - rows[k - 1].0),
        };
        let rate = count / ((end - at).as_secs_f64() / 60.0);
        points.push(RatePoint { at, rate });
        points.push(RatePoint { at: end, rate });
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2021-07-19T20:00:00+09:00").expect("a valid time")
    }

    /// Read `text` written to a file named `t.csv`; the error, if any.
    fn read_text(text: &[u8]) -> Result<Vec<RatePoint>, String> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).expect("written");
        read(&path, start()).map_err(|e| e.replace(&path.display().to_string(), "t.csv"))
    }

    #[test]
    fn rows_become_a_step_curve_whose_last_interval_repeats_the_one_before() {
        let points = read_text(b"time,count\n0m,60\n10m,0\n 2021-07-19T20:20:00+09:00 , 30 \n").expect("valid");
        let pairs: Vec<(u64, f64)> = points.iter().map(|p| (p.at.0 / 60_000_000, p.rate)).collect();
        assert_eq!(pairs, [(0, 6.0), (10, 6.0), (10, 0.0), (20, 0.0), (20, 3.0), (30, 3.0)]);
        assert_eq!(volume(&points), 90.0);
    }

    #[test]
    fn each_mistake_is_one_message_with_its_line() {
        let cases: [(&[u8], &str); 8] = [
            (
                b"when,count\n0m,1\n1m,1\n",
                "trace 't.csv' line 1: found header [\"when\", \"count\"], expected \"time,count\"",
            ),
            (b"time,count\n0m,1,2\n", "trace 't.csv' line 2: found 3 fields, expected 2 (time,count)"),
            (b"time,count\n0m,\xff\n", "trace 't.csv' line 2: found bytes that are not UTF-8 text"),
            (b"time,count\n0m,1\nsoon,1\n", "trace 't.csv' line 3, column time: "),
            (
                b"time,count\n0m,-1\n",
                "trace 't.csv' line 2, column count: found \"-1\", expected a count of at least 0",
            ),
            (
                b"time,count\n1m,1\n1m,1\n",
                "trace 't.csv' line 3: found time 1m after the start, expected later than the row before (1m)",
            ),
            (b"time,count\n0m,5\n", "trace 't.csv': found 1 row(s), expected at least 2"),
            (b"time,count\n0m,0\n1m,0\n", "trace 't.csv': all counts are zero, expected some arrivals"),
        ];
        for (text, message) in cases {
            let e = read_text(text).expect_err(message);
            assert!(e.starts_with(message), "{e}\n expected: {message}");
        }
    }

    #[test]
    fn counts_too_large_to_add_up_are_refused() {
        let e = read_text(b"time,count\n0m,1e308\n1us,1e308\n").expect_err("overflows");
        assert_eq!(e, "trace 't.csv': found counts adding up to more arrivals than a number can hold");
    }

    #[test]
    fn only_a_regular_file_of_a_sane_size_is_read() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let e = read(dir.path(), start()).expect_err("a folder");
        assert!(e.ends_with("is not a regular file, expected a CSV file with columns time,count"), "{e}");
        let e = read(&dir.path().join("none.csv"), start()).expect_err("missing");
        assert!(e.starts_with("could not read trace"), "{e}");
        // A sparse file: large to the metadata, nothing on the disk.
        let big = dir.path().join("big.csv");
        File::create(&big).and_then(|f| f.set_len(MAX_TRACE_BYTES + 1)).expect("a sparse file");
        let e = read(&big, start()).expect_err("too large");
        assert!(e.contains(&format!("has {} bytes, expected at most {MAX_TRACE_BYTES}", MAX_TRACE_BYTES + 1)), "{e}");
    }
}
