//! `surgesim sweep`: every combination of the values given for one or more
//! scenario keys (`--vary key=v1,v2,...`), each run with R replications, in
//! parallel, one row of `sweep.csv` per point.
//!
//! A sweep too large for one machine is split into shards: shard i of n
//! runs the points p with p mod n = i (`scenario::grid`) and writes its rows
//! and a `sweep.json` saying which shard it is; `merge` checks the shards
//! fit together and writes the very bytes the unsharded sweep would have.

use super::args::{ChartArgs, RunFlags};
use super::progress::Progress;
use super::{execute, outln, tell, CliError};
use crate::engine::OutOfMemory;
use crate::report::sweep::{Sweep, SweepRow};
use crate::report::{self, charts, output, Files, ReportOptions};
use crate::scenario::grid::{Grid, Shard, Vary};
use crate::scenario::limits::{self, Keeps};
use crate::scenario::{self, Scenario, ScenarioError};
use crate::stats::{figures, Figures};
use anyhow::Result;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// A key and its values, key=v1,v2,... (repeatable; the grid is every combination).
    #[arg(long, required = true, value_name = "KEY=V1,V2,...")]
    vary: Vec<Vary>,
    /// Replications per point.
    #[arg(long, short = 'r', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    replications: u32,
    /// Run only shard i of n (points p with p mod n = i), for a job array.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Output folder [default: outputs/<scenario name>-sweep, or -shard-I-of-N].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: RunFlags,
    // Charts: one sweep-<key> chart per varied key (a shard draws none; merge draws them).
    #[command(flatten)]
    charts: ChartArgs,
}

/// What a sweep is (`sweep.json`): enough to check that shards belong together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub scenario: String,
    pub vary: Vec<Vary>,
    pub replications: usize,
    pub points: usize,
    /// `None` for a whole sweep.
    pub shard: Option<Shard>,
}

impl Plan {
    pub fn new(scenario: &str, vary: Vec<Vary>, replications: usize, shard: Option<Shard>) -> Plan {
        let points = Grid { vary: &vary }.points();
        Plan { scenario: scenario.to_string(), vary, replications, points, shard }
    }

    pub fn grid(&self) -> Grid<'_> {
        Grid { vary: &self.vary }
    }
}

pub fn sweep(a: Args) -> Result<(), CliError> {
    let name = a.scenario.file_stem().map_or("sweep".into(), |n| n.to_string_lossy().to_string());
    let plan = Plan::new(&name, a.vary.clone(), a.replications as usize, a.shard);
    check_size(&a, &plan)?;
    let points = load_points(&a.scenario, &a.flags.set, &plan)?;
    // The whole sweep at once: every point's runs, and what each keeps.
    let runs: Vec<(&Scenario, u64)> = points.iter().map(|(_, s)| (s, plan.replications as u64)).collect();
    let guard = limits::check_command(&runs, Keeps::Summaries, execute::threads(), a.flags.allow_large)?;
    let dir = a.out.unwrap_or_else(|| {
        let what = match plan.shard {
            None => "-sweep".to_string(),
            Some(sh) => format!("-sweep-shard-{}-of-{}", sh.index, sh.count),
        };
        // The point's own overrides are the grid's, not a what-if: the
        // folder follows the --set list alone.
        match points.first() {
            Some((_, s)) => {
                let base = Scenario { origin: scenario::Origin { set: a.flags.set.clone(), scale: None }, ..s.clone() };
                output::default_dir_of(&base, &what)
            }
            None => output::default_dir(&format!("{name}{what}")),
        }
    });
    let claim = output::claim(&dir, "sweep")?;
    let bar = Progress::jobs((points.len() * plan.replications) as u64, "runs", a.flags.quiet);
    let rows = execute::within(&guard, || run(&plan, &points, &bar))?;
    bar.finish();
    tell(&claim.write(&render(&plan, &rows, &a.charts.options())?)?, a.flags.quiet);
    if !a.flags.quiet {
        outln!("{} points x {} replications", rows.len(), plan.replications)?;
        outln!("  wrote {}", dir.display())?;
    }
    Ok(())
}

/// The sweep's size as if every point were like the first, checked before
/// the points are loaded (each is a scenario in memory: a grid of a million
/// points is refused before it fills the memory).
fn check_size(a: &Args, plan: &Plan) -> Result<(), CliError> {
    let grid = plan.grid();
    let mine = grid.shard_points(plan.shard);
    let Some(&p) = mine.first() else { return Ok(()) };
    let mut sets = a.flags.set.clone();
    sets.extend(grid.point(p).into_iter().map(|(k, v)| format!("{k}={v}")));
    let first = scenario::load(&a.scenario, &sets)?;
    let runs = vec![(&first, plan.replications as u64); mine.len()];
    limits::check_command(&runs, Keeps::Summaries, execute::threads(), a.flags.allow_large)?;
    Ok(())
}

/// Load the scenario of every point of this shard (all errors are input errors).
pub fn load_points(path: &Path, sets: &[String], plan: &Plan) -> Result<Vec<(usize, Scenario)>, ScenarioError> {
    let grid = plan.grid();
    grid.shard_points(plan.shard)
        .into_iter()
        .map(|p| {
            let mut all = sets.to_vec();
            all.extend(grid.point(p).into_iter().map(|(k, v)| format!("{k}={v}")));
            scenario::load(path, &all).map(|s| (p, s))
        })
        .collect()
}

/// Run every (point, replication) in parallel; one row per point. Only the
/// headline figures of each run are kept: a sweep's memory does not grow
/// with the length of the runs.
pub fn run(plan: &Plan, points: &[(usize, Scenario)], progress: &Progress) -> Result<Vec<SweepRow>, OutOfMemory> {
    let jobs: Vec<(usize, u64)> =
        (0..points.len()).flat_map(|i| (0..plan.replications as u64).map(move |r| (i, r))).collect();
    let headlines: Vec<_> = jobs
        .par_iter()
        .map(|&(i, r)| {
            let s = &points[i].1;
            let h = figures::headline(s, &crate::try_simulate(s, r)?.results);
            progress.inc();
            Ok(h)
        })
        .collect::<Result<_, OutOfMemory>>()?;
    let grid = plan.grid();
    Ok(points
        .iter()
        .zip(headlines.chunks(plan.replications))
        .map(|((p, _), reps)| SweepRow {
            point: *p,
            values: grid.point(*p).into_iter().map(|(_, v)| v).collect(),
            figures: Figures::estimate(&reps.iter().collect::<Vec<_>>()),
        })
        .collect())
}

/// The files of a sweep (or of one shard): `sweep.csv`, `sweep.json`, and,
/// for a whole sweep with `opts.charts`, one `sweep-<key>` chart per key
/// (a shard draws none: `merge` draws them from all the rows).
pub fn render(plan: &Plan, rows: &[SweepRow], opts: &ReportOptions) -> Result<Files> {
    let mut plan_json = serde_json::to_vec_pretty(plan)?;
    plan_json.push(b'\n');
    let csv = report::sweep::csv(&plan.vary, rows)?;
    let mut files = Vec::new();
    if opts.charts && plan.shard.is_none() {
        // Drawn from the table as read back from its bytes, as `merge` draws them.
        let rows = report::sweep::read(&csv, &plan.vary, plan.replications)?;
        let sweep = Sweep { scenario: &plan.scenario, vary: &plan.vary, replications: plan.replications, rows };
        files = charts::sweep::charts(&sweep, opts.format)?;
    }
    files.splice(0..0, [("sweep.csv".into(), csv), ("sweep.json".into(), plan_json)]);
    Ok(files)
}
