//! The real binary: exit codes, files written, columns, error wording.

use crate::common::{bundled_files, surgesim};
use predicates::prelude::*;

const SMALL: &str = r#"
[scenario]
name = "small"
duration = "2h"
[[cohort]]
name = "all"
people = 3000
arrivals = { curve = "surge", share = 0.5, tau = "10m" }
[clients]
patience = { dist = "exponential", mean = "20m" }
[waiting_room]
max_active = 20
[backend]
max_sessions = 20
"#;

#[test]
fn run_writes_the_three_tables_with_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("small.toml");
    std::fs::write(&scenario, SMALL).unwrap();
    let out = dir.path().join("out");
    surgesim()
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-charts"])
        .assert()
        .success()
        .stdout(predicate::str::contains("booked"));
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header = ts.lines().next().unwrap();
    for col in [
        "time",
        "minute",
        "arrivals",
        "retries",
        "queue_len",
        "admitted",
        "active_sessions",
        "session_capacity",
        "booked",
        "abandoned",
        "dropped",
        "ineligible",
        "wait_p50_s",
        "wait_p90_s",
        "wait_p99_s",
    ] {
        assert!(header.split(',').any(|h| h == col), "timeseries.csv lacks {col}: {header}");
    }
    assert_eq!(ts.lines().count(), 1 + 120, "one row per 1-minute bin");
    let cohorts = std::fs::read_to_string(out.join("cohorts.csv")).unwrap();
    for col in [
        "cohort",
        "people",
        "attempts",
        "booked",
        "booked_share",
        "abandoned",
        "dropped",
        "wait_p50_s",
        "wait_p90_s",
        "wait_p99_s",
        "time_to_book_p50_s",
        "time_to_book_p90_s",
    ] {
        assert!(cohorts.lines().next().unwrap().split(',').any(|h| h == col), "cohorts.csv lacks {col}");
    }
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "scenario",
        "seed",
        "version",
        "people",
        "attempts",
        "admitted",
        "booked",
        "abandoned",
        "dropped",
        "drops_by_cause",
        "ineligible",
        "drop_rate",
        "abandon_rate",
        "p_wait",
        "wait_mean_s",
        "wait_p50_s",
        "wait_p90_s",
        "wait_p99_s",
        "queue_len_mean",
        "active_sessions_mean",
        "events",
        "resolved",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(summary["people"], 3000);
}

#[test]
fn seed_and_set_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("small.toml");
    std::fs::write(&scenario, SMALL).unwrap();
    let out = dir.path().join("out");
    surgesim()
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-charts", "-q"])
        .args(["--seed", "42", "--set", "cohort.0.people=1234"])
        .assert()
        .success()
        .stdout("");
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["seed"], 42);
    assert_eq!(summary["people"], 1234);
}

#[test]
fn bad_input_exits_2_with_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("bad.toml");
    std::fs::write(&scenario, SMALL.replace("max_sessions = 20", "max_sessions = -3")).unwrap();
    surgesim()
        .args(["run", scenario.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:14").and(predicate::str::contains("max_sessions")));
    surgesim().args(["run", "no/such/file.toml"]).assert().code(2).stderr(predicate::str::contains("could not read"));
    surgesim().args(["frobnicate"]).assert().code(2);
}

#[test]
fn validate_checks_every_bundled_scenario() {
    let files = bundled_files();
    assert!(files.len() >= 5);
    surgesim().arg("validate").args(&files).assert().success().stdout(predicate::str::contains("ok"));
}

// ---- the scenario path: regular files and `-` ----------------------------------

/// Run `cmd` with a watchdog: killed and failed after `secs`, so that a
/// regression (a FIFO opened and waited on for ever) fails instead of
/// hanging the suite. The limit is a hang guard, far above the
/// milliseconds these commands take, not a measure of speed.
fn output_within(mut cmd: std::process::Command, secs: u64) -> std::process::Output {
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} still running after {secs} s: it hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn binary() -> std::process::Command {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("surgesim"))
}

/// A FIFO as the scenario: refused at once with exit code 2 (it was opened
/// and waited on for a writer, for ever), for `run` and `validate`.
#[cfg(unix)]
#[test]
fn a_fifo_as_the_scenario_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("scenario.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success(), "mkfifo failed");
    for command in ["validate", "run"] {
        let mut cmd = binary();
        cmd.arg(command).arg(&fifo).arg("--set").arg("scenario.seed=2");
        let out = output_within(cmd, 60);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert!(stderr.contains("scenario.toml': it is a FIFO"), "{command}: {stderr}");
        assert!(stderr.contains("give `-`"), "{command}: {stderr}");
    }
}

