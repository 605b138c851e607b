//! Drawing a `Figure` on any plotters backend: the heading, the panels
//! stacked on one x axis (grid, shaded spans, 95 % bands, error bars,
//! lines, empty-panel notes, the observations' markers over them), then
//! the event marks' labels and the legend (`mark_labels`, `legend`). Every
//! plotting error is returned, never unwrapped.

use super::axis::{panel_chart, Chart};
use super::figure::diamond;
use super::figure::{
    Figure, ObservedPoint, Panel, Series, Spread, Swatch, BAND_ALPHA, CAP, GRID, INK, MARGIN, MARKERS_UP_TO, MUTED,
    OBSERVED_R, SPAN_ALPHA,
};
use super::labels::{fit_text, subtitle_lines, text_style};
use super::legend::{draw_legend, layout_legend, legend_entries, legend_font, LEGEND_ROW_H};
use super::mark_labels::{draw_mark_labels, place_marks, MarkPlaces, MARK_COLOR, MARK_DASH};
use anyhow::Result;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Draw `fig` on `root`, with the `observed` markers over its panels'
/// lines. Every plotting error is returned, never unwrapped.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, fig: &Figure, observed: &[ObservedPoint]) -> Result<()>
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
    if let Some(plot_top) = draw_panels(body, fig, observed, &marks)? {
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
    observed: &[ObservedPoint],
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
        let here: Vec<ObservedPoint> = observed.iter().copied().filter(|p| p.panel == i).collect();
        let plot_top = draw_panel(&area, fig, panel, &here, last, marks)?;
        first_plot_top.get_or_insert(plot_top);
        if let Some(b) = below {
            rest = b;
        }
    }
    Ok(first_plot_top)
}

/// Draw one panel; returns the top of its plot area [px].
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &Figure,
    panel: &Panel,
    observed: &[ObservedPoint],
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
    // What was seen, over what was simulated. A point off the panel (the
    // axis was widened for it, but a log axis or a fixed one may not hold
    // it) is left out rather than drawn on its edge as if it were there.
    let (x_lo, x_hi) = fig.x.ends();
    let inside = |p: &&ObservedPoint| (x_lo..=x_hi).contains(&p.x) && (y_lo..=y_hi).contains(&p.y);
    for p in observed.iter().filter(inside) {
        // A diamond outlined in black and white: it shows on any line, and
        // no line has one (their dots are round).
        chart.draw_series(std::iter::once(
            EmptyElement::at((p.x, p.y))
                + Polygon::new(diamond(OBSERVED_R + 3), WHITE.filled())
                + Polygon::new(diamond(OBSERVED_R + 1), INK.filled())
                + Polygon::new(diamond(OBSERVED_R - 1), p.color.filled()),
        ))?;
    }

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
