//! Every key a scenario file may hold is documented: in the scenario
//! reference (`docs/scenario.md`) and in what `surgesim new` prints.
//!
//! The keys come from the program itself, not from a list kept here: a
//! probe scenario writes an unknown key into every table a scenario has,
//! and the checker's "unknown field ..., expected one of ..." messages
//! (serde's, from the raw scenario type's `deny_unknown_fields`) name the
//! keys each table takes. A key added to the raw type shows up in them at
//! once, so it cannot go undocumented; a table the probe does not reach
//! fails the test rather than passing it silently.

use crate::common::{repo, surgesim};
use std::collections::BTreeMap;

/// The unknown key written into every table.
const PROBE: &str = "zz_probe";

/// A scenario with the unknown key in every table of the raw scenario
/// type: the file itself, each section, a cohort and everything nested in
/// one (windows, curve, rotation, catch-up round, its own behaviour), the
/// behaviour's retry policy, distributions and device count, and every
/// list of timed changes and spans.
const PROBE_SCENARIO: &str = r#"
zz_probe = 1
[scenario]
name = "probe"
duration = "3h"
zz_probe = 1
[[cohort]]
name = "a"
people = 10
zz_probe = 1
windows = [{ opens = "0m", closes = "1h", zz_probe = 1 }]
arrivals = { curve = "piecewise", points = [{ at = "0m", rate = 1.0, zz_probe = 1 }], zz_probe = 1 }
split = { groups = 2, every = "1m", zz_probe = 1 }
catch_up = [{ opens = "1h", closes = "2h", probability = 0.5, zz_probe = 1 }]
clients = { zz_probe = 1 }
[clients]
zz_probe = 1
retry = { zz_probe = 1 }
session = { dist = "exponential", mean = "1m", zz_probe = 1 }
devices = { dist = "constant", value = 1, zz_probe = 1 }
[front]
capacity = 10
zz_probe = 1
schedule = [{ at = "1h", capacity = 20, zz_probe = 1 }]
[waiting_room]
zz_probe = 1
connection_loss = [{ from = "0m", to = "1h", per_hour = 0.5, zz_probe = 1 }]
bypass = [{ from = "0m", to = "1h", share = 0.5, zz_probe = 1 }]
controller = { zz_probe = 1 }
[identity]
capacity = 10
zz_probe = 1
schedule = [{ at = "1h", capacity = 20, zz_probe = 1 }]
[backend]
max_sessions = 10
zz_probe = 1
schedule = [{ at = "1h", max_sessions = 20, zz_probe = 1 }]
[faults]
zz_probe = 1
outages = [{ tier = "front", from = "0m", to = "1m", zz_probe = 1 }]
error_windows = [{ from = "0m", to = "1m", probability = 0.5, zz_probe = 1 }]
clock_bug = [{ from = "0m", to = "1m", probability = 0.5, zz_probe = 1 }]
[[observed]]
figure = "booked"
value = 1
zz_probe = 1
"#;

/// The tables the probe reaches, as the checker names them with list
/// indices dropped (`cohort.windows`), the file itself as "".
const TABLES: [&str; 28] = [
    "",
    "scenario",
    "cohort",
    "cohort.windows",
    "cohort.arrivals",
    "cohort.arrivals.points",
    "cohort.split",
    "cohort.catch_up",
    "cohort.clients",
    "clients",
    "clients.retry",
    "clients.session",
    "clients.devices",
    "front",
    "front.schedule",
    "waiting_room",
    "waiting_room.connection_loss",
    "waiting_room.bypass",
    "waiting_room.controller",
    "identity",
    "identity.schedule",
    "backend",
    "backend.schedule",
    "faults",
    "faults.outages",
    "faults.error_windows",
    "faults.clock_bug",
    "observed",
];

/// Each table's keys, read from `surgesim validate`'s messages on the probe.
pub fn keys_by_table() -> BTreeMap<String, Vec<String>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("probe.toml");
    std::fs::write(&path, PROBE_SCENARIO).expect("write the probe");
    let out = surgesim().arg("validate").arg(&path).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut tables = BTreeMap::new();
    let marker = format!("{PROBE}: unknown field `{PROBE}`, expected ");
    for line in text.lines() {
        let Some(at) = line.find(&marker) else { continue };
        // "  probe.toml:12:3: cohort[0].windows[0].zz_probe: unknown ..."
        let head = &line[..at];
        let field = head.rsplit(": ").next().unwrap_or("");
        let table = field.trim_end_matches('.');
        let table = strip_indices(table);
        let list = &line[at + marker.len()..];
        let keys: Vec<String> = list.split('`').skip(1).step_by(2).map(str::to_owned).collect();
        assert!(!keys.is_empty(), "no keys read from: {line}");
        tables.insert(table, keys);
    }
    for table in TABLES {
        assert!(tables.contains_key(table), "the probe did not reach `{table}`; surgesim said:\n{text}");
    }
    // A new section of the file is probed too (its keys then checked), or
    // this says where to add it.
    for section in &tables[""] {
        assert!(TABLES.contains(&section.as_str()), "add `{section}` to PROBE_SCENARIO and TABLES in tests/it/docs.rs");
    }
    tables
}

