//! The marker `.surgesim-output`: how surgesim knows a folder is its own.
//!
//! Every output folder gets this small JSON file, written last, listing each
//! file the run wrote with its size and CRC-32. A folder may be replaced
//! only if it holds a valid marker and nothing but the files it lists,
//! unchanged (or is empty): extensions prove nothing (a user's
//! `customers.csv` looks like ours), a list of what we wrote does. Because
//! the marker is written after every other file, a temporary folder with a
//! complete marker holds a finished result.
//!
//! Not a security boundary: anyone can write a marker. It guards against
//! mistakes (`--out ~`, a trace CSV or notes kept in an output folder, an
//! edited report), not against someone forging one.

use super::nofollow::{open_plain, read_plain};
use super::Foreign;
use serde::{Deserialize, Serialize};
use std::ffi::OsStr;
use std::io::{ErrorKind, Read};
use std::path::Path;

/// The marker's file name.
pub const MARKER: &str = ".surgesim-output";

/// The most bytes a marker is read for: ours list a few dozen files.
const MARKER_MAX: u64 = 16 << 20;

/// Files an operating system drops into folders it shows (Finder, Windows
/// Explorer). They hold nothing of the user's, so they neither make a
/// folder foreign nor survive its replacement.
pub const LITTER: [&str; 3] = [".DS_Store", "Thumbs.db", "desktop.ini"];

/// What the marker says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    /// Always `surgesim`.
    pub tool: String,
    /// The version that wrote the folder.
    pub version: String,
    /// The command that wrote it (`run`, `sweep`, `merge`, `compare`).
    pub command: String,
    /// For whoever opens the file.
    #[serde(default)]
    pub note: String,
    /// Every file written, in the order written.
    pub files: Vec<Entry>,
}

/// One file of the folder as surgesim wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub bytes: u64,
    pub crc32: u32,
}

impl Entry {
    fn of(name: &str, bytes: &[u8]) -> Entry {
        Entry { name: name.to_string(), bytes: bytes.len() as u64, crc32: crc32fast::hash(bytes) }
    }
}

const TOOL: &str = "surgesim";
const NOTE: &str = "Written by surgesim. It replaces this folder on a later run only while the folder holds \
                    nothing but the files listed here, unchanged; add a file and it refuses instead.";

impl Marker {
    /// The marker of a folder holding `files`, written by `command`.
    pub fn new(command: &str, files: &[(String, Vec<u8>)]) -> Marker {
        Marker {
            tool: TOOL.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            note: NOTE.into(),
            files: files.iter().map(|(name, bytes)| Entry::of(name, bytes)).collect(),
        }
    }

    /// The marker as it is written: pretty JSON, no time stamp, so the same
    /// results give the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The marker of folder `dir`: `Ok(None)` if it has none, an error if it
    /// has one that is unreadable, not ours or not a list of plain names.
    pub fn read(dir: &Path) -> Result<Option<Marker>, Foreign> {
        let bad = |why: String| Foreign::BadMarker { why };
        // Not through a link, and not without end: a marker is a few kilobytes.
        let bytes = match read_plain(&dir.join(MARKER), MARKER_MAX) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(None),
            Err(e) if e.kind() == ErrorKind::InvalidInput => return Err(Foreign::NotAFile { file: MARKER.into() }),
            Err(e) => return Err(bad(format!("it could not be read ({e})"))),
        };
        let marker: Marker = serde_json::from_slice(&bytes).map_err(|e| bad(format!("it is not valid ({e})")))?;
        if marker.tool != TOOL {
            return Err(bad(format!("it names the tool \"{}\", not \"{TOOL}\"", marker.tool)));
        }
        if let Some(e) = marker.files.iter().find(|e| !is_plain_name(&e.name)) {
            return Err(bad(format!("it lists \"{}\", which is not a plain file name", e.name)));
        }
        Ok(Some(marker))
    }

    /// The entry of file `name`, if the marker lists it.
    pub fn entry(&self, name: &OsStr) -> Option<&Entry> {
        self.files.iter().find(|e| OsStr::new(&e.name) == name)
    }

    /// Whether every listed file is in `dir` at its listed size, as a plain
    /// file (a link is not one): the folder is a finished result (the
    /// marker is written last).
    pub fn is_complete_in(&self, dir: &Path) -> bool {
        self.files
            .iter()
            .all(|e| std::fs::symlink_metadata(dir.join(&e.name)).is_ok_and(|m| m.is_file() && m.len() == e.bytes))
    }
}

/// Whether `file` (a name in a folder surgesim judges) is the marker or
/// operating-system litter: never the user's.
pub fn is_ours_anyway(file: &OsStr) -> bool {
    file == MARKER || LITTER.iter().any(|l| file == *l)
}

/// A name that stays inside its folder: no separator, not `.` or `..`,
/// not the marker itself.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name != MARKER
        && !name.contains(['/', '\\'])
        && Path::new(name).file_name() == Some(OsStr::new(name))
}

/// Whether file `path` is a plain file (not a link) that still holds the
/// bytes `entry` lists. Read in pieces: an output file may be large.
pub fn unchanged(path: &Path, entry: &Entry) -> bool {
    let Ok(Some(mut file)) = open_plain(path) else { return false };
    if !file.metadata().is_ok_and(|m| m.len() == entry.bytes) {
        return false;
    }
    let mut crc = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                crc.update(&buf[..n]);
                total += n as u64;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    total == entry.bytes && crc.finalize() == entry.crc32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_reads_back_as_written_and_is_deterministic() {
        let dir = tempfile::tempdir().unwrap();
        let files = [("a.csv".to_string(), b"1,2\n".to_vec())];
        let marker = Marker::new("run", &files);
        assert_eq!(marker.to_bytes(), Marker::new("run", &files).to_bytes());
        std::fs::write(dir.path().join(MARKER), marker.to_bytes()).unwrap();
        assert_eq!(Marker::read(dir.path()).unwrap(), Some(marker.clone()));
        assert!(!marker.is_complete_in(dir.path()), "a.csv is not there yet");
        std::fs::write(dir.path().join("a.csv"), b"1,2\n").unwrap();
        assert!(marker.is_complete_in(dir.path()));
        assert!(unchanged(&dir.path().join("a.csv"), &marker.files[0]));
        std::fs::write(dir.path().join("a.csv"), b"1,3\n").unwrap();
        assert!(!unchanged(&dir.path().join("a.csv"), &marker.files[0]), "same size, other bytes");
    }

    #[test]
    fn a_broken_or_foreign_marker_is_an_error_not_a_licence() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Marker::read(dir.path()).unwrap(), None);
        let write = |text: &str| std::fs::write(dir.path().join(MARKER), text).unwrap();
        write("{\"tool\": \"surgesim\", \"vers");
        assert!(matches!(Marker::read(dir.path()), Err(Foreign::BadMarker { .. })));
        write(r#"{"tool": "other", "version": "1", "command": "x", "files": []}"#);
        assert!(matches!(Marker::read(dir.path()), Err(Foreign::BadMarker { .. })));
        write(
            r#"{"tool": "surgesim", "version": "1", "command": "x", "files": [{"name": "../x", "bytes": 1, "crc32": 0}]}"#,
        );
        assert!(matches!(Marker::read(dir.path()), Err(Foreign::BadMarker { .. })));
    }

    #[test]
    fn plain_names_stay_in_their_folder() {
        for ok in ["a.csv", ".hidden", "report.md", "x..y"] {
            assert!(is_plain_name(ok), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "a\\b", "/abs", MARKER] {
            assert!(!is_plain_name(bad), "{bad}");
        }
    }
}
