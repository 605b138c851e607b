//! Deserializing the raw mirror without stopping at the first problem.
//!
//! serde stops at the first unknown key or wrong type, so a file with a typo
//! *and* a bad value would report only the typo. Here each error is noted,
//! then the document is patched so that serde can get past it (an unknown
//! key is taken out; a value of the wrong type is replaced by a neutral one
//! of the type serde asked for; a missing key is filled in), and the
//! deserialization is tried again. Patched values are never reported on
//! again: validation problems at or under a patched path, or at a missing
//! key a typo's "did you mean" named, are dropped by the caller (`covers`),
//! so each mistake gets one message.
//!
//! This is not a second schema: the key names and types come from serde's
//! own errors, so `raw.rs` stays the one place that says what a file holds.

use super::path::{self, is_within, Step};
use super::spelling::{did_you_mean, suggest, Spelled};
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;
use std::ops::Range;
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

/// At most this many rounds of deserialize-and-patch: a bound on the work
/// done for a pathological file, far above any real file's mistakes.
const MAX_ROUNDS: usize = 200;

/// One problem serde found.
#[derive(Debug, Clone)]
pub struct SerdeProblem {
    /// Field path, `cohort[0].people` (empty for the whole document).
    pub path: String,
    /// Where in the text, when the value came from the text.
    pub span: Option<Range<usize>>,
    /// What was found and what was expected, in the scenario's words.
    pub message: String,
}

/// What serde got out of a document, and what it had to step over.
pub struct Lenient<T> {
    /// `None` when a problem could not be stepped over (a type this module
    /// has no stand-in for); the problems then end there.
    pub value: Option<T>,
    pub problems: Vec<SerdeProblem>,
    /// Paths serde already spoke for: values it had patched, and keys a
    /// typo's "did you mean" named. Problems at or under them repeat what
    /// `problems` says.
    pub covered: Vec<String>,
}

impl<T> Lenient<T> {
    /// Whether `path` is at or under a covered path.
    pub fn covers(&self, path: &str) -> bool {
        self.covered.iter().any(|p| is_within(path, p))
    }
}

/// How to get serde past one error.
enum Fix {
    /// An unknown key: take it out.
    Remove,
    /// A wrong type, or a missing key: put a neutral value there.
    Put(DeValue<'static>),
}

/// Deserialize `doc` into `T`, collecting every unknown key, wrong type and
/// missing key (see the module doc).
pub fn deserialize<T: DeserializeOwned>(doc: Spanned<DeTable<'_>>) -> Lenient<T> {
    let mut root = DeValue::Table(doc.into_inner());
    let mut out = Lenient { value: None, problems: Vec::new(), covered: Vec::new() };
    let mut tried: Vec<String> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let DeValue::Table(table) = root.clone() else { return out };
        let de = toml::de::Deserializer::from(Spanned::new(0..0, table));
        let err = match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(value) => {
                out.value = Some(value);
                return out;
            }
            Err(err) => err,
        };
        let mut target: Vec<Segment> = err.path().iter().cloned().collect();
        let inner = err.into_inner();
        let message = inner.message();
        let fix = if message.starts_with("unknown field") {
            Some(Fix::Remove)
        } else if let Some(key) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
            target.push(Segment::Map { key: key.to_string() });
            // A string to start with; if the key wants another type, the
            // next round says so and the value is replaced again, silently.
            Some(Fix::Put(DeValue::String("".into())))
        } else {
            message.rsplit_once(", expected ").and_then(|(_, expected)| neutral(expected)).map(Fix::Put)
        };
        let path = canonical(&target);
        if !out.covers(&path) {
            let span = inner.span().filter(|s| !s.is_empty());
            let (mut message, suggested) = describe(message);
            if let Some(Segment::Map { key }) = target.last() {
                message = message.replace("[[name]]", &format!("[[{key}]]"));
            }
            if let Some(key) = suggested {
                // If the key the typo stood for is missing, that is the same
                // mistake, already said.
                let mut named = target.clone();
                named.pop();
                named.push(Segment::Map { key: key.to_string() });
                if value_at(&mut root, &named).is_none() {
                    out.covered.push(canonical(&named));
                }
            }
            out.problems.push(SerdeProblem { path: path.clone(), span, message });
        }
        // A fix that does not get serde past the error would loop: three
        // tries at one path, then give up.
        tried.push(path.clone());
        let tries = tried.iter().filter(|t| **t == path).count();
        let Some(fix) = fix.filter(|_| tries <= 3) else { return out };
        if matches!(fix, Fix::Put(_)) && !out.covered.contains(&path) {
            out.covered.push(path);
        }
        if !apply(&mut root, &target, fix) {
            return out;
        }
    }
    // The bound ran out with mistakes left: say so, so that the count of
    // problems is not taken for all of them.
    out.problems.push(SerdeProblem {
        path: String::new(),
        span: None,
        message: format!(
            "more mistakes of key or type not checked: the file was read up to its first {MAX_ROUNDS}; fix these and check it again"
        ),
    });
    out
}

