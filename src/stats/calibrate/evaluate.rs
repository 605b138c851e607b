//! The objective as the search and the profiles meet it: every point run
//! once (memoised after rounding, so a point tried twice costs nothing),
//! logged in evaluation order, and paid for from a budget of runs that
//! refuses a point it cannot pay for (`Spent`), so the caller keeps the
//! best point seen.

use super::objective::{means, objective, per_replication, Observation};
use super::space::Param;
use super::Oracle;
use crate::stats::Value;
use anyhow::Result;
use std::collections::HashMap;

/// One point run: its key values, its figures, its objective.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub x: Vec<f64>,
    /// Per replication, each observation's figure.
    pub runs: Vec<Vec<Value>>,
    /// Each observation's mean over the replications.
    pub means: Vec<Value>,
    pub objective: f64,
    /// J_r of each replication alone.
    pub per_replication: Vec<f64>,
    /// Which stage asked for it: "search" or "profile".
    pub stage: &'static str,
}

/// The budget is spent: the search stops, keeping the best point seen.
#[derive(Debug)]
pub struct Spent;

impl std::fmt::Display for Spent {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("the budget of runs is spent")
    }
}

impl std::error::Error for Spent {}

/// The memoised, budgeted, logged objective.
pub struct Evaluator<'a, O> {
    pub params: &'a [Param],
    pub obs: &'a [Observation],
    pub oracle: &'a mut O,
    pub replications: usize,
    /// Runs allowed in all, and spent.
    pub budget: usize,
    pub runs: usize,
    pub log: Vec<Evaluation>,
    memo: HashMap<Vec<u64>, usize>,
    /// Which stage asks for the points now.
    pub stage: &'static str,
}

impl<'a, O: Oracle> Evaluator<'a, O> {
    /// Nothing run yet; the search asks first.
    pub fn new(
        params: &'a [Param],
        obs: &'a [Observation],
        oracle: &'a mut O,
        replications: usize,
        budget: usize,
    ) -> Self {
        Evaluator {
            params,
            obs,
            oracle,
            replications,
            budget,
            runs: 0,
            log: Vec::new(),
            memo: HashMap::new(),
            stage: "search",
        }
    }

    /// The point at key values `x` (rounded as the keys take them): its
    /// index in the log; run now unless run before. `Err(Spent)` when the
    /// budget cannot pay for it.
    pub fn at(&mut self, x: &[f64]) -> Result<usize> {
        let x: Vec<f64> = x.iter().zip(self.params).map(|(x, p)| p.at(p.unit(*x))).collect();
        let id: Vec<u64> = x.iter().map(|v| v.to_bits()).collect();
        if let Some(&i) = self.memo.get(&id) {
            return Ok(i);
        }
        if self.runs + self.replications > self.budget {
            return Err(Spent.into());
        }
        let runs = self.oracle.runs(&x, 0, self.replications)?;
        self.runs += self.replications;
        let means = means(&runs, self.obs.len());
        let evaluation = Evaluation {
            objective: objective(self.obs, &means),
            per_replication: per_replication(self.obs, &runs),
            x,
            runs,
            means,
            stage: self.stage,
        };
        self.log.push(evaluation);
        self.memo.insert(id, self.log.len() - 1);
        Ok(self.log.len() - 1)
    }

    /// The point at cube coordinates `u`.
    pub fn at_unit(&mut self, u: &[f64]) -> Result<usize> {
        let x: Vec<f64> = u.iter().zip(self.params).map(|(u, p)| p.at(*u)).collect();
        self.at(&x)
    }

    /// The best point so far among those the search asked for.
    pub fn best(&self) -> Option<usize> {
        (0..self.log.len())
            .filter(|&i| self.log[i].stage == "search")
            .min_by(|&a, &b| self.log[a].objective.total_cmp(&self.log[b].objective))
    }
}
