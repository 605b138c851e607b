//! Scenarios: the file a planner writes, parsed, overridden, checked and
//! turned into a `Scenario` whose every value is valid and in model units.
//!
//! `load` reads the TOML (keeping spans so errors point at lines), applies
//! `--set` overrides, deserializes the raw mirror (`raw`; `lenient` steps
//! over unknown keys and wrong types so that all of them are reported), then
//! `validate` checks everything at once. Code after this module never
//! re-checks. `template` holds what `surgesim new` prints. Whether a valid
//! scenario is too large to run is for `crate::limits` to say: it needs the
//! sizes of the model's structures, which sit above this module.

pub mod bounds;
mod dist;
mod doc;
pub mod due;
pub mod echo;
mod error;
pub mod figure;
pub mod grid;
mod inherit;
mod lenient;
mod load;
mod merge;
pub mod path;
mod raw;
mod read;
mod sources;
pub mod spelling;
pub mod template;
mod trace;
pub mod units;
mod validate;

pub use dist::{Discrete, Dist};
pub use load::{
    canonical_key, cohort_names, load, load_str, load_str_with, load_with, shown_path, Changes, CohortNames,
    Diagnostic, ScenarioError, MAX_LISTED, STDIN,
};
/// Every key a scenario file can hold, read from the raw type (the shell
/// completions offer them).
pub use raw::{keys as file_keys, Shape as KeyShape};

use crate::engine::SimTime;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use std::fmt;

/// `[scenario] arrival_bin_min_people` when not given: with 100 people a
/// booked share is known to about ±10 points (two binomial standard
/// errors at one half), enough to tell a bin booked at 20 % from one at 60 %.
pub const DEFAULT_ARRIVAL_BIN_MIN_PEOPLE: u64 = 100;

/// A checked scenario, ready to build a model from.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// Short name; also the default output folder name.
    pub name: String,
    pub title: String,
    /// Clock time of simulated time zero.
    pub start: DateTime<FixedOffset>,
    /// Length of the run; people still in the system then are reported so.
    pub duration: SimTime,
    pub seed: u64,
    /// Width of a time-series row.
    pub bin: SimTime,
    /// Width of a `by_arrival.csv` row: people are grouped by the bin their
    /// first attempt fell in (`[scenario] arrival_bin`, default `bin`).
    pub arrival_bin: SimTime,
    /// The fewest people an arrival bin must hold to count in
    /// `booking_chance_ratio` (`[scenario] arrival_bin_min_people`): a share
    /// of a handful of people is mostly luck.
    pub arrival_bin_min_people: u64,
    pub cohorts: Vec<Cohort>,
    pub clients: Clients,
    /// `None`: no front tier model (page loads always succeed at once).
    pub front: Option<Front>,
    /// `None`: no waiting room, every attempt goes straight to the backend.
    pub waiting_room: Option<WaitingRoom>,
    /// `None`: no identity check (nobody is asked who they are).
    pub identity: Option<Identity>,
    pub backend: Backend,
    pub faults: Faults,
    /// Clock times bookings are quoted at (`[scenario] milestones`; by
    /// default every eligible window's close), in time order, inside the run.
    pub milestones: Vec<SimTime>,
    /// Figures seen on the real night (`[[observed]]`), in the file's order:
    /// what a run holds its own figures against and `calibrate` fits to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub observed: Vec<Observation>,
    /// Every instant the run samples the night's state at (in time order,
    /// once each): the milestones, the clock times the observations name,
    /// and those a command's figures name (`add_instant`). What
    /// `queue_at_<clock>` and its kin read.
    #[serde(skip)]
    pub instants: Vec<SimTime>,
    /// How this scenario was made from its file: written into the reports
    /// beside the resolved values, not among them.
    #[serde(skip)]
    pub origin: Origin,
}

/// A figure seen on a real night (`[[observed]]`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Observation {
    /// The figure, named as `plan --target` names one (see `figure`).
    #[serde(serialize_with = "as_text")]
    pub figure: figure::FigureName,
    /// In the figure's unit: seconds for waits, shares from 0 to 1, counts.
    pub value: f64,
    /// Where it was published (free text, carried to the outputs).
    pub source: String,
    /// Its weight in `calibrate`'s objective (default 1).
    pub weight: f64,
    /// Where it was written (`file:line:col`), for the checks of its
    /// figure's name that only the statistics can make.
    #[serde(skip)]
    pub written_at: String,
}

