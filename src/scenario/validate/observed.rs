//! `[[observed]]`: figures seen on the real night, each named as a target
//! is (`scenario::figure`), with its value, source and weight.
//!
//! Checked here: the name's shape, the cohort it names, its clock time
//! (inside the run; a shown wait needs a room that shows one), a finite
//! value of at least 0, a weight above 0, and each figure once. Whether a
//! whole-run name is one of the figures is the statistics' to say
//! (`stats::measure`), on the loaded scenario, at the place kept in
//! `Observation::written_at`.

use super::super::figure::{moment_in_run, Base, ClockFigure, FigureName};
use super::super::raw::RawObserved;
use super::super::{Cohort, Observation};
use super::check::Check;
use crate::engine::SimTime;

/// What a figure names, whatever its spelling.
#[derive(PartialEq)]
struct Named {
    cohort: Option<String>,
    what: What,
}

#[derive(PartialEq)]
enum What {
    At(ClockFigure, SimTime),
    Named(String),
}

/// The observations, and the instants their clock figures name.
pub(super) fn check(
    raw: &[RawObserved],
    cohorts: &[Cohort],
    shows_a_wait: bool,
    c: &mut Check,
) -> (Vec<Observation>, Vec<SimTime>) {
    let mut out: Vec<Observation> = Vec::new();
    let mut instants = Vec::new();
    // What each figure names, by its index in the file: one figure spelled
    // two ways (`queue_at_1h`, `queue_at_2021-07-19T21:00`) is one figure.
    let mut named: Vec<(usize, Named)> = Vec::new();
    for (i, o) in raw.iter().enumerate() {
        let path = |field: &str| format!("observed[{i}].{field}");
        let before = c.count();
        let figure = match FigureName::parse(&o.figure) {
            Ok(f) => Some(f),
            Err(e) => {
                c.push(path("figure"), e);
                None
            }
        };
        if let Some(f) = &figure {
            if let Some(name) = &f.cohort {
                if !cohorts.iter().any(|k| &k.name == name) {
                    let names: Vec<&str> = cohorts.iter().map(|k| k.name.as_str()).collect();
                    let message = format!("found cohort \"{name}\", expected one of {}", names.join(", "));
                    c.push(path("figure"), message);
                }
            }
            let what = match &f.base {
                Base::At(kind, clock) => {
                    if *kind == ClockFigure::ShownWaitAt && !shows_a_wait {
                        let message = format!("found {f}, which needs waiting_room.shown_wait; the room shows none");
                        c.push(path("figure"), message);
                    }
                    match moment_in_run(clock, c.start, c.duration) {
                        Ok(at) => {
                            instants.push(at);
                            Some(What::At(*kind, at))
                        }
                        Err(e) => {
                            c.push(path("figure"), e);
                            None
                        }
                    }
                }
                Base::Named(n) => Some(What::Named(n.clone())),
            };
            if let Some(what) = what {
                let this = Named { cohort: f.cohort.clone(), what };
                if let Some((j, _)) = named.iter().find(|(_, seen)| *seen == this) {
                    let message = format!("found {f}, the figure of observed[{j}] again, expected each figure once");
                    c.push(path("figure"), message);
                }
                named.push((i, this));
            }
        }
        if !o.value.is_finite() || o.value < 0.0 {
            c.push(path("value"), format!("found {}, expected a number of at least 0 in the figure's unit", o.value));
        }
        let weight = o.weight.unwrap_or(1.0);
        if !weight.is_finite() || weight <= 0.0 {
            c.push(path("weight"), format!("found {weight}, expected a weight above 0 (default 1)"));
        }
        if let (Some(figure), true) = (figure, c.count() == before) {
            let source = o.source.clone().unwrap_or_default();
            out.push(Observation { figure, value: o.value, source, weight, written_at: String::new() });
        }
    }
    (out, instants)
}
