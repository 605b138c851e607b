//! Grids of scenario variants: one or more keys, each with a list of values
//! (`--vary key=v1,v2,...`), and every combination of them, numbered in
//! grid order (the first key changes slowest). A point of the grid is a
//! list of `--set` overrides; a shard of the grid is the points one
//! machine of a job array runs.
//!
//! The sweep command runs a grid and the sweep charts draw one; both read
//! the same numbering from here.
//!
//! A `--vary` may name linked keys that take each value together:
//! `backend.max_sessions+waiting_room.max_active=100000,200000` sets both
//! at each point (the loader reads `a+b=v` in a `--set` the same way; see
//! `path::split_linked`). The grid has one column for them.
//!
//! A grid is checked before anything runs (`Grid::check`, `Grid::check_set`):
//! a key varied twice, a key inside another varied key, or a `--set` of a
//! varied key would each have one value overwrite another at every point,
//! so that the rows would be labelled with values that never ran. Keys are
//! compared in canonical form, each part of linked keys apart:
//! `cohort.0.people` is `cohort[0].people`, and with the scenario's cohort
//! names known (`check_with`), `cohort.53-54.people` is too.

use super::load::canonical_key;
use super::path::{is_inside, split_linked};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Points a grid may have at most: a million rows is already a gigabyte of
/// `sweep.csv`, and a few more `--vary` lists would overflow the count.
pub const MAX_POINTS: usize = 1_000_000;

/// Why a grid is refused (all the user's input: exit code 2).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GridError {
    #[error("--vary {key} is given twice ('{first}' and '{second}'): only the last would count, and every point would carry its value; give all the values in one --vary, like --vary {key}={}", joined(first, second))]
    Repeated { key: String, first: Vary, second: Vary },
    #[error("--vary {inner} lies inside --vary {outer}: the point's value of one would overwrite the other's; vary one of them")]
    Nested { outer: String, inner: String },
    #[error("--set {set} would not count: --vary {vary} sets it at every point; drop the --set, or put its value in the --vary")]
    SetAndVary { set: String, vary: Vary },
    #[error("--vary {vary} names {key} twice: linked keys are different keys")]
    LinkedTwice { key: String, vary: Vary },
    #[error("--vary {key} has no values")]
    Empty { key: String },
    #[error("the grid has more than {MAX_POINTS} points (the product of the --vary list lengths); split it into several sweeps")]
    TooLarge,
}

/// The keys `key` stands for: itself, or each of linked keys, in canonical form.
fn parts(key: &str, canon: &dyn Fn(&str) -> String) -> Vec<String> {
    split_linked(key.trim()).into_iter().map(canon).collect()
}

/// The values of two `--vary` of one key, as one list.
fn joined(first: &Vary, second: &Vary) -> String {
    first.values.iter().chain(&second.values).cloned().collect::<Vec<_>>().join(",")
}

/// One varied key and its values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vary {
    pub key: String,
    pub values: Vec<String>,
}

impl FromStr for Vary {
    type Err = String;
    /// `key=v1,v2,...` (values as `--set` takes them; no commas inside).
    fn from_str(text: &str) -> Result<Vary, String> {
        let (key, values) = text.split_once('=').ok_or_else(|| {
            format!("found \"{text}\", expected key=value1,value2,... like backend.max_sessions=100,300")
        })?;
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if key.trim().is_empty() || values.iter().any(|v| v.is_empty() || v.contains('\n')) {
            return Err(format!("found \"{text}\", expected key=value1,value2,... with no empty value"));
        }
        Ok(Vary { key: key.trim().to_string(), values })
    }
}

/// As given: `key=v1,v2,...`.
impl fmt::Display for Vary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.values.join(","))
    }
}

