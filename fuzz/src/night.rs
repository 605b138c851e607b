//! A structure-aware generator: fuzz bytes -> a `Night` (through the
//! `arbitrary` crate) -> a scenario file that is *valid* for most inputs.
//! Mutating the bytes of a TOML file mostly produces syntax errors, which
//! never reach the model; here most inputs do, with every feature in play
//! (curves, windows, every distribution, retries, front tier, waiting room
//! and its controller, schedules, faults) and values pushed to their edges:
//! zero-width windows, a bin of a microsecond, capacities of 1,
//! probabilities of 0 and 1.
//!
//! Times are written as fractions of the run's duration, so that windows,
//! spans and schedules fall inside the run; lists are sorted and spans laid
//! end to end, as validation asks. Some inputs still come out invalid (a
//! share of 0, a window after the run's end): validation must say so.

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use std::fmt::Write;

#[derive(Arbitrary, Debug)]
pub struct Night {
    /// The run's length in milliseconds (mod 3 days, at least 1 ms).
    duration_ms: u32,
    /// Rows in the time series: the bin is the duration over this.
    bins: u16,
    seed: u8,
    clock_start: bool,
    cohorts: Vec<Cohort>,
    clients: Clients,
    front: Option<Front>,
    room: Option<Room>,
    backend: Backend,
    faults: Faults,
    // Issue 15, appended so that earlier inputs decode as before.
    identity: Option<Identity>,
    devices: Option<Devices>,
    // Issue 26, appended too: written only under a room with a rate.
    controller: Option<Controller>,
}

/// `[waiting_room.controller]`. Its bounds are drawn around the room's
/// starting rate and `clear` below `target`, as validation asks; the
/// interval is whole seconds, at least 1 (validation's floor), and the
/// delay any span (one longer than the run is refused: so be it).
#[derive(Arbitrary, Debug)]
struct Controller {
    kind: ControllerKind,
    /// One of the four signals (`front_failure_rate` only with a front).
    signal: u8,
    target: u8,
    interval_s: u16,
    delay: Option<Span>,
    /// The floor's and the ceiling's distances from the starting rate.
    below: u8,
    above: u8,
}

#[derive(Arbitrary, Debug)]
enum ControllerKind {
    Aimd { increase: u16, backoff: Option<u8> },
    Gradient { smoothing: Option<u8>, tolerance: Option<u8> },
    AlarmStep { step: u8, clear: u8, increase: u16 },
}

#[derive(Arbitrary, Debug)]
struct Identity {
    at_booking: bool,
    capacity: u16,
    schedule: Vec<(At, u16)>,
    service: Option<Dist>,
    timeout: Option<Span>,
}

/// Devices per person: weights of 1, 2 and 3 devices (all zero: one
/// device), and the lock.
#[derive(Arbitrary, Debug)]
struct Devices {
    weights: (u8, u8, u8),
    lock: Option<Span>,
}

/// A moment in the run: `x / 65535` of its duration (0 to the end).
#[derive(Arbitrary, Debug, Clone, Copy)]
struct At(u16);

/// A duration of 1 µs to about 18 hours, spread over the orders of
/// magnitude (mantissa, power of ten of microseconds).
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Span(u8, u8);

#[derive(Arbitrary, Debug)]
struct Cohort {
    people: u16,
    eligible: bool,
    /// Cut points of the windows; none = the whole run.
    windows: Vec<(At, At)>,
    shares: Option<Vec<u8>>,
    arrivals: Curve,
    slots: Option<u16>,
}

#[derive(Arbitrary, Debug)]
enum Curve {
    Default,
    Constant,
    Surge { share: u8, tau: Span, early: Option<Span>, early_share: Option<u8> },
    Piecewise { points: Vec<(At, u16)> },
    Trace { rows: Vec<(u16, u16)> },
}

#[derive(Arbitrary, Debug)]
enum Dist {
    Constant(Span),
    Exponential(Span),
    LogNormal(Span, u8),
    Gamma(Span, u8),
    Weibull(Span, u8),
}

