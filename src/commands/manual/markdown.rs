//! The project's Markdown references (`docs/scenario.md`, `docs/outputs.md`)
//! as roff, for the manual page: the manual embeds the very text the docs
//! show, so the two cannot tell different stories.
//!
//! Only what those files use is read: `##` headings (subsections; a `#`
//! title is left to the caller's section), paragraphs, fenced code, bullet
//! lists, tables, and inline `code`, `**bold**` and `[links](...)`. Code
//! is set in bold, as man pages set what is typed. A long comment in a
//! code block is wrapped onto `#` lines of its own, so the scenario
//! reference's one-line keys fit a terminal. Escaping is the roff crate's
//! (clap_mangen's): `-`, `\`, apostrophes and leading dots.

use clap_mangen::roff::{bold, italic, roman, Inline, Roff};

/// The widest a code line is let run before its comment is wrapped.
const CODE_WIDTH: usize = 78;

/// `text` (Markdown) appended to `roff`.
pub fn render(text: &str, roff: &mut Roff) {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if trimmed.is_empty() {
            i += 1;
        } else if let Some(fence) = trimmed.strip_prefix("```") {
            let _language = fence;
            let end = lines[i + 1..]
                .iter()
                .position(|l| l.trim_start().starts_with("```"))
                .map_or(lines.len(), |n| i + 1 + n);
            code(&lines[i + 1..end], roff);
            i = end + 1;
        } else if let Some(title) = trimmed.strip_prefix("# ") {
            // The title is the section the caller opened.
            let _ = title;
            i += 1;
        } else if let Some(heading) = trimmed.strip_prefix("## ") {
            roff.control("SS", [heading]);
            i += 1;
        } else if trimmed.starts_with("###") {
            roff.control("PP", []);
            roff.text(vec![bold(trimmed.trim_start_matches('#').trim())]);
            i += 1;
        } else if trimmed.starts_with('|') {
            let end = lines[i..].iter().position(|l| !l.trim_start().starts_with('|')).map_or(lines.len(), |n| i + n);
            table(&lines[i..end], roff);
            i = end;
        } else if let Some(item) = bullet(line) {
            // The item and the lines indented under it.
            let mut text = vec![item.to_owned()];
            i += 1;
            while i < lines.len() && lines[i].starts_with("  ") && !lines[i].trim().is_empty() {
                text.push(lines[i].trim().to_owned());
                i += 1;
            }
            roff.control("IP", ["\\(bu", "2"]);
            roff.text(inline(&text.join("\n")));
        } else {
            // A paragraph: up to a blank line or another block.
            let mut text = Vec::new();
            while i < lines.len() && !lines[i].trim().is_empty() && !starts_block(lines[i]) {
                text.push(lines[i].trim());
                i += 1;
            }
            roff.control("PP", []);
            roff.text(inline(&text.join("\n")));
        }
    }
}

/// Whether `line` starts a block other than a paragraph.
fn starts_block(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with('#') || t.starts_with('|') || bullet(line).is_some()
}

/// A list item's text (`- item`, `* item`).
fn bullet(line: &str) -> Option<&str> {
    line.strip_prefix("- ").or_else(|| line.strip_prefix("* "))
}

/// A code block, lines kept as written (a long comment wrapped).
fn code(lines: &[&str], roff: &mut Roff) {
    roff.control("PP", []);
    roff.control("RS", ["2"]);
    roff.control("nf", []);
    for line in lines {
        for piece in wrap_comment(line) {
            roff.text(vec![roman(piece)]);
        }
    }
    roff.control("fi", []);
    roff.control("RE", []);
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

/// A table: each row a tagged paragraph, its first cell the tag and the
/// others after it; the header row in italics.
fn table(rows: &[&str], roff: &mut Roff) {
    for (n, row) in rows.iter().enumerate() {
        let cells = cells(row);
        if cells.iter().all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':'))) {
            continue;
        }
        let Some((first, rest)) = cells.split_first() else { continue };
        let rest: Vec<&str> = rest.iter().map(String::as_str).filter(|c| !c.is_empty()).collect();
        roff.control("TP", []);
        if n == 0 {
            roff.text(vec![italic(first.as_str())]);
            roff.text(vec![italic(rest.join(" \u{2014} "))]);
        } else {
            roff.text(inline(first));
            roff.text(inline(&rest.join(" \u{2014} ")));
        }
    }
}

/// A table row's cells, split at the `|` outside code spans.
fn cells(row: &str) -> Vec<String> {
    let row = row.trim().trim_start_matches('|');
    let row = row.strip_suffix('|').unwrap_or(row);
    let mut out = vec![String::new()];
    let mut in_code = false;
    for c in row.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.last_mut().expect("a cell").push(c);
            }
            '|' if !in_code => out.push(String::new()),
            _ => out.last_mut().expect("a cell").push(c),
        }
    }
    out.iter().map(|c| c.trim().to_owned()).collect()
}

/// Inline Markdown as roff: code spans and `**bold**` in bold, a link as
/// its text (a web address kept after it).
fn inline(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut bold_on = false;
    let mut rest = text;
    let flush = |plain: &mut String, out: &mut Vec<Inline>, bold_on: bool| {
        if !plain.is_empty() {
            let text = std::mem::take(plain);
            out.push(if bold_on { bold(text) } else { roman(text) });
        }
    };
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            if let Some(end) = rest[1..].find('`') {
                flush(&mut plain, &mut out, bold_on);
                out.push(bold(&rest[1..1 + end]));
                rest = &rest[end + 2..];
                continue;
            }
        } else if rest.starts_with("**") {
            flush(&mut plain, &mut out, bold_on);
            bold_on = !bold_on;
            rest = &rest[2..];
            continue;
        } else if c == '[' || rest.starts_with("![") {
            if let Some((shown, address, after)) = link(rest) {
                plain.push_str(shown);
                if address.starts_with("http") {
                    plain.push_str(&format!(" ({address})"));
                }
                rest = after;
                continue;
            }
        }
        plain.push(c);
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut plain, &mut out, bold_on);
    out
}

/// `[shown](address)` (or an image, `![alt](address)`) at the start of
/// `text`: the shown text, the address, and what follows.
fn link(text: &str) -> Option<(&str, &str, &str)> {
    let text = text.strip_prefix('!').unwrap_or(text);
    let close = text.find("](")?;
    let shown = &text[1..close];
    if shown.contains('[') || shown.contains('`') && shown.matches('`').count() % 2 == 1 {
        return None;
    }
    let after = &text[close + 2..];
    let end = after.find(')')?;
    Some((shown, &after[..end], &after[end + 1..]))
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
        assert!(out.contains(".PP\nSome \\fBkey\\fR and \\fBbold\\fR text\nwith a link.\n"), "{out}");
        assert!(out.contains(".SS Part\n"), "{out}");
        assert!(out.contains(".IP \\(bu 2\none\nmore\n.IP \\(bu 2\ntwo\n"), "{out}");
    }

    #[test]
    fn code_is_kept_line_by_line_and_escaped() {
        let out = roff_of("```toml\n[front]\n.dot = \"a-b\"\n```\n");
        assert!(out.contains(".nf\n[front]\n\\&.dot = \"a\\-b\"\n.fi\n"), "{out}");
    }

    #[test]
    fn tables_become_tagged_paragraphs() {
        let out = roff_of("| key | meaning |\n| --- | --- |\n| `a`, `b` | the `x | y` pair | more |\n");
        assert!(out.contains(".TP\n\\fIkey\\fR\n\\fImeaning\\fR\n"), "{out}");
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
