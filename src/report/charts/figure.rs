//! A chart as plain data (`Figure`: title, panels of lines on a shared x
//! axis, each line with its 95 % band or error bars, shaded spans, the
//! night's events as labelled vertical marks, a legend) and the one function
//! that draws it on any plotters backend. The figure functions only decide
//! *what* to show; the look (fonts, colours, layout, grid, legend, marks,
//! empty-panel notes) is decided here, once.

use super::axis::{ValueAxis, XAxis};
use anyhow::Result;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
const GRID: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);
const MARGIN: i32 = 18;
const FONT: &str = "sans-serif";
/// Lines with at most this many points also get a marker on every point,
/// so a run of one or a few bins still shows its values.
const MARKERS_UP_TO: usize = 40;
/// Opacity of a 95 % band (x spans are lighter: they sit under everything).
const BAND_ALPHA: f64 = 0.22;
const SPAN_ALPHA: f64 = 0.13;
/// Half the width of an error bar's cap [px].
const CAP: i32 = 6;

impl Series {
    pub fn has_data(&self) -> bool {
        self.points.iter().any(|(_, y)| y.is_finite())
    }
}

impl Panel {
    fn has_data(&self) -> bool {
        self.series.iter().any(Series::has_data)
    }
}

/// Draw `fig` on `root`. Every plotting error is returned, never unwrapped.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, fig: &Figure) -> Result<()>
where
    DB::ErrorType: 'static,
{
    super::font::register()?;
    root.fill(&WHITE)?;
    let w = root.dim_in_pixel().0 as i32;
    let top = draw_heading(root, fig)?;

    // The marks' labels, in rows above the top panel; their places depend
    // only on the plot's width, the same for every panel.
    let body_of = |top: i32, bottom: i32| root.margin(top as u32, bottom as u32, (MARGIN / 2) as u32, MARGIN as u32);
    let marks = place_marks(root, fig, &body_of(0, 0))?;

    // Legend under the panels, wrapped into centred rows.
    let mut entries = legend_entries(fig);
    match marks.unlabelled {
        0 => {}
        1 => entries
            .push((Swatch::Line { color: MARK_COLOR, dashed: true }, "1 event line left unlabelled for room".into())),
        n => entries.push((
            Swatch::Line { color: MARK_COLOR, dashed: true },
            format!("{n} event lines left unlabelled for room"),
        )),
    }
    let rows = layout_legend(root, &entries, &legend_font(), w - 2 * MARGIN)?;
    let legend_h = rows.len() as i32 * LEGEND_ROW_H + if rows.is_empty() { 0 } else { 10 };

    let body = body_of(top + marks.strip_height(), legend_h + MARGIN / 2);
    if let Some(plot_top) = draw_panels(body, fig, &marks)? {
        draw_mark_labels(root, &marks, top, plot_top)?;
    }
    draw_legend(root, rows, legend_h)?;
    root.present()?;
    Ok(())
}

/// The title, shrunk (then cut) to fit one line, and the subtitle under
/// it, on two lines if it does not fit on one; returns the y under them.
fn draw_heading<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, fig: &Figure) -> Result<i32>
where
    DB::ErrorType: 'static,
{
    let w = root.dim_in_pixel().0 as i32;
    let title = fit_text(root, &fig.title, w - 2 * MARGIN, 26.0, 18.0, FontStyle::Bold)?;
    root.draw_text(&title.0, &text_style(title.1, FontStyle::Bold, INK), (MARGIN, MARGIN))?;
    let mut top = MARGIN + title.1 as i32 + 8;
    if !fig.subtitle.is_empty() {
        for (line, size) in subtitle_lines(root, &fig.subtitle, w - 2 * MARGIN)? {
            root.draw_text(&line, &text_style(size, FontStyle::Normal, MUTED), (MARGIN, top))?;
            top += size as i32 + 4;
        }
        top += 2;
    }
    Ok(top)
}

