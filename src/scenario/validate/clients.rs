//! `[clients]`: how people behave (session length, patience, response to
//! a turn, retries). Every key has a default, so the section may be left out.
//!
//! A cohort's own `clients` (`[[cohort]] clients = { patience = ... }`) is
//! checked here too: it changes `[clients]` for that cohort key by key, as
//! a file that `extends` another changes its tables (`merge`): a key it
//! leaves out is `[clients]`'s, `retry = { probability = 0.9 }` keeps
//! `[clients]`'s delays, and a distribution of the kind `[clients]` has
//! (`dist = "lognormal", median = "3h"`) keeps the parameters it does not
//! give; one of another kind replaces it whole. Its problems are located at
//! the cohort's keys, with the messages `[clients]` gets.

use super::super::dist::{Discrete, Dist, RawDist};
use super::super::raw::{RawClients, RawRetry};
use super::super::{bounds, Clients, Retry};
use super::check::Check;
use crate::engine::SimTime;

/// What a cohort's clients are written over: `[clients]` as written, and
/// as checked (`None` when it has a problem: then a cohort's distribution
/// is checked on its own, so that no problem of `[clients]` is reported
/// twice, and the cohort's clients are not made).
#[derive(Clone, Copy)]
pub(super) struct Base<'a> {
    pub written: &'a RawClients,
    pub checked: Option<&'a Clients>,
}

/// The clients, or `None` when a distribution is wrong (its problem noted).
pub(super) fn check(raw: &RawClients, c: &mut Check) -> Option<Clients> {
    over(raw, None, "clients", c)
}

/// A cohort's clients: `raw` (at `path`, `cohort[0].clients`) written over
/// `base`; `None` when either has a problem.
pub(super) fn cohort(raw: &RawClients, base: Base<'_>, path: &str, c: &mut Check) -> Option<Clients> {
    let made = over(raw, Some(base), path, c);
    base.checked.and(made)
}

/// `raw` at `path` over `base` (the defaults when `None`).
fn over(raw: &RawClients, base: Option<Base<'_>>, path: &str, c: &mut Check) -> Option<Clients> {
    let checked = base.and_then(|b| b.checked);
    let written =
        |key: fn(&RawClients) -> Option<&RawDist>| base.filter(|b| b.checked.is_some()).and_then(|b| key(b.written));
    let session = given(raw.session.as_ref(), written(|w| w.session.as_ref()), &format!("{path}.session"), c)
        .unwrap_or_else(|| Some(checked.map_or_else(|| Dist::exponential(300.0), |b| b.session.clone())));
    let patience = given(raw.patience.as_ref(), written(|w| w.patience.as_ref()), &format!("{path}.patience"), c);
    let response = given(raw.response.as_ref(), written(|w| w.response.as_ref()), &format!("{path}.response"), c);
    let balk = given(raw.balk.as_ref(), written(|w| w.balk.as_ref()), &format!("{path}.balk"), c);
    let retry = match &raw.retry {
        None => Some(checked.map_or_else(default_retry, |b| b.retry.clone())),
        Some(r) => {
            let under = base.filter(|b| b.checked.is_some()).and_then(|b| b.written.retry.as_ref());
            retry(r, under, checked.map(|b| &b.retry), &format!("{path}.retry"), c)
        }
    };
    let (devices, device_lock) = devices(raw, checked, path, c);
    let overdue_hazard = match raw.overdue_hazard {
        Some(h) => {
            if !(h.is_finite() && h >= 0.0) {
                c.push(
                    format!("{path}.overdue_hazard"),
                    format!("found {h}, expected a hazard per minute of at least 0"),
                );
            }
            // 0 is no hazard: the same night, and the same resolved scenario.
            (h > 0.0).then_some(h)
        }
        None => checked.and_then(|b| b.overdue_hazard),
    };
    Some(Clients {
        session: session?,
        patience: optional(patience).map(|p| p.or_else(|| checked.and_then(|b| b.patience.clone())))?,
        response: optional(response).map(|r| r.or_else(|| checked.and_then(|b| b.response.clone())))?,
        retry: retry?,
        balk: optional(balk).map(|b| b.or_else(|| checked.and_then(|x| x.balk.clone())))?,
        devices: devices?,
        device_lock,
        overdue_hazard,
    })
}

/// `devices` and `device_lock`: the night's, in `[clients]` only (the model
/// keeps one device policy; a cohort's own is refused, not ignored). A
/// cohort's clients take `[clients]`' (`checked`).
fn devices(
    raw: &RawClients,
    checked: Option<&Clients>,
    path: &str,
    c: &mut Check,
) -> (Option<Discrete>, Option<SimTime>) {
    if let Some(base) = checked {
        for (given, key) in [(raw.devices.is_some(), "devices"), (raw.device_lock.is_some(), "device_lock")] {
            if given {
                c.push(format!("{path}.{key}"), format!("set for one cohort, expected it in [clients] only (clients.{key}): the device policy is the night's"));
            }
        }
        return (Some(base.devices.clone()), base.device_lock);
    }
    let devices = match &raw.devices {
        None => Some(Discrete::constant(1)),
        Some(r) => Discrete::from_raw(r, &format!("{path}.devices"), &mut c.problems),
    };
    let device_lock = raw.device_lock.as_deref().and_then(|t| c.positive_duration(t, &format!("{path}.device_lock")));
    (devices, device_lock)
}

fn default_retry() -> Retry {
    Retry { probability: 0.0, delay: Dist::exponential(60.0), refresh: Dist::exponential(30.0), max_attempts: 10 }
}

