//! `[scenario] extends`: a scenario written as another file plus its
//! changes, and `unset`, which takes keys of the base back to their
//! defaults (a section or a cohort out).
//!
//! ```toml
//! [scenario]
//! extends = "kdca-2021-07-19.toml"   # relative to this file
//! name = "what-if-cloud-from-opening"
//! unset = ["front.schedule", "waiting_room.connection_loss"]
//! [front]
//! capacity = 50000
//! ```
//!
//! A base may extend another in turn (at most `MAX_FILES` files in all);
//! a file met twice in one chain is a cycle, refused with the chain shown.
//! The merge itself is `merge`'s. A base's `name` and `title` are not
//! inherited: they name the outputs and label comparisons, and a what-if
//! that took its base's would write over the base's folder and be told
//! from it by nothing. A relative trace path of a base in another folder
//! is made absolute, so that it still names the base's file.
//!
//! Reading goes in two passes. The first follows the `extends` values
//! from file to file, reading each file's text into `Sources` (nothing of
//! a base can be kept before its text has its place there); the second
//! parses every base, moves its spans into its stretch of offsets, and
//! merges from the deepest base up. A value then carries where it was
//! written, in whichever file, for every message about it.

use super::doc::single_tables;
use super::merge::{cohort_name, merge_document};
use super::path::parse_key;
use super::read::{read_file, MAX_SCENARIO_BYTES};
use super::sources::{shift, Sources};
use super::{doc, echo::escaped};
use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Files in one chain at most, the scenario's own included.
pub const MAX_FILES: usize = 16;

/// A problem found while reading the chain, at a span of any of its files.
pub struct Found {
    pub span: Option<Range<usize>>,
    pub field: Option<String>,
    pub message: String,
}

impl Found {
    fn at(span: Range<usize>, field: &str, message: impl Into<String>) -> Found {
        Found { span: Some(span), field: Some(field.to_string()), message: message.into() }
    }
}

/// One base file of the chain.
pub struct Link {
    /// The `extends` value that named it, as written.
    pub written: String,
    /// Its folder: its own `extends` and traces are read from there.
    pub dir: PathBuf,
    /// Its index in the `Sources`.
    pub file: usize,
}

/// The first pass: follow `extends` from the scenario's own document
/// (`top`, read from `top_file` in `top_dir`), reading each base's text
/// into `sources`. `Err` with the problems when a base cannot be read:
/// missing, a cycle, too many or too large files, not text.
pub fn discover(
    top: &DeTable<'_>,
    top_file: &Path,
    top_dir: &Path,
    sources: &mut Sources<'_>,
) -> Result<Vec<Link>, Vec<Found>> {
    let mut links: Vec<Link> = Vec::new();
    let mut stack: Vec<(Option<PathBuf>, PathBuf)> = vec![(std::fs::canonicalize(top_file).ok(), top_file.into())];
    let mut next = extends_of(top, 0);
    let mut dir = top_dir.to_owned();
    while let Some((written, at)) = next {
        let here = |message: String| vec![Found::at(at.clone(), "scenario.extends", message)];
        let path = dir.join(&written);
        let shown = escaped(&path.display().to_string()).into_owned();
        if stack.len() >= MAX_FILES {
            return Err(here(format!("found a chain of more than {MAX_FILES} files, expected fewer")));
        }
        let canonical = std::fs::canonicalize(&path).map_err(|e| here(format!("could not read '{shown}': {e}")))?;
        if let Some(i) = stack.iter().position(|(c, _)| c.as_ref() == Some(&canonical)) {
            let mut chain: Vec<String> =
                stack[i..].iter().map(|(_, p)| escaped(&p.display().to_string()).into_owned()).collect();
            chain.push(shown);
            return Err(here(format!("found a cycle: {}; expected a chain that ends", chain.join(" extends "))));
        }
        let bytes = read_file(&path).map_err(|e| here(format!("could not read '{shown}': {e}")))?;
        if sources.total_len() + bytes.len() > MAX_SCENARIO_BYTES as usize {
            let mb = MAX_SCENARIO_BYTES >> 20;
            return Err(here(format!(
                "found files of more than {mb} MB in all, expected a scenario and its bases of a few KB"
            )));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| here(format!("'{shown}' holds bytes that are not UTF-8 text, expected a TOML file")))?;
        let (file, start) = sources.add(&path, text);
        let (base, _) = DeTable::parse_recoverable(sources.text(file));
        next = extends_of(base.get_ref(), start);
        dir = path.parent().map_or_else(PathBuf::new, Path::to_owned);
        stack.push((Some(canonical), path));
        links.push(Link { written, dir: dir.clone(), file });
    }
    Ok(links)
}