fn as_text<S: serde::Serializer, T: fmt::Display>(x: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(x)
}

/// Where a scenario came from and what was done to it before it ran: the
/// files its file extends, the `--unset` keys and `--set` overrides (as
/// given) and the `--scale` factor. A run's reports say so, so that a
/// preview or a what-if is never mistaken for the file's own night.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Origin {
    /// The files the scenario's file extends, nearest first: its
    /// `extends`, then that file's, and so on, each as written (relative
    /// to the folder of the file before it). Empty for a file of its own.
    pub extends: Vec<String>,
    pub unset: Vec<String>,
    pub set: Vec<String>,
    /// `None`: the file's own size.
    pub scale: Option<f64>,
}

impl Origin {
    /// Whether the scenario ran as its files say (extending another file
    /// is still the file's own night).
    pub fn is_plain(&self) -> bool {
        self.unset.is_empty() && self.set.is_empty() && self.scale.is_none()
    }
}

impl Scenario {
    /// A milestone's name in columns and figures: its clock time, to the
    /// minute (`2021-07-20T12:00`), or with seconds when it has some.
    pub fn milestone_label(&self, at: SimTime) -> String {
        let t = units::clock_at(self.start, at);
        if chrono::Timelike::second(&t) == 0 {
            t.format("%Y-%m-%dT%H:%M").to_string()
        } else {
            t.format("%Y-%m-%dT%H:%M:%S").to_string()
        }
    }

    /// The moment a milestone written as `text` names: a clock time
    /// (RFC 3339, or a label `2021-07-20T12:00` in the scenario's offset) or
    /// an offset from the start (`16h`); it must fall inside the run.
    pub fn milestone_at(&self, text: &str) -> Result<SimTime, String> {
        figure::moment_in_run(text, self.start, self.duration)
    }

    /// Add a milestone (kept in time order, once).
    pub fn add_milestone(&mut self, at: SimTime) {
        if let Err(i) = self.milestones.binary_search(&at) {
            self.milestones.insert(i, at);
        }
        self.add_instant(at);
    }

    /// Sample the night's state at `at` too (kept in time order, once).
    pub fn add_instant(&mut self, at: SimTime) {
        if let Err(i) = self.instants.binary_search(&at) {
            self.instants.insert(i, at);
        }
    }

    /// Number of time-series rows.
    pub fn bins(&self) -> usize {
        self.duration.0.div_ceil(self.bin.0) as usize
    }

    /// Number of arrival bins (`by_arrival.csv` rows per cohort).
    pub fn arrival_bins(&self) -> usize {
        self.duration.0.div_ceil(self.arrival_bin.0) as usize
    }

