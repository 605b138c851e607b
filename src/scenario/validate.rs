//! From the raw mirror to a checked `Scenario`: defaults filled in, units
//! resolved, every problem collected before returning.
//!
//! Defaults (documented in the README's scenario reference):
//! title = name; start = 2021-01-01T00:00:00+00:00; seed = 1; bin = 1m;
//! cohort: eligible = true, one window over the whole run, constant arrivals;
//! surge: share 0.5, tau 10m, early 0s, early_share 0;
//! session = exponential 5m; patience = none (infinite);
//! retry: probability 0, delay exponential 1m, max_attempts 10;
//! waiting_room: max_active = backend.max_sessions, no admission rate limit,
//! max_queue 0 (unbounded), order fifo, opens at the earliest window
//! opening, no polling, no turn expiry, bounce 0, fail_open false, no
//! connection loss, no bypass; backend.error_probability 0, no schedule,
//! no slot limit; clients.response none, retry.refresh exponential 30s;
//! front (optional): service exponential 200ms, poll_service 20ms, timeout 30s, wasted_work
//! true, no schedule; faults: none.

use super::dist::{Dist, RawDist};
use super::raw::*;
use super::units::{parse_clock, parse_duration, parse_moment};
use super::*;
use std::io::Read;
use std::path::Path;

const DEFAULT_START: &str = "2021-01-01T00:00:00+00:00";

