//! The project's Markdown references (`docs/scenario.md`, `docs/outputs.md`)
//! as roff, for the manual page: the manual embeds the very text the docs
//! show, so the two cannot tell different stories.
//!
//! The Markdown is read by pulldown-cmark (CommonMark with GitHub's tables,
//! as GitHub shows the docs); this module only says what each block becomes
//! in a man page. Headings: a `#` title is left to the caller's section,
//! `##` opens a subsection, deeper ones a bold line. Paragraphs, bullet
//! lists (nested ones indented), fenced code (set in bold, as man pages
//! set what is typed; a long TOML comment wrapped onto `#` lines of its
//! own so the scenario reference's one-line keys fit a terminal), tables
//! (a tagged paragraph per row: a man page has no room for columns), and
//! inline `code`, `**strong**`, `*emphasis*` and links (their text, a web
//! address kept after it). Escaping is the roff crate's (clap_mangen's):
//! `-`, `\`, apostrophes and leading dots.

use clap_mangen::roff::{bold, italic, roman, Inline, Roff};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The widest a code line is let run before its comment is wrapped.
const CODE_WIDTH: usize = 78;

/// `text` (Markdown) appended to `roff`.
pub fn render(text: &str, roff: &mut Roff) {
    let mut writer = Writer {
        roff,
        text: Vec::new(),
        strong: 0,
        emphasis: 0,
        heading: None,
        lists: 0,
        item_fresh: false,
        code: None,
        links: Vec::new(),
        cells: Vec::new(),
        header: false,
    };
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        writer.event(event);
    }
}

/// The state of one walk over the events: what is open, and the inline
/// text gathered for the block that will hold it.
struct Writer<'r> {
    roff: &'r mut Roff,
    /// Inline text since the last block was written.
    text: Vec<Inline>,
    /// Open `**strong**` and `*emphasis*` spans.
    strong: usize,
    emphasis: usize,
    /// Within a `#` title (left out) or another heading.
    heading: Option<HeadingLevel>,
    /// Open lists, and whether an item's first paragraph is still to come
    /// (it shares the bullet's line; later ones get a paragraph of their own).
    lists: usize,
    item_fresh: bool,
    /// A code block's lines so far.
    code: Option<String>,
    /// Links' addresses, innermost last.
    links: Vec<String>,
    /// The table row's cells so far, and whether it is the header.
    cells: Vec<Vec<Inline>>,
    header: bool,
}

