//! `sweep.csv`: one row per point of a sweep's grid: the point's number,
//! its value of each varied key, then every headline figure's mean over
//! the point's replications with its 95 % interval (`_lo`, `_hi`), then the
//! booked share by each milestone of any point (`booked_share_by_<clock>`,
//! with `_lo`, `_hi`; empty where a point's run does not reach it), then
//! each figure asked for by name (`sweep --figure NAME`: `NAME`, `NAME_lo`,
//! `NAME_hi`), in the order asked.
//!
//! The table is read back here too, as typed rows: `merge` joins shards by
//! their rows, and the sweep charts are drawn from the table's bytes, so a
//! merged sweep draws exactly what an unsharded one does. A cell that is
//! not a finite number is refused as it is read; `impossible` then finds a
//! row that no sweep writes, whatever its checksum says (`sweep.json`'s
//! `rows_sha256` is documented, so anyone can recompute it): a count below
//! zero or a share above one, an interval that does not hold its mean, or
//! figures that break the model's conservation (more booked than people).

use crate::report::format::Shown;
use crate::report::tables;
use crate::scenario::figure::FigureName;
use crate::scenario::grid::Vary;
use crate::stats::measure::kind_of;
use crate::stats::{Columns, DropCause, Estimate, Figures, Headline, Kind, RefusalCause};
use anyhow::{bail, Context, Result};

/// One point of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRow {
    /// The point's number in the grid.
    pub point: usize,
    /// Its value of each varied key, in `--vary` order.
    pub values: Vec<String>,
    pub figures: Figures<Headline, Option<Estimate>>,
    /// The booked share by each of the point's milestones: its column name
    /// (`booked_share_by_<clock>`) and estimate, in time order.
    pub milestones: Vec<(String, Option<Estimate>)>,
    /// Each figure asked for by name (`sweep --figure`), in the order
    /// asked: its estimate over the point's replications (`None` where
    /// undefined in every one).
    pub asked: Vec<Option<Estimate>>,
}

/// A sweep's table, with what it needs to be read.
#[derive(Clone, Debug)]
pub struct Sweep<'a> {
    /// The scenario's name.
    pub scenario: &'a str,
    pub vary: &'a [Vary],
    pub replications: usize,
    /// In point order.
    pub rows: Vec<SweepRow>,
}

/// The bytes of `sweep.csv`; `asked` names the figures asked for by name
/// (each row's `asked`, in this order).
pub fn csv(vary: &[Vary], asked: &[String], rows: &[SweepRow]) -> Result<Vec<u8>> {
    let mut labels = vec!["point"];
    labels.extend(vary.iter().map(|v| v.key.as_str()));
    let columns = milestone_columns(rows);
    let triple = |c: &String| [c.clone(), format!("{c}_lo"), format!("{c}_hi")];
    let extra: Vec<String> = columns.iter().chain(asked).flat_map(triple).collect();
    let kinds: Vec<Kind> = asked.iter().map(|n| asked_kind(n)).collect();
    tables::csv_with(
        &labels,
        &extra,
        None,
        rows.iter().map(|r| {
            let mut cells = vec![r.point.to_string()];
            cells.extend(r.values.iter().cloned());
            let shares = columns.iter().map(|c| r.milestones.iter().find(|(n, _)| n == c).and_then(|(_, e)| *e));
            let mut more = tables::milestone_cells(shares);
            for (kind, e) in kinds.iter().zip(&r.asked) {
                more.push(e.cell(*kind));
                more.extend(e.bounds());
            }
            (cells, &r.figures, more)
        }),
    )
}

/// The kind of a figure asked for by name (a name `sweep` accepted
/// parses; a level, whose cells are plain numbers, otherwise).
pub fn asked_kind(name: &str) -> Kind {
    FigureName::parse(name).ok().and_then(|n| kind_of(&n).ok()).unwrap_or(Kind::Level)
}

/// The milestone columns of any row: labels are clock times written the
/// same way, so their order as text is their order in time.
fn milestone_columns(rows: &[SweepRow]) -> Vec<String> {
    let mut columns: Vec<String> = rows.iter().flat_map(|r| r.milestones.iter().map(|(n, _)| n.clone())).collect();
    columns.sort();
    columns.dedup();
    columns
}

/// The rows of a `sweep.csv` written for `vary` with `replications` per
/// point (and no figure asked for by name); a table with other columns is
/// refused (another version wrote it, or it was edited).
pub fn read(bytes: &[u8], vary: &[Vary], replications: usize) -> Result<Vec<SweepRow>> {
    read_asked(bytes, vary, replications, &[])
}