/// Check `raw`; `base_dir` is where relative trace paths are looked up.
pub fn validate(raw: &RawScenario, base_dir: &Path) -> Result<Scenario, Problems> {
    let mut p = Problems::default();
    let meta = &raw.scenario;

    check_name(&meta.name, "scenario.name", &mut p);
    let start = match parse_clock(meta.start.as_deref().unwrap_or(DEFAULT_START)) {
        Ok(s) => s,
        Err(e) => {
            p.push("scenario.start", e);
            parse_clock(DEFAULT_START).expect("default start parses")
        }
    };
    let duration = positive_duration(&meta.duration, "scenario.duration", &mut p);
    let bin = positive_duration(meta.bin.as_deref().unwrap_or("1m"), "scenario.bin", &mut p);
    if let (Some(d), Some(b)) = (duration, bin) {
        if b > d {
            p.push("scenario.bin", format!("found {b}, expected at most the run's duration {d}"));
        }
    }
    // The model keeps first-attempt times in u32 milliseconds (49.7 days).
    const MAX_DAYS: u64 = 45;
    if let Some(d) = duration {
        if d > SimTime::from_secs(MAX_DAYS * 86_400) {
            p.push("scenario.duration", format!("found {d}, expected at most {MAX_DAYS} days"));
        }
    }
    if let Some(d) = duration {
        // Every bin gets a clock time; chrono panics past the year 262,143.
        if start.checked_add_signed(chrono::Duration::microseconds(d.0.min(i64::MAX as u64) as i64)).is_none() {
            p.push(
                "scenario.start",
                format!("found {start}, which is too late for a run of {d} to end on the calendar"),
            );
        }
    }
    let duration = duration.unwrap_or(SimTime::from_secs(3600));

    if raw.cohort.is_empty() {
        p.push("cohort", "found no [[cohort]], expected at least one");
    }
    if raw.cohort.len() > MAX_COHORTS {
        // The model numbers cohorts in 16 bits.
        p.push("cohort", format!("found {} cohorts, expected at most {MAX_COHORTS}", raw.cohort.len()));
    }
    let mut cohorts = Vec::new();
    for (i, rc) in raw.cohort.iter().enumerate() {
        let path = format!("cohort[{i}]");
        if raw.cohort[..i].iter().any(|o| o.name == rc.name) {
            p.push(format!("{path}.name"), format!("found \"{}\" twice, expected unique cohort names", rc.name));
        }
        if let Some(c) = cohort(rc, &path, start, duration, base_dir, &mut p) {
            cohorts.push(c);
        }
    }

    let clients = clients(&raw.clients, &mut p);

    let backend = match &raw.backend {
        None => {
            p.push("backend", "found no [backend], expected one with `max_sessions`");
            None
        }
        Some(b) => {
            let max_sessions = match b.max_sessions {
                None => {
                    p.push("backend.max_sessions", "missing, expected the number of concurrent booking sessions");
                    None
                }
                Some(0) => {
                    p.push("backend.max_sessions", "found 0, expected at least 1");
                    None
                }
                Some(n) => Some(n),
            };
            let error_probability = probability(b.error_probability, 0.0, "backend.error_probability", &mut p);
            let schedule = changes(
                b.schedule.as_deref().unwrap_or(&[]).iter().map(|c| (c.at.as_str(), c.max_sessions)),
                "backend.schedule",
                "max_sessions",
                start,
                duration,
                &mut p,
            );
            max_sessions.map(|max_sessions| Backend { max_sessions, schedule, error_probability, slots: b.slots })
        }
    };

    let waiting_room = raw.waiting_room.as_ref().map(|w| {
        let max_sessions = backend.as_ref().map_or(u64::MAX, |b| b.max_sessions);
        let max_active = w.max_active.unwrap_or(max_sessions);
        if max_active == 0 {
            p.push("waiting_room.max_active", "found 0, expected at least 1 (nobody would ever be admitted)");
        } else if max_active > max_sessions {
            p.push(
                "waiting_room.max_active",
                format!("found {max_active}, expected at most backend.max_sessions = {max_sessions}"),
            );
        }
        if let Some(r) = w.admit_per_minute {
            if !(r.is_finite() && r > 0.0) {
                p.push("waiting_room.admit_per_minute", format!("found {r}, expected a rate above zero"));
            }
        }
        let order = match w.order.as_deref().unwrap_or("fifo") {
            "fifo" => Order::Fifo,
            "random" => Order::Random,
            "prequeue_shuffle" => Order::PrequeueShuffle,
            other => {
                p.push("waiting_room.order", one_of(other, &["fifo", "random", "prequeue_shuffle"]));
                Order::Fifo
            }
        };
        let first_opening =
            cohorts.iter().filter_map(|c| c.windows.first()).map(|w| w.opens).min().unwrap_or(SimTime::ZERO);
        let opens = match &w.opens {
            None => first_opening,
            Some(t) => moment(t, "waiting_room.opens", start, &mut p),
        };
        before_end(opens, duration, "waiting_room.opens", &mut p);
        let polls_per_minute = w.polls_per_minute.unwrap_or(0.0);
        if !(polls_per_minute.is_finite() && polls_per_minute >= 0.0) {
            p.push("waiting_room.polls_per_minute", format!("found {polls_per_minute}, expected a rate of at least 0"));
        }
        let turn_expiry =
            w.turn_expiry.as_deref().and_then(|t| positive_duration(t, "waiting_room.turn_expiry", &mut p));
        let bounce_probability = probability(w.bounce_probability, 0.0, "waiting_room.bounce_probability", &mut p);
        let connection_loss = spans(
            w.connection_loss.as_deref().unwrap_or(&[]).iter().map(|x| (x.from.as_str(), x.to.as_str(), x.per_hour)),
            "waiting_room.connection_loss",
            "per_hour",
            f64::MAX,
            start,
            duration,
            &mut p,
        );
        let bypass = spans(
            w.bypass.as_deref().unwrap_or(&[]).iter().map(|x| (x.from.as_str(), x.to.as_str(), x.share)),
            "waiting_room.bypass",
            "share",
            1.0,
            start,
            duration,
            &mut p,
        );
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
        }
    });
    if let Some(w) = &waiting_room {
        if w.turn_expiry.is_some() && raw.clients.response.is_none() {
            p.push("waiting_room.turn_expiry", "set, but clients.response is not: nobody would ever miss a turn");
        }
        if w.fail_open && raw.front.is_none() {
            p.push("waiting_room.fail_open", "set, but there is no [front] tier whose overload would open it");
        }
    }

    let front = raw.front.as_ref().map(|f| {
        let capacity = match f.capacity {
            Some(0) | None => {
                let found = f.capacity.map_or("nothing".to_string(), |c| c.to_string());
                p.push(
                    "front.capacity",
                    format!("found {found}, expected the number of concurrent page requests (at least 1)"),
                );
                1
            }
            Some(c) => c,
        };
        let service = match &f.service {
            None => Some(Dist::exponential(0.2)),
            Some(r) => Dist::from_raw(r, "front.service", &mut p),
        };
        let timeout = positive_duration(f.timeout.as_deref().unwrap_or("30s"), "front.timeout", &mut p);
        let poll_service = positive_duration(f.poll_service.as_deref().unwrap_or("20ms"), "front.poll_service", &mut p);
        let schedule = changes(
            f.schedule.as_deref().unwrap_or(&[]).iter().map(|c| (c.at.as_str(), c.capacity)),
            "front.schedule",
            "capacity",
            start,
            duration,
            &mut p,
        );
        Front {
            capacity,
            schedule,
            service: service.unwrap_or_else(|| Dist::exponential(0.2)),
            timeout: timeout.unwrap_or(SimTime::from_secs(30)),
            poll_service: poll_service.unwrap_or(SimTime(20_000)),
            wasted_work: f.wasted_work.unwrap_or(true),
        }
    });

    let faults = faults(raw.faults.as_ref(), start, duration, front.is_some(), &mut p);

    match (p.is_empty(), duration, bin, clients, backend) {
        (true, duration, Some(bin), Some(clients), Some(backend)) => Ok(Scenario {
            name: meta.name.clone(),
            title: meta.title.clone().unwrap_or_else(|| meta.name.clone()),
            start,
            duration,
            seed: meta.seed.unwrap_or(1),
            bin,
            cohorts,
            clients,
            front,
            waiting_room,
            backend,
            faults,
        }),
        _ => Err(p),
    }
}

