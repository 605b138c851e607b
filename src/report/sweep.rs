//! `sweep.csv`: one row per point of a sweep's grid: the point's number,
//! its value of each varied key, then every headline figure's mean over
//! the point's replications with its 95 % interval (`_lo`, `_hi`).
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
    tables::csv(
        &labels,
        rows.iter().map(|r| {
            let mut cells = vec![r.point.to_string()];
            cells.extend(r.values.iter().cloned());
            (cells, &r.figures)
        }),
    )
}

/// The rows of a `sweep.csv` written for `vary` with `replications` per
/// point; a table with other columns is refused (another version wrote it,
/// or it was edited).
pub fn read(bytes: &[u8], vary: &[Vary], replications: usize) -> Result<Vec<SweepRow>> {
    let expected = String::from_utf8(csv(vary, &[])?).context("header")?;
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader.headers().context("no header")?.iter().map(String::from).collect();
    if header.join(",") != expected.trim_end() {
        bail!("found columns {}, expected {}", header.join(","), expected.trim_end());
    }
    let mut rows = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("row {}", line + 2))?;
        rows.push(row(&record, vary.len(), replications).with_context(|| format!("row {}", line + 2))?);
    }
    Ok(rows)
}

/// One record: point, key values, then (mean, lo, hi) per headline figure.
fn row(record: &csv::StringRecord, keys: usize, n: usize) -> Result<SweepRow> {
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
    let mut it = figures.into_iter();
    Ok(SweepRow { point, values, figures: Figures::from_fn(|_| it.next().flatten()) })
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
            })
            .collect();
        let bytes = csv(&vary, &rows).unwrap();
        assert_eq!(read(&bytes, &vary, 3).unwrap(), rows);
        let edited = String::from_utf8(bytes).unwrap().replacen(",0.5,", ",oops,", 1);
        assert!(read(edited.as_bytes(), &vary, 3).unwrap_err().chain().any(|e| e.to_string().contains("oops")));
    }
}
