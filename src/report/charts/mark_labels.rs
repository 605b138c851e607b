//! Where the event marks of a figure go and how their labels are drawn:
//! marks a pixel or two apart share a line, labels go in up to four rows
//! above the top panel, and a label that finds no room is left out (its
//! line stays; the legend counts it). What the marks are comes from
//! `marks`; this decides only their places on the picture.

use super::axis::{panel_chart, ValueAxis};
use super::figure::{Figure, Mark, INK, MARGIN};
use super::labels::text_style;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Colour, dash (on, off [px]) and label size of the event marks.
pub const MARK_COLOR: RGBColor = RGBColor(0x44, 0x44, 0x44);
pub(super) const MARK_DASH: (u32, u32) = (5, 4);
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
pub(super) struct MarkPlaces {
    pub(super) lines: Vec<PlacedMark>,
    /// Rows of labels used.
    rows: usize,
    /// Marks whose label found no room (their lines are still drawn).
    pub(super) unlabelled: usize,
}

pub(super) struct PlacedMark {
    /// On the x axis, and in pixels.
    pub(super) x: f64,
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
    pub(super) fn strip_height(&self) -> i32 {
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
pub(super) fn place_marks<DB: DrawingBackend>(
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
pub(super) fn draw_mark_labels<DB: DrawingBackend>(
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
