//! Any bytes, read as a scenario file, through the whole pipeline of
//! `surgesim run`: load (lines starting `#set ` are `--set` overrides),
//! validate, the size guard, a short simulation scaled down to a few
//! hundred people, and the report's tables. Each step may refuse; none may
//! panic, overflow or hang.
//!
//! From the repository root (see "Fuzzing" in docs/guide.md):
//! `cargo +nightly fuzz run scenario fuzz/corpus/scenario fuzz/seeds -- -dict=fuzz/scenario.dict`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Trace files are looked up beside the broken-scenario corpus, whose
    // traces/ folder holds malformed CSVs.
    let base = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus"));
    surgesim_fuzz::pipeline(&text, base, None);
});
