//! `sweep.json`: what a sweep is (`SweepLayout`: the grid, the replications, the
//! shard) and what made a sweep folder's rows (`Record`), so that `merge`
//! can tell whether shards belong to one sweep and whether a file changed
//! after the sweep wrote it.
//!
//! Beside the grid and the replications, a record names what else decides
//! the rows (`Provenance`): the program version, a SHA-256 of the scenario as
//! resolved (traces included), its seed and the `--set` list. One
//! `fingerprint` is taken over all of it, the same for every shard of one
//! sweep; the figures asked for by name (`sweep --figure`) are in it too,
//! since they are columns of the rows (written only when asked, so a sweep
//! without them keeps its record and fingerprint as before);
//! `rows_sha256` is the SHA-256 of the folder's `sweep.csv`, what
//! `sha256sum` prints. Every SHA-256 surgesim takes is taken here.

use crate::scenario::grid::{Grid, GridError, Shard, Vary};
use crate::scenario::{Changes, Curve, RatePoint, Scenario};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// What a sweep runs: the grid, the replications, which shard.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepLayout {
    /// The scenario file's name (its stem).
    pub scenario: String,
    pub vary: Vec<Vary>,
    pub replications: usize,
    /// Of the whole grid.
    pub points: usize,
    /// `None` for a whole sweep.
    pub shard: Option<Shard>,
    /// The figures asked for by name (`sweep --figure`), each in its
    /// canonical spelling: `sweep.csv`'s last columns, in this order.
    pub figures: Vec<String>,
}

impl SweepLayout {
    /// The layout of a grid that `Grid::check` accepts.
    pub fn new(
        scenario: &str,
        vary: Vec<Vary>,
        replications: usize,
        shard: Option<Shard>,
    ) -> Result<SweepLayout, GridError> {
        let points = Grid { vary: &vary }.check()?;
        Ok(SweepLayout { scenario: scenario.to_string(), vary, replications, points, shard, figures: Vec::new() })
    }

    /// The same layout with the figures asked for by name.
    pub fn with_figures(self, figures: Vec<String>) -> SweepLayout {
        SweepLayout { figures, ..self }
    }

    pub fn grid(&self) -> Grid<'_> {
        Grid { vary: &self.vary }
    }

    /// This shard (a whole sweep is shard 0/1).
    pub fn shard_or_whole(&self) -> Shard {
        self.shard.unwrap_or(Shard { index: 0, count: 1 })
    }
}

/// The program version a `sweep.json` records.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What decides a sweep's rows besides its grid and replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Provenance {
    /// The surgesim that ran it.
    pub version: String,
    /// SHA-256 of the scenario as resolved for point 0 (`scenario_sha256`).
    pub scenario_sha256: String,
    /// The seed of that scenario (from the file or a `--set`).
    pub seed: u64,
    /// The `--set` list, as given.
    pub set: Vec<String>,
    /// The `--unset` list, as given.
    pub unset: Vec<String>,
}

impl Provenance {
    /// The provenance of a sweep of `s` (point 0's scenario) run by this
    /// program with the command line's `changes`.
    pub fn of(s: &Scenario, changes: Changes) -> anyhow::Result<Provenance> {
        Ok(Provenance {
            version: VERSION.to_string(),
            scenario_sha256: scenario_sha256(s)?,
            seed: s.seed,
            set: changes.set.to_vec(),
            unset: changes.unset.to_vec(),
        })
    }
}

/// SHA-256 of a checked scenario: its JSON, followed by the points of each
/// cohort's trace (`Curve::Trace` leaves them out of its JSON, yet they make
/// the arrivals). Taken of the resolved scenario rather than of the file's
/// bytes, so that a comment or the order of keys does not part two shards;
/// durations serialize to the microsecond and numbers exactly.
fn scenario_sha256(s: &Scenario) -> anyhow::Result<String> {
    let traces: Vec<&[RatePoint]> = s
        .cohorts
        .iter()
        .map(|c| match &c.arrivals {
            Curve::Trace { points, .. } => points.as_slice(),
            _ => &[],
        })
        .collect();
    Ok(sha256_hex(&serde_json::to_vec(&(s, traces))?))
}