/// A folder or a device is no scenario either: a clear message naming the
/// path as typed, exit code 2.
#[test]
fn a_folder_or_a_device_as_the_scenario_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = vec![(dir.path().to_str().unwrap().to_string(), "it is a folder")];
    if std::path::Path::new("/dev/zero").exists() {
        cases.push(("/dev/zero".to_string(), "it is a device"));
    }
    for (path, what) in cases {
        let mut cmd = binary();
        cmd.args(["validate", &path]);
        let out = output_within(cmd, 60);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{path}: {stderr}");
        assert!(stderr.contains(&format!("could not read scenario '{path}': {what}")), "{path}: {stderr}");
    }
}

/// `-` reads the scenario from standard input: `surgesim new | surgesim
/// validate -`, `surgesim run -`; problems are located at `<stdin>`.
#[test]
fn a_dash_reads_the_scenario_from_standard_input() {
    let template = surgesim::scenario::template::Preset::Textbook.text();
    surgesim()
        .args(["validate", "-"])
        .write_stdin(template)
        .assert()
        .success()
        .stdout("<stdin>: ok (1 cohorts, 27000 people)\n");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    surgesim()
        .args([
            "run",
            "-",
            "--no-charts",
            "-q",
            "--set",
            "scenario.duration=1h",
            "--set",
            "cohort.0.people=2700",
            "--out",
        ])
        .arg(&out)
        .write_stdin(template)
        .assert()
        .success();
    assert!(out.join("summary.json").exists());
    // A sweep loads its scenario once per point: each gets the same text.
    let sweep = dir.path().join("sweep");
    surgesim()
        .args([
            "sweep",
            "-",
            "--vary",
            "cohort.0.people=1000,2000",
            "--set",
            "scenario.duration=1h",
            "-q",
            "--no-charts",
        ])
        .arg("--out")
        .arg(&sweep)
        .write_stdin(template)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(sweep.join("sweep.csv")).unwrap().lines().count(), 3, "two points");
    let bad = template.replace("max_sessions = 50", "max_sessions = 0");
    let line = bad.lines().position(|l| l.starts_with("max_sessions")).unwrap() + 1;
    surgesim()
        .args(["validate", "-"])
        .write_stdin(bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("scenario '<stdin>':\n  <stdin>:{line}:16: backend.max_sessions")));
}

