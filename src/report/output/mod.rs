//! Writing a command's output folder without ever losing a file: claim the
//! folder, run, then write it whole.
//!
//! ```text
//! let claim = output::claim(&dir, "run")?;   // checks + lock, before simulating
//! ...                                         // simulate, render
//! let notes = claim.write(&files)?;           // temp folder, marker, swap
//! ```
//!
//! - **Ownership** (`marker`): surgesim replaces only a folder it wrote,
//!   told by the marker `.surgesim-output` it writes into every output
//!   folder, and only while the folder holds nothing but the files that
//!   marker lists, unchanged. An empty folder (or one holding nothing but
//!   OS litter such as `.DS_Store`) may be used. Anything else is refused,
//!   naming the file that makes it foreign: a user's file is never deleted.
//! - **One writer** (`lock`): the claim locks `.NAME.lock` beside the folder
//!   until the write is done; a second run into the same folder refuses at
//!   once, naming the other run's PID. A killed run's lock dies with it.
//! - **All or nothing**: the files go into `.NAME.tmp-PID-NONCE` beside
//!   the target, the marker last, and the folder replaces the target by two
//!   renames (the old one steps aside to `.NAME.old-PID-NONCE`, the new one
//!   takes its place, then the old one's listed files are removed). If that fails,
//!   the previous outputs are put back and the error names the temporary
//!   folder holding the finished result: a finished result is never
//!   deleted, and never left behind unnamed.
//! - **Leftovers** (`stale`): what dead runs left beside the folder is
//!   cleared or put back by the next claim of it.
//! - **No links followed** (`nofollow`): whoever can write the folder that
//!   holds the target can put links beside it and in it. So the names
//!   surgesim creates there carry a random NONCE (64 bits from the
//!   operating system: nobody can put anything in their place beforehand),
//!   files are created exclusively and opened without following a link,
//!   and files are removed only as plain files of a folder opened without
//!   following one. A link where surgesim keeps a file of its own (the
//!   lock) is refused and named (exit code 2); nothing is created, written
//!   or removed through it.

mod lock;
pub mod marker;
mod nofollow;
mod stale;

pub use marker::{Marker, MARKER};

use lock::Lock;
use marker::{is_ours_anyway, is_plain_name, unchanged};
use nofollow::Dir;
use std::ffi::{OsStr, OsString};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// Why an output folder could not be used or written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// `--out /`, `.`, `..`: no folder of its own to write. Exit code 2.
    #[error("'{}' cannot be an output folder: {why}", .path.display())]
    BadPath { path: PathBuf, why: &'static str },
    /// The folder (or a file in it) is not surgesim's to replace. Exit code 2.
    #[error("will not replace '{}': {why}. surgesim replaces only a folder it wrote itself, holding nothing \
             but the files it wrote there; {}", .path.display(), .why.hint())]
    NotOurs { path: PathBuf, why: Foreign },
    /// Another run holds the folder's lock. Exit code 1: nothing is wrong
    /// with the command, it can succeed once the other run is done.
    #[error("'{}' is being written by another surgesim run{}; wait for it to finish, or choose another \
             --out (its lock: '{}')", .path.display(), .pid.map(|p| format!(" (PID {p})")).unwrap_or_default(),
             .lock.display())]
    Busy { path: PathBuf, lock: PathBuf, pid: Option<u32> },
    /// The disk said no. Exit code 1.
    #[error("could not {what} '{}': {err}", .path.display())]
    Io { what: &'static str, path: PathBuf, err: std::io::Error },
    /// The new outputs are finished but could not take their place: they
    /// are kept, and named. Exit code: that of `why`.
    #[error("{why}; the new outputs are complete in '{}', {}", .kept.display(), .previous.as_ref()
             .map_or("the previous ones untouched".to_string(), |p| format!("the previous ones in '{}'", p.display())))]
    Unplaced { why: Box<OutputError>, kept: PathBuf, previous: Option<PathBuf> },
    /// A symbolic link where surgesim keeps a file of its own beside the
    /// folder (its lock): someone else's, pointing who knows where; not
    /// followed. Exit code 2.
    #[error("'{}' is a symbolic link, where surgesim keeps a file of its own; surgesim does not follow \
             links there (it would create or write the file the link points to). Remove the link, or choose \
             another --out", .path.display())]
    Link { path: PathBuf },
}

