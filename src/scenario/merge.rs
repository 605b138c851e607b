//! How a file that extends another changes it: the base's document with
//! the child's written over it, before anything is checked.
//!
//! - Tables merge key by key, all the way down: `[front] capacity = 50000`
//!   changes the capacity and keeps the base's other `[front]` keys, and
//!   `retry = { probability = 0.5 }` keeps the base's delays.
//! - A table that names its kind (`dist = ...` for a distribution, `curve =
//!   ...` for arrivals) is replaced whole when the child names another kind:
//!   an exponential `patience` over a lognormal one must not keep its
//!   `median`. With the same kind, or none named, it merges.
//! - A `[[cohort]]` whose `name` is a base cohort's changes only the keys
//!   it gives; any other is added after the base's, in the child's order.
//! - Any other list (windows, schedules, spans) and any other value is
//!   replaced whole.
//!
//! Every value keeps the span of the file that wrote it (see `sources`).

use super::echo::quoted;
use std::ops::Range;
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

/// Keys that name the kind of the table holding them.
const KINDS: [&str; 2] = ["dist", "curve"];

/// A problem found while merging: where, and what.
pub struct Clash {
    pub span: Range<usize>,
    pub field: String,
    pub message: String,
}

/// Write `child` over `base` (the top of a scenario document).
pub fn merge_document<'i>(base: &mut DeTable<'i>, child: DeTable<'i>) -> Vec<Clash> {
    let mut clashes = Vec::new();
    for (key, value) in child {
        match base.get_mut(key.get_ref().as_ref()) {
            Some(old) if key.get_ref() == "cohort" => {
                if let Some(items) = cohorts(old, &value) {
                    clashes.extend(merge_cohorts(items, value));
                    continue;
                }
                replace(base, key, value);
            }
            _ => write(base, key, value),
        }
    }
    clashes
}

/// The base's cohort list, when both it and the child's are lists.
fn cohorts<'a, 'i>(old: &'a mut Spanned<DeValue<'i>>, new: &Spanned<DeValue<'i>>) -> Option<&'a mut DeArray<'i>> {
    match (old.get_mut(), new.get_ref()) {
        (DeValue::Array(items), DeValue::Array(_)) => Some(items),
        _ => None,
    }
}

/// Write one key of the child over the base's table.
fn write<'i>(base: &mut DeTable<'i>, key: Spanned<std::borrow::Cow<'i, str>>, value: Spanned<DeValue<'i>>) {
    let merges = match (base.get(key.get_ref().as_ref()).map(Spanned::get_ref), value.get_ref()) {
        (Some(DeValue::Table(old)), DeValue::Table(new)) => same_kind(old, new),
        _ => false,
    };
    if !merges {
        replace(base, key, value);
        return;
    }
    let span = value.span();
    let DeValue::Table(new) = value.into_inner() else { return };
    if let Some(old) = base.get_mut(key.get_ref().as_ref()) {
        if let DeValue::Table(t) = old.get_mut() {
            for (k, v) in new {
                write(t, k, v);
            }
        }
        // The table now holds the child's keys: point at the child's.
        let inner = std::mem::replace(old.get_mut(), DeValue::Boolean(false));
        *old = Spanned::new(span, inner);
    }
}

/// Whether two tables are of one kind (neither names another).
fn same_kind(old: &DeTable<'_>, new: &DeTable<'_>) -> bool {
    KINDS.iter().all(|k| match (old.get(*k), new.get(*k)) {
        (Some(a), Some(b)) => a.get_ref().as_str() == b.get_ref().as_str(),
        _ => true,
    })
}

/// The child's key and value in place of the base's (the key too, so that
/// a message about it points at the child's line).
fn replace<'i>(base: &mut DeTable<'i>, key: Spanned<std::borrow::Cow<'i, str>>, value: Spanned<DeValue<'i>>) {
    base.remove(key.get_ref().as_ref());
    base.insert(key, value);
}

/// A cohort's name, when it has one written as text.
pub fn cohort_name<'a>(item: &'a Spanned<DeValue<'_>>) -> Option<&'a str> {
    item.get_ref().as_table()?.get("name")?.get_ref().as_str()
}

