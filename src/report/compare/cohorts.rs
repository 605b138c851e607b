//! A comparison by cohort: the cohorts every scenario has (the same name in
//! each; a cohort of some scenarios only has nothing to be paired with, and
//! is named as left out), each column of `cohorts.csv` as a block of
//! `compare.csv` named `cohort.NAME.FIGURE` (the spelling `--figure` takes),
//! `report.md`'s "By cohort" section and the terminal's line per cohort.
//!
//! Each block is an `Asked`, read through a `Measure` as a figure asked for
//! by name is: the means, intervals and paired differences come from the
//! one copy of that code in the parent module. A figure asked for by name
//! that is also a by-cohort column keeps its place among the asked ones and
//! is not written again here.

use super::{Asked, Comparison, Rows};
use crate::report::format::cell;
use crate::scenario::figure::{Base, FigureName};
use crate::scenario::Scenario;
use crate::stats::measure::{Measure, What};
use crate::stats::{CohortFigure, Columns, Headline, Kind, RunFigures};
use std::fmt::Write;

/// What `report.md` and the terminal show of each eligible cohort, with the
/// headline figure whose words name it (a cohort's figure means the same
/// for its own people).
const SHOWN: [(CohortFigure, Headline); 3] = [
    (CohortFigure::BookedShare, Headline::BookedShare),
    (CohortFigure::WaitP50, Headline::WaitP50),
    (CohortFigure::WaitP90, Headline::WaitP90),
];

/// A cohort every scenario has.
pub(super) struct Shared {
    name: String,
    /// Eligible in at least one scenario: it has a booked share there (an
    /// ineligible cohort's is undefined, a `-`).
    eligible: bool,
    /// Every column of `cohorts.csv`, in `CohortFigure::ALL` order.
    figures: Vec<Asked>,
}

impl Shared {
    fn figure(&self, f: CohortFigure) -> &Asked {
        // Built from `CohortFigure::ALL`, so every index is there.
        &self.figures[f.index()]
    }
}

/// The cohorts of a comparison: those every scenario has, and the others.
pub(super) struct ByCohort {
    /// In the order the scenarios name them (the first scenario's first).
    shared: Vec<Shared>,
    /// Cohorts some scenario lacks: the name, and the scenarios that have it.
    left_out: Vec<(String, Vec<usize>)>,
}

impl ByCohort {
    /// Match the scenarios' cohorts by name and read every figure of the
    /// shared ones from the runs.
    pub(super) fn of(scenarios: &[Scenario], runs: &[Vec<RunFigures>]) -> ByCohort {
        let mut names: Vec<&str> = Vec::new();
        for c in scenarios.iter().flat_map(|s| &s.cohorts) {
            if !names.contains(&c.name.as_str()) {
                names.push(&c.name);
            }
        }
        let mut shared = Vec::new();
        let mut left_out = Vec::new();
        for name in names {
            let index: Vec<Option<usize>> =
                scenarios.iter().map(|s| s.cohorts.iter().position(|c| c.name == name)).collect();
            let Some(index) = index.iter().copied().collect::<Option<Vec<usize>>>() else {
                left_out.push((name.to_string(), (0..index.len()).filter(|&i| index[i].is_some()).collect()));
                continue;
            };
            let figures = CohortFigure::ALL
                .iter()
                .filter_map(|&f| {
                    let measures: Vec<Measure> = index
                        .iter()
                        .map(|&i| Measure {
                            name: FigureName {
                                cohort: Some(name.to_string()),
                                base: Base::Named(f.name().to_string()),
                            },
                            cohort: Some(i),
                            what: What::Column(f),
                        })
                        .collect();
                    let of_each: Vec<Option<&Measure>> = measures.iter().map(Some).collect();
                    Asked::read(scenarios, runs, &of_each)
                })
                .collect();
            let eligible = scenarios.iter().zip(&index).any(|(s, &i)| s.cohorts[i].eligible);
            shared.push(Shared { name: name.to_string(), eligible, figures });
        }
        ByCohort { shared, left_out }
    }

