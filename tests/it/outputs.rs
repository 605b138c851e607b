//! The output folder, with the real binary: surgesim replaces only a folder
//! it wrote (told by its `.surgesim-output` marker), one run at a time
//! (a lock beside the folder), and never loses a file or a finished result.

use crate::common::{repo, surgesim};
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const SMALL: &str = r#"
[scenario]
name = "small"
duration = "2h"
[[cohort]]
name = "all"
people = 3000
arrivals = { curve = "surge", share = 0.5, tau = "10m" }
[waiting_room]
max_active = 20
[backend]
max_sessions = 20
"#;

/// A folder with the small scenario in it.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("small.toml");
    std::fs::write(&scenario, SMALL).expect("write scenario");
    (dir, scenario)
}

fn run(scenario: &Path, out: &Path) -> assert_cmd::assert::Assert {
    surgesim().arg("run").arg(scenario).arg("--out").arg(out).args(["--no-charts", "-q"]).assert()
}

/// Every file of a folder (hidden ones too) and its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("readable folder")
        .map(|e| e.expect("readable entry"))
        .map(|e| (e.file_name().to_string_lossy().to_string(), std::fs::read(e.path()).expect("readable file")))
        .collect()
}

/// The sorted names in a folder.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("readable folder")
        .map(|e| e.expect("readable entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn the_issues_mydata_folder_is_refused_and_kept() {
    let (dir, scenario) = workspace();
    let mydata = dir.path().join("mydata");
    std::fs::create_dir(&mydata).expect("mkdir");
    std::fs::write(mydata.join("customers.csv"), "id,value\n").expect("write");
    std::fs::write(mydata.join("notes.md"), "# notes\n").expect("write");
    let before = snapshot(&mydata);
    run(&scenario, &mydata).code(2).stderr(
        predicate::str::contains(mydata.to_string_lossy().to_string())
            .and(predicate::str::contains("customers.csv"))
            .and(predicate::str::contains("no .surgesim-output marker")),
    );
    assert_eq!(snapshot(&mydata), before, "the user's files are untouched");
    assert_eq!(names(dir.path()), ["mydata", "small.toml"], "nothing written beside it");
}

#[test]
fn a_trace_csv_kept_in_the_previous_output_folder_survives() {
    let (dir, scenario) = workspace();
    let out = dir.path().join("out");
    run(&scenario, &out).success();
    // The next scenario reads its arrivals from a trace the user put there.
    std::fs::write(out.join("trace.csv"), "time,count\n0m,1000\n30m,2000\n60m,0\n").expect("write trace");
    let traced = dir.path().join("traced.toml");
    let text = SMALL.replace(
        r#"people = 3000
arrivals = { curve = "surge", share = 0.5, tau = "10m" }"#,
        r#"arrivals = { curve = "trace", file = "out/trace.csv" }"#,
    );
    std::fs::write(&traced, text).expect("write scenario");
    let before = snapshot(&out);
    run(&traced, &out).code(2).stderr(predicate::str::contains("'trace.csv'"));
    assert_eq!(snapshot(&out), before, "the trace and the previous outputs are untouched");
}

#[test]
fn a_copy_of_docs_with_a_dotenv_survives() {
    let (dir, scenario) = workspace();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).expect("mkdir");
    for entry in std::fs::read_dir(repo().join("docs")).expect("docs/") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), docs.join(entry.file_name())).expect("copy");
    }
    std::fs::write(docs.join(".env"), "API_KEY=secret\n").expect("write");
    let before = snapshot(&docs);
    run(&scenario, &docs).code(2).stderr(predicate::str::contains("will not replace"));
    assert_eq!(snapshot(&docs), before);
}

#[test]
fn its_own_previous_outputs_are_replaced_with_their_stale_files() {
    let (dir, scenario) = workspace();
    let out = dir.path().join("out");
    surgesim()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args(["-q", "--chart-format", "svg"])
        .assert()
        .success();
    assert!(names(&out).iter().any(|n| n.ends_with(".svg")), "charts first: {:?}", names(&out));
    run(&scenario, &out).success();
    let files = names(&out);
    assert!(files.iter().all(|n| !n.ends_with(".svg")), "the first run's charts are gone: {files:?}");
    // Every file is listed in the marker, which lists nothing else.
    let marker: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(".surgesim-output")).expect("a marker")).expect("JSON");
    assert_eq!(marker["tool"], "surgesim");
    assert_eq!(marker["command"], "run");
    let mut listed: Vec<String> =
        marker["files"].as_array().expect("files").iter().map(|f| f["name"].as_str().expect("name").into()).collect();
    listed.push(".surgesim-output".into());
    listed.sort();
    assert_eq!(listed, files);
    assert_eq!(names(dir.path()), ["out", "small.toml"], "no temporary folder or lock file left");
}

#[test]
fn a_file_added_to_its_own_output_blocks_the_replacement() {
    let (dir, scenario) = workspace();
    let out = dir.path().join("out");
    run(&scenario, &out).success();
    std::fs::write(out.join("notes.md"), "what I made of it\n").expect("write");
    let before = snapshot(&out);
    run(&scenario, &out)
        .code(2)
        .stderr(predicate::str::contains("'notes.md'").and(predicate::str::contains("move that file out")));
    assert_eq!(snapshot(&out), before);
}

#[test]
fn paths_without_a_folder_name_are_refused_with_exit_2() {
    let (dir, scenario) = workspace();
    // (An empty --out is refused by the argument parser, also with exit 2.)
    for out in ["/", ".", "..", "sub/.."] {
        surgesim()
            .current_dir(dir.path())
            .arg("run")
            .arg(&scenario)
            .args(["--no-charts", "-q", "--out", out])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot be an output folder"));
    }
    assert_eq!(names(dir.path()), ["small.toml"]);
}

#[test]
fn a_folder_locked_by_another_run_is_refused_at_once_and_a_neighbour_is_not() {
    let (dir, scenario) = workspace();
    let out = dir.path().join("out");
    // This test plays the other run: it holds the folder's lock.
    let lock = std::fs::File::create(dir.path().join(".out.lock")).expect("lock file");
    lock.lock().expect("locked");
    std::fs::write(dir.path().join(".out.lock"), "surgesim lock, pid 4242\n").expect("write");
    run(&scenario, &out).code(1).stderr(predicate::str::contains("being written by another surgesim run (PID 4242)"));
    assert!(!out.exists(), "nothing written");
    run(&scenario, &dir.path().join("out2")).success();
    drop(lock);
    run(&scenario, &out).success();
}

/// Where `mount` works (Linux, as root), a target that is a mount point: it
/// cannot be moved aside, so the swap fails after the outputs are written.
#[test]
fn a_failed_swap_names_the_finished_result_and_keeps_the_previous_folder() {
    let (dir, scenario) = workspace();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let Some(_mount) = Mount::tmpfs(&out) else {
        eprintln!("skipped: cannot mount a tmpfs here (needs Linux and root)");
        return;
    };
    let assert = run(&scenario, &out).code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    let kept: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(".out.tmp-")))
        .collect();
    assert_eq!(kept.len(), 1, "one finished result kept: {kept:?}");
    assert!(stderr.contains(&*kept[0].to_string_lossy()), "and named in the error: {stderr}");
    assert!(kept[0].join("summary.json").exists() && kept[0].join(".surgesim-output").exists());
    assert!(names(&out).is_empty(), "the mount point is as it was");
}

/// A tmpfs mounted for the test, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path) -> Option<Mount> {
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "surgesim-test"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(at.to_path_buf()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}
