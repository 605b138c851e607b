//! Files and folders beside and inside an output folder, reached without
//! following symbolic links.
//!
//! Anyone who can write the folder that holds `--out` can put a link where
//! surgesim keeps its own files (`.NAME.lock`, `.NAME.tmp-…`, the marker,
//! a listed file), pointing at a file or folder of someone else's. A path
//! opened or listed through such a link would have surgesim overwrite,
//! create or delete files far from its output folder. So every destructive
//! step here is taken without following one:
//! - files are created exclusively (`O_CREAT | O_EXCL | O_NOFOLLOW`): a
//!   link (even a dangling one) or any other entry in the way fails the
//!   create instead of being written through;
//! - files are opened with `O_NOFOLLOW | O_NONBLOCK` and used only if they
//!   are plain files (a FIFO or device would hang or never end);
//! - a folder whose files are removed is opened once (`O_DIRECTORY |
//!   O_NOFOLLOW`), and each file is looked at (`fstatat` without following)
//!   and removed (`unlinkat`) relative to that open folder: a link found
//!   there, or a folder swapped for a link meanwhile, is never descended
//!   into, and `unlinkat` removes a name, never what it points to.
//!
//! Elsewhere than Unix the same checks are made on paths (`symlink_metadata`
//! before each step), which leaves a race that Unix does not have.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, ErrorKind, Read};
use std::path::{Path, PathBuf};

/// The error for an entry that is there but is not a plain file.
fn not_plain() -> io::Error {
    io::Error::new(ErrorKind::InvalidInput, "not a plain file (a symbolic link, folder or device)")
}

/// Whether `path` itself (not what it may point to) is a symbolic link.
pub fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink())
}

/// Open plain file `path` for reading: `Ok(None)` if nothing is there, an
/// error if it is a link (at its last component), a folder, a FIFO or a
/// device.
pub fn open_plain(path: &Path) -> io::Result<Option<File>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    #[cfg(not(unix))]
    if is_link(path) {
        return Err(not_plain());
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        // ELOOP on Linux, EMLINK or EFTYPE on some BSDs: told by looking.
        Err(_) if is_link(path) => return Err(not_plain()),
        Err(e) => return Err(e),
    };
    if !file.metadata()?.is_file() {
        return Err(not_plain());
    }
    Ok(Some(file))
}

/// The bytes of plain file `path` (as `open_plain`), refused if it holds
/// more than `limit` bytes: a file of someone else's is never read whole.
pub fn read_plain(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let Some(file) = open_plain(path)? else { return Ok(None) };
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(ErrorKind::InvalidData, format!("it holds more than {limit} bytes")));
    }
    Ok(Some(bytes))
}

/// A folder opened for work inside it (never through a link at its own
/// path), every step relative to the open folder.
pub struct Dir {
    path: PathBuf,
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
}

