//! `[clients]`: how people behave (session length, patience, response to
//! a turn, retries). Every key has a default, so the section may be left out.

use super::super::dist::{Discrete, Dist, RawDist};
use super::super::raw::{RawClients, RawRetry};
use super::super::{bounds, Clients, Retry};
use super::check::Check;

/// The clients, or `None` when a distribution is wrong (its problem noted).
pub(super) fn check(raw: &RawClients, c: &mut Check) -> Option<Clients> {
    let session = given(raw.session.as_ref(), "clients.session", c).unwrap_or(Some(Dist::exponential(300.0)));
    let patience = given(raw.patience.as_ref(), "clients.patience", c);
    let response = given(raw.response.as_ref(), "clients.response", c);
    let retry = match &raw.retry {
        None => Some(Retry {
            probability: 0.0,
            delay: Dist::exponential(60.0),
            refresh: Dist::exponential(30.0),
            max_attempts: 10,
        }),
        Some(r) => retry(r, c),
    };
    let devices = match &raw.devices {
        None => Some(Discrete::constant(1)),
        Some(r) => Discrete::from_raw(r, "clients.devices", &mut c.problems),
    };
    let device_lock = raw.device_lock.as_deref().map(|t| c.positive_duration(t, "clients.device_lock"));
    Some(Clients {
        session: session?,
        patience: optional(patience)?,
        response: optional(response)?,
        retry: retry?,
        devices: devices?,
        device_lock: device_lock.unwrap_or(None),
    })
}

/// What a person does after a failure.
fn retry(r: &RawRetry, c: &mut Check) -> Option<Retry> {
    let probability = c.probability(r.probability, 0.0, "clients.retry.probability");
    let delay = given(r.delay.as_ref(), "clients.retry.delay", c).unwrap_or(Some(Dist::exponential(60.0)));
    let refresh = given(r.refresh.as_ref(), "clients.retry.refresh", c).unwrap_or(Some(Dist::exponential(30.0)));
    let max_attempts = r.max_attempts.unwrap_or(10);
    if max_attempts == 0 {
        c.push("clients.retry.max_attempts", "found 0, expected at least 1 (the first attempt counts)");
    } else if max_attempts > bounds::MAX_ATTEMPTS {
        // The model counts a person's attempts in 16 bits.
        let message = format!("found {max_attempts}, expected at most {}", bounds::MAX_ATTEMPTS);
        c.push("clients.retry.max_attempts", message);
    }
    Some(Retry { probability, delay: delay?, refresh: refresh?, max_attempts })
}

/// A distribution if given: `None` (not given), `Some(None)` (given but
/// wrong), `Some(Some(d))`.
fn given(raw: Option<&RawDist>, path: &str, c: &mut Check) -> Option<Option<Dist>> {
    raw.map(|r| c.dist(r, path))
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
