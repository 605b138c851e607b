//! The figures a run is reported by: the headline (`summary.json`, the
//! comparison and sweep tables), one row per cohort (`cohorts.csv`) and one
//! row per time bin (`timeseries.csv`), each an enum of named figures
//! (`columns::Columns`) declared by one table (`columns::figure_set`), in
//! a file of its own with the one function that computes it from a run.
//!
//! To add a headline figure: one row in the table of `headline.rs` (its
//! name, kind, label and better end) and its value in `headline`, which
//! the compiler asks for. Every report then carries it: `summary.json`,
//! `report.md`, `compare.csv`, `sweep.csv`, the intervals of replicated
//! runs. A new drop cause needs no row at all: the rows `Drop(..)` stand
//! for every failure cause of `DropCause`.
//!
//! `RunFigures` is what the reports need of one run: the three tables,
//! computed once, and the bins for the charts. It leaves the histograms
//! behind, so replications and sweeps keep kilobytes per run, not the
//! megabytes of a run's `Results`.

mod arrival;
mod bin;
mod cohort;
mod cohort_bin;
pub mod fairness;
mod headline;

pub use arrival::{arrival, ArrivalFigure};
pub use bin::{bin, BinFigure};
pub use cohort::{cohort, CohortFigure};
pub use cohort_bin::{cohort_bin, CohortBinFigure};
pub use headline::{headline, Headline};

use super::columns::{Columns, Figures, Kind, Value};
use super::{ArrivalRow, AtInstant, Bin, CohortBin, DropCause, RefusalCause, Results};
use crate::scenario::Scenario;

impl Columns for DropCause {
    const ALL: &'static [DropCause] = &DropCause::ALL;
    fn name(self) -> &'static str {
        DropCause::name(self)
    }
    fn kind(self) -> Kind {
        Kind::Count
    }
}

impl Columns for RefusalCause {
    const ALL: &'static [RefusalCause] = &RefusalCause::ALL;
    fn name(self) -> &'static str {
        RefusalCause::name(self)
    }
    fn kind(self) -> Kind {
        Kind::Count
    }
}

/// `a / b`, undefined when `b` is 0.
pub fn ratio(a: u64, b: u64) -> Value {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Bookings by one of the scenario's milestones, the figure the seed
/// quotes ("53.9 % by 20 July 12:00"): the share booked of the eligible
/// people whose window had opened by then, and each cohort's own share of
/// its people (`None` for ineligible cohorts).
///
/// Of whom matters on a rotation: ten nightly groups are ten cohorts, and
/// by the first night's close only the first group could book. A share of
/// all ten groups' people would read 10 % for a first night that booked
/// everyone; the share of those whose window had opened reads 100 %.
#[derive(Clone, Debug, PartialEq)]
pub struct ByMilestone<F> {
    pub at: crate::engine::SimTime,
    /// Eligible people of the cohorts whose first window opened at or
    /// before `at`: whom `share` is of (the same in every replication).
    pub of_people: u64,
    pub share: F,
    pub cohorts: Vec<F>,
}

impl ByMilestone<Value> {
    /// The same milestone over replications: each share's estimate.
    pub fn estimate(runs: &[&ByMilestone<Value>]) -> ByMilestone<Option<super::Estimate>> {
        let of = |values: Vec<Value>| super::Estimate::of(&values.into_iter().flatten().collect::<Vec<f64>>());
        let n = runs.first().map_or(0, |r| r.cohorts.len());
        ByMilestone {
            at: runs.first().map_or(crate::engine::SimTime::ZERO, |r| r.at),
            of_people: runs.first().map_or(0, |r| r.of_people),
            share: of(runs.iter().map(|r| r.share).collect()),
            cohorts: (0..n).map(|i| of(runs.iter().map(|r| r.cohorts[i]).collect())).collect(),
        }
    }
}

/// What the reports need of one run, computed once; the histograms are
/// left behind (see the module doc).
///
/// Reading a run's figures, by their type or by the name they have in
/// `summary.json`:
///
/// ```
/// use std::path::Path;
/// use surgesim::stats::{Columns, Headline, RunFigures};
///
/// let text = r#"
/// [scenario]
/// name = "small"
/// duration = "1h"
/// seed = 1
///
/// [[cohort]]
/// name = "all"
/// people = 600
/// arrivals = { curve = "constant" }
///
/// [clients]
/// session = { dist = "exponential", mean = "1m" }
///
/// [waiting_room]
/// max_active = 12
///
/// [backend]
/// max_sessions = 12
/// "#;
/// let s = surgesim::load_str(text, Path::new("small.toml"), Path::new("."), &[]).expect("a valid scenario");
/// let run = RunFigures::of(&s, surgesim::simulate(&s, 0).results);
///
/// let booked = run.headline.get(Headline::Booked).expect("a count is always defined");
/// assert!(booked > 0.0 && booked <= 600.0);
/// let by_name = Headline::from_name("booked").expect("a headline figure");
/// assert_eq!(*run.headline.get(by_name), Some(booked));
/// // Every figure, in summary.json order, with its label for people.
/// assert_eq!(run.headline.iter().next().map(|(k, _)| k.label()), Some("People (came at least once)".to_string()));
/// assert_eq!(run.cohorts.len(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct RunFigures {
    pub headline: Figures<Headline, Value>,
    /// One per cohort, in the scenario's order.
    pub cohorts: Vec<Figures<CohortFigure, Value>>,
    /// Bookings by each milestone, in time order.
    pub milestones: Vec<ByMilestone<Value>>,
    /// The night's state at each of the scenario's instants
    /// (`Scenario::instants`), for the figures at a clock time.
    pub instants: Vec<AtInstant>,
    /// The time bins, for the time series and the charts.
    pub bins: Vec<Bin>,
    /// Each cohort's events per bin (bin by bin, cohorts within).
    pub cohort_bins: Vec<CohortBin>,
    /// Who got booked by when they came (cohort by cohort, each
    /// `Scenario::arrival_bins` rows).
    pub by_arrival: Vec<ArrivalRow>,
    /// The arrival bins `booking_chance_ratio` compared, and which stood
    /// highest and lowest.
    pub chance: Option<fairness::ChanceSpread>,
}