impl OutputError {
    /// 2 for a folder or path the user must change, 1 for the rest.
    pub fn exit_code(&self) -> i32 {
        match self {
            OutputError::BadPath { .. } | OutputError::NotOurs { .. } | OutputError::Link { .. } => 2,
            OutputError::Busy { .. } | OutputError::Io { .. } => 1,
            OutputError::Unplaced { why, .. } => why.exit_code(),
        }
    }
}

pub(crate) fn io_error(what: &'static str, path: &Path, err: std::io::Error) -> OutputError {
    OutputError::Io { what, path: path.to_path_buf(), err }
}

/// What makes a folder foreign.
#[derive(Debug, thiserror::Error)]
pub enum Foreign {
    #[error("it is not a folder")]
    NotAFolder,
    #[error("it is a symbolic link")]
    Symlink,
    #[error(
        "it holds '{file}' and no .surgesim-output marker, so surgesim did not write it (folders written \
         before surgesim marked its outputs have no marker either)"
    )]
    NoMarker { file: String },
    #[error("its .surgesim-output marker is broken: {why}")]
    BadMarker { why: String },
    #[error("it holds '{file}', which surgesim did not write there")]
    Unlisted { file: String },
    #[error("'{file}' in it is not a plain file")]
    NotAFile { file: String },
    #[error("'{file}' in it was changed since surgesim wrote it")]
    Changed { file: String },
    #[error("'{}' beside it is not a surgesim lock file", .path.display())]
    LockFile { path: PathBuf },
}

impl Foreign {
    /// What the user can do about it.
    fn hint(&self) -> &'static str {
        match self {
            Foreign::Unlisted { .. } | Foreign::NotAFile { .. } | Foreign::Changed { .. } => {
                "move that file out of it (or delete it) yourself, or choose another --out"
            }
            Foreign::LockFile { .. } => "move that file away, or choose another --out",
            _ => "choose another --out, or move the folder away (or delete it) yourself",
        }
    }
}

/// Something the user should hear about, though the write succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A dead run's finished result that never reached its place (it was
    /// killed in the swap, or the swap failed and said so): kept.
    KeptFinished { path: PathBuf, pid: u32 },
    /// A dead run's moved-aside previous outputs, put back in place.
    Restored { from: PathBuf },
    /// Previous outputs moved aside that could not be removed (or hold
    /// files surgesim did not write): kept.
    KeptPrevious { path: PathBuf },
    /// The file system takes no locks: the run went on without one.
    Unlocked { lock: PathBuf, why: String },
}

/// How a message or note shows path `path`: as given, with control
/// characters escaped (a path may hold any byte but `/` and NUL, and one
/// holding ESC must not restyle the terminal).
pub fn shown(path: &Path) -> String {
    crate::scenario::echo::escaped(&path.display().to_string()).into_owned()
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::KeptFinished { path, pid } => write!(
                f,
                "kept '{}': the finished outputs of an earlier run (PID {pid}) that never took their place; \
                 move them where you want them, or delete them",
                shown(path)
            ),
            Note::Restored { from } => {
                write!(f, "put back the previous outputs from '{}', where a stopped run had moved them", shown(from))
            }
            Note::KeptPrevious { path } => write!(
                f,
                "kept '{}': previous outputs moved aside that surgesim could not remove or did not wholly \
                 write; look at them, then delete them",
                shown(path)
            ),
            Note::Unlocked { lock, why } => write!(
                f,
                "could not lock '{}' ({why}): this file system takes no locks, so nothing stops another run \
                 from writing the same folder at the same time",
                shown(lock)
            ),
        }
    }
}

/// An output folder claimed by this process: checked, and locked until
/// `write` is done (or the claim is dropped).
#[derive(Debug)]
pub struct Claim {
    target: PathBuf,
    parent: PathBuf,
    name: OsString,
    command: String,
    notes: Vec<Note>,
    /// Held until the claim is written or dropped.
    _lock: Lock,
}

