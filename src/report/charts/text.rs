//! Text on raster charts, drawn with correct glyph placement.
//!
//! plotters 0.3.7 rasterizes `ab_glyph` text without each glyph's left side
//! bearing and on whole pixels, so letters sit unevenly ("j oining",
//! "M /M"). `Crisp` wraps a raster backend and draws text itself with
//! `ab_glyph`: glyphs at their exact (fractional) positions with kerning,
//! the baseline at the font's ascent, anti-aliased by coverage. Every other
//! drawing call goes straight to the wrapped backend. (SVG needs no fix: its
//! text is laid out by the viewer.)

use super::font;
use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle};

pub struct Crisp<B>(pub B);

/// Glyphs of `text` laid out on a baseline at y = ascent: (glyph, x) and
/// the box (width, height) [px].
fn layout(face: &FontRef<'static>, size: f64, text: &str) -> (Vec<ab_glyph::Glyph>, (i32, i32)) {
    let scale = PxScale::from(size as f32);
    let f = face.as_scaled(scale);
    let mut caret = 0.0f32;
    let mut prev = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars() {
        let id = f.glyph_id(c);
        if let Some(p) = prev {
            caret += f.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(scale, point(caret, f.ascent())));
        caret += f.h_advance(id);
        prev = Some(id);
    }
    let height = (f.ascent() - f.descent()).ceil() as i32;
    (glyphs, (caret.ceil() as i32, height))
}

/// The face of `style`, or a font error if the fonts failed to load.
fn face_of<S: BackendTextStyle, E: std::error::Error + Send + Sync>(
    style: &S,
) -> Result<&'static FontRef<'static>, DrawingErrorKind<E>> {
    font::face(matches!(style.style(), FontStyle::Bold))
        .ok_or_else(|| DrawingErrorKind::FontError(Box::new(std::io::Error::other("chart font not loaded"))))
}

impl<B: DrawingBackend> DrawingBackend for Crisp<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(&mut self, p: BackendCoord, c: BackendColor) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(p, c)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        // plotters turns a wide path into one polygon with mitred joins,
        // which shoot far out of the plot where a noisy line doubles back
        // within a pixel. Drawn as separate segments with round joins
        // instead, a line stays where its points are.
        let width = style.stroke_width();
        if width <= 1 {
            return self.0.draw_path(path, style);
        }
        let points: Vec<BackendCoord> = path.into_iter().collect();
        for pair in points.windows(2) {
            self.0.draw_path(pair.iter().copied(), style)?;
        }
        if points.len() > 2 {
            for &p in &points[1..points.len() - 1] {
                self.0.draw_circle(p, width / 2, style, true)?;
            }
        }
        Ok(())
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let (_, (w, h)) = layout(face_of(style)?, style.size(), text);
        Ok((w.max(0) as u32, h.max(0) as u32))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let face = face_of(style)?;
        let (glyphs, (width, height)) = layout(face, style.size(), text);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let mut pixels = Vec::new();
        for g in glyphs {
            if let Some(outline) = face.outline_glyph(g) {
                let b = outline.px_bounds();
                outline.draw(|x, y, coverage| {
                    if coverage > 0.0 {
                        pixels.push((b.min.x as i32 + x as i32, b.min.y as i32 + y as i32, coverage));
                    }
                });
            }
        }
        for (x, y, coverage) in pixels {
            let (x, y) = trans.transform(x + dx, y + dy);
            let c = BackendColor { alpha: color.alpha * f64::from(coverage.min(1.0)), rgb: color.rgb };
            self.0.draw_pixel((pos.0 + x, pos.1 + y), c)?;
        }
        Ok(())
    }
}