impl RunFigures {
    pub fn of(s: &Scenario, r: Results) -> RunFigures {
        RunFigures {
            headline: headline(s, &r),
            cohorts: (0..s.cohorts.len()).map(|i| cohort(s, &r, i)).collect(),
            milestones: milestones(s, &r),
            chance: fairness::chance_spread(s, &r.by_arrival),
            instants: r.instants,
            bins: r.bins,
            cohort_bins: r.cohort_bins,
            by_arrival: r.by_arrival,
        }
    }
}

/// Bookings by each milestone, as shares of the eligible people whose
/// window had opened by then (see `ByMilestone`).
pub fn milestones(s: &Scenario, r: &Results) -> Vec<ByMilestone<Value>> {
    s.milestones
        .iter()
        .map(|&at| {
            let i = s.instants.binary_search(&at).expect("every milestone is an instant");
            booked_by(s, at, &r.instants[i])
        })
        .collect()
}

/// The bookings by `at` from the state sampled then (`state`, one of the
/// run's instants): the share of the eligible people whose window had
/// opened by then, and each eligible cohort's share of its people. What a
/// milestone reports and `booked_share_by_<clock>` reads, at any instant.
pub fn booked_by(s: &Scenario, at: crate::engine::SimTime, state: &AtInstant) -> ByMilestone<Value> {
    let booked = |i: usize| state.cohorts.get(i).map_or(0, |c| c.booked);
    // A valid cohort has at least one window; one without would be open
    // the whole run.
    let opened = |c: &crate::scenario::Cohort| c.eligible && c.windows.first().is_none_or(|w| w.opens <= at);
    let of_people: u64 = s.cohorts.iter().filter(|c| opened(c)).map(|c| c.people).sum();
    // Nobody books before their window opens, so the bookings are those of
    // the opened cohorts.
    let of_opened: u64 = (0..s.cohorts.len()).filter(|&i| opened(&s.cohorts[i])).map(booked).sum();
    ByMilestone {
        at,
        of_people,
        share: ratio(of_opened, of_people),
        cohorts: (s.cohorts.iter().enumerate())
            .map(|(i, c)| if c.eligible { ratio(booked(i), c.people) } else { None })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_are_unique<K: Columns>() {
        let mut names: Vec<&str> = K::ALL.iter().map(|k| k.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), K::ALL.len(), "names are unique");
    }

    #[test]
    fn every_figure_has_its_own_name() {
        names_are_unique::<Headline>();
        names_are_unique::<CohortFigure>();
        names_are_unique::<BinFigure>();
        names_are_unique::<ArrivalFigure>();
        names_are_unique::<CohortBinFigure>();
        names_are_unique::<DropCause>();
        names_are_unique::<RefusalCause>();
    }

    #[test]
    fn every_failure_is_a_drop_column_and_every_refusal_a_refusal_column() {
        for c in DropCause::ALL {
            let failure = c.refusal().is_none();
            assert_eq!(failure, DropCause::FAILURES.contains(&c), "{c:?} is a failure or a refusal, not both");
            assert_eq!(Headline::ALL.contains(&Headline::Drop(c)), failure);
            assert_eq!(BinFigure::ALL.contains(&BinFigure::Drop(c)), failure);
            let drop = Headline::from_name(&format!("drop_{}", c.name()));
            assert_eq!(drop, failure.then_some(Headline::Drop(c)));
        }
        for c in RefusalCause::ALL {
            assert!(Headline::ALL.contains(&Headline::Refusal(c)));
            assert!(BinFigure::ALL.contains(&BinFigure::Refusal(c)));
            assert_eq!(Headline::from_name(&format!("refused_{}", c.name())), Some(Headline::Refusal(c)));
        }
    }
}
