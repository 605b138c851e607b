//! `[backend]`, `[front]` and `[identity]`: the capacity tiers, each a
//! number of concurrent slots with changes over the night. The backend is
//! required (without it nobody books); the front tier is optional (without
//! it page loads always succeed at once), and so is the identity check
//! (without it nobody is asked who they are).

use super::super::dist::Dist;
use super::super::raw::{RawBackend, RawFront, RawIdentity};
use super::super::{Backend, Change, Front, Identity, Placement, RateChange};
use super::check::{one_of, Check};
use crate::engine::SimTime;

/// The backend, or `None` when missing or without a valid `max_sessions`.
pub(super) fn backend(raw: Option<&RawBackend>, c: &mut Check) -> Option<Backend> {
    let Some(b) = raw else {
        c.push("backend", "found no [backend], expected one with `max_sessions`");
        return None;
    };
    let max_sessions = match b.max_sessions {
        None => {
            c.push("backend.max_sessions", "missing, expected the number of concurrent booking sessions");
            None
        }
        Some(0) => {
            c.push("backend.max_sessions", "found 0, expected at least 1");
            None
        }
        Some(n) => Some(n),
    };
    let error_probability = c.probability(b.error_probability, 0.0, "backend.error_probability");
    let bookings_per_hour = b.bookings_per_hour.inspect(|&r| per_hour(r, "backend.bookings_per_hour", c));
    let entries = b.schedule.as_deref().unwrap_or(&[]);
    // Time and order are checked over every entry (an entry without
    // max_sessions is checked as 1, which passes); each key's changes are
    // the entries that set it.
    let changes = entries.iter().map(|s| (s.at.as_str(), s.max_sessions.unwrap_or(1)));
    let all = c.changes(changes, "backend.schedule", "max_sessions");
    let mut schedule = Vec::new();
    let mut bookings_schedule = Vec::new();
    for (i, (change, entry)) in all.into_iter().zip(entries).enumerate() {
        if entry.max_sessions.is_none() && entry.bookings_per_hour.is_none() {
            let message = "found neither, expected max_sessions or bookings_per_hour (or both) in each entry";
            c.push(format!("backend.schedule[{i}]"), message);
        }
        if let Some(value) = entry.max_sessions {
            schedule.push(Change { value, ..change });
        }
        if let Some(r) = entry.bookings_per_hour {
            per_hour(r, &format!("backend.schedule[{i}].bookings_per_hour"), c);
            bookings_schedule.push(RateChange { at: change.at, per_hour: r });
        }
    }
    Some(Backend {
        max_sessions: max_sessions?,
        schedule,
        error_probability,
        slots: b.slots,
        bookings_per_hour,
        bookings_schedule,
    })
}

/// A throughput cap: bookings an hour above zero (no bookings at all is
/// an outage, which `[faults]` says with its end).
fn per_hour(r: f64, path: &str, c: &mut Check) {
    if !(r.is_finite() && r > 0.0) {
        c.push(path, format!("found {r}, expected bookings an hour above zero (use [faults] outages for none)"));
    }
}

/// The front tier; its problems are noted, and a wrong value replaced by
/// its default, so that the sections after it see a front tier.
pub(super) fn front(f: &RawFront, c: &mut Check) -> Front {
    let capacity = match f.capacity {
        Some(0) | None => {
            let found = f.capacity.map_or("nothing".to_string(), |c| c.to_string());
            let message = format!("found {found}, expected the number of concurrent page requests (at least 1)");
            c.push("front.capacity", message);
            1
        }
        Some(n) => n,
    };
    let service = match &f.service {
        None => Some(Dist::exponential(0.2)),
        Some(r) => c.dist(r, "front.service"),
    };
    let timeout = c.positive_duration(f.timeout.as_deref().unwrap_or("30s"), "front.timeout");
    let poll_service = c.positive_duration(f.poll_service.as_deref().unwrap_or("20ms"), "front.poll_service");
    let changes = f.schedule.as_deref().unwrap_or(&[]).iter().map(|s| (s.at.as_str(), s.capacity));
    let schedule = c.changes(changes, "front.schedule", "capacity");
    Front {
        capacity,
        schedule,
        service: service.unwrap_or_else(|| Dist::exponential(0.2)),
        timeout: timeout.unwrap_or(SimTime::from_secs(30)),
        poll_service: poll_service.unwrap_or(SimTime(20_000)),
        wasted_work: f.wasted_work.unwrap_or(true),
    }
}