/// The panels, stacked on `body`; returns the top of the first plot [px].
fn draw_panels<DB: DrawingBackend>(
    body: DrawingArea<DB, Shift>,
    fig: &Figure,
    marks: &MarkPlaces,
) -> Result<Option<i32>>
where
    DB::ErrorType: 'static,
{
    let n = fig.panels.len().max(1) as i32;
    let (_, body_h) = body.dim_in_pixel();
    // The bottom panel also carries the x axis description.
    let extra_bottom = 26;
    let panel_h = ((body_h as i32 - extra_bottom) / n).max(60);
    let mut rest = body;
    let mut first_plot_top = None;
    for (i, panel) in fig.panels.iter().enumerate() {
        let last = i + 1 == fig.panels.len();
        let (area, below) = if last {
            let r = rest.clone();
            (r, None)
        } else {
            let (a, b) = rest.split_vertically(panel_h);
            (a, Some(b))
        };
        let plot_top = draw_panel(&area, fig, panel, last, marks)?;
        first_plot_top.get_or_insert(plot_top);
        if let Some(b) = below {
            rest = b;
        }
    }
    Ok(first_plot_top)
}

const LEGEND_ROW_H: i32 = 24;

fn legend_font() -> TextStyle<'static> {
    text_style(15.0, FontStyle::Normal, INK)
}

/// The legend's rows, centred, at the foot of the picture.
fn draw_legend<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, rows: Vec<LegendRow>, legend_h: i32) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let font = legend_font().pos(Pos::new(HPos::Left, VPos::Center));
    let mut y = h - MARGIN / 2 - legend_h + 8;
    for row in rows {
        let mut x = (w - row.width) / 2;
        for (swatch, label, width) in row.items {
            draw_swatch(root, swatch, x, y + LEGEND_ROW_H / 2 - 2)?;
            root.draw_text(&label, &font, (x + SWATCH_W + 6, y + LEGEND_ROW_H / 2 - 2))?;
            x += width + ITEM_GAP;
        }
        y += LEGEND_ROW_H;
    }
    Ok(())
}

/// The coordinates of one panel.
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<XAxis, ValueAxis>>;

/// Draw one panel; returns the top of its plot area [px].
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &Figure,
    panel: &Panel,
    last: bool,
    marks: &MarkPlaces,
) -> Result<i32>
where
    DB::ErrorType: 'static,
{
    let mut chart = panel_chart(area, fig.x.clone(), panel.y.clone(), last)?;
    // Shading first, so lines and grid stay on top.
    draw_shading(&mut chart, fig, panel)?;

    let x_fmt = |v: &f64| fig.x.label(*v);
    let y_fmt = |v: &f64| panel.y.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED)
        .label_style(text_style(15.0, FontStyle::Normal, MUTED))
        .axis_desc_style(text_style(16.0, FontStyle::Normal, INK))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .y_desc(panel.y_desc.as_str());
    if last {
        mesh.x_desc(fig.x.desc());
    }
    mesh.draw()?;

    // The event marks: over the grid, under every line.
    let (y_lo, y_hi) = (panel.y.bottom(), panel.y.top());
    for m in &marks.lines {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(m.x, y_lo), (m.x, y_hi)],
            MARK_DASH.0,
            MARK_DASH.1,
            MARK_COLOR.stroke_width(1),
        )))?;
    }
    // Error bars, then lines and markers over them.
    draw_bars(&mut chart, panel)?;
    draw_lines(&mut chart, panel)?;

    if !panel.has_data() {
        let note = if panel.empty_note.is_empty() { "No data" } else { panel.empty_note.as_str() };
        let (x_lo, x_hi) = fig.x.ends();
        let mid_x = fig.x.from_even((fig.x.to_even(x_lo) + fig.x.to_even(x_hi)) / 2.0);
        let mid_y = if panel.y.is_log() { (y_lo * y_hi).sqrt() } else { (y_lo + y_hi) / 2.0 };
        let style = text_style(18.0, FontStyle::Normal, MUTED).pos(Pos::new(HPos::Center, VPos::Center));
        chart.draw_series(std::iter::once(Text::new(note.to_string(), (mid_x, mid_y), style)))?;
    }
    Ok(chart.plotting_area().get_pixel_range().1.start)
}

