//! A chart as plain data (`Figure`: title, panels of lines on a shared x
//! axis, each line with its 95 % band or error bars, shaded spans, the
//! night's events as labelled vertical marks, a legend), and the look every
//! chart shares (palette, stroke widths, ink and grid colours, margins).
//! The figure functions only decide *what* to show; `draw` draws a figure,
//! with `legend`, `mark_labels` and `labels` for its parts, so the look is
//! decided once.

use super::axis::{ValueAxis, XAxis};
use plotters::prelude::*;

/// Picture size [px].
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 700;

/// One chart: a title, one or more panels stacked on the same x axis (time,
/// or a swept key's values), and a legend under them.
#[derive(Clone, Debug)]
pub struct Figure {
    pub title: String,
    /// Under the title (wrapped to two lines if need be): what is plotted,
    /// how it is averaged.
    pub subtitle: String,
    pub x: XAxis,
    pub panels: Vec<Panel>,
    /// Extra legend entries (e.g. what the shading means).
    pub legend_extra: Vec<(Swatch, String)>,
    /// Events on the x axis (a window opening, a capacity change), drawn as
    /// thin dashed vertical lines across every panel, labelled above them.
    pub marks: Vec<Mark>,
}

/// One event on the x axis: where, and what a reader is told (short).
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub x: f64,
    pub label: String,
    /// Labels are placed in this order (lowest first) when room is short:
    /// openings before capacity changes before faults.
    pub rank: u8,
}

/// A value seen on the real night (`[[observed]]`), drawn over panel
/// `panel` at (`x`, `y`) as a marker no line has (a diamond outlined in
/// black, then white so it shows on any line), with its legend entry
/// (`Swatch::Observed`). Kept beside a `Figure` rather than in it: only a
/// run's time charts carry them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ObservedPoint {
    /// The panel's index in `Figure::panels`.
    pub panel: usize,
    pub x: f64,
    pub y: f64,
    /// Its fill: the colour of the line it belongs to where a panel has
    /// several of one kind (a cohort's), else black.
    pub color: RGBColor,
}

/// The observation marker's half-size [px]: larger than any line's dots
/// (at most 6 px), so it is not taken for one.
pub(super) const OBSERVED_R: i32 = 8;

/// One plot area with its own y axis.
#[derive(Clone, Debug)]
pub struct Panel {
    /// y axis description, with its unit.
    pub y_desc: String,
    pub y: ValueAxis,
    pub series: Vec<Series>,
    /// Shaded spans of the x axis, drawn under the lines.
    pub bands: Vec<Band>,
    /// Shown in the middle of the panel when no series has a value.
    pub empty_note: String,
}

/// A line. Points are (x, y), x in seconds since the start on time charts;
/// a NaN y breaks the line.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub color: RGBColor,
    pub dashed: bool,
    /// Stroke width [px]; thicker lines are drawn first, under thinner ones,
    /// so lines that coincide still show every colour.
    pub width: u32,
    pub points: Vec<(f64, f64)>,
    /// The uncertainty of each point, drawn in the line's colour under it.
    pub spread: Spread,
}

/// Per point of a line, the (low, high) ends of its 95 % confidence
/// interval, in step with `Series::points`; a NaN end means none there.
#[derive(Clone, Debug, Default)]
pub enum Spread {
    #[default]
    None,
    /// A shaded band between the ends (a line over many bins).
    Band(Vec<(f64, f64)>),
    /// A vertical bar with caps at each point (a few separate points).
    Bars(Vec<(f64, f64)>),
}

impl Spread {
    /// The (low, high) pairs, if any.
    pub fn ends(&self) -> &[(f64, f64)] {
        match self {
            Spread::None => &[],
            Spread::Band(v) | Spread::Bars(v) => v,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Band {
    pub from: f64,
    pub to: f64,
    pub color: RGBColor,
}

/// What a legend entry shows next to its text.
#[derive(Clone, Copy, Debug)]
pub enum Swatch {
    Line {
        color: RGBColor,
        dashed: bool,
    },
    Shade(RGBColor),
    /// A line inside its shaded band.
    LineInBand(RGBColor),
    /// An error bar with caps.
    Bar(RGBColor),
    /// The marker of a value seen on the real night (`ObservedPoint`).
    Observed,
}

/// The Okabe-Ito colours (Okabe & Ito 2008, "Color Universal Design"),
/// told apart by readers with every common form of colour blindness. No red
/// and green pair: the reds are vermillion and reddish purple, the green is
/// bluish.
pub mod okabe_ito {
    use plotters::style::RGBColor;
    pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
}

/// Colours of categorical lines (scenarios, cohorts, drop causes), in legend
/// order: Okabe-Ito without black, which marks totals and references.
/// Yellow, faint on white, comes last.
pub const PALETTE: [RGBColor; 7] = [
    okabe_ito::BLUE,
    okabe_ito::ORANGE,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::VERMILLION,
    okabe_ito::REDDISH_PURPLE,
    okabe_ito::SKY_BLUE,
    okabe_ito::YELLOW,
];

/// The colour of line `i`; past the palette the colours come round again,
/// and `dashed(i)` tells the second round from the first.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Whether line `i` is dashed: the second round of colours is.
pub fn dashed(i: usize) -> bool {
    i >= PALETTE.len()
}

/// Stroke widths [px]: a solid line, a dashed one (a level, a capacity).
pub const LINE_W: u32 = 3;
pub const DASHED_W: u32 = 2;

pub(super) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(super) const GRID: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);
pub(super) const MARGIN: i32 = 18;
pub(super) const FONT: &str = "sans-serif";
/// Lines with at most this many points also get a marker on every point,
/// so a run of one or a few bins still shows its values.
pub(super) const MARKERS_UP_TO: usize = 40;
/// Opacity of a 95 % band (x spans are lighter: they sit under everything).
pub(super) const BAND_ALPHA: f64 = 0.22;
pub(super) const SPAN_ALPHA: f64 = 0.13;
/// Half the width of an error bar's cap [px].
pub(super) const CAP: i32 = 6;

impl Series {
    pub fn has_data(&self) -> bool {
        self.points.iter().any(|(_, y)| y.is_finite())
    }
}

impl Panel {
    pub(super) fn has_data(&self) -> bool {
        self.series.iter().any(Series::has_data)
    }
}

/// The corners of the observation marker, a diamond of half-size `r`
/// [px], around its centre (drawn on the panels and in the legend).
pub(super) fn diamond(r: i32) -> Vec<(i32, i32)> {
    vec![(0, -r), (r, 0), (0, r), (-r, 0)]
}
