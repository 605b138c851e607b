//! Writing a run's folder safely: every file goes into a temporary folder
//! beside the target, which replaces the target only once complete. An
//! interrupted or failed run leaves the previous outputs as they were.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Write `files` (name, bytes) as the folder `target`, replacing it whole.
pub fn write_folder(target: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("could not create '{}'", parent.display()))?;
    let name = target.file_name().context("the output folder needs a name")?.to_string_lossy().to_string();
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
    Ok(())
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