/// `read` of a table with the figures `asked` by name (`sweep --figure`)
/// as its last columns.
pub fn read_asked(bytes: &[u8], vary: &[Vary], replications: usize, asked: &[String]) -> Result<Vec<SweepRow>> {
    Ok(read_numbered(bytes, vary, replications, asked)?.into_iter().map(|(_, row)| row).collect())
}

/// `read`, each row with its line in the file (the header is line 1), so
/// that a refusal can point at it.
pub fn read_numbered(
    bytes: &[u8],
    vary: &[Vary],
    replications: usize,
    asked: &[String],
) -> Result<Vec<(u64, SweepRow)>> {
    let expected = String::from_utf8(csv(vary, &[], &[])?).context("header")?;
    let expected: Vec<&str> = expected.trim_end().split(',').collect();
    let tail: Vec<String> = asked.iter().flat_map(|c| [c.clone(), format!("{c}_lo"), format!("{c}_hi")]).collect();
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader.headers().context("no header")?.iter().map(String::from).collect();
    // The asked figures' columns close the header; the milestones' lie
    // between them and the headline figures.
    let fits = header.len() >= expected.len() + tail.len()
        && header[..expected.len()] == expected[..]
        && header[header.len() - tail.len()..] == tail[..];
    let milestones = fits.then(|| read_milestone_columns(&header[expected.len()..header.len() - tail.len()])).flatten();
    let Some(milestones) = milestones else {
        let then = match asked {
            [] => String::new(),
            _ => format!(", then {}", tail.join(",")),
        };
        bail!(
            "found columns {}, expected {} (then booked_share_by_<clock> with _lo, _hi{then})",
            header.join(","),
            expected.join(",")
        );
    };
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        // Without a quoted line break in a value, row i is on line i + 2.
        let record = record.with_context(|| format!("line {}", i + 2))?;
        let line = record.position().map_or(i as u64 + 2, |p| p.line());
        rows.push((line, row(&record, line, &header, vary.len(), replications, &milestones, asked.len())?));
    }
    Ok(rows)
}

/// The milestone columns after the headline figures, if they come as
/// (`booked_share_by_<clock>`, `_lo`, `_hi`) triples.
fn read_milestone_columns(rest: &[String]) -> Option<Vec<String>> {
    rest.chunks(3)
        .map(|c| match c {
            [n, lo, hi]
                if n.starts_with("booked_share_by_") && *lo == format!("{n}_lo") && *hi == format!("{n}_hi") =>
            {
                Some(n.clone())
            }
            _ => None,
        })
        .collect()
}

/// One record (on `line`, under `header`): point, key values, then (mean,
/// lo, hi) per headline figure, per milestone column and per figure asked
/// for by name (`asked` of them).
fn row(
    record: &csv::StringRecord,
    line: u64,
    header: &[String],
    keys: usize,
    n: usize,
    milestones: &[String],
    asked: usize,
) -> Result<SweepRow, BadCell> {
    let field = |i: usize| record.get(i).unwrap_or("");
    let bad = |i: usize, expected: &str| BadCell {
        line,
        column: header.get(i).cloned().unwrap_or_else(|| format!("{}", i + 1)),
        found: quoted(field(i)),
        expected: expected.to_string(),
    };
    // Empty where undefined; never NaN or infinite, which no run writes
    // (`format::number` leaves a cell empty rather than write one).
    let number = |i: usize| -> Result<Option<f64>, BadCell> {
        match field(i) {
            "" => Ok(None),
            text => match text.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(bad(i, "a finite number")),
            },
        }
    };
    // A mean with its interval's ends; no ends without a mean.
    let estimate = |at: usize| -> Result<Option<Estimate>, BadCell> {
        let (mean, lo, hi) = (number(at)?, number(at + 1)?, number(at + 2)?);
        match (mean, lo, hi) {
            (None, Some(_), _) => Err(bad(at + 1, "empty, as the mean is")),
            (None, _, Some(_)) => Err(bad(at + 2, "empty, as the mean is")),
            _ => Ok(mean.map(|mean| Estimate { mean, lo, hi, n })),
        }
    };
    let point = field(0).parse().map_err(|_| bad(0, "a point number"))?;
    let values = (1..=keys).map(|i| field(i).to_string()).collect();
    let mut figures = Vec::new();
    for j in 0..Headline::ALL.len() {
        figures.push(estimate(1 + keys + 3 * j)?);
    }
    let first = 1 + keys + 3 * Headline::ALL.len();
    let mut shares = Vec::new();
    for (j, name) in milestones.iter().enumerate() {
        // Empty where the point's run does not reach the milestone.
        shares.push((name.clone(), estimate(first + 3 * j)?));
    }
    let first = first + 3 * milestones.len();
    let named = (0..asked).map(|j| estimate(first + 3 * j)).collect::<Result<Vec<_>, _>>()?;
    let mut it = figures.into_iter();
    Ok(SweepRow { point, values, figures: Figures::from_fn(|_| it.next().flatten()), milestones: shares, asked: named })
}

