//! Field paths, the one form every message names a field in:
//! `cohort[0].windows[1].opens`. Validation writes them, serde's errors
//! (`lenient`) and `--set` keys (`load`) are turned into them, and a
//! problem is matched to the `--set` or the patched value it comes from by
//! comparing them, so all must agree to the letter.
//!
//! A key as a user writes it (`--set`, `--vary`, `--unset`, a file's
//! `unset` list) is a little richer, and `parse_key` reads it:
//!
//! - segments are joined by dots; an index may also be written `[0]`;
//! - a segment of digits is an index (`cohort.0`); any other segment is a
//!   name: a key in a table, or, in the `cohort` list, a cohort's name
//!   (`cohort.53-54.people`), which `load` turns into its index;
//! - a segment in double quotes is always a name, taken to the letter:
//!   `cohort."2021".people` (a name of digits), `cohort."ages 50.5+".people`
//!   (a name with a dot or a plus). A name holding `"` is reached by index.
//!
//! Two or more keys joined by `+` (`backend.max_sessions+waiting_room.max_active`)
//! are linked keys that take one value together (`split_linked`). A `+` is
//! a join only where a key starts after it (a section name such as
//! `waiting_room`): `cohort.55+.people` is one key, the cohort `55+`.

use std::fmt::Display;

/// One step down a path: into a table by key, or into a list by index.
pub enum Step<'a> {
    Key(&'a str),
    Index(&'a dyn Display),
}

/// One segment of a key as written: a name, or an index into a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A key of a table, or the name of a cohort in the `cohort` list.
    Name(String),
    Index(usize),
}

/// The path the steps take, in the canonical form: keys joined by dots,
/// indices in brackets. A key that would not read back as one name (a
/// dot, a bracket, a quote, a plus or an equals sign in it, all digits,
/// or empty) is written in quotes.
pub fn from_steps<'a>(steps: impl IntoIterator<Item = Step<'a>>) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Index(i) => out.push_str(&format!("[{i}]")),
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                if needs_quotes(k) {
                    out.push_str(&format!("\"{k}\""));
                } else {
                    out.push_str(k);
                }
            }
        }
    }
    out
}

/// Whether a name must be quoted to be read back as that name.
fn needs_quotes(name: &str) -> bool {
    name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) || name.contains(['.', '[', ']', '"', '+', '='])
}

/// The canonical form of segments (see `from_steps`).
pub fn canonical(segments: &[Segment]) -> String {
    from_steps(segments.iter().map(|s| match s {
        Segment::Name(n) => Step::Key(n),
        Segment::Index(i) => Step::Index(i),
    }))
}

/// Read a key (see the module doc): `cohort[0].people`, `cohort.0.people`,
/// `cohort.53-54.people`, `cohort."2021".people`. Empty segments between
/// dots are skipped (`a..b` is `a.b`); an unclosed quote or bracket, or
/// an index too large to be one, is refused with what was found.
pub fn parse_key(key: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    let mut chars = key.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Segment>| -> Result<(), String> {
        if !word.is_empty() {
            out.push(bare(word)?);
            word.clear();
        }
        Ok(())
    };
    while let Some(c) = chars.next() {
        match c {
            '.' => flush(&mut word, &mut out)?,
            '"' if word.is_empty() => {
                let Some(name) = until(&mut chars, '"') else {
                    return Err(format!("found an unclosed quote in `{key}`, expected \"name\""));
                };
                out.push(Segment::Name(name));
                if chars.peek().is_some_and(|&c| c != '.' && c != '[') {
                    return Err(format!("found text after a quoted name in `{key}`, expected a dot next"));
                }
            }
            '[' => {
                flush(&mut word, &mut out)?;
                match until(&mut chars, ']').as_deref().map(|inside| (inside, index(inside))) {
                    Some((_, Some(i))) => out.push(Segment::Index(i)),
                    Some((inside, None)) => {
                        return Err(format!("found `[{inside}]` in `{key}`, expected an index like [0]"))
                    }
                    None => return Err(format!("found an unclosed `[` in `{key}`, expected an index like [0]")),
                }
            }
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out)?;
    Ok(out)
}

/// The characters up to `end` (taken too), or `None` when it never comes.
fn until(chars: &mut impl Iterator<Item = char>, end: char) -> Option<String> {
    let mut text = String::new();
    for c in chars {
        if c == end {
            return Some(text);
        }
        text.push(c);
    }
    None
}

/// An unquoted segment: digits are an index, anything else a name.
fn bare(word: &str) -> Result<Segment, String> {
    if word.chars().all(|c| c.is_ascii_digit()) {
        return index(word).map(Segment::Index).ok_or_else(|| format!("found index {word}, expected a smaller one"));
    }
    Ok(Segment::Name(word.to_string()))
}

fn index(text: &str) -> Option<usize> {
    text.trim().parse().ok().filter(|_| text.trim().chars().all(|c| c.is_ascii_digit()))
}

/// `cohort[0].people`, `cohort.0.people` -> ["cohort", "0", "people"]:
/// a field path of the canonical form (as problems name them) in segments,
/// for walking a document.
pub fn split_path(path: &str) -> Vec<Segment> {
    parse_key(path).unwrap_or_else(|_| vec![Segment::Name(path.to_string())])
}

/// The linked keys of `text`, split at each `+` that starts another key
/// (see the module doc): `a.x+b.y` -> [`a.x`, `b.y`]; one key -> itself.
pub fn split_linked(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '+' if !quoted && starts_a_key(&text[i + 1..]) => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Whether `rest` begins with a key of the top of a scenario.
fn starts_a_key(rest: &str) -> bool {
    let rest = rest.trim_start();
    // The keys at the top of a scenario, read from its raw type: a linked
    // key's parts each start with one.
    super::raw::top_keys()
        .iter()
        .any(|k| rest.strip_prefix(k).is_some_and(|after| after.is_empty() || after.starts_with(['.', '[', '+', ' '])))
}

/// The first `=` outside quotes: `cohort."a=b".people=5` splits at the last.
pub fn split_assignment(text: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '=' if !quoted => return Some((&text[..i], &text[i + 1..])),
            _ => {}
        }
    }
    None
}

