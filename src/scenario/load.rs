//! Reading a scenario file: TOML text -> spanned document -> `--set`
//! overrides -> raw mirror -> checked `Scenario`, with every problem located
//! at its file, line and column (or at the `--set` that caused it).
//!
//! A scenario is a regular file, or `-` for standard input (named `<stdin>`
//! in messages). Anything else (a folder, a device, a FIFO) is refused
//! before it is opened: opening a FIFO would wait for a writer for ever.

use super::echo::escaped;
use super::lenient;
use super::path::{canonical, is_within, split_path};
use super::raw::RawScenario;
use super::validate::validate;
use super::{Origin, Problem, Scenario};
use std::fmt;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The scenario path that means standard input.
pub const STDIN: &str = "-";

/// How messages name the scenario at `path`: `<stdin>` for `-`, else the
/// path as the user typed it.
pub fn shown_path(path: &Path) -> PathBuf {
    if path == Path::new(STDIN) {
        PathBuf::from("<stdin>")
    } else {
        path.to_owned()
    }
}

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

/// One line, whatever the parts hold: a key, a `--set` or a message that
/// quotes a control character is shown with it escaped (see `echo`).
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (location, message) = (escaped(&self.location), escaped(&self.message));
        match &self.field {
            Some(field) if !field.is_empty() => write!(f, "{location}: {}: {message}", escaped(field)),
            _ => write!(f, "{location}: {message}"),
        }
    }
}

/// Why a scenario could not be loaded. Every message escapes what it
/// echoes (paths, `--set` text), so none can carry a control character.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("could not read scenario '{}': {}", escaped(&path.display().to_string()), escaped(&source.to_string()))]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{} problem(s) in scenario '{}':\n{}", diagnostics.len(), escaped(&path.display().to_string()), list(diagnostics))]
    Invalid { path: PathBuf, diagnostics: Vec<Diagnostic> },
    #[error("bad --set '{}': expected key.path=value, like waiting_room.max_active=100", escaped(.0))]
    BadOverride(String),
    /// A valid scenario that asks more of the machine than `limits` allow.
    #[error("scenario '{}' is too large to run:\n{}{}", escaped(name), reasons.iter().map(|r| format!("  {}\n", escaped(r))).collect::<String>(),
            if *can_allow { "Pass --allow-large to run it anyway." } else { "Not even with --allow-large." })]
    TooLarge {
        name: String,
        /// One line per limit passed, with the figure the scenario needs.
        reasons: Vec<String>,
        /// Whether `--allow-large` lifts the refusal.
        can_allow: bool,
    },
}

fn list(d: &[Diagnostic]) -> String {
    d.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n")
}

/// Load and check the scenario at `path` (`-`: standard input), with
/// `--set` overrides applied. Trace files are looked up beside the
/// scenario, or in the working folder for standard input.
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let shown = shown_path(path);
    let read = |source| ScenarioError::Read { path: shown.clone(), source };
    let bytes = if path == Path::new(STDIN) { read_stdin() } else { read_file(path) };
    let bytes = bytes.map_err(read)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes());
        let (line, col) = line_col(&text, at);
        ScenarioError::Invalid {
            path: shown.clone(),
            diagnostics: vec![Diagnostic {
                location: format!("{}:{line}:{col}", shown.display()),
                line: Some(line),
                field: None,
                message: "found bytes that are not UTF-8 text, expected a TOML file (save it as UTF-8)".into(),
            }],
        }
    })?;
    let base = match path.parent() {
        Some(p) if path != Path::new(STDIN) => p,
        _ => Path::new("."),
    };
    load_str(&text, &shown, base, overrides)
}

