//! Walking a scenario document (the parsed TOML, spans kept) by key: a
//! key's cohort names turned into indices (`resolve`), a value written
//! (`set`, for `--set`) or taken out (`remove`, for `unset`), and the
//! span a problem's field was written at (`find_span`).
//!
//! Keys are read by `path::parse_key`; a name in the `cohort` list is the
//! cohort of that `name` (see `path`), so every function here first turns
//! a key into indices against the document as it is then.

use super::echo::quoted;
use super::merge::cohort_name;
use super::path::{canonical, Segment};
use super::spelling::{hint, Spelled};
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// `key` with each name in a list of cohorts replaced by the cohort's
/// index in `table`. The walk stops resolving where the document ends (a
/// `--set` may create the rest); a name no cohort has, or a name where a
/// list takes only indices, is refused with what was found.
pub fn resolve(table: &DeTable<'_>, key: &[Segment]) -> Result<Vec<Segment>, String> {
    let mut out = Vec::with_capacity(key.len());
    let mut here: Option<&DeValue<'_>> = None;
    for (i, seg) in key.iter().enumerate() {
        let step = match (i, here, seg) {
            (0, _, Segment::Name(n)) => (Segment::Name(n.clone()), table.get(n.as_str()).map(Spanned::get_ref)),
            (_, Some(DeValue::Table(t)), Segment::Name(n)) => {
                (Segment::Name(n.clone()), t.get(n.as_str()).map(Spanned::get_ref))
            }
            (_, Some(DeValue::Table(t)), Segment::Index(k)) => {
                // A table has no indices: the digits are a key (serde then
                // says no such key exists).
                let k = k.to_string();
                let next = t.get(k.as_str()).map(Spanned::get_ref);
                (Segment::Name(k), next)
            }
            (_, Some(DeValue::Array(items)), Segment::Index(k)) => {
                (Segment::Index(*k), items.get(*k).map(Spanned::get_ref))
            }
            (_, Some(DeValue::Array(items)), Segment::Name(n)) => {
                let at = named(items, n).map_err(|why| format!("`{}` {why}", canonical(&out)))?;
                (Segment::Index(at), items.get(at).map(Spanned::get_ref))
            }
            (_, _, seg) => (seg.clone(), None),
        };
        out.push(step.0);
        here = step.1;
    }
    Ok(out)
}

/// The index of the item named `name` in a list of named tables.
fn named(items: &[Spanned<DeValue<'_>>], name: &str) -> Result<usize, String> {
    let names: Vec<&str> = items.iter().filter_map(cohort_name).collect();
    if names.is_empty() {
        return Err(format!("is a list, expected an index like 0, found {}", quoted(name)));
    }
    if let Some(at) = items.iter().position(|i| cohort_name(i) == Some(name)) {
        return Ok(at);
    }
    let listed: Vec<String> = names.iter().map(|n| quoted(n)).collect();
    Err(format!(
        "has no item named {}, expected one of {} or an index{}",
        quoted(name),
        listed.join(", "),
        hint(name, &names, Spelled::Value)
    ))
}

/// Take out the value at `key` (resolved): a key of a table, or an item
/// of a list. `Err` when the document has nothing there.
pub fn remove(table: &mut DeTable<'_>, key: &[Segment]) -> Result<(), String> {
    let Some((last, parent)) = key.split_last() else { return Err("found an empty key".into()) };
    let missing = || format!("found nothing at `{}` to unset", canonical(key));
    let holder: Option<&mut DeValue<'_>> = match parent.split_first() {
        None => {
            let Segment::Name(n) = last else { return Err(missing()) };
            return table.remove(n.as_str()).map(|_| ()).ok_or_else(missing);
        }
        Some((Segment::Name(first), rest)) => table.get_mut(first.as_str()).and_then(|v| value_at(v.get_mut(), rest)),
        Some(_) => None,
    };
    match (holder, last) {
        (Some(DeValue::Table(t)), Segment::Name(n)) => t.remove(n.as_str()).map(|_| ()).ok_or_else(missing),
        (Some(DeValue::Array(items)), Segment::Index(k)) if *k < items.len() => {
            // A TOML list has no `remove`: rebuilt without the item.
            let all = std::mem::replace(items, toml::de::DeArray::new());
            all.into_iter().enumerate().filter(|(i, _)| i != k).for_each(|(_, v)| items.push(v));
            Ok(())
        }
        _ => Err(missing()),
    }
}

