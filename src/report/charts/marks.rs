//! The night's timeline, as labelled marks on the time charts: when the
//! waiting room and the booking windows open and close, when a capacity
//! changes, when a tier goes down and comes back, when a fault starts and
//! ends, and the planner's milestones.
//!
//! `events` reads them all from the `Scenario`, in one place; `marks` turns
//! them into the marks a figure draws, the events of one instant sharing one
//! label ("20:00 booking opens"); `common` keeps the events every scenario of
//! a comparison has, so an overlay chart marks only what holds for all its
//! lines.

use super::figure::Mark;
use crate::engine::SimTime;
use crate::report::format::count;
use crate::scenario::{Scenario, Span, Tier};
use chrono::{DateTime, Duration, FixedOffset, Timelike};
use std::collections::{BTreeMap, BTreeSet};

/// What happens at an event; the order is the order of the parts of a
/// shared label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Opens,
    Closes,
    Milestone,
    RoomOpens,
    FrontCapacity,
    SessionCapacity,
    FrontDown,
    FrontUp,
    BackendDown,
    BackendUp,
    IdentityCapacity,
    IdentityDown,
    IdentityUp,
    ErrorsStart,
    ErrorsEnd,
    ClockBugStart,
    ClockBugEnd,
    BackDoorOpens,
    BackDoorCloses,
}

impl Kind {
    /// How any event of this kind reads, whatever its details: what an
    /// overlay says when the scenarios differ in them.
    fn generic(self) -> &'static str {
        match self {
            Kind::Opens => "booking windows open",
            Kind::Closes => "booking windows close",
            Kind::Milestone => "milestone",
            Kind::RoomOpens => "waiting room opens",
            Kind::FrontCapacity => "front capacity changes",
            Kind::SessionCapacity => "session capacity changes",
            Kind::FrontDown => "front page down",
            Kind::FrontUp => "front page back up",
            Kind::BackendDown => "backend down",
            Kind::BackendUp => "backend back up",
            Kind::IdentityCapacity => "identity check capacity changes",
            Kind::IdentityDown => "identity check down",
            Kind::IdentityUp => "identity check back up",
            Kind::ErrorsStart => "backend errors up",
            Kind::ErrorsEnd => "backend errors back down",
            Kind::ClockBugStart => "clock bug starts",
            Kind::ClockBugEnd => "clock bug ends",
            Kind::BackDoorOpens => "back door opens",
            Kind::BackDoorCloses => "back door closes",
        }
    }

    /// Which labels win when room is short: the booking timeline first,
    /// then capacity and outages, then the rest.
    fn rank(self) -> u8 {
        match self {
            Kind::Opens | Kind::Closes | Kind::Milestone | Kind::RoomOpens => 0,
            Kind::FrontCapacity | Kind::SessionCapacity | Kind::IdentityCapacity => 1,
            Kind::FrontDown | Kind::FrontUp | Kind::BackendDown | Kind::BackendUp => 1,
            Kind::IdentityDown | Kind::IdentityUp => 1,
            _ => 2,
        }
    }
}

/// One event of the night, at a time strictly inside the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub at: SimTime,
    pub kind: Kind,
    /// What it reads as, without its time ("booking opens").
    pub text: String,
}

/// The events of `s` that its charts mark.
pub fn of(s: &Scenario) -> Vec<Event> {
    events(s, &s.milestones)
}

