//! The `scenario` target with the charts drawn too (PNG or SVG, by the
//! input's first byte): slower, so for shorter runs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use surgesim::report::ChartFormat;

fuzz_target!(|data: &[u8]| {
    let format = if data.first().is_some_and(|b| b & 1 == 1) { ChartFormat::Png } else { ChartFormat::Svg };
    let text = String::from_utf8_lossy(data);
    let base = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus"));
    surgesim_fuzz::pipeline(&text, base, Some(format));
});