/// The identity check; like the front tier, a wrong value is noted and
/// replaced by its default.
pub(super) fn identity(i: &RawIdentity, c: &mut Check) -> Identity {
    let placement = match i.placement.as_deref() {
        None | Some("before_queue") => Placement::BeforeQueue,
        Some("at_booking") => Placement::AtBooking,
        Some(other) => {
            c.push("identity.placement", one_of(other, &["before_queue", "at_booking"]));
            Placement::BeforeQueue
        }
    };
    let capacity = match i.capacity {
        Some(0) | None => {
            let found = i.capacity.map_or("nothing".to_string(), |c| c.to_string());
            c.push(
                "identity.capacity",
                format!("found {found}, expected the number of concurrent checks (at least 1)"),
            );
            1
        }
        Some(n) => n,
    };
    let service = match &i.service {
        None => Some(Dist::exponential(2.0)),
        Some(r) => c.dist(r, "identity.service"),
    };
    let timeout = c.positive_duration(i.timeout.as_deref().unwrap_or("30s"), "identity.timeout");
    let changes = i.schedule.as_deref().unwrap_or(&[]).iter().map(|s| (s.at.as_str(), s.capacity));
    let schedule = c.changes(changes, "identity.schedule", "capacity");
    Identity {
        placement,
        capacity,
        schedule,
        service: service.unwrap_or_else(|| Dist::exponential(2.0)),
        timeout: timeout.unwrap_or(SimTime::from_secs(30)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::testing::{at, context, none, problem, raw};
    use super::*;

    #[test]
    fn a_backend_has_sessions_and_a_schedule_in_order() {
        let mut c = context();
        let text =
            "max_sessions = 10\nerror_probability = 0.1\nschedule = [{ at = \"1h\", max_sessions = 20 }]\nslots = 5";
        let b = backend(Some(&raw(text)), &mut c).expect("valid");
        none(&c);
        assert_eq!((b.max_sessions, b.schedule.len(), b.error_probability, b.slots), (10, 1, 0.1, Some(5)));
        let cases = [
            (None, "backend", "found no [backend], expected one with `max_sessions`"),
            (Some("slots = 1"), "backend.max_sessions", "missing, expected the number of concurrent booking sessions"),
            (Some("max_sessions = 0"), "backend.max_sessions", "found 0, expected at least 1"),
            (
                Some("max_sessions = 1\nerror_probability = -1.0"),
                "backend.error_probability",
                "found -1, expected a probability from 0 to 1",
            ),
            (
                Some("max_sessions = 1\nschedule = [{ at = \"1h\", max_sessions = 0 }]"),
                "backend.schedule[0].max_sessions",
                "found 0, expected at least 1 (use [faults] outages for a tier that is down)",
            ),
        ];
        for (text, path, message) in cases {
            let found = problem(|c| {
                backend(text.map(raw::<RawBackend>).as_ref(), c);
            });
            assert_eq!(found, at(path, message), "{text:?}");
        }
    }

    #[test]
    fn a_front_tier_has_capacity_and_durations_above_zero() {
        let mut c = context();
        let f = front(&raw("capacity = 100"), &mut c);
        none(&c);
        assert_eq!(
            (f.capacity, f.timeout, f.poll_service, f.wasted_work),
            (100, SimTime::from_secs(30), SimTime(20_000), true)
        );
        let capacity = "expected the number of concurrent page requests (at least 1)";
        let cases = [
            ("wasted_work = false", "front.capacity", format!("found nothing, {capacity}")),
            ("capacity = 0", "front.capacity", format!("found 0, {capacity}")),
            ("capacity = 1\ntimeout = \"0s\"", "front.timeout", "found \"0s\", expected a duration above zero".into()),
            (
                "capacity = 1\npoll_service = \"0s\"",
                "front.poll_service",
                "found \"0s\", expected a duration above zero".into(),
            ),
            (
                "capacity = 1\nschedule = [{ at = \"3h\", capacity = 2 }]",
                "front.schedule[0].at",
                "found 3h after the start, expected before the end of the run (2h)".into(),
            ),
        ];
        for (text, path, message) in cases {
            let found = problem(|c| {
                front(&raw(text), c);
            });
            assert_eq!(found, at(path, &message), "{text}");
        }
        let (path, _) = problem(|c| {
            front(&raw("capacity = 1\nservice = { dist = \"exponential\" }"), c);
        });
        assert_eq!(path, "front.service.mean");
    }

    #[test]
    fn an_identity_check_has_a_placement_capacity_and_defaults() {
        let mut c = context();
        let i = identity(&raw("capacity = 100"), &mut c);
        none(&c);
        assert_eq!((i.placement, i.capacity, i.timeout), (Placement::BeforeQueue, 100, SimTime::from_secs(30)));
        assert_eq!(i.service.mean_secs(), 2.0);
        let i = identity(&raw("capacity = 5\nplacement = \"at_booking\""), &mut c);
        assert_eq!(i.placement, Placement::AtBooking);
        let capacity = "expected the number of concurrent checks (at least 1)";
        let cases = [
            ("placement = \"at_booking\"", "identity.capacity", format!("found nothing, {capacity}")),
            ("capacity = 0", "identity.capacity", format!("found 0, {capacity}")),
            (
                "capacity = 1\nplacement = \"before_queu\"",
                "identity.placement",
                "found \"before_queu\", expected \"before_queue\" or \"at_booking\"; did you mean \"before_queue\"?"
                    .into(),
            ),
            (
                "capacity = 1\ntimeout = \"0s\"",
                "identity.timeout",
                "found \"0s\", expected a duration above zero".into(),
            ),
        ];
        for (text, path, message) in cases {
            let found = problem(|c| {
                identity(&raw(text), c);
            });
            assert_eq!(found, at(path, &message), "{text}");
        }
    }
}