/// Claim folder `target` for `command` (`run`, `sweep`, ...): refuse a bad
/// path or a folder surgesim may not replace, take its lock, and deal with
/// what dead runs left beside it. Call it before the work, so that nothing
/// is computed only to be refused.
pub fn claim(target: &Path, command: &str) -> Result<Claim, OutputError> {
    let (parent, name, target) = split(target)?;
    let target = target.as_path();
    std::fs::create_dir_all(&parent).map_err(|e| io_error("create the folder", &parent, e))?;
    let lock = Lock::take(sibling(&parent, &name, "lock"), target)?;
    let mut notes: Vec<Note> = lock
        .unsupported()
        .map(|e| Note::Unlocked { lock: lock.path().to_path_buf(), why: e.to_string() })
        .into_iter()
        .collect();
    notes.extend(stale::recover(&parent, &name, target));
    judge(target)?;
    Ok(Claim { target: target.to_path_buf(), parent, name, command: command.into(), notes, _lock: lock })
}

/// Claim and write at once (for library callers with their files ready).
pub fn write_folder(target: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<Note>, OutputError> {
    claim(target, "write_folder")?.write(files)
}

/// The default folder of a run: `outputs/<scenario name>`.
pub fn default_dir(name: &str) -> PathBuf {
    Path::new("outputs").join(name)
}

/// The default folder of a run of `s` (`what` after its name, like
/// `-sweep`): `outputs/<name><what>` for the scenario as its file says, and
/// `outputs/<name>-<8 hex digits><what>` for one changed by `--set`,
/// `--seed` or `--scale`, the digits a CRC-32 of those changes. A what-if
/// run from the command line then never replaces the file's own run, and
/// the same what-if lands in the same folder each time.
pub fn default_dir_of(s: &crate::scenario::Scenario, what: &str) -> PathBuf {
    if s.origin.is_plain() {
        return default_dir(&format!("{}{what}", s.name));
    }
    let mut key = format!("{:?}|{:?}", s.origin.set, s.origin.scale.map(f64::to_bits));
    // Only when there is one, so that the folders of --set runs keep their names.
    if !s.origin.unset.is_empty() {
        key.push_str(&format!("|unset {:?}", s.origin.unset));
    }
    default_dir_keyed(&s.name, key.as_bytes(), what)
}

/// The default folder of a question asked of `s` (`plan`, `calibrate`):
/// `default_dir_of` with the question's flags (`question`, the `--set`s
/// among them) in place of the scenario's own changes, so that each
/// question lands in a folder of its own and never in another's.
pub fn default_dir_of_question(s: &crate::scenario::Scenario, question: Vec<String>, what: &str) -> PathBuf {
    let origin = crate::scenario::Origin { set: question, ..s.origin.clone() };
    default_dir_of(&crate::scenario::Scenario { origin, ..s.clone() }, what)
}

/// `outputs/<name>-<8 hex digits><what>`, the digits a CRC-32 of `key`:
/// the folder of a question, for a command whose answer depends on more
/// than a file (`compare`'s scenarios and options). The same key lands in
/// the same folder; another lands elsewhere (but for a CRC collision, one
/// in four billion).
pub fn default_dir_keyed(name: &str, key: &[u8], what: &str) -> PathBuf {
    default_dir(&format!("{name}-{:08x}{what}", crc32fast::hash(key)))
}

impl Claim {
    /// The folder claimed.
    pub fn dir(&self) -> &Path {
        &self.target
    }

    /// Write `files` (name, bytes) as the claimed folder, replacing it
    /// whole; returns what the user should hear about. The lock is released
    /// when this returns.
    pub fn write(self, files: &[(String, Vec<u8>)]) -> Result<Vec<Note>, OutputError> {
        self.write_with(files, fresh_tag)
    }

    /// `write`, the `PID-NONCE` of the temporary and moved-aside folders'
    /// names drawn by `tag` (tests choose them).
    fn write_with(mut self, files: &[(String, Vec<u8>)], tag: fn() -> String) -> Result<Vec<Note>, OutputError> {
        let tmp = self.fill_fresh(files, tag)?;
        // Judged again: the user may have put a file there while we ran.
        let existing = judge(&self.target).map_err(|why| unplaced(why, &tmp, None))?;
        let old = sibling(&self.parent, &self.name, &format!("{}-{}", stale::Kind::Old.infix(), tag()));
        self.swap(&tmp, &old, existing)?;
        Ok(self.notes)
    }

    /// Create a new temporary folder beside the target and write `files`
    /// into it. The name is new (`mkdir` fails on anything there, a link
    /// included); should one be taken, by a chance of 2^-64 or a folder
    /// left by a test, another is drawn.
    fn fill_fresh(&self, files: &[(String, Vec<u8>)], tag: fn() -> String) -> Result<PathBuf, OutputError> {
        let mut tries = 0;
        loop {
            let tmp = sibling(&self.parent, &self.name, &format!("{}-{}", stale::Kind::Tmp.infix(), tag()));
            match std::fs::create_dir(&tmp) {
                Ok(()) => return fill(&tmp, &self.command, files).map(|()| tmp),
                Err(e) if e.kind() == ErrorKind::AlreadyExists && tries < 4 => tries += 1,
                Err(e) => return Err(io_error("create the temporary folder", &tmp, e)),
            }
        }
    }

    /// Put the finished `tmp` in the target's place, the previous outputs
    /// stepping aside to `old`.
    fn swap(&mut self, tmp: &Path, old: &Path, existing: Existing) -> Result<(), OutputError> {
        let target = &self.target;
        let old = old.to_path_buf();
        let had_old = !matches!(existing, Existing::Missing);
        if had_old {
            std::fs::rename(target, &old)
                .map_err(|e| unplaced(io_error("move aside the previous outputs in", target, e), tmp, None))?;
        }
        if let Err(e) = std::fs::rename(tmp, target) {
            let previous = (had_old && std::fs::rename(&old, target).is_err()).then_some(old);
            return Err(unplaced(io_error("move the new outputs into", target, e), tmp, previous));
        }
        if had_old {
            let marker = match &existing {
                Existing::Ours(m) => Some(m),
                _ => None,
            };
            if remove_owned(&old, marker).is_err() {
                self.notes.push(Note::KeptPrevious { path: old });
            }
        }
        Ok(())
    }
}

fn unplaced(why: OutputError, tmp: &Path, previous: Option<PathBuf>) -> OutputError {
    OutputError::Unplaced { why: Box::new(why), kept: tmp.to_path_buf(), previous }
}

/// `PID-NONCE` for a temporary or moved-aside folder's name: this
/// process's id (what `stale` judges a leftover by) and 64 random bits from
/// the operating system, so that nobody can put a link in its place first.
/// (A thread-local generator seeded by the OS: the simulation's own seeded
/// streams are not touched.)
fn fresh_tag() -> String {
    format!("{}-{:016x}", std::process::id(), rand::random::<u64>())
}

/// The longest file name most file systems take (ext4, APFS, NTFS: 255).
const NAME_MAX: usize = 255;

/// What surgesim puts beside NAME at most: `.NAME` and this.
const LONGEST_SUFFIX: &str = ".tmp-4294967295-0123456789abcdef";

/// The parent folder and the name of `target`, and `target` as
/// `parent/name`, or why it cannot be one. The path is rebuilt so that a
/// trailing `/.` or `/` (`--out t/.`) names the folder itself: renamed or
/// looked at as `t/.`, it would be the folder reached through it (a link's
/// target), and a rename onto it fails.
fn split(target: &Path) -> Result<(PathBuf, OsString, PathBuf), OutputError> {
    let bad = |why| OutputError::BadPath { path: target.to_path_buf(), why };
    let name = target.file_name().ok_or_else(|| {
        bad("it names no folder of its own (the root, '.', '..' or a path ending in '..'); give a folder's \
             name, like --out outputs/run")
    })?;
    // `.NAME.tmp-PID-NONCE` must fit too.
    if name.len() + ".".len() + LONGEST_SUFFIX.len() > NAME_MAX {
        return Err(bad("its name is too long to write beside it (at most 222 bytes)"));
    }
    let (parent, normal) = match target.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => (parent.to_path_buf(), parent.join(name)),
        None => (PathBuf::from("."), PathBuf::from(name)),
    };
    Ok((parent, name.to_os_string(), normal))
}