fn value_at<'a, 'i>(v: &'a mut DeValue<'i>, key: &[Segment]) -> Option<&'a mut DeValue<'i>> {
    let Some((first, rest)) = key.split_first() else { return Some(v) };
    let next = match (v, first) {
        (DeValue::Table(t), Segment::Name(n)) => t.get_mut(n.as_str())?.get_mut(),
        (DeValue::Array(a), Segment::Index(k)) => a.get_mut(*k)?.get_mut(),
        _ => return None,
    };
    value_at(next, rest)
}

/// Write `value` at `key` (resolved), creating tables on the way. The
/// value is read as TOML (`100`, `0.5`, `true`, `"text"`, `{ dist =
/// "constant", value = "1m" }`) and, failing that, taken as a bare string
/// (`2h`). A message names the part of the key it is about in full.
pub fn set<'i>(table: &mut DeTable<'i>, key: &[Segment], value: &'i str) -> Result<(), String> {
    set_in_table(table, key, 0, value)
}

/// `set` from `key[at]` down, in `table`.
fn set_in_table<'i>(table: &mut DeTable<'i>, key: &[Segment], at: usize, value: &'i str) -> Result<(), String> {
    // Digits where a table is are a key of the table (serde then says it
    // has no such key).
    let first = match key.get(at) {
        Some(Segment::Name(n)) => n.clone(),
        Some(Segment::Index(k)) => k.to_string(),
        None => return Err("found an empty key".into()),
    };
    if at + 1 == key.len() {
        table.insert(Spanned::new(0..0, first.into()), Spanned::new(0..0, parsed(value)));
        return Ok(());
    }
    if table.get(first.as_str()).is_none() {
        let empty = Spanned::new(0..0, DeValue::Table(DeTable::default()));
        table.insert(Spanned::new(0..0, first.clone().into()), empty);
    }
    match table.get_mut(first.as_str()) {
        Some(slot) => set_in_value(slot.get_mut(), key, at + 1, value),
        None => Err(format!("could not create `{}`", canonical(&key[..=at]))),
    }
}

/// A `--set` value: TOML if it reads as TOML, else the text itself.
fn parsed(value: &str) -> DeValue<'_> {
    DeValue::parse(value).map(Spanned::into_inner).unwrap_or(DeValue::String(value.into()))
}

/// `set` from `key[at]` down, in `v`, the value at `key[..at]`.
fn set_in_value<'i>(v: &mut DeValue<'i>, key: &[Segment], at: usize, value: &'i str) -> Result<(), String> {
    let name = canonical(&key[..at]);
    match (v, key.get(at)) {
        (DeValue::Table(t), _) => set_in_table(t, key, at, value),
        (DeValue::Array(items), Some(Segment::Index(i))) => {
            let len = items.len();
            let item = items.get_mut(*i).ok_or_else(|| format!("`{name}` has {len} entries, found index {i}"))?;
            if at + 1 == key.len() {
                *item = Spanned::new(0..0, parsed(value));
                Ok(())
            } else {
                set_in_value(item.get_mut(), key, at + 1, value)
            }
        }
        (DeValue::Array(_), Some(Segment::Name(n))) => {
            Err(format!("`{name}` is a list, expected an index like {name}[0], found `{n}`"))
        }
        _ => Err(format!("`{name}` is a value, not a table: cannot set a key inside it")),
    }
}

/// The first part of `key` the document does not have (`cohort[0].arrivals`
/// of `cohort[0].arrivals.points` when the cohort has no `arrivals`), or
/// `None` when it has the whole key.
pub fn first_missing(table: &DeTable<'_>, key: &[Segment]) -> Option<String> {
    let missing = |i: usize| Some(canonical(&key[..=i]));
    let mut value = match key.first() {
        Some(Segment::Name(n)) => table.get(n.as_str()),
        _ => None,
    };
    for i in 0..key.len() {
        let Some(v) = value else { return missing(i) };
        value = match (v.get_ref(), key.get(i + 1)) {
            (_, None) => return None,
            (DeValue::Table(t), Some(Segment::Name(n))) => t.get(n.as_str()),
            (DeValue::Array(items), Some(Segment::Index(k))) => items.get(*k),
            _ => None,
        };
    }
    None
}

