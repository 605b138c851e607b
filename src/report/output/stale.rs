//! What dead runs left beside a folder, dealt with by the next run of it
//! (which holds the folder's lock, so no live surgesim is writing there).
//!
//! A run killed while writing leaves `.NAME.tmp-PID-NONCE`; one killed
//! during the swap may leave `.NAME.old-PID-NONCE`, the previous outputs it
//! had moved aside (NONCE: 16 hex digits; earlier versions wrote the names
//! without one, and those are recognised too).
//! The rules, so that nothing finished or foreign is lost:
//! - a temporary folder without a complete marker is an unfinished write:
//!   its files are removed (never a subfolder: surgesim writes none);
//! - one with a complete marker is a finished result that never reached its
//!   place: kept, and named in a note;
//! - a moved-aside folder is put back if NAME is missing (the run died
//!   between the two renames), else removed the way a replaced folder is
//!   (only the files its marker lists, and only those still holding the
//!   bytes it lists); if that cannot be done it is named.
//!
//! Only folders of processes known to be gone are touched: on Linux, where
//! `/proc` tells; elsewhere none (they stay, as before). And only folders:
//! a link with such a name is someone else's, and is neither followed nor
//! removed (the listing does not follow links, and the removal opens the
//! folder without following one, see `nofollow`).

use super::marker::Marker;
use super::nofollow::Dir;
use super::{remove_owned, Note};
use std::ffi::OsStr;
use std::path::Path;

/// The two kinds of folder a run leaves beside NAME.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tmp,
    Old,
}

impl Kind {
    pub fn infix(self) -> &'static str {
        match self {
            Kind::Tmp => "tmp",
            Kind::Old => "old",
        }
    }
}

/// Deal with the leftovers of dead runs of `target` (whose file name is
/// `name`) in `parent`; returns what the user should hear about.
pub fn recover(parent: &Path, name: &OsStr, target: &Path) -> Vec<Note> {
    let Ok(entries) = std::fs::read_dir(parent) else { return Vec::new() };
    let mut leftovers: Vec<_> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| parse(&e.file_name(), name).map(|(kind, pid)| (kind, pid, e.path())))
        .filter(|(_, pid, _)| *pid != std::process::id() && !is_running(*pid))
        .collect();
    // Moved-aside folders first: one may have to be put back before the
    // temporaries are judged. Sorted, for the same notes in the same order.
    leftovers.sort_by(|a, b| (a.0 == Kind::Tmp, &a.2).cmp(&(b.0 == Kind::Tmp, &b.2)));
    let mut notes = Vec::new();
    for (kind, pid, path) in leftovers {
        let note = match kind {
            Kind::Tmp => recover_tmp(&path, pid),
            Kind::Old => recover_old(&path, target),
        };
        notes.extend(note);
    }
    notes
}

/// `.NAME.tmp-PID-NONCE` or `.NAME.old-PID-NONCE` (or either without
/// `-NONCE`, as earlier versions wrote them) -> (kind, PID).
fn parse(file: &OsStr, name: &OsStr) -> Option<(Kind, u32)> {
    let file = file.to_str()?;
    let rest = file.strip_prefix('.')?.strip_prefix(name.to_str()?)?;
    [Kind::Tmp, Kind::Old].into_iter().find_map(|kind| {
        let tag = rest.strip_prefix(&format!(".{}-", kind.infix()))?;
        let (pid, nonce) = tag.split_once('-').unwrap_or((tag, "0"));
        let hex = !nonce.is_empty() && nonce.len() <= 16 && nonce.bytes().all(|b| b.is_ascii_hexdigit());
        (hex && pid.bytes().all(|b| b.is_ascii_digit())).then_some(())?;
        Some((kind, pid.parse().ok()?))
    })
}

fn recover_tmp(path: &Path, pid: u32) -> Option<Note> {
    match Marker::read(path) {
        Ok(Some(m)) if m.is_complete_in(path) => Some(Note::KeptFinished { path: path.to_path_buf(), pid }),
        _ => {
            remove_unfinished(path);
            None
        }
    }
}

fn recover_old(path: &Path, target: &Path) -> Option<Note> {
    if std::fs::symlink_metadata(target).is_err() {
        return match std::fs::rename(path, target) {
            Ok(()) => Some(Note::Restored { from: path.to_path_buf() }),
            Err(_) => Some(Note::KeptPrevious { path: path.to_path_buf() }),
        };
    }
    match Marker::read(path) {
        Ok(Some(m)) if remove_owned(path, Some(&m)).is_ok() => None,
        _ => Some(Note::KeptPrevious { path: path.to_path_buf() }),
    }
}

/// Remove an unfinished temporary folder: its plain files, then the
/// folder if that left it empty. A subfolder or a link (never ours) keeps
/// it, and so does `path` being a link itself: nothing is removed through one.
pub(super) fn remove_unfinished(path: &Path) {
    let Ok(dir) = Dir::open(path) else { return };
    for name in dir.names().unwrap_or_default() {
        // Refused (and kept) unless a plain file.
        let _ = dir.remove_plain_file(&name);
    }
    let _ = std::fs::remove_dir(path);
}

/// Whether process `pid` is running. Only Linux can tell cheaply
/// (`/proc/PID`); elsewhere every process counts as running, so nothing is
/// touched that might still be in use.
fn is_running(pid: u32) -> bool {
    !cfg!(target_os = "linux") || Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_names_parse_only_for_their_own_folder() {
        let run = OsStr::new("run");
        assert!(parse(OsStr::new(".run.tmp-12"), run) == Some((Kind::Tmp, 12)));
        assert!(parse(OsStr::new(".run.old-7"), run) == Some((Kind::Old, 7)));
        assert!(parse(OsStr::new(".run.tmp-12-00ff00ff00ff00ff"), run) == Some((Kind::Tmp, 12)));
        assert!(parse(OsStr::new(".run.old-7-abc"), run) == Some((Kind::Old, 7)));
        for other in [
            ".run.tmp-x",
            ".runs.tmp-1",
            ".other.tmp-1",
            "run.tmp-1",
            ".run.lock",
            ".run.tmp-",
            ".run.tmp-1-",
            ".run.tmp-1-xyz",
            ".run.tmp-+1",
            ".run.tmp-1-00ff00ff00ff00ff0",
        ] {
            assert!(parse(OsStr::new(other), run).is_none(), "{other}");
        }
    }
}
