//! The output folder against links and odd paths, with the real binary:
//! whoever can write the folder that holds `--out` can put symbolic links
//! where surgesim keeps its own files; none is followed, nothing outside
//! `--out` is written or removed, and a link in the way is refused (exit 2)
//! and named. And `--out` is shown escaped, and may end in `/.`.

use crate::common::surgesim;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const SMALL: &str = r#"
[scenario]
name = "small"
duration = "1h"
[[cohort]]
name = "all"
people = 1000
arrivals = { curve = "surge", share = 0.5, tau = "10m" }
[waiting_room]
max_active = 20
[backend]
max_sessions = 20
"#;

/// A folder with the small scenario in it, and a folder `victim` holding a
/// file nobody may touch.
fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("small.toml");
    std::fs::write(&scenario, SMALL).expect("write scenario");
    let victim = dir.path().join("victim");
    std::fs::create_dir(&victim).expect("mkdir");
    std::fs::write(victim.join("precious.txt"), "mine\n").expect("write");
    (dir, scenario, victim)
}

fn run(scenario: &Path, out: &Path) -> assert_cmd::assert::Assert {
    surgesim().arg("run").arg(scenario).arg("--out").arg(out).args(["--no-charts", "-q"]).assert()
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

#[cfg(unix)]
mod unix {
    use super::*;
    use std::os::unix::fs::symlink;

    fn is_link(path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink())
    }

    /// The issue's attack, with the very PID of the run: a shell plants
    /// links named `.out.tmp-$$` and `.out.old-$$` (and ones with a nonce,
    /// as this version names them) pointing at the victim folder, then
    /// `exec`s surgesim, which keeps the shell's PID. The run must neither
    /// follow nor remove them, and the victim's file must survive.
    #[test]
    fn links_planted_under_the_runs_own_temporary_names_are_never_followed() {
        let (dir, scenario, victim) = workspace();
        let out = dir.path().join("out");
        run(&scenario, &out).success();
        let script = r#"
            v="$1"; d="$2"; s="$3"
            for n in "tmp-$$" "old-$$" "tmp-$$-0123456789abcdef" "old-$$-0000000000000001" "tmp-1" "old-1"; do
                ln -s "$v" "$d/.out.$n" || exit 99
            done
            exec "$0" run "$s" --out "$d/out" --no-charts -q
        "#;
        let bin = assert_cmd::cargo::cargo_bin("surgesim");
        let assert = assert_cmd::Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(&bin)
            .arg(&victim)
            .arg(dir.path())
            .arg(&scenario)
            .assert();
        let output = assert.get_output().clone();
        assert!(output.status.success(), "the run succeeds: {}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(names(&victim), ["precious.txt"], "nothing removed through a link");
        assert_eq!(std::fs::read(victim.join("precious.txt")).expect("kept"), b"mine\n");
        let planted: Vec<String> = names(dir.path()).into_iter().filter(|n| n.starts_with(".out.")).collect();
        assert_eq!(planted.len(), 6, "the links stay, and nothing else is left beside out: {planted:?}");
        assert!(planted.iter().all(|n| is_link(&dir.path().join(n))), "{planted:?}");
        assert!(out.join("summary.json").exists());
    }

    #[test]
    fn a_lock_file_that_is_a_link_to_an_empty_file_is_refused_and_the_file_unchanged() {
        let (dir, scenario, victim) = workspace();
        let empty = victim.join("empty.log");
        std::fs::write(&empty, "").expect("write");
        symlink(&empty, dir.path().join(".out.lock")).expect("symlink");
        let out = dir.path().join("out");
        run(&scenario, &out)
            .code(2)
            .stderr(predicate::str::contains(".out.lock").and(predicate::str::contains("symbolic link")));
        assert_eq!(std::fs::read(&empty).expect("still there"), b"", "not written through the link");
        assert!(is_link(&dir.path().join(".out.lock")), "the link is the user's: kept");
        assert!(!out.exists(), "nothing written");
    }

    #[test]
    fn a_dangling_lock_link_is_refused_and_its_target_not_created() {
        let (dir, scenario, victim) = workspace();
        let absent = victim.join("created-by-surgesim");
        symlink(&absent, dir.path().join(".out.lock")).expect("symlink");
        run(&scenario, &dir.path().join("out")).code(2).stderr(predicate::str::contains(".out.lock"));
        assert!(std::fs::symlink_metadata(&absent).is_err(), "the link's target is not created");
        assert_eq!(names(&victim), ["precious.txt"]);
    }

    #[test]
    fn an_output_folder_whose_files_are_links_is_refused_and_their_targets_kept() {
        let (dir, scenario, victim) = workspace();
        let out = dir.path().join("out");
        run(&scenario, &out).success();
        std::fs::remove_file(out.join("summary.json")).expect("rm");
        symlink(victim.join("precious.txt"), out.join("summary.json")).expect("symlink");
        run(&scenario, &out).code(2).stderr(predicate::str::contains("'summary.json' in it is not a plain file"));
        assert_eq!(std::fs::read(victim.join("precious.txt")).expect("kept"), b"mine\n");
    }
}

#[test]
fn the_wrote_line_escapes_control_characters_in_the_path() {
    let (dir, scenario, _) = workspace();
    let out = dir.path().join("red\u{1b}[31mx\u{7}");
    let assert = surgesim().arg("run").arg(&scenario).arg("--out").arg(&out).arg("--no-charts").assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let wrote = stdout.lines().find(|l| l.contains("wrote")).expect("a wrote line");
    assert!(wrote.contains("red\\u001B[31mx\\u0007"), "escaped as errors are: {wrote:?}");
    assert!(!stdout.contains('\u{1b}') && !stdout.contains('\u{7}'), "no control character raw: {stdout:?}");
    assert!(out.join("summary.json").exists(), "the folder itself has the name given");
}

#[test]
fn an_out_ending_in_slash_dot_writes_the_folder_and_leaves_nothing_beside_it() {
    let (dir, scenario, _) = workspace();
    std::fs::create_dir(dir.path().join("t")).expect("mkdir");
    for out in ["t/.", "t/./", "t/"] {
        surgesim()
            .current_dir(dir.path())
            .arg("run")
            .arg(&scenario)
            .args(["--no-charts", "-q", "--out", out])
            .assert()
            .success();
        assert!(dir.path().join("t/summary.json").exists(), "{out}");
        assert_eq!(names(dir.path()), ["small.toml", "t", "victim"], "{out}: no temporary folder or lock left");
    }
}