/// `cohort[0].windows[0]` -> `cohort.windows`.
fn strip_indices(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut in_index = false;
    for c in key.chars() {
        match c {
            '[' => in_index = true,
            ']' => in_index = false,
            _ if !in_index => out.push(c),
            _ => {}
        }
    }
    out
}

/// The lines of a TOML text (or a TOML block in Markdown) under each
/// `[section]` or `[[section]]` header, a header commented out (`# [identity]`)
/// included: the keys of a section are looked for in its own lines.
fn sections(text: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current = String::new();
    for line in text.lines() {
        let bare = line.trim_start_matches('#').trim();
        if bare.starts_with('[') && !bare.starts_with("[{") {
            let name = bare.trim_start_matches('[').split(']').next().unwrap_or("").trim();
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                current = name.to_owned();
                continue;
            }
        }
        let entry = out.entry(current.clone()).or_default();
        entry.push_str(line);
        entry.push('\n');
    }
    out
}

/// Whether `key` is written as a key in `text`: `key = ...`, at a line's
/// start (a commented line too), inside an inline table or in backticks.
fn written(text: &str, key: &str) -> bool {
    let pattern = format!("{key} =");
    text.match_indices(&pattern).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        matches!(before, None | Some(' ' | '{' | '\n' | '#' | ',' | '`'))
    })
}

/// Whether `key` is named in prose: `` `key` `` or written as a key.
fn named(text: &str, key: &str) -> bool {
    written(text, key) || text.contains(&format!("`{key}`"))
}

/// The keys of `tables` missing from `text`: a section's own keys must be
/// written in that section's lines, a nested table's keys written or named
/// anywhere (they are shown inline or described in prose).
pub fn missing(tables: &BTreeMap<String, Vec<String>>, text: &str) -> Vec<String> {
    let by_section = sections(text);
    let mut missing = Vec::new();
    for (table, keys) in tables {
        for key in keys {
            let found = match table.as_str() {
                "" => text.contains(&format!("[{key}]")) || text.contains(&format!("[[{key}]]")),
                // A nested table may be written under its own header (`[waiting_room.controller]`).
                section if !section.contains('.') => {
                    by_section.get(section).is_some_and(|lines| written(lines, key))
                        || text.contains(&format!("[{section}.{key}]"))
                }
                _ => named(text, key),
            };
            if !found {
                missing.push(if table.is_empty() { key.clone() } else { format!("{table}.{key}") });
            }
        }
    }
    missing
}

/// The text of every template `surgesim new` prints.
fn templates() -> String {
    let mut all = String::new();
    for preset in ["kdca", "textbook", "what-if"] {
        let out = surgesim().args(["new", "--preset", preset]).output().expect("runs");
        assert!(out.status.success(), "surgesim new --preset {preset}");
        all.push_str(&String::from_utf8_lossy(&out.stdout));
        all.push('\n');
    }
    all
}

#[test]
fn the_probe_reads_the_keys_of_every_table() {
    let tables = keys_by_table();
    assert!(tables["waiting_room"].iter().any(|k| k == "admit_per_minute"), "{tables:?}");
    assert!(tables[""].iter().any(|k| k == "cohort"), "{tables:?}");
}

#[test]
fn every_scenario_key_is_in_the_scenario_reference() {
    let reference = std::fs::read_to_string(repo().join("docs/scenario.md")).expect("docs/scenario.md");
    let missing = missing(&keys_by_table(), &reference);
    assert!(missing.is_empty(), "keys not documented in docs/scenario.md: {missing:?}");
}

#[test]
fn every_scenario_key_is_in_the_templates_of_surgesim_new() {
    let missing = missing(&keys_by_table(), &templates());
    assert!(missing.is_empty(), "keys not shown by any `surgesim new` template: {missing:?}");
}

/// The check itself bites: the reference with one key's line taken out
/// is found wanting, naming that key.
#[test]
fn a_key_taken_out_of_the_reference_is_missed() {
    let reference = std::fs::read_to_string(repo().join("docs/scenario.md")).expect("docs/scenario.md");
    let cut: String =
        reference.lines().filter(|l| !l.starts_with("admit_per_minute =")).map(|l| format!("{l}\n")).collect();
    assert_ne!(cut, reference, "the reference writes `admit_per_minute = ...` in [waiting_room]");
    let missing = missing(&keys_by_table(), &cut);
    assert_eq!(missing, ["waiting_room.admit_per_minute"]);
}
