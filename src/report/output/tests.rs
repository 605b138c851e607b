use super::*;
use std::collections::BTreeSet;

fn files(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    pairs.iter().map(|(n, b)| (n.to_string(), b.as_bytes().to_vec())).collect()
}

/// The names in folder `dir`.
fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// A process id no process has (Linux PIDs stop at 2^22).
const DEAD: u32 = u32::MAX;

#[test]
fn replaces_its_own_folder_whole_and_leaves_nothing_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("run");
    write_folder(&target, &files(&[("a.csv", "1"), ("b.csv", "2")])).unwrap();
    assert_eq!(names(&target), set(&[MARKER, "a.csv", "b.csv"]));
    write_folder(&target, &files(&[("a.csv", "3")])).unwrap();
    assert_eq!(std::fs::read(target.join("a.csv")).unwrap(), b"3");
    assert_eq!(names(&target), set(&[MARKER, "a.csv"]), "stale files of the previous run are gone");
    assert_eq!(names(dir.path()), set(&["run"]), "no temporary folder, no lock file");
}

#[test]
fn refuses_folders_it_did_not_write_and_touches_nothing_in_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = files(&[("a.csv", "1")]);
    let refused = |target: &Path| match write_folder(target, &out) {
        Err(e @ OutputError::NotOurs { .. }) => {
            assert_eq!(e.exit_code(), 2);
            e.to_string()
        }
        other => panic!("{}: expected a refusal, got {other:?}", target.display()),
    };
    // The example: files with our extensions are not ours.
    let mydata = dir.path().join("mydata");
    std::fs::create_dir(&mydata).unwrap();
    std::fs::write(mydata.join("customers.csv"), "id,value\n").unwrap();
    std::fs::write(mydata.join("notes.md"), "# notes\n").unwrap();
    let err = refused(&mydata);
    assert!(err.contains("mydata") && err.contains("customers.csv") && err.contains("no .surgesim-output"), "{err}");
    assert_eq!(names(&mydata), set(&["customers.csv", "notes.md"]));
    // Hidden files are no exception, nor are subfolders.
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(docs.join("img")).unwrap();
    std::fs::write(docs.join(".env"), "KEY=1\n").unwrap();
    assert!(refused(&docs).contains(".env"));
    // Not a folder; a link to one.
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    assert!(refused(&file).contains("not a folder"));
    #[cfg(unix)]
    {
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&mydata, &link).unwrap();
        assert!(refused(&link).contains("symbolic link"));
    }
    assert_eq!(std::fs::read_to_string(file).unwrap(), "x");
    let expected: &[&str] = if cfg!(unix) { &["mydata", "docs", "file", "link"] } else { &["mydata", "docs", "file"] };
    assert_eq!(names(dir.path()), set(expected), "no temporary folder, no lock file");
}

#[test]
fn an_empty_folder_or_one_with_only_os_litter_is_used() {
    let dir = tempfile::tempdir().unwrap();
    for (name, litter) in [("empty", None), ("finder", Some(".DS_Store")), ("explorer", Some("Thumbs.db"))] {
        let target = dir.path().join(name);
        std::fs::create_dir(&target).unwrap();
        if let Some(l) = litter {
            std::fs::write(target.join(l), "").unwrap();
        }
        write_folder(&target, &files(&[("a.csv", "1")])).unwrap();
        assert_eq!(names(&target), set(&[MARKER, "a.csv"]));
    }
}

#[test]
fn a_file_added_to_or_changed_in_its_own_folder_blocks_the_replacement() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("run");
    write_folder(&target, &files(&[("report.md", "# run\n"), ("a.csv", "1")])).unwrap();
    std::fs::write(target.join("trace.csv"), "time,count\n").unwrap();
    let err = write_folder(&target, &files(&[("a.csv", "2")])).unwrap_err().to_string();
    assert!(err.contains("'trace.csv'") && err.contains("move that file out"), "{err}");
    std::fs::remove_file(target.join("trace.csv")).unwrap();
    std::fs::write(target.join("report.md"), "# run\nmy notes\n").unwrap();
    let err = write_folder(&target, &files(&[("a.csv", "2")])).unwrap_err().to_string();
    assert!(err.contains("'report.md' in it was changed"), "{err}");
    assert_eq!(std::fs::read_to_string(target.join("report.md")).unwrap(), "# run\nmy notes\n");
    // A listed file the user deleted is nothing lost.
    std::fs::remove_file(target.join("report.md")).unwrap();
    write_folder(&target, &files(&[("a.csv", "2")])).unwrap();
    assert_eq!(names(dir.path()), set(&["run"]));
}

