//! Charts of a run and of a comparison, as PNG or SVG bytes.
//!
//! Each figure is a function from results to a `Figure` (plain data: what
//! to draw); `render` draws a figure with plotters and returns the file's
//! bytes. Nothing here writes files or panics on a plotting error: errors
//! are returned, and `report::output` writes the bytes with the rest of the
//! run's folder.
//!
//! Text uses DejaVu Sans embedded in the binary (`font`), so charts need no
//! system font and look the same on every machine.

pub mod axis;
pub mod compare;
mod figure;
mod font;
pub mod run;
mod text;

pub use figure::{Band, Figure, Panel, Series, Swatch, HEIGHT, WIDTH};

use crate::scenario::Scenario;
use crate::stats::Results;
use anyhow::{Context, Result};
use plotters::prelude::*;

/// The file format of charts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ChartFormat {
    /// Raster image, 1200x700 px.
    #[default]
    Png,
    /// Vector image; text is left to the viewer's sans-serif font.
    Svg,
}

impl ChartFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ChartFormat::Png => "png",
            ChartFormat::Svg => "svg",
        }
    }
}

/// A run's charts: file stem, what it shows (for `report.md`), figure.
pub const RUN_CHARTS: [(&str, &str, fn(&Scenario, &Results) -> Figure); 5] = [
    ("waits", "Waits in the queue (p50, p90, p99)", run::waits),
    ("queue", "Queue length and booking sessions against capacity", run::queue),
    ("drops", "Drop rate by cause and abandon rate", run::drops),
    ("bookings", "Booked share of each cohort, with its booking windows", run::bookings),
    ("arrivals", "First attempts and retries per minute", run::arrivals),
];

/// Every chart of a run, as (file name, bytes), in `RUN_CHARTS` order.
pub fn run_charts(s: &Scenario, r: &Results, format: ChartFormat) -> Result<Vec<(String, Vec<u8>)>> {
    RUN_CHARTS
        .iter()
        .map(|(stem, _, figure)| {
            let name = format!("{stem}.{}", format.extension());
            let bytes = render(&figure(s, r), format).with_context(|| format!("could not draw {name}"))?;
            Ok((name, bytes))
        })
        .collect()
}

/// Draw `fig` and return the file's bytes.
pub fn render(fig: &Figure, format: ChartFormat) -> Result<Vec<u8>> {
    match format {
        ChartFormat::Png => png(fig),
        ChartFormat::Svg => svg(fig),
    }
}

fn png(fig: &Figure) -> Result<Vec<u8>> {
    let mut pixels = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let backend = text::Crisp(BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)));
        let root = backend.into_drawing_area();
        figure::draw(&root, fig)?;
    }
    encode_png(&pixels, WIDTH, HEIGHT)
}

/// RGB pixels to PNG bytes (with the `png` crate: plotters' own encoder
/// would pull in the `image` crate).
fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = ::png::Encoder::new(&mut out, width, height);
    enc.set_color(::png::ColorType::Rgb);
    enc.set_depth(::png::BitDepth::Eight);
    let mut w = enc.write_header().context("PNG header")?;
    w.write_image_data(rgb).context("PNG data")?;
    w.finish().context("PNG end")?;
    Ok(out)
}

fn svg(fig: &Figure) -> Result<Vec<u8>> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        figure::draw(&root, fig)?;
    }
    Ok(out.into_bytes())
}
