//! `surgesim plan` against exact answers of queueing theory at fixed seeds,
//! the expected answers computed from the formulas `queueing` tests.

use crate::queueing::{erlang_b, erlang_c};
use assert_cmd::Command;
use std::path::Path;

/// Poisson arrivals for 20 hours, exponential one-minute sessions, no
/// waiting room: the Erlang B system. `people` sets the load.
const LOSS: &str = r#"
[scenario]
name = "loss"
duration = "20h"
bin = "1h"

[[cohort]]
name = "all"
people = 48000

[clients]
session = { dist = "exponential", mean = "1m" }

[backend]
max_sessions = 40
"#;

/// The same with a waiting room admitting while a session is free: M/M/c,
/// the Erlang C system.
const QUEUE: &str = r#"
[scenario]
name = "queue"
duration = "20h"
bin = "1h"

[[cohort]]
name = "all"
people = 54000

[clients]
session = { dist = "exponential", mean = "1m" }

[waiting_room]

[backend]
max_sessions = 50
"#;

/// Run `plan` on `text`; the printed line and `plan.json`.
fn plan(dir: &Path, text: &str, args: &[&str]) -> (String, serde_json::Value) {
    let file = dir.join("s.toml");
    std::fs::write(&file, text).expect("write");
    let out = dir.join("plan");
    let output = Command::cargo_bin("surgesim")
        .expect("binary")
        .arg("plan")
        .arg(&file)
        .args(args)
        .args(["--no-charts", "-q", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let json = serde_json::from_slice(&std::fs::read(out.join("plan.json")).expect("plan.json")).expect("JSON");
    (stdout, json)
}

/// The least c with `f(c) <= target`.
fn least(target: f64, f: impl Fn(u32) -> f64) -> u32 {
    (1..1000).find(|&c| f(c) <= target).expect("some c meets it")
}

#[test]
fn the_least_servers_for_one_percent_blocking_at_40_erlangs() {
    let expected = least(0.01, |c| erlang_b(c, 40.0));
    assert_eq!(expected, 53, "B(52) = {:.4}, B(53) = {:.4}", erlang_b(52, 40.0), erlang_b(53, 40.0));
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ["--vary", "backend.max_sessions=30..80", "--target", "drop_rate <= 0.01"];
    let (line, json) = plan(dir.path(), LOSS, &args);
    assert_eq!(json["value"], expected);
    assert!(line.starts_with("least backend.max_sessions meeting drop_rate <= 0.01: 53 (95 % confidence"), "{line}");
    // What plan.json promises.
    assert_eq!(json["key"], "backend.max_sessions");
    assert_eq!(json["confidence"], 0.95);
    assert_eq!(json["targets"][0]["figure"], "drop_rate");
    let evaluations = json["evaluations"].as_array().expect("evaluations");
    let runs: u64 = evaluations.iter().map(|e| e["replications"].as_u64().expect("count")).sum();
    assert_eq!(json["runs"], runs);
    let at = |c: u64| evaluations.iter().find(|e| e["value"] == c).expect("tried");
    assert_eq!(at(53)["verdict"], "holds");
    assert_ne!(at(52)["verdict"], "holds", "the value below the answer did not hold");
    eprintln!("Erlang B plan: 53 in {runs} runs");
}

#[test]
fn the_least_servers_for_a_20_percent_chance_of_waiting_at_45_erlangs() {
    let expected = least(0.2, |c| if c as f64 > 45.0 { erlang_c(c, 45.0) } else { 1.0 });
    assert_eq!(expected, 53, "C(52) = {:.3}, C(53) = {:.3}", erlang_c(52, 45.0), erlang_c(53, 45.0));
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, json) = plan(dir.path(), QUEUE, &["--vary", "backend.max_sessions=46..100", "--target", "p_wait <= 0.2"]);
    assert_eq!(json["value"], expected);
}

#[test]
fn a_target_nothing_in_range_meets_gives_no_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (line, json) =
        plan(dir.path(), LOSS, &["--vary", "backend.max_sessions=10..30", "--target", "drop_rate <= 0.01"]);
    assert!(json["value"].is_null(), "{json}");
    assert!(line.contains("none in the range"), "{line}");
}

#[test]
fn most_finds_the_greatest_load_twenty_sessions_take() {
    // The greatest load a with B(20, a) <= 5 %, as people in 20 hours.
    let a = (1..400).map(|k| k as f64 * 0.1).take_while(|&a| erlang_b(20, a) <= 0.05).last().expect("some load");
    let expected = a * 60.0 * 20.0;
    let dir = tempfile::tempdir().expect("temp dir");
    let text = LOSS.replace("max_sessions = 40", "max_sessions = 20");
    let args = ["--vary", "cohort.0.people=2000..40000", "--target", "drop_rate <= 0.05", "--most"];
    let (line, json) = plan(dir.path(), &text, &args);
    let found = json["value"].as_f64().expect("a value");
    eprintln!("most people: {found} (theory about {expected:.0})");
    assert!((found - expected).abs() / expected < 0.04, "{found} vs {expected:.0}");
    assert!(line.starts_with("greatest cohort.0.people meeting drop_rate <= 0.05"), "{line}");
}

#[test]
fn equal_calibrates_the_load_that_gives_a_known_blocking() {
    // B(20, 18) = 0.1092: the people in 20 hours at 18 erlangs, 21,600.
    let target = erlang_b(20, 18.0);
    let dir = tempfile::tempdir().expect("temp dir");
    let text = LOSS.replace("max_sessions = 40", "max_sessions = 20");
    let args = ["--vary", "cohort.0.people=10000..40000", "--target", &format!("drop_rate == {target}")];
    let (line, json) = plan(dir.path(), &text, &args);
    let found = json["value"].as_f64().expect("a value");
    eprintln!("calibrated people: {found} (theory 21600)");
    assert!((found - 21600.0).abs() / 21600.0 < 0.03, "{found}");
    assert!(line.starts_with("cohort.0.people at which drop_rate == "), "{line}");
}

/// `==` on a milestone's share (calibration, as against the seed's "53.9 %
/// by 20 July 12:00"): 1,000 people queued before the opening at 1 h, one-
/// minute sessions; with c sessions, 30c are booked by 1 h 30 m, so 30 %
/// takes exactly 10.
#[test]
fn equal_on_the_share_booked_by_a_clock_time_finds_the_capacity() {
    // The night of `figures::BEFORE_OPENING`.
    let text = &crate::figures::BEFORE_OPENING.replace("max_sessions = 10", "max_sessions = 5");
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ["--vary", "backend.max_sessions=2..30", "--target", "booked_share_by_2021-01-01T01:30 == 30%"];
    let (line, json) = plan(dir.path(), text, &args);
    assert_eq!(json["value"], 10, "{line}");
}

#[test]
fn unset_keys_reach_every_point_of_a_plan() {
    // The Erlang C system without its waiting room is the Erlang B one at
    // 45 erlangs: with the room nobody is turned away and the range's
    // bottom would do; without it, the least c with B(c) <= 2.8 % (B(53)
    // = 3.1 %, B(54) = 2.5 %: apart enough to decide at a few replications).
    let expected = least(0.028, |c| erlang_b(c, 45.0));
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ["--vary", "backend.max_sessions=30..80", "--target", "drop_rate <= 0.028", "--unset", "waiting_room"];
    let (_, json) = plan(dir.path(), QUEUE, &args);
    assert_eq!(json["value"], expected, "{json}");
    assert_eq!(json["unset"], serde_json::json!(["waiting_room"]), "plan.json says what was taken out");
}
