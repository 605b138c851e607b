//! The legend under a chart's panels: one entry per line label (in order
//! of first appearance) and the figure's extra entries, laid out in centred
//! rows, long labels cut with an ellipsis.

use super::figure::{Figure, Swatch, BAND_ALPHA, CAP, INK, MARGIN};
use super::labels::{cut_to_fit, text_style};
use anyhow::Result;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(super) const LEGEND_ROW_H: i32 = 24;

pub(super) fn legend_font() -> TextStyle<'static> {
    text_style(15.0, FontStyle::Normal, INK)
}

/// The legend's rows, centred, at the foot of the picture.
pub(super) fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: Vec<LegendRow>,
    legend_h: i32,
) -> Result<()>
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

const SWATCH_W: i32 = 30;
const ITEM_GAP: i32 = 26;
/// Legend text longer than this is cut with an ellipsis [px].
const MAX_LABEL_W: i32 = 520;

pub(super) struct LegendRow {
    items: Vec<(Swatch, String, i32)>,
    width: i32,
}

/// One entry per label, in order of first appearance; a line with nothing
/// to draw in any panel says so, rather than seem hidden.
pub(super) fn legend_entries(fig: &Figure) -> Vec<(Swatch, String)> {
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

pub(super) fn layout_legend<DB: DrawingBackend>(
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
        Swatch::Observed => {
            use super::figure::{diamond, OBSERVED_R};
            root.draw(
                &(EmptyElement::at((x + SWATCH_W / 2, y))
                    + Polygon::new(diamond(OBSERVED_R + 3), WHITE.filled())
                    + Polygon::new(diamond(OBSERVED_R + 1), INK.filled())),
            )?;
        }
    }
    Ok(())
}