/// The panel's shaded spans, then the 95 % bands of its lines, cut at its
/// edges.
fn draw_shading<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, fig: &Figure, panel: &Panel) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (y_lo, y_hi) = (panel.y.bottom(), panel.y.top());
    let (x_lo, x_hi) = fig.x.ends();
    for b in &panel.bands {
        let (from, to) = (b.from.max(x_lo), b.to.min(x_hi));
        if to > from {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(from, y_hi), (to, y_lo)],
                b.color.mix(SPAN_ALPHA).filled(),
            )))?;
        }
    }
    let clamp = |v: f64| v.clamp(y_lo, y_hi);
    for s in &panel.series {
        if let Spread::Band(ends) = &s.spread {
            for run in band_runs(&s.points, ends) {
                if let [(x, lo, hi)] = run[..] {
                    // A lone bin: its interval as a thin bar.
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, clamp(lo)), (x, clamp(hi))],
                        s.color.mix(0.5).stroke_width(2),
                    )))?;
                    continue;
                }
                let mut outline: Vec<(f64, f64)> = run.iter().map(|&(x, _, hi)| (x, clamp(hi))).collect();
                outline.extend(run.iter().rev().map(|&(x, lo, _)| (x, clamp(lo))));
                chart.draw_series(std::iter::once(Polygon::new(outline, s.color.mix(BAND_ALPHA).filled())))?;
            }
        }
    }
    Ok(())
}