/// `parent/.NAME.suffix`: the lock, temporary and moved-aside folders.
fn sibling(parent: &Path, name: &OsStr, suffix: &str) -> PathBuf {
    let mut file = OsString::from(".");
    file.push(name);
    file.push(".");
    file.push(suffix);
    parent.join(file)
}

/// What is at the target now, if it may be replaced.
enum Existing {
    Missing,
    /// Empty, or nothing but OS litter.
    Empty,
    Ours(Marker),
}

/// Whether `target` may be replaced, and what it is.
fn judge(target: &Path) -> Result<Existing, OutputError> {
    let refuse = |why| OutputError::NotOurs { path: target.to_path_buf(), why };
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Existing::Missing),
        Err(e) => return Err(io_error("look at", target, e)),
    };
    if meta.is_symlink() {
        return Err(refuse(Foreign::Symlink));
    }
    if !meta.is_dir() {
        return Err(refuse(Foreign::NotAFolder));
    }
    let marker = Marker::read(target).map_err(refuse)?;
    let mut entries = std::fs::read_dir(target)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| io_error("read", target, e))?;
    // Sorted, so that the file named is the same from run to run.
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let file = name.to_string_lossy().to_string();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_ours_anyway(&name) {
            if !is_file {
                return Err(refuse(Foreign::NotAFile { file }));
            }
            continue;
        }
        let Some(marker) = &marker else { return Err(refuse(Foreign::NoMarker { file })) };
        let Some(listed) = marker.entry(&name) else { return Err(refuse(Foreign::Unlisted { file })) };
        if !is_file {
            return Err(refuse(Foreign::NotAFile { file }));
        }
        if !unchanged(&entry.path(), listed) {
            return Err(refuse(Foreign::Changed { file }));
        }
    }
    Ok(marker.map_or(Existing::Empty, Existing::Ours))
}