/// What a person does after a failure: `r` over `base` (as written and as
/// checked; the defaults when `None`).
fn retry(r: &RawRetry, written: Option<&RawRetry>, base: Option<&Retry>, path: &str, c: &mut Check) -> Option<Retry> {
    let default = default_retry();
    let base = base.unwrap_or(&default);
    let probability = c.probability(r.probability, base.probability, &format!("{path}.probability"));
    let delay = given(r.delay.as_ref(), written.and_then(|w| w.delay.as_ref()), &format!("{path}.delay"), c)
        .unwrap_or_else(|| Some(base.delay.clone()));
    let refresh = given(r.refresh.as_ref(), written.and_then(|w| w.refresh.as_ref()), &format!("{path}.refresh"), c)
        .unwrap_or_else(|| Some(base.refresh.clone()));
    let max_attempts = r.max_attempts.unwrap_or(base.max_attempts);
    let at = format!("{path}.max_attempts");
    if max_attempts == 0 {
        c.push(at, "found 0, expected at least 1 (the first attempt counts)");
    } else if max_attempts > bounds::MAX_ATTEMPTS {
        // The model counts a person's attempts in 16 bits.
        c.push(at, format!("found {max_attempts}, expected at most {}", bounds::MAX_ATTEMPTS));
    }
    Some(Retry { probability, delay: delay?, refresh: refresh?, max_attempts })
}

/// A distribution if given (over `under`, the one it changes, if any):
/// `None` (not given), `Some(None)` (given but wrong), `Some(Some(d))`.
fn given(raw: Option<&RawDist>, under: Option<&RawDist>, path: &str, c: &mut Check) -> Option<Option<Dist>> {
    raw.map(|r| c.dist(&merged(under, r), path))
}

/// `top` written over `under`: the parameters it leaves out are `under`'s
/// when both name the same kind (see `merge`); else `top` alone.
fn merged(under: Option<&RawDist>, top: &RawDist) -> RawDist {
    let Some(u) = under.filter(|u| u.dist == top.dist) else { return top.clone() };
    let text = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    RawDist {
        dist: top.dist.clone(),
        mean: text(&top.mean, &u.mean),
        median: text(&top.median, &u.median),
        value: text(&top.value, &u.value),
        scale: text(&top.scale, &u.scale),
        sigma: top.sigma.or(u.sigma),
        cv: top.cv.or(u.cv),
        shape: top.shape.or(u.shape),
    }
}

/// An optional distribution: `None` (not given) is fine, `Some(None)`
/// (given but wrong) is not.
fn optional(d: Option<Option<Dist>>) -> Option<Option<Dist>> {
    match d {
        None => Some(None),
        Some(d) => d.map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::testing::{at, context, none, problem, raw};
    use super::*;

    #[test]
    fn every_key_has_a_default() {
        let mut c = context();
        let clients = check(&RawClients::default(), &mut c).expect("valid");
        none(&c);
        assert!(clients.patience.is_none() && clients.response.is_none());
        assert_eq!((clients.retry.probability, clients.retry.max_attempts), (0.0, 10));
        let given = raw("patience = { dist = \"exponential\", mean = \"5m\" }\nretry = { probability = 0.5 }");
        let clients = check(&given, &mut c).expect("valid");
        none(&c);
        assert!(clients.patience.is_some());
        assert_eq!((clients.retry.probability, clients.retry.max_attempts), (0.5, 10));
        assert_eq!((clients.devices.max(), clients.device_lock), (1, None), "one device, no lock");
    }

    #[test]
    fn devices_and_their_lock_are_read() {
        let mut c = context();
        let text = "devices = { dist = \"discrete\", values = [1, 2], weights = [0.5, 0.5] }\ndevice_lock = \"10m\"";
        let clients = check(&raw(text), &mut c).expect("valid");
        none(&c);
        assert_eq!((clients.devices.max(), clients.device_lock), (2, Some(crate::engine::SimTime::from_secs(600))));
        let found = problem(|c| {
            check(&raw("device_lock = \"0s\""), c);
        });
        assert_eq!(found, at("clients.device_lock", "found \"0s\", expected a duration above zero"));
    }

    #[test]
    fn retries_are_a_probability_and_a_count_the_model_can_hold() {
        let cases = [
            (
                "retry = { probability = 1.5 }",
                "clients.retry.probability",
                "found 1.5, expected a probability from 0 to 1",
            ),
            (
                "retry = { max_attempts = 0 }",
                "clients.retry.max_attempts",
                "found 0, expected at least 1 (the first attempt counts)",
            ),
            ("retry = { max_attempts = 65536 }", "clients.retry.max_attempts", "found 65536, expected at most 65535"),
        ];
        for (text, path, message) in cases {
            let found = problem(|c| {
                check(&raw(text), c);
            });
            assert_eq!(found, at(path, message), "{text}");
        }
        let mut c = context();
        assert_eq!(check(&raw("retry = { max_attempts = 65535 }"), &mut c).expect("valid").retry.max_attempts, 65535);
        none(&c);
    }

    #[test]
    fn a_wrong_distribution_is_one_problem_and_no_clients() {
        for key in ["session", "patience", "response", "retry.delay", "retry.refresh"] {
            let (table, field) = key.rsplit_once('.').map_or(("", key), |(t, f)| (t, f));
            let text = if table.is_empty() {
                format!("{field} = {{ dist = \"normal\", mean = \"1s\" }}")
            } else {
                format!("[{table}]\n{field} = {{ dist = \"normal\", mean = \"1s\" }}")
            };
            let (path, message) = problem(|c| assert!(check(&raw(&text), c).is_none(), "{text}"));
            assert_eq!(path, format!("clients.{key}.dist"));
            assert!(message.starts_with("found \"normal\", expected one of"), "{message}");
        }
    }
}