impl Writer<'_> {
    fn roff(&mut self) -> &mut Roff {
        self.roff
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => match &mut self.code {
                Some(code) => code.push_str(&t),
                None => self.push(&t, false),
            },
            Event::Code(t) => self.push(&t, true),
            Event::SoftBreak => self.push(" ", false),
            Event::HardBreak => {
                self.flush_text();
                self.roff().control("br", []);
            }
            // No raw HTML, footnotes or rules in a man page: what HTML says
            // is kept as text, a rule as a paragraph break.
            Event::Html(t) | Event::InlineHtml(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.push(&t, false)
            }
            Event::Rule => {
                self.roff().control("PP", []);
            }
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.flush_text();
                self.heading = Some(level);
            }
            Tag::Paragraph => {
                if self.lists == 0 {
                    self.roff().control("PP", []);
                } else if !std::mem::take(&mut self.item_fresh) {
                    // A list item's second paragraph: a space, still under the bullet.
                    self.flush_text();
                    self.roff().control("sp", []);
                }
            }
            Tag::List(_) => {
                self.flush_text();
                if self.lists > 0 {
                    self.roff().control("RS", ["2"]);
                }
                self.lists += 1;
            }
            Tag::Item => {
                self.flush_text();
                self.roff().control("IP", ["\\(bu", "2"]);
                self.item_fresh = true;
            }
            Tag::CodeBlock(_) => {
                self.flush_text();
                self.code = Some(String::new());
            }
            Tag::TableHead => {
                self.cells.clear();
                self.header = true;
            }
            Tag::TableRow => {
                self.cells.clear();
                self.header = false;
            }
            Tag::TableCell => self.text.clear(),
            Tag::Strong => self.strong += 1,
            Tag::Emphasis => self.emphasis += 1,
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => self.links.push(dest_url.to_string()),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(level) => {
                let title: String = std::mem::take(&mut self.text).iter().map(plain).collect();
                self.heading = None;
                match level {
                    // The title is the section the caller opened.
                    HeadingLevel::H1 => {}
                    HeadingLevel::H2 => {
                        self.roff().control("SS", [title.as_str()]);
                    }
                    _ => {
                        self.roff().control("PP", []);
                        self.roff().text(vec![bold(title)]);
                    }
                }
            }
            TagEnd::Paragraph | TagEnd::Item => self.flush_text(),
            TagEnd::List(_) => {
                self.flush_text();
                self.lists -= 1;
                if self.lists > 0 {
                    self.roff().control("RE", []);
                }
            }
            TagEnd::CodeBlock => {
                let code = self.code.take().unwrap_or_default();
                self.code_block(&code);
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.text);
                self.cells.push(cell);
            }
            TagEnd::TableHead | TagEnd::TableRow => self.table_row(),
            TagEnd::Strong => self.strong -= 1,
            TagEnd::Emphasis => self.emphasis -= 1,
            TagEnd::Link | TagEnd::Image => {
                let address = self.links.pop().unwrap_or_default();
                if address.starts_with("http") {
                    self.push(&format!(" ({address})"), false);
                }
            }
            _ => {}
        }
    }

    /// Inline text in the style the open spans give it (code and strong
    /// in bold, emphasis in italics), joined to the last piece when the
    /// style is the same.
    fn push(&mut self, text: &str, code: bool) {
        let piece = if code || self.strong > 0 {
            bold(text)
        } else if self.emphasis > 0 {
            italic(text)
        } else {
            roman(text)
        };
        self.text.push(piece);
    }

    /// The gathered inline text as a text line, if there is any.
    fn flush_text(&mut self) {
        if self.text.is_empty() || self.heading.is_some() {
            return;
        }
        let text = std::mem::take(&mut self.text);
        self.roff().text(text);
    }

    /// A table row as a tagged paragraph: the first cell the tag, the
    /// others after it joined by dashes; the header row in italics.
    fn table_row(&mut self) {
        let cells: Vec<Vec<Inline>> = std::mem::take(&mut self.cells).into_iter().filter(|c| !c.is_empty()).collect();
        let Some((first, rest)) = cells.split_first() else { return };
        let (tag, after) = if self.header {
            let words = |cell: &Vec<Inline>| cell.iter().map(plain).collect::<String>();
            let rest: Vec<String> = rest.iter().map(words).collect();
            (vec![italic(words(first))], vec![italic(rest.join(" \u{2014} "))])
        } else {
            let mut after = Vec::new();
            for (n, cell) in rest.iter().enumerate() {
                if n > 0 {
                    after.push(roman(" \u{2014} "));
                }
                after.extend(cell.iter().cloned());
            }
            (first.clone(), after)
        };
        let roff = self.roff();
        roff.control("TP", []);
        roff.text(tag);
        if !rest.is_empty() {
            roff.text(after);
        }
    }

    /// A code block, lines kept as written (a long comment wrapped).
    fn code_block(&mut self, code: &str) {
        let roff = self.roff();
        roff.control("PP", []);
        roff.control("RS", ["2"]);
        roff.control("nf", []);
        for line in code.lines() {
            for piece in wrap_comment(line) {
                roff.text(vec![roman(piece)]);
            }
        }
        roff.control("fi", []);
        roff.control("RE", []);
    }
}

/// An inline piece's words, without its style.
fn plain(piece: &Inline) -> String {
    match piece {
        Inline::Roman(t) | Inline::Bold(t) | Inline::Italic(t) => t.clone(),
        _ => String::new(),
    }
}

/// `line`, or if it is too long and ends in a `#` comment, the code with
/// the comment's first words and the rest on `#` lines below: under the
/// comment when it starts early enough, else indented under the code.
fn wrap_comment(line: &str) -> Vec<String> {
    if line.chars().count() <= CODE_WIDTH {
        return vec![line.to_owned()];
    }
    let Some(at) = comment_start(line) else { return vec![line.to_owned()] };
    let (head, comment) = line.split_at(at);
    let words: Vec<&str> = comment.trim_start_matches('#').split_whitespace().collect();
    // At the comment's own column when it starts early or fits two lines
    // there; else on lines of its own under the code.
    let at_column = wrap(head, &words);
    if head.chars().count() <= CODE_WIDTH / 2 || at_column.len() <= 2 {
        return at_column;
    }
    let mut out = vec![head.trim_end().to_owned()];
    out.extend(wrap(&" ".repeat(8), &words));
    out
}

