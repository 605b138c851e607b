//! A figure named anywhere (`plan --target`, `compare`, `sweep --figure`,
//! `[[observed]]`), held against a scenario and read from a run.
//!
//! `scenario::figure` reads the name (`[cohort.NAME.]BASE`); here the
//! whole-run names are checked (a headline figure of `summary.json`, or for
//! a cohort a column of `cohorts.csv`), the cohort's name and the clock time
//! are turned into an index and an instant, and `Measure::value` reads the
//! figure from a run's `RunFigures`. A figure at a clock time needs the
//! instant among the scenario's `instants`: `Measure::resolve` adds it, so
//! resolve on the scenario that will run.

use super::{CohortFigure, Columns, Headline, Kind, RunFigures, Value};
use crate::engine::SimTime;
use crate::scenario::figure::{moment_in_run, Base, ClockFigure, FigureName};
use crate::scenario::spelling::{hint, Spelled};
use crate::scenario::Scenario;

/// What a measure reads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum What {
    /// A headline figure (whole night, no cohort).
    Headline(Headline),
    /// A column of `cohorts.csv` (with a cohort).
    Column(CohortFigure),
    /// The state at an instant, or a count by it.
    At(ClockFigure, SimTime),
}

/// A figure held against one scenario: ready to read from its runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Measure {
    /// As the user named it (for tables and messages).
    pub name: FigureName,
    /// The cohort's index, for a figure of one cohort.
    pub cohort: Option<usize>,
    pub what: What,
}

/// Why figures asked for as extra columns of a table (`compare --figure`,
/// `sweep --figure`) on `s` would repeat a column: one figure spelled two
/// ways (`queue_at_1h`, `queue_at_2021-07-19T21:00`), or a figure the table
/// has already (a headline figure, the night's booked share by one of the
/// milestones). `None` when each is new.
pub fn repeats(measures: &[Measure], s: &Scenario) -> Option<String> {
    for (i, m) in measures.iter().enumerate() {
        if let Some(first) = measures[..i].iter().find(|o| o.cohort == m.cohort && o.what == m.what) {
            return Some(format!("{}: the same figure as {}, expected each figure once", m.name, first.name));
        }
        let column = match (m.cohort, m.what) {
            (None, What::Headline(h)) => Some(format!("`{}`, a headline figure", h.name())),
            (None, What::At(ClockFigure::BookedShareBy, at)) if s.milestones.contains(&at) => {
                Some(format!("`booked_share_by_{}`, a milestone's", s.milestone_label(at)))
            }
            _ => None,
        };
        if let Some(column) = column {
            return Some(format!("{}: the table has it already as {column}; ask for figures it has not", m.name));
        }
    }
    None
}

/// The kind (unit) of a clock figure.
pub fn clock_kind(f: ClockFigure) -> Kind {
    match f {
        ClockFigure::ShownWaitAt => Kind::Seconds,
        ClockFigure::BookedShareBy => Kind::Share,
        _ => Kind::Count,
    }
}

/// The kind of the figure `name` would be, without a scenario: what its
/// value is written in (`None`: no such figure).
pub fn kind_of(name: &FigureName) -> Result<Kind, String> {
    match &name.base {
        Base::At(f, _) => Ok(clock_kind(*f)),
        Base::Named(n) => named(n, name.cohort.is_some()).map(|w| match w {
            What::Headline(h) => h.kind(),
            What::Column(c) => c.kind(),
            What::At(..) => unreachable!("a name is not a clock figure"),
        }),
    }
}

/// A whole-run name: a headline figure, or for a cohort a `cohorts.csv`
/// column; the error says which names there are, and the closest.
fn named(n: &str, of_cohort: bool) -> Result<What, String> {
    if of_cohort {
        return CohortFigure::from_name(n).map(What::Column).ok_or_else(|| {
            let names: Vec<&str> = CohortFigure::ALL.iter().map(|c| c.name()).collect();
            format!("`{n}` is not a figure of a cohort (a column of cohorts.csv){}", hint(n, &names, Spelled::Key))
        });
    }
    Headline::from_name(n).map(What::Headline).ok_or_else(|| {
        let names: Vec<&str> = Headline::ALL.iter().map(|h| h.name()).collect();
        format!(
            "`{n}` is not a headline figure of summary.json, nor PREFIX<clock time> (queue_at_, active_at_, \
             shown_wait_at_, booked_by_, booked_share_by_, attempts_by_, gave_up_by_){}",
            hint(n, &names, Spelled::Key)
        )
    })
}