#[derive(Arbitrary, Debug)]
struct Clients {
    session: Option<Dist>,
    patience: Option<Dist>,
    response: Option<Dist>,
    retry: Option<Retry>,
    /// Written only when the room shows a wait (validation asks for one).
    balk: Option<Dist>,
    /// Per minute, in sixteenths; written only when the room shows a wait.
    overdue_hazard: Option<u8>,
}

#[derive(Arbitrary, Debug)]
struct Retry {
    probability: u8,
    delay: Option<Dist>,
    refresh: Option<Dist>,
    max_attempts: Option<u8>,
}

#[derive(Arbitrary, Debug)]
struct Front {
    capacity: u16,
    schedule: Vec<(At, u16)>,
    service: Option<Dist>,
    poll_service: Option<Span>,
    timeout: Option<Span>,
    wasted_work: Option<bool>,
}

#[derive(Arbitrary, Debug)]
enum Order {
    Fifo,
    Random,
    PrequeueShuffle,
}

#[derive(Arbitrary, Debug)]
struct Room {
    order: Option<Order>,
    opens: Option<At>,
    max_active: Option<u16>,
    admit_per_minute: Option<u16>,
    max_queue: Option<u16>,
    polls_per_minute: Option<u8>,
    turn_expiry: Option<Span>,
    bounce_probability: Option<u8>,
    fail_open: Option<bool>,
    connection_loss: Vec<(At, At, u8)>,
    bypass: Vec<(At, At, u8)>,
    /// `true`: "admit", `false`: "hold".
    admit_during_outage: Option<bool>,
    /// `true`: "rate", `false`: "nominal".
    shown_wait_rate: Option<bool>,
    /// `true`: "at_front", `false`: "tell" (at_front only with some slots).
    on_sold_out_at_front: Option<bool>,
    /// Written only when after the room's opening.
    pause_at: Option<At>,
}

#[derive(Arbitrary, Debug)]
struct Backend {
    max_sessions: u16,
    error_probability: Option<u8>,
    schedule: Vec<(At, u16)>,
    slots: Option<u16>,
    /// Bookings an hour, in tens.
    bookings_per_hour: Option<u16>,
    /// Changes of the cap, merged into `schedule` (an entry at the same
    /// moment as a change of max_sessions sets both).
    cap_schedule: Vec<(At, u16)>,
}

#[derive(Arbitrary, Debug)]
struct Faults {
    outages: Vec<(bool, At, At)>,
    error_windows: Vec<(At, At, u8)>,
    clock_bug: Vec<(At, At, u8)>,
}

/// Lists longer than this are cut: a long list adds time, not coverage.
const MAX_LIST: usize = 6;

impl Night {
    /// The scenario file, and the trace CSVs it refers to (file name, text).
    pub fn render(&self) -> (String, Vec<(String, String)>) {
        let d = u64::from(self.duration_ms) % (3 * 86_400_000) + 1;
        let mut w = Writer { d_us: d * 1000, out: String::new(), traces: Vec::new() };
        w.meta(self);
        for (i, c) in self.cohorts.iter().take(4).enumerate() {
            w.cohort(i, c);
        }
        if self.cohorts.is_empty() {
            w.line("[[cohort]]\nname = \"all\"\npeople = 100");
        }
        let shows_a_wait = self.room.as_ref().is_some_and(|r| r.shown_wait_rate.is_some());
        w.clients(&self.clients, shows_a_wait);
        if let Some(d) = &self.devices {
            w.devices(d);
        }
        if let Some(f) = &self.front {
            w.front(f);
        }
        if let Some(r) = &self.room {
            w.room(r, self.backend.max_sessions, self.front.is_some(), self.clients.response.is_some());
            let limited = self.backend.slots.is_some() || self.cohorts.iter().take(4).any(|c| c.slots.is_some());
            w.room_sold_out(r, limited);
            if let (Some(c), Some(a)) = (&self.controller, r.admit_per_minute) {
                w.controller(c, admit_rate(a), self.front.is_some());
            }
        }
        if let Some(i) = &self.identity {
            w.identity(i);
        }
        w.backend(&self.backend);
        w.faults(&self.faults, self.front.is_some());
        (w.out, w.traces)
    }
}

