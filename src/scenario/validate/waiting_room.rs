//! `[waiting_room]`: who is let through to the backend, in what order and
//! how fast, and what befalls the people waiting. Checked against the
//! backend (it admits at most as many as there are sessions) and the
//! cohorts (it opens with the first window unless told otherwise).

use super::super::raw::{RawClients, RawFront, RawWaitingRoom};
use super::super::{Backend, Cohort, DuringOutage, OnSoldOut, Order, ShownWait, WaitingRoom};
use super::check::{one_of, Check};
use crate::engine::SimTime;

/// The waiting room; its problems are noted, and a wrong value kept or
/// replaced by its default, so that the checks after it still run.
pub(super) fn check(w: &RawWaitingRoom, cohorts: &[Cohort], backend: Option<&Backend>, c: &mut Check) -> WaitingRoom {
    // Without a valid backend, there is no session count to compare with.
    let max_sessions = backend.map_or(u64::MAX, |b| b.max_sessions);
    let max_active = max_active(w.max_active.unwrap_or(max_sessions), max_sessions, c);
    if let Some(r) = w.admit_per_minute {
        if !(r.is_finite() && r > 0.0) {
            c.push("waiting_room.admit_per_minute", format!("found {r}, expected a rate above zero"));
        }
    }
    let order = match w.order.as_deref().unwrap_or("fifo") {
        "fifo" => Order::Fifo,
        "random" => Order::Random,
        "prequeue_shuffle" => Order::PrequeueShuffle,
        other => {
            c.push("waiting_room.order", one_of(other, &["fifo", "random", "prequeue_shuffle"]));
            Order::Fifo
        }
    };
    let opens = match &w.opens {
        None => cohorts.iter().filter_map(|c| c.windows.first()).map(|w| w.opens).min().unwrap_or(SimTime::ZERO),
        Some(t) => c.moment(t, "waiting_room.opens"),
    };
    c.before_end(opens, "waiting_room.opens");
    let polls_per_minute = w.polls_per_minute.unwrap_or(0.0);
    if !(polls_per_minute.is_finite() && polls_per_minute >= 0.0) {
        c.push("waiting_room.polls_per_minute", format!("found {polls_per_minute}, expected a rate of at least 0"));
    }
    let turn_expiry = w.turn_expiry.as_deref().and_then(|t| c.positive_duration(t, "waiting_room.turn_expiry"));
    let bounce_probability = c.probability(w.bounce_probability, 0.0, "waiting_room.bounce_probability");
    let losses =
        w.connection_loss.as_deref().unwrap_or(&[]).iter().map(|x| (x.from.as_str(), x.to.as_str(), x.per_hour));
    let connection_loss = c.spans(losses, "waiting_room.connection_loss", "per_hour", f64::MAX);
    let doors = w.bypass.as_deref().unwrap_or(&[]).iter().map(|x| (x.from.as_str(), x.to.as_str(), x.share));
    let bypass = c.spans(doors, "waiting_room.bypass", "share", 1.0);
    let (during_outage, shown_wait) = (during_outage(w, c), shown_wait(w, c));
    let on_sold_out = on_sold_out(w, cohorts, backend, c);
    let pause_at = w.pause_at.as_deref().and_then(|t| pause_at(t, opens, c));
    let controller = w.controller.as_ref().and_then(|k| super::controller::check(k, w.admit_per_minute, c));
    WaitingRoom {
        order,
        opens,
        max_active,
        admit_per_minute: w.admit_per_minute,
        max_queue: w.max_queue.unwrap_or(0),
        polls_per_minute,
        turn_expiry,
        bounce_probability,
        fail_open: w.fail_open.unwrap_or(false),
        connection_loss,
        bypass,
        during_outage,
        shown_wait,
        on_sold_out,
        pause_at,
        controller,
    }
}

/// `on_sold_out`: `tell` (default) or `at_front`; `at_front` only where
/// something can sell out (else it would do nothing).
fn on_sold_out(w: &RawWaitingRoom, cohorts: &[Cohort], backend: Option<&Backend>, c: &mut Check) -> OnSoldOut {
    let how = match w.on_sold_out.as_deref().unwrap_or("tell") {
        "tell" => OnSoldOut::Tell,
        "at_front" => OnSoldOut::AtFront,
        other => {
            c.push("waiting_room.on_sold_out", one_of(other, &["tell", "at_front"]));
            OnSoldOut::Tell
        }
    };
    let limited = backend.is_none_or(|b| b.slots.is_some()) || cohorts.iter().any(|k| k.slots.is_some());
    if how == OnSoldOut::AtFront && !limited {
        let message =
            "set to \"at_front\", but no inventory is limited (backend.slots or a cohort's slots): nothing sells out";
        c.push("waiting_room.on_sold_out", message);
    }
    how
}