/// Error bars with caps, cut at the panel's edges.
fn draw_bars<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, panel: &Panel) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let clamp = |v: f64| v.clamp(panel.y.bottom(), panel.y.top());
    for s in &panel.series {
        if let Spread::Bars(ends) = &s.spread {
            let style = s.color.stroke_width(2);
            for run in band_runs(&s.points, ends) {
                for (x, lo, hi) in run {
                    let (lo, hi) = (clamp(lo), clamp(hi));
                    chart.draw_series(std::iter::once(PathElement::new(vec![(x, lo), (x, hi)], style)))?;
                    for end in [lo, hi] {
                        chart.draw_series(std::iter::once(
                            EmptyElement::at((x, end)) + PathElement::new(vec![(-CAP, 0), (CAP, 0)], style),
                        ))?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// The lines, thick ones first and thin ones over them (stable: else in
/// legend order), with dots where a line has too few points to be seen.
fn draw_lines<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, panel: &Panel) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut order: Vec<&Series> = panel.series.iter().collect();
    order.sort_by_key(|s| std::cmp::Reverse(s.width));
    for s in order {
        let style = s.color.stroke_width(s.width.max(1));
        let finite = s.points.iter().filter(|(_, y)| y.is_finite()).count();
        for run in runs(&s.points) {
            if s.dashed {
                chart.draw_series(DashedLineSeries::new(run.iter().copied(), 10, 6, style))?;
            } else {
                chart.draw_series(LineSeries::new(run.iter().copied(), style))?;
            }
            // A lone point draws no line: mark it, as every point of a short
            // series; wider lines get wider dots, so nested lines nest them.
            // The lone points of a long line are dotted no wider than it, so a
            // scatter of them reads as a broken line, not a blot.
            let short = finite <= MARKERS_UP_TO;
            if run.len() == 1 || short {
                let radius = if short { (s.width as i32 + 3) / 2 + 1 } else { (s.width as i32 + 1) / 2 };
                chart.draw_series(run.iter().map(|&p| Circle::new(p, radius, s.color.filled())))?;
            }
        }
    }
    Ok(())
}

/// The chart of a panel on `area`: every panel has the same left and right
/// margins, so the same x pixels.
fn panel_chart<'a, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: XAxis,
    y: ValueAxis,
    last: bool,
) -> Result<Chart<'a, DB>>
where
    DB::ErrorType: 'static,
{
    Ok(ChartBuilder::on(area)
        .margin_top(8)
        // Room for half a date label at the right end of the time axis.
        .margin_right(44)
        .x_label_area_size(if last { 56 } else { 30 })
        .y_label_area_size(86)
        .build_cartesian_2d(x, y)?)
}

/// Colour, dash (on, off [px]) and label size of the event marks.
pub const MARK_COLOR: RGBColor = RGBColor(0x44, 0x44, 0x44);
const MARK_DASH: (u32, u32) = (5, 4);
const MARK_FONT: f64 = 12.5;
/// Height of a row of mark labels, and the rows there may be at most.
const MARK_ROW_H: i32 = 17;
const MARK_ROWS: usize = 4;
/// Marks closer than this [px] share one line and one label.
const MARK_MERGE_PX: i32 = 2;
/// Gap between a mark's line and its label, and between two labels [px].
const MARK_GAP: i32 = 4;
const LABEL_PAD: i32 = 6;

/// Where the marks of a figure go.
#[derive(Default)]
struct MarkPlaces {
    lines: Vec<PlacedMark>,
    /// Rows of labels used.
    rows: usize,
    /// Marks whose label found no room (their lines are still drawn).
    unlabelled: usize,
}

struct PlacedMark {
    /// On the x axis, and in pixels.
    x: f64,
    px: i32,
    label: Option<PlacedLabel>,
}

struct PlacedLabel {
    text: String,
    row: usize,
    /// Left end of the text [px].
    left: i32,
}

impl MarkPlaces {
    /// Height of the strip of labels above the top panel [px].
    fn strip_height(&self) -> i32 {
        if self.rows == 0 {
            0
        } else {
            self.rows as i32 * MARK_ROW_H + 4
        }
    }
}

/// Lay out the marks of `fig` inside the x range of its plot (on `body`,
/// the panels' area): marks within a pixel or two share a line, and each
/// label goes in the first row, of at most `MARK_ROWS`, where it overlaps
/// no other label. Labels go right of their line, or left of it near the
/// right edge; a line runs from its label down, behind the labels of lower
/// rows (they are drawn on white). A label that fits nowhere is left out;
/// its line stays, and the legend counts it.
fn place_marks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    body: &DrawingArea<DB, Shift>,
) -> Result<MarkPlaces>
where
    DB::ErrorType: 'static,
{
    let (lo, hi) = fig.x.ends();
    let mut inside: Vec<&Mark> = fig.marks.iter().filter(|m| m.x > lo && m.x < hi).collect();
    if inside.is_empty() {
        return Ok(MarkPlaces::default());
    }
    inside.sort_by(|a, b| a.x.total_cmp(&b.x));
    let probe = panel_chart(body, fig.x.clone(), ValueAxis::linear(1.0, 1.0), true)?;
    let pixel = |x: f64| probe.backend_coord(&(x, 0.0)).0;

    // Merge marks that would fall on the same pixels: their labels joined,
    // two at most, the rest counted.
    let mut groups: Vec<(f64, i32, Vec<&str>, u8)> = Vec::new();
    for m in inside {
        let px = pixel(m.x);
        match groups.last_mut() {
            Some(last) if px - last.1 <= MARK_MERGE_PX => {
                last.2.push(&m.label);
                last.3 = last.3.min(m.rank);
            }
            _ => groups.push((m.x, px, vec![&m.label], m.rank)),
        }
    }
    let merged: Vec<(f64, i32, String, u8)> = groups
        .into_iter()
        .map(|(x, px, labels, rank)| {
            let mut text = labels.iter().take(2).copied().collect::<Vec<_>>().join(" · ");
            if labels.len() > 2 {
                text.push_str(&format!(" · and {} more", labels.len() - 2));
            }
            (x, px, text, rank)
        })
        .collect();

    let font = text_style(MARK_FONT, FontStyle::Normal, INK);
    let right_end = root.dim_in_pixel().0 as i32 - MARGIN / 2;
    let mut order: Vec<usize> = (0..merged.len()).collect();
    order.sort_by_key(|&i| (merged[i].3, merged[i].1));
    // Per mark: (row, span from, span to, left end of the text).
    let mut placed: Vec<Option<(usize, i32, i32, i32)>> = vec![None; merged.len()];
    for i in order {
        let (_, px, text, _) = &merged[i];
        let width = root.estimate_text_size(text, &font)?.0 as i32;
        // The span a label takes, its own line included.
        let (span, left) = if px + MARK_GAP + width <= right_end {
            ((*px, px + MARK_GAP + width), px + MARK_GAP)
        } else {
            ((px - MARK_GAP - width, *px), px - MARK_GAP - width)
        };
        let free = |row: usize| {
            placed.iter().flatten().all(|&(r, a, b, _)| r != row || span.0 >= b + LABEL_PAD || a >= span.1 + LABEL_PAD)
        };
        if let Some(row) = (0..MARK_ROWS).find(|&r| free(r)) {
            placed[i] = Some((row, span.0, span.1, left));
        }
    }

    let mut out = MarkPlaces::default();
    for ((x, px, text, _), p) in merged.into_iter().zip(placed) {
        let label = p.map(|(row, _, _, left)| PlacedLabel { text, row, left });
        match &label {
            Some(l) => out.rows = out.rows.max(l.row + 1),
            None => out.unlabelled += 1,
        }
        out.lines.push(PlacedMark { x, px, label });
    }
    Ok(out)
}

/// The labels of the marks, in their rows from `strip_top`, each with its
/// line from the label down to the top of the plot (`plot_top`); labels on
/// white, over the lines of the labels above them.
fn draw_mark_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    marks: &MarkPlaces,
    strip_top: i32,
    plot_top: i32,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let font = text_style(MARK_FONT, FontStyle::Normal, INK).pos(Pos::new(HPos::Left, VPos::Center));
    let labelled = || marks.lines.iter().filter_map(|m| Some((m.px, m.label.as_ref()?)));
    let row_top = |l: &PlacedLabel| strip_top + l.row as i32 * MARK_ROW_H;
    for (px, l) in labelled() {
        let style = MARK_COLOR.stroke_width(1);
        root.draw(&DashedPathElement::new(
            vec![(px, row_top(l) + 2), (px, plot_top)],
            MARK_DASH.0,
            MARK_DASH.1,
            style,
        ))?;
    }
    for (_, l) in labelled() {
        let width = root.estimate_text_size(&l.text, &font)?.0 as i32;
        let top = row_top(l);
        root.draw(&Rectangle::new(
            [(l.left - 2, top + 1), (l.left + width + 2, top + MARK_ROW_H - 1)],
            WHITE.filled(),
        ))?;
        root.draw_text(&l.text, &font, (l.left, top + MARK_ROW_H / 2))?;
    }
    Ok(())
}