/// SHA-256 in lower-case hex, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// What `sweep.json` holds, field by field in this order. `fingerprint` is
/// the SHA-256 of the compact JSON of the fields from `version` to `points`
/// (`Decides`): equal for every shard of one sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub version: String,
    /// The scenario file's name (its stem).
    pub scenario: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub set: Vec<String>,
    /// Written only when given, so a sweep without it keeps its record
    /// (and its fingerprint) as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unset: Vec<String>,
    pub vary: Vec<Vary>,
    pub replications: usize,
    /// Of the whole grid.
    pub points: usize,
    /// The figures asked for by name (`sweep --figure`), written only when
    /// some were, so a sweep without them keeps its record as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<String>,
    /// `None` for a whole sweep.
    pub shard: Option<Shard>,
    pub fingerprint: String,
    pub rows_sha256: String,
}

/// Everything that decides a sweep's rows: what the fingerprint is taken of.
#[derive(Serialize)]
struct Decides<'a> {
    version: &'a str,
    scenario: &'a str,
    scenario_sha256: &'a str,
    seed: u64,
    set: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    unset: &'a [String],
    vary: &'a [Vary],
    replications: usize,
    points: usize,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    figures: &'a [String],
}

/// The fingerprint of a sweep: shards of one sweep share it.
pub fn fingerprint(layout: &SweepLayout, provenance: &Provenance) -> String {
    let decides = Decides {
        version: &provenance.version,
        scenario: &layout.scenario,
        scenario_sha256: &provenance.scenario_sha256,
        seed: provenance.seed,
        set: &provenance.set,
        unset: &provenance.unset,
        vary: &layout.vary,
        replications: layout.replications,
        points: layout.points,
        figures: &layout.figures,
    };
    // Strings and integers in a struct always serialize to JSON.
    sha256_hex(&serde_json::to_vec(&decides).expect("strings and integers serialize"))
}

impl Record {
    /// The record of a sweep folder whose `sweep.csv` is `csv`.
    pub fn new(layout: &SweepLayout, provenance: &Provenance, csv: &[u8]) -> Record {
        Record {
            version: provenance.version.clone(),
            scenario: layout.scenario.clone(),
            scenario_sha256: provenance.scenario_sha256.clone(),
            seed: provenance.seed,
            set: provenance.set.clone(),
            unset: provenance.unset.clone(),
            vary: layout.vary.clone(),
            replications: layout.replications,
            points: layout.points,
            figures: layout.figures.clone(),
            shard: layout.shard,
            fingerprint: fingerprint(layout, provenance),
            rows_sha256: sha256_hex(csv),
        }
    }

    /// `sweep.json`'s bytes: pretty JSON and a final newline.
    pub fn to_json(&self) -> anyhow::Result<Vec<u8>> {
        let mut json = serde_json::to_vec_pretty(self)?;
        json.push(b'\n');
        Ok(json)
    }

    pub fn provenance(&self) -> Provenance {
        Provenance {
            version: self.version.clone(),
            scenario_sha256: self.scenario_sha256.clone(),
            seed: self.seed,
            set: self.set.clone(),
            unset: self.unset.clone(),
        }
    }

    /// The sweep's layout, if the fields make one (they do unless edited by hand).
    pub fn layout(&self) -> Result<SweepLayout, String> {
        if self.replications == 0 {
            return Err("found replications 0, expected at least 1".into());
        }
        if let Some(s) = self.shard.filter(|s| s.count == 0 || s.index >= s.count) {
            return Err(format!("found shard {s}, expected i/n with 0 <= i < n"));
        }
        let layout = SweepLayout::new(&self.scenario, self.vary.clone(), self.replications, self.shard)
            .map_err(|e| format!("its grid is refused: {e}"))?;
        if layout.points != self.points {
            return Err(format!("found points {}, but its grid has {}", self.points, layout.points));
        }
        for (i, f) in self.figures.iter().enumerate() {
            crate::scenario::figure::FigureName::parse(f).map_err(|e| format!("figures[{i}]: {e}"))?;
            if self.figures[..i].contains(f) {
                return Err(format!("figures[{i}]: found \"{f}\" a second time, expected each figure once"));
            }
        }
        Ok(layout.with_figures(self.figures.clone()))
    }