/// `path` is `base` or inside it (`base.x`, `base[0]`), by whole segments;
/// everything is inside "".
pub fn is_within(path: &str, base: &str) -> bool {
    base.is_empty() || path == base || is_inside(path, base)
}

/// `path` is inside `base` and not `base` itself: `base.x`, `base[0]`.
pub fn is_inside(path: &str, base: &str) -> bool {
    path.strip_prefix(base).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> Segment {
        Segment::Name(n.to_string())
    }

    #[test]
    fn keys_take_dots_and_indices_brackets() {
        assert_eq!(from_steps([Step::Key("cohort"), Step::Index(&0), Step::Key("people")]), "cohort[0].people");
        assert_eq!(from_steps([Step::Index(&2), Step::Key("x")]), "[2].x");
        assert_eq!(canonical(&split_path("cohort.0.windows[1].opens")), "cohort[0].windows[1].opens");
    }

    #[test]
    fn a_path_splits_into_its_segments() {
        assert_eq!(split_path("cohort[0].people"), [name("cohort"), Segment::Index(0), name("people")]);
        assert_eq!(split_path("a..b"), [name("a"), name("b")]);
        assert_eq!(split_path(""), Vec::<Segment>::new());
    }

    #[test]
    fn names_are_bare_or_quoted_and_digits_are_indices_unless_quoted() {
        assert_eq!(parse_key("cohort.53-54.people"), Ok(vec![name("cohort"), name("53-54"), name("people")]));
        assert_eq!(parse_key("cohort.\"2021\".people"), Ok(vec![name("cohort"), name("2021"), name("people")]));
        assert_eq!(parse_key("cohort.2021.people"), Ok(vec![name("cohort"), Segment::Index(2021), name("people")]));
        assert_eq!(parse_key("cohort.\"a.b+c\"[0]"), Ok(vec![name("cohort"), name("a.b+c"), Segment::Index(0)]));
        assert_eq!(parse_key("cohort.ineligible visitors"), Ok(vec![name("cohort"), name("ineligible visitors")]));
        assert!(parse_key("cohort.\"open").is_err());
        assert!(parse_key("cohort[x]").is_err());
        assert!(parse_key("cohort.99999999999999999999999").is_err());
        // Quoted where needed, so that a canonical key reads back the same.
        for key in ["cohort.\"2021\".people", "cohort.\"a.b\"", "cohort[3].x", "cohort.53-54"] {
            assert_eq!(canonical(&parse_key(key).unwrap()), key);
        }
    }

    #[test]
    fn linked_keys_split_where_a_key_starts() {
        assert_eq!(
            split_linked("backend.max_sessions+waiting_room.max_active"),
            ["backend.max_sessions", "waiting_room.max_active"]
        );
        assert_eq!(split_linked("cohort.55+.people"), ["cohort.55+.people"]);
        assert_eq!(
            split_linked("cohort.\"a+backend\".people+front.capacity"),
            ["cohort.\"a+backend\".people", "front.capacity"]
        );
        assert_eq!(split_linked("a"), ["a"]);
        assert_eq!(split_assignment("cohort.\"a=b\".people=5"), Some(("cohort.\"a=b\".people", "5")));
    }

    #[test]
    fn within_is_by_whole_segments() {
        assert!(is_within("a.b", "a") && is_within("a[0]", "a") && is_within("a", "a") && is_within("a", ""));
        assert!(!is_within("ab", "a") && !is_within("a", "a.b"));
        assert!(is_inside("a[0]", "a") && !is_inside("a", "a") && !is_inside("ab", "a"));
    }
}
