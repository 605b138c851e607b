//! An interrupted run leaves the previous outputs as they were, and a run
//! holding a folder keeps others out of it: the real binary, killed with
//! SIGKILL in the middle of a run, then run again.
//!
//! The outputs are written only once the simulation is done, into a
//! temporary folder `.NAME.tmp-PID` that replaces NAME at the end; a kill
//! during the simulation leaves nothing but the lock file `.NAME.lock`
//! (its lock dies with the process), a kill during the writing (a moment)
//! leaves that temporary folder, which the next run of NAME removes if it
//! is unfinished (on Linux, where it can tell the process is gone).

use crate::common::repo;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every file of a folder and its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("readable folder")
        .map(|e| e.expect("readable entry"))
        .map(|e| (e.file_name().to_string_lossy().to_string(), std::fs::read(e.path()).expect("readable file")))
        .collect()
}

fn surgesim(scale: &str, out: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("surgesim"));
    cmd.arg("run")
        .arg(repo().join("scenarios/kdca-2021-07-19.toml"))
        .args(["--scale", scale, "--no-charts", "--quiet", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

#[test]
fn a_killed_run_leaves_the_previous_outputs_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("run");
    // The previous outputs: the same night at a tiny scale, in a blink.
    assert!(surgesim("0.002", &out).status().expect("runs").success());
    let before = snapshot(&out);
    assert!(before.contains_key("summary.json") && before.contains_key("timeseries.csv"));

    // The same night at 0.3 takes seconds. A run takes its folder's lock
    // before it simulates: once the lock file is there the run is under
    // way (no guess at how long it takes to start), and it is killed then.
    let mut child = surgesim("0.3", &out).spawn().expect("starts");
    wait_for(&dir.path().join(".run.lock"), &mut child);
    child.kill().expect("can kill");
    let status = child.wait().expect("can reap");
    assert!(!status.success());
    let pid = child.id();

    assert_eq!(snapshot(&out), before, "the previous outputs are untouched, byte for byte");
    let others: Vec<String> = std::fs::read_dir(dir.path())
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .filter(|n| n != "run")
        .collect();
    // Killed while simulating, it had not started writing: nothing but its
    // lock file, which the next run takes over.
    assert!(others.iter().all(|n| n == ".run.lock"), "nothing but the previous outputs: {others:?}");

    // A run killed while writing leaves its temporary folder: pretend this
    // one did. The next run of the same folder completes and clears it.
    let stale = dir.path().join(format!(".run.tmp-{pid}"));
    std::fs::create_dir(&stale).expect("can create");
    std::fs::write(stale.join("timeseries.csv"), b"time,minute\n").expect("can write");
    assert!(surgesim("0.001", &out).status().expect("runs").success());
    let after = snapshot(&out);
    assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>(), "a complete new folder");
    assert_ne!(after["summary.json"], before["summary.json"], "with the new run's figures");
    assert_eq!(!stale.exists(), cfg!(target_os = "linux"), "the dead run's temporary folder is gone (on Linux)");
}

/// Wait until `path` exists (a run has claimed its folder), for at most 20 s.
fn wait_for(path: &Path, child: &mut std::process::Child) {
    let started = Instant::now();
    while !path.exists() {
        assert!(child.try_wait().expect("can poll").is_none(), "the run ended before {} appeared", path.display());
        assert!(started.elapsed() < Duration::from_secs(20), "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The stderr of a quick run into `out` that must fail with `code`.
fn refused(out: &Path, code: i32) -> String {
    let output = surgesim("0.001", out).stderr(Stdio::piped()).output().expect("runs");
    assert_eq!(output.status.code(), Some(code), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn a_second_run_into_a_busy_folder_refuses_and_the_first_result_stands() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("run");
    let mut first = surgesim("0.1", &out).spawn().expect("starts");
    wait_for(&dir.path().join(".run.lock"), &mut first);
    let err = refused(&out, 1);
    assert!(err.contains(&format!("another surgesim run (PID {})", first.id())), "{err}");
    assert!(first.wait().expect("can reap").success(), "the first run is not disturbed");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("written")).expect("JSON");
    assert!(summary["people"].as_u64().expect("people") > 100_000, "the first run's result (scale 0.1) stands");
    let left: Vec<_> =
        std::fs::read_dir(dir.path()).expect("readable").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left, ["run"], "no lock file or temporary folder left");
}

#[test]
fn a_killed_runs_lock_dies_with_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("run");
    let lock = dir.path().join(".run.lock");
    let mut child = surgesim("0.3", &out).spawn().expect("starts");
    wait_for(&lock, &mut child);
    refused(&out, 1);
    child.kill().expect("can kill");
    child.wait().expect("can reap");
    assert!(lock.exists(), "SIGKILL leaves the lock file, but not its lock");
    assert!(surgesim("0.001", &out).status().expect("runs").success());
    assert!(out.join("summary.json").exists());
    assert!(!lock.exists(), "the next run took it over and removed it");
}
