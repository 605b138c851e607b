//! A run says what it is: `--set`, `--seed` and `--scale` are recorded in
//! `summary.json` and `report.md`, a scaled run's title says so, and a
//! run with changes does not replace the folder of the file's own night.

use assert_cmd::Command;

const NIGHT: &str = r#"
[scenario]
name = "night"
title = "M/M/50"
duration = "2h"

[[cohort]]
name = "all"
people = 2000

[waiting_room]

[backend]
max_sessions = 50
"#;

fn run(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("surgesim")
        .expect("binary")
        .current_dir(dir)
        .args(["run", "night.toml", "--no-charts"])
        .args(args)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn summary(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).expect("written")).expect("JSON")
}

#[test]
fn overrides_and_scale_are_recorded_and_keep_their_own_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("night.toml"), NIGHT).expect("write");
    run(dir.path(), &["-q"]);
    let base = dir.path().join("outputs/night");
    let plain = summary(&base);
    assert_eq!(plain["set"], serde_json::json!([]));
    assert!(plain["scale"].is_null());
    assert_eq!(plain["title"], "M/M/50");
    let before = std::fs::read(base.join("summary.json")).expect("written");

    let said = run(dir.path(), &["--set", "backend.max_sessions=48", "--seed", "7"]);
    assert_eq!(std::fs::read(base.join("summary.json")).expect("kept"), before, "the base run's folder is untouched");
    let wrote = said.lines().find_map(|l| l.trim().strip_prefix("wrote ")).expect("says where").to_string();
    assert!(wrote.starts_with("outputs/night-") && wrote.len() == "outputs/night-".len() + 8, "{wrote}");
    let changed = summary(&dir.path().join(&wrote));
    assert_eq!(changed["set"], serde_json::json!(["backend.max_sessions=48", "scenario.seed=7"]));
    assert_eq!(changed["seed"], 7);
    let md = std::fs::read_to_string(dir.path().join(&wrote).join("report.md")).expect("written");
    assert!(md.contains("Not the file's own night") && md.contains("`--set backend.max_sessions=48`"), "{md}");
    // The same what-if lands in the same folder again.
    assert!(run(dir.path(), &["--set", "backend.max_sessions=48", "--seed", "7"]).contains(&wrote));

    let said = run(dir.path(), &["--scale", "0.1"]);
    let wrote = said.lines().find_map(|l| l.trim().strip_prefix("wrote ")).expect("says where").to_string();
    let scaled = summary(&dir.path().join(&wrote));
    assert_eq!(scaled["scale"], 0.1);
    assert_eq!(scaled["title"], "M/M/50 (at 10 % scale)");
    assert_eq!(scaled["people"], 200);
    assert!(said.starts_with("M/M/50 (at 10 % scale)"), "the headline says so: {said}");
}