/// Longest scenario name: a folder name, with room for `.NAME.tmp-PID`
/// beside it within the 255 bytes file systems allow.
const MAX_NAME: usize = 200;

/// Names become folder names: keep them to a safe alphabet.
fn check_name(name: &str, path: &str, p: &mut Problems) {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        p.push(
            path,
            format!(
                "found \"{name}\", expected letters, digits, '-', '_' or '.' (not first): it names the output folder"
            ),
        );
    } else if name.len() > MAX_NAME {
        p.push(
            path,
            format!("found {} characters, expected at most {MAX_NAME}: it names the output folder", name.len()),
        );
    }
}

/// The model numbers cohorts in 16 bits.
const MAX_COHORTS: usize = u16::MAX as usize;

/// People per cohort at most: the model's slots are numbered in 32 bits.
/// (Far above what `limits` lets run without `--allow-large`.)
pub const MAX_PEOPLE: u64 = u32::MAX as u64;

/// "found "surg", expected "constant", "surge" ...; did you mean "surge"?"
fn one_of(found: &str, names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let list = match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    let hint = super::lenient::suggest(found, names).map_or(String::new(), |s| format!("; did you mean \"{s}\"?"));
    format!("found \"{found}\", expected {list}{hint}")
}

/// A moment that must fall inside the run to mean anything.
fn before_end(at: SimTime, duration: SimTime, path: &str, p: &mut Problems) {
    if at >= duration {
        p.push(path, format!("found {at} after the start, expected before the end of the run ({duration})"));
    }
}

fn positive_duration(text: &str, path: &str, p: &mut Problems) -> Option<SimTime> {
    match parse_duration(text) {
        Ok(d) if d > SimTime::ZERO => Some(d),
        Ok(_) => {
            p.push(path, format!("found \"{text}\", expected a duration above zero"));
            None
        }
        Err(e) => {
            p.push(path, e);
            None
        }
    }
}