impl Measure {
    /// `name` held against `s`: the cohort must be one of its cohorts, the
    /// clock a moment inside its run, a shown wait needs a room that shows
    /// one. A clock figure's instant is added to `s.instants`, so that its
    /// runs sample the state there.
    pub fn resolve(name: &FigureName, s: &mut Scenario) -> Result<Measure, String> {
        let cohort = match &name.cohort {
            None => None,
            Some(c) => Some(s.cohorts.iter().position(|k| &k.name == c).ok_or_else(|| {
                let names: Vec<&str> = s.cohorts.iter().map(|k| k.name.as_str()).collect();
                format!(
                    "found cohort \"{c}\", expected one of the scenario's cohorts ({}){}",
                    names.join(", "),
                    hint(c, &names, Spelled::Value)
                )
            })?),
        };
        let what = match &name.base {
            Base::Named(n) => named(n, cohort.is_some())?,
            Base::At(f, clock) => {
                if *f == ClockFigure::ShownWaitAt && s.waiting_room.as_ref().and_then(|w| w.shown_wait).is_none() {
                    return Err(format!("{name} needs waiting_room.shown_wait (the room shows no wait), found none"));
                }
                let at = moment_in_run(clock, s.start, s.duration)?;
                s.add_instant(at);
                What::At(*f, at)
            }
        };
        let m = Measure { name: name.clone(), cohort, what };
        if let Some(i) = cohort.filter(|&i| !s.cohorts[i].eligible) {
            // A share of an ineligible cohort's people is never defined:
            // nobody of it can book.
            let share = matches!(
                what,
                What::Column(CohortFigure::BookedShare | CohortFigure::BookedShareAtClose)
                    | What::At(ClockFigure::BookedShareBy, _)
            );
            if share {
                return Err(format!(
                    "found {name}, but cohort \"{}\" is not eligible: nobody of it books, it has no booked share",
                    s.cohorts[i].name
                ));
            }
        }
        Ok(m)
    }

    pub fn kind(&self) -> Kind {
        match self.what {
            What::Headline(h) => h.kind(),
            What::Column(c) => c.kind(),
            What::At(f, _) => clock_kind(f),
        }
    }

    /// Whether the figure grows with the night's size: counts, and the
    /// time averages of people and sessions (not a ratio such as identity
    /// checks per booking). At `--scale F` a run gives F of the night's.
    pub fn grows_with_size(&self) -> bool {
        match self.what {
            What::Headline(Headline::QueueLenMean | Headline::ActiveSessionsMean) => true,
            _ => self.kind() == Kind::Count,
        }
    }

    /// A run's value `v` at the night's full size, for a run at `scale`:
    /// what an observation or a target of the whole night compares with.
    pub fn at_full_size(&self, v: f64, scale: f64) -> f64 {
        if self.grows_with_size() {
            v / scale
        } else {
            v
        }
    }

