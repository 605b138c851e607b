//! Writing a run's folder safely: every file goes into a temporary folder
//! beside the target, which replaces the target only once complete. An
//! interrupted or failed run leaves the previous outputs as they were.
//!
//! Two more guards. A folder is replaced only if it looks like outputs
//! (nothing in it but the kinds of files surgesim writes), so `--out ~` or
//! `--out src` is refused rather than deleted. And a run killed while it
//! wrote (SIGKILL, a power cut) leaves its `.NAME.tmp-PID` folder behind;
//! the next successful write of NAME removes those of processes that are no
//! longer running (on Linux, where that can be told; elsewhere they stay).

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Write `files` (name, bytes) as the folder `target`, replacing it whole.
pub fn write_folder(target: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("could not create '{}'", parent.display()))?;
    let name = target.file_name().context("the output folder needs a name")?.to_string_lossy().to_string();
    check_replaceable(target)?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.tmp-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    let result = (|| -> Result<()> {
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir(&tmp).with_context(|| format!("could not create '{}'", tmp.display()))?;
        for (file, bytes) in files {
            let path = tmp.join(file);
            std::fs::write(&path, bytes).with_context(|| format!("could not write '{}'", path.display()))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    // Swap: the old folder steps aside, the new one takes its place, and
    // only then is the old one deleted.
    let had_old = target.exists();
    if had_old {
        std::fs::rename(target, &old)
            .with_context(|| format!("could not move the previous '{}' aside", target.display()))?;
    }
    if let Err(e) = std::fs::rename(&tmp, target) {
        if had_old {
            let _ = std::fs::rename(&old, target);
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e).with_context(|| format!("could not move the new outputs into '{}'", target.display()));
    }
    if had_old {
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("could not remove the previous outputs '{}'", old.display()))?;
    }
    remove_stale(parent, &name);
    Ok(())
}

/// Extensions of the files surgesim writes into an output folder.
const OUTPUT_EXTENSIONS: [&str; 5] = ["csv", "json", "md", "png", "svg"];

/// An existing `target` may be replaced only if it is a folder holding
/// nothing but files surgesim writes (hidden files like `.DS_Store` aside):
/// never a file, and never a folder with subfolders or other files in it.
fn check_replaceable(target: &Path) -> Result<()> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("could not look at '{}'", target.display())),
    };
    let refuse = |what: String| {
        anyhow::anyhow!(
            "will not replace '{}': {what}, which surgesim did not write; choose another output folder or move it away",
            target.display()
        )
    };
    if !meta.is_dir() {
        return Err(refuse("it is not a folder".into()));
    }
    let entries = std::fs::read_dir(target).with_context(|| format!("could not read '{}'", target.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("could not read '{}'", target.display()))?;
        let file_name = entry.file_name();
        let file = file_name.to_string_lossy();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        let ours = Path::new(&*file).extension().is_some_and(|e| OUTPUT_EXTENSIONS.iter().any(|o| e == *o));
        if !is_file {
            return Err(refuse(format!("it holds '{file}', which is not a file")));
        }
        if !ours && !file.starts_with('.') {
            return Err(refuse(format!("it holds '{file}'")));
        }
    }
    Ok(())
}

/// Remove `.NAME.tmp-PID` and `.NAME.old-PID` folders beside the target
/// left by runs that died while writing. Best effort: a folder that cannot
/// be removed stays, and is no reason to fail a run that succeeded.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file = file_name.to_string_lossy();
        let Some(pid) = [".tmp-", ".old-"].iter().find_map(|k| file.strip_prefix(&format!(".{name}{k}"))) else {
            continue;
        };
        let dead = pid.parse::<u32>().is_ok_and(|pid| pid != std::process::id() && !is_running(pid));
        if dead && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether process `pid` is running. Only Linux can tell cheaply
/// (`/proc/PID`); elsewhere every process counts as running, so nothing is
/// removed that might still be in use.
fn is_running(pid: u32) -> bool {
    !cfg!(target_os = "linux") || Path::new("/proc").join(pid.to_string()).exists()
}

/// The default folder of a run: `outputs/<scenario name>`.
pub fn default_dir(name: &str) -> PathBuf {
    Path::new("outputs").join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_folder_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        write_folder(&target, &[("a.csv".into(), b"1".to_vec()), ("b.csv".into(), b"2".to_vec())]).unwrap();
        write_folder(&target, &[("a.csv".into(), b"3".to_vec())]).unwrap();
        assert_eq!(std::fs::read(target.join("a.csv")).unwrap(), b"3");
        assert!(!target.join("b.csv").exists(), "stale files from the previous run are gone");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("run")]);
    }

    #[test]
    fn refuses_to_replace_what_it_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let files = [("a.csv".to_string(), b"1".to_vec())];
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join("Documents")).unwrap();
        std::fs::write(home.join("notes.txt"), b"mine").unwrap();
        let err = write_folder(&home, &files).unwrap_err().to_string();
        assert!(err.contains("will not replace") && err.contains("Documents"), "{err}");
        std::fs::remove_dir(home.join("Documents")).unwrap();
        let err = write_folder(&home, &files).unwrap_err().to_string();
        assert!(err.contains("notes.txt"), "{err}");
        assert_eq!(std::fs::read(home.join("notes.txt")).unwrap(), b"mine");
        let file = dir.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        assert!(write_folder(&file, &files).unwrap_err().to_string().contains("not a folder"));
        // Hidden files and our own kinds of files are fine.
        let run = dir.path().join("run");
        std::fs::create_dir(&run).unwrap();
        std::fs::write(run.join(".DS_Store"), b"").unwrap();
        std::fs::write(run.join("old.png"), b"").unwrap();
        write_folder(&run, &files).unwrap();
    }

    #[test]
    fn removes_temporary_folders_of_dead_runs_only() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        // No running process has a PID above the kernel's maximum (2^22).
        let dead = dir.path().join(".run.tmp-4294967295");
        let alive = dir.path().join(format!(".run.tmp-{}", std::process::id()));
        let other = dir.path().join(".other.tmp-4294967295");
        for d in [&dead, &alive, &other] {
            std::fs::create_dir(d).unwrap();
        }
        write_folder(&target, &[("a.csv".into(), b"1".to_vec())]).unwrap();
        assert_eq!(!dead.exists(), cfg!(target_os = "linux"), "a dead run's folder goes (where that can be told)");
        assert!(other.exists(), "another target's folders are not ours to remove");
        // Our own PID's folder is the temporary of this very write: gone too.
        assert!(!alive.exists());
    }

    #[test]
    fn a_failed_write_keeps_the_previous_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        write_folder(&target, &[("a.csv".into(), b"old".to_vec())]).unwrap();
        let err = write_folder(&target, &[("no/such/dir.csv".into(), b"x".to_vec())]);
        assert!(err.is_err());
        assert_eq!(std::fs::read(target.join("a.csv")).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
