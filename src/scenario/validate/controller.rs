//! `[waiting_room.controller]`: a feedback controller of the admission
//! rate. Checked on its own: the kind and the signal by name, the bounds
//! in order, the starting rate (`admit_per_minute`) inside them, and each
//! kind's own keys (set on the wrong kind: refused, so that a `backoff`
//! written under `kind = "gradient"` is not silently ignored).

use super::super::raw::RawController;
use super::super::units::parse_duration;
use super::super::{Controller, ControllerKind, Signal};
use super::check::{one_of, Check};
use crate::engine::SimTime;

const AT: &str = "waiting_room.controller";

/// The kinds, and the keys each takes beyond the common ones.
const KINDS: [(&str, &[&str]); 3] = [
    ("aimd", &["increase_per_minute", "backoff"]),
    ("gradient", &["smoothing", "tolerance"]),
    ("alarm_step", &["step", "clear", "increase_per_minute"]),
];

/// The controller of a room starting at `start` admissions a minute, or
/// `None` (its problems noted) if it cannot be built.
pub(super) fn check(w: &RawController, start: Option<f64>, c: &mut Check) -> Option<Controller> {
    let before = c.count();
    let signal = match w.signal.as_str() {
        "backend_error_rate" => Signal::BackendErrorRate,
        "backend_busy" => Signal::BackendBusy,
        "front_failure_rate" => Signal::FrontFailureRate,
        "session_p90" => Signal::SessionP90,
        other => {
            let names = ["backend_error_rate", "backend_busy", "front_failure_rate", "session_p90"];
            c.push(format!("{AT}.signal"), one_of(other, &names));
            Signal::BackendErrorRate
        }
    };
    if !(w.target.is_finite() && w.target >= 0.0) {
        c.push(format!("{AT}.target"), format!("found {}, expected a value of at least 0", w.target));
    }
    let interval = match parse_duration(&w.interval) {
        // A decision less than a second apart is no dashboard's, and a run
        // of a day would wake the model millions of times for it.
        Ok(d) if d < SimTime::from_secs(1) => {
            c.push(format!("{AT}.interval"), format!("found \"{}\", expected at least 1s", w.interval));
            None
        }
        // A first decision after the run's end would never come.
        Ok(d) if d >= c.duration => {
            c.push(format!("{AT}.interval"), format!("found {d}, expected less than the run ({})", c.duration));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            c.push(format!("{AT}.interval"), e);
            None
        }
    };
    let delay = match w.delay.as_deref().map(parse_duration) {
        None => Some(SimTime::ZERO),
        Some(Ok(d)) if d >= c.duration => {
            c.push(format!("{AT}.delay"), format!("found {d}, expected less than the run ({})", c.duration));
            None
        }
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            c.push(format!("{AT}.delay"), e);
            None
        }
    };
    let (min, max) = (w.min_per_minute, w.max_per_minute);
    for (v, key) in [(min, "min_per_minute"), (max, "max_per_minute")] {
        if !(v.is_finite() && v > 0.0) {
            c.push(format!("{AT}.{key}"), format!("found {v}, expected a rate above zero"));
        }
    }
    if min > max {
        c.push(format!("{AT}.min_per_minute"), format!("found {min}, expected at most max_per_minute = {max}"));
    }
    match start {
        None => c.push(
            "waiting_room.admit_per_minute",
            "not set, but [waiting_room.controller] is: expected the rate the controller starts from",
        ),
        // Bounds out of order are their own problem.
        Some(r) if min <= max && (r < min || r > max) => c.push(
            "waiting_room.admit_per_minute",
            format!("found {r}, expected the controller's starting rate, from min_per_minute = {min} to max_per_minute = {max}"),
        ),
        Some(_) => {}
    }
    let kind = kind(w, c);
    let ok = c.count() == before;
    match (ok, kind, interval, delay) {
        (true, Some(kind), Some(interval), Some(delay)) => Some(Controller {
            kind,
            signal,
            target: w.target,
            interval,
            delay,
            min_per_minute: min,
            max_per_minute: max,
        }),
        _ => None,
    }
}

