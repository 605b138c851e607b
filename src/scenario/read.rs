//! Reading a scenario file safely: only a regular file (a FIFO without a
//! writer would block for ever, a device like /dev/zero never ends) or
//! standard input (`-`, read once and kept), and at most a size that loads
//! in reasonable memory. Used for a scenario and for every file it extends.

use std::io::Read;
use std::path::Path;

/// Scenario files larger than this are refused unread. Loading takes about
/// 3.4 KiB per value of the file (the spanned document, its copies, serde):
/// a 1 MiB file of 50,000 piecewise points peaks at 175 MiB; 16 MiB took
/// 2.4 GiB. A scenario is a few KiB; long curves go in a trace.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// The bytes of a regular file (symbolic links followed). A folder, a
/// device or a FIFO is refused before it is opened: a FIFO without a
/// writer would block the open for ever, a device like /dev/zero never
/// ends. (/dev/stdin is a FIFO when piped into: the message says `-`.)
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let kind = std::fs::metadata(path)?.file_type();
    if !kind.is_file() {
        let why = format!("it is {}, expected a scenario file (TOML){}", what_is(&kind), stdin_hint(&kind));
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, why));
    }
    read_limited(std::fs::File::open(path)?)
}

/// Standard input, read once and kept: a sweep loads its scenario once per
/// point, and `compare - -` twice; every load gets the same text.
pub fn read_stdin() -> std::io::Result<Vec<u8>> {
    type Read = Result<Vec<u8>, (std::io::ErrorKind, String)>;
    static TEXT: std::sync::OnceLock<Read> = std::sync::OnceLock::new();
    let read = TEXT.get_or_init(|| read_limited(std::io::stdin().lock()).map_err(|e| (e.kind(), e.to_string())));
    read.clone().map_err(|(kind, message)| std::io::Error::new(kind, message))
}

/// At most a little more than the limit, so that a huge input is refused
/// instead of filling the memory.
fn read_limited(from: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    from.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        let why = format!(
            "more than {} MB, expected a scenario of a few KB (long arrival curves go in a trace CSV)",
            MAX_SCENARIO_BYTES >> 20
        );
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, why));
    }
    Ok(bytes)
}

/// "a folder", "a FIFO (named pipe)", ... for a path that is not a file.
fn what_is(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (a pipe)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// For a pipe: how to read a scenario from standard input instead.
fn stdin_hint(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() || kind.is_char_device() {
            return "; to read a scenario from standard input, give `-` as its path";
        }
    }
    let _ = kind;
    ""
}