/// Every event of `s` inside the run (after its start, before its end),
/// with `milestones`, in time order.
pub fn events(s: &Scenario, milestones: &[SimTime]) -> Vec<Event> {
    let mut out = windows(s);
    let mut push = |at: SimTime, kind: Kind, text: String| out.push(Event { at, kind, text });
    for &at in milestones {
        push(at, Kind::Milestone, "milestone".into());
    }
    if let Some(room) = &s.waiting_room {
        push(room.opens, Kind::RoomOpens, "waiting room opens".into());
        spans(&room.bypass, Kind::BackDoorOpens, Kind::BackDoorCloses, &mut push, |_| "back door opens".into());
    }
    if let Some(front) = &s.front {
        for c in &front.schedule {
            push(c.at, Kind::FrontCapacity, format!("front capacity {}", count(c.value)));
        }
    }
    for c in &s.backend.schedule {
        push(c.at, Kind::SessionCapacity, format!("session capacity {}", count(c.value)));
    }
    for c in s.identity.iter().flat_map(|i| &i.schedule) {
        push(c.at, Kind::IdentityCapacity, format!("identity checks {}", count(c.value)));
    }
    for o in &s.faults.outages {
        let (down, up, name) = match o.tier {
            Tier::Front => (Kind::FrontDown, Kind::FrontUp, "front page"),
            Tier::Backend => (Kind::BackendDown, Kind::BackendUp, "backend"),
            Tier::Identity => (Kind::IdentityDown, Kind::IdentityUp, "identity check"),
        };
        push(o.from, down, format!("{name} down"));
        push(o.to, up, format!("{name} back up"));
    }
    spans(&s.faults.error_windows, Kind::ErrorsStart, Kind::ErrorsEnd, &mut push, |v| {
        format!("backend errors {}", percent(v))
    });
    spans(&s.faults.clock_bug, Kind::ClockBugStart, Kind::ClockBugEnd, &mut push, |_| "clock bug starts".into());
    let base = percent(s.backend.error_probability);
    for e in out.iter_mut().filter(|e| e.kind == Kind::ErrorsEnd) {
        e.text = format!("backend errors back to {base}");
    }
    // A waiting room that opens with the booking (its default) needs no
    // words of its own.
    let openings: BTreeSet<SimTime> = out.iter().filter(|e| e.kind == Kind::Opens).map(|e| e.at).collect();
    out.retain(|e| e.at > SimTime::ZERO && e.at < s.duration);
    out.retain(|e| e.kind != Kind::RoomOpens || !openings.contains(&e.at));
    out.sort_by(|a, b| (a.at, a.kind, &a.text).cmp(&(b.at, b.kind, &b.text)));
    // The same words twice (a milestone listed twice) say nothing more.
    out.dedup();
    out
}

/// The start (text from its value) and end of each span; an end reads as
/// the kind's own words.
fn spans(
    spans: &[Span],
    start: Kind,
    end: Kind,
    push: &mut impl FnMut(SimTime, Kind, String),
    text: impl Fn(f64) -> String,
) {
    for span in spans {
        push(span.from, start, text(span.value));
        push(span.to, end, end.generic().into());
    }
}

/// Openings and closings of the eligible cohorts' windows, one event per
/// instant: "booking opens" when every eligible cohort's window opens then,
/// else the cohorts by name, without the words all their names start with
/// ("digit 1 opens" for "53-54 digit 1"). Ineligible visitors' windows are
/// left out: no booking opens for them.
fn windows(s: &Scenario) -> Vec<Event> {
    let eligible: Vec<_> = s.cohorts.iter().filter(|c| c.eligible && !c.windows.is_empty()).collect();
    let names: Vec<&str> = eligible.iter().map(|c| c.name.as_str()).collect();
    let names = without_common_words(&names);
    let mut opens: BTreeMap<SimTime, Vec<&str>> = BTreeMap::new();
    let mut closes: BTreeMap<SimTime, Vec<&str>> = BTreeMap::new();
    for (c, name) in eligible.iter().zip(&names) {
        for w in &c.windows {
            opens.entry(w.opens).or_default().push(name);
            closes.entry(w.closes).or_default().push(name);
        }
    }
    let mut out = Vec::new();
    for (map, kind, one, many) in [(opens, Kind::Opens, "opens", "open"), (closes, Kind::Closes, "closes", "close")] {
        for (at, mut names) in map {
            names.dedup();
            let text = if names.len() == eligible.len() {
                format!("booking {one}")
            } else if let [name] = names[..] {
                format!("{} {one}", short(name))
            } else {
                let joined = names.iter().map(|n| short(n)).collect::<Vec<_>>().join(", ");
                if joined.chars().count() <= 36 {
                    format!("{joined} {many}")
                } else {
                    format!("{} cohorts {many}", names.len())
                }
            };
            out.push(Event { at, kind, text });
        }
    }
    out
}