/// A value of the type serde's `expected ...` names, or `None` for a type
/// this module does not know how to stand in for.
fn neutral(expected: &str) -> Option<DeValue<'static>> {
    let parsed = |text: &'static str| DeValue::parse(text).ok().map(Spanned::into_inner);
    match expected {
        "a string" => Some(DeValue::String("".into())),
        "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" => parsed("0"),
        "f32" | "f64" => parsed("nan"),
        "a boolean" => Some(DeValue::Boolean(false)),
        "a sequence" => Some(DeValue::Array(DeArray::new())),
        "a map" => Some(DeValue::Table(DeTable::new())),
        s if s.starts_with("struct ") => Some(DeValue::Table(DeTable::new())),
        _ => None,
    }
}

/// Apply `fix` at `path`; false when the path cannot be reached.
fn apply(root: &mut DeValue<'_>, path: &[Segment], fix: Fix) -> bool {
    let Some((last, parent)) = path.split_last() else { return false };
    let Some(holder) = value_at(root, parent) else { return false };
    match (holder, last, fix) {
        (DeValue::Table(t), Segment::Map { key }, Fix::Remove) => t.remove(key.as_str()).is_some(),
        (DeValue::Table(t), Segment::Map { key }, Fix::Put(v)) => {
            t.insert(Spanned::new(0..0, key.clone().into()), Spanned::new(0..0, v));
            true
        }
        (DeValue::Array(a), Segment::Seq { index }, Fix::Put(v)) => match a.get_mut(*index) {
            Some(item) => {
                *item = Spanned::new(0..0, v);
                true
            }
            None => false,
        },
        // Removing a list item would renumber the ones after it, and every
        // later message would point at the wrong item.
        _ => false,
    }
}

fn value_at<'a, 'i>(v: &'a mut DeValue<'i>, path: &[Segment]) -> Option<&'a mut DeValue<'i>> {
    let Some((first, rest)) = path.split_first() else { return Some(v) };
    let next = match (v, first) {
        (DeValue::Table(t), Segment::Map { key }) => t.get_mut(key.as_str())?.get_mut(),
        (DeValue::Array(a), Segment::Seq { index }) => a.get_mut(*index)?.get_mut(),
        _ => return None,
    };
    value_at(next, rest)
}

/// serde's path in the form validation uses, `cohort[0].windows[1].opens`.
/// (An enum's variant or an unknown step is never first: the document is a
/// table of named keys.)
fn canonical(path: &[Segment]) -> String {
    path::from_steps(path.iter().map(|s| match s {
        Segment::Seq { index } => Step::Index(index),
        Segment::Map { key } => Step::Key(key),
        Segment::Enum { variant } => Step::Key(variant),
        Segment::Unknown => Step::Key("?"),
    }))
}