/// A document's `extends`, when it is text, with its span moved by
/// `start`. (A section written `[[scenario]]` counts by its first table,
/// as `load` reads it.)
fn extends_of(table: &DeTable<'_>, start: usize) -> Option<(String, Range<usize>)> {
    let meta = match table.get("scenario")?.get_ref() {
        DeValue::Array(items) => items.first()?.get_ref().as_table()?,
        other => other.as_table()?,
    };
    let value = meta.get("extends")?;
    let span = value.span();
    value.get_ref().as_str().map(|s| (s.to_string(), span.start + start..span.end + start))
}

/// What a file says of its inheritance.
#[derive(Default)]
struct Keys {
    /// Whether it has an `extends` key at all (of whatever type).
    extends: bool,
    /// Its `unset` list: each key with its span.
    unset: Vec<(String, Range<usize>)>,
    /// Where `unset` is written, when it is.
    unset_at: Option<Range<usize>>,
}

/// The second pass: the scenario's own document with every base of
/// `links` under it. `Err` when a base has TOML syntax errors (the rest
/// would be guesses); otherwise the merged document and the problems of
/// the `extends` and `unset` keys and of the merge.
pub fn merge_chain<'s>(
    top: DeTable<'s>,
    links: &[Link],
    sources: &'s Sources<'_>,
    top_dir: &Path,
) -> Result<(DeTable<'s>, Vec<Found>), Vec<Found>> {
    let mut found = Vec::new();
    let mut levels: Vec<(DeTable<'s>, Keys, &Path)> = Vec::with_capacity(links.len() + 1);
    let mut top = top;
    let keys = take_keys(&mut top, &mut found);
    levels.push((top, keys, top_dir));
    let mut syntax = Vec::new();
    for link in links {
        let start = sources.start(link.file);
        let (doc, errors) = DeTable::parse_recoverable(sources.text(link.file));
        let moved = |s: Option<Range<usize>>| s.map(|s| s.start + start..s.end + start);
        syntax.extend(errors.iter().take(20).map(|e| Found {
            span: moved(e.span()),
            field: None,
            message: e.message().to_string(),
        }));
        let mut doc = doc.into_inner();
        let listed = single_tables(&mut doc);
        found.extend(listed.into_iter().map(|(key, span)| {
            let message = format!("found [[{key}]], a list of tables, expected one [{key}] table");
            Found::at(span.start + start..span.end + start, key, message)
        }));
        shift(&mut doc, start);
        let keys = take_keys(&mut doc, &mut found);
        levels.push((doc, keys, &link.dir));
    }
    if !syntax.is_empty() {
        return Err(syntax);
    }
    let Some((mut merged, keys, mut below)) = levels.pop() else { return Ok((DeTable::new(), found)) };
    lone_unset(&keys, &mut found);
    while let Some((doc, keys, dir)) = levels.pop() {
        forget_identity(&mut merged);
        rebase_traces(&mut merged, below, dir);
        for (key, span) in &keys.unset {
            if let Err(message) = unset(&mut merged, key) {
                found.push(Found::at(span.clone(), "scenario.unset", message));
            }
        }
        let clashes = merge_document(&mut merged, doc);
        found.extend(clashes.into_iter().map(|c| Found::at(c.span, &c.field, c.message)));
        below = dir;
    }
    Ok((merged, found))
}

/// `unset` in a file that extends nothing has nothing to take back.
fn lone_unset(keys: &Keys, found: &mut Vec<Found>) {
    if let (Some(span), false) = (&keys.unset_at, keys.extends) {
        let message = "found `unset` in a file that extends no other, expected it beside `extends`";
        found.push(Found::at(span.clone(), "scenario.unset", message));
    }
}

/// Take `extends` and `unset` out of a document's `[scenario]` (they are
/// read here, not by serde), noting values of the wrong type.
fn take_keys(table: &mut DeTable<'_>, found: &mut Vec<Found>) -> Keys {
    let mut keys = Keys::default();
    let Some(DeValue::Table(meta)) = table.get_mut("scenario").map(Spanned::get_mut) else { return keys };
    if let Some(v) = meta.remove("extends") {
        keys.extends = true;
        if !v.get_ref().is_str() {
            let message =
                format!("found {}, expected the path of the file this one extends, in quotes", v.get_ref().type_str());
            found.push(Found::at(v.span(), "scenario.extends", message));
        }
    }
    let Some(v) = meta.remove("unset") else { return keys };
    keys.unset_at = Some(v.span());
    let DeValue::Array(items) = v.get_ref() else {
        let message = format!("found {}, expected a list of keys, like [\"front.schedule\"]", v.get_ref().type_str());
        found.push(Found::at(v.span(), "scenario.unset", message));
        return keys;
    };
    for (j, item) in items.iter().enumerate() {
        match item.get_ref().as_str() {
            Some(key) => keys.unset.push((key.to_string(), item.span())),
            None => {
                let message =
                    format!("found {}, expected a key in quotes, like \"front.schedule\"", item.get_ref().type_str());
                found.push(Found::at(item.span(), &format!("scenario.unset[{j}]"), message));
            }
        }
    }
    keys
}

/// Take the value at `key` out of `table`: back to its default, or, for
/// a section or a cohort, gone. The key must name something the document
/// has: an `unset` that takes nothing out is a typo.
pub fn unset(table: &mut DeTable<'_>, key: &str) -> Result<(), String> {
    let segments = parse_key(key.trim())?;
    if segments.is_empty() {
        return Err("found an empty key, expected one like \"front.schedule\"".into());
    }
    let resolved = doc::resolve(table, &segments)?;
    doc::remove(table, &resolved)
}

/// A base's `name` and `title` are its own (see the module doc).
fn forget_identity(table: &mut DeTable<'_>) {
    if let Some(DeValue::Table(meta)) = table.get_mut("scenario").map(Spanned::get_mut) {
        meta.remove("name");
        meta.remove("title");
    }
}

/// A base in another folder than the file extending it: its cohorts'
/// relative trace paths made absolute, so that they still name its files.
fn rebase_traces(table: &mut DeTable<'_>, from: &Path, to: &Path) {
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if same(from, to) {
        return;
    }
    let Some(DeValue::Array(cohorts)) = table.get_mut("cohort").map(Spanned::get_mut) else { return };
    for item in cohorts.iter_mut().filter(|c| cohort_name(c).is_some() || c.get_ref().is_table()) {
        let Some(DeValue::Table(c)) = Some(item.get_mut()) else { continue };
        let Some(DeValue::Table(arrivals)) = c.get_mut("arrivals").map(Spanned::get_mut) else { continue };
        let Some(file) = arrivals.get_mut("file") else { continue };
        let Some(path) = file.get_ref().as_str().map(Path::new).filter(|p| p.is_relative()) else { continue };
        let Ok(absolute) = std::path::absolute(from.join(path)) else { continue };
        let span = file.span();
        *file = Spanned::new(span, DeValue::String(Cow::Owned(absolute.display().to_string())));
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{load, load_with, Changes, Diagnostic, Scenario, ScenarioError};
    use std::path::{Path, PathBuf};

    const BASE: &str = r#"[scenario]
name = "base"
title = "The base night"
duration = "2h"
seed = 7

[[cohort]]
name = "a"
people = 100
eligible = false

[[cohort]]
name = "b"
people = 200

[front]
capacity = 10
schedule = [{ at = "1h", capacity = 20 }]

[waiting_room]
admit_per_minute = 5

[backend]
max_sessions = 10
"#;

    /// A folder holding `files` (name, text).
    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("in the folder")).expect("creatable");
            std::fs::write(path, text).expect("writable");
        }
        dir
    }

    fn loaded(dir: &Path, name: &str) -> Scenario {
        load(&dir.join(name), &[]).unwrap_or_else(|e| panic!("{e}"))
    }

    fn problems(dir: &Path, name: &str, unset: &[&str]) -> Vec<Diagnostic> {
        let unset: Vec<String> = unset.iter().map(|s| s.to_string()).collect();
        match load_with(&dir.join(name), Changes { unset: &unset, set: &[] }) {
            Err(ScenarioError::Invalid { diagnostics, .. }) => diagnostics,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    /// The file name and line of a problem.
    fn place(d: &Diagnostic) -> (String, usize) {
        let file = d.file.as_ref().and_then(|f| f.file_name()).map(|f| f.to_string_lossy().to_string());
        (file.unwrap_or_default(), d.line.unwrap_or(0))
    }

    #[test]
    fn a_child_changes_keys_and_cohorts_and_keeps_the_rest() {
        let child = "[scenario]\nextends = \"base.toml\"\nname = \"child\"\n\n[[cohort]]\nname = \"a\"\npeople = 150\n\n[[cohort]]\nname = \"c\"\npeople = 5\n\n[front]\ncapacity = 30\n";
        let dir = folder(&[("base.toml", BASE), ("child.toml", child)]);
        let s = loaded(dir.path(), "child.toml");
        assert_eq!((s.name.as_str(), s.title.as_str(), s.seed), ("child", "child", 7), "name and title are its own");
        let cohorts: Vec<(&str, u64, bool)> =
            s.cohorts.iter().map(|c| (c.name.as_str(), c.people, c.eligible)).collect();
        assert_eq!(cohorts, [("a", 150, false), ("b", 200, true), ("c", 5, true)]);
        let front = s.front.expect("kept");
        assert_eq!((front.capacity, front.schedule.len()), (30, 1), "one key changed, the schedule kept");
        assert_eq!(s.origin.extends, ["base.toml"]);
    }

    #[test]
    fn unset_takes_a_key_a_section_and_a_cohort_back() {
        let child = "[scenario]\nextends = \"base.toml\"\nname = \"child\"\nunset = [\"front.schedule\", \"waiting_room\", \"cohort.a\"]\n";
        let dir = folder(&[("base.toml", BASE), ("child.toml", child)]);
        let s = loaded(dir.path(), "child.toml");
        assert!(s.front.expect("kept").schedule.is_empty());
        assert!(s.waiting_room.is_none());
        assert_eq!(s.cohorts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["b"]);
        // From the command line too, after the files.
        let unset = ["cohort.b".to_string(), "front".to_string()];
        let s = load_with(&dir.path().join("base.toml"), Changes { unset: &unset, set: &[] }).expect("valid");
        assert_eq!((s.cohorts.len(), s.front.is_none()), (1, true));
        assert_eq!(s.origin.unset, unset);
        assert!(!s.origin.is_plain());
    }

    #[test]
    fn chains_are_followed_from_folder_to_folder() {
        let middle =
            "[scenario]\nextends = \"../base.toml\"\nname = \"middle\"\nseed = 8\n[backend]\nmax_sessions = 40\n";
        let child = "[scenario]\nextends = \"sub/middle.toml\"\nname = \"child\"\n[front]\ncapacity = 3\n";
        let dir = folder(&[("base.toml", BASE), ("sub/middle.toml", middle), ("child.toml", child)]);
        let s = loaded(dir.path(), "child.toml");
        assert_eq!((s.seed, s.backend.max_sessions, s.front.expect("kept").capacity), (8, 40, 3));
        assert_eq!(s.origin.extends, ["sub/middle.toml", "../base.toml"], "nearest first, as written");
    }

    #[test]
    fn a_cycle_is_refused_with_its_chain() {
        let a = "[scenario]\nextends = \"b.toml\"\nname = \"a\"\n";
        let b = "[scenario]\nextends = \"a.toml\"\nname = \"b\"\n";
        let dir = folder(&[("a.toml", a), ("b.toml", b)]);
        let d = problems(dir.path(), "a.toml", &[]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(place(&d[0]), ("b.toml".into(), 2), "at the extends that closes the cycle");
        assert!(d[0].message.contains("a.toml extends ") && d[0].message.contains("b.toml extends "), "{}", d[0]);
        let me = "[scenario]\nextends = \"me.toml\"\nname = \"me\"\n";
        let dir = folder(&[("me.toml", me)]);
        assert!(problems(dir.path(), "me.toml", &[])[0].message.contains("found a cycle"));
    }

    #[test]
    fn an_unknown_base_is_named_at_the_extends() {
        let child = "[scenario]\nname = \"child\"\nextends = \"nowhere.toml\"\n";
        let dir = folder(&[("child.toml", child)]);
        let d = problems(dir.path(), "child.toml", &[]);
        assert_eq!((d.len(), place(&d[0])), (1, ("child.toml".into(), 3)), "{d:?}");
        assert!(d[0].message.starts_with("could not read '") && d[0].message.contains("nowhere.toml"), "{}", d[0]);
        assert_eq!(d[0].field.as_deref(), Some("scenario.extends"));
    }

    #[test]
    fn each_problem_is_in_the_file_that_wrote_its_value() {
        let base =
            BASE.replace("people = 200", "people = 200\nslots = -1").replace("seed = 7", "seed = 7\nbin = \"3h\"");
        let child = "[scenario]\nextends = \"base.toml\"\nname = \"child\"\nunset = [\"front.shedule\"]\n\n[backend]\nmax_sessions = 0\n";
        let dir = folder(&[("base.toml", &base), ("child.toml", child)]);
        let d = problems(dir.path(), "child.toml", &[]);
        let got: Vec<(String, usize, Option<&str>)> =
            d.iter().map(|d| (place(d).0, place(d).1, d.field.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("child.toml".into(), 4, Some("scenario.unset")),
                ("child.toml".into(), 7, Some("backend.max_sessions")),
                ("base.toml".into(), 6, Some("scenario.bin")),
                ("base.toml".into(), 16, Some("cohort[1].slots")),
            ],
            "the child's first, then the base's: {d:?}"
        );
        assert!(d[0].message.contains("found nothing at `front.shedule` to unset"), "{}", d[0]);
        assert!(d[0].to_string().contains("child.toml:4:"), "{}", d[0]);
    }

    #[test]
    fn extends_and_unset_are_checked_like_any_key() {
        let dir = folder(&[("base.toml", BASE)]);
        let wrong = "[scenario]\nextends = 5\nname = \"x\"\nunset = \"front\"\nduration = \"1h\"\n[[cohort]]\nname = \"a\"\npeople = 1\n[backend]\nmax_sessions = 1\n";
        std::fs::write(dir.path().join("wrong.toml"), wrong).expect("writable");
        let d = problems(dir.path(), "wrong.toml", &[]);
        let lines: Vec<usize> = d.iter().map(|d| place(d).1).collect();
        assert_eq!(lines, [2, 4], "{d:?}");
        assert!(d[0].message.contains("found integer, expected the path of the file"), "{}", d[0]);
        let lone = BASE.replace("seed = 7", "seed = 7\nunset = [\"front\"]");
        std::fs::write(dir.path().join("lone.toml"), lone).expect("writable");
        let d = problems(dir.path(), "lone.toml", &[]);
        assert!(d[0].message.contains("in a file that extends no other"), "{}", d[0]);
        let d = problems(dir.path(), "base.toml", &["cohort.z"]);
        assert_eq!((d[0].location.as_str(), d[0].line), ("--unset cohort.z", None), "{d:?}");
    }

    #[test]
    fn a_base_trace_in_another_folder_is_read_from_there() {
        let base = BASE.replace("people = 200", "arrivals = { curve = \"trace\", file = \"t.csv\" }");
        let child = "[scenario]\nextends = \"base/base.toml\"\nname = \"child\"\n";
        let dir =
            folder(&[("base/base.toml", &base), ("base/t.csv", "time,count\n0m,60\n1h,60\n"), ("child.toml", child)]);
        let s = loaded(dir.path(), "child.toml");
        assert_eq!(s.cohorts[1].people, 120);
        let at: PathBuf = dir.path().join("base/t.csv");
        assert!(
            matches!(&s.cohorts[1].arrivals, crate::scenario::Curve::Trace { file, .. } if Path::new(file) == std::path::absolute(at).unwrap())
        );
    }
}
