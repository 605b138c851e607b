//! One writer per output folder: an exclusive lock on `.NAME.lock` beside
//! folder NAME, taken before a command simulates anything and held until
//! its folder is in place.
//!
//! A second run into the same folder refuses at once (it does not wait):
//! two runs into one folder are almost always a mistake (a job array
//! without its index in `--out`), and waiting would only let the second
//! replace the first's result a moment later. Runs into different folders,
//! even in the same parent, take different locks.
//!
//! The lock is `flock`-style (`File::try_lock`), so the operating system
//! releases it when its holder dies, even by `kill -9`; the file then stays
//! behind and the next run simply takes it. A clean run removes the file
//! (on Unix), while still holding it. Another run may have opened the file
//! just before that and lock it just after, holding a lock on a file no
//! longer at the path while a third run creates a new one: so after locking,
//! a run checks that the path still leads to the file it locked, and starts
//! over if not.
//!
//! The lock file's name is known to anyone, so it is never reached through
//! a link: it is opened with `O_NOFOLLOW` (a link there, dangling or not,
//! is refused and named, its target neither created nor written), and only
//! a plain file with no other name (a hard link to someone's empty file
//! would be written through) is taken as a lock file.

use super::nofollow::is_link;
use super::{io_error, OutputError};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// What a lock file says, so that the next run can name the holder and no
/// file of the user's is ever taken for one.
const HEADER: &str = "surgesim lock, pid ";

/// The held lock of one output folder; released (and its file removed) on drop.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
    /// Why the file system would not lock at all (some network and cluster
    /// file systems, such as Lustre mounted without `flock`): the run goes
    /// on unlocked rather than not at all, and says so.
    unsupported: Option<std::io::Error>,
}

