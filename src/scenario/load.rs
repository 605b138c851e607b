//! Reading a scenario file: TOML text -> spanned document -> `--set`
//! overrides -> raw mirror -> checked `Scenario`, with every problem located
//! at its file, line and column (or at the `--set` that caused it).

use super::raw::RawScenario;
use super::validate::validate;
use super::{Problem, Scenario};
use std::fmt;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One problem, located.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Where: `file:line:column`, or `--set key=value`.
    pub location: String,
    /// 1-based line in the file, when the problem is in the file.
    pub line: Option<usize>,
    /// Dotted field path, when known.
    pub field: Option<String>,
    /// What was found and what was expected.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) if !field.is_empty() => {
                write!(f, "{}: {field}: {}", self.location, self.message)
            }
            _ => write!(f, "{}: {}", self.location, self.message),
        }
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("could not read scenario '{}': {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{} problem(s) in scenario '{}':\n{}", diagnostics.len(), path.display(), list(diagnostics))]
    Invalid { path: PathBuf, diagnostics: Vec<Diagnostic> },
    #[error("bad --set '{0}': expected key.path=value, like waiting_room.max_active=100")]
    BadOverride(String),
}

fn list(d: &[Diagnostic]) -> String {
    d.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n")
}

/// Load and check the scenario at `path`, with `--set` overrides applied.
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read { path: path.to_owned(), source })?;
    let base = path.parent().unwrap_or(Path::new("."));
    load_str(&text, path, base, overrides)
}

/// Load from text; `path` is only used in messages, `base_dir` for traces.
pub fn load_str(text: &str, path: &Path, base_dir: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let invalid = |diagnostics| ScenarioError::Invalid { path: path.to_owned(), diagnostics };
    let at = |span: std::ops::Range<usize>| line_col(text, span.start);
    let here = |span: Option<std::ops::Range<usize>>, field: Option<String>, message: String| {
        let (line, col) = span.map(at).unwrap_or((1, 1));
        Diagnostic { location: format!("{}:{line}:{col}", path.display()), line: Some(line), field, message }
    };

    let mut doc = DeTable::parse(text).map_err(|e| invalid(vec![here(e.span(), None, e.message().to_string())]))?;
    let original = doc.clone();
    let mut set_paths = Vec::new();
    for o in overrides {
        let (key, value) = o.split_once('=').ok_or_else(|| ScenarioError::BadOverride(o.clone()))?;
        let segments = split_path(key.trim());
        if segments.is_empty() || segments.iter().any(|s| s.is_empty()) {
            return Err(ScenarioError::BadOverride(o.clone()));
        }
        set_override(doc.get_mut(), &segments, value.trim()).map_err(|m| {
            invalid(vec![Diagnostic {
                location: format!("--set {o}"),
                line: None,
                field: Some(key.to_string()),
                message: m,
            }])
        })?;
        set_paths.push((canonical(&segments), o.clone()));
    }

    // Locate a field path: the `--set` that wrote it, else its place in the file.
    let locate = |field: &str, fallback: Option<std::ops::Range<usize>>, message: String| {
        if let Some((_, o)) = set_paths
            .iter()
            .rev()
            .find(|(p, _)| field == p || field.starts_with(&format!("{p}.")) || field.starts_with(&format!("{p}[")))
        {
            return Diagnostic { location: format!("--set {o}"), line: None, field: Some(field.to_string()), message };
        }
        let span = find_span(original.get_ref(), &split_path(field)).or(fallback);
        here(span, Some(field.to_string()), message)
    };

    let raw: RawScenario = serde_path_to_error::deserialize(toml::de::Deserializer::from(doc)).map_err(|e| {
        let field = e.path().to_string().replace("?", "");
        let field = if field == "." { String::new() } else { field };
        let inner = e.into_inner();
        let message = with_suggestion(inner.message());
        invalid(vec![locate(&field, inner.span(), message)])
    })?;

    validate(&raw, base_dir).map_err(|problems| {
        invalid(problems.0.into_iter().map(|Problem { path, message }| locate(&path, None, message)).collect())
    })
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// `cohort[0].people`, `cohort.0.people` -> ["cohort", "0", "people"].
fn split_path(path: &str) -> Vec<String> {
    path.replace('[', ".")
        .replace(']', "")
        .split('.')
        .filter(|s| !s.is_empty() || path.is_empty())
        .map(str::to_string)
        .collect()
}

/// The path in the form validation messages use: `cohort[0].people`.
fn canonical(segments: &[String]) -> String {
    let mut out = String::new();
    for s in segments {
        if s.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{s}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(s);
        }
    }
    out
}

/// Span of the deepest part of `segments` present in the document: the key
/// when the field exists, else the nearest enclosing value.
fn find_span(table: &DeTable<'_>, segments: &[String]) -> Option<std::ops::Range<usize>> {
    let (first, rest) = segments.split_first()?;
    let (key, value) = table.get_key_value(first.as_str())?;
    if rest.is_empty() {
        return Some(key.span());
    }
    find_in_value(value, rest).or(Some(key.span()))
}

fn find_in_value(value: &Spanned<DeValue<'_>>, segments: &[String]) -> Option<std::ops::Range<usize>> {
    match value.get_ref() {
        DeValue::Table(t) => find_span(t, segments),
        DeValue::Array(items) => {
            let (first, rest) = segments.split_first()?;
            let item = items.get(first.parse::<usize>().ok()?)?;
            if rest.is_empty() {
                Some(item.span())
            } else {
                find_in_value(item, rest).or(Some(item.span()))
            }
        }
        _ => Some(value.span()),
    }
}

