//! The waiting room's feedback controller (issue 26, item 1): the rate it
//! sets against the same night at a fixed rate. Each night is small (a
//! constant crowd of 833 a minute for four hours against a room of at most
//! 600 a minute, so the line never empties and the rate, not the crowd,
//! decides the admissions), and the bins are a minute long.

use crate::common::*;
use surgesim::simulate;
use surgesim::stats::{Bin, DropCause, Results};

/// The night: the room's `controller` table (empty: none) and `extra`
/// keys after the backend (a schedule, faults).
fn night(controller: &str, room: &str, backend: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "controlled"
duration = "4h"
seed = 11
bin = "1m"
[[cohort]]
name = "all"
people = 200000
arrivals = {{ curve = "constant" }}
[clients]
session = {{ dist = "exponential", mean = "2m" }}
patience = {{ dist = "exponential", mean = "10h" }}
retry = {{ probability = 0.9, delay = {{ dist = "exponential", mean = "5m" }}, max_attempts = 5 }}
[waiting_room]
admit_per_minute = 600
{room}
{controller}
[backend]
max_sessions = 2000
{backend}
{extra}
"#
    )
}

fn run(text: &str, replication: u64) -> Results {
    simulate(&from_text(text, &repo()), replication).results
}

/// The rate in force, minute by minute.
fn rates(r: &Results) -> Vec<f64> {
    r.bins.iter().map(|b| b.admit_rate.expect("the room has a rate")).collect()
}

fn drops(bins: &[Bin], cause: DropCause) -> u64 {
    bins.iter().map(|b| b.counts.dropped[cause as usize]).sum()
}

/// The capacity falls from 2,000 sessions to 400 for the second hour.
const DROP: &str = r#"schedule = [{ at = "1h", max_sessions = 400 }, { at = "2h", max_sessions = 2000 }]"#;

const AIMD_BUSY: &str = r#"[waiting_room.controller]
kind = "aimd"
signal = "backend_busy"
target = 0.8
interval = "10s"
delay = "30s"
min_per_minute = 50
max_per_minute = 600
increase_per_minute = 10
backoff = 0.9"#;

#[test]
fn aimd_backs_off_within_interval_and_delay_of_a_capacity_drop_and_recovers() {
    let fixed = run(&night("", "", DROP, ""), 0);
    let aimd = run(&night(AIMD_BUSY, "", DROP, ""), 0);
    assert!(rates(&fixed).iter().all(|&r| r == 600.0), "a fixed rate is that rate in every bin");
    let r = rates(&aimd);
    // Before the drop: 600 a minute into sessions of 2 minutes keeps about
    // 1,200 of 2,000 in use (0.6, ±0.02 for Poisson noise), below 0.8: the
    // rate stays at its ceiling.
    assert!(r[5..60].iter().all(|&x| x == 600.0), "before the drop: {:?}", &r[5..60]);
    // The drop at 60:00 is a window's edge (windows of 10 s from the
    // opening, 0:00). The window ending at 60:00 samples busy at its end,
    // after the drop (events at an instant come before the decision there):
    // about 1,200/400. The decision acting on it comes ceil(30 s / 10 s)
    // windows later, at 60:30, within interval + delay = 40 s of the drop
    // at worst: inside the first minute. Each window after reads above 0.8
    // too, so the minute is 30 s at 600, then 10 s each at 540, 486 and
    // 437.4: a mean of 543.9.
    assert!(r[59] == 600.0 && (r[60] - 543.9).abs() < 1e-6, "the minute of the drop: {:?}", &r[58..62]);
    // In the hour of the drop it settles where busy ≈ 0.8: 0.8 · 400 /
    // 2 minutes = 160 a minute; well below the fixed rate's 600.
    let held: f64 = r[75..120].iter().sum::<f64>() / 45.0;
    assert!(held < 300.0, "mean rate in the drop's hour: {held:.0}");
    // After it: from at worst the floor (50), +10 every 10 s gives the 550
    // back in 550 s, after the same 40 s: back at 600 by 2:10 at the latest,
    // and (about 300 sessions of 2,000 in use) there it stays.
    assert!(r[130..].iter().all(|&x| x == 600.0), "after the drop: {:?}", &r[120..135]);
    // The figures tell it: the lowest rate, and the windows above target
    // (those of the drop's first minutes and its oscillation about 0.8).
    let share = aimd.controller_above_target_share.expect("a controller");
    assert!(share > 0.0 && share < 0.25, "{share}");
    assert!(aimd.admit_rate_min.unwrap() < 200.0);
    assert_eq!((fixed.controller_above_target_share, fixed.admit_rate_min), (None, Some(600.0)));
}