/// `names` without the leading words they all share but the last of them
/// ("digit 1" for "53-54 digit 1" beside "53-54 digit 2": "1" alone would
/// say nothing), when there are two or more and each keeps a word of its own.
fn without_common_words<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let Some((first, rest)) = names.split_first() else { return Vec::new() };
    // Byte ends of the shared leading words, each with its space.
    let mut shared = Vec::new();
    if !rest.is_empty() {
        for (i, _) in first.match_indices(' ') {
            let prefix = &first[..=i];
            if names.iter().all(|n| n.starts_with(prefix) && n.len() > prefix.len()) {
                shared.push(i + 1);
            } else {
                break;
            }
        }
    }
    // Keep the last shared word: cut at the end of the one before it.
    let cut = if shared.len() >= 2 { shared[shared.len() - 2] } else { 0 };
    names.iter().map(|n| &n[cut..]).collect()
}

/// A cohort name as a label takes it: at most 24 characters.
fn short(name: &str) -> String {
    const MAX: usize = 24;
    if name.chars().count() <= MAX {
        name.to_string()
    } else {
        name.chars().take(MAX - 1).collect::<String>() + "…"
    }
}

/// A probability as a percentage: 0.3 -> "30 %", 0.025 -> "2.5 %".
fn percent(p: f64) -> String {
    let text = format!("{:.2}", 100.0 * p);
    format!("{} %", text.trim_end_matches('0').trim_end_matches('.'))
}

/// How a mark names its time: the clock time of a run (HH:MM, with seconds
/// when it has some), or the time since each scenario's start.
#[derive(Clone, Copy, Debug)]
pub enum TimeLabel {
    Clock(DateTime<FixedOffset>),
    Elapsed,
}

