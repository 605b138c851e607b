//! Ctrl-C on a long command: the progress bar's line is cleared and the
//! user is told what was kept, then the process ends with code 130 (the
//! shell's convention for SIGINT). Nothing needs undoing: outputs are
//! written into a temporary folder and swapped in only at the end, and the
//! operating system releases the folder's lock.
//!
//! Each command says, before its long part, what an interruption keeps
//! (`on_interrupt`); runs already finished are counted by the progress bar.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// What an interruption keeps, said by the running command.
static NOTE: Mutex<String> = Mutex::new(String::new());
/// Runs finished so far (a bar over runs counts them here too).
static DONE: AtomicU64 = AtomicU64::new(0);

/// Catch Ctrl-C for the rest of the process (once; later calls do nothing).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        let mut err = std::io::stderr().lock();
        if std::io::stderr().is_terminal() {
            // Clear the bar's line: carriage return, erase the line.
            let _ = write!(err, "\r\x1b[2K");
        }
        let note = NOTE.lock().map(|n| n.clone()).unwrap_or_default();
        let done = DONE.load(Ordering::Relaxed);
        let runs =
            if done > 0 { format!(" ({done} run(s) had finished; they are not written)") } else { String::new() };
        let _ = writeln!(err, "interrupted{runs}: {}", if note.is_empty() { "nothing was written" } else { &note });
        std::process::exit(130);
    });
}

/// Say what an interruption from now on keeps, e.g. "nothing was written;
/// 'outputs/x' is as it was".
pub fn on_interrupt(note: String) {
    if let Ok(mut n) = NOTE.lock() {
        *n = note;
    }
}

/// One more run finished (for the message).
pub fn run_finished() {
    DONE.fetch_add(1, Ordering::Relaxed);
}