fn probability(v: Option<f64>, default: f64, path: &str, p: &mut Problems) -> f64 {
    let v = v.unwrap_or(default);
    if !(0.0..=1.0).contains(&v) {
        p.push(path, format!("found {v}, expected a probability from 0 to 1"));
    }
    v
}

fn share(v: f64, path: &str, p: &mut Problems) {
    if !(0.0..=1.0).contains(&v) {
        p.push(path, format!("found {v}, expected a share from 0 to 1"));
    }
}

fn cohort(
    rc: &RawCohort,
    path: &str,
    start: DateTime<FixedOffset>,
    duration: SimTime,
    base_dir: &Path,
    p: &mut Problems,
) -> Option<Cohort> {
    let before = p.0.len();
    if rc.name.is_empty() {
        p.push(format!("{path}.name"), "found an empty name, expected a cohort name");
    }
    let windows = match &rc.windows {
        None => vec![Window { opens: SimTime::ZERO, closes: duration, share: 1.0 }],
        Some(list) if list.is_empty() => {
            p.push(
                format!("{path}.windows"),
                "found an empty list, expected at least one window (or leave it out for the whole run)",
            );
            vec![]
        }
        Some(list) => windows(list, path, start, duration, p),
    };
    let arrivals = curve(rc.arrivals.as_ref(), &format!("{path}.arrivals"), start, base_dir, p);
    // Piecewise and trace curves carry their own volume; `people`, if given,
    // rescales them. Constant and surge curves need `people`.
    let people = match (&arrivals, rc.people) {
        (_, Some(n)) => n,
        (Some(Curve::Piecewise { points } | Curve::Trace { points, .. }), None) => volume(points).round() as u64,
        // A curve that would have given the volume failed: its own problem
        // says so, and "people missing" would only repeat it.
        (None, None) if rc.arrivals.as_ref().is_some_and(|a| matches!(a.curve.as_str(), "piecewise" | "trace")) => 0,
        (_, None) => {
            p.push(format!("{path}.people"), "missing, expected the number of people in the cohort");
            0
        }
    };
    if people > MAX_PEOPLE {
        let given = if rc.people.is_some() { "" } else { " (from the arrival curve)" };
        p.push(format!("{path}.people"), format!("found {people}{given}, expected at most {MAX_PEOPLE}"));
    }
    if p.0.len() > before {
        return None;
    }
    Some(Cohort {
        name: rc.name.clone(),
        people,
        eligible: rc.eligible.unwrap_or(true),
        windows,
        arrivals: arrivals?,
        slots: rc.slots,
    })
}

fn windows(
    list: &[RawWindow],
    path: &str,
    start: DateTime<FixedOffset>,
    duration: SimTime,
    p: &mut Problems,
) -> Vec<Window> {
    let mut out = Vec::new();
    let given_shares = list.iter().filter(|w| w.share.is_some()).count();
    if given_shares != 0 && given_shares != list.len() {
        p.push(format!("{path}.windows"), "found `share` on some windows only, expected it on all or none");
    }
    for (j, w) in list.iter().enumerate() {
        let wp = format!("{path}.windows[{j}]");
        let opens = parse_moment(&w.opens, start).map_err(|e| p.push(format!("{wp}.opens"), e)).ok();
        let closes = parse_moment(&w.closes, start).map_err(|e| p.push(format!("{wp}.closes"), e)).ok();
        let share_v = w.share.unwrap_or(1.0 / list.len() as f64);
        share(share_v, &format!("{wp}.share"), p);
        let (Some(opens), Some(closes)) = (opens, closes) else {
            continue;
        };
        if closes <= opens {
            p.push(
                format!("{wp}.closes"),
                format!("found {closes} after the start, expected later than opens ({opens} after the start)"),
            );
        }
        before_end(opens, duration, &format!("{wp}.opens"), p);
        if let Some(prev) = out.last().map(|w: &Window| w.closes) {
            if opens < prev {
                p.push(format!("{wp}.opens"), "overlaps the previous window, expected windows in time order");
            }
        }
        out.push(Window { opens, closes: closes.min(duration), share: share_v });
    }
    if given_shares == list.len() {
        let total: f64 = list.iter().filter_map(|w| w.share).sum();
        if (total - 1.0).abs() > 1e-9 {
            p.push(format!("{path}.windows"), format!("found shares adding up to {total}, expected 1"));
        }
    }
    out
}

