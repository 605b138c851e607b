//! `surgesim sweep`: every combination of the values given for one or more
//! scenario keys (`--vary key=v1,v2,...`), each run with R replications, in
//! parallel, one row of `sweep.csv` per point.
//!
//! A sweep too large for one machine is split into shards: shard i of n
//! runs the points p with p mod n = i (`scenario::grid`) and writes its rows
//! and a `sweep.json` (`report::sweep::Record`) naming everything that made
//! them; `merge` checks the shards fit together and writes the very bytes
//! the unsharded sweep would have.
//!
//! `--figure NAME` (repeatable) adds any figure `plan --target` takes (at
//! a clock time, of one cohort) as three more columns, `NAME`, `NAME_lo`,
//! `NAME_hi`: resolved on each point's scenario before anything runs, read
//! from each run as it ends (`batch::points_measured`), recorded in
//! `sweep.json` so that shards run with other figures do not merge.
//!
//! Before anything runs, a grid whose values would silently not count is
//! refused (`Grid::check`, `Grid::check_set`): a `--vary` key given twice
//! or inside another, or also given with `--set`.

use super::args::{parse_scale, ChartArgs, RunFlags};
use super::progress::Progress;
use super::{execute, outln, tell, CliError};
use crate::batch::{self, Watch};
use crate::engine::OutOfMemory;
use crate::limits::{self, Keeps};
use crate::report::output;
use crate::report::sweep::{self as sweep_files, SweepRow};
pub use crate::report::sweep::{Provenance, SweepLayout};
use crate::scenario::figure::FigureName;
use crate::scenario::grid::{Shard, Vary};
use crate::scenario::{self, Scenario};
use crate::stats::measure::Measure;
use crate::stats::{ByMilestone, Estimate, Figures, Value};
use anyhow::Result;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario file (TOML), or - to read it from standard input.
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
    /// Run every point at this fraction of its size (see `run --scale`).
    #[arg(long, value_name = "FACTOR", value_parser = parse_scale)]
    scale: Option<f64>,
    /// Also tabulate this figure (repeatable): any name `plan --target`
    /// takes, at a clock time or of one cohort (`queue_at_2021-07-20T02:00`,
    /// `cohort."50-52".wait_p90_s`); columns NAME, NAME_lo, NAME_hi.
    #[arg(long, value_name = "NAME", value_parser = parse_figure)]
    figure: Vec<FigureName>,
    /// Output folder [default: outputs/<scenario name>-sweep, or -shard-I-of-N].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: RunFlags,
    // Charts: one sweep-<key> chart per varied key (a shard draws none; merge draws them).
    #[command(flatten)]
    charts: ChartArgs,
}

pub fn sweep(a: Args) -> Result<(), CliError> {
    let name = a.scenario.file_stem().map_or("sweep".into(), |n| n.to_string_lossy().to_string());
    let layout = SweepLayout::new(&name, a.vary.clone(), a.replications as usize, a.shard)?
        .with_figures(figure_names(&a.figure)?);
    let changes = a.flags.changes();
    let provenance = provenance(&a.scenario, changes, &layout, a.scale)?;
    check_size(&a, &layout)?;
    let mut points = load_points(&a.scenario, changes, &layout, a.scale)?;
    let measures = resolve(&layout, &a.figure, &mut points)?;
    // The whole sweep at once: every point's runs, and what each keeps.
    let runs: Vec<(&Scenario, u64)> = points.iter().map(|(_, s)| (s, layout.replications as u64)).collect();
    let guard = limits::check_command(&runs, Keeps::Summaries, execute::threads(), a.flags.allow_large)?;
    let dir = a.out.unwrap_or_else(|| {
        let what = match layout.shard {
            None => "-sweep".to_string(),
            Some(sh) => format!("-sweep-shard-{}-of-{}", sh.index, sh.count),
        };
        // The point's own overrides are the grid's, not a what-if: the
        // folder follows the --set list alone.
        match points.first() {
            Some((_, s)) => {
                let origin = scenario::Origin {
                    set: a.flags.set.clone(),
                    unset: a.flags.unset.clone(),
                    scale: a.scale,
                    ..s.origin.clone()
                };
                let base = Scenario { origin, ..s.clone() };
                output::default_dir_of(&base, &what)
            }
            None => output::default_dir(&format!("{name}{what}")),
        }
    });
    let claim = super::claim(&dir, "sweep")?;
    let bar = Progress::jobs((points.len() * layout.replications) as u64, "runs", a.flags.quiet);
    let rows = execute::within(&guard, || run_measured(&layout, &points, &measures, &bar))?;
    bar.finish();
    tell(&claim.write(&sweep_files::render(&layout, &provenance, &rows, &a.charts.options())?)?, a.flags.quiet);
    if !a.flags.quiet {
        outln!("{} points x {} replications", rows.len(), layout.replications)?;
        outln!("  wrote {}", output::shown(&dir))?;
    }
    Ok(())
}