/// Scenario files larger than this are refused unread. Loading takes about
/// 3.4 KiB per value of the file (the spanned document, its copies, serde):
/// a 1 MiB file of 50,000 piecewise points peaks at 175 MiB; 16 MiB took
/// 2.4 GiB (issue 12). A scenario is a few KiB; long curves go in a trace.
const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// The bytes of a regular file (symbolic links followed). A folder, a
/// device or a FIFO is refused before it is opened: a FIFO without a
/// writer would block the open for ever, a device like /dev/zero never
/// ends. (/dev/stdin is a FIFO when piped into: the message says `-`.)
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let kind = std::fs::metadata(path)?.file_type();
    if !kind.is_file() {
        let why = format!("it is {}, expected a scenario file (TOML){}", what_is(&kind), stdin_hint(&kind));
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, why));
    }
    read_limited(std::fs::File::open(path)?)
}

/// Standard input, read once and kept: a sweep loads its scenario once per
/// point, and `compare - -` twice; every load gets the same text.
fn read_stdin() -> std::io::Result<Vec<u8>> {
    type Read = Result<Vec<u8>, (std::io::ErrorKind, String)>;
    static TEXT: std::sync::OnceLock<Read> = std::sync::OnceLock::new();
    let read = TEXT.get_or_init(|| read_limited(std::io::stdin().lock()).map_err(|e| (e.kind(), e.to_string())));
    read.clone().map_err(|(kind, message)| std::io::Error::new(kind, message))
}

/// At most a little more than the limit, so that a huge input is refused
/// instead of filling the memory.
fn read_limited(from: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    from.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        let why = format!(
            "more than {} MB, expected a scenario of a few KB (long arrival curves go in a trace CSV)",
            MAX_SCENARIO_BYTES >> 20
        );
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, why));
    }
    Ok(bytes)
}

/// "a folder", "a FIFO (named pipe)", ... for a path that is not a file.
fn what_is(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (a pipe)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// For a pipe: how to read a scenario from standard input instead.
fn stdin_hint(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() || kind.is_char_device() {
            return "; to read a scenario from standard input, give `-` as its path";
        }
    }
    let _ = kind;
    ""
}

/// Load from text; `path` is only used in messages, `base_dir` for traces.
///
/// Problems come in three rounds, each reporting everything it finds: TOML
/// syntax (the parser recovers and goes on), then unknown keys and wrong
/// types (`lenient`), then values (`validate`). A round with problems ends
/// the loading after it, except that unknown keys and wrong types are
/// reported together with the value problems of the rest of the file.
pub fn load_str(text: &str, path: &Path, base_dir: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let invalid = |mut diagnostics: Vec<Diagnostic>| {
        if diagnostics.is_empty() {
            // Every check that fails says why; this is a safety net.
            let location = format!("{}:1:1", path.display());
            let message = "invalid, but no check said why (please report this as a bug)".to_string();
            diagnostics.push(Diagnostic { location, line: Some(1), field: None, message });
        }
        // File order, then the --set problems.
        diagnostics.sort_by_key(|d| (d.line.is_none(), d.line, column(&d.location)));
        ScenarioError::Invalid { path: path.to_owned(), diagnostics }
    };
    let lines = LineIndex::new(text);
    let here = |span: Option<Range<usize>>, field: Option<String>, message: String| {
        let (line, col) = span.map_or((1, 1), |s| lines.line_col(text, s.start));
        Diagnostic { location: format!("{}:{line}:{col}", path.display()), line: Some(line), field, message }
    };

    let (mut doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        // After the first few, recovery mostly reports its own confusion.
        let list = syntax.iter().take(MAX_SYNTAX_ERRORS).map(|e| here(e.span(), None, e.message().to_string()));
        return Err(invalid(list.collect()));
    }
    let listed = single_tables(doc.get_mut());
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
                location: set_location(o),
                line: None,
                field: Some(canonical(&segments)),
                message: m,
            }])
        })?;
        set_paths.push((canonical(&segments), o.clone()));
    }
    datetimes_as_text(doc.get_mut());

    // Locate a field path: the `--set` that wrote it or a table it created
    // (`--set a.b.c=1` makes `a`, which the file does not have), else the
    // place serde pointed at, else its place in the file (the value, when
    // it is there).
    let locate = |field: &str, span: Option<Range<usize>>, message: String| {
        let created = first_missing(original.get_ref(), &split_path(field));
        let by_set = |p: &String| is_within(field, p) || created.as_ref().is_some_and(|c| is_within(p, c));
        if let Some((_, o)) = set_paths.iter().rev().find(|(p, _)| by_set(p)) {
            return Diagnostic { location: set_location(o), line: None, field: Some(field.to_string()), message };
        }
        let span = span.or_else(|| find_span(original.get_ref(), &split_path(field)));
        here(span, Some(field.to_string()), message)
    };

    let raw = lenient::deserialize::<RawScenario>(doc);
    let mut diagnostics: Vec<Diagnostic> = listed
        .iter()
        .map(|(key, span)| {
            let message = format!("found [[{key}]], a list of tables, expected one [{key}] table");
            locate(key, Some(span.clone()), message)
        })
        .collect();
    diagnostics.extend(raw.problems.iter().map(|p| locate(&p.path, p.span.clone(), p.message.clone())));
    let Some(value) = &raw.value else { return Err(invalid(diagnostics)) };
    match validate(value, base_dir) {
        Ok(s) if diagnostics.is_empty() => {
            Ok(Scenario { origin: Origin { set: overrides.to_vec(), scale: None }, ..s })
        }
        Ok(_) => Err(invalid(diagnostics)),
        Err(problems) => {
            // A patched value's problems were reported by serde already.
            let fresh = problems.0.into_iter().filter(|p| !raw.covers(&p.path));
            diagnostics.extend(fresh.map(|Problem { path, message }| locate(&path, None, message)));
            Err(invalid(diagnostics))
        }
    }
}