/// serde's wording, in the scenario's: "found ..., expected ...", types by
/// what a planner types (a table, a whole number), a suggestion for a typo
/// (returned too, as the key it names).
fn describe(message: &str) -> (String, Option<&str>) {
    if let Some((found, expected)) = message.strip_prefix("unknown field `").and_then(|r| r.split_once('`')) {
        // "unknown field `pepole`, expected one of `name`, `people`"
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return match suggest(found, &candidates) {
            Some(c) => (format!("{message}{}", did_you_mean(c, Spelled::Key)), Some(c)),
            None => (message.to_string(), None),
        };
    }
    if message.starts_with("missing field `") {
        return ("missing, expected this key (it is required)".to_string(), None);
    }
    for prefix in ["invalid type: ", "invalid value: ", "invalid length: "] {
        if let Some((found, expected)) = message.strip_prefix(prefix).and_then(|m| m.rsplit_once(", expected ")) {
            let expected = match expected {
                "a string" => "a string (in quotes)",
                "u64" => "a whole number, 0 or more",
                "u32" => "a whole number from 0 to 4294967295",
                "f64" => "a number",
                "a boolean" => "true or false",
                // `[cohort]` for `[[cohort]]`, most likely.
                "a sequence" if found == "map" => "a list (a section that repeats is written [[name]])",
                "a sequence" => "a list, like [ ... ]",
                s if s == "a map" || s.starts_with("struct ") => "a table, like { key = value }",
                other => other,
            };
            let found = match found {
                "map" => "a table",
                "sequence" => "a list",
                // The TOML reader widens big integers before saying they do not fit.
                f => f.strip_suffix(" as i128").unwrap_or(f),
            };
            return (format!("found {found}, expected {expected}"), None);
        }
    }
    (message.to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Top {
        meta: Meta,
        #[serde(default)]
        item: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Meta {
        name: String,
        size: Option<u64>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        rate: f64,
        on: Option<bool>,
    }

    fn run(text: &str) -> Lenient<Top> {
        deserialize(DeTable::parse(text).expect("valid TOML"))
    }

    #[test]
    fn every_unknown_key_and_wrong_type_is_collected() {
        let l = run("[meta]\nnmae = 'x'\nsize = -1\n[[item]]\nrate = 'fast'\nonn = true\n[[item]]\nrate = 2.0\n");
        let mut paths: Vec<&str> = l.problems.iter().map(|p| p.path.as_str()).collect();
        paths.sort();
        // `meta.name` is missing too, but the typo's suggestion says so.
        assert_eq!(paths, ["item[0].onn", "item[0].rate", "meta.nmae", "meta.size"], "{:?}", l.problems);
        assert!(l.value.is_some(), "patched far enough to deserialize");
        let typo = l.problems.iter().find(|p| p.path == "meta.nmae").expect("typo reported");
        assert!(typo.message.contains("did you mean `name`"), "{}", typo.message);
        let size = l.problems.iter().find(|p| p.path == "meta.size").expect("size reported");
        assert_eq!(size.message, "found integer `-1`, expected a whole number, 0 or more");
        assert!(l.covers("meta.size") && l.covers("item[0].rate") && !l.covers("item[1].rate"));
    }

    #[test]
    fn a_missing_table_is_one_problem() {
        let l = run("[[item]]\nrate = 1.0\n");
        assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
        assert_eq!(l.problems[0].path, "meta");
        assert!(l.value.is_some());
        assert!(l.covers("meta.name"));
    }

    #[test]
    fn a_wrong_type_where_a_table_belongs_is_one_problem() {
        let l = run("meta = 5\n");
        assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
        assert!(l.problems[0].message.contains("expected a table"), "{}", l.problems[0].message);
    }

    #[test]
    fn a_list_item_of_the_wrong_kind_is_one_problem() {
        let l = run("item = [1, { rate = 1.0 }]\n[meta]\nname = 'x'\n");
        assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
        assert_eq!(l.problems[0].path, "item[0]");
        assert!(l.value.is_some() && l.covers("item[0].rate") && !l.covers("item[1].rate"));
    }
}
