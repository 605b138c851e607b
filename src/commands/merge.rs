//! `surgesim merge`: the shard folders of one sweep joined into the folder
//! the unsharded sweep writes, byte for byte.
//!
//! A merge is only as good as its check that the shards belong together.
//! Each shard is first checked on its own: its `sweep.json` is whole and
//! has not changed since the sweep wrote it (its fields still give its
//! fingerprint), its `sweep.csv` has the SHA-256 the record names, and its
//! rows are the points of its shard. A checksum proves nothing against a
//! hand edit (anyone can recompute the documented SHA-256s), so each row is
//! also checked for what no sweep writes: a varied value that is not its
//! point's value in the grid, a number that is not finite, figures that
//! break the model's conservation (see `report::sweep::impossible`). Then
//! the shards are checked against
//! each other: one sweep (every field of the record alike but the shard),
//! cut into one number of shards, each given once, none missing. Every
//! refusal is a `MergeError` (exit code 2) and writes nothing; so is an
//! `--out` that is, or holds, one of the shards, which writing the merge
//! would replace.

use super::args::ChartArgs;
use super::{tell, CliError};
use crate::report::sweep::{
    self as sweep_files, fingerprint, render, sha256_hex, BadCell, Difference, Record, SweepLayout, SweepRow,
};
use crate::report::{Files, ReportOptions};
use crate::scenario::grid::Shard;
use crate::stats::{Columns, Headline};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shard folders, in any order.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    charts: ChartArgs,
}

pub fn merge(a: Args) -> Result<(), CliError> {
    // Refused before anything is claimed or read: the merge would replace
    // a shard (and claiming takes a lock beside the folder).
    check_out(&a.out, &a.shards)?;
    let claim = super::claim(&a.out, "merge")?;
    tell(&claim.write(&merged(&a.shards, &a.charts.options())?)?, false);
    Ok(())
}

/// `sweep.json` files larger than this are not read (one is a few KB).
const MAX_RECORD_BYTES: u64 = 16 << 20;

/// Missing shards named at most.
const MISSING_SHOWN: usize = 10;

/// Why a merge was refused: the shard folders or `--out` (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("no shard folders given")]
    NoShards,
    #[error("could not read '{}': {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("'{}' has more than {limit} bytes, more than the sweep it describes can have written", path.display())]
    TooLong { path: PathBuf, limit: u64 },
    #[error("'{}' is not a sweep's sweep.json: {why}", path.display())]
    NotARecord { path: PathBuf, why: String },
    #[error("'{}' was written by an older surgesim, without the fingerprint that tells which shards belong together; rerun that sweep (all its shards) with this one", path.display())]
    OlderRecord { path: PathBuf },
    #[error("'{}' was changed after the sweep wrote it ({why}); restore it or rerun that shard", path.display())]
    Changed { path: PathBuf, why: &'static str },
    #[error("'{}' does not hold the rows of its shard: {why}", path.display())]
    Rows { path: PathBuf, why: String },
    #[error("'{}' holds a row no sweep writes: {cell}; restore the file or rerun that shard", path.display())]
    Content { path: PathBuf, cell: BadCell },
    #[error("'{}' and '{}' are shards of different sweeps: they differ in {}", first.display(), other.display(), sweep_files::describe(differences, first, other))]
    Differ { first: PathBuf, other: PathBuf, differences: Vec<Difference> },
    #[error("'{}' is {} but '{}' is {}: they were cut into different numbers of shards", other_dir.display(), which(other), first_dir.display(), which(first))]
    ShardCounts { first_dir: PathBuf, first: Shard, other_dir: PathBuf, other: Shard },
    #[error("shard {shard} is given twice: '{}' and '{}'", first.display(), second.display())]
    Twice { shard: Shard, first: PathBuf, second: PathBuf },
    #[error("{}", missing_text(missing, *count))]
    Missing { missing: Vec<usize>, count: usize },
    #[error("will not write the merge into '{}': it is, or holds, the shard folder '{}', which the merge would replace; choose another --out", out.display(), shard.display())]
    OutIsInput { out: PathBuf, shard: PathBuf },
}

/// "shard 1/4", or "a whole sweep" for 0/1.
fn which(shard: &Shard) -> String {
    match shard.count {
        1 => "a whole sweep".to_string(),
        _ => format!("shard {shard}"),
    }
}

