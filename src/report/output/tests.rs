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
    // Named as this version names them, with a nonce.
    let unfinished_nonce = dir.path().join(format!(".run.tmp-{DEAD}-00000000000000ff"));
    std::fs::create_dir(&unfinished_nonce).unwrap();
    std::fs::write(unfinished_nonce.join("a.csv"), "1").unwrap();
    let notes = write_folder(&target, &out).unwrap();
    if cfg!(target_os = "linux") {
        assert!(!unfinished.exists(), "an unfinished write of a dead run goes");
        assert!(!unfinished_nonce.exists(), "named with a nonce too");
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
    // The names are random; the test chooses them to block one.
    fn tag() -> String {
        format!("{}-00000000000000aa", std::process::id())
    }
    let blocker = dir.path().join(format!(".run.old-{}", tag()));
    std::fs::create_dir(&blocker).unwrap();
    std::fs::write(blocker.join("keep.txt"), "mine").unwrap();
    let err = claim(&target, "run").unwrap().write_with(&files(&[("a.csv", "new")]), tag).unwrap_err();
    let kept = dir.path().join(format!(".run.tmp-{}", tag()));
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

#[test]
fn temporary_names_are_new_each_time_and_a_taken_one_is_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("run");
    let (a, b) = (fresh_tag(), fresh_tag());
    assert_ne!(a, b, "a random part: nobody can put a link in their place beforehand");
    assert!(a.starts_with(&format!("{}-", std::process::id())) && a.len() > 17, "{a}");
    // A name already taken (here by a chosen tag) makes the write draw another.
    fn same() -> String {
        "1-00000000000000bb".into()
    }
    std::fs::create_dir(dir.path().join(format!(".run.tmp-{}", same()))).unwrap();
    let c = claim(&target, "run").unwrap();
    assert!(matches!(c.fill_fresh(&files(&[("a.csv", "1")]), same), Err(OutputError::Io { .. })));
    let tmp = c.fill_fresh(&files(&[("a.csv", "1")]), fresh_tag).unwrap();
    assert_eq!(names(&tmp), set(&[MARKER, "a.csv"]));
}

#[test]
fn a_trailing_dot_or_slash_names_the_folder_itself() {
    let dir = tempfile::tempdir().unwrap();
    for given in ["t/.", "t/", "t/./", "t"] {
        let target = dir.path().join(given);
        std::fs::create_dir_all(dir.path().join("t")).unwrap();
        let notes = write_folder(&target, &files(&[("a.csv", given)])).unwrap();
        assert!(notes.is_empty(), "{given}: {notes:?}");
        assert_eq!(std::fs::read(dir.path().join("t/a.csv")).unwrap(), given.as_bytes());
        assert_eq!(names(dir.path()), set(&["t"]), "{given}: nothing left beside it");
    }
    // Relative: the folder in the working directory, named as given.
    let (parent, name, normal) = split(Path::new("t/.")).unwrap();
    assert_eq!((parent, name, normal), (PathBuf::from("."), OsString::from("t"), PathBuf::from("t")));
}

#[cfg(unix)]
mod links {
    //! Links put beside or in the folder by someone who can write its parent.
    use super::*;
    use std::os::unix::fs::symlink;

    /// A folder with a file in it that nobody may touch.
    fn victim(dir: &Path) -> PathBuf {
        let victim = dir.join("victim");
        std::fs::create_dir(&victim).unwrap();
        std::fs::write(victim.join("precious.txt"), "mine").unwrap();
        victim
    }