fn curve(
    raw: Option<&RawArrivals>,
    path: &str,
    start: DateTime<FixedOffset>,
    base_dir: &Path,
    p: &mut Problems,
) -> Option<Curve> {
    let Some(raw) = raw else {
        return Some(Curve::Constant);
    };
    let fields: [(&str, bool); 6] = [
        ("share", raw.share.is_some()),
        ("tau", raw.tau.is_some()),
        ("early", raw.early.is_some()),
        ("early_share", raw.early_share.is_some()),
        ("points", raw.points.is_some()),
        ("file", raw.file.is_some()),
    ];
    let allowed: &[&str] = match raw.curve.as_str() {
        "constant" => &[],
        "surge" => &["share", "tau", "early", "early_share"],
        "piecewise" => &["points"],
        "trace" => &["file"],
        other => {
            p.push(format!("{path}.curve"), one_of(other, &["constant", "surge", "piecewise", "trace"]));
            return None;
        }
    };
    for (f, present) in fields {
        if present && !allowed.contains(&f) {
            p.push(format!("{path}.{f}"), format!("curve \"{}\" does not take `{f}`", raw.curve));
        }
    }
    match raw.curve.as_str() {
        "constant" => Some(Curve::Constant),
        "surge" => {
            let s = raw.share.unwrap_or(0.5);
            share(s, &format!("{path}.share"), p);
            let es = raw.early_share.unwrap_or(0.0);
            share(es, &format!("{path}.early_share"), p);
            if s + es > 1.0 + 1e-9 {
                p.push(
                    format!("{path}.early_share"),
                    format!("found share {s} + early_share {es} > 1, expected them to leave room for the rest"),
                );
            }
            let tau = positive_duration(raw.tau.as_deref().unwrap_or("10m"), &format!("{path}.tau"), p)?;
            let early = match raw.early.as_deref().map(parse_duration) {
                None => SimTime::ZERO,
                Some(Ok(d)) => d,
                Some(Err(e)) => {
                    p.push(format!("{path}.early"), e);
                    SimTime::ZERO
                }
            };
            if es > 0.0 && early == SimTime::ZERO {
                p.push(format!("{path}.early"), "missing, expected how long before opening the early_share arrives");
            }
            Some(Curve::Surge { share: s, tau, early, early_share: es })
        }
        "piecewise" => {
            let Some(points) = &raw.points else {
                p.push(format!("{path}.points"), "missing, expected a list like [{ at = \"0m\", rate = 100.0 }, ...]");
                return None;
            };
            let mut out = Vec::new();
            for (k, pt) in points.iter().enumerate() {
                let pp = format!("{path}.points[{k}]");
                match parse_moment(&pt.at, start) {
                    Ok(at) => out.push(RatePoint { at, rate: pt.rate }),
                    Err(e) => p.push(format!("{pp}.at"), e),
                }
                if !(pt.rate.is_finite() && pt.rate >= 0.0) {
                    p.push(
                        format!("{pp}.rate"),
                        format!("found {}, expected a rate of at least 0 per minute", pt.rate),
                    );
                }
            }
            check_points(&out, path, "points", p);
            Some(Curve::Piecewise { points: out })
        }
        "trace" => {
            let Some(file) = &raw.file else {
                p.push(format!("{path}.file"), "missing, expected the path of a CSV file with columns time,count");
                return None;
            };
            let points = match read_trace(&base_dir.join(file), start) {
                Ok(points) => points,
                Err(e) => {
                    p.push(format!("{path}.file"), e);
                    return None;
                }
            };
            Some(Curve::Trace { file: file.clone(), points })
        }
        _ => unreachable!("names were matched above"),
    }
}