/// The child's cohorts over the base's: by name, else added (see the
/// module doc). Two child cohorts of one name would both change the same
/// base cohort, and the second would hide the first: refused.
fn merge_cohorts<'i>(base: &mut DeArray<'i>, child: Spanned<DeValue<'i>>) -> Vec<Clash> {
    let DeValue::Array(items) = child.into_inner() else { return Vec::new() };
    let mut clashes = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        let name = cohort_name(&item).map(str::to_string);
        if let Some(n) = &name {
            if seen.contains(n) {
                let span = item.get_ref().as_table().and_then(|t| t.get("name")).map_or(item.span(), |v| v.span());
                let message = format!("found {} twice in this file, expected each cohort once", quoted(n));
                clashes.push(Clash { span, field: "cohort".into(), message });
                continue;
            }
            seen.push(n.clone());
        }
        let target = name.as_deref().and_then(|n| base.iter_mut().find(|b| cohort_name(b) == Some(n)));
        match target {
            Some(old) => merge_item(old, item),
            None => base.push(item),
        }
    }
    clashes
}

/// A child cohort over the base cohort of its name: key by key.
fn merge_item<'i>(old: &mut Spanned<DeValue<'i>>, new: Spanned<DeValue<'i>>) {
    let span = new.span();
    let (DeValue::Table(t), DeValue::Table(n)) = (old.get_mut(), new.into_inner()) else { return };
    for (k, v) in n {
        write(t, k, v);
    }
    let inner = std::mem::replace(old.get_mut(), DeValue::Boolean(false));
    *old = Spanned::new(span, inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use toml::{Table, Value};

    /// The merged document as plain TOML values, and the clashes found.
    fn merged(base: &str, child: &str) -> (Table, usize) {
        let mut b = DeTable::parse(base).expect("valid base").into_inner();
        let c = DeTable::parse(child).expect("valid child").into_inner();
        let clashes = merge_document(&mut b, c).len();
        let value = Table::deserialize(toml::de::Deserializer::from(Spanned::new(0..0, b))).expect("deserializes");
        (value, clashes)
    }

    fn at<'a>(t: &'a Table, path: &str) -> &'a Value {
        let mut parts = path.split('.');
        let first = &t[parts.next().expect("a key")];
        parts.fold(first, |v, k| &v[k])
    }

    #[test]
    fn tables_merge_key_by_key_and_lists_are_replaced() {
        let base = "[front]\ncapacity = 1\nschedule = [{ at = \"1m\", capacity = 2 }]\ntimeout = \"30s\"\n";
        let (out, _) = merged(base, "[front]\ncapacity = 5\nschedule = []\n");
        assert_eq!(at(&out, "front.capacity").as_integer(), Some(5));
        assert_eq!(at(&out, "front.schedule").as_array().map(Vec::len), Some(0));
        assert_eq!(at(&out, "front.timeout").as_str(), Some("30s"));
    }

    #[test]
    fn a_table_of_another_kind_is_replaced_whole() {
        let base = "[clients]\npatience = { dist = \"lognormal\", median = \"3h\", sigma = 1.0 }\nretry = { probability = 0.9, max_attempts = 3 }\n";
        let child = "[clients]\npatience = { dist = \"exponential\", mean = \"1h\" }\nretry = { probability = 0.5 }\n";
        let (out, _) = merged(base, child);
        let patience = at(&out, "clients.patience").as_table().expect("a table");
        assert_eq!(patience.keys().collect::<Vec<_>>(), ["dist", "mean"], "no median of the lognormal left");
        assert_eq!(at(&out, "clients.retry.max_attempts").as_integer(), Some(3), "merged: no kind named");
        assert_eq!(at(&out, "clients.retry.probability").as_float(), Some(0.5));
        let (same, _) = merged(base, "[clients]\npatience = { dist = \"lognormal\", median = \"1h\" }\n");
        assert_eq!(at(&same, "clients.patience.median").as_str(), Some("1h"));
        assert_eq!(at(&same, "clients.patience.sigma").as_float(), Some(1.0), "the same kind merges");
    }

    #[test]
    fn cohorts_merge_by_name_and_new_ones_come_after() {
        let base = "[[cohort]]\nname = \"a\"\npeople = 1\neligible = false\n[[cohort]]\nname = \"b\"\npeople = 2\n";
        let child = "[[cohort]]\nname = \"c\"\npeople = 3\n[[cohort]]\nname = \"a\"\npeople = 10\n";
        let (out, clashes) = merged(base, child);
        assert_eq!(clashes, 0);
        let cohorts = out["cohort"].as_array().expect("a list");
        let names: Vec<&str> = cohorts.iter().map(|c| c["name"].as_str().expect("named")).collect();
        assert_eq!(names, ["a", "b", "c"], "the base's in order, then the new");
        assert_eq!(cohorts[0]["people"].as_integer(), Some(10));
        assert_eq!(cohorts[0]["eligible"].as_bool(), Some(false), "the keys not given are kept");
        let (_, twice) = merged(base, "[[cohort]]\nname = \"a\"\npeople = 1\n[[cohort]]\nname = \"a\"\npeople = 2\n");
        assert_eq!(twice, 1);
    }
}