/// The kind and its own keys (those of another kind refused).
fn kind(w: &RawController, c: &mut Check) -> Option<ControllerKind> {
    let Some((name, own)) = KINDS.iter().find(|(k, _)| *k == w.kind) else {
        c.push(format!("{AT}.kind"), one_of(&w.kind, &KINDS.map(|(k, _)| k)));
        return None;
    };
    let given = [
        ("increase_per_minute", w.increase_per_minute),
        ("backoff", w.backoff),
        ("smoothing", w.smoothing),
        ("tolerance", w.tolerance),
        ("step", w.step),
        ("clear", w.clear),
    ];
    for (key, v) in given {
        if v.is_some() && !own.contains(&key) {
            let expected = own.join(", ");
            c.push(format!("{AT}.{key}"), format!("set, but kind = \"{name}\" does not take it (it takes {expected})"));
        }
    }
    let before = c.count();
    let kind = match *name {
        "aimd" => ControllerKind::Aimd {
            increase_per_minute: increase(w, c),
            backoff: open_share(w.backoff.unwrap_or(0.9), "backoff", c),
        },
        "gradient" => {
            let smoothing = w.smoothing.unwrap_or(0.2);
            if !(smoothing > 0.0 && smoothing <= 1.0) {
                c.push(format!("{AT}.smoothing"), format!("found {smoothing}, expected a share above 0, at most 1"));
            }
            let tolerance = w.tolerance.unwrap_or(0.0);
            if !(tolerance.is_finite() && tolerance >= 0.0) {
                c.push(format!("{AT}.tolerance"), format!("found {tolerance}, expected a value of at least 0"));
            }
            ControllerKind::Gradient { smoothing, tolerance }
        }
        _ => {
            let step = match w.step {
                Some(s) => open_share(s, "step", c),
                None => {
                    c.push(format!("{AT}.step"), "missing, expected the share of the rate cut while the alarm fires");
                    0.0
                }
            };
            let clear = match w.clear {
                // Above 0: the rate rises again only while the signal is
                // below `clear`, and no signal is below 0 (with 0, one
                // firing would hold the rate down for the rest of the run).
                Some(v) if !(v.is_finite() && v > 0.0 && v < w.target) => {
                    let message = format!(
                        "found {v}, expected a level above 0 and below target = {} (hysteresis; the rate rises again only below it)",
                        w.target
                    );
                    c.push(format!("{AT}.clear"), message);
                    v
                }
                Some(v) => v,
                None => {
                    c.push(
                        format!("{AT}.clear"),
                        "missing, expected the level below target under which the rate rises again",
                    );
                    0.0
                }
            };
            ControllerKind::AlarmStep { step, clear, increase_per_minute: increase(w, c) }
        }
    };
    (c.count() == before).then_some(kind)
}

/// `increase_per_minute`: required where the kind adds it.
fn increase(w: &RawController, c: &mut Check) -> f64 {
    match w.increase_per_minute {
        Some(v) if v.is_finite() && v > 0.0 => v,
        Some(v) => {
            c.push(format!("{AT}.increase_per_minute"), format!("found {v}, expected a rate above zero"));
            v
        }
        None => {
            c.push(
                format!("{AT}.increase_per_minute"),
                "missing, expected the admissions a minute added each interval below target",
            );
            0.0
        }
    }
}

/// A multiplier or a cut strictly between 0 and 1 (0 or 1 would stop the
/// rate dead or leave it where it is).
fn open_share(v: f64, key: &str, c: &mut Check) -> f64 {
    if !(v > 0.0 && v < 1.0) {
        c.push(format!("{AT}.{key}"), format!("found {v}, expected a value above 0 and below 1"));
    }
    v
}

/// `front_failure_rate` measures the front tier: without one it would
/// read 0 all night.
pub(super) fn needs_a_front(w: Option<&RawController>, front: bool, c: &mut Check) {
    if w.is_some_and(|w| w.signal == "front_failure_rate") && !front {
        c.push(format!("{AT}.signal"), "found \"front_failure_rate\", but there is no [front] tier to measure");
    }
}