/// Maximal runs of consecutive finite points.
fn runs(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for &(x, y) in points {
        if y.is_finite() && x.is_finite() {
            cur.push((x, y));
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Maximal runs of consecutive points whose x and both interval ends are
/// finite, as (x, low, high).
fn band_runs(points: &[(f64, f64)], ends: &[(f64, f64)]) -> Vec<Vec<(f64, f64, f64)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for (&(x, _), &(lo, hi)) in points.iter().zip(ends) {
        if x.is_finite() && lo.is_finite() && hi.is_finite() {
            cur.push((x, lo.min(hi), hi.max(lo)));
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The subtitle as one line (16 to 13 px), or, when it does not fit, as
/// two lines of 14 px broken between words (the second cut if need be).
fn subtitle_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    width: i32,
) -> Result<Vec<(String, f64)>>
where
    DB::ErrorType: 'static,
{
    let one = fit_text(root, text, width, 16.0, 13.0, FontStyle::Normal)?;
    if one.0 == text {
        return Ok(vec![one]);
    }
    let size = 14.0;
    let words: Vec<&str> = text.split(' ').collect();
    let mut first = 0;
    for k in 1..=words.len() {
        let line = words[..k].join(" ");
        let (tw, _) = root.estimate_text_size(&line, &text_style(size, FontStyle::Normal, INK))?;
        if tw as i32 > width {
            break;
        }
        first = k;
    }
    if first == 0 {
        return Ok(vec![one]);
    }
    let second = fit_text(root, &words[first..].join(" "), width, size, 13.0, FontStyle::Normal)?;
    Ok(vec![(words[..first].join(" "), size), (second.0, size.min(second.1))])
}

fn text_style(size: f64, style: FontStyle, color: RGBColor) -> TextStyle<'static> {
    TextStyle { font: (FONT, size, style).into_font(), color: color.to_backend_color(), pos: Pos::default() }
}

/// The largest font size in [min, max] at which `text` fits in `width`;
/// at the smallest, the text is cut and ends with an ellipsis.
fn fit_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    width: i32,
    max: f64,
    min: f64,
    style: FontStyle,
) -> Result<(String, f64)>
where
    DB::ErrorType: 'static,
{
    let mut size = max;
    while size >= min {
        let (tw, _) = root.estimate_text_size(text, &text_style(size, style, INK))?;
        if tw as i32 <= width {
            return Ok((text.to_string(), size));
        }
        size -= 1.0;
    }
    let font = text_style(min, style, INK);
    let cut = cut_to_fit(text, |t| Ok(root.estimate_text_size(t, &font)?.0 as i32 <= width))?;
    Ok((cut, min))
}

/// The longest start of `text` that, followed by an ellipsis, `fits`; empty
/// if not even one character does. Widths grow with the characters kept, so
/// the cut is found by doubling the kept length until it is too wide, then
/// halving the gap: O(log k) measurements of at most 2k characters for a
/// cut at k, whatever the length of the text (a title of 100,000 characters
/// is cut as fast as one of 100).
pub(crate) fn cut_to_fit(text: &str, mut fits: impl FnMut(&str) -> Result<bool>) -> Result<String> {
    // ends[k]: the byte length of the first k characters (k >= 1), the
    // whole text excluded (it was measured without an ellipsis already).
    let ends: Vec<usize> = text.char_indices().skip(1).map(|(i, _)| i).collect();
    let mut cut = |k: usize| -> Result<Option<String>> {
        let candidate = format!("{}…", &text[..ends[k - 1]]);
        Ok(fits(&candidate)?.then_some(candidate))
    };
    // Invariant: keeping `good` characters fits (0: nothing kept), keeping
    // `bad` does not (ends.len() + 1: past the last cut there is).
    let (mut good, mut bad, mut best) = (0, ends.len() + 1, String::new());
    let mut step = 1;
    while good + step < bad {
        match cut(good + step)? {
            Some(c) => (good, best, step) = (good + step, c, step * 2),
            None => bad = good + step,
        }
    }
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        match cut(mid)? {
            Some(c) => (good, best) = (mid, c),
            None => bad = mid,
        }
    }
    Ok(best)
}

const SWATCH_W: i32 = 30;
const ITEM_GAP: i32 = 26;
/// Legend text longer than this is cut with an ellipsis [px].
const MAX_LABEL_W: i32 = 520;

struct LegendRow {
    items: Vec<(Swatch, String, i32)>,
    width: i32,
}

/// One entry per label, in order of first appearance; a line with nothing
/// to draw in any panel says so, rather than seem hidden.
fn legend_entries(fig: &Figure) -> Vec<(Swatch, String)> {
    let all = || fig.panels.iter().flat_map(|p| &p.series);
    let mut out: Vec<(Swatch, String)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for s in all() {
        if seen.contains(&s.label.as_str()) {
            continue;
        }
        seen.push(&s.label);
        let has_data = all().any(|o| o.label == s.label && o.has_data());
        let label = if has_data { s.label.clone() } else { format!("{} (no data)", s.label) };
        out.push((Swatch::Line { color: s.color, dashed: s.dashed }, label));
    }
    out.extend(fig.legend_extra.iter().cloned());
    out
}

fn layout_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[(Swatch, String)],
    font: &TextStyle,
    width: i32,
) -> Result<Vec<LegendRow>>
where
    DB::ErrorType: 'static,
{
    let mut rows: Vec<LegendRow> = Vec::new();
    let mut row = LegendRow { items: Vec::new(), width: 0 };
    for (swatch, label) in entries {
        let mut label = label.clone();
        let mut tw = root.estimate_text_size(&label, font)?.0 as i32;
        if tw > MAX_LABEL_W {
            label = cut_to_fit(&label, |t| Ok(root.estimate_text_size(t, font)?.0 as i32 <= MAX_LABEL_W))?;
            tw = root.estimate_text_size(&label, font)?.0 as i32;
        }
        let item_w = SWATCH_W + 6 + tw;
        let needed = if row.items.is_empty() { item_w } else { row.width + ITEM_GAP + item_w };
        if needed > width && !row.items.is_empty() {
            rows.push(std::mem::replace(&mut row, LegendRow { items: Vec::new(), width: 0 }));
            row.width = item_w;
        } else {
            row.width = needed;
        }
        row.items.push((*swatch, label, item_w));
    }
    if !row.items.is_empty() {
        rows.push(row);
    }
    Ok(rows)
}

