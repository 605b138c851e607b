//! A sweep's folder, written in one place: `sweep.csv` (`table`: one row
//! per point, and its reading back), `sweep.json` (`record`: what the
//! sweep is and what made its rows, with the fingerprint that tells the
//! shards of one sweep) and the `sweep-<key>` charts (`charts::sweep`).
//! `surgesim sweep` and `surgesim merge` both write with `render`, so a
//! merged sweep is the very bytes an unsharded one writes.

mod record;
pub mod table;

pub use record::{describe, fingerprint, sha256_hex, Difference, Provenance, Record, SweepLayout, VERSION};
pub use table::{asked_kind, csv, impossible, quoted, read, read_asked, read_numbered, BadCell, Sweep, SweepRow};

use super::{charts, Files, ReportOptions};
use anyhow::Result;

/// The files of a sweep (or of one shard): `sweep.csv` (its header alone
/// for a shard with no point), `sweep.json`, and, for a whole sweep with
/// `opts.charts`, one `sweep-<key>` chart per key (a shard draws none:
/// `merge` draws them from all the rows).
pub fn render(layout: &SweepLayout, provenance: &Provenance, rows: &[SweepRow], opts: &ReportOptions) -> Result<Files> {
    let csv = table::csv(&layout.vary, &layout.figures, rows)?;
    let json = Record::new(layout, provenance, &csv).to_json()?;
    let mut files = Vec::new();
    if opts.charts && layout.shard.is_none() {
        // Drawn from the table as read back from its bytes, as `merge` draws them.
        let rows = table::read_asked(&csv, &layout.vary, layout.replications, &layout.figures)?;
        let sweep = Sweep { scenario: &layout.scenario, vary: &layout.vary, replications: layout.replications, rows };
        files = charts::sweep::charts(&sweep, opts.format)?;
    }
    files.splice(0..0, [("sweep.csv".into(), csv), ("sweep.json".into(), json)]);
    Ok(files)
}
