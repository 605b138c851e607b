//! Structure-aware: the fuzz bytes pick a night (`surgesim_fuzz::night`),
//! written out as a scenario file that is valid for most inputs, so that
//! the fuzzer spends its time in the model rather than the parser. Each
//! night runs on all three future-event lists, which must agree byte for
//! byte, and must conserve people (`surgesim_fuzz::conserved`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use surgesim_fuzz::night::Night;

/// Where this process writes the nights' trace CSVs.
fn trace_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("surgesim-fuzz-night-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder for traces");
        dir
    })
}

fuzz_target!(|night: Night| {
    let (text, traces) = night.render();
    let dir = trace_dir();
    for (name, csv) in &traces {
        std::fs::write(dir.join(name), csv).expect("a trace file");
    }
    if std::env::var_os("NIGHT_PRINT").is_some() {
        eprintln!("{text}");
    }
    match surgesim::scenario::load_str(&text, Path::new("night.toml"), dir, &[]) {
        Ok(s) => surgesim_fuzz::checked(s, None, true),
        Err(e) => {
            if std::env::var_os("NIGHT_PRINT").is_some() {
                eprintln!("{e}");
            }
        }
    }
});