struct Writer {
    d_us: u64,
    out: String,
    traces: Vec<(String, String)>,
}

/// The room's admissions a minute from its byte pair (at least 0.125).
fn admit_rate(a: u16) -> f64 {
    f64::from(a) / 8.0 + 0.125
}

/// A share strictly between 0 and 1 from a byte (a backoff, a step).
fn open_share(x: u8) -> f64 {
    (f64::from(x) + 1.0) / 257.0
}

/// A probability (or share) from a byte: 0 and 1 included.
fn p(x: u8) -> f64 {
    f64::from(x) / 255.0
}

impl Writer {
    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn kv(&mut self, key: &str, value: impl std::fmt::Display) {
        let _ = writeln!(self.out, "{key} = {value}");
    }

    fn at(&self, a: At) -> String {
        format!("\"{}us\"", self.d_us * u64::from(a.0) / 65535)
    }

    fn span(s: Span) -> String {
        let mantissa = u64::from(s.0 % 100) + 1;
        let us = mantissa * 10u64.pow(u32::from(s.1 % 9));
        // Every unit the parser knows, whole where it divides.
        match us {
            u if u % 3_600_000_000 == 0 => format!("\"{}h\"", u / 3_600_000_000),
            u if u % 60_000_000 == 0 => format!("\"{}m\"", u / 60_000_000),
            u if u % 1_000_000 == 0 => format!("\"{}s\"", u / 1_000_000),
            u if u % 1000 == 0 => format!("\"{}ms\"", u / 1000),
            u => format!("\"{u}us\""),
        }
    }

    fn dist(d: &Dist) -> String {
        let shape = |x: u8| f64::from(x) / 32.0 + 0.05;
        match d {
            Dist::Constant(v) => format!("{{ dist = \"constant\", value = {} }}", Self::span(*v)),
            Dist::Exponential(m) => format!("{{ dist = \"exponential\", mean = {} }}", Self::span(*m)),
            Dist::LogNormal(m, s) => {
                format!("{{ dist = \"lognormal\", median = {}, sigma = {} }}", Self::span(*m), shape(*s))
            }
            Dist::Gamma(m, cv) => format!("{{ dist = \"gamma\", mean = {}, cv = {} }}", Self::span(*m), shape(*cv)),
            Dist::Weibull(s, k) => {
                format!("{{ dist = \"weibull\", scale = {}, shape = {} }}", Self::span(*s), shape(*k))
            }
        }
    }

    /// Spans `(from, to, value)` laid end to end, in time order (empty
    /// ones dropped): validation wants them apart.
    fn laid(&self, raw: &[(At, At, u8)]) -> Vec<(String, String, u8)> {
        let mut cuts: Vec<(u16, u8)> = raw.iter().take(MAX_LIST).flat_map(|&(a, b, v)| [(a.0, v), (b.0, v)]).collect();
        cuts.sort_by_key(|c| c.0);
        cuts.chunks_exact(2)
            .filter(|c| c[0].0 < c[1].0)
            .map(|c| (self.at(At(c[0].0)), self.at(At(c[1].0)), c[0].1))
            .collect()
    }

    /// `[{ from, to, <key> = value }, ...]`.
    fn spans(&self, raw: &[(At, At, u8)], key: &str, value: impl Fn(u8) -> f64) -> String {
        let items: Vec<String> = self
            .laid(raw)
            .iter()
            .map(|(from, to, v)| format!("{{ from = {from}, to = {to}, {key} = {} }}", value(*v)))
            .collect();
        format!("[{}]", items.join(", "))
    }

    /// Capacity changes `{ at, <key> = value }` in time order.
    fn schedule(&self, raw: &[(At, u16)], key: &str) -> String {
        let mut items: Vec<(u16, u16)> = raw.iter().take(MAX_LIST).map(|&(a, v)| (a.0, v)).collect();
        items.sort_by_key(|c| c.0);
        items.dedup_by_key(|c| c.0);
        let items: Vec<String> =
            items.iter().map(|&(a, v)| format!("{{ at = {}, {key} = {} }}", self.at(At(a)), v % 500 + 1)).collect();
        format!("[{}]", items.join(", "))
    }