    /// The same night at `factor` of its size: people, capacities, rates and
    /// inventories multiplied by it (rounded, at least 1), times and
    /// behaviour unchanged. Queueing at scale f behaves like the full
    /// night with waits of the same order (same utilisations), so a small
    /// factor gives a quick preview and a test that runs in a blink.
    ///
    /// ```
    /// let s = surgesim::load("scenarios/erlang-b.toml".as_ref(), &[]).unwrap();
    /// let small = s.clone().scaled(0.1);
    /// assert_eq!(small.cohorts[0].people, s.cohorts[0].people / 10);
    /// assert_eq!(small.backend.max_sessions, 2);
    /// assert_eq!(small.duration, s.duration); // times unchanged
    /// assert_eq!(small.origin.scale, Some(0.1));
    /// ```
    pub fn scaled(mut self, factor: f64) -> Scenario {
        // Scales compose: a preview of a preview is at their product.
        let scale = self.origin.scale.unwrap_or(1.0) * factor;
        self.origin.scale = Some(scale);
        self.title = format!("{} (at {} scale)", strip_scale(&self.title), percent(scale));
        let n = |x: u64| ((x as f64 * factor).round() as u64).max(1);
        for c in &mut self.cohorts {
            c.slots = c.slots.map(n);
            if let Curve::Piecewise { points } | Curve::Trace { points, .. } = &mut c.arrivals {
                for p in points {
                    p.rate *= factor;
                }
                // The curve was cut at the end already: the two apart.
                c.after_end = if c.after_end == 0 { 0 } else { n(c.after_end) };
                c.people = n(c.people);
            } else {
                // The people due in the run, by the one rule, of all.
                let total = n(c.people.saturating_add(c.after_end));
                due::settle(c, total, self.duration);
            }
        }
        if let Some(f) = &mut self.front {
            f.capacity = n(f.capacity);
            f.schedule.iter_mut().for_each(|c| c.value = n(c.value));
        }
        if let Some(w) = &mut self.waiting_room {
            w.max_active = n(w.max_active);
            w.max_queue = if w.max_queue == 0 { 0 } else { n(w.max_queue) };
            w.admit_per_minute = w.admit_per_minute.map(|r| r * factor);
            // A controller's rates are admissions a minute like the one it
            // starts from: unscaled, its bounds would hold a scaled room at
            // the full night's rates. Its target (a share, or seconds) and
            // its times stay.
            if let Some(c) = &mut w.controller {
                c.scale_rates(factor);
            }
        }
        if let Some(i) = &mut self.identity {
            i.capacity = n(i.capacity);
            i.schedule.iter_mut().for_each(|c| c.value = n(c.value));
        }
        self.backend.max_sessions = n(self.backend.max_sessions);
        self.backend.schedule.iter_mut().for_each(|c| c.value = n(c.value));
        // A throughput cap is a rate like the room's: at a tenth of the
        // people, a tenth of the bookings an hour, or it would never bind.
        self.backend.bookings_per_hour = self.backend.bookings_per_hour.map(|r| r * factor);
        self.backend.bookings_schedule.iter_mut().for_each(|c| c.per_hour *= factor);
        self.backend.slots = self.backend.slots.map(n);
        // `arrival_bin_min_people` stays: it is how many people a share
        // needs to mean something, at any size (at a small scale, fewer
        // bins reach it, and the report says how many did).
        self
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A title without the scale note `scaled` added.
fn strip_scale(title: &str) -> &str {
    match title.rfind(" (at ") {
        Some(i) if title.ends_with(" scale)") => &title[..i],
        _ => title,
    }
}

/// A factor as a percentage for people: `0.1` -> "10 %", `0.005` -> "0.5 %".
fn percent(f: f64) -> String {
    let p = 100.0 * f;
    if p >= 1.0 && (p - p.round()).abs() < 1e-9 {
        format!("{} %", p.round())
    } else {
        format!("{} %", format!("{p:.3}").trim_end_matches('0').trim_end_matches('.'))
    }
}

/// A group of people who share eligibility, windows and an arrival curve.
#[derive(Clone, Debug, Serialize)]
pub struct Cohort {
    pub name: String,
    /// People who come at least once (first attempts) within the run.
    pub people: u64,
    /// People the cohort's arrival curve brings after the run's end (a
    /// window or a curve reaching past it): not generated, said so by
    /// `validate` and the reports. `people + after_end` is the cohort as
    /// written.
    #[serde(skip_serializing_if = "is_zero")]
    pub after_end: u64,
    /// Ineligible people load the site and are turned away at the check.
    pub eligible: bool,
    /// Booking windows, in time order and not overlapping.
    pub windows: Vec<Window>,
    pub arrivals: Curve,
    /// This cohort's own slot inventory; `None` = only the shared one applies.
    pub slots: Option<u64>,
    /// How this cohort's people behave, when the file gives the cohort a
    /// `clients` of its own: in full, `[clients]` and the defaults filled
    /// in. `None`: as `[clients]` says (`Scenario::clients_of`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clients: Option<Clients>,
    /// Catch-up rounds after the cohort's windows, in time order: each
    /// brings back some of the people the rounds before did not book.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub catch_up: Vec<CatchUp>,
}

impl Cohort {
    /// When the cohort's last chance to book closes: its last catch-up
    /// round's close, else its last window's.
    pub fn last_close(&self) -> Option<SimTime> {
        self.catch_up.last().map(|r| r.closes).or_else(|| self.windows.last().map(|w| w.closes))
    }
}

/// A catch-up round: at `opens`, each of the cohort's people who has not
/// booked and is not in the system (gave up, or was turned away for good)
/// comes back with `probability`, their first attempts of the round spread
/// from `opens` to `closes` by `arrivals` (constant or surge, nobody before
/// the opening). The round is one of the cohort's booking windows too. The
/// crowd is an outcome of the rounds before, not an input.
#[derive(Clone, Debug, Serialize)]
pub struct CatchUp {
    pub opens: SimTime,
    /// The close, or the run's end when the round reaches past it.
    pub closes: SimTime,
    /// The close as written, when the run ends before it (see `Window`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut_from: Option<SimTime>,
    pub probability: f64,
    pub arrivals: Curve,
}

impl Scenario {
    /// How the people of cohort `i` behave: its own clients, or `[clients]`.
    pub fn clients_of(&self, i: usize) -> &Clients {
        self.cohorts[i].clients.as_ref().unwrap_or(&self.clients)
    }

    /// Every behaviour a person of this scenario may have: `[clients]`, and
    /// each cohort's own (for bounds that must hold for anyone).
    pub fn all_clients(&self) -> impl Iterator<Item = &Clients> {
        std::iter::once(&self.clients).chain(self.cohorts.iter().filter_map(|c| c.clients.as_ref()))
    }
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Window {
    pub opens: SimTime,
    /// The close, or the run's end when the window reaches past it.
    pub closes: SimTime,
    /// Share of the cohort's people whose first attempt falls in this window
    /// (for `constant` and `surge` curves; shares sum to 1).
    pub share: f64,
    /// The close as written, when the run ends before it: the arrival
    /// curve keeps its shape up to it, and those due after the end do not
    /// come (`due`). `None`: the window closes inside the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut_from: Option<SimTime>,
}

/// When first attempts come.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "curve", rename_all = "lowercase")]
pub enum Curve {
    /// A Poisson process, uniform over each window.
    Constant,
    /// `share` of each window's people in a burst decaying with time constant
    /// `tau` after opening, `early_share` uniformly over `early` before
    /// opening (held until it opens), the rest uniform over the window.
    Surge { share: f64, tau: SimTime, early: SimTime, early_share: f64 },
    /// First attempts per minute at given times, linearly interpolated and
    /// scaled so that they add up to `people`.
    Piecewise { points: Vec<RatePoint> },
    /// An empirical trace: `count` first attempts over each row's interval,
    /// replayed as a non-homogeneous Poisson process.
    Trace {
        file: String,
        #[serde(skip)]
        points: Vec<RatePoint>,
    },
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct RatePoint {
    pub at: SimTime,
    /// first attempts per minute
    pub rate: f64,
}

/// First attempts under a piecewise-linear rate curve (rates per minute).
/// Points out of order count for nothing (validation refuses them; this
/// must still not wrap a subtraction).
pub(crate) fn volume(points: &[RatePoint]) -> f64 {
    points.windows(2).map(|w| 0.5 * (w[0].rate + w[1].rate) * (w[1].at - w[0].at).0 as f64 / 60e6).sum()
}

/// How people behave.
#[derive(Clone, Debug, Serialize)]
pub struct Clients {
    /// Time a booking session holds the backend.
    pub session: Dist,
    /// How long a person waits in the queue before giving up; `None` = forever.
    pub patience: Option<Dist>,
    /// Time to take up a turn once admitted; `None` = at once.
    pub response: Option<Dist>,
    pub retry: Retry,
    /// The longest shown wait a person accepts on joining the room; a
    /// longer one sends them away at once (`balked`). `None` = nobody balks.
    pub balk: Option<Dist>,
    /// Once a person has waited longer than the wait shown on joining, the
    /// hazard [per minute] that they leave (`abandoned_overdue`); `None` =
    /// none (0 is refused to none by validation: the same night).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue_hazard: Option<f64>,
    /// Devices (or tabs) a person uses at once, each loading pages and
    /// holding a queue place of its own; by default 1.
    pub devices: Discrete,
    /// Once one of a person's devices passes the identity check (or, without
    /// one, is admitted), the others are refused for this long
    /// (`device_locked`); `None` = never.
    pub device_lock: Option<SimTime>,
}

/// What a person does after giving up or being failed by the system.
#[derive(Clone, Debug, Serialize)]
pub struct Retry {
    /// Chance of trying again after each failed attempt.
    pub probability: f64,
    pub delay: Dist,
    /// Delay before reloading the page after a front-tier failure.
    pub refresh: Dist,
    /// Attempts per person at most, the first included.
    pub max_attempts: u32,
}

/// The entry page: a pool of concurrent request slots in front of
/// everything else. Overloaded, it makes page loads time out.
#[derive(Clone, Debug, Serialize)]
pub struct Front {
    /// Concurrent requests served at the start.
    pub capacity: u64,
    /// Capacity changes (e.g. cloud servers from 20:40), in time order.
    pub schedule: Vec<Change>,
    /// Time to serve one page load.
    pub service: Dist,
    /// Slot time one status poll of a waiting person takes (polls are small).
    pub poll_service: SimTime,
    /// A client whose page has not loaded after this gives up (`front_timeout`).
    pub timeout: SimTime,
    /// Whether the servers still serve requests whose client has left
    /// (wasting capacity: the seed of metastable collapse).
    pub wasted_work: bool,
}

/// A capacity that takes effect at `at`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Change {
    pub at: SimTime,
    pub value: u64,
}

/// A value that holds from `from` to `to` (a fault window, a back door).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Span {
    pub from: SimTime,
    pub to: SimTime,
    pub value: f64,
}

impl Span {
    pub fn contains(&self, t: SimTime) -> bool {
        self.from <= t && t < self.to
    }
}

/// The value of the span holding `t`, if any (spans do not overlap).
pub fn span_at(spans: &[Span], t: SimTime) -> Option<f64> {
    spans.iter().find(|s| s.contains(t)).map(|s| s.value)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// First come, first admitted.
    Fifo,
    /// Any waiting person equally likely next.
    Random,
    /// People waiting at opening are shuffled once; later arrivals FIFO behind.
    PrequeueShuffle,
}

#[derive(Clone, Debug, Serialize)]
pub struct WaitingRoom {
    pub order: Order,
    /// Nobody is admitted before this (people may queue earlier).
    pub opens: SimTime,
    /// Admit only while fewer sessions than this are active.
    pub max_active: u64,
    /// At most this many admissions per minute (evenly spaced); `None` = no limit.
    pub admit_per_minute: Option<f64>,
    /// Attempts that find this many queued are dropped (`queue_full`); 0 = no limit.
    pub max_queue: u64,
    /// Status polls per waiting person per minute; they load the front tier.
    pub polls_per_minute: f64,
    /// An admitted person must take up the turn within this (`turn_expired`).
    pub turn_expiry: Option<SimTime>,
    /// Chance that admission fails with an error that sends the person to
    /// the back of the line (`bounce_back`).
    pub bounce_probability: f64,
    /// While the front tier is saturated, arrivals pass the room unchecked.
    pub fail_open: bool,
    /// Hazard of losing the connection while waiting [per hour] (`queue_lost`).
    pub connection_loss: Vec<Span>,
    /// Back doors: the share of attempts that skip the room while open.
    pub bypass: Vec<Span>,
    /// What the room does while the backend is down.
    pub during_outage: DuringOutage,
    /// The wait the room shows each person who joins; `None` = none shown.
    pub shown_wait: Option<ShownWait>,
    /// When the people in line learn their cohort sold out.
    #[serde(skip_serializing_if = "OnSoldOut::is_tell")]
    pub on_sold_out: OnSoldOut,
    /// From this moment the room admits nobody and tells everyone in its
    /// line (and every newcomer) that booking is over (`sold_out`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pause_at: Option<SimTime>,
    /// A feedback controller that sets the admission rate as the night
    /// goes (`[waiting_room.controller]`); `None`: the rate is fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<Controller>,
}

/// When the people in the line learn that their cohort sold out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnSoldOut {
    /// At once: the room tells its whole line and it empties (the default).
    #[default]
    Tell,
    /// Only at the front: everyone keeps waiting, and each is told when
    /// their turn comes (at the admission rate), like Massachusetts'
    /// line on 25 February 2021.
    AtFront,
}

impl OnSoldOut {
    fn is_tell(&self) -> bool {
        *self == OnSoldOut::Tell
    }
}

/// `[waiting_room.controller]`: every `interval` it reads a signal
/// measured `delay` ago and sets the admission rate between its bounds
/// (the model's `controller` module says exactly how).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Controller {
    pub kind: ControllerKind,
    pub signal: Signal,
    /// The signal's set point (a share, or seconds for `session_p90`).
    pub target: f64,
    /// How often it decides; also the length of a measurement window.
    pub interval: SimTime,
    /// How old the measurement it acts on is.
    pub delay: SimTime,
    /// The rate's bounds [admissions a minute].
    pub min_per_minute: f64,
    pub max_per_minute: f64,
}