/// /dev/stdin piped into is a FIFO: refused like any other, with a pointer
/// to `-` (as a regular file, redirected from one, it reads as a file).
#[cfg(target_os = "linux")]
#[test]
fn dev_stdin_as_a_pipe_points_to_the_dash() {
    let template = surgesim::scenario::template::Preset::Textbook.text();
    surgesim().args(["validate", "/dev/stdin"]).write_stdin(template).assert().code(2).stderr(
        predicate::str::contains("could not read scenario '/dev/stdin': it is a FIFO")
            .and(predicate::str::contains("give `-`")),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    std::fs::write(&file, template).unwrap();
    let mut cmd = binary();
    cmd.args(["validate", "/dev/stdin"]);
    let out = {
        use std::process::Stdio;
        cmd.stdin(Stdio::from(std::fs::File::open(&file).unwrap())).output().unwrap()
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

// ---- nothing raw reaches the terminal ------------------------------------------

/// Control characters a user can put in a key, a value, a --set or a path
/// reach stderr escaped (`\u001B`), never raw: an ESC could recolour or
/// clear the terminal, a BEL ring it, a newline forge a line of its own.
#[test]
fn errors_escape_control_characters_in_what_they_echo() {
    let dir = tempfile::tempdir().unwrap();
    let text = SMALL
        .replace("people = 3000", "\"peo\\u001B[2Jple\" = 3000\npeople = 3000")
        .replace("name = \"all\"", "name = \"all\\u0007\"");
    let path = dir.path().join("bad\u{1b}[31m.toml");
    std::fs::write(&path, text).unwrap();
    for set in ["scenario.title=ring\u{7}bell", "foo\u{1b}]0;pwned\u{7}=1", "scenario.duration=2\rh"] {
        let out = surgesim().arg("validate").arg(&path).args(["--set", set]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        let raw: Vec<char> = stderr.chars().filter(|c| c.is_control() && *c != '\n').collect();
        assert!(raw.is_empty(), "raw control characters {raw:?} in {stderr}");
        assert!(stderr.contains("bad\\u001B[31m.toml"), "the path, escaped: {stderr}");
        assert!(stderr.contains("peo\\u001B[2Jple"), "the key, escaped: {stderr}");
        assert!(stderr.contains("all\\u0007"), "the cohort name, escaped: {stderr}");
        // One line per problem, and the header: no line forged.
        assert!(stderr.lines().all(|l| l.starts_with("error: ") || l.starts_with("  ")), "{stderr}");
    }
    // And through `run` (its errors are printed by main, not by validate).
    let out = surgesim().arg("run").arg(&path).args(["--set", "x\u{1b}=1"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.chars().any(|c| c.is_control() && c != '\n'), "{stderr}");
    assert!(stderr.contains("x\\u001B"), "{stderr}");
}

// ---- output nobody reads -------------------------------------------------------

/// How a command's standard output can reach nobody.
#[cfg(unix)]
#[derive(Clone, Copy, Debug)]
enum Unread {
    /// A pipe whose reader is gone before the command starts (EPIPE; Rust
    /// ignores SIGPIPE, so the write fails instead of killing the process).
    Pipe,
    /// A file open only for reading (EBADF, which `Stdout` takes for success).
    ReadOnly,
    /// Closed (`>&-`): the runtime puts `/dev/null` in its place.
    Closed,
}

/// `surgesim ARGS` with its standard output as `how`, and what it did.
#[cfg(unix)]
fn unread(args: &[&std::ffi::OsStr], how: Unread, readable: &std::path::Path) -> std::process::Output {
    use std::process::{Command, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("surgesim");
    let mut cmd = match how {
        Unread::Closed => {
            let mut sh = Command::new("sh");
            sh.arg("-c").arg(r#"exec "$0" "$@" >&-"#).arg(&bin).args(args);
            sh
        }
        _ => {
            let mut c = Command::new(&bin);
            c.args(args);
            c
        }
    };
    match how {
        Unread::Pipe => {
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            cmd.stdout(writer);
        }
        Unread::ReadOnly => {
            cmd.stdout(std::fs::File::open(readable).unwrap());
        }
        Unread::Closed => {}
    }
    cmd.stdin(Stdio::null()).stderr(Stdio::piped()).output().unwrap()
}

/// Every command that prints on standard output fails with exit code 1 and
/// one line on stderr when nobody can read it, never exit 0 nor a panic
/// (`surgesim new >&-`, `surgesim run --json x.toml | false`); a run still
/// writes its folder first.
#[cfg(unix)]
#[test]
fn output_nobody_reads_is_a_failure_not_a_success() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("small.toml");
    std::fs::write(&scenario, SMALL).unwrap();
    let (json_out, out) = (dir.path().join("json"), dir.path().join("out"));
    let (sweep, compare) = (dir.path().join("sweep"), dir.path().join("compare"));
    let s = scenario.as_os_str();
    let os = |t: &'static str| std::ffi::OsStr::new(t);
    let commands: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![os("new")],
        vec![os("new"), os("--preset"), os("textbook")],
        vec![os("completions"), os("bash")],
        vec![os("man")],
        vec![os("--help")],
        vec![os("validate"), s],
        vec![os("run"), s, os("--json"), os("--no-charts"), os("--out"), json_out.as_os_str()],
        vec![os("run"), s, os("--no-charts"), os("--out"), out.as_os_str()],
        vec![
            os("sweep"),
            s,
            os("--vary"),
            os("backend.max_sessions=20,30"),
            os("--no-charts"),
            os("--out"),
            sweep.as_os_str(),
        ],
        vec![os("compare"), s, s, os("--no-charts"), os("--out"), compare.as_os_str()],
    ];
    for args in &commands {
        for how in [Unread::Pipe, Unread::ReadOnly, Unread::Closed] {
            if matches!(how, Unread::ReadOnly) && args[0] == "--help" {
                continue; // clap prints help itself, through `Stdout`
            }
            let output = unread(args, how, &scenario);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{args:?} with stdout {how:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{args:?} with stdout {how:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "one line, {args:?} with stdout {how:?}: {stderr}");
            assert!(
                stderr.starts_with("error: could not write to standard output"),
                "{args:?} with stdout {how:?}: {stderr}"
            );
        }
    }
    for file in
        [json_out.join("summary.json"), out.join("summary.json"), sweep.join("sweep.csv"), compare.join("compare.csv")]
    {
        assert!(file.exists(), "the command still wrote '{}'", file.display());
    }
    // Read, the same commands succeed.
    surgesim()
        .args(["run", scenario.to_str().unwrap(), "--json", "--no-charts", "--out"])
        .arg(&json_out)
        .assert()
        .success();
    surgesim().arg("new").assert().success();
}