impl Dir {
    /// Open folder `path`; an error if it is a link, or not a folder.
    pub fn open(path: &Path) -> io::Result<Dir> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            let file = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(path)?;
            Ok(Dir { path: path.to_path_buf(), fd: file.into() })
        }
        #[cfg(not(unix))]
        {
            let meta = std::fs::symlink_metadata(path)?;
            if !meta.is_dir() {
                return Err(io::Error::new(ErrorKind::InvalidInput, "not a folder (or a symbolic link)"));
            }
            Ok(Dir { path: path.to_path_buf() })
        }
    }

    /// The names in the folder. Listed by path (the names only): every step
    /// taken on one goes through the open folder, so a folder swapped at
    /// that path meanwhile gives names that are looked up in this one.
    pub fn names(&self) -> io::Result<Vec<OsString>> {
        std::fs::read_dir(&self.path)?.map(|e| e.map(|e| e.file_name())).collect()
    }

    /// Create file `name` in the folder; fails if anything is there already,
    /// a link (dangling or not) included.
    pub fn create_new(&self, name: &OsStr) -> io::Result<File> {
        #[cfg(unix)]
        {
            let c = c_name(name)?;
            let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC;
            // SAFETY: `c` is a NUL-terminated name and `self.fd` an open
            // folder; the returned descriptor is owned by the `File` alone.
            let fd = unsafe { libc::openat(raw(&self.fd), c.as_ptr(), flags, 0o666 as libc::c_uint) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `fd` was just opened and nothing else holds it.
            Ok(unsafe { <File as std::os::fd::FromRawFd>::from_raw_fd(fd) })
        }
        #[cfg(not(unix))]
        {
            std::fs::OpenOptions::new().write(true).create_new(true).open(self.path.join(name))
        }
    }

    /// Whether `name` in the folder is a plain file (not a link to one).
    pub fn is_plain_file(&self, name: &OsStr) -> bool {
        #[cfg(unix)]
        {
            let Ok(c) = c_name(name) else { return false };
            // SAFETY: an all-zero `stat` is a valid value to be overwritten.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            // SAFETY: `c` is NUL-terminated, `st` a valid place to write.
            let rc = unsafe { libc::fstatat(raw(&self.fd), c.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) };
            rc == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFREG
        }
        #[cfg(not(unix))]
        {
            std::fs::symlink_metadata(self.path.join(name)).is_ok_and(|m| m.is_file())
        }
    }

    /// Remove `name` from the folder if it is a plain file. A link is never
    /// followed: on Unix `unlinkat` removes the name, whatever it became
    /// after the look.
    pub fn remove_plain_file(&self, name: &OsStr) -> io::Result<()> {
        if !self.is_plain_file(name) {
            return Err(not_plain());
        }
        #[cfg(unix)]
        {
            let c = c_name(name)?;
            // SAFETY: `c` is NUL-terminated and `self.fd` an open folder.
            if unsafe { libc::unlinkat(raw(&self.fd), c.as_ptr(), 0) } != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        }
        #[cfg(not(unix))]
        {
            std::fs::remove_file(self.path.join(name))
        }
    }
}

#[cfg(unix)]
fn raw(fd: &std::os::fd::OwnedFd) -> std::os::fd::RawFd {
    std::os::fd::AsRawFd::as_raw_fd(fd)
}

/// `name` for a libc call: one plain name (no `/`, no NUL), so that the
/// call stays in its folder.
#[cfg(unix)]
fn c_name(name: &OsStr) -> io::Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes == b"." || bytes == b".." || bytes.contains(&b'/') {
        return Err(io::Error::new(ErrorKind::InvalidInput, "not a plain file name"));
    }
    std::ffi::CString::new(bytes).map_err(|_| io::Error::new(ErrorKind::InvalidInput, "a NUL in a file name"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_are_never_followed_to_create_read_or_remove() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("precious"), "mine").unwrap();
        let ours = dir.path().join("ours");
        std::fs::create_dir(&ours).unwrap();
        symlink(elsewhere.join("precious"), ours.join("link")).unwrap();
        symlink(elsewhere.join("absent"), ours.join("dangling")).unwrap();
        let d = Dir::open(&ours).unwrap();
        assert!(d.create_new(OsStr::new("link")).is_err());
        assert!(d.create_new(OsStr::new("dangling")).is_err());
        assert!(!elsewhere.join("absent").exists(), "a dangling link's target is not created");
        assert!(!d.is_plain_file(OsStr::new("link")));
        assert!(d.remove_plain_file(OsStr::new("link")).is_err());
        assert!(open_plain(&ours.join("link")).is_err());
        assert_eq!(open_plain(&ours.join("none")).unwrap().map(|_| ()), None);
        // A folder reached through a link is not opened.
        symlink(&elsewhere, dir.path().join("to-elsewhere")).unwrap();
        assert!(Dir::open(&dir.path().join("to-elsewhere")).is_err());
        assert_eq!(std::fs::read(elsewhere.join("precious")).unwrap(), b"mine");
        // A plain file is created, read and removed.
        drop(d.create_new(OsStr::new("a.csv")).unwrap());
        assert!(d.is_plain_file(OsStr::new("a.csv")));
        assert_eq!(read_plain(&ours.join("a.csv"), 10).unwrap(), Some(Vec::new()));
        d.remove_plain_file(OsStr::new("a.csv")).unwrap();
        assert!(d.create_new(OsStr::new("../x")).is_err(), "names stay in their folder");
    }

    #[test]
    fn a_fifo_is_neither_read_nor_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(open_plain(&fifo).is_err());
    }
}
