//! The scenario file as written: a serde mirror of the TOML, nothing checked
//! beyond types and key names. `validate` turns it into a `Scenario`.
//!
//! Every table refuses unknown keys, so a typo (`pepole = 5`) is an error
//! with a suggestion rather than a silently ignored line.

use super::dist::{RawCount, RawDist};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawMeta,
    #[serde(default)]
    pub cohort: Vec<RawCohort>,
    #[serde(default)]
    pub clients: RawClients,
    pub front: Option<RawFront>,
    pub waiting_room: Option<RawWaitingRoom>,
    pub identity: Option<RawIdentity>,
    pub backend: Option<RawBackend>,
    pub faults: Option<RawFaults>,
    /// Figures seen on the real night (`[[observed]]`).
    #[serde(default)]
    pub observed: Vec<RawObserved>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObserved {
    pub figure: String,
    pub value: f64,
    pub source: Option<String>,
    pub weight: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: String,
    pub title: Option<String>,
    pub start: Option<String>,
    pub duration: String,
    pub seed: Option<u64>,
    pub bin: Option<String>,
    /// Width of a `by_arrival.csv` row (default: `bin`).
    pub arrival_bin: Option<String>,
    /// The fewest people an arrival bin needs to count in
    /// `booking_chance_ratio`.
    pub arrival_bin_min_people: Option<u64>,
    /// Clock times a planner quotes bookings at (`booked_share_by_<time>`).
    pub milestones: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCohort {
    pub name: String,
    pub people: Option<u64>,
    pub eligible: Option<bool>,
    pub windows: Option<Vec<RawWindow>>,
    pub arrivals: Option<RawArrivals>,
    /// This cohort's own slot inventory.
    pub slots: Option<u64>,
    /// A rotation: the cohort as groups with staggered windows.
    pub split: Option<RawSplit>,
    /// This cohort's behaviour, over `[clients]` key by key.
    pub clients: Option<RawClients>,
    /// Catch-up rounds that bring back people not booked by then.
    pub catch_up: Option<Vec<RawCatchUp>>,
}

/// `catch_up = [{ opens, closes, probability, arrivals }]` (see `validate::catch_up`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatchUp {
    pub opens: String,
    pub closes: String,
    /// Chance that each person not booked and not in the system comes back.
    pub probability: f64,
    /// How the ones who come back spread over the round; default constant.
    pub arrivals: Option<RawArrivals>,
}