impl TimeLabel {
    fn of(self, at: SimTime) -> String {
        let secs = at.0 / SimTime::MICROS_PER_SEC;
        match self {
            TimeLabel::Clock(start) => {
                // A time past the calendar's end (only a hand-built scenario
                // can ask) reads as time since the start instead.
                let Some(t) = start.checked_add_signed(Duration::seconds(secs as i64)) else {
                    return TimeLabel::Elapsed.of(at);
                };
                if t.second() == 0 {
                    t.format("%H:%M").to_string()
                } else {
                    t.format("%H:%M:%S").to_string()
                }
            }
            TimeLabel::Elapsed if secs.is_multiple_of(60) => format!("+{}:{:02}", secs / 3600, secs / 60 % 60),
            TimeLabel::Elapsed => format!("+{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60),
        }
    }
}

/// Events of one instant named in its label at most; the rest are counted.
const MAX_WORDS: usize = 3;

/// The marks of `events`: one per instant, its label the time and the
/// events' words ("20:00 booking opens, clock bug starts"; past three,
/// "and 2 more").
pub fn marks(events: &[Event], time: TimeLabel) -> Vec<Mark> {
    let mut by_time: BTreeMap<SimTime, Vec<&Event>> = BTreeMap::new();
    for e in events {
        by_time.entry(e.at).or_default().push(e);
    }
    by_time
        .into_iter()
        .map(|(at, es)| {
            let mut words: Vec<&str> = es.iter().take(MAX_WORDS).map(|e| e.text.as_str()).collect();
            let more = es.len().saturating_sub(MAX_WORDS);
            let more = format!("and {more} more");
            if es.len() > MAX_WORDS {
                words.push(&more);
            }
            Mark {
                x: at.as_secs_f64(),
                label: format!("{} {}", time.of(at), words.join(", ")),
                rank: es.iter().map(|e| e.kind.rank()).min().unwrap_or(0),
            }
        })
        .collect()
}

/// The marks of a run of `s`, on its clock.
pub fn of_run(s: &Scenario) -> Vec<Mark> {
    marks(&of(s), TimeLabel::Clock(s.start))
}

/// The events every list has: the same kind at the same time since its
/// start. Where the lists word one differently (other cohorts open, another
/// capacity), it reads as the kind's generic words.
pub fn common(lists: &[Vec<Event>]) -> Vec<Event> {
    let Some((first, rest)) = lists.split_first() else { return Vec::new() };
    // Per list, the words of each (time, kind): found in a map, not by a
    // scan, so long schedules compare in n log n.
    let maps: Vec<BTreeMap<(SimTime, Kind), &str>> =
        rest.iter().map(|l| l.iter().map(|e| ((e.at, e.kind), e.text.as_str())).collect()).collect();
    first
        .iter()
        .filter_map(|e| {
            let twins: Option<Vec<&str>> = maps.iter().map(|m| m.get(&(e.at, e.kind)).copied()).collect();
            let same = twins?.iter().all(|t| *t == e.text);
            Some(Event { text: if same { e.text.clone() } else { e.kind.generic().into() }, ..e.clone() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(mins: u64) -> SimTime {
        SimTime::from_secs(mins * 60)
    }

    fn event(mins: u64, kind: Kind, text: &str) -> Event {
        Event { at: at(mins), kind, text: text.into() }
    }

    #[test]
    fn events_of_one_instant_share_a_label_with_the_clock_time() {
        let start = DateTime::parse_from_rfc3339("2021-07-19T19:30:00+09:00").expect("clock");
        let events = [
            event(30, Kind::Opens, "booking opens"),
            event(30, Kind::ClockBugStart, "clock bug starts"),
            event(70, Kind::FrontCapacity, "front capacity 50,000"),
        ];
        let m = marks(&events, TimeLabel::Clock(start));
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].label, "20:00 booking opens, clock bug starts");
        assert_eq!((m[0].x, m[0].rank), (1800.0, 0));
        assert_eq!(m[1].label, "20:40 front capacity 50,000");
        let elapsed = marks(&events[2..], TimeLabel::Elapsed);
        assert_eq!(elapsed[0].label, "+1:10 front capacity 50,000");
        let crowd: Vec<Event> = (0..5).map(|k| event(30, Kind::Milestone, &format!("m{k}"))).collect();
        assert_eq!(marks(&crowd, TimeLabel::Elapsed)[0].label, "+0:30 m0, m1, m2, and 2 more");
    }

    #[test]
    fn a_comparison_keeps_the_events_all_have_in_generic_words_where_they_differ() {
        let a = vec![event(30, Kind::Opens, "booking opens"), event(70, Kind::FrontCapacity, "front capacity 50,000")];
        let b = vec![event(30, Kind::Opens, "53-54 digit 0 opens"), event(90, Kind::ClockBugStart, "clock bug")];
        let c = common(&[a.clone(), b]);
        assert_eq!(c, [event(30, Kind::Opens, "booking windows open")]);
        assert_eq!(common(&[a.clone(), a.clone()]), a);
        assert!(common(&[]).is_empty());
    }

    #[test]
    fn cohort_names_lose_the_words_they_all_start_with() {
        assert_eq!(without_common_words(&["53-54 digit 0", "53-54 digit 1"]), ["digit 0", "digit 1"]);
        assert_eq!(without_common_words(&["53-54", "50-52"]), ["53-54", "50-52"]);
        assert_eq!(without_common_words(&["KDCA 53-54 digit 0", "KDCA 53-54 digit 1"]), ["digit 0", "digit 1"]);
        assert_eq!(without_common_words(&["age 53", "age 53 late"]), ["age 53", "age 53 late"]);
        assert_eq!(without_common_words(&["a b c", "a b c d", "a"]), ["a b c", "a b c d", "a"]);
        assert_eq!(without_common_words(&["53-54 digit 0"]), ["53-54 digit 0"], "one name keeps all of it");
        assert!(without_common_words(&[]).is_empty());
    }

    #[test]
    fn probabilities_read_as_short_percentages() {
        assert_eq!(percent(0.3), "30 %");
        assert_eq!(percent(0.025), "2.5 %");
        assert_eq!(percent(0.02), "2 %");
    }
}