/// The sweep's size as if every point were like the first, checked before
/// the points are loaded (each is a scenario in memory: a grid of a million
/// points is refused before it fills the memory).
fn check_size(a: &Args, layout: &SweepLayout) -> Result<(), CliError> {
    let mine = layout.grid().shard_points(layout.shard);
    let Some(&p) = mine.first() else { return Ok(()) };
    let changes = a.flags.changes();
    let first = scaled(load_point(&a.scenario, changes, layout, p)?, a.scale);
    let runs = vec![(&first, layout.replications as u64); mine.len()];
    limits::check_command(&runs, Keeps::Summaries, execute::threads(), a.flags.allow_large)?;
    Ok(())
}

/// The scenario of point `p`: the `--unset` keys out, then the `--set`
/// list and the point's values written.
fn load_point(path: &Path, changes: scenario::Changes, layout: &SweepLayout, p: usize) -> Result<Scenario, CliError> {
    let mut set = changes.set.to_vec();
    set.extend(layout.grid().point(p).into_iter().map(|(k, v)| format!("{k}={v}")));
    super::args::load_checked(path, scenario::Changes { unset: changes.unset, set: &set })
}

/// Load the scenario of every point of this shard, at `scale` if given
/// (all errors are input errors).
pub fn load_points(
    path: &Path,
    changes: scenario::Changes,
    layout: &SweepLayout,
    scale: Option<f64>,
) -> Result<Vec<(usize, Scenario)>, CliError> {
    layout
        .grid()
        .shard_points(layout.shard)
        .into_iter()
        .map(|p| load_point(path, changes, layout, p).map(|s| (p, scaled(s, scale))))
        .collect()
}

/// `s` at `scale`, if one is given.
fn scaled(s: Scenario, scale: Option<f64>) -> Scenario {
    match scale {
        Some(f) => s.scaled(f),
        None => s,
    }
}

/// Check the `--set` list against the grid and resolve what `sweep.json`
/// records of the scenario: point 0's, which every shard can load (the
/// base scenario alone may lack a key only the `--vary` gives). The other
/// points differ from it only in the varied keys, which the grid records.
pub fn provenance(
    path: &Path,
    changes: scenario::Changes,
    layout: &SweepLayout,
    scale: Option<f64>,
) -> Result<Provenance, CliError> {
    // With the scenario's cohort names, `cohort.53-54` and `cohort.0` are one key.
    let names = scenario::cohort_names(path, changes).unwrap_or_default();
    let canon = |key: &str| names.canonical(key);
    layout.grid().check_with(&canon)?;
    for set in changes.set {
        layout.grid().check_set_with(set, &canon)?;
    }
    // Scaled, its resolved values (people, capacities) tell the scale.
    let s = scaled(load_point(path, changes, layout, 0)?, scale);
    Ok(Provenance::of(&s, changes)?)
}

/// `--figure`: a figure's name, read (the scenario checks the rest).
fn parse_figure(text: &str) -> Result<FigureName, String> {
    FigureName::parse(text)
}

