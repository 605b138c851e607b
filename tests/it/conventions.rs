//! What a command-line user expects: completions, a manual page, exit
//! codes, and Ctrl-C that says what was kept.

use crate::common::surgesim;
use std::process::Stdio;
use std::time::{Duration, Instant};

#[test]
fn completions_and_the_manual_page_print() {
    for (shell, mark) in [("bash", "_surgesim()"), ("zsh", "#compdef surgesim"), ("fish", "complete -c surgesim")] {
        let out = surgesim().args(["completions", shell]).output().expect("runs");
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(mark) && text.contains("sweep"), "{shell}: {}", &text[..text.len().min(200)]);
    }
    let out = surgesim().arg("man").output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains(".TH surgesim 1"), "{}", &text[..text.len().min(200)]);
    surgesim().args(["completions", "tcsh"]).assert().code(2);
}

/// Ctrl-C (SIGINT) during a run: the bar's line is cleared, the run says
/// that nothing was written and that the folder is as it was, exit 130.
#[test]
fn ctrl_c_says_what_was_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("run");
    let scenario = crate::common::repo().join("scenarios/kdca-2021-07-19.toml");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("surgesim"))
        .arg("run")
        .arg(&scenario)
        .args(["--scale", "0.3", "--no-charts", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    // The folder's lock is taken before the run simulates anything.
    let lock = dir.path().join(".run.lock");
    let started = Instant::now();
    while !lock.exists() {
        assert!(started.elapsed() < Duration::from_secs(20), "the run never claimed its folder");
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: kill(2) with a child's PID and SIGINT has no memory effects.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted") && stderr.contains("nothing was written"), "{stderr}");
    assert!(!out.exists(), "no folder was written");
}

/// `run --json`: summary.json on standard output, the same bytes as the
/// file, for one run and for replications.
#[test]
fn json_prints_the_summary_on_standard_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = crate::common::repo().join("scenarios/mmc.toml");
    for reps in ["1", "3"] {
        let out = dir.path().join(format!("r{reps}"));
        let run = surgesim()
            .arg("run")
            .arg(&scenario)
            .args(["--scale", "0.01", "--no-charts", "--json", "-r", reps, "--out"])
            .arg(&out)
            .output()
            .expect("runs");
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let file = std::fs::read(out.join("summary.json")).expect("summary.json");
        assert_eq!(String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&file), "-r {reps}");
        let json: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
        assert!(json["booked"].is_number(), "the same top-level figures: {json}");
    }
}