fn check_points(points: &[RatePoint], path: &str, field: &str, p: &mut Problems) {
    if points.len() < 2 {
        p.push(format!("{path}.{field}"), format!("found {} point(s), expected at least 2", points.len()));
    }
    if points.windows(2).any(|w| w[1].at <= w[0].at) {
        p.push(format!("{path}.{field}"), "expected times in increasing order");
    }
    if points.len() >= 2 && volume(points) <= 0.0 {
        p.push(format!("{path}.{field}"), "found rates that are all zero, expected some arrivals");
    }
    if !volume(points).is_finite() {
        p.push(format!("{path}.{field}"), "found rates adding up to more arrivals than a number can hold");
    }
}

/// First attempts under a piecewise-linear rate curve (rates per minute).
/// A segment that goes back in time (reported as out of order) counts 0.
pub(crate) fn volume(points: &[RatePoint]) -> f64 {
    points.windows(2).map(|w| 0.5 * (w[0].rate + w[1].rate) * (w[1].at - w[0].at).0 as f64 / 60e6).sum()
}

/// Trace files larger than this are refused (a million rows take ~20 MB).
const MAX_TRACE_BYTES: u64 = 64 << 20;

/// Read a trace CSV (`time,count` with a header). Row i's count arrives
/// uniformly over [time_i, time_i+1); the last row's interval is as long as
/// the one before it. Returned as a step curve of rate points.
fn read_trace(path: &Path, start: DateTime<FixedOffset>) -> Result<Vec<RatePoint>, String> {
    let shown = path.display();
    let cannot = |e: &dyn std::fmt::Display| format!("could not read trace '{shown}': {e}");
    // A trace is a file of rows, read whole: no device, pipe or folder (a
    // typo like "/dev/zero" must not eat the memory), and not too big.
    let meta = std::fs::metadata(path).map_err(|e| cannot(&e))?;
    if !meta.is_file() {
        return Err(format!("trace '{shown}' is not a regular file, expected a CSV file with columns time,count"));
    }
    if meta.len() > MAX_TRACE_BYTES {
        return Err(format!(
            "trace '{shown}' has {} bytes, expected at most {MAX_TRACE_BYTES} (a trace needs one row per interval, not per person)",
            meta.len()
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| cannot(&e))?;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(file.take(MAX_TRACE_BYTES));
    // The CSV reader's own message repeats the position; say it once.
    let csv_problem = |e: csv::Error| {
        let line = e.position().map_or(String::new(), |p| format!(" line {}", p.line()));
        match e.kind() {
            csv::ErrorKind::UnequalLengths { len, .. } => {
                format!("trace '{shown}'{line}: found {len} fields, expected 2 (time,count)")
            }
            csv::ErrorKind::Utf8 { .. } => format!("trace '{shown}'{line}: found bytes that are not UTF-8 text"),
            _ => format!("trace '{shown}'{line}: {e}"),
        }
    };
    let headers = reader.headers().map_err(csv_problem)?.clone();
    if headers.len() != 2 || &headers[0] != "time" || &headers[1] != "count" {
        return Err(format!(
            "trace '{shown}' line 1: found header {:?}, expected \"time,count\"",
            headers.iter().collect::<Vec<_>>()
        ));
    }
    let mut rows: Vec<(SimTime, f64)> = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(csv_problem)?;
        let line = rec.position().map_or(0, |p| p.line());
        // Two fields in every row: the reader refuses rows of another length.
        let (time, count) = (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""));
        let at = parse_moment(time, start).map_err(|e| format!("trace '{shown}' line {line}, column time: {e}"))?;
        let count: f64 = count.parse().ok().filter(|c: &f64| c.is_finite() && *c >= 0.0).ok_or_else(|| {
            format!("trace '{shown}' line {line}, column count: found \"{count}\", expected a count of at least 0")
        })?;
        if let Some(&(prev, _)) = rows.last() {
            if at <= prev {
                return Err(format!("trace '{shown}' line {line}: found time {at} after the start, expected later than the row before ({prev})"));
            }
        }
        rows.push((at, count));
    }
    if rows.len() < 2 {
        return Err(format!("trace '{shown}': found {} row(s), expected at least 2", rows.len()));
    }
    // Step curve: each interval gets two points at the same rate; the
    // piecewise-linear sampler treats equal-rate segments as uniform.
    let mut points = Vec::with_capacity(rows.len() * 2);
    for (k, &(at, count)) in rows.iter().enumerate() {
        let end = match rows.get(k + 1) {
            Some(&(next, _)) => next,
            None => at + (at - rows[k - 1].0),
        };
        let rate = count / ((end - at).as_secs_f64() / 60.0);
        points.push(RatePoint { at, rate });
        points.push(RatePoint { at: end, rate });
    }
    if volume(&points) <= 0.0 {
        return Err(format!("trace '{shown}': all counts are zero, expected some arrivals"));
    }
    if !volume(&points).is_finite() {
        return Err(format!("trace '{shown}': found counts adding up to more arrivals than a number can hold"));
    }
    Ok(points)
}