/// Shard `index` of `count` (`--shard 0/4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("found \"{text}\", expected i/n with 0 <= i < n, like 0/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) =
            (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// As given: `i/n`.
impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Every combination of the varied keys' values.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid<'a> {
    pub vary: &'a [Vary],
}

impl Grid<'_> {
    /// Number of points (the product of the value counts).
    pub fn points(&self) -> usize {
        self.vary.iter().map(|v| v.values.len()).product()
    }

    /// Each key's value index at point `p` (the first key changes slowest).
    pub fn indices(&self, mut p: usize) -> Vec<usize> {
        let mut out = vec![0; self.vary.len()];
        for (slot, v) in out.iter_mut().zip(self.vary).rev() {
            let n = v.values.len().max(1);
            *slot = p % n;
            p /= n;
        }
        out
    }

    /// The `--set` overrides of point `p`, as (key, value).
    pub fn point(&self, p: usize) -> Vec<(String, String)> {
        self.indices(p).into_iter().zip(self.vary).map(|(i, v)| (v.key.clone(), v.values[i].clone())).collect()
    }

    /// The number of points of a grid that is one: no key varied twice or
    /// inside another, none without values, at most `MAX_POINTS` points
    /// (counted without overflow, however many lists). Keys are compared
    /// as written (see `check_with`).
    pub fn check(&self) -> Result<usize, GridError> {
        self.check_with(&canonical_key)
    }

    /// `check`, with `canon` to put a key in canonical form (one that
    /// turns cohort names into indices, `CohortNames::canonical`, tells
    /// `cohort.53-54` from `cohort.0` no more).
    pub fn check_with(&self, canon: &dyn Fn(&str) -> String) -> Result<usize, GridError> {
        self.check_keys(canon)?;
        if let Some(v) = self.vary.iter().find(|v| v.values.is_empty()) {
            return Err(GridError::Empty { key: v.key.clone() });
        }
        self.vary
            .iter()
            .try_fold(1usize, |n, v| n.checked_mul(v.values.len()))
            .filter(|&n| n <= MAX_POINTS)
            .ok_or(GridError::TooLarge)
    }

    /// Two keys must be different keys, and neither inside the other
    /// (`cohort[0]` and `cohort[0].people`), linked keys each apart.
    fn check_keys(&self, canon: &dyn Fn(&str) -> String) -> Result<(), GridError> {
        let keys: Vec<(usize, String)> = self
            .vary
            .iter()
            .enumerate()
            .flat_map(|(i, v)| parts(&v.key, canon).into_iter().map(move |k| (i, k)))
            .collect();
        for (x, (i, ka)) in keys.iter().enumerate() {
            for (j, kb) in &keys[x + 1..] {
                let (a, b) = (&self.vary[*i], &self.vary[*j]);
                if ka == kb && i == j {
                    return Err(GridError::LinkedTwice { key: ka.clone(), vary: a.clone() });
                }
                if ka == kb {
                    return Err(GridError::Repeated { key: ka.clone(), first: a.clone(), second: b.clone() });
                }
                let nested = match (is_inside(kb, ka), is_inside(ka, kb)) {
                    (true, _) => Some((ka, kb)),
                    (_, true) => Some((kb, ka)),
                    _ => None,
                };
                if let Some((outer, inner)) = nested {
                    return Err(GridError::Nested { outer: outer.clone(), inner: inner.clone() });
                }
            }
        }
        Ok(())
    }

    /// Refuse a `--set key=value` (applied before each point's values) that
    /// every point overwrites: its key is a varied key or lies inside one.
    /// A `--set` of a table holding a varied key still counts for the rest
    /// of the table, and one without `=` is left to the scenario loader.
    pub fn check_set(&self, set: &str) -> Result<(), GridError> {
        self.check_set_with(set, &canonical_key)
    }

    /// `check_set`, keys put in canonical form by `canon` (see `check_with`).
    pub fn check_set_with(&self, set: &str, canon: &dyn Fn(&str) -> String) -> Result<(), GridError> {
        let Some((key, _)) = super::path::split_assignment(set) else { return Ok(()) };
        for key in parts(key, canon) {
            let overwrites = self
                .vary
                .iter()
                .find(|v| parts(&v.key, canon).iter().any(|varied| key == *varied || is_inside(&key, varied)));
            if let Some(v) = overwrites {
                return Err(GridError::SetAndVary { set: set.to_string(), vary: v.clone() });
            }
        }
        Ok(())
    }

    /// The points shard `shard` runs (p mod n = i: every shard gets a fair
    /// mix of cheap and dear points), all of them without a shard.
    pub fn shard_points(&self, shard: Option<Shard>) -> Vec<usize> {
        match shard {
            None => (0..self.points()).collect(),
            Some(s) => (s.index..self.points()).step_by(s.count).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary() -> Vec<Vary> {
        vec!["a=1,2,3".parse().unwrap(), "b=x,y".parse().unwrap()]
    }

    #[test]
    fn the_grid_is_the_full_product_first_key_slowest() {
        let v = vary();
        let g = Grid { vary: &v };
        assert_eq!(g.points(), 6);
        assert_eq!(g.point(0), vec![("a".into(), "1".into()), ("b".into(), "x".into())]);
        assert_eq!(g.point(1), vec![("a".into(), "1".into()), ("b".into(), "y".into())]);
        assert_eq!(g.point(5), vec![("a".into(), "3".into()), ("b".into(), "y".into())]);
        assert_eq!(g.indices(5), vec![2, 1]);
    }

    #[test]
    fn shards_deal_every_point_once() {
        let v = vary();
        let g = Grid { vary: &v };
        let mut all: Vec<usize> = (0..4).flat_map(|i| g.shard_points(Some(Shard { index: i, count: 4 }))).collect();
        all.sort();
        assert_eq!(all, (0..6).collect::<Vec<_>>());
    }

    #[test]
    fn bad_specs_are_refused() {
        assert!("a".parse::<Vary>().is_err());
        assert!("a=1,,2".parse::<Vary>().is_err());
        assert!("3/3".parse::<Shard>().is_err());
        assert!("x/2".parse::<Shard>().is_err());
        assert_eq!("1/3".parse::<Shard>(), Ok(Shard { index: 1, count: 3 }));
    }

    fn grid_of(specs: &[&str]) -> Vec<Vary> {
        specs.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn a_key_varied_twice_or_inside_another_is_refused() {
        let refused = |specs: &[&str]| Grid { vary: &grid_of(specs) }.check().err().map(|e| e.to_string());
        let twice = refused(&["backend.max_sessions=10,20", "backend.max_sessions=30"]).unwrap();
        assert!(twice.contains("--vary backend.max_sessions is given twice"), "{twice}");
        assert!(twice.contains("backend.max_sessions=10,20,30"), "suggests the one --vary: {twice}");
        let spelled = refused(&["cohort.0.people=1,2", "a=1", "cohort[0].people=3"]).unwrap();
        assert!(spelled.contains("cohort[0].people is given twice"), "{spelled}");
        let nested = refused(&["cohort[0].people=1,2", "cohort.0=3"]).unwrap();
        assert!(nested.contains("cohort[0].people lies inside --vary cohort[0]"), "{nested}");
        // Neighbours are not one key.
        assert_eq!(refused(&["cohort[0].people=1", "cohort[1].people=2", "a.b=1", "a.bc=2"]), None);
    }

    #[test]
    fn a_set_the_grid_overwrites_is_refused() {
        let v = grid_of(&["cohort[0].people=1,2"]);
        let g = Grid { vary: &v };
        for set in ["cohort.0.people=5", "cohort[0].people.x=5"] {
            let e = g.check_set(set).unwrap_err().to_string();
            assert!(e.contains(set) && e.contains("--vary cohort[0].people=1,2"), "{e}");
        }
        // A table holding the varied key still counts for its other keys.
        assert_eq!(g.check_set("cohort.0={ name = \"x\" }"), Ok(()));
        assert_eq!(g.check_set("cohort.1.people=3"), Ok(()));
    }

    #[test]
    fn a_grid_too_large_to_count_is_refused_not_overflowed() {
        let many: Vec<String> = (0..70).map(|i| format!("k{i}=1,2")).collect();
        let specs: Vec<&str> = many.iter().map(String::as_str).collect();
        let check = |n: usize| Grid { vary: &grid_of(&specs[..n]) }.check();
        assert_eq!(check(70), Err(GridError::TooLarge));
        assert_eq!(check(21), Err(GridError::TooLarge));
        assert_eq!(check(19), Ok(1 << 19));
        let empty = [Vary { key: "a".into(), values: vec![] }];
        assert_eq!(Grid { vary: &empty }.check(), Err(GridError::Empty { key: "a".into() }));
    }

    #[test]
    fn linked_keys_are_each_a_key_of_the_grid() {
        let refused = |specs: &[&str]| Grid { vary: &grid_of(specs) }.check().err().map(|e| e.to_string());
        assert_eq!(refused(&["backend.max_sessions+waiting_room.max_active=1,2", "front.capacity=3"]), None);
        let again = refused(&["backend.max_sessions+waiting_room.max_active=1,2", "waiting_room.max_active=3"]);
        assert!(again.unwrap().contains("--vary waiting_room.max_active is given twice"));
        let twice = refused(&["backend.max_sessions+backend.max_sessions=1,2"]).unwrap();
        assert!(twice.contains("names backend.max_sessions twice"), "{twice}");
        let inside = refused(&["waiting_room+backend.max_sessions=1", "waiting_room.max_active=2"]).unwrap();
        assert!(inside.contains("waiting_room.max_active lies inside --vary waiting_room"), "{inside}");
        let v = grid_of(&["backend.max_sessions+waiting_room.max_active=1,2"]);
        let g = Grid { vary: &v };
        assert!(g.check_set("waiting_room.max_active=5").is_err());
        assert!(g.check_set("front.capacity+backend.max_sessions=5").is_err());
        assert_eq!(g.check_set("front.capacity=5"), Ok(()));
        assert_eq!(g.point(1), vec![("backend.max_sessions+waiting_room.max_active".into(), "2".into())]);
    }

    #[test]
    fn with_the_cohort_names_a_name_and_its_index_are_one_key() {
        let names = super::super::CohortNames(vec![Some("53-54".into()), Some("2021".into())]);
        let canon = |k: &str| names.canonical(k);
        assert_eq!(canon("cohort.53-54.people"), "cohort[0].people");
        assert_eq!(canon("cohort.\"2021\".people"), "cohort[1].people");
        assert_eq!(canon("cohort.2021.people"), "cohort[2021].people", "digits are an index");
        assert_eq!(canon("cohort.nobody.people"), "cohort.nobody.people");
        let v = grid_of(&["cohort.53-54.people=1,2", "cohort.0.people=3"]);
        assert!(Grid { vary: &v }.check().is_ok(), "as written, two keys");
        let e = Grid { vary: &v }.check_with(&canon).unwrap_err().to_string();
        assert!(e.contains("cohort[0].people is given twice"), "{e}");
        let v = grid_of(&["cohort.53-54.people=1,2"]);
        assert!(Grid { vary: &v }.check_set_with("cohort.0.people=5", &canon).is_err());
    }

    #[test]
    fn specs_print_as_given() {
        assert_eq!("a.b=1, 2".parse::<Vary>().unwrap().to_string(), "a.b=1,2");
        assert_eq!(Shard { index: 1, count: 4 }.to_string(), "1/4");
    }
}