/// AIMD on the backend's error rate, acting on a measurement `delay` old.
fn aimd_errors(delay: &str) -> String {
    format!(
        r#"[waiting_room.controller]
kind = "aimd"
signal = "backend_error_rate"
target = 0.05
interval = "10s"
delay = "{delay}"
min_per_minute = 50
max_per_minute = 600
increase_per_minute = 10
backoff = 0.9"#
    )
}

#[test]
fn a_longer_delay_admits_more_people_into_a_dead_backend() {
    // The backend is down 1:00-1:30 and the room admits through outages:
    // every admission then fails (backend_outage), the error rate reads 1,
    // and AIMD backs off once it sees it. The overshoot is the admissions
    // into the dead backend: with the delay 2 m instead of 10 s the rate
    // stays at 600 about 110 s longer, about 1,100 admissions more
    // (600 · 110 / 60), in every replication (the rate, not chance, decides
    // them: the line is never empty). Half of that is the margin.
    // (Measured: 3,404-3,421 over the three replications at 10 s, 3,587-
    // 3,604 at 30 s, 3,862-3,879 at 1 m, 4,412-4,429 at 2 m, 6,062-6,079 at
    // 5 m.)
    let outage = r#"[faults]
outages = [{ tier = "backend", from = "1h", to = "1h30m" }]"#;
    let overshoot = |delay: &str, rep: u64| {
        let r = run(&night(&aimd_errors(delay), "during_outage = \"admit\"", "", outage), rep);
        drops(&r.bins[60..90], DropCause::BackendOutage)
    };
    let short: Vec<u64> = (0..3).map(|rep| overshoot("10s", rep)).collect();
    let long: Vec<u64> = (0..3).map(|rep| overshoot("2m", rep)).collect();
    let (most_short, least_long) = (*short.iter().max().unwrap(), *long.iter().min().unwrap());
    assert!(least_long > most_short + 550, "backend_outage drops, delay 10s {short:?} vs 2m {long:?}");
    // And a fixed rate admits into it all the half hour: more than either.
    let fixed = run(&night("", "during_outage = \"admit\"", "", outage), 0);
    assert!(drops(&fixed.bins[60..90], DropCause::BackendOutage) > least_long);
}

#[test]
fn gradient_settles_where_the_signal_meets_its_target() {
    // Gradient on backend_busy, target 0.8, tolerance 0.25: the rate stops
    // moving while busy is from 0.8 to 1.0. Before the drop, 600 a minute
    // keeps busy near 0.6 (below target: the rate asks for more and stays at
    // its ceiling). In the hour of 400 sessions, by Little's law sessions of
    // 2 minutes at a rate λ keep 2λ in use: busy from 0.8 to 1.0 is λ from
    // 160 to 200 a minute. The mean rate over the last 40 minutes of that
    // hour (about 7,000 admissions, so Poisson noise of about 1 %) must lie
    // there, give or take 10 % for the controller's swing about the band.
    let gradient = r#"[waiting_room.controller]
kind = "gradient"
signal = "backend_busy"
target = 0.8
tolerance = 0.25
smoothing = 0.2
interval = "10s"
min_per_minute = 50
max_per_minute = 600"#;
    let r = rates(&run(&night(gradient, "", DROP, ""), 0));
    assert!(r[5..60].iter().all(|&x| x == 600.0), "before the drop: {:?}", &r[5..60]);
    let held: f64 = r[80..120].iter().sum::<f64>() / 40.0;
    assert!((144.0..=220.0).contains(&held), "mean rate in the drop's hour: {held:.1}");
    // And after it, the ratio (at most 2 a decision, smoothed: ×1.2 every
    // 10 s) brings it back to the ceiling within minutes.
    assert!(r[130..].iter().all(|&x| x == 600.0), "after the drop: {:?}", &r[120..135]);
}

