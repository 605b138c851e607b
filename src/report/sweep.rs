//! `sweep.csv`: one row per point of a sweep's grid: the point's number,
//! its value of each varied key, then every headline figure's mean over
//! the point's replications with its 95 % interval (`_lo`, `_hi`), then the
//! booked share by each milestone of any point (`booked_share_by_<clock>`,
//! with `_lo`, `_hi`; empty where a point's run does not reach it).
//!
//! The table is read back here too, as typed rows: `merge` joins shards by
//! their rows, and the sweep charts are drawn from the table's bytes, so a
//! merged sweep draws exactly what an unsharded one does.

use super::tables;
use crate::scenario::grid::Vary;
use crate::stats::{Columns, Estimate, Figures, Headline};
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

/// The bytes of `sweep.csv`.
pub fn csv(vary: &[Vary], rows: &[SweepRow]) -> Result<Vec<u8>> {
    let mut labels = vec!["point"];
    labels.extend(vary.iter().map(|v| v.key.as_str()));
    let columns = milestone_columns(rows);
    let extra: Vec<String> = columns.iter().flat_map(|c| [c.clone(), format!("{c}_lo"), format!("{c}_hi")]).collect();
    tables::csv_with(
        &labels,
        &extra,
        None,
        rows.iter().map(|r| {
            let mut cells = vec![r.point.to_string()];
            cells.extend(r.values.iter().cloned());
            let shares = columns.iter().map(|c| r.milestones.iter().find(|(n, _)| n == c).and_then(|(_, e)| *e));
            (cells, &r.figures, tables::milestone_cells(shares))
        }),
    )
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
/// point; a table with other columns is refused (another version wrote it,
/// or it was edited).
pub fn read(bytes: &[u8], vary: &[Vary], replications: usize) -> Result<Vec<SweepRow>> {
    let expected = String::from_utf8(csv(vary, &[])?).context("header")?;
    let expected: Vec<&str> = expected.trim_end().split(',').collect();
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader.headers().context("no header")?.iter().map(String::from).collect();
    let milestones = read_milestone_columns(&header[expected.len().min(header.len())..]);
    if header.len() < expected.len() || header[..expected.len()] != expected[..] || milestones.is_none() {
        bail!(
            "found columns {}, expected {} (then booked_share_by_<clock> with _lo, _hi)",
            header.join(","),
            expected.join(",")
        );
    }
    let milestones = milestones.unwrap_or_default();
    let mut rows = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("row {}", line + 2))?;
        let row = row(&record, vary.len(), replications, &milestones).with_context(|| format!("row {}", line + 2))?;
        rows.push(row);
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

/// One record: point, key values, then (mean, lo, hi) per headline figure
/// and per milestone column.
fn row(record: &csv::StringRecord, keys: usize, n: usize, milestones: &[String]) -> Result<SweepRow> {
    let field = |i: usize| record.get(i).unwrap_or("");
    let number = |i: usize| -> Result<Option<f64>> {
        let text = field(i);
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<f64>().map(Some).with_context(|| format!("column {}: found \"{text}\", expected a number", i + 1))
    };
    let point = field(0).parse().with_context(|| format!("found point \"{}\", expected a number", field(0)))?;
    let values = (1..=keys).map(|i| field(i).to_string()).collect();
    let mut figures = Vec::new();
    for j in 0..Headline::ALL.len() {
        let at = 1 + keys + 3 * j;
        let (mean, lo, hi) = (number(at)?, number(at + 1)?, number(at + 2)?);
        figures.push(mean.map(|mean| Estimate { mean, lo, hi, n }));
    }
    let first = 1 + keys + 3 * Headline::ALL.len();
    let mut shares = Vec::new();
    for (j, name) in milestones.iter().enumerate() {
        let at = first + 3 * j;
        let (mean, lo, hi) = (number(at)?, number(at + 1)?, number(at + 2)?);
        // Empty where the point's run does not reach the milestone.
        shares.push((name.clone(), mean.map(|mean| Estimate { mean, lo, hi, n })));
    }
    let mut it = figures.into_iter();
    Ok(SweepRow { point, values, figures: Figures::from_fn(|_| it.next().flatten()), milestones: shares })
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
            })
            .collect();
        let bytes = csv(&vary, &rows).unwrap();
        assert_eq!(read(&bytes, &vary, 3).unwrap(), rows);
        let edited = String::from_utf8(bytes).unwrap().replacen(",0.5,", ",oops,", 1);
        assert!(read(edited.as_bytes(), &vary, 3).unwrap_err().chain().any(|e| e.to_string().contains("oops")));
        let renamed = String::from_utf8(csv(&vary, &rows).unwrap()).unwrap().replacen("18:00_lo", "18:00_low", 1);
        assert!(read(renamed.as_bytes(), &vary, 3).is_err(), "a milestone column out of its triple is refused");
    }
}