/// "shard 1/4 is missing", "shards 1/4, 3/4 are missing".
fn missing_text(missing: &[usize], count: usize) -> String {
    let mut list: Vec<String> = missing.iter().map(|i| format!("{i}/{count}")).collect();
    if missing.len() >= MISSING_SHOWN {
        list.push("...".into());
    }
    match list.len() {
        1 => format!("shard {} is missing", list[0]),
        _ => format!("shards {} are missing", list.join(", ")),
    }
}

/// Combine shard folders into the files of the whole sweep, charts (with
/// `opts.charts`) drawn from the merged rows as an unsharded sweep draws them.
pub fn merged(dirs: &[impl AsRef<Path>], opts: &ReportOptions) -> Result<Files, CliError> {
    let parts = dirs.iter().map(|d| read(d.as_ref())).collect::<Result<Vec<_>, _>>()?;
    let (first, rest) = parts.split_first().ok_or(MergeError::NoShards)?;
    for other in rest {
        agree(first, other)?;
    }
    check_coverage(&parts)?;
    let whole = SweepLayout { shard: None, ..first.layout.clone() };
    let provenance = first.record.provenance();
    let mut rows: Vec<SweepRow> = parts.into_iter().flat_map(|p| p.rows).collect();
    rows.sort_by_key(|r| r.point);
    // Each shard holds exactly its points, and the shards are every shard
    // once: together they are every point once.
    debug_assert!(rows.iter().map(|r| r.point).eq(0..whole.points));
    Ok(render(&whole, &provenance, &rows, opts)?)
}

/// One shard folder, read and checked on its own.
struct Part {
    dir: PathBuf,
    record: Record,
    layout: SweepLayout,
    /// In point order.
    rows: Vec<SweepRow>,
}

/// Read `dir`'s `sweep.json` and `sweep.csv` and check them against each
/// other: the record is whole and unedited, the rows are the ones it hashed,
/// and they are the points of its shard.
fn read(dir: &Path) -> Result<Part, MergeError> {
    let json_path = dir.join("sweep.json");
    let record = read_record(&json_path)?;
    let layout = record.layout().map_err(|why| MergeError::NotARecord { path: json_path.clone(), why })?;
    if fingerprint(&layout, &record.provenance()) != record.fingerprint {
        return Err(MergeError::Changed { path: json_path, why: "its fields no longer match its fingerprint" });
    }
    let csv_path = dir.join("sweep.csv");
    let bytes = read_capped(&csv_path, max_csv_bytes(&layout))?;
    if sha256_hex(&bytes) != record.rows_sha256 {
        return Err(MergeError::Changed { path: csv_path, why: "its SHA-256 is not the rows_sha256 of sweep.json" });
    }
    let rows_error = |why: String| MergeError::Rows { path: csv_path.clone(), why };
    let rows = sweep_files::read_numbered(&bytes, &layout.vary, layout.replications, &layout.figures)
        .map_err(|e| rows_error(format!("{e:#}")))?;
    let mine = layout.grid().shard_points(layout.shard);
    if !rows.iter().map(|(_, r)| r.point).eq(mine.iter().copied()) {
        let shard = layout.shard_or_whole();
        return Err(rows_error(format!("found {} rows, expected points {shard}, in order", rows.len())));
    }
    for (line, row) in &rows {
        let bad = off_grid(&layout, *line, row)
            .or_else(|| sweep_files::impossible(*line, row, layout.replications, &layout.figures));
        if let Some(cell) = bad {
            return Err(MergeError::Content { path: csv_path, cell });
        }
    }
    let rows = rows.into_iter().map(|(_, row)| row).collect();
    Ok(Part { dir: dir.to_owned(), record, layout, rows })
}

/// The first varied value of `row` (on `line`) that is not its point's
/// value in the grid. The sweep writes the values as the grid holds them,
/// so they compare as text: `2.0` for a grid's `2` is an edit.
fn off_grid(layout: &SweepLayout, line: u64, row: &SweepRow) -> Option<BadCell> {
    let point = layout.grid().point(row.point);
    row.values.iter().zip(&point).find(|(found, (_, value))| found != &value).map(|(found, (key, value))| BadCell {
        line,
        column: key.clone(),
        found: sweep_files::quoted(found),
        expected: format!("\"{value}\", point {}'s value of {key} in the grid", row.point),
    })
}