    /// What differs between two shards' records (nothing for one sweep).
    pub fn differences(&self, other: &Record) -> Vec<Difference> {
        let (a, b) = (self, other);
        let mut out = Vec::new();
        let mut differ = |same: bool, d: fn(&Record, &Record) -> Difference| {
            if !same {
                out.push(d(a, b));
            }
        };
        differ(a.version == b.version, |a, b| Difference::Version(a.version.clone(), b.version.clone()));
        differ(a.scenario == b.scenario, |a, b| Difference::ScenarioName(a.scenario.clone(), b.scenario.clone()));
        differ(a.set == b.set, |a, b| Difference::Set(a.set.clone(), b.set.clone()));
        differ(a.unset == b.unset, |a, b| Difference::Unset(a.unset.clone(), b.unset.clone()));
        differ(a.seed == b.seed, |a, b| Difference::Seed(a.seed, b.seed));
        differ(a.scenario_sha256 == b.scenario_sha256, |a, b| {
            Difference::Scenario(a.scenario_sha256.clone(), b.scenario_sha256.clone())
        });
        differ(a.vary == b.vary, |a, b| Difference::Grid(a.vary.clone(), b.vary.clone()));
        differ(a.replications == b.replications, |a, b| Difference::Replications(a.replications, b.replications));
        differ(a.figures == b.figures, |a, b| Difference::Figures(a.figures.clone(), b.figures.clone()));
        out
    }
}

/// One thing two shards disagree on; each is (first shard's, other's).
#[derive(Clone, Debug, PartialEq)]
pub enum Difference {
    Version(String, String),
    /// The scenario file's name (its stem).
    ScenarioName(String, String),
    /// The SHA-256 of the scenario as resolved.
    Scenario(String, String),
    Set(Vec<String>, Vec<String>),
    Unset(Vec<String>, Vec<String>),
    Seed(u64, u64),
    Grid(Vec<Vary>, Vec<Vary>),
    Replications(usize, usize),
    /// The figures asked for by name (`--figure`).
    Figures(Vec<String>, Vec<String>),
}

impl Difference {
    /// What differs, with the first shard's value and the other's.
    fn describe(&self, first: &Path, other: &Path) -> String {
        let pair = |what: &str, a: String, b: String| {
            format!("{what} ({a} in '{}', {b} in '{}')", first.display(), other.display())
        };
        let sets = |s: &[String]| match s {
            [] => "no --set".to_string(),
            _ => s.iter().map(|s| format!("--set {s}")).collect::<Vec<_>>().join(" "),
        };
        let unsets = |s: &[String]| match s {
            [] => "no --unset".to_string(),
            _ => s.iter().map(|s| format!("--unset {s}")).collect::<Vec<_>>().join(" "),
        };
        let grid = |g: &[Vary]| g.iter().map(|v| format!("--vary {v}")).collect::<Vec<_>>().join(" ");
        let short = |h: &str| format!("SHA-256 {}...", h.get(..12).unwrap_or(h));
        match self {
            Difference::Version(a, b) => pair("the surgesim version", a.clone(), b.clone()),
            Difference::ScenarioName(a, b) => pair("the scenario file", a.clone(), b.clone()),
            Difference::Scenario(a, b) => {
                pair("the scenario as resolved from its file, its traces and the --set list", short(a), short(b))
            }
            Difference::Set(a, b) => pair("the --set list", sets(a), sets(b)),
            Difference::Unset(a, b) => pair("the --unset list", unsets(a), unsets(b)),
            Difference::Seed(a, b) => pair("the seed", a.to_string(), b.to_string()),
            Difference::Grid(a, b) => pair("the grid", grid(a), grid(b)),
            Difference::Replications(a, b) => pair("the replications", a.to_string(), b.to_string()),
            Difference::Figures(a, b) => {
                let figures = |f: &[String]| match f {
                    [] => "no --figure".to_string(),
                    _ => f.iter().map(|f| format!("--figure {f}")).collect::<Vec<_>>().join(" "),
                };
                pair("the figures asked for", figures(a), figures(b))
            }
        }
    }
}