    /// The figure in one run of `s` (the scenario it was resolved on, or
    /// one with the same cohorts and instants); `None` where it is
    /// undefined (a share of nobody, a wait the room could not name).
    pub fn value(&self, s: &Scenario, run: &RunFigures) -> Value {
        match (self.what, self.cohort) {
            (What::Headline(h), _) => *run.headline.get(h),
            (What::Column(c), Some(i)) => *run.cohorts.get(i)?.get(c),
            (What::Column(_), None) => None,
            (What::At(f, at), cohort) => {
                let k = s.instants.binary_search(&at).ok()?;
                let state = run.instants.get(k)?;
                let sum = |field: fn(&super::CohortAt) -> u64| -> u64 {
                    match cohort {
                        Some(i) => state.cohorts.get(i).map_or(0, field),
                        None => state.cohorts.iter().map(field).sum(),
                    }
                };
                match f {
                    ClockFigure::QueueAt => Some(match cohort {
                        Some(_) => sum(|c| c.queued),
                        None => state.queue,
                    } as f64),
                    ClockFigure::ActiveAt => Some(match cohort {
                        Some(_) => sum(|c| c.active),
                        None => state.active,
                    } as f64),
                    ClockFigure::ShownWaitAt => {
                        state.shown_wait.filter(|w| *w < SimTime::MAX).map(SimTime::as_secs_f64)
                    }
                    ClockFigure::BookedBy => Some(sum(|c| c.booked) as f64),
                    ClockFigure::AttemptsBy => Some(sum(|c| c.attempts) as f64),
                    ClockFigure::GaveUpBy => Some(sum(|c| c.gave_up) as f64),
                    ClockFigure::BookedShareBy => {
                        let shares = super::figures::booked_by(s, at, state);
                        match cohort {
                            Some(i) => shares.cohorts.get(i).copied().flatten(),
                            None => shares.share,
                        }
                    }
                }
            }
        }
    }
}