impl Controller {
    /// Its rates (bounds, additive increase) times `factor`, for `scaled`.
    fn scale_rates(&mut self, factor: f64) {
        self.min_per_minute *= factor;
        self.max_per_minute *= factor;
        match &mut self.kind {
            ControllerKind::Aimd { increase_per_minute, .. }
            | ControllerKind::AlarmStep { increase_per_minute, .. } => *increase_per_minute *= factor,
            ControllerKind::Gradient { .. } => {}
        }
    }
}

/// How a controller moves the rate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControllerKind {
    /// Additive increase below target, multiplicative decrease above it.
    Aimd { increase_per_minute: f64, backoff: f64 },
    /// The rate follows target / signal, smoothed (Gradient2's idea).
    Gradient { smoothing: f64, tolerance: f64 },
    /// Cut by `step` while the alarm fires (signal above target); rise by
    /// `increase_per_minute` only once the signal is below `clear`.
    AlarmStep { step: f64, clear: f64, increase_per_minute: f64 },
}

/// What a controller measures, per window of `interval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Backend requests that failed / backend requests decided.
    BackendErrorRate,
    /// Share of the booking sessions in use, at the window's end.
    BackendBusy,
    /// Page loads that timed out / page loads asked for.
    FrontFailureRate,
    /// p90 of the lengths of the booking sessions begun [s].
    SessionP90,
}