/// `pause_at`: a moment in the run after the room opens (a pause before
/// it would leave a room that never admits anyone).
fn pause_at(text: &str, opens: SimTime, c: &mut Check) -> Option<SimTime> {
    let at = c.try_moment(text, "waiting_room.pause_at")?;
    c.before_end(at, "waiting_room.pause_at");
    if at <= opens {
        let message = format!("found {at} after the start, expected later than the room's opening ({opens})");
        c.push("waiting_room.pause_at", message);
    }
    Some(at)
}

/// `during_outage`: hold the line (default) or admit into the dead backend.
fn during_outage(w: &RawWaitingRoom, c: &mut Check) -> DuringOutage {
    match w.during_outage.as_deref().unwrap_or("hold") {
        "hold" => DuringOutage::Hold,
        "admit" => DuringOutage::Admit,
        other => {
            c.push("waiting_room.during_outage", one_of(other, &["hold", "admit"]));
            DuringOutage::Hold
        }
    }
}

/// `shown_wait`: none (default), `rate` or `nominal`.
fn shown_wait(w: &RawWaitingRoom, c: &mut Check) -> Option<ShownWait> {
    match w.shown_wait.as_deref()? {
        "rate" => Some(ShownWait::Rate),
        "nominal" => Some(ShownWait::Nominal),
        other => {
            c.push("waiting_room.shown_wait", one_of(other, &["rate", "nominal"]));
            None
        }
    }
}

/// Sessions the room lets be active: at least one (else nobody is ever
/// admitted), at most the backend's (the rest would only wait there).
fn max_active(max_active: u64, max_sessions: u64, c: &mut Check) -> u64 {
    if max_active == 0 {
        c.push("waiting_room.max_active", "found 0, expected at least 1 (nobody would ever be admitted)");
    } else if max_active > max_sessions {
        let message = format!("found {max_active}, expected at most backend.max_sessions = {max_sessions}");
        c.push("waiting_room.max_active", message);
    }
    max_active
}

/// Settings that do nothing without another section: a turn can only
/// expire for people who take time to respond (in `[clients]`, or in a
/// cohort's own `clients`: `responds`), and the room can only fail open
/// when a front tier can be overloaded.
pub(super) fn needs(w: &WaitingRoom, clients: &RawClients, responds: bool, front: Option<&RawFront>, c: &mut Check) {
    if w.turn_expiry.is_some() && clients.response.is_none() && !responds {
        c.push("waiting_room.turn_expiry", "set, but clients.response is not: nobody would ever miss a turn");
    }
    if w.fail_open && front.is_none() {
        c.push("waiting_room.fail_open", "set, but there is no [front] tier whose overload would open it");
    }
}