    #[test]
    fn a_link_named_like_a_temporary_or_moved_aside_folder_is_neither_followed_nor_removed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = victim(dir.path());
        let target = dir.path().join("run");
        let pid = std::process::id();
        let planted: Vec<PathBuf> = [
            format!(".run.tmp-{pid}"),
            format!(".run.old-{pid}"),
            format!(".run.tmp-{DEAD}"),
            format!(".run.old-{DEAD}"),
            format!(".run.tmp-{DEAD}-0123456789abcdef"),
        ]
        .iter()
        .map(|n| dir.path().join(n))
        .collect();
        for link in &planted {
            symlink(&victim, link).unwrap();
        }
        write_folder(&target, &files(&[("a.csv", "1")])).unwrap();
        write_folder(&target, &files(&[("a.csv", "2")])).unwrap();
        assert_eq!(names(&victim), set(&["precious.txt"]));
        for link in &planted {
            assert!(std::fs::symlink_metadata(link).unwrap().is_symlink(), "{} is left alone", link.display());
        }
    }

    #[test]
    fn a_lock_that_is_a_link_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        let lock = dir.path().join(".run.lock");
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        symlink(&empty, &lock).unwrap();
        let err = write_folder(&target, &files(&[("a.csv", "1")])).unwrap_err();
        assert!(matches!(&err, OutputError::Link { path } if *path == lock), "{err:?}");
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains(".run.lock") && err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read(&empty).unwrap(), b"", "not written through the link");
        std::fs::remove_file(&lock).unwrap();
        let absent = dir.path().join("absent");
        symlink(&absent, &lock).unwrap();
        assert!(matches!(write_folder(&target, &files(&[("a.csv", "1")])), Err(OutputError::Link { .. })));
        assert!(std::fs::symlink_metadata(&absent).is_err(), "a dangling link's target is not created");
        assert!(!target.exists());
        // A hard link to someone's empty file is not taken for a lock either.
        std::fs::remove_file(&lock).unwrap();
        std::fs::hard_link(&empty, &lock).unwrap();
        let err = write_folder(&target, &files(&[("a.csv", "1")])).unwrap_err();
        assert!(matches!(&err, OutputError::NotOurs { why: Foreign::LockFile { .. }, .. }), "{err:?}");
        assert_eq!(std::fs::read(&empty).unwrap(), b"");
    }

    #[test]
    fn a_marker_or_listed_file_that_is_a_link_makes_the_folder_foreign() {
        let dir = tempfile::tempdir().unwrap();
        let victim = victim(dir.path());
        let target = dir.path().join("run");
        write_folder(&target, &files(&[("a.csv", "1")])).unwrap();
        // A listed file swapped for a link to someone's file.
        std::fs::remove_file(target.join("a.csv")).unwrap();
        symlink(victim.join("precious.txt"), target.join("a.csv")).unwrap();
        let err = write_folder(&target, &files(&[("a.csv", "2")])).unwrap_err().to_string();
        assert!(err.contains("'a.csv' in it is not a plain file"), "{err}");
        std::fs::remove_file(target.join("a.csv")).unwrap();
        // The marker a link to a marker elsewhere.
        let marker = dir.path().join("marker");
        std::fs::rename(target.join(MARKER), &marker).unwrap();
        symlink(&marker, target.join(MARKER)).unwrap();
        let err = write_folder(&target, &files(&[("a.csv", "2")])).unwrap_err().to_string();
        assert!(err.contains("'.surgesim-output' in it is not a plain file"), "{err}");
        assert_eq!(names(&victim), set(&["precious.txt"]));
    }

    #[test]
    fn removing_a_folder_never_reaches_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let victim = victim(dir.path());
        // A leftover temporary folder that is a link: nothing removed.
        let link = dir.path().join("link");
        symlink(&victim, &link).unwrap();
        stale::remove_unfinished(&link);
        let marker = Marker::new("run", &files(&[("precious.txt", "mine")]));
        assert!(remove_owned(&link, Some(&marker)).is_err());
        assert_eq!(names(&victim), set(&["precious.txt"]));
        // Links in a folder of ours go as names; their targets stay.
        let ours = dir.path().join("ours");
        std::fs::create_dir(&ours).unwrap();
        symlink(victim.join("precious.txt"), ours.join("precious.txt")).unwrap();
        stale::remove_unfinished(&ours);
        assert!(remove_owned(&ours, Some(&marker)).is_err(), "the link is not ours to remove: kept");
        assert_eq!(std::fs::read(victim.join("precious.txt")).unwrap(), b"mine");
    }
}

/// A folder a dead run moved aside (`.NAME.old-PID`) is removed the way a
/// replaced folder is, only the files its marker lists, and only while
/// they hold the bytes it lists: a file edited since is the user's.
#[test]
fn a_moved_aside_file_edited_since_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    write_folder(&old, &files(&[("a.csv", "1"), ("b.csv", "2")])).unwrap();
    let marker = marker::Marker::read(&old).unwrap().expect("our marker");
    std::fs::write(old.join("b.csv"), "edited by hand").unwrap();
    assert!(remove_owned(&old, Some(&marker)).is_err(), "the folder stays: it holds a file of the user's");
    assert_eq!(names(&old), set(&["b.csv"]), "ours went, the edited one stays");
    assert_eq!(std::fs::read(old.join("b.csv")).unwrap(), b"edited by hand");
}

#[test]
fn notes_and_shown_paths_escape_control_characters() {
    let path = PathBuf::from("out/\u{1b}[2Jx\ny");
    assert_eq!(shown(&path), "out/\\u001B[2Jx\\ny");
    for note in [
        Note::KeptFinished { path: path.clone(), pid: 1 },
        Note::Restored { from: path.clone() },
        Note::KeptPrevious { path: path.clone() },
        Note::Unlocked { lock: path.clone(), why: "no".into() },
    ] {
        let text = note.to_string();
        assert!(!text.contains('\u{1b}') && !text.contains('\n') && text.contains("\\u001B"), "{text}");
    }
}