impl Lock {
    /// Lock `path` (the lock file of output folder `target`), or say who holds it.
    pub fn take(path: PathBuf, target: &Path) -> Result<Lock, OutputError> {
        // A few tries: each retry means another run removed the file between
        // our open and our lock, which a healthy system does not do in a loop.
        for _ in 0..8 {
            let mut file = open(&path)?;
            if !is_lone_plain_file(&file) {
                return Err(not_a_lock(&path, target));
            }
            let unsupported = match file.try_lock() {
                Ok(()) => None,
                Err(TryLockError::WouldBlock) => return Err(busy(&mut file, &path, target)),
                Err(TryLockError::Error(e)) if cannot_lock_here(&e) => Some(e),
                Err(TryLockError::Error(e)) => return Err(io_error("lock", &path, e)),
            };
            if !still_at(&file, &path) {
                continue;
            }
            claim_file(&mut file, &path, target)?;
            return Ok(Lock { file, path, unsupported });
        }
        Err(OutputError::Busy { path: target.to_path_buf(), lock: path, pid: None })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why the folder could not be locked, if the file system does not do locks.
    pub fn unsupported(&self) -> Option<&std::io::Error> {
        self.unsupported.as_ref()
    }
}

/// Whether `e` says that this file system takes no locks at all (rather
/// than that something is wrong): `ENOSYS`, `EOPNOTSUPP`, or `ENOLCK` (an
/// NFS mount without its lock daemon).
fn cannot_lock_here(e: &std::io::Error) -> bool {
    const ENOLCK_LINUX: i32 = 37;
    e.kind() == std::io::ErrorKind::Unsupported || (cfg!(target_os = "linux") && e.raw_os_error() == Some(ENOLCK_LINUX))
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, and only if it is still our file. Not on
        // other systems: Windows cannot remove an open file, and they have no
        // inode to compare; the file stays there and is reused.
        if cfg!(unix) && still_at(&self.file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// Open (or create) lock file `path`, never through a link.
fn open(path: &Path) -> Result<File, OutputError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: a FIFO put there must not hang the run (it is then
        // refused as not a plain file).
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    // Elsewhere a look first (Unix needs none: O_NOFOLLOW refuses it).
    if !cfg!(unix) && is_link(path) {
        return Err(OutputError::Link { path: path.to_path_buf() });
    }
    options.open(path).map_err(|e| {
        // ELOOP on Linux, EMLINK or EFTYPE on some BSDs: told by looking.
        if is_link(path) {
            OutputError::Link { path: path.to_path_buf() }
        } else {
            io_error("create the lock file", path, e)
        }
    })
}

/// Whether open `file` is a plain file with one name: a lock file surgesim
/// made, or one a user could not have pointed at a file of theirs.
fn is_lone_plain_file(file: &File) -> bool {
    let Ok(meta) = file.metadata() else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return false;
        }
    }
    meta.is_file()
}

fn not_a_lock(path: &Path, target: &Path) -> OutputError {
    OutputError::NotOurs { path: target.to_path_buf(), why: super::Foreign::LockFile { path: path.to_path_buf() } }
}

/// The most a lock file is read for: its one line.
const LOCK_MAX: u64 = 256;

/// Check that a freshly locked file is a surgesim lock (empty if new), then
/// write our PID into it for the next run's message.
fn claim_file(file: &mut File, path: &Path, target: &Path) -> Result<(), OutputError> {
    let mut text = String::new();
    let read = Read::take(&*file, LOCK_MAX).read_to_string(&mut text).is_ok();
    let ours = read && (text.is_empty() || text.starts_with(HEADER)) && text.len() < LOCK_MAX as usize;
    if !ours {
        return Err(not_a_lock(path, target));
    }
    let write = |file: &mut File| -> std::io::Result<()> {
        file.set_len(0)?;
        file.rewind()?;
        writeln!(file, "{HEADER}{}", std::process::id())
    };
    write(file).map_err(|e| io_error("write the lock file", path, e))
}

/// The error for a folder another run is writing, naming it if it can
/// (read from the open lock file, not from its path again).
fn busy(file: &mut File, path: &Path, target: &Path) -> OutputError {
    let mut text = String::new();
    let read = Read::take(&*file, LOCK_MAX).read_to_string(&mut text).is_ok();
    let pid = read.then(|| text.strip_prefix(HEADER).and_then(|p| p.trim().parse::<u32>().ok())).flatten();
    OutputError::Busy { path: target.to_path_buf(), lock: path.to_path_buf(), pid }
}

/// Whether `path` itself (not a link's target) still is the open `file`
/// (same device and inode). Elsewhere than Unix there is no inode to
/// compare: always true.
#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_file: &File, _path: &Path) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_of_one_folder_is_refused_with_the_holders_pid() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        let path = dir.path().join(".run.lock");
        let held = Lock::take(path.clone(), &target).unwrap();
        match Lock::take(path.clone(), &target) {
            Err(OutputError::Busy { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Busy, got {other:?}"),
        }
        // Another folder in the same parent is not blocked.
        let other = Lock::take(dir.path().join(".other.lock"), &dir.path().join("other")).unwrap();
        drop(held);
        drop(other);
        assert!(!path.exists() || !cfg!(unix), "a released lock removes its file");
        drop(Lock::take(path, &target).unwrap());
    }

    #[test]
    fn a_lock_left_by_a_dead_run_is_taken_over_but_a_users_file_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        let path = dir.path().join(".run.lock");
        std::fs::write(&path, format!("{HEADER}4294967295\n")).unwrap();
        drop(Lock::take(path.clone(), &target).unwrap());
        std::fs::write(&path, "my own notes\n").unwrap();
        assert!(matches!(Lock::take(path.clone(), &target), Err(OutputError::NotOurs { .. })));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "my own notes\n", "left as it was");
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_whose_file_was_removed_meanwhile_is_taken_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".run.lock");
        let file = File::create(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(!still_at(&file, &path));
        let lock = Lock::take(path.clone(), &dir.path().join("run")).unwrap();
        assert!(still_at(&lock.file, &path));
    }
}
