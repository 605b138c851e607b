//! Echoing what a user wrote back to them, safely.
//!
//! Error messages quote what was found: a key, a name, a `--set`, a path.
//! Written raw, a value carrying ESC could recolour or clear the terminal,
//! BEL ring it, NUL or a carriage return hide text, a newline forge a line
//! of its own, and a 100,000-character value bury the message. So a value
//! is quoted with `quoted` (escaped, and cut when long), and every message
//! passes through `escaped` (one line) or `printable` (several lines) on its
//! way out, which makes the terminal safe whatever a message forgot.
//!
//! Escapes are written as TOML writes them (`\n`, `\t`, `\u001B`), so what
//! a message shows is what the file would say.

use std::borrow::Cow;

/// Characters no message writes raw: the control characters (C0, DEL, C1)
/// and the bidirectional overrides and isolates, which reorder how the rest
/// of a line is shown ("Trojan source").
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character escaped: one line, whatever it held.
pub fn escaped(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// `text` with every unsafe character escaped but the newlines, which keep
/// the lines of a message of several lines apart.
pub fn printable(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_here = |c: char| is_unsafe(c) && !(keep_newlines && c == '\n');
    if !text.chars().any(unsafe_here) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_here(c) {
            out.push_str(&escape_char(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One character as TOML would write it in a string: `\n`, `\u001B`.
pub fn escape_char(c: char) -> String {
    match c {
        '\n' => "\\n".into(),
        '\t' => "\\t".into(),
        '\r' => "\\r".into(),
        c => format!("\\u{:04X}", u32::from(c)),
    }
}

/// Longest value quoted in full [characters]; longer ones are cut.
pub const QUOTE_MAX: usize = 60;

/// A found value for a message: in double quotes, escaped, and cut with an
/// ellipsis and its length when long: `"aaaa…" (100000 characters)`.
pub fn quoted(text: &str) -> String {
    let n = text.chars().count();
    if n <= QUOTE_MAX {
        return format!("\"{}\"", escaped(text));
    }
    let head: String = text.chars().take(QUOTE_MAX - 1).collect();
    format!("\"{}…\" ({n} characters)", escaped(&head))
}

/// The first unsafe character of `text` and its 1-based place, in characters.
pub fn first_unsafe(text: &str) -> Option<(usize, char)> {
    text.chars().enumerate().find(|(_, c)| is_unsafe(*c)).map(|(i, c)| (i + 1, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_toml_escapes() {
        assert_eq!(escaped("a\u{1b}[31mb\u{7}\0\n\t\r"), "a\\u001B[31mb\\u0007\\u0000\\n\\t\\r");
        assert_eq!(escaped("\u{9b}\u{202e}x\u{7f}"), "\\u009B\\u202Ex\\u007F");
        assert_eq!(printable("one\u{1b}\ntwo"), "one\\u001B\ntwo");
        assert!(matches!(escaped("plain, ünïcode 한국어"), Cow::Borrowed(_)));
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        assert_eq!(quoted("ab\u{1b}"), "\"ab\\u001B\"");
        let long = "x".repeat(100_000);
        let q = quoted(&long);
        assert!(q.ends_with("…\" (100000 characters)"), "{q}");
        assert!(q.len() < 100, "{q}");
    }

    #[test]
    fn the_first_unsafe_character_is_found_by_its_place() {
        assert_eq!(first_unsafe("ab\u{7}c"), Some((3, '\u{7}')));
        assert_eq!(first_unsafe("abc"), None);
    }
}