/// Every difference between the shards in `first` and `other`, in a sentence.
pub fn describe(differences: &[Difference], first: &Path, other: &Path) -> String {
    differences.iter().map(|d| d.describe(first, other)).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(shard: Option<Shard>) -> SweepLayout {
        SweepLayout::new("s", vec!["a=1,2,3".parse().unwrap(), "b=x,y".parse().unwrap()], 2, shard).unwrap()
    }

    #[test]
    fn a_record_that_makes_no_layout_is_refused() {
        let p = layout(Some(Shard { index: 1, count: 2 }));
        let provenance = Provenance {
            version: VERSION.into(),
            scenario_sha256: "ab".into(),
            seed: 1,
            set: vec!["x=1".into()],
            unset: vec![],
        };
        let record = Record::new(&p, &provenance, b"point\n");
        assert_eq!(record.layout(), Ok(p.clone()));
        assert_eq!(record.provenance(), provenance);
        let bad = [
            Record { shard: Some(Shard { index: 2, count: 2 }), ..record.clone() },
            Record { shard: Some(Shard { index: 0, count: 0 }), ..record.clone() },
            Record { points: 7, ..record.clone() },
            Record { replications: 0, ..record.clone() },
            Record { vary: vec![Vary { key: "a".into(), values: vec![] }], ..record.clone() },
        ];
        for r in bad {
            assert!(r.layout().is_err(), "{r:?}");
        }
    }

    #[test]
    fn shards_of_one_sweep_share_the_fingerprint_and_differ_in_nothing() {
        let provenance =
            Provenance { version: VERSION.into(), scenario_sha256: "ab".into(), seed: 1, set: vec![], unset: vec![] };
        let one = Record::new(&layout(Some(Shard { index: 1, count: 2 })), &provenance, b"point\n");
        let other = Record::new(&layout(Some(Shard { index: 0, count: 2 })), &provenance, b"");
        assert_eq!(other.fingerprint, one.fingerprint);
        assert!(one.differences(&other).is_empty());
        let seeded = Provenance { seed: 2, ..provenance };
        let reseeded = Record::new(&layout(None), &seeded, b"");
        assert_ne!(reseeded.fingerprint, one.fingerprint);
        assert_eq!(one.differences(&reseeded), [Difference::Seed(1, 2)]);
    }

    #[test]
    fn figures_asked_for_are_recorded_only_when_asked_and_part_the_shards() {
        let provenance =
            Provenance { version: VERSION.into(), scenario_sha256: "ab".into(), seed: 1, set: vec![], unset: vec![] };
        let plain = Record::new(&layout(None), &provenance, b"");
        let json = String::from_utf8(plain.to_json().unwrap()).unwrap();
        assert!(!json.contains("figures"), "a sweep without --figure keeps its record: {json}");
        let asked = layout(None).with_figures(vec!["queue_at_1h".into()]);
        let with = Record::new(&asked, &provenance, b"");
        assert_ne!(with.fingerprint, plain.fingerprint);
        assert_eq!(with.layout(), Ok(asked));
        let read: Record = serde_json::from_slice(&with.to_json().unwrap()).unwrap();
        assert_eq!(read, with, "the figures read back");
        assert_eq!(plain.differences(&with), [Difference::Figures(vec![], vec!["queue_at_1h".into()])]);
        let twice = Record { figures: vec!["queue_at_1h".into(), "queue_at_1h".into()], ..with.clone() };
        assert!(twice.layout().unwrap_err().contains("a second time"));
        let bad = Record { figures: vec!["queue at 1h".into()], ..with };
        assert!(bad.layout().unwrap_err().starts_with("figures[0]: "));
    }

    #[test]
    fn rows_sha256_is_what_sha256sum_prints() {
        // `printf 'abc' | sha256sum`
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