    /// The backend's changes of max_sessions and of the cap, in time
    /// order; an entry sets one or both.
    fn backend_schedule(&self, b: &Backend) -> String {
        let mut items: Vec<(u16, Option<u16>, Option<u16>)> = Vec::new();
        let sessions = b.schedule.iter().take(MAX_LIST).map(|&(a, v)| (a.0, Some(v), None));
        let caps = b.cap_schedule.iter().take(MAX_LIST).map(|&(a, v)| (a.0, None, Some(v)));
        for (at, ms, cap) in sessions.chain(caps) {
            match items.iter_mut().find(|i| i.0 == at) {
                Some(i) => (i.1, i.2) = (i.1.or(ms), i.2.or(cap)),
                None => items.push((at, ms, cap)),
            }
        }
        items.sort_by_key(|c| c.0);
        let items: Vec<String> = items
            .iter()
            .map(|&(a, ms, cap)| {
                let mut e = format!("{{ at = {}", self.at(At(a)));
                if let Some(v) = ms {
                    let _ = write!(e, ", max_sessions = {}", v % 500 + 1);
                }
                if let Some(v) = cap {
                    let _ = write!(e, ", bookings_per_hour = {}", f64::from(v) * 10.0 + 1.0);
                }
                e + " }"
            })
            .collect();
        format!("[{}]", items.join(", "))
    }

    fn meta(&mut self, n: &Night) {
        self.line("[scenario]\nname = \"fuzz\"");
        let _ = writeln!(self.out, "duration = \"{}us\"", self.d_us);
        let bin = (self.d_us / (u64::from(n.bins % 300) + 1)).max(1);
        let _ = writeln!(self.out, "bin = \"{bin}us\"");
        self.kv("seed", n.seed);
        if n.clock_start {
            self.line("start = \"2021-07-19T20:00:00+09:00\"");
        }
    }

    fn cohort(&mut self, i: usize, c: &Cohort) {
        let _ = writeln!(self.out, "\n[[cohort]]\nname = \"c{i}\"");
        self.kv("people", c.people % 2000);
        self.kv("eligible", c.eligible);
        if let Some(slots) = c.slots {
            self.kv("slots", slots % 1000);
        }
        if !c.windows.is_empty() {
            self.windows(c);
        }
        match &c.arrivals {
            Curve::Default => {}
            Curve::Constant => self.line("arrivals = { curve = \"constant\" }"),
            Curve::Surge { share, tau, early, early_share } => {
                let mut s =
                    format!("arrivals = {{ curve = \"surge\", share = {}, tau = {}", p(*share), Self::span(*tau));
                if let Some(e) = early {
                    let _ = write!(s, ", early = {}", Self::span(*e));
                }
                if let Some(e) = early_share {
                    // Shares of the burst and the early birds add up to 1 at most.
                    let _ = write!(s, ", early_share = {}", p(*e) * (1.0 - p(*share)));
                }
                self.line(&(s + " }"));
            }
            Curve::Piecewise { points } => {
                // Two points at least: the start and the end of the run.
                let mut pts: Vec<(u16, u16)> = points.iter().take(MAX_LIST).map(|&(a, r)| (a.0, r)).collect();
                pts.extend([(0, 1), (u16::MAX, 1)].into_iter().skip(pts.len().min(2)));
                pts.sort_by_key(|x| x.0);
                let items: Vec<String> =
                    pts.iter().map(|&(a, r)| format!("{{ at = {}, rate = {} }}", self.at(At(a)), r % 1000)).collect();
                let _ = writeln!(self.out, "arrivals = {{ curve = \"piecewise\", points = [{}] }}", items.join(", "));
            }
            Curve::Trace { rows } => self.trace(i, rows),
        }
    }

