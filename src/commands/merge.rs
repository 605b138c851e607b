//! `surgesim merge`: the shard folders of one sweep joined into the folder
//! the unsharded sweep writes, byte for byte, after checking that the
//! shards belong to one sweep and that none is missing or given twice.

use super::args::ChartArgs;
use super::sweep::{render, Plan};
use super::{tell, CliError};
use crate::report::sweep::SweepRow;
use crate::report::{output, Files, ReportOptions};
use anyhow::{bail, Context, Result};
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
    let claim = output::claim(&a.out, "merge")?;
    tell(&claim.write(&merged(&a.shards, &a.charts.options())?)?, false);
    Ok(())
}

/// One shard as read from its folder.
struct Part {
    dir: String,
    plan: Plan,
    rows: Vec<SweepRow>,
}

fn read(dir: &Path) -> Result<Part> {
    let plan_path = dir.join("sweep.json");
    let plan: Plan = serde_json::from_slice(
        &std::fs::read(&plan_path).with_context(|| format!("could not read '{}'", plan_path.display()))?,
    )
    .with_context(|| format!("'{}' is not a sweep plan", plan_path.display()))?;
    let csv_path = dir.join("sweep.csv");
    let bytes = std::fs::read(&csv_path).with_context(|| format!("could not read '{}'", csv_path.display()))?;
    let rows = crate::report::sweep::read(&bytes, &plan.vary, plan.replications)
        .with_context(|| format!("'{}' is not the table of this sweep", csv_path.display()))?;
    Ok(Part { dir: dir.display().to_string(), plan, rows })
}

/// Combine shard folders into the files of the whole sweep, charts (with
/// `opts.charts`) drawn from the merged rows as an unsharded sweep draws them.
pub fn merged(dirs: &[impl AsRef<Path>], opts: &ReportOptions) -> Result<Files> {
    let parts = dirs.iter().map(|d| read(d.as_ref())).collect::<Result<Vec<_>>>()?;
    let Some(first) = parts.first() else { bail!("no shard folders given") };
    let whole = Plan { shard: None, ..first.plan.clone() };
    let count = first.plan.shard.map_or(1, |s| s.count);
    let mut seen = vec![false; count];
    for part in &parts {
        if (Plan { shard: None, ..part.plan.clone() }) != whole {
            bail!("'{}' belongs to another sweep (scenario, --vary or --replications differ)", part.dir);
        }
        let index = part.plan.shard.map_or(0, |s| s.index);
        if part.plan.shard.map_or(1, |s| s.count) != count {
            bail!("'{}' was cut into another number of shards", part.dir);
        }
        if std::mem::replace(&mut seen[index], true) {
            bail!("shard {index}/{count} given twice ('{}')", part.dir);
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        bail!("shard {missing}/{count} is missing");
    }
    let mut rows: Vec<SweepRow> = parts.into_iter().flat_map(|p| p.rows).collect();
    rows.sort_by_key(|r| r.point);
    if rows.len() != whole.points || rows.iter().enumerate().any(|(i, r)| r.point != i) {
        bail!("the shards hold {} rows, expected one for each of {} points", rows.len(), whole.points);
    }
    render(&whole, &rows, opts)
}