fn clients(raw: &RawClients, p: &mut Problems) -> Option<Clients> {
    let dist = |r: Option<&RawDist>, path: &str, p: &mut Problems| r.map(|r| Dist::from_raw(r, path, p));
    let session = dist(raw.session.as_ref(), "clients.session", p).unwrap_or(Some(Dist::exponential(300.0)));
    let patience = dist(raw.patience.as_ref(), "clients.patience", p);
    let response = dist(raw.response.as_ref(), "clients.response", p);
    let (probability_v, delay, refresh, max_attempts) = match &raw.retry {
        None => (0.0, Some(Dist::exponential(60.0)), Some(Dist::exponential(30.0)), 10),
        Some(r) => {
            let pr = probability(r.probability, 0.0, "clients.retry.probability", p);
            let delay = dist(r.delay.as_ref(), "clients.retry.delay", p).unwrap_or(Some(Dist::exponential(60.0)));
            let refresh = dist(r.refresh.as_ref(), "clients.retry.refresh", p).unwrap_or(Some(Dist::exponential(30.0)));
            let max = r.max_attempts.unwrap_or(10);
            if max == 0 {
                p.push("clients.retry.max_attempts", "found 0, expected at least 1 (the first attempt counts)");
            } else if max > u32::from(u16::MAX) {
                p.push("clients.retry.max_attempts", format!("found {max}, expected at most {}", u16::MAX));
            }
            (pr, delay, refresh, max)
        }
    };
    // `None` (not given) is fine; `Some(None)` (given but invalid) is not.
    let optional = |d: Option<Option<Dist>>| -> Option<Option<Dist>> {
        match d {
            None => Some(None),
            Some(d) => d.map(Some),
        }
    };
    Some(Clients {
        session: session?,
        patience: optional(patience)?,
        response: optional(response)?,
        retry: Retry { probability: probability_v, delay: delay?, refresh: refresh?, max_attempts },
    })
}

fn moment(text: &str, path: &str, start: DateTime<FixedOffset>, p: &mut Problems) -> SimTime {
    parse_moment(text, start).unwrap_or_else(|e| {
        p.push(path, e);
        SimTime::ZERO
    })
}