/// Write `files` and then their marker into `tmp`, the folder just
/// created, each file created new inside it (never through a link). On
/// failure nothing is left of it.
fn fill(tmp: &Path, command: &str, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    let write = || -> Result<(), OutputError> {
        let dir = Dir::open(tmp).map_err(|e| io_error("open the temporary folder", tmp, e))?;
        let put = |name: &str, bytes: &[u8]| {
            let path = tmp.join(name);
            dir.create_new(OsStr::new(name))
                .and_then(|mut file| file.write_all(bytes))
                .map_err(|e| io_error("write", &path, e))
        };
        for (name, bytes) in files {
            if !is_plain_name(name) {
                let err = std::io::Error::new(ErrorKind::InvalidInput, "not a plain file name");
                return Err(io_error("write", &tmp.join(name), err));
            }
            put(name, bytes)?;
        }
        // Last: its presence says every file above is complete.
        put(MARKER, &Marker::new(command, files).to_bytes())
    };
    write().inspect_err(|_| stale::remove_unfinished(tmp))
}

/// Remove folder `dir` that surgesim wrote: the files `marker` lists, the
/// marker and OS litter, then the folder itself, which fails (keeping it)
/// if anything else is in it. Only plain files go, never through a link
/// (`dir` itself included).
fn remove_owned(dir: &Path, marker: Option<&Marker>) -> std::io::Result<()> {
    let open = Dir::open(dir)?;
    for name in open.names()? {
        // A listed file goes only while it holds the bytes the marker lists:
        // one edited since it was judged (or in a folder a dead run moved
        // aside, never judged again) is the user's now, and is kept.
        let ours = match marker.and_then(|m| m.entry(&name)) {
            Some(entry) => unchanged(&dir.join(&name), entry),
            None => is_ours_anyway(&name),
        };
        if ours && open.is_plain_file(&name) {
            open.remove_plain_file(&name)?;
        }
    }
    std::fs::remove_dir(dir)
}

#[cfg(test)]
mod tests;