/// `split = { groups, every, shift, labels, weights }` (see `validate::split`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSplit {
    pub groups: u64,
    /// How much later each group's windows open than the group before's.
    pub every: String,
    /// "opens" (only openings move; the default) or "window" (whole windows move).
    pub shift: Option<String>,
    /// The groups' names after the cohort's: default 0, 1, 2, ...
    pub labels: Option<Vec<String>>,
    /// Relative sizes of the groups; default equal.
    pub weights: Option<Vec<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWindow {
    pub opens: String,
    pub closes: String,
    pub share: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArrivals {
    pub curve: String,
    /// surge: share of the window's people in the burst
    pub share: Option<f64>,
    /// surge: time constant of the burst's exponential decay
    pub tau: Option<String>,
    /// surge: how long before opening the early birds start coming
    pub early: Option<String>,
    /// surge: share of the window's people who come before opening
    pub early_share: Option<f64>,
    /// piecewise: rate points
    pub points: Option<Vec<RawPoint>>,
    /// trace: CSV file of `time,count`, relative to the scenario file
    pub file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoint {
    pub at: String,
    /// first attempts per minute
    pub rate: f64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClients {
    pub session: Option<RawDist>,
    pub patience: Option<RawDist>,
    /// Time to take up a turn once admitted (for `waiting_room.turn_expiry`).
    pub response: Option<RawDist>,
    pub retry: Option<RawRetry>,
    /// How long a shown wait a person accepts on joining the room.
    pub balk: Option<RawDist>,
    /// Hazard of leaving [per minute] once the shown wait has passed.
    pub overdue_hazard: Option<f64>,
    /// Devices a person uses at once: `{ dist = "discrete", values, weights }`.
    pub devices: Option<RawCount>,
    /// How long a person's other devices are refused once one is in.
    pub device_lock: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetry {
    pub probability: Option<f64>,
    pub delay: Option<RawDist>,
    /// Delay before reloading after a front-tier failure.
    pub refresh: Option<RawDist>,
    pub max_attempts: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWaitingRoom {
    pub order: Option<String>,
    pub opens: Option<String>,
    pub max_active: Option<u64>,
    pub admit_per_minute: Option<f64>,
    pub max_queue: Option<u64>,
    pub polls_per_minute: Option<f64>,
    pub turn_expiry: Option<String>,
    pub bounce_probability: Option<f64>,
    pub fail_open: Option<bool>,
    pub connection_loss: Option<Vec<RawRateSpan>>,
    pub bypass: Option<Vec<RawShareSpan>>,
    /// `"hold"` or `"admit"`: whether the room admits while the backend is down.
    pub during_outage: Option<String>,
    /// `"rate"` or `"nominal"`: the wait shown to people who join.
    pub shown_wait: Option<String>,
    /// `"tell"` or `"at_front"`: when the line learns its cohort sold out.
    pub on_sold_out: Option<String>,
    /// From this moment the room admits nobody and ends its line.
    pub pause_at: Option<String>,
    /// A feedback controller of the admission rate.
    pub controller: Option<RawController>,
}

/// `[waiting_room.controller]`, as written (the kind's own keys checked
/// against the kind in `validate::controller`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawController {
    pub kind: String,
    pub signal: String,
    pub target: f64,
    pub interval: String,
    pub delay: Option<String>,
    pub min_per_minute: f64,
    pub max_per_minute: f64,
    pub increase_per_minute: Option<f64>,
    pub backoff: Option<f64>,
    pub smoothing: Option<f64>,
    pub tolerance: Option<f64>,
    pub step: Option<f64>,
    pub clear: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackend {
    pub max_sessions: Option<u64>,
    /// A throughput cap on completed bookings, an hour.
    pub bookings_per_hour: Option<f64>,
    pub error_probability: Option<f64>,
    pub schedule: Option<Vec<RawSessionsChange>>,
    pub slots: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFront {
    pub capacity: Option<u64>,
    pub schedule: Option<Vec<RawCapacityChange>>,
    pub service: Option<RawDist>,
    pub poll_service: Option<String>,
    pub timeout: Option<String>,
    pub wasted_work: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdentity {
    /// "before_queue" or "at_booking".
    pub placement: Option<String>,
    pub capacity: Option<u64>,
    pub schedule: Option<Vec<RawCapacityChange>>,
    pub service: Option<RawDist>,
    pub timeout: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapacityChange {
    pub at: String,
    pub capacity: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSessionsChange {
    pub at: String,
    /// At least one of the two.
    pub max_sessions: Option<u64>,
    pub bookings_per_hour: Option<f64>,
}

/// A hazard over a time span: `{ from, to, per_hour }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRateSpan {
    pub from: String,
    pub to: String,
    pub per_hour: f64,
}

/// A share of people over a time span: `{ from, to, share }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShareSpan {
    pub from: String,
    pub to: String,
    pub share: f64,
}

/// A probability over a time span: `{ from, to, probability }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProbabilitySpan {
    pub from: String,
    pub to: String,
    pub probability: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutage {
    pub tier: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFaults {
    pub outages: Option<Vec<RawOutage>>,
    pub error_windows: Option<Vec<RawProbabilitySpan>>,
    pub clock_bug: Option<Vec<RawProbabilitySpan>>,
}

/// What a key of the raw scenario holds, as its type says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One table, with these keys (`[front]`, `retry = { ... }`).
    Table(&'static [&'static str]),
    /// A list of tables, with these keys (`[[cohort]]`, `schedule = [{ ... }]`).
    Tables(&'static [&'static str]),
    /// A value, or a list of values.
    Value,
}

/// The keys at the top of a scenario (`scenario`, `cohort`, ...), in the
/// order `RawScenario` declares them: read from the type itself, so a new
/// section is one field there.
pub fn top_keys() -> &'static [&'static str] {
    match probe::shape::<RawScenario>(&[]) {
        Shape::Table(keys) => keys,
        _ => unreachable!("the scenario is a table"),
    }
}

/// The sections that are one table each (`[front]`, not `[[cohort]]`),
/// in declaration order.
pub fn sections() -> Vec<&'static str> {
    top_keys().iter().copied().filter(|k| matches!(probe::shape::<RawScenario>(&[k]), Shape::Table(_))).collect()
}

/// Every key a scenario file can hold, as dotted paths (`cohort.split.every`;
/// a list of tables is entered like a table), each with its shape. The
/// shell completions offer them after `--set` and `--vary` (the
/// documentation test in `tests/it/docs.rs` asks the binary itself).
pub fn keys() -> Vec<(String, Shape)> {
    let mut out = Vec::new();
    let mut todo: Vec<Vec<&'static str>> = top_keys().iter().rev().map(|k| vec![*k]).collect();
    while let Some(path) = todo.pop() {
        let shape = probe::shape::<RawScenario>(&path);
        if let Shape::Table(keys) | Shape::Tables(keys) = shape {
            todo.extend(keys.iter().rev().map(|k| [path.as_slice(), &[*k]].concat()));
        }
        out.push((path.join("."), shape));
    }
    out
}

/// Reading the raw type's keys without a derive of our own: a deserializer
/// that serde's derived code asks for a struct (and so tells its field
/// names), given one key at a time to follow down to the key asked about.
/// Each probe is one deserialization that stops, with the answer as its
/// error, where the path ends.
mod probe {
    use super::Shape;
    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde::Deserialize;

    /// The answer, or a problem a probe should never meet.
    #[derive(Debug)]
    pub(super) enum Stop {
        Found(Shape),
        Other(String),
    }

    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{self:?}")
        }
    }

    impl std::error::Error for Stop {}

    impl de::Error for Stop {
        fn custom<T: std::fmt::Display>(msg: T) -> Self {
            Stop::Other(msg.to_string())
        }
    }

    /// The shape of `path` in `T` (the whole of `T` for an empty path).
    pub(super) fn shape<'de, T: Deserialize<'de>>(path: &[&str]) -> Shape {
        match T::deserialize(Probe { path, list: false }) {
            Err(Stop::Found(shape)) => shape,
            Err(Stop::Other(why)) => panic!("probing `{}`: {why}", path.join(".")),
            Ok(_) => panic!("probing `{}` read a value", path.join(".")),
        }
    }

    /// Following `path` (what is left of it) inside a value that is a list
    /// of such values if `list`.
    struct Probe<'p> {
        path: &'p [&'p str],
        list: bool,
    }

    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = Stop;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop::Found(Shape::Value))
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
            visitor.visit_some(self)
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Stop> {
            visitor.visit_newtype_struct(self)
        }

        fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
            visitor.visit_seq(One { probe: Some(Probe { path: self.path, list: true }) })
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Stop> {
            match self.path.split_first() {
                None if self.list => Err(Stop::Found(Shape::Tables(fields))),
                None => Err(Stop::Found(Shape::Table(fields))),
                Some((key, rest)) => visitor.visit_map(Key { key: Some(key), rest }),
            }
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf unit unit_struct tuple tuple_struct map enum identifier ignored_any
        }
    }

    /// A list of one item, the probe (a list of values ends the path: its
    /// item answers `Value`).
    struct One<'p> {
        probe: Option<Probe<'p>>,
    }

    impl<'de> SeqAccess<'de> for One<'_> {
        type Error = Stop;

        fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Stop> {
            match self.probe.take() {
                Some(p) => seed.deserialize(p).map(Some),
                None => Ok(None),
            }
        }
    }

    /// A table of one key, whose value is probed with the rest of the path.
    struct Key<'p> {
        key: Option<&'p str>,
        rest: &'p [&'p str],
    }

    impl<'de> MapAccess<'de> for Key<'_> {
        type Error = Stop;

        fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Stop> {
            match self.key.take() {
                Some(k) => seed.deserialize(de::value::StrDeserializer::<Stop>::new(k)).map(Some),
                None => Ok(None),
            }
        }

        fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Stop> {
            seed.deserialize(Probe { path: self.rest, list: false })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_from_the_type() {
        assert_eq!(
            top_keys(),
            ["scenario", "cohort", "clients", "front", "waiting_room", "identity", "backend", "faults", "observed"]
        );
        assert_eq!(sections(), ["scenario", "clients", "front", "waiting_room", "identity", "backend", "faults"]);
        let keys = keys();
        let shape = |k: &str| keys.iter().find(|(p, _)| p == k).map(|(_, s)| s.clone());
        assert_eq!(shape("waiting_room.admit_per_minute"), Some(Shape::Value));
        assert_eq!(shape("cohort.split.every"), Some(Shape::Value));
        assert!(matches!(shape("cohort"), Some(Shape::Tables(_))));
        assert!(matches!(shape("front.schedule"), Some(Shape::Tables(_))));
        assert!(matches!(shape("clients.retry"), Some(Shape::Table(_))));
        assert_eq!(shape("scenario.milestones"), Some(Shape::Value), "a list of values is a value");
    }
}