/// Capacity changes `(at, value)`: in time order, values at least 1.
fn changes<'a>(
    items: impl Iterator<Item = (&'a str, u64)>,
    path: &str,
    field: &str,
    start: DateTime<FixedOffset>,
    duration: SimTime,
    p: &mut Problems,
) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    for (i, (at, value)) in items.enumerate() {
        let here = format!("{path}[{i}]");
        let at = moment(at, &format!("{here}.at"), start, p);
        if value == 0 {
            p.push(
                format!("{here}.{field}"),
                "found 0, expected at least 1 (use [faults] outages for a tier that is down)",
            );
        }
        before_end(at, duration, &format!("{here}.at"), p);
        if let Some(prev) = out.last().map(|c| c.at).filter(|prev| *prev >= at) {
            p.push(
                format!("{here}.at"),
                format!(
                    "found {at} after the start, expected later than the change before ({prev}): changes in time order"
                ),
            );
        }
        out.push(Change { at, value });
    }
    out
}

/// Spans `(from, to, value)`: in time order, not overlapping, starting
/// within the run, value in [0, max].
fn spans<'a>(
    items: impl Iterator<Item = (&'a str, &'a str, f64)>,
    path: &str,
    field: &str,
    max: f64,
    start: DateTime<FixedOffset>,
    duration: SimTime,
    p: &mut Problems,
) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for (i, (from, to, value)) in items.enumerate() {
        let here = format!("{path}[{i}]");
        let from = moment(from, &format!("{here}.from"), start, p);
        let to = moment(to, &format!("{here}.to"), start, p);
        if to <= from {
            p.push(
                format!("{here}.to"),
                format!("found {to} after the start, expected later than `from` ({from} after the start)"),
            );
        }
        before_end(from, duration, &format!("{here}.from"), p);
        if !(value >= 0.0 && value <= max) {
            let range = if max < f64::MAX { format!("from 0 to {max}") } else { "of at least 0".into() };
            p.push(format!("{here}.{field}"), format!("found {value}, expected a value {range}"));
        }
        if out.last().is_some_and(|s| s.to > from) {
            p.push(format!("{here}.from"), "overlaps the span before it, expected spans in time order");
        }
        out.push(Span { from, to, value });
    }
    out
}

fn faults(
    raw: Option<&RawFaults>,
    start: DateTime<FixedOffset>,
    duration: SimTime,
    has_front: bool,
    p: &mut Problems,
) -> Faults {
    let Some(raw) = raw else { return Faults::default() };
    let mut outages = Vec::new();
    for (i, o) in raw.outages.as_deref().unwrap_or(&[]).iter().enumerate() {
        let here = format!("faults.outages[{i}]");
        let tier = match o.tier.as_str() {
            "backend" => Tier::Backend,
            "front" => {
                if !has_front {
                    p.push(format!("{here}.tier"), "found \"front\", but the scenario has no [front] section");
                }
                Tier::Front
            }
            other => {
                p.push(format!("{here}.tier"), one_of(other, &["front", "backend"]));
                Tier::Backend
            }
        };
        let from = moment(&o.from, &format!("{here}.from"), start, p);
        let to = moment(&o.to, &format!("{here}.to"), start, p);
        if to <= from {
            p.push(
                format!("{here}.to"),
                format!("found {to} after the start, expected later than `from` ({from} after the start)"),
            );
        }
        before_end(from, duration, &format!("{here}.from"), p);
        outages.push(Outage { tier, from, to });
    }
    for tier in [Tier::Front, Tier::Backend] {
        let mut same: Vec<&Outage> = outages.iter().filter(|o| o.tier == tier).collect();
        same.sort_by_key(|o| o.from);
        if same.windows(2).any(|w| w[1].from < w[0].to) {
            p.push("faults.outages", "found overlapping outages of one tier, expected them apart");
        }
    }
    let prob = |list: &Option<Vec<RawProbabilitySpan>>, path: &str, p: &mut Problems| {
        spans(
            list.as_deref().unwrap_or(&[]).iter().map(|x| (x.from.as_str(), x.to.as_str(), x.probability)),
            path,
            "probability",
            1.0,
            start,
            duration,
            p,
        )
    };
    Faults {
        outages,
        error_windows: prob(&raw.error_windows, "faults.error_windows", p),
        clock_bug: prob(&raw.clock_bug, "faults.clock_bug", p),
    }
}