    fn windows(&mut self, c: &Cohort) {
        let mut cuts: Vec<u16> = c.windows.iter().take(MAX_LIST).flat_map(|(a, b)| [a.0, b.0]).collect();
        cuts.sort();
        let pairs: Vec<(u16, u16)> = cuts.chunks_exact(2).map(|w| (w[0], w[1])).collect();
        // Shares as given (normalised, so they add up to 1 up to rounding),
        // or left to the default.
        let weights: Option<Vec<f64>> = c.shares.as_ref().map(|s| {
            let w: Vec<f64> = (0..pairs.len()).map(|k| f64::from(*s.get(k).unwrap_or(&1)) + 1.0).collect();
            let total: f64 = w.iter().sum();
            w.iter().map(|x| x / total).collect()
        });
        let items: Vec<String> = pairs
            .iter()
            .enumerate()
            .map(|(k, &(a, b))| {
                let share = weights.as_ref().map_or(String::new(), |w| format!(", share = {}", w[k]));
                format!("{{ opens = {}, closes = {}{share} }}", self.at(At(a)), self.at(At(b)))
            })
            .collect();
        let _ = writeln!(self.out, "windows = [{}]", items.join(", "));
    }

    /// A trace curve: the CSV is written beside the scenario by the target.
    fn trace(&mut self, i: usize, rows: &[(u16, u16)]) {
        let mut t = 0u64;
        let mut csv = String::from("time,count\n");
        // Two rows at least, as a trace needs.
        let pad = [(0, 1), (0, 1)];
        for &(step, count) in rows.iter().take(MAX_LIST).chain(pad.iter().skip(rows.len().min(2))) {
            let _ = writeln!(csv, "{}us,{}", t, count % 500);
            t += self.d_us * (u64::from(step) + 1) / 65536 + 1;
        }
        let name = format!("trace{i}.csv");
        let _ = writeln!(self.out, "arrivals = {{ curve = \"trace\", file = \"{name}\" }}");
        self.traces.push((name, csv));
    }

    fn clients(&mut self, c: &Clients, shows_a_wait: bool) {
        self.line("\n[clients]");
        if let Some(d) = c.balk.as_ref().filter(|_| shows_a_wait) {
            self.kv("balk", Self::dist(d));
        }
        if let Some(h) = c.overdue_hazard.filter(|_| shows_a_wait) {
            self.kv("overdue_hazard", f64::from(h) / 16.0);
        }
        for (key, d) in [("session", &c.session), ("patience", &c.patience), ("response", &c.response)] {
            if let Some(d) = d {
                self.kv(key, Self::dist(d));
            }
        }
        if let Some(r) = &c.retry {
            let mut s = format!("retry = {{ probability = {}", p(r.probability));
            if let Some(d) = &r.delay {
                let _ = write!(s, ", delay = {}", Self::dist(d));
            }
            if let Some(d) = &r.refresh {
                let _ = write!(s, ", refresh = {}", Self::dist(d));
            }
            if let Some(m) = r.max_attempts {
                let _ = write!(s, ", max_attempts = {}", m % 20 + 1);
            }
            self.line(&(s + " }"));
        }
    }

    /// In the [clients] section, which is still open.
    fn devices(&mut self, d: &Devices) {
        let (a, b, c) = d.weights;
        if (a, b, c) != (0, 0, 0) {
            let w = |x: u8| f64::from(x) + 0.5;
            self.kv(
                "devices",
                format!("{{ dist = \"discrete\", values = [1, 2, 3], weights = [{}, {}, {}] }}", w(a), w(b), w(c)),
            );
        }
        if let Some(s) = d.lock {
            self.kv("device_lock", Self::span(s));
        }
    }

    fn identity(&mut self, i: &Identity) {
        self.line("\n[identity]");
        self.kv("placement", if i.at_booking { "\"at_booking\"" } else { "\"before_queue\"" });
        self.kv("capacity", i.capacity % 500 + 1);
        let schedule = self.schedule(&i.schedule, "capacity");
        self.kv("schedule", schedule);
        if let Some(d) = &i.service {
            self.kv("service", Self::dist(d));
        }
        if let Some(s) = i.timeout {
            self.kv("timeout", Self::span(s));
        }
    }

