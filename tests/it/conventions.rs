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