/// People balk at the wait they are shown, and leave once it has passed
/// (`overdue_hazard`): without a shown wait (or without a room to show
/// one), `balk` and `overdue_hazard` would do nothing, in `[clients]`
/// (`path` = `clients`) or a cohort's own (`cohort[i].clients`).
pub(super) fn balk_needs_a_shown_wait(w: Option<&RawWaitingRoom>, clients: &RawClients, path: &str, c: &mut Check) {
    let keys =
        [(clients.balk.is_some(), "balk", "balk at"), (clients.overdue_hazard.is_some(), "overdue_hazard", "overrun")];
    for (_, key, what) in keys.into_iter().filter(|k| k.0) {
        let at = format!("{path}.{key}");
        match w {
            None => c.push(at, format!("set, but there is no [waiting_room] to show a wait to {what}")),
            Some(w) if w.shown_wait.is_none() => c.push(
                at,
                format!("set, but waiting_room.shown_wait is not, expected waiting_room.shown_wait = \"rate\" or \"nominal\": nobody is shown a wait to {what}"),
            ),
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::testing::{at, context, none, problem, raw};
    use super::*;
    use crate::scenario::{Curve, Window};

    /// A backend of ten sessions.
    fn backend() -> Backend {
        Backend {
            max_sessions: 10,
            schedule: vec![],
            error_probability: 0.0,
            slots: None,
            bookings_per_hour: None,
            bookings_schedule: vec![],
        }
    }

    /// A cohort whose one window opens at `opens`.
    fn cohort(opens: SimTime) -> Cohort {
        let window = Window { opens, closes: SimTime::from_secs(7200), share: 1.0, cut_from: None };
        Cohort {
            name: "a".into(),
            people: 1,
            after_end: 0,
            eligible: true,
            windows: vec![window],
            arrivals: Curve::Constant,
            slots: None,
            clients: None,
            catch_up: vec![],
        }
    }

    /// The one problem of the room written as `text`.
    fn problem_of(text: &str) -> (String, String) {
        problem(|c| {
            check(&raw(text), &[], Some(&backend()), c);
        })
    }

    #[test]
    fn defaults_come_from_the_backend_and_the_cohorts() {
        let mut c = context();
        let cohorts = [cohort(SimTime::from_secs(1800)), cohort(SimTime::from_secs(600))];
        let w = check(&raw(""), &cohorts, Some(&backend()), &mut c);
        none(&c);
        assert_eq!((w.max_active, w.opens, w.order), (10, SimTime::from_secs(600), Order::Fifo));
        assert_eq!((w.max_queue, w.polls_per_minute, w.fail_open), (0, 0.0, false));
        let w = check(&raw("opens = \"5m\"\norder = \"random\""), &cohorts, None, &mut c);
        none(&c);
        assert_eq!((w.max_active, w.opens, w.order), (u64::MAX, SimTime::from_secs(300), Order::Random));
    }

    #[test]
    fn each_setting_has_its_range() {
        let cases = [
            (
                "max_active = 0",
                "waiting_room.max_active",
                "found 0, expected at least 1 (nobody would ever be admitted)",
            ),
            ("max_active = 11", "waiting_room.max_active", "found 11, expected at most backend.max_sessions = 10"),
            ("admit_per_minute = 0.0", "waiting_room.admit_per_minute", "found 0, expected a rate above zero"),
            (
                "order = \"prequeue\"",
                "waiting_room.order",
                "found \"prequeue\", expected \"fifo\", \"random\" or \"prequeue_shuffle\"",
            ),
            (
                "opens = \"2h\"",
                "waiting_room.opens",
                "found 2h after the start, expected before the end of the run (2h)",
            ),
            ("polls_per_minute = -1.0", "waiting_room.polls_per_minute", "found -1, expected a rate of at least 0"),
            ("turn_expiry = \"0s\"", "waiting_room.turn_expiry", "found \"0s\", expected a duration above zero"),
            (
                "bounce_probability = 2.0",
                "waiting_room.bounce_probability",
                "found 2, expected a probability from 0 to 1",
            ),
            (
                "connection_loss = [{ from = \"0m\", to = \"1h\", per_hour = -1.0 }]",
                "waiting_room.connection_loss[0].per_hour",
                "found -1, expected a value of at least 0",
            ),
            (
                "bypass = [{ from = \"0m\", to = \"1h\", share = 1.5 }]",
                "waiting_room.bypass[0].share",
                "found 1.5, expected a value from 0 to 1",
            ),
        ];
        for (text, path, message) in cases {
            assert_eq!(problem_of(text), at(path, message), "{text}");
        }
    }

    #[test]
    fn settings_that_need_another_section_say_so() {
        let room = |text: &str| check(&raw(text), &[], Some(&backend()), &mut context());
        let expiring = room("turn_expiry = \"1m\"");
        let found = problem(|c| needs(&expiring, &RawClients::default(), false, Some(&raw("capacity = 1")), c));
        let message = "set, but clients.response is not: nobody would ever miss a turn";
        assert_eq!(found, at("waiting_room.turn_expiry", message));
        let failing_open = room("fail_open = true");
        let found = problem(|c| needs(&failing_open, &RawClients::default(), false, None, c));
        let message = "set, but there is no [front] tier whose overload would open it";
        assert_eq!(found, at("waiting_room.fail_open", message));
        let mut c = context();
        let responding = raw("response = { dist = \"exponential\", mean = \"10s\" }");
        needs(&expiring, &responding, false, None, &mut c);
        needs(&failing_open, &responding, false, Some(&raw("capacity = 1")), &mut c);
        none(&c);
    }
}
