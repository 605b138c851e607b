//! Text that must fit: a title shrunk then cut to one line, a subtitle on
//! one or two lines, any label cut with an ellipsis at a width; and the
//! text style every chart's text is drawn in.

use super::figure::{FONT, INK};
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::Pos;

/// The subtitle as one line (16 to 13 px), or, when it does not fit, as
/// two lines of 14 px broken between words (the second cut if need be).
pub(super) fn subtitle_lines<DB: DrawingBackend>(
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

pub(super) fn text_style(size: f64, style: FontStyle, color: RGBColor) -> TextStyle<'static> {
    TextStyle { font: (FONT, size, style).into_font(), color: color.to_backend_color(), pos: Pos::default() }
}

/// The largest font size in [min, max] at which `text` fits in `width`;
/// at the smallest, the text is cut and ends with an ellipsis.
pub(super) fn fit_text<DB: DrawingBackend>(
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