    fn front(&mut self, f: &Front) {
        self.line("\n[front]");
        self.kv("capacity", f.capacity % 500 + 1);
        let schedule = self.schedule(&f.schedule, "capacity");
        self.kv("schedule", schedule);
        if let Some(d) = &f.service {
            self.kv("service", Self::dist(d));
        }
        if let Some(s) = f.poll_service {
            self.kv("poll_service", Self::span(s));
        }
        if let Some(s) = f.timeout {
            self.kv("timeout", Self::span(s));
        }
        if let Some(b) = f.wasted_work {
            self.kv("wasted_work", b);
        }
    }

    fn room(&mut self, r: &Room, max_sessions: u16, has_front: bool, has_response: bool) {
        self.line("\n[waiting_room]");
        if let Some(o) = &r.order {
            let name = match o {
                Order::Fifo => "fifo",
                Order::Random => "random",
                Order::PrequeueShuffle => "prequeue_shuffle",
            };
            self.kv("order", format!("\"{name}\""));
        }
        if let Some(a) = r.opens {
            let at = self.at(a);
            self.kv("opens", at);
        }
        if let Some(m) = r.max_active {
            // At most backend.max_sessions, as validation asks.
            self.kv("max_active", m % (max_sessions % 500 + 1) + 1);
        }
        if let Some(a) = r.admit_per_minute {
            self.kv("admit_per_minute", admit_rate(a));
        }
        if let Some(q) = r.max_queue {
            self.kv("max_queue", q % 1000);
        }
        if let Some(x) = r.polls_per_minute {
            self.kv("polls_per_minute", f64::from(x) / 16.0);
        }
        if let Some(s) = r.turn_expiry.filter(|_| has_response) {
            self.kv("turn_expiry", Self::span(s));
        }
        if let Some(b) = r.bounce_probability {
            self.kv("bounce_probability", p(b));
        }
        if let Some(b) = r.fail_open.filter(|_| has_front) {
            self.kv("fail_open", b);
        }
        let loss = self.spans(&r.connection_loss, "per_hour", |x| f64::from(x) / 4.0);
        self.kv("connection_loss", loss);
        let bypass = self.spans(&r.bypass, "share", p);
        self.kv("bypass", bypass);
        if let Some(admit) = r.admit_during_outage {
            self.kv("during_outage", if admit { "\"admit\"" } else { "\"hold\"" });
        }
        if let Some(rate) = r.shown_wait_rate {
            self.kv("shown_wait", if rate { "\"rate\"" } else { "\"nominal\"" });
        }
    }

    /// When the line learns of a sell-out, and the operator's pause (after
    /// the room's opening, as validation asks); `limited`: some slots are.
    fn room_sold_out(&mut self, r: &Room, limited: bool) {
        if let Some(at_front) = r.on_sold_out_at_front.filter(|&a| limited || !a) {
            self.kv("on_sold_out", if at_front { "\"at_front\"" } else { "\"tell\"" });
        }
        let opens = r.opens.map_or(0, |a| self.d_us * u64::from(a.0) / 65535);
        if let Some(a) = r.pause_at.filter(|a| self.d_us * u64::from(a.0) / 65535 > opens) {
            let at = self.at(a);
            self.kv("pause_at", at);
        }
    }