/// A cell of `sweep.csv` that no sweep writes, and what it would hold.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("line {line}, column {column}: found {found}, expected {expected}")]
pub struct BadCell {
    /// In the file; the header is line 1.
    pub line: u64,
    pub column: String,
    pub found: String,
    pub expected: String,
}

/// A cell's text as a message quotes it: in quotes, cut after 40
/// characters (a hand-edited cell may be any length).
pub fn quoted(text: &str) -> String {
    const SHOWN: usize = 40;
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("\"{}...\"", &text[..cut]),
        None => format!("\"{text}\""),
    }
}

/// Slack for comparing figures: a mean over replications is a sum divided
/// by their number, so sums of means round apart from means of sums in
/// the last bits; a real contradiction is a whole person or more.
fn slack(x: f64) -> f64 {
    1e-9 * x.abs().max(1.0)
}

/// Headline figures that count within another (the first at most the
/// second), in every run and so in every mean over runs: the people,
/// attempts and devices the model conserves (`tests/it/conservation.rs`).
fn within() -> Vec<(Headline, Headline)> {
    use Headline::*;
    let mut pairs = vec![
        (Booked, People),
        (GaveUp, People),
        (InSystemAtEnd, People),
        (Visitors, People),
        (GaveUpEligible, GaveUp),
        (People, Attempts),
        (Admitted, Attempts),
        (Abandoned, Attempts),
        (Balked, Attempts),
        (Dropped, Attempts),
        (Ineligible, Attempts),
        (VisitorAttempts, Attempts),
        (CatchUpArrivals, Attempts),
        (DevicesLeft, Attempts),
        (People, Devices),
        // Percentiles of one set of waits, defined in the same runs.
        (WaitP50, WaitP90),
        (WaitP90, WaitP99),
        (WaitFromOpeningP50, WaitFromOpeningP90),
        (WaitFromOpeningP90, WaitFromOpeningP99),
        (TimeToBookP50, TimeToBookP90),
    ];
    pairs.push((Refused, Attempts));
    pairs.extend(DropCause::FAILURES.iter().map(|&c| (Drop(c), Attempts)));
    pairs.extend(RefusalCause::ALL.iter().map(|&c| (Refusal(c), Attempts)));
    pairs
}