/// What the waiting room does while the backend (the tier behind it) is down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DuringOutage {
    /// Admit nobody: people keep their places, their patience runs, and
    /// admission resumes when the backend is back (the default).
    Hold,
    /// Keep admitting at the set pace, into the dead backend
    /// (`backend_outage` drops): the behaviour of versions before the line held in outages.
    Admit,
}

/// How the room estimates the wait it shows a person joining the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShownWait {
    /// People ahead / admissions per minute over the last five minutes
    /// (the nominal rate while nobody was admitted in them).
    Rate,
    /// People ahead / the room's set rate: `admit_per_minute`, or without
    /// one, the sessions it lets be active / the mean session length.
    Nominal,
}

/// Where the identity check sits in an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// After the page loads and before the waiting room (the August 2021
    /// redesign): the eligibility check comes with it, so people who
    /// cannot book now never take a place in the line.
    BeforeQueue,
    /// When the booking session starts (the July 2021 site): the admitted
    /// person holds their session while the check runs.
    AtBooking,
}

/// The identity check (authentication): a pool of concurrent check slots
/// of its own, like the front tier, with a client timeout.
#[derive(Clone, Debug, Serialize)]
pub struct Identity {
    pub placement: Placement,
    /// Concurrent checks at the start.
    pub capacity: u64,
    /// Capacity changes, in time order.
    pub schedule: Vec<Change>,
    /// Time to check one person.
    pub service: Dist,
    /// A client whose check has not finished after this gives up
    /// (`identity_timeout`).
    pub timeout: SimTime,
}