    /// After the room's own keys: the table below `[waiting_room]`.
    fn controller(&mut self, c: &Controller, start: f64, has_front: bool) {
        self.line("\n[waiting_room.controller]");
        let kind = match &c.kind {
            ControllerKind::Aimd { .. } => "aimd",
            ControllerKind::Gradient { .. } => "gradient",
            ControllerKind::AlarmStep { .. } => "alarm_step",
        };
        self.kv("kind", format!("\"{kind}\""));
        let signals = ["backend_error_rate", "backend_busy", "front_failure_rate", "session_p90"];
        let mut signal = signals[usize::from(c.signal) % 4];
        if signal == "front_failure_rate" && !has_front {
            signal = "backend_busy";
        }
        self.kv("signal", format!("\"{signal}\""));
        // Above 0, so that alarm_step's clear has room below it; up to 1
        // for the shares, and as seconds for session_p90.
        let target = (f64::from(c.target) + 1.0) / 256.0;
        self.kv("target", target);
        self.kv("interval", format!("\"{}s\"", c.interval_s % 600 + 1));
        if let Some(d) = c.delay {
            self.kv("delay", Self::span(d));
        }
        self.kv("min_per_minute", start * open_share(c.below));
        self.kv("max_per_minute", start * (1.0 + f64::from(c.above) / 16.0));
        match &c.kind {
            ControllerKind::Aimd { increase, backoff } => {
                self.kv("increase_per_minute", f64::from(*increase) / 8.0 + 0.125);
                if let Some(b) = backoff {
                    self.kv("backoff", open_share(*b));
                }
            }
            ControllerKind::Gradient { smoothing, tolerance } => {
                if let Some(x) = smoothing {
                    self.kv("smoothing", open_share(*x));
                }
                if let Some(x) = tolerance {
                    self.kv("tolerance", f64::from(*x) / 64.0);
                }
            }
            ControllerKind::AlarmStep { step, clear, increase } => {
                self.kv("step", open_share(*step));
                self.kv("clear", target * p(*clear) * 0.99);
                self.kv("increase_per_minute", f64::from(*increase) / 8.0 + 0.125);
            }
        }
    }

    fn backend(&mut self, b: &Backend) {
        self.line("\n[backend]");
        self.kv("max_sessions", b.max_sessions % 500 + 1);
        if let Some(e) = b.error_probability {
            self.kv("error_probability", p(e));
        }
        if let Some(c) = b.bookings_per_hour {
            self.kv("bookings_per_hour", f64::from(c) * 10.0 + 1.0);
        }
        let schedule = if b.cap_schedule.is_empty() {
            self.schedule(&b.schedule, "max_sessions")
        } else {
            self.backend_schedule(b)
        };
        self.kv("schedule", schedule);
        if let Some(s) = b.slots {
            self.kv("slots", s % 2000);
        }
    }

    fn faults(&mut self, f: &Faults, has_front: bool) {
        self.line("\n[faults]");
        // Each tier's outages laid end to end (validation wants them apart);
        // front outages only with a front tier.
        let mut items = Vec::new();
        for (tier, is_front) in [("backend", false), ("front", true)] {
            if is_front && !has_front {
                continue;
            }
            let raw: Vec<(At, At, u8)> =
                f.outages.iter().filter(|o| o.0 == is_front).map(|&(_, a, b)| (a, b, 0)).collect();
            for (from, to, _) in self.laid(&raw) {
                items.push(format!("{{ tier = \"{tier}\", from = {from}, to = {to} }}"));
            }
        }
        let _ = writeln!(self.out, "outages = [{}]", items.join(", "));
        let errors = self.spans(&f.error_windows, "probability", p);
        self.kv("error_windows", errors);
        let bug = self.spans(&f.clock_bug, "probability", p);
        self.kv("clock_bug", bug);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libfuzzer_sys::arbitrary::Unstructured;
    use std::path::Path;

    /// Most generated nights must be valid, or the target fuzzes the
    /// validator again rather than the model. Prints what fails, to tune
    /// the generator (`cargo test -- --nocapture`).
    #[test]
    fn most_nights_are_valid() {
        let dir = std::env::temp_dir().join(format!("surgesim-night-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (mut valid, mut total) = (0, 0);
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let bytes: Vec<u8> = (0..600)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            let Ok(night) = Night::arbitrary(&mut Unstructured::new(&bytes)) else { continue };
            let (text, traces) = night.render();
            for (name, csv) in &traces {
                std::fs::write(dir.join(name), csv).unwrap();
            }
            total += 1;
            match surgesim::scenario::load_str(&text, Path::new("night.toml"), &dir, &[]) {
                Ok(_) => valid += 1,
                Err(e) if total < 40 => println!("{e}"),
                Err(_) => {}
            }
        }
        println!("{valid} of {total} valid");
        assert!(valid * 2 > total, "{valid} of {total} valid");
    }
}