#[test]
fn paths_without_a_folder_name_are_bad_arguments() {
    for path in ["/", ".", "..", "foo/..", "", "./"] {
        match claim(Path::new(path), "run") {
            Err(e @ OutputError::BadPath { .. }) => {
                assert_eq!(e.exit_code(), 2);
                assert!(e.to_string().contains("names no folder of its own"), "{e}");
            }
            other => panic!("{path:?}: expected BadPath, got {other:?}"),
        }
    }
    let long = "x".repeat(250);
    assert!(matches!(claim(Path::new(&long), "run"), Err(OutputError::BadPath { .. })));
}

#[test]
fn a_second_claim_of_a_folder_is_refused_while_the_first_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("run");
    let first = claim(&target, "run").unwrap();
    let err = claim(&target, "run").unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains(&format!("PID {}", std::process::id())), "{err}");
    // A neighbour is free.
    claim(&dir.path().join("other"), "run").unwrap().write(&files(&[("a.csv", "1")])).unwrap();
    first.write(&files(&[("a.csv", "1")])).unwrap();
    claim(&target, "run").unwrap();
}

#[test]
fn unfinished_temporaries_of_dead_runs_go_finished_ones_stay_and_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("run");
    let unfinished = dir.path().join(format!(".run.tmp-{DEAD}"));
    std::fs::create_dir(&unfinished).unwrap();
    std::fs::write(unfinished.join("timeseries.csv"), "time\n").unwrap();
    let finished = dir.path().join(".run.tmp-4194305");
    let out = files(&[("a.csv", "1")]);
    std::fs::create_dir(&finished).unwrap();
    std::fs::write(finished.join("a.csv"), "1").unwrap();
    std::fs::write(finished.join(MARKER), Marker::new("run", &out).to_bytes()).unwrap();
    let other = dir.path().join(format!(".other.tmp-{DEAD}"));
    std::fs::create_dir(&other).unwrap();
    let notes = write_folder(&target, &out).unwrap();
    if cfg!(target_os = "linux") {
        assert!(!unfinished.exists(), "an unfinished write of a dead run goes");
        assert_eq!(notes, vec![Note::KeptFinished { path: finished.clone(), pid: 4194305 }]);
        assert!(notes[0].to_string().contains(".run.tmp-4194305"));
    }
    assert!(finished.join("a.csv").exists(), "a finished result is never deleted");
    assert!(other.exists(), "another folder's leftovers are not ours to judge");
}

#[test]
fn previous_outputs_a_dead_run_moved_aside_are_put_back() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("run");
    write_folder(&target, &files(&[("a.csv", "old")])).unwrap();
    let aside = dir.path().join(format!(".run.old-{DEAD}"));
    std::fs::rename(&target, &aside).unwrap();
    let claim = claim(&target, "run").unwrap();
    assert_eq!(std::fs::read(target.join("a.csv")).unwrap(), b"old", "back in place before the run");
    assert_eq!(claim.notes, vec![Note::Restored { from: aside }]);
}

#[test]
fn a_failed_write_keeps_the_previous_outputs_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("run");
    write_folder(&target, &files(&[("a.csv", "old")])).unwrap();
    assert!(write_folder(&target, &files(&[("no/such/dir.csv", "x")])).is_err());
    assert_eq!(std::fs::read(target.join("a.csv")).unwrap(), b"old");
    assert_eq!(names(dir.path()), set(&["run"]));
}

#[test]
fn a_failed_swap_puts_nothing_at_risk_and_names_the_finished_result() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("run");
    write_folder(&target, &files(&[("a.csv", "old")])).unwrap();
    // The previous outputs cannot step aside: their place is taken by a
    // folder that is not empty (as a mount point cannot be renamed at all).
    let blocker = dir.path().join(format!(".run.old-{}", std::process::id()));
    std::fs::create_dir(&blocker).unwrap();
    std::fs::write(blocker.join("keep.txt"), "mine").unwrap();
    let err = write_folder(&target, &files(&[("a.csv", "new")])).unwrap_err();
    let kept = dir.path().join(format!(".run.tmp-{}", std::process::id()));
    assert!(matches!(&err, OutputError::Unplaced { kept: k, previous: None, .. } if *k == kept), "{err:?}");
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains(&*kept.to_string_lossy()), "the finished result is named: {err}");
    assert_eq!(std::fs::read(target.join("a.csv")).unwrap(), b"old");
    assert_eq!(std::fs::read(kept.join("a.csv")).unwrap(), b"new");
    assert_eq!(std::fs::read(blocker.join("keep.txt")).unwrap(), b"mine");
}

#[test]
fn a_file_put_in_the_folder_while_running_is_kept_and_so_is_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("run");
    write_folder(&target, &files(&[("a.csv", "old")])).unwrap();
    let claim = claim(&target, "run").unwrap();
    std::fs::write(target.join("notes.md"), "mine").unwrap();
    let err = claim.write(&files(&[("a.csv", "new")])).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let msg = err.to_string();
    assert!(msg.contains("notes.md") && msg.contains(".run.tmp-"), "{msg}");
    assert_eq!(std::fs::read(target.join("notes.md")).unwrap(), b"mine");
}