/// `session_p90` reads each session's length as drawn when it begins: under
/// a throughput cap a session also waits for a token, holding its session,
/// and that wait it cannot see (a controller on it would keep the rate up
/// while sessions pile up waiting). Refused there, rather than a signal
/// that reads short; `backend_busy` counts the waiting sessions.
pub(super) fn sees_the_cap(w: Option<&RawController>, capped: bool, c: &mut Check) {
    if w.is_some_and(|w| w.signal == "session_p90") && capped {
        c.push(
            format!("{AT}.signal"),
            "found \"session_p90\", but backend.bookings_per_hour is set: a session's length as drawn leaves out \
             its wait for a token; expected \"backend_busy\" (it counts the sessions waiting) or another signal",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::testing::{at, context, none, problem, raw};
    use super::*;

    const BASE: &str = "signal = \"backend_error_rate\"\ntarget = 0.01\ninterval = \"10s\"\ndelay = \"30s\"\nmin_per_minute = 100.0\nmax_per_minute = 20000.0\n";

    fn problem_of(text: &str, start: Option<f64>) -> (String, String) {
        problem(|c| {
            check(&raw(&format!("{BASE}{text}")), start, c);
        })
    }

    #[test]
    fn each_kind_reads_with_its_defaults() {
        let mut c = context();
        let w = check(&raw(&format!("{BASE}kind = \"aimd\"\nincrease_per_minute = 50.0")), Some(4000.0), &mut c);
        none(&c);
        let w = w.expect("valid");
        assert_eq!(w.kind, ControllerKind::Aimd { increase_per_minute: 50.0, backoff: 0.9 });
        assert_eq!((w.interval, w.delay), (SimTime::from_secs(10), SimTime::from_secs(30)));
        let g = check(&raw(&format!("{BASE}kind = \"gradient\"")), Some(4000.0), &mut c).expect("valid");
        assert_eq!(g.kind, ControllerKind::Gradient { smoothing: 0.2, tolerance: 0.0 });
        let text = format!("{BASE}kind = \"alarm_step\"\nstep = 0.3\nclear = 0.005\nincrease_per_minute = 10.0");
        let a = check(&raw(&text), Some(100.0), &mut c).expect("valid");
        assert_eq!(a.kind, ControllerKind::AlarmStep { step: 0.3, clear: 0.005, increase_per_minute: 10.0 });
        none(&c);
    }

    #[test]
    fn each_setting_has_its_range_and_its_kind() {
        let aimd = "kind = \"aimd\"\nincrease_per_minute = 50.0\n";
        let cases = [
            ("kind = \"kalman\"", "kind", "found \"kalman\", expected \"aimd\", \"gradient\" or \"alarm_step\""),
            (
                "kind = \"aimd\"",
                "increase_per_minute",
                "missing, expected the admissions a minute added each interval below target",
            ),
            (&format!("{aimd}backoff = 1.0") as &str, "backoff", "found 1, expected a value above 0 and below 1"),
            (
                &format!("{aimd}smoothing = 0.5"),
                "smoothing",
                "set, but kind = \"aimd\" does not take it (it takes increase_per_minute, backoff)",
            ),
            ("kind = \"gradient\"\nsmoothing = 0.0", "smoothing", "found 0, expected a share above 0, at most 1"),
            (
                "kind = \"alarm_step\"\nstep = 0.2\nclear = 0.02\nincrease_per_minute = 1.0",
                "clear",
                "found 0.02, expected a level above 0 and below target = 0.01 (hysteresis; the rate rises again only below it)",
            ),
            (
                "kind = \"alarm_step\"\nstep = 0.2\nclear = 0.0\nincrease_per_minute = 1.0",
                "clear",
                "found 0, expected a level above 0 and below target = 0.01 (hysteresis; the rate rises again only below it)",
            ),
            (
                "kind = \"alarm_step\"\nclear = 0.005\nincrease_per_minute = 1.0",
                "step",
                "missing, expected the share of the rate cut while the alarm fires",
            ),
        ];
        for (text, key, message) in cases {
            assert_eq!(problem_of(text, Some(4000.0)), at(&format!("{AT}.{key}"), message), "{text}");
        }
        let bad_signal = problem(|c| {
            check(
                &raw(&BASE.replace("backend_error_rate", "errors").replace("signal", "kind = \"gradient\"\nsignal")),
                Some(4000.0),
                c,
            );
        });
        assert_eq!(bad_signal.0, format!("{AT}.signal"));
    }

    #[test]
    fn the_bounds_hold_the_starting_rate() {
        let g = "kind = \"gradient\"";
        let message = "not set, but [waiting_room.controller] is: expected the rate the controller starts from";
        assert_eq!(problem_of(g, None), at("waiting_room.admit_per_minute", message));
        let message =
            "found 50, expected the controller's starting rate, from min_per_minute = 100 to max_per_minute = 20000";
        assert_eq!(problem_of(g, Some(50.0)), at("waiting_room.admit_per_minute", message));
        let swapped = BASE.replace("min_per_minute = 100.0", "min_per_minute = 30000.0");
        let found = problem(|c| {
            check(&raw(&format!("{swapped}{g}")), Some(25000.0), c);
        });
        assert_eq!(found, at(&format!("{AT}.min_per_minute"), "found 30000, expected at most max_per_minute = 20000"));
        let fast = problem(|c| {
            check(&raw(&format!("{}{g}", BASE.replace("\"10s\"", "\"500ms\""))), Some(4000.0), c);
        });
        assert_eq!(fast, at(&format!("{AT}.interval"), "found \"500ms\", expected at least 1s"));
    }
}
