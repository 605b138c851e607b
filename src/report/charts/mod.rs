//! Charts of a run (one or several replications), of a comparison and of
//! a sweep, as PNG or SVG bytes.
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
pub mod calibrate;
pub mod compare;
mod draw;
mod figure;
mod font;
mod labels;
mod legend;
mod mark_labels;
pub mod marks;
pub mod run;
mod scale;
pub mod sweep;
mod text;

pub use figure::{okabe_ito, Band, Figure, Mark, ObservedPoint, Panel, Series, Spread, Swatch, HEIGHT, WIDTH};
pub use mark_labels::MARK_COLOR;

use super::observed::Row;
use crate::scenario::Scenario;
use crate::stats::RunFigures;
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

/// One chart of a run.
pub struct RunChart {
    /// File name without its extension.
    pub stem: &'static str,
    /// What it shows (its heading in `report.md`).
    pub caption: &'static str,
    /// The figure, from one run or the replications of one scenario.
    pub figure: fn(&Scenario, &[RunFigures]) -> Figure,
    /// Whether the scenario has anything for it to show.
    pub applies: fn(&Scenario) -> bool,
}

fn always(_: &Scenario) -> bool {
    true
}

fn has_front(s: &Scenario) -> bool {
    s.front.is_some()
}

fn has_identity(s: &Scenario) -> bool {
    s.identity.is_some()
}

/// A run's charts, in the order `report.md` shows them.
pub const RUN_CHARTS: [RunChart; 8] = [
    RunChart { stem: "waits", caption: "Waits in the queue (p50, p90, p99)", figure: run::waits, applies: always },
    RunChart {
        stem: "queue",
        caption: "Queue length and booking sessions against capacity",
        figure: run::queue,
        applies: always,
    },
    RunChart {
        stem: "drops",
        caption: "Drops by cause and abandons, per minute and as a share of the attempts that ended",
        figure: run::drops,
        applies: always,
    },
    RunChart {
        stem: "front",
        caption: "Front-tier load against capacity, page loads and timeouts",
        figure: run::front,
        applies: has_front,
    },
    RunChart {
        stem: "identity",
        caption: "Identity checks in progress against capacity, checks asked for and timed out",
        figure: run::identity,
        applies: has_identity,
    },
    RunChart {
        stem: "bookings",
        caption: "Booked share of each cohort, with its booking windows",
        figure: run::bookings,
        applies: always,
    },
    RunChart {
        stem: "fairness",
        caption: "Who gets booked: booked share and wait to booking of each cohort by when people first tried",
        figure: run::fairness,
        applies: always,
    },
    RunChart {
        stem: "arrivals",
        caption: "First attempts and retries per minute",
        figure: run::arrivals,
        applies: always,
    },
];

/// The charts a run of `s` gets (`front` only with a front tier).
pub fn run_charts_of(s: &Scenario) -> impl Iterator<Item = &'static RunChart> + '_ {
    RUN_CHARTS.iter().filter(move |c| (c.applies)(s))
}

/// Every chart of a run, as (file name, bytes), in `RUN_CHARTS` order.
/// `runs` is one run, or the replications of `s`: each line is then the
/// mean over them per bin, with its 95 % band. Each observation at a clock
/// time is marked on the chart that draws its series (`run::observed`).
pub fn run_charts(
    s: &Scenario,
    runs: &[RunFigures],
    observed: &[Row],
    format: ChartFormat,
) -> Result<Vec<(String, Vec<u8>)>> {
    anyhow::ensure!(!runs.is_empty(), "no run to draw");
    run_charts_of(s)
        .map(|c| {
            let name = format!("{}.{}", c.stem, format.extension());
            let mut fig = (c.figure)(s, runs);
            let points = run::observed(c.stem, s, observed, &mut fig);
            let bytes = render_with(&fig, &points, format).with_context(|| format!("could not draw {name}"))?;
            Ok((name, bytes))
        })
        .collect()
}

/// Draw `fig` and return the file's bytes.
pub fn render(fig: &Figure, format: ChartFormat) -> Result<Vec<u8>> {
    render_with(fig, &[], format)
}

/// Draw `fig` with the `observed` markers over its lines.
pub fn render_with(fig: &Figure, observed: &[ObservedPoint], format: ChartFormat) -> Result<Vec<u8>> {
    match format {
        ChartFormat::Png => png(fig, observed),
        ChartFormat::Svg => svg(fig, observed),
    }
}

fn png(fig: &Figure, observed: &[ObservedPoint]) -> Result<Vec<u8>> {
    let mut pixels = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let backend = text::Crisp(BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)));
        let root = backend.into_drawing_area();
        draw::draw(&root, fig, observed)?;
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

fn svg(fig: &Figure, observed: &[ObservedPoint]) -> Result<Vec<u8>> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        draw::draw(&root, fig, observed)?;
    }
    Ok(out.into_bytes())
}
