//! The files a scenario was read from, and which of them a byte offset
//! falls in: the scenario's own file and every file it extends.
//!
//! Each file is parsed into a document whose spans are offsets into its
//! own text; a base file's spans are then moved past the end of the files
//! read before it (`Sources::add` gives each file its own stretch of
//! offsets). After the merge, every value keeps the span of the file that
//! wrote it, so that one offset says the file, the line and the column
//! where a problem's value was written, base or child, without a second
//! map beside the document.

use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Where in the files a problem is.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// Which file: 0 is the scenario's own, then its bases nearest first.
    pub file: usize,
    pub line: usize,
    pub column: usize,
}

/// The files of one scenario, each with its own stretch of offsets.
pub struct Sources<'i> {
    files: Vec<Source<'i>>,
}

struct Source<'i> {
    /// As messages name it.
    shown: PathBuf,
    text: Cow<'i, str>,
    lines: LineIndex,
    /// Its first offset: spans of its document are moved by this much.
    start: usize,
}

impl<'i> Sources<'i> {
    /// The scenario's own file, at offset 0.
    pub fn new(shown: &Path, text: &'i str) -> Sources<'i> {
        let lines = LineIndex::new(text);
        Sources { files: vec![Source { shown: shown.to_owned(), text: Cow::Borrowed(text), lines, start: 0 }] }
    }

    /// Add a base file; returns its index and the offset its spans are
    /// to be moved by. One byte is left between files, so that even an
    /// empty span at the end of one is not at the start of the next.
    pub fn add(&mut self, shown: &Path, text: String) -> (usize, usize) {
        let start = self.files.last().map_or(0, |f| f.start + f.text.len() + 1);
        let lines = LineIndex::new(&text);
        self.files.push(Source { shown: shown.to_owned(), text: Cow::Owned(text), lines, start });
        (self.files.len() - 1, start)
    }

    /// The first offset of file `i`.
    pub fn start(&self, i: usize) -> usize {
        self.files[i].start
    }

    /// The text of file `i`.
    pub fn text(&self, i: usize) -> &str {
        &self.files[i].text
    }

    /// How messages name file `i`.
    pub fn shown(&self, i: usize) -> &Path {
        &self.files[i].shown
    }

    /// Bytes of every file, together.
    pub fn total_len(&self) -> usize {
        self.files.iter().map(|f| f.text.len()).sum()
    }

    /// The file, line and column of an offset (the start of the scenario's
    /// own file when there is none: a value a `--set` or a patch wrote).
    pub fn place(&self, span: Option<Range<usize>>) -> Place {
        let Some(offset) = span.map(|s| s.start) else { return Place { file: 0, line: 1, column: 1 } };
        let file = self.files.partition_point(|f| f.start <= offset).saturating_sub(1);
        let f = &self.files[file];
        let (line, column) = f.lines.line_col(&f.text, offset - f.start);
        Place { file, line, column }
    }

    /// `file:line:column` of a place.
    pub fn location(&self, p: &Place) -> String {
        format!("{}:{}:{}", self.files[p.file].shown.display(), p.line, p.column)
    }
}

/// Move every span of `table` (keys and values, all the way down) by
/// `by` bytes: a base file's document into its stretch of offsets.
pub fn shift(table: &mut DeTable<'_>, by: usize) {
    let moved = |s: Range<usize>| s.start + by..s.end + by;
    let entries = std::mem::take(table);
    for (key, mut value) in entries {
        let key = Spanned::new(moved(key.span()), key.into_inner());
        shift_value(&mut value, by);
        table.insert(key, value);
    }
}

fn shift_value(value: &mut Spanned<DeValue<'_>>, by: usize) {
    let span = value.span();
    let inner = std::mem::replace(value.get_mut(), DeValue::Boolean(false));
    let mut inner = inner;
    match &mut inner {
        DeValue::Table(t) => shift(t, by),
        DeValue::Array(items) => items.iter_mut().for_each(|i| shift_value(i, by)),
        _ => {}
    }
    *value = Spanned::new(span.start + by..span.end + by, inner);
}

/// Where each line starts, and how many characters come before every
/// `BLOCK` bytes, found once: locating a problem is then a binary search
/// and a count of at most `BLOCK` bytes, not a scan of the whole file nor
/// of its line (a 16 MB file with tens of thousands of problems would take
/// minutes; 250,000 problems on one line of 1 MB took a minute).
pub struct LineIndex {
    starts: Vec<usize>,
    /// Characters before byte `BLOCK * i`.
    chars: Vec<usize>,
}

/// Bytes between two counts of characters kept by `LineIndex`.
const BLOCK: usize = 64;

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let starts =
            std::iter::once(0).chain(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        let mut chars = Vec::with_capacity(text.len() / BLOCK + 1);
        let mut before = 0;
        for block in text.as_bytes().chunks(BLOCK) {
            chars.push(before);
            before += first_bytes(block);
        }
        chars.push(before);
        LineIndex { starts: starts.collect(), chars }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let line_start = self.starts[line - 1];
        let col = self.chars_before(text, offset) - self.chars_before(text, line_start) + 1;
        (line, col)
    }

    /// Characters before byte `offset`, counted by their first bytes: no
    /// slicing, so an offset inside a character cannot panic.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / BLOCK;
        self.chars[block] + first_bytes(&text.as_bytes()[block * BLOCK..offset])
    }
}

/// The characters that start in `bytes` (UTF-8: every byte but 10xxxxxx).
fn first_bytes(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_falls_in_its_own_file() {
        let mut s = Sources::new(Path::new("child.toml"), "a = 1\nb = 2\n");
        let (i, start) = s.add(Path::new("base.toml"), "x = 1\n\ny = 2\n".to_string());
        assert_eq!((i, start), (1, 13));
        assert_eq!(s.place(Some(6..7)), Place { file: 0, line: 2, column: 1 });
        assert_eq!(s.place(Some(start + 7..start + 8)), Place { file: 1, line: 3, column: 1 });
        assert_eq!(s.location(&s.place(Some(start + 4..start + 5))), "base.toml:1:5");
        assert_eq!(s.place(None), Place { file: 0, line: 1, column: 1 });
    }

    #[test]
    fn shifting_moves_every_span_down_the_document() {
        let text = "[t]\nk = { a = [1, 2] }\n";
        let mut doc = DeTable::parse(text).expect("valid").into_inner();
        let before = doc["t"].get_ref().as_table().expect("a table")["k"].span();
        shift(&mut doc, 100);
        let t = doc["t"].get_ref().as_table().expect("a table");
        assert_eq!(t["k"].span(), before.start + 100..before.end + 100);
        let a = t["k"].get_ref().as_table().expect("a table")["a"].get_ref().as_array().expect("a list");
        assert_eq!(a[1].span().start, text.find('2').expect("there") + 100);
        let (key, _) = doc.get_key_value("t").expect("there");
        assert_eq!(key.span(), 101..102);
    }

    #[test]
    fn line_and_column_by_the_index_match_a_scan() {
        let text = "ab\ncé\n\nlast";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            let before = &text.as_bytes()[..offset.min(text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            assert_eq!(index.line_col(text, offset).0, line, "{offset}");
        }
        assert_eq!(index.line_col(text, 4), (2, 2));
        assert_eq!(index.line_col(text, 6), (2, 3), "é is one character");
        assert_eq!(index.line_col(text, 9), (4, 2));
    }
}