    /// The blocks `compare.csv` writes after the figures asked for by name:
    /// every figure of every shared cohort, but for those asked (one column
    /// each).
    pub(super) fn columns<'s>(&'s self, asked: &'s [Asked]) -> impl Iterator<Item = &'s Asked> + 's {
        self.shared.iter().flat_map(|c| &c.figures).filter(move |f| !asked.iter().any(|a| a.column == f.column))
    }

    fn eligible(&self) -> impl Iterator<Item = &Shared> {
        self.shared.iter().filter(|c| c.eligible)
    }

    /// `report.md`'s "By cohort": each shared eligible cohort's booked share
    /// and waits in every scenario, then (with replications) each
    /// scenario's paired differences to the first, with their verdicts.
    pub(super) fn section(&self, cmp: &Comparison, out: &mut String) {
        if self.shared.is_empty() && self.left_out.is_empty() {
            return;
        }
        let scenarios = cmp.scenarios;
        let _ = writeln!(
            out,
            "\n## By cohort\n\nThe cohorts every scenario has, matched by name; every column of cohorts.csv for \
             each is in compare.csv as `cohort.NAME.FIGURE`, with replications its paired difference as \
             `cohort.NAME.FIGURE_diff`."
        );
        if !self.left_out.is_empty() {
            let list: Vec<String> = self
                .left_out
                .iter()
                .map(|(name, have)| {
                    let which: Vec<String> = have.iter().map(|&i| format!("`{}`", cell(&scenarios[i].name))).collect();
                    format!("`{}` (only in {})", cell(name), which.join(", "))
                })
                .collect();
            let _ = writeln!(out, "Left out, not in every scenario: {}.", list.join(", "));
        }
        if self.eligible().next().is_none() {
            let _ = writeln!(out, "\nNo cohort every scenario has is eligible: no booked share to compare.");
            return;
        }
        let names: Vec<String> = scenarios.iter().map(|s| format!("`{}`", cell(&s.name))).collect();
        let _ = writeln!(out, "\n| Cohort | Figure | {} |", names.join(" | "));
        let _ = writeln!(out, "| --- | --- |{}", " ---: |".repeat(scenarios.len()));
        for c in self.eligible() {
            for (f, words) in SHOWN {
                let a = c.figure(f);
                let cells: Vec<String> = scenarios.iter().enumerate().map(|(i, s)| a.human(i, s.start)).collect();
                let _ = writeln!(out, "| `{}` | {} | {} |", cell(&c.name), words.label(), cells.join(" | "));
            }
        }
        if !matches!(cmp.table, Rows::Many(..)) {
            return;
        }
        let _ = writeln!(
            out,
            "\nEach scenario less the first, {}. A difference is real when its interval leaves out zero; shares \
             differ in percentage points (pp).\n",
            cmp.how()
        );
        for (i, s) in scenarios.iter().enumerate().skip(1) {
            let n = cmp.runs[0].len().min(cmp.runs[i].len());
            let _ = writeln!(out, "- `{}` ({n} pairs):", cell(&s.name));
            for c in self.eligible() {
                for (f, words) in SHOWN {
                    let a = c.figure(f);
                    let e = a.paired(i);
                    if e.0.is_some() {
                        let _ = writeln!(
                            out,
                            "  - `{}` {}: {} ({})",
                            cell(&c.name),
                            words.label().to_lowercase(),
                            e.human(a.kind),
                            e.verdict().words()
                        );
                    }
                }
            }
        }
    }

    /// The terminal's lines for scenario i, with replications: each shared
    /// eligible cohort's booked-share difference to the first scenario (a
    /// figure asked for by name has its line already).
    pub(super) fn terminal(&self, i: usize, asked: &[Asked], out: &mut String) {
        for c in self.eligible() {
            let a = c.figure(CohortFigure::BookedShare);
            let e = a.paired(i);
            if e.0.is_some() && !asked.iter().any(|f| f.column == a.column) {
                let _ = writeln!(out, "    {} {} ({})", a.column, e.human(Kind::Share), e.verdict().words());
            }
        }
    }
}