/// alarm_step on the error rate: target 6 %, clear `clear`.
fn alarm(clear: f64) -> String {
    format!(
        r#"[waiting_room.controller]
kind = "alarm_step"
signal = "backend_error_rate"
target = 0.06
clear = {clear}
step = 0.2
interval = "2m"
min_per_minute = 450
max_per_minute = 600
increase_per_minute = 10"#
    )
}

#[test]
fn alarm_step_holds_its_rate_between_clear_and_target() {
    // Errors: half the sessions fail 1:00-1:10 (the alarm fires), then 3 %
    // until 2:10 (between clear and target), then none. Windows of 2 m see
    // about 900 sessions end (450 a minute at least), so a 3 % rate reads
    // 27 ± 5 errors: under clear's 9 (1 %) or over target's 54 (6 %) in
    // none of the 30 windows but with a chance of about 1e-4 each.
    let errors = r#"[faults]
error_windows = [{ from = "1h", to = "1h10m", probability = 0.5 }, { from = "1h10m", to = "2h10m", probability = 0.03 }]"#;
    let held = rates(&run(&night(&alarm(0.01), "", "", errors), 0));
    assert_eq!(held[59], 600.0, "no error before 1:00: the rate at its ceiling");
    assert!(held[72] < 600.0, "the alarm fired: {:?}", &held[58..74]);
    // Between clear and target after the firing: the rate does not move.
    assert!(held[72..130].iter().all(|&x| x == held[72]), "held: {:?}", &held[72..130]);
    // Below clear (no errors after 2:10) it rises again.
    assert!(held[150] > held[128], "cleared: {:?}", &held[128..150]);
    // The same night with clear above the 3 %: the rate rises in that hour.
    // The hold is the hysteresis, not the errors.
    let no_hold = rates(&run(&night(&alarm(0.04), "", "", errors), 0));
    assert!(no_hold[100] > no_hold[74], "clear 4 %: {:?}", &no_hold[72..101]);
}

#[test]
fn a_target_never_passed_keeps_the_rate_at_max_as_a_fixed_rate_would() {
    // Errors at 2 % against a target of 50 %: never above it.
    let unreachable = |start: u32| {
        let c = aimd_errors("30s").replace("target = 0.05", "target = 0.5");
        night(&c, "", "error_probability = 0.02", "")
            .replace("admit_per_minute = 600", &format!("admit_per_minute = {start}"))
    };
    let fixed = run(&night("", "", "error_probability = 0.02", ""), 0);
    let at_max = run(&unreachable(600), 0);
    // Starting at the ceiling it never moves: the same night, bin by bin.
    assert!(rates(&at_max).iter().all(|&r| r == 600.0));
    for (a, b) in at_max.bins.iter().zip(&fixed.bins) {
        assert_eq!((&a.counts, a.end.queue_len, a.admit_rate), (&b.counts, b.end.queue_len, b.admit_rate));
    }
    assert_eq!(at_max.controller_above_target_share, Some(0.0));
    // Starting at 300, +10 every 10 s: at the ceiling 300 s + the 30 s
    // delay after the opening, within the sixth minute, and there it stays.
    let climbing = rates(&run(&unreachable(300), 0));
    assert!(climbing[0] < 600.0 && climbing[6..].iter().all(|&r| r == 600.0), "{:?}", &climbing[..8]);
}

