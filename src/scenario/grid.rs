//! Grids of scenario variants: one or more keys, each with a list of values
//! (`--vary key=v1,v2,...`), and every combination of them, numbered in
//! grid order (the first key changes slowest). A point of the grid is a
//! list of `--set` overrides; a shard of the grid is the points one
//! machine of a job array runs.
//!
//! The sweep command runs a grid and the sweep charts draw one; both read
//! the same numbering from here.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

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
}