/// The scenario's observations (`[[observed]]`) as measures, in their
/// order; or every observation whose figure is not one, each located where
/// it was written (`file:line:col: observed[i].figure: ...`).
pub fn observed(s: &mut Scenario) -> Result<Vec<Measure>, Vec<String>> {
    let names: Vec<(String, FigureName)> =
        s.observed.iter().map(|o| (o.written_at.clone(), o.figure.clone())).collect();
    let mut measures = Vec::new();
    let mut problems = Vec::new();
    let values: Vec<f64> = s.observed.iter().map(|o| o.value).collect();
    for (i, (at, name)) in names.iter().enumerate() {
        match Measure::resolve(name, s) {
            // A clock time seen ("sold out at 15:30") has no relative error
            // that means anything (it would depend on where the run starts):
            // what was booked by then says the same.
            Ok(m) if m.kind() == Kind::Clock => problems.push(format!(
                "{at}: observed[{i}].figure: found {name}, a clock time, expected a count, share, wait or level \
                 (observe what happened by then instead, e.g. booked_by_<clock>)"
            )),
            Ok(m) if m.kind() == Kind::Share && values[i] > 1.0 => problems.push(format!(
                "{at}: observed[{i}].value: found {}, expected a share from 0 to 1 for {name}",
                values[i]
            )),
            Ok(m) => measures.push(m),
            Err(e) => problems.push(format!("{at}: observed[{i}].figure: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(measures)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(extra: &str) -> Scenario {
        let text = format!(
            "[scenario]\nname = \"m\"\nstart = \"2021-07-19T20:00:00+09:00\"\nduration = \"2h\"\n\
             [[cohort]]\nname = \"53-54\"\npeople = 100\n[[cohort]]\nname = \"a.b\"\npeople = 50\n\
             [waiting_room]\n[backend]\nmax_sessions = 10\n{extra}"
        );
        crate::scenario::load_str(&text, "m.toml".as_ref(), ".".as_ref(), &[]).unwrap()
    }

    #[test]
    fn names_resolve_against_the_scenario() {
        let mut s = scenario("");
        let r = |t: &str, s: &mut Scenario| Measure::resolve(&FigureName::parse(t).unwrap(), s);
        let m = r("cohort.\"a.b\".booked_by_2021-07-19T21:00", &mut s).unwrap();
        assert_eq!((m.cohort, m.what), (Some(1), What::At(ClockFigure::BookedBy, SimTime::from_secs(3600))));
        assert!(s.instants.contains(&SimTime::from_secs(3600)), "the instant is sampled");
        assert_eq!(r("cohort.53-54.wait_p90_s", &mut s).unwrap().what, What::Column(CohortFigure::WaitP90));
        assert_eq!(r("drop_rate", &mut s).unwrap().kind(), Kind::Share);
        assert!(r("cohort.53-54.drop_rat", &mut s).unwrap_err().contains("cohorts.csv"));
        assert!(r("cohort.55.booked", &mut s).unwrap_err().contains("53-54"));
        assert!(r("queue_at_2021-07-19T23:00", &mut s).unwrap_err().contains("inside the run"));
        assert!(r("shown_wait_at_1h", &mut s).unwrap_err().contains("shown_wait"));
        assert!(r("wait_p91_s", &mut s).unwrap_err().contains("did you mean `wait_p90_s`"));
        let mut s = scenario("");
        s.cohorts[1].eligible = false;
        assert!(r("cohort.\"a.b\".booked_share", &mut s).unwrap_err().contains("not eligible"));
        assert!(r("cohort.\"a.b\".booked_share_by_1h", &mut s).unwrap_err().contains("not eligible"));
        assert!(r("cohort.\"a.b\".booked_by_1h", &mut s).is_ok(), "a count of it is defined");
    }

    #[test]
    fn a_figure_asked_twice_or_already_a_column_is_told() {
        let mut s = crate::scenario::load_str(
            "[scenario]\nname = \"m\"\nstart = \"2021-07-19T20:00:00+09:00\"\nduration = \"2h\"\n\
             milestones = [\"1h\"]\n[[cohort]]\nname = \"a\"\npeople = 10\n[backend]\nmax_sessions = 1\n",
            "m.toml".as_ref(),
            ".".as_ref(),
            &[],
        )
        .unwrap();
        let mut m = |t: &str| Measure::resolve(&FigureName::parse(t).unwrap(), &mut s).unwrap();
        let (q1, q2, b, share, share2) = (
            m("queue_at_1h"),
            m("queue_at_2021-07-19T21:00"),
            m("booked"),
            m("booked_share_by_1h"),
            m("booked_share_by_90m"),
        );
        let cohort_booked = m("cohort.a.booked");
        assert!(repeats(&[q1.clone(), q2], &s).unwrap().contains("the same figure as queue_at_1h"));
        assert!(repeats(&[b], &s).unwrap().contains("a headline figure"));
        assert!(repeats(&[share], &s).unwrap().contains("a milestone's"));
        assert_eq!(repeats(&[q1, share2, cohort_booked], &s), None);
    }

    #[test]
    fn one_figure_spelled_two_ways_is_observed_once() {
        // observed[1] is invalid (outside the run): the repeat at [3] names [2].
        let text = "[scenario]\nname = \"m\"\nstart = \"2021-07-19T20:00:00+09:00\"\nduration = \"2h\"\n\
                    [[cohort]]\nname = \"a\"\npeople = 10\n[backend]\nmax_sessions = 1\n\
                    [[observed]]\nfigure = \"booked\"\nvalue = 1\n\
                    [[observed]]\nfigure = \"queue_at_3h\"\nvalue = 1\n\
                    [[observed]]\nfigure = \"queue_at_1h\"\nvalue = 1\n\
                    [[observed]]\nfigure = \"queue_at_2021-07-19T21:00\"\nvalue = 2\n";
        let e = crate::scenario::load_str(text, "m.toml".as_ref(), ".".as_ref(), &[]).unwrap_err().to_string();
        assert!(e.contains("observed[3].figure") && e.contains("the figure of observed[2] again"), "{e}");
    }

    #[test]
    fn an_observation_of_no_figure_is_located() {
        let mut s = scenario("[[observed]]\nfigure = \"wait_p91_s\"\nvalue = 1\n");
        let e = observed(&mut s).unwrap_err();
        assert!(e[0].starts_with("m.toml:15:"), "the line of its figure: {e:?}");
        assert!(e[0].contains("observed[0].figure") && e[0].contains("did you mean"), "{e:?}");
        let mut s = scenario("[[observed]]\nfigure = \"sold_out_at\"\nvalue = 3600\n");
        assert!(observed(&mut s).unwrap_err()[0].contains("a clock time"));
        let mut s = scenario("[[observed]]\nfigure = \"booked_share_by_1h\"\nvalue = 53.9\n");
        assert!(observed(&mut s).unwrap_err()[0].contains("observed[0].value: found 53.9, expected a share"));
    }
}