/// The figures' names as columns: each in its canonical spelling, once.
fn figure_names(figures: &[FigureName]) -> Result<Vec<String>, CliError> {
    let mut names: Vec<String> = Vec::new();
    for f in figures {
        let name = f.to_string();
        if names.contains(&name) {
            return Err(CliError::Usage(format!("--figure {name}: found it twice, expected each figure once")));
        }
        names.push(name);
    }
    Ok(names)
}

/// Each point's measures of the figures asked for, resolved on its own
/// scenario (which then samples the instants they name); the first that
/// is not a figure of a point is an input error naming the point.
pub fn resolve(
    layout: &SweepLayout,
    figures: &[FigureName],
    points: &mut [(usize, Scenario)],
) -> Result<Vec<Vec<Measure>>, CliError> {
    let grid = layout.grid();
    points
        .iter_mut()
        .map(|(p, s)| {
            figures
                .iter()
                .map(|f| {
                    Measure::resolve(f, s).map_err(|e| {
                        let at: Vec<String> = grid.point(*p).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
                        CliError::Usage(format!("--figure {f}: at point {p} ({}): {e}", at.join(", ")))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .and_then(|mine| match crate::stats::measure::repeats(&mine, s) {
                    // One column per figure: sweep.csv has the headline
                    // figures and the milestones' shares already.
                    Some(why) => Err(CliError::Usage(format!("--figure {why}"))),
                    None => Ok(mine),
                })
        })
        .collect()
}

/// Run every (point, replication) in parallel; one row per point. Only the
/// headline figures of each run are kept: a sweep's memory does not grow
/// with the length of the runs. For a layout without figures asked for by
/// name (else `run_measured`).
pub fn run(
    layout: &SweepLayout,
    points: &[(usize, Scenario)],
    watch: &dyn Watch,
) -> Result<Vec<SweepRow>, OutOfMemory> {
    run_measured(layout, points, &vec![Vec::new(); points.len()], watch)
}

/// `run`, reading `measures[i]` (point i's, from `resolve`) from each of
/// point i's runs as it ends: each one's estimate over the replications is
/// the row's `asked`.
pub fn run_measured(
    layout: &SweepLayout,
    points: &[(usize, Scenario)],
    measures: &[Vec<Measure>],
    watch: &dyn Watch,
) -> Result<Vec<SweepRow>, OutOfMemory> {
    let with: Vec<(&Scenario, &[Measure])> = points.iter().zip(measures).map(|((_, s), m)| (s, &m[..])).collect();
    let briefs = batch::points_measured(&with, layout.replications, watch)?;
    let grid = layout.grid();
    Ok(points
        .iter()
        .zip(briefs)
        .zip(measures)
        .map(|(((p, s), reps), m)| SweepRow {
            point: *p,
            values: grid.point(*p).into_iter().map(|(_, v)| v).collect(),
            figures: Figures::estimate(&reps.iter().map(|b| &b.headline).collect::<Vec<_>>()),
            milestones: milestone_shares(s, reps.iter().map(|b| b.milestones.as_slice())),
            asked: (0..m.len())
                .map(|j| Estimate::of(&reps.iter().filter_map(|b| b.figures[j]).collect::<Vec<f64>>()))
                .collect(),
        })
        .collect())
}

/// The booked share by each of `s`'s milestones over the replications:
/// each column's name and estimate.
fn milestone_shares<'a>(
    s: &Scenario,
    reps: impl Iterator<Item = &'a [ByMilestone<Value>]>,
) -> Vec<(String, Option<Estimate>)> {
    let reps: Vec<_> = reps.collect();
    (0..s.milestones.len())
        .map(|k| {
            let shares: Vec<f64> = reps.iter().filter_map(|m| m.get(k).and_then(|m| m.share)).collect();
            (format!("booked_share_by_{}", s.milestone_label(s.milestones[k])), Estimate::of(&shares))
        })
        .collect()
}
