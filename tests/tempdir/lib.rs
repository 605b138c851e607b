//! Temporary folders for surgesim's tests: the part of the `tempfile`
//! crate's API they use (`tempdir()`, `TempDir::path`), with no dependency,
//! so `cargo test --release` builds one small crate here rather than
//! `tempfile`'s and a rebuild of shared crates whose features it changes
//! (issue 27).
//!
//! A folder is made under the system's temporary folder, named by this
//! process and a counter; `create_dir` refuses a name already there (a
//! file, a folder or a link, from anyone), and the next name is tried. The
//! folder is created with mode 0700 on Unix, as `tempfile` does, and
//! removed with all it holds when its `TempDir` drops.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A folder removed with its contents when dropped.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Where the folder is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // A test that failed may have left anything inside: best effort, as
        // `tempfile` does (an error here must not hide the test's own).
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A new, empty folder under `std::env::temp_dir()`.
pub fn tempdir() -> std::io::Result<TempDir> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    let pid = std::process::id();
    // A bound on the names tried, so a temporary folder that refuses every
    // name is an error, not a hang.
    for _ in 0..1000 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = base.join(format!(".tmp-surgesim-{pid}-{n}"));
        match create(&path) {
            Ok(()) => return Ok(TempDir { path }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("no free name for a temporary folder in {}", base.display()),
    ))
}

#[cfg(unix)]
fn create(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(path)
}

#[cfg(not(unix))]
fn create(path: &Path) -> std::io::Result<()> {
    std::fs::create_dir(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_new_empty_and_removed_with_its_contents() {
        let a = tempdir().unwrap();
        let b = tempdir().unwrap();
        assert_ne!(a.path(), b.path());
        assert!(std::fs::read_dir(a.path()).unwrap().next().is_none());
        std::fs::create_dir(a.path().join("x")).unwrap();
        std::fs::write(a.path().join("x/y"), "z").unwrap();
        let p = a.path().to_path_buf();
        drop(a);
        assert!(!p.exists());
        assert!(b.path().is_dir());
    }
}