#[test]
fn a_controller_key_takes_set_and_vary() {
    let text = night(AIMD_BUSY, "", DROP, "");
    let s = from_text_with(&text, &["waiting_room.controller.backoff=0.5"]);
    let c = s.waiting_room.as_ref().and_then(|w| w.controller.as_ref()).expect("a controller");
    assert_eq!(c.kind, surgesim::scenario::ControllerKind::Aimd { increase_per_minute: 10.0, backoff: 0.5 });
    // A sweep over it: one row each, and a harder backoff falls lower.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("controlled.toml");
    std::fs::write(
        &file,
        text.replace("people = 200000", "people = 100000").replace("duration = \"4h\"", "duration = \"2h30m\""),
    )
    .unwrap();
    let out = dir.path().join("sweep");
    surgesim()
        .arg("sweep")
        .arg(&file)
        .args(["--vary", "waiting_room.controller.backoff=0.5,0.95", "-q", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let table = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "admit_rate_min").expect("admit_rate_min in sweep.csv");
    let mins: Vec<f64> = lines.map(|l| l.split(',').nth(col).unwrap().parse().unwrap()).collect();
    assert_eq!(mins.len(), 2);
    assert!(mins[0] < mins[1], "lowest rate with backoff 0.5 and 0.95: {mins:?}");
}

#[test]
fn a_scaled_night_scales_the_controllers_rates_with_the_rooms() {
    // At a tenth of the people the room starts at a tenth of its rate; the
    // bounds and the increase follow, or the bounds would lift the scaled
    // room to the full night's rates at its first decision.
    let s = from_text(&night(AIMD_BUSY, "", DROP, ""), &repo()).scaled(0.1);
    let room = s.waiting_room.as_ref().expect("a room");
    let c = room.controller.as_ref().expect("a controller");
    assert_eq!(room.admit_per_minute, Some(60.0));
    assert_eq!((c.min_per_minute, c.max_per_minute), (5.0, 60.0));
    assert_eq!(c.kind, surgesim::scenario::ControllerKind::Aimd { increase_per_minute: 1.0, backoff: 0.9 });
    assert_eq!(
        (c.target, c.interval, c.delay),
        (0.8, surgesim::engine::SimTime::from_secs(10), surgesim::engine::SimTime::from_secs(30))
    );
    // The scaled room's rate never passes its scaled ceiling, and before the
    // drop (busy about 0.6 again, now of 200 sessions: noisier, so a cut of a
    // tenth may come now and then) it stays near it.
    let r = rates(&simulate(&s, 0).results);
    assert!(r.iter().all(|&x| x <= 60.0), "{r:?}");
    let before: f64 = r[5..60].iter().sum::<f64>() / 55.0;
    assert!(before > 55.0, "mean rate before the drop: {before:.1}");
}

#[test]
fn bad_controllers_are_refused_with_the_field() {
    let text = night(&AIMD_BUSY.replace("backoff = 0.9", "backoff = 0.9\nsmoothing = 0.3"), "", "", "");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, text.replace("admit_per_minute = 600\n", "")).unwrap();
    let out = surgesim().arg("validate").arg(&file).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(said.contains("waiting_room.controller.smoothing: set, but kind = \"aimd\" does not take it"), "{said}");
    assert!(said.contains("waiting_room.admit_per_minute: not set, but [waiting_room.controller] is"), "{said}");
}

#[test]
fn a_paused_room_stops_its_controller() {
    // The capacity drops at 1 h and the operator pauses the room at 1h05m,
    // while AIMD is backing off. From the pause nobody is admitted, and
    // the controller neither decides nor counts windows: the rate in force
    // stays where the last decision before the pause left it (the minute
    // after the pause holds one rate), where without the pause it goes on
    // moving.
    let paused = run(&night(AIMD_BUSY, "pause_at = \"1h5m\"", DROP, ""), 0);
    let going = run(&night(AIMD_BUSY, "", DROP, ""), 0);
    let (p, g) = (rates(&paused), rates(&going));
    assert_eq!(p[..65], g[..65], "the same night up to the pause");
    assert!(p[66..].iter().all(|&x| x == p[66]), "after the pause: {:?}", &p[64..70]);
    assert!(g[66..].iter().any(|&x| x != g[66]), "without it the rate moves");
    assert!(paused.bins[66..].iter().all(|b| b.counts.admitted == 0), "a paused room admits nobody");
}