fn draw_swatch<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, swatch: Swatch, x: i32, y: i32) -> Result<()>
where
    DB::ErrorType: 'static,
{
    match swatch {
        Swatch::Line { color, dashed: false } => {
            root.draw(&PathElement::new(vec![(x, y), (x + SWATCH_W, y)], color.stroke_width(3)))?;
        }
        Swatch::Line { color, dashed: true } => {
            root.draw(&DashedPathElement::new(vec![(x, y), (x + SWATCH_W, y)], 8, 4, color.stroke_width(2)))?;
        }
        Swatch::Shade(color) => {
            root.draw(&Rectangle::new([(x, y - 8), (x + SWATCH_W, y + 8)], color.mix(0.25).filled()))?;
        }
        Swatch::LineInBand(color) => {
            root.draw(&Rectangle::new([(x, y - 8), (x + SWATCH_W, y + 8)], color.mix(BAND_ALPHA).filled()))?;
            root.draw(&PathElement::new(vec![(x, y), (x + SWATCH_W, y)], color.stroke_width(3)))?;
        }
        Swatch::Bar(color) => {
            let (mid, style) = (x + SWATCH_W / 2, color.stroke_width(2));
            root.draw(&PathElement::new(vec![(mid, y - 8), (mid, y + 8)], style))?;
            for end in [y - 8, y + 8] {
                root.draw(&PathElement::new(vec![(mid - CAP, end), (mid + CAP, end)], style))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cut_to_fit;

    /// A stand-in for a font: every character 10 px wide, the ellipsis too.
    fn cut_counting(text: &str, width: usize) -> (String, usize) {
        let mut measured = 0;
        let cut = cut_to_fit(text, |t| {
            measured += 1;
            Ok(t.chars().count() * 10 <= width)
        })
        .expect("no measuring error");
        (cut, measured)
    }

    #[test]
    fn the_cut_keeps_the_longest_start_that_fits() {
        assert_eq!(cut_counting("abcdefghij", 50).0, "abcd…");
        assert_eq!(cut_counting("abcdefghij", 90).0, "abcdefgh…");
        assert_eq!(cut_counting("한국어 제목입니다", 40).0, "한국어…");
        assert_eq!(cut_counting("abc", 5).0, "", "not even one character fits");
        assert_eq!(cut_counting("a", 100).0, "", "nothing shorter than one character");
    }

    /// The reason for the bisection: a 100,000-character title is cut with
    /// a few dozen measurements of short texts, not 100,000 of long ones
    /// (which took minutes).
    #[test]
    fn a_long_text_is_cut_with_few_measurements() {
        let text = "x".repeat(100_000);
        for width in [20, 1_000, 5_000] {
            let (cut, measured) = cut_counting(&text, width);
            assert_eq!(cut.chars().count() * 10, width, "{width}");
            assert!(measured <= 2 * 17 + 2, "{measured} measurements for a width of {width}");
        }
    }
}
