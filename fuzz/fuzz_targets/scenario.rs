//! Any bytes, read as a scenario file: loading and the size guard may say
//! no, but must never panic (the property `tests/it/bad_input.rs` checks on
//! a few hundred cases, here for as long as the fuzzer runs).
//!
//! Seed it with the real files: from the repository root,
//! `cargo +nightly fuzz run scenario fuzz/corpus/scenario scenarios tests/corpus`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use surgesim::scenario::{limits, load_str};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Trace files are looked up beside the repository's scenarios.
    if let Ok(s) = load_str(&text, Path::new("fuzz.toml"), Path::new("scenarios"), &[]) {
        let _ = limits::check(&s, 1, false);
    }
});