/// `words` as a comment after `head`, wrapped onto `#` lines at its column.
fn wrap(head: &str, words: &[&str]) -> Vec<String> {
    let pad = " ".repeat(head.chars().count());
    let mut out = Vec::new();
    let mut current = format!("{head}#");
    let mut empty = true;
    for word in words {
        if !empty && current.chars().count() + 1 + word.chars().count() > CODE_WIDTH {
            out.push(std::mem::replace(&mut current, format!("{pad}#")));
        }
        current.push(' ');
        current.push_str(word);
        empty = false;
    }
    out.push(current);
    out
}

/// Where a TOML line's comment starts: the first `#` outside a string.
fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    for (at, c) in line.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '#' if !in_string => return Some(at),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roff_of(text: &str) -> String {
        let mut roff = Roff::default();
        render(text, &mut roff);
        roff.to_roff()
    }

    #[test]
    fn blocks_become_macros() {
        let out = roff_of(
            "# Title\n\nSome `key` and **bold** text\nwith [a link](x.md).\n\n## Part\n\n- one\n  more\n- two\n",
        );
        assert!(!out.contains("Title"), "{out}");
        assert!(out.contains(".PP\nSome \\fBkey\\fR and \\fBbold\\fR text with a link.\n"), "{out}");
        assert!(out.contains(".SS Part\n"), "{out}");
        assert!(out.contains(".IP \\(bu 2\none more\n.IP \\(bu 2\ntwo\n"), "{out}");
    }

    #[test]
    fn nested_lists_are_indented_and_web_addresses_kept() {
        let out = roff_of("- one *stressed*\n  - inner [site](https://example.org/a)\n- two\n\n  second paragraph\n");
        assert!(
            out.contains("one \\fIstressed\\fR\n.RS 2\n.IP \\(bu 2\ninner site (https://example.org/a)\n.RE\n"),
            "{out}"
        );
        assert!(out.contains("two\n.sp\nsecond paragraph\n"), "{out}");
    }

    #[test]
    fn code_is_kept_line_by_line_and_escaped() {
        let out = roff_of("```toml\n[front]\n.dot = \"a-b\"\n```\n");
        assert!(out.contains(".nf\n[front]\n\\&.dot = \"a\\-b\"\n.fi\n"), "{out}");
    }

    #[test]
    fn tables_become_tagged_paragraphs() {
        // As on GitHub, a `|` in a table's code span is written `\|`.
        let out = roff_of("| key | meaning | note |\n| --- | --- | --- |\n| `a`, `b` | the `x \\| y` pair | more |\n");
        assert!(out.contains(".TP\n\\fIkey\\fR\n\\fImeaning \u{2014} note\\fR\n"), "{out}");
        assert!(out.contains(".TP\n\\fBa\\fR, \\fBb\\fR\nthe \\fBx | y\\fR pair \u{2014} more\n"), "{out}");
        assert!(!out.contains("\\-\\-\\-"), "{out}");
    }

    #[test]
    fn long_comments_wrap_onto_comment_lines() {
        let line = format!("key = 1   # {}", "word ".repeat(30));
        let wrapped = wrap_comment(&line);
        assert!(wrapped.len() > 1, "{wrapped:?}");
        assert!(wrapped[0].starts_with("key = 1   # word"), "{wrapped:?}");
        for l in &wrapped {
            assert!(l.chars().count() <= CODE_WIDTH, "{l}");
        }
        assert!(wrapped[1].starts_with("          # word"), "{wrapped:?}");
        // A comment starting far right goes under the code when it would
        // take more than two lines there.
        let line = format!("{} = 1 # {}", "k".repeat(50), "word ".repeat(30));
        let wrapped = wrap_comment(&line);
        assert_eq!(wrapped[0], format!("{} = 1", "k".repeat(50)));
        assert!(wrapped[1].starts_with("        # word"), "{wrapped:?}");
        let words: usize = wrapped.iter().map(|l| l.matches("word").count()).sum();
        assert_eq!(words, 30);
        // A `#` in a string is not a comment.
        assert_eq!(comment_start("a = \"#1\" # c"), Some(9));
    }
}