/// Span of the deepest part of `key` present in the document: the value
/// when the field exists (a problem is about what was found), else the
/// nearest enclosing key.
pub fn find_span(table: &DeTable<'_>, key: &[Segment]) -> Option<Range<usize>> {
    let (Segment::Name(first), rest) = key.split_first()? else { return None };
    let (k, value) = table.get_key_value(first.as_str())?;
    if rest.is_empty() {
        return Some(value.span()).filter(|s| !s.is_empty()).or(Some(k.span()));
    }
    find_in_value(value, rest).or(Some(k.span()))
}

fn find_in_value(value: &Spanned<DeValue<'_>>, key: &[Segment]) -> Option<Range<usize>> {
    match (value.get_ref(), key.split_first()) {
        (DeValue::Table(t), _) => find_span(t, key),
        (DeValue::Array(items), Some((Segment::Index(k), rest))) => {
            let item = items.get(*k)?;
            if rest.is_empty() {
                Some(item.span())
            } else {
                find_in_value(item, rest).or(Some(item.span()))
            }
        }
        (DeValue::Array(_), _) => None,
        _ => Some(value.span()),
    }
}

/// Replace a section written as a list of tables by its first table, so the
/// rest of the file is still checked; returns the sections (and where) for
/// the one message each deserves. The sections that are one table each are
/// read from the raw scenario type (`raw::sections`): written `[[backend]]`
/// (like `[[cohort]]`), serde would read the list as the table's fields in
/// order and say something baffling.
pub fn single_tables(table: &mut DeTable<'_>) -> Vec<(&'static str, Range<usize>)> {
    let mut found = Vec::new();
    for key in super::raw::sections() {
        let Some(value) = table.get_mut(key) else { continue };
        let span = value.span();
        if let DeValue::Array(items) = value.get_mut() {
            let first =
                items.first().cloned().unwrap_or_else(|| Spanned::new(span.clone(), DeValue::Table(DeTable::new())));
            *value = first;
            found.push((key, span));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::path::parse_key;
    use super::*;

    const DOC: &str = "[[cohort]]\nname = \"53-54\"\npeople = 1\n[[cohort]]\nname = \"2021\"\npeople = 2\n[front]\nschedule = [{ at = \"1m\", capacity = 1 }]\n";

    fn key(table: &DeTable<'_>, text: &str) -> Result<String, String> {
        resolve(table, &parse_key(text)?).map(|k| canonical(&k))
    }

    #[test]
    fn cohort_names_become_indices_and_digits_stay_indices() {
        let doc = DeTable::parse(DOC).expect("valid").into_inner();
        assert_eq!(key(&doc, "cohort.53-54.people"), Ok("cohort[0].people".into()));
        assert_eq!(key(&doc, "cohort.\"2021\".people"), Ok("cohort[1].people".into()));
        assert_eq!(key(&doc, "cohort.1.people"), Ok("cohort[1].people".into()));
        assert_eq!(key(&doc, "waiting_room.max_active"), Ok("waiting_room.max_active".into()));
        let miss = key(&doc, "cohort.53-55.people").unwrap_err();
        assert!(miss.contains("has no item named \"53-55\"") && miss.contains("did you mean \"53-54\"?"), "{miss}");
        let unnamed = key(&doc, "front.schedule.first").unwrap_err();
        assert!(unnamed.contains("is a list, expected an index"), "{unnamed}");
    }

    #[test]
    fn remove_takes_out_a_key_an_item_or_a_section() {
        let mut doc = DeTable::parse(DOC).expect("valid").into_inner();
        let at = |doc: &DeTable<'_>, k: &str| resolve(doc, &parse_key(k).unwrap()).unwrap();
        let k = at(&doc, "cohort.2021.people");
        assert!(remove(&mut doc, &k).is_err(), "2021 unquoted is an index, and there is no cohort 2021");
        let k = at(&doc, "cohort.\"2021\"");
        remove(&mut doc, &k).expect("removed");
        let k = at(&doc, "front.schedule");
        remove(&mut doc, &k).expect("removed");
        let k = at(&doc, "front");
        remove(&mut doc, &k).expect("removed");
        assert!(doc.get("front").is_none());
        assert_eq!(doc["cohort"].get_ref().as_array().map(|a| a.len()), Some(1));
        let k = at(&doc, "backend");
        assert_eq!(remove(&mut doc, &k), Err("found nothing at `backend` to unset".into()));
    }
}
