//! An interrupted run leaves the previous outputs as they were: the real
//! binary, killed with SIGKILL in the middle of a run, then run again.
//!
//! The outputs are written only once the simulation is done, into a
//! temporary folder `.NAME.tmp-PID` that replaces NAME at the end; a kill
//! during the simulation leaves nothing at all, a kill during the writing
//! (a moment) leaves that temporary folder, which the next successful run of
//! NAME removes (on Linux, where it can tell the process is gone).

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

    // The same night at 0.3 takes several seconds: kill it one second in.
    let mut child = surgesim("0.3", &out).spawn().expect("starts");
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        child.try_wait().expect("can poll").is_none(),
        "the run ended within {:?}: too small to interrupt",
        started.elapsed()
    );
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
    // Killed while simulating, it had not started writing.
    assert!(others.is_empty(), "nothing but the previous outputs: {others:?}");

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