/// Write `value` at `segments`, creating tables on the way. The value is read
/// as TOML (`100`, `0.5`, `true`, `"text"`, `{ dist = "constant", value = "1m" }`)
/// and, failing that, taken as a bare string (`2h`).
fn set_override<'i>(table: &mut DeTable<'i>, segments: &[String], value: &'i str) -> Result<(), String> {
    let (first, rest) = segments.split_first().expect("non-empty path");
    if rest.is_empty() {
        let v = match DeValue::parse(value) {
            Ok(v) => v.into_inner(),
            Err(_) => DeValue::String(value.into()),
        };
        table.insert(Spanned::new(0..0, first.clone().into()), Spanned::new(0..0, v));
        return Ok(());
    }
    if table.get(first.as_str()).is_none() {
        table.insert(Spanned::new(0..0, first.clone().into()), Spanned::new(0..0, DeValue::Table(DeTable::default())));
    }
    let slot = table.get_mut(first.as_str()).expect("just inserted");
    set_in_value(slot.get_mut(), first, rest, value)
}

fn set_in_value<'i>(v: &mut DeValue<'i>, name: &str, rest: &[String], value: &'i str) -> Result<(), String> {
    match v {
        DeValue::Table(t) => set_override(t, rest, value),
        DeValue::Array(items) => {
            let (idx, rest2) = rest.split_first().expect("non-empty");
            let len = items.len();
            let i: usize = idx
                .parse()
                .map_err(|_| format!("`{name}` is a list, expected an index like {name}.0, found `{idx}`"))?;
            let item = items.get_mut(i).ok_or_else(|| format!("`{name}` has {len} entries, found index {i}"))?;
            if rest2.is_empty() {
                *item = Spanned::new(
                    0..0,
                    DeValue::parse(value).map(Spanned::into_inner).unwrap_or(DeValue::String(value.into())),
                );
                Ok(())
            } else {
                set_in_value(item.get_mut(), idx, rest2, value)
            }
        }
        _ => Err(format!("`{name}` is a value, not a table: cannot set a key inside it")),
    }
}

/// serde says "unknown field `pepole`, expected one of `name`, `people`";
/// add "did you mean `people`?" when one expected name is close.
fn with_suggestion(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some((found, expected)) = rest.split_once('`') else {
        return message.to_string();
    };
    let best = expected.split('`').skip(1).step_by(2).map(|cand| (edit_distance(found, cand), cand)).min();
    match best {
        Some((d, cand)) if d <= 2.max(found.len() / 3) => {
            format!("{message}; did you mean `{cand}`?")
        }
        _ => message.to_string(),
    }
}

/// Levenshtein distance, for suggestions between short key names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j])).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[scenario]
name = "t"
duration = "1h"

[[cohort]]
name = "all"
people = 100

[backend]
max_sessions = 10
"#;

    fn errors(text: &str, sets: &[&str]) -> Vec<Diagnostic> {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        match load_str(text, Path::new("s.toml"), Path::new("."), &sets) {
            Err(ScenarioError::Invalid { diagnostics, .. }) => diagnostics,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_good_file_loads_with_defaults() {
        let s = load_str(GOOD, Path::new("s.toml"), Path::new("."), &[]).unwrap();
        assert_eq!(s.title, "t");
        assert_eq!(s.seed, 1);
        assert_eq!(s.cohorts[0].windows.len(), 1);
        assert!(s.waiting_room.is_none());
    }

    #[test]
    fn overrides_set_values_anywhere() {
        let sets =
            ["cohort.0.people=5000".to_string(), "waiting_room.max_active=7".into(), "scenario.duration=2h".into()];
        let s = load_str(GOOD, Path::new("s.toml"), Path::new("."), &sets).unwrap();
        assert_eq!(s.cohorts[0].people, 5000);
        assert_eq!(s.waiting_room.unwrap().max_active, 7);
        assert_eq!(s.duration.to_string(), "2h");
    }

    #[test]
    fn unknown_keys_get_a_line_and_a_suggestion() {
        let bad = GOOD.replace("people = 100", "pepole = 100");
        let d = errors(&bad, &[]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, Some(8), "{d:?}");
        assert!(d[0].message.contains("did you mean `people`"), "{}", d[0]);
    }

    #[test]
    fn every_validation_problem_is_reported_with_its_line() {
        let bad =
            GOOD.replace("max_sessions = 10", "max_sessions = 0").replace("duration = \"1h\"", "duration = \"1 hour\"");
        let d = errors(&bad, &[]);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d.iter().any(|d| d.line == Some(4) && d.field.as_deref() == Some("scenario.duration")));
        assert!(d.iter().any(|d| d.line == Some(11) && d.field.as_deref() == Some("backend.max_sessions")));
    }

    #[test]
    fn problems_from_a_set_name_the_set() {
        let d = errors(GOOD, &["backend.max_sessions=0"]);
        assert_eq!(d[0].location, "--set backend.max_sessions=0");
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let d = errors("[scenario\nname = 1", &[]);
        assert_eq!(d[0].line, Some(1));
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("pepole", "people"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