#[derive(Clone, Debug, Serialize)]
pub struct Backend {
    /// Concurrent booking sessions (not an hourly throughput) at the start.
    pub max_sessions: u64,
    /// Changes of `max_sessions`, in time order.
    pub schedule: Vec<Change>,
    /// Chance that a session ends in an error instead of a booking.
    pub error_probability: f64,
    /// Shared slot inventory, first come first served; `None` = unlimited.
    pub slots: Option<u64>,
    /// A throughput cap: bookings completed an hour at most, paced evenly
    /// (a bucket of a minute's tokens); `None` = no cap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bookings_per_hour: Option<f64>,
    /// Changes of `bookings_per_hour`, in time order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bookings_schedule: Vec<RateChange>,
}

/// A rate that takes effect at `at` (`backend.schedule`'s `bookings_per_hour`).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct RateChange {
    pub at: SimTime,
    pub per_hour: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Front,
    Backend,
    Identity,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Outage {
    pub tier: Tier,
    pub from: SimTime,
    pub to: SimTime,
}

/// Faults on the timeline.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Faults {
    /// A tier down from `from` to `to`: the backend fails its active
    /// sessions and every entry (`backend_outage`); the front serves nothing.
    pub outages: Vec<Outage>,
    /// Backend error probability replacing `backend.error_probability` while open.
    pub error_windows: Vec<Span>,
    /// The clock bug: eligible people told they are not eligible, with this
    /// probability while open; they come back per their retry policy.
    pub clock_bug: Vec<Span>,
}

/// Problems found while checking a scenario, each tied to a field path.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted field path, `cohort[0].people`.
    pub path: String,
    /// What was found and what was expected.
    pub message: String,
}

impl Problems {
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem { path: path.into(), message: message.into() });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "{}: {}", echo::escaped(&p.path), echo::escaped(&p.message))?;
        }
        Ok(())
    }
}