/// Parse a `sweep.json`; one without a fingerprint was written before
/// shards carried one, and cannot be checked.
fn read_record(path: &Path) -> Result<Record, MergeError> {
    let bytes = read_capped(path, MAX_RECORD_BYTES)?;
    let not = |why: String| MergeError::NotARecord { path: path.to_owned(), why };
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| not(e.to_string()))?;
    if value.get("vary").is_some() && value.get("fingerprint").is_none() {
        return Err(MergeError::OlderRecord { path: path.to_owned() });
    }
    serde_json::from_value(value).map_err(|e| not(e.to_string()))
}

/// Read a file of at most `limit` bytes: a folder given by mistake, or a
/// link to a device, is refused without filling the memory.
fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, MergeError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit.saturating_add(1)).read_to_end(&mut bytes))
        .map_err(|source| MergeError::Read { path: path.to_owned(), source })?;
    if bytes.len() as u64 > limit {
        return Err(MergeError::TooLong { path: path.to_owned(), limit });
    }
    Ok(bytes)
}

/// The most bytes a shard's `sweep.csv` can have: a header and its rows,
/// each a point number, the varied values (maybe quoted, quotes doubled)
/// and three cells per headline figure and per figure asked for by name
/// (its name, maybe quoted, in the header), none longer than 32 bytes.
fn max_csv_bytes(layout: &SweepLayout) -> u64 {
    let shard = layout.shard_or_whole();
    let rows = layout.points.saturating_sub(shard.index).div_ceil(shard.count) as u64;
    let varied: u64 = layout
        .vary
        .iter()
        .map(|v| 2 * (v.key.len().max(v.values.iter().map(String::len).max().unwrap_or(0)) as u64) + 3)
        .sum();
    let asked: u64 = layout.figures.iter().map(|f| 3 * (2 * f.len() as u64 + 8).max(32)).sum();
    let per_row = 32 + varied + 3 * 32 * Headline::ALL.len() as u64 + asked;
    (rows + 1).saturating_mul(per_row)
}

/// Two shards of one sweep: the same record but for the shard index.
fn agree(first: &Part, other: &Part) -> Result<(), MergeError> {
    let differences = first.record.differences(&other.record);
    if !differences.is_empty() {
        return Err(MergeError::Differ { first: first.dir.clone(), other: other.dir.clone(), differences });
    }
    let (a, b) = (first.layout.shard_or_whole(), other.layout.shard_or_whole());
    if a.count != b.count {
        let (first_dir, other_dir) = (first.dir.clone(), other.dir.clone());
        return Err(MergeError::ShardCounts { first_dir, first: a, other_dir, other: b });
    }
    Ok(())
}

/// Each shard given once, none missing (all are cut into as many shards).
fn check_coverage(parts: &[Part]) -> Result<(), MergeError> {
    let mut given: Vec<(Shard, &Path)> = parts.iter().map(|p| (p.layout.shard_or_whole(), p.dir.as_path())).collect();
    given.sort_by_key(|(s, _)| s.index);
    if let Some(w) = given.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(MergeError::Twice { shard: w[0].0, first: w[0].1.to_owned(), second: w[1].1.to_owned() });
    }
    let count = given.first().map_or(1, |(s, _)| s.count);
    // At most `given.len()` indices are present, so the first missing ones
    // lie close: no walk over a huge (hand-written) `count`.
    let present: Vec<usize> = given.iter().map(|(s, _)| s.index).collect();
    let missing: Vec<usize> = (0..count).filter(|i| present.binary_search(i).is_err()).take(MISSING_SHOWN).collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(MergeError::Missing { missing, count }),
    }
}

/// Refuse `--out` when it is, or holds, one of the shard folders: writing
/// the merge replaces the whole folder, the shard with it. Paths are
/// compared resolved, so `A0/`, `./A0`, `A1/../A0` and a link to `A0` are
/// all `A0`. An output folder that does not exist yet holds nothing.
pub fn check_out(out: &Path, dirs: &[impl AsRef<Path>]) -> Result<(), MergeError> {
    let Ok(target) = std::fs::canonicalize(out) else { return Ok(()) };
    for dir in dirs {
        let dir = dir.as_ref();
        if std::fs::canonicalize(dir).is_ok_and(|shard| shard.starts_with(&target)) {
            return Err(MergeError::OutIsInput { out: out.to_owned(), shard: dir.to_owned() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_shards_are_listed_briefly() {
        assert_eq!(missing_text(&[3], 4), "shard 3/4 is missing");
        assert_eq!(missing_text(&[1, 3], 4), "shards 1/4, 3/4 are missing");
        let many: Vec<usize> = (0..MISSING_SHOWN).collect();
        assert!(missing_text(&many, 1 << 40).ends_with(", ... are missing"));
    }
}
