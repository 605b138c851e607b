//! The one font every chart uses: DejaVu Sans (regular and bold), embedded
//! in the binary from the `dejavu` crate. It is registered with plotters
//! under its default family name (for text sizes and SVG layout) and kept as
//! `ab_glyph` faces for raster text (`text::Crisp`). No system font is looked
//! up, so a chart is the same on every machine and needs no fontconfig or
//! freetype. Licence: see NOTICE.

use ab_glyph::FontRef;
use anyhow::{anyhow, Result};
use plotters::style::{register_font, FontStyle};
use std::sync::OnceLock;

struct Faces {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

/// Parse and register the fonts once per process; later calls return the
/// first outcome.
fn faces() -> &'static Result<Faces, String> {
    static FACES: OnceLock<Result<Faces, String>> = OnceLock::new();
    FACES.get_or_init(|| {
        let (regular, bold) = (dejavu::sans::regular(), dejavu::sans::bold());
        // plotters' `InvalidFont` has neither `Debug` nor `Error`: map it to text.
        register_font("sans-serif", FontStyle::Normal, regular).map_err(|_| "DejaVu Sans".to_string())?;
        register_font("sans-serif", FontStyle::Bold, bold).map_err(|_| "DejaVu Sans Bold".to_string())?;
        Ok(Faces {
            regular: FontRef::try_from_slice(regular).map_err(|e| format!("DejaVu Sans: {e}"))?,
            bold: FontRef::try_from_slice(bold).map_err(|e| format!("DejaVu Sans Bold: {e}"))?,
        })
    })
}

/// Make sure the fonts are loaded; call before drawing.
pub fn register() -> Result<()> {
    match faces() {
        Ok(_) => Ok(()),
        Err(what) => Err(anyhow!("could not load the embedded chart font ({what})")),
    }
}

/// The face for raster text, once `register` succeeded.
pub fn face(bold: bool) -> Option<&'static FontRef<'static>> {
    faces().as_ref().ok().map(|f| if bold { &f.bold } else { &f.regular })
}