/// The first cell of `row` (on `line`, of a sweep of `replications` per
/// point) that no sweep writes, in column order: each figure as its kind
/// allows (counts whole and at least 0 with one replication, shares from 0
/// to 1, durations and levels at least 0), its interval around its mean
/// (none with one replication); then the figures against each other:
/// nothing counted above what holds it, and people = booked + gave up +
/// still in the system at the end. The varied values are the grid's to
/// check (`merge` knows it).
pub fn impossible(line: u64, row: &SweepRow, replications: usize, asked: &[String]) -> Option<BadCell> {
    let cell =
        |column: String, found: f64, expected: String| BadCell { line, column, found: found.to_string(), expected };
    let milestones = row.milestones.iter().map(|(name, e)| (name.as_str(), Kind::Share, e));
    let figures = row.figures.iter().map(|(k, e)| (k.name(), k.kind(), e));
    let named = asked.iter().zip(&row.asked).map(|(name, e)| (name.as_str(), asked_kind(name), e));
    for (name, kind, e) in figures.chain(milestones).chain(named) {
        let Some(e) = e else {
            // A count is defined in every run; the other figures may not be.
            if kind == Kind::Count {
                let expected = "a count (empty only for a figure a run may leave undefined)".to_string();
                return Some(BadCell { line, column: name.to_string(), found: "nothing".into(), expected });
            }
            continue;
        };
        let m = e.mean;
        let wrong = match kind {
            Kind::Count if m < 0.0 => Some("a count, 0 or more"),
            Kind::Count if replications == 1 && m.fract() != 0.0 => Some("a whole number (one replication)"),
            Kind::Share if !(0.0..=1.0).contains(&m) => Some("a share from 0 to 1"),
            Kind::Seconds | Kind::Level | Kind::Ratio | Kind::Clock if m < 0.0 => Some("0 or more"),
            _ => None,
        };
        if let Some(expected) = wrong {
            return Some(cell(name.to_string(), m, expected.to_string()));
        }
        for (end, bound) in [("lo", e.lo), ("hi", e.hi)] {
            let column = format!("{name}_{end}");
            let Some(b) = bound else {
                if replications > 1 && e.lo.is_some() != e.hi.is_some() {
                    let expected = "a number, as the interval's other end is".to_string();
                    return Some(BadCell { line, column, found: "nothing".into(), expected });
                }
                continue;
            };
            if replications == 1 {
                return Some(cell(column, b, "empty (one replication has no interval)".into()));
            }
            let outside = if end == "lo" { b > m } else { b < m };
            if outside {
                let side = if end == "lo" { "at most" } else { "at least" };
                return Some(cell(column, b, format!("{side} the mean, {m}")));
            }
        }
    }
    let mean = |k: Headline| row.figures.get(k).map(|e| e.mean);
    for (part, whole) in within() {
        if let (Some(a), Some(b)) = (mean(part), mean(whole)) {
            if a > b + slack(b) {
                return Some(cell(part.name().to_string(), a, format!("at most {}, its {}", b, whole.name())));
            }
        }
    }
    use Headline::{Booked, GaveUp, InSystemAtEnd, People};
    if let (Some(p), Some(b), Some(g), Some(s)) = (mean(People), mean(Booked), mean(GaveUp), mean(InSystemAtEnd)) {
        let rest = p - b - g;
        if (s - rest).abs() > slack(p) {
            return Some(cell(
                InSystemAtEnd.name().to_string(),
                s,
                format!("{rest}: people - booked - gave_up ({p} - {b} - {g}), as nobody is created or lost"),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_reads_back_as_it_was_written() {
        let vary: Vec<Vary> = vec!["a=1,2".parse().unwrap()];
        let rows: Vec<SweepRow> = (0..2)
            .map(|p| SweepRow {
                point: p,
                values: vec![vary[0].values[p].clone()],
                figures: Figures::from_fn(|k: Headline| {
                    (k != Headline::WaitP50).then_some(Estimate {
                        mean: p as f64 + 0.5,
                        lo: Some(0.0),
                        hi: Some(2.0),
                        n: 3,
                    })
                }),
                // The second point's run stops before 18:00: an empty cell.
                milestones: [
                    ("booked_share_by_2021-07-20T12:00", Some(0.25)),
                    ("booked_share_by_2021-07-20T18:00", Some(0.5)),
                ]
                .into_iter()
                .map(|(n, v)| {
                    let v = v.filter(|_| p == 0 || n.ends_with("12:00"));
                    (n.to_string(), v.map(|mean| Estimate { mean, lo: Some(0.0), hi: Some(1.0), n: 3 }))
                })
                .collect(),
                // A figure asked for by name, after the milestones.
                asked: vec![Some(Estimate { mean: 40.0 + p as f64, lo: Some(30.0), hi: Some(50.0), n: 3 })],
            })
            .collect();
        let asked = vec!["queue_at_1h".to_string()];
        let bytes = csv(&vary, &asked, &rows).unwrap();
        assert!(String::from_utf8_lossy(&bytes)
            .lines()
            .next()
            .unwrap()
            .ends_with(",queue_at_1h,queue_at_1h_lo,queue_at_1h_hi"));
        assert_eq!(read_asked(&bytes, &vary, 3, &asked).unwrap(), rows);
        assert!(read_asked(&bytes, &vary, 3, &[]).is_err(), "a table read without its asked figures is refused");
        let edited = String::from_utf8(bytes).unwrap().replacen(",0.5,", ",oops,", 1);
        assert!(read_asked(edited.as_bytes(), &vary, 3, &asked)
            .unwrap_err()
            .chain()
            .any(|e| e.to_string().contains("oops")));
        let renamed =
            String::from_utf8(csv(&vary, &asked, &rows).unwrap()).unwrap().replacen("18:00_lo", "18:00_low", 1);
        assert!(
            read_asked(renamed.as_bytes(), &vary, 3, &asked).is_err(),
            "a milestone column out of its triple is refused"
        );
        let nan = String::from_utf8(csv(&vary, &asked, &rows).unwrap()).unwrap().replacen(",0.5,", ",NaN,", 1);
        let e = read_asked(nan.as_bytes(), &vary, 3, &asked).unwrap_err().to_string();
        assert!(e.starts_with("line 2, column ") && e.ends_with("found \"NaN\", expected a finite number"), "{e}");
        assert_eq!(quoted(&"x".repeat(41)), format!("\"{}...\"", "x".repeat(40)), "a long cell is cut");
        assert_eq!(quoted(&"é".repeat(40)), format!("\"{}\"", "é".repeat(40)));
    }

    /// One run's figures: `people` came, `booked` of them booked, the rest
    /// gave up; every attempt a first one.
    fn one_run(people: f64, booked: f64) -> SweepRow {
        let figures = Figures::from_fn(|k: Headline| {
            let mean = match k {
                Headline::People | Headline::Attempts | Headline::Devices => people,
                Headline::Booked | Headline::Admitted => booked,
                Headline::GaveUp | Headline::GaveUpEligible => people - booked,
                Headline::BookedShare => booked / people,
                Headline::WaitP90 => 20.0,
                Headline::WaitP99 => 30.0,
                _ => 0.0,
            };
            Some(Estimate { mean, lo: None, hi: None, n: 1 })
        });
        SweepRow { point: 0, values: vec![], figures, milestones: vec![], asked: vec![] }
    }

    #[test]
    fn rows_that_no_run_writes_are_found() {
        assert_eq!(impossible(2, &one_run(10.0, 4.0), 1, &[]), None);
        let with = |k: Headline, mean: f64| {
            let mut row = one_run(10.0, 4.0);
            row.figures = row.figures.map(|f, e| if f == k { e.map(|e| Estimate { mean, ..e }) } else { *e });
            impossible(7, &row, 1, &[]).map(|c| (c.line, c.column, c.found, c.expected))
        };
        let found = |k: Headline, mean: f64| with(k, mean).map(|(line, column, found, _)| (line, column, found));
        let cell = |column: &str, found: &str| Some((7, column.to_string(), found.to_string()));
        assert_eq!(found(Headline::Booked, 11.0), cell("booked", "11"), "more booked than people");
        assert_eq!(found(Headline::InSystemAtEnd, 1.0), cell("in_system_at_end", "1"), "one person too many");
        assert_eq!(found(Headline::DropRate, 1.5), cell("drop_rate", "1.5"));
        assert_eq!(found(Headline::WaitP50, 25.0), cell("wait_p50_s", "25"), "p50 above p90");
        assert_eq!(found(Headline::Booked, 4.5), cell("booked", "4.5"), "half a person in one run");
        assert_eq!(found(Headline::QueueLenMean, -1.0), cell("queue_len_mean", "-1"));
        let expected = with(Headline::Booked, 11.0).map(|c| c.3);
        assert_eq!(expected.as_deref(), Some("at most 10, its people"));
        // A mean of two runs may be a half; its interval must hold it.
        let mut two = one_run(10.0, 4.5);
        two.figures = two.figures.map(|_, e| e.map(|e| Estimate { lo: Some(e.mean), hi: Some(e.mean), ..e }));
        assert_eq!(impossible(2, &two, 2, &[]), None);
        assert!(impossible(2, &two, 1, &[]).is_some_and(|c| c.expected.contains("one replication has no interval")));
        two.figures =
            two.figures.map(|k, e| e.map(|e| if k == Headline::Booked { Estimate { hi: Some(4.0), ..e } } else { e }));
        assert_eq!(impossible(2, &two, 2, &[]).map(|c| c.column), Some("booked_hi".to_string()));
        // A figure asked for by name is held to its kind too.
        let asked = ["cohort.a.booked_share_by_1h".to_string(), "queue_at_1h".to_string()];
        let mut row = one_run(10.0, 4.0);
        let one = |mean: f64| Some(Estimate { mean, lo: None, hi: None, n: 1 });
        row.asked = vec![one(0.5), one(12.0)];
        assert_eq!(impossible(2, &row, 1, &asked), None);
        row.asked = vec![one(1.5), one(12.0)];
        assert_eq!(impossible(2, &row, 1, &asked).map(|c| c.column), Some(asked[0].clone()), "a share above 1");
        row.asked = vec![one(0.5), one(12.5)];
        assert_eq!(impossible(2, &row, 1, &asked).map(|c| c.column), Some(asked[1].clone()), "half a person");
    }
}
