//! A cohort's `catch_up` rounds: `[{ opens, closes, probability, arrivals }]`.
//!
//! A round brings back, at its opening, some of the cohort's people the
//! rounds before did not book, so it comes after them: the first round
//! opens at or after the close of the cohort's last window, each later one
//! at or after the close of the round before, and each opens before the end
//! of the run (a close past the end is cut there, as a window's is). The
//! crowd is drawn at the opening and spread from it to the close, so the
//! curve is constant or surge, without early birds (nobody knows to come
//! before the round is announced); a piecewise or trace curve is written
//! at clock times with a volume of its own, which a crowd drawn at the
//! opening cannot have.

use super::super::raw::RawCatchUp;
use super::super::{bounds, CatchUp, Curve, Window};
use super::check::Check;
use super::curves;
use crate::engine::SimTime;

/// The rounds at `path` (`cohort[0].catch_up`) of a cohort of `people`
/// with `windows` (as checked: empty when they had a problem).
pub(super) fn check(list: &[RawCatchUp], windows: &[Window], people: u64, path: &str, c: &mut Check) -> Vec<CatchUp> {
    // A returning person is numbered after the cohort's people and those
    // of the rounds before (`model::Person`): at most all of them each round.
    let rounds = list.len() as u64;
    if people.saturating_mul(rounds + 1) > bounds::MAX_PEOPLE {
        let message = format!(
            "found {rounds} rounds of a cohort of {people} people, expected people x (rounds + 1) at most {} (the model numbers a cohort's people, those who come back included, in 32 bits)",
            bounds::MAX_PEOPLE
        );
        c.push(path, message);
    }
    let mut after = windows.last().map(|w| (w.closes, "the cohort's last window closes"));
    let mut out = Vec::with_capacity(list.len());
    for (j, raw) in list.iter().enumerate() {
        let here = format!("{path}[{j}]");
        let Some(round) = round(raw, &here, c) else { continue };
        if let Some((close, what)) = after.filter(|(close, _)| round.opens < *close) {
            let message = format!(
                "found {} after the start, before {what} ({close} after the start), expected a catch-up after them",
                round.opens
            );
            c.push(format!("{here}.opens"), message);
        }
        after = Some((round.closes, "the round before closes"));
        out.push(round);
    }
    out
}

/// One round at `here`, or `None` when it has a problem.
fn round(raw: &RawCatchUp, here: &str, c: &mut Check) -> Option<CatchUp> {
    let before = c.count();
    let opens = c.try_moment(&raw.opens, &format!("{here}.opens"));
    let closes = c.try_moment(&raw.closes, &format!("{here}.closes"));
    let probability = c.probability(Some(raw.probability), 0.0, &format!("{here}.probability"));
    let arrivals = curves::check(raw.arrivals.as_ref(), &format!("{here}.arrivals"), c);
    match &arrivals {
        Some(Curve::Piecewise { .. } | Curve::Trace { .. }) => {
            let message = format!(
                "found \"{}\", expected \"constant\" or \"surge\" (the crowd is drawn at the opening and spread over the round)",
                raw.arrivals.as_ref().map_or("", |a| a.curve.as_str())
            );
            c.push(format!("{here}.arrivals.curve"), message);
        }
        Some(Curve::Surge { early, early_share, .. }) if *early > SimTime::ZERO || *early_share > 0.0 => {
            let key = if *early_share > 0.0 { "early_share" } else { "early" };
            let message = "set, expected none in a catch-up round: its people come back from its opening on";
            c.push(format!("{here}.arrivals.{key}"), message);
        }
        _ => {}
    }
    let (opens, closes) = (opens?, closes?);
    if closes <= opens {
        let message = format!("found {closes} after the start, expected later than opens ({opens} after the start)");
        c.push(format!("{here}.closes"), message);
    }
    c.before_end(opens, &format!("{here}.opens"));
    let arrivals = arrivals?;
    let cut_from = (closes > c.duration).then_some(closes);
    (c.count() == before).then(|| CatchUp { opens, closes: closes.min(c.duration), cut_from, probability, arrivals })
}

#[cfg(test)]
mod tests {
    use super::super::check::testing::{at, context, none, problem, raw};
    use super::super::cohorts;
    use super::*;

    const COHORT: &str =
        "name = \"53-54\"\npeople = 1000\nwindows = [{ opens = \"10m\", closes = \"40m\" }]\narrivals = { curve = \"surge\" }\n";

    fn problem_of(rounds: &str) -> (String, String) {
        problem(|c| {
            cohorts::check_alone(&[raw(&format!("{COHORT}catch_up = {rounds}"))], c);
        })
    }

    #[test]
    fn rounds_follow_the_windows_and_each_other() {
        let mut c = context();
        let rounds = "[{ opens = \"50m\", closes = \"1h\", probability = 0.7 }, { opens = \"1h\", closes = \"3h\", probability = 0.2, arrivals = { curve = \"surge\", tau = \"5m\" } }]";
        let made = cohorts::check_alone(&[raw(&format!("{COHORT}catch_up = {rounds}"))], &mut c);
        none(&c);
        let r = &made[0].catch_up;
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].opens, r[0].closes, r[0].probability),
            (SimTime::from_secs(3000), SimTime::from_secs(3600), 0.7)
        );
        assert!(matches!(r[0].arrivals, Curve::Constant) && matches!(r[1].arrivals, Curve::Surge { .. }));
        assert_eq!(r[1].closes, c.duration, "cut at the end of the run");
        assert_eq!(made[0].last_close(), Some(c.duration));
    }

    #[test]
    fn a_wrong_round_gets_one_message_per_mistake() {
        let cases = [
            ("[{ opens = \"30m\", closes = \"1h\", probability = 0.5 }]", "cohort[0].catch_up[0].opens", "found 30m after the start, before the cohort's last window closes (40m after the start), expected a catch-up after them"),
            ("[{ opens = \"50m\", closes = \"1h\", probability = 1.5 }]", "cohort[0].catch_up[0].probability", "found 1.5, expected a probability from 0 to 1"),
            ("[{ opens = \"50m\", closes = \"45m\", probability = 0.5 }]", "cohort[0].catch_up[0].closes", "found 45m after the start, expected later than opens (50m after the start)"),
            ("[{ opens = \"50m\", closes = \"1h\", probability = 0.5 }, { opens = \"55m\", closes = \"1h30m\", probability = 0.5 }]", "cohort[0].catch_up[1].opens", "found 55m after the start, before the round before closes (1h after the start), expected a catch-up after them"),
            ("[{ opens = \"50m\", closes = \"1h\", probability = 0.5, arrivals = { curve = \"surge\", early = \"5m\" } }]", "cohort[0].catch_up[0].arrivals.early", "set, expected none in a catch-up round: its people come back from its opening on"),
            ("[{ opens = \"50m\", closes = \"1h\", probability = 0.5, arrivals = { curve = \"piecewise\", points = [{ at = \"50m\", rate = 1.0 }, { at = \"1h\", rate = 1.0 }] } }]", "cohort[0].catch_up[0].arrivals.curve", "found \"piecewise\", expected \"constant\" or \"surge\" (the crowd is drawn at the opening and spread over the round)"),
        ];
        for (rounds, path, message) in cases {
            assert_eq!(problem_of(rounds), at(path, message), "{rounds}");
        }
    }
}