/// `--set key=value` as a location, the value cut when long (a --set of a
/// 100,000-character title is named, not repeated in every message).
fn set_location(o: &str) -> String {
    const MAX: usize = 80;
    if o.chars().count() <= MAX {
        format!("--set {o}")
    } else {
        format!("--set {}…", o.chars().take(MAX - 1).collect::<String>())
    }
}

/// Syntax errors listed at most.
const MAX_SYNTAX_ERRORS: usize = 20;

/// The column of a `file:line:col` location, for sorting.
fn column(location: &str) -> usize {
    location.rsplit(':').next().and_then(|c| c.parse().ok()).unwrap_or(0)
}

/// The sections that are one table each. Written `[[backend]]` (like
/// `[[cohort]]`), serde would read the list as the table's fields in order
/// and say something baffling.
const SECTIONS: [&str; 6] = ["scenario", "clients", "front", "waiting_room", "backend", "faults"];

/// Replace a section written as a list of tables by its first table, so the
/// rest of the file is still checked; returns the sections (and where) for
/// the one message each deserves.
fn single_tables(table: &mut DeTable<'_>) -> Vec<(&'static str, Range<usize>)> {
    let mut found = Vec::new();
    for key in SECTIONS {
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

/// TOML's own date-times (`start = 2021-07-19T20:00:00+09:00`, unquoted)
/// become the text the scenario reads them from, so both spellings work.
fn datetimes_as_text(table: &mut DeTable<'_>) {
    fn value(v: &mut DeValue<'_>) {
        match v {
            DeValue::Datetime(d) => *v = DeValue::String(d.to_string().into()),
            DeValue::Table(t) => datetimes_as_text(t),
            DeValue::Array(items) => items.iter_mut().for_each(|i| value(i.get_mut())),
            _ => {}
        }
    }
    for (_, v) in table.iter_mut() {
        value(v.get_mut());
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(text, offset)
}

/// Where each line starts, found once: locating a problem is then a binary
/// search and a count within its line, not a scan of the whole file (a
/// 16 MB file with tens of thousands of problems would take minutes).
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let starts =
            std::iter::once(0).chain(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        LineIndex(starts.collect())
    }

    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.0.partition_point(|&start| start <= offset).max(1);
        let line_start = self.0[line - 1];
        // Count characters by their first bytes: no slicing, so an offset
        // inside a character cannot panic.
        let col = text.as_bytes()[line_start..offset].iter().filter(|&&b| b & 0xC0 != 0x80).count() + 1;
        (line, col)
    }
}

/// The first part of the path `segments` the document does not have
/// (`cohort[0].arrivals` of `cohort[0].arrivals.points` when the cohort has
/// no `arrivals`), or `None` when it has the whole path.
fn first_missing(table: &DeTable<'_>, segments: &[String]) -> Option<String> {
    let missing = |i: usize| Some(canonical(&segments[..=i]));
    let Some(mut value) = segments.first().and_then(|s| table.get(s.as_str())) else { return missing(0) };
    for (i, s) in segments.iter().enumerate().skip(1) {
        let next = match value.get_ref() {
            DeValue::Table(t) => t.get(s.as_str()),
            DeValue::Array(items) => s.parse::<usize>().ok().and_then(|k| items.get(k)),
            _ => None,
        };
        value = match next {
            Some(v) => v,
            None => return missing(i),
        };
    }
    None
}

/// A `--set` key in the form validation messages use, so that two spellings
/// of one key (`cohort.0.people`, `cohort[0].people`) compare equal.
pub fn canonical_key(key: &str) -> String {
    canonical(&split_path(key.trim()))
}

/// Span of the deepest part of `segments` present in the document: the
/// value when the field exists (a problem is about what was found), else
/// the nearest enclosing key.
fn find_span(table: &DeTable<'_>, segments: &[String]) -> Option<Range<usize>> {
    let (first, rest) = segments.split_first()?;
    let (key, value) = table.get_key_value(first.as_str())?;
    if rest.is_empty() {
        return Some(value.span()).filter(|s| !s.is_empty()).or(Some(key.span()));
    }
    find_in_value(value, rest).or(Some(key.span()))
}

fn find_in_value(value: &Spanned<DeValue<'_>>, segments: &[String]) -> Option<Range<usize>> {
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
}

#[cfg(test)]
mod extreme_tests {
    use super::*;

    /// Piecewise points at every extreme of time and rate, in every order:
    /// no panic (with overflow checks on, a subtraction in the validator
    /// panicked on points out of order), and one problem per cause, never
    /// an order problem followed by one about the volume it implies.
    #[test]
    fn extreme_piecewise_points_give_one_problem_and_no_panic() {
        let times = ["0m", "1us", "99999d", "5124095576030431d", "2021-01-01T00:00:00Z", "9999-12-31T23:59:59Z"];
        let rates = ["0.0", "1.0", "1e308", "-1.0", "nan", "inf"];
        for a in times {
            for b in times {
                for (ra, rb) in rates.iter().flat_map(|ra| rates.iter().map(move |rb| (ra, rb))) {
                    let text = format!(
                        "[scenario]\nname = \"t\"\nduration = \"1h\"\n[[cohort]]\nname = \"all\"\n\
                         arrivals = {{ curve = \"piecewise\", points = [{{ at = \"{a}\", rate = {ra} }}, {{ at = \"{b}\", rate = {rb} }}] }}\n\
                         [backend]\nmax_sessions = 1\n"
                    );
                    let Err(ScenarioError::Invalid { diagnostics, .. }) =
                        load_str(&text, Path::new("s.toml"), Path::new("."), &[])
                    else {
                        continue;
                    };
                    let says = |what: &str| diagnostics.iter().any(|d| d.message.contains(what));
                    let order = says("increasing order");
                    let volume = says("all zero") || says("more arrivals than a number can hold");
                    assert!(!(order && volume), "{a} {ra}, {b} {rb}: {diagnostics:?}");
                    assert!(!says("people"), "{a} {ra}, {b} {rb}: {diagnostics:?}");
                }
            }
        }
    }

    #[test]
    fn line_and_column_by_the_index_match_a_scan() {
        let text = "ab\ncé\n\nlast";
        for offset in 0..=text.len() + 2 {
            let before = &text.as_bytes()[..offset.min(text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            assert_eq!(line_col(text, offset).0, line, "{offset}");
        }
        assert_eq!(line_col(text, 4), (2, 2));
        assert_eq!(line_col(text, 6), (2, 3), "é is one character");
        assert_eq!(line_col(text, 9), (4, 2));
    }
}
