//! Reading a scenario file: TOML text -> spanned document -> `--set`
//! overrides -> raw mirror -> checked `Scenario`, with every problem located
//! at its file, line and column (or at the `--set` that caused it).
//!
//! A scenario is a regular file, or `-` for standard input (named `<stdin>`
//! in messages). Anything else (a folder, a device, a FIFO) is refused
//! before it is opened: opening a FIFO would wait for a writer for ever.

use super::doc::single_tables;
pub use super::error::{shown_path, Diagnostic, ScenarioError, MAX_LISTED, STDIN};
use super::path::{canonical, is_within, parse_key, split_assignment, split_linked, split_path, Segment};
use super::raw::RawScenario;
use super::read::{read_file, read_stdin};
use super::sources::{LineIndex, Sources};
use super::validate::validate;
use super::{doc, inherit, lenient, merge};
use super::{Origin, Problem, Scenario};
use std::ops::Range;
use std::path::Path;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Load and check the scenario at `path` (`-`: standard input), with
/// `--set` overrides applied. Trace files and the files it extends are
/// looked up beside the scenario, or in the working folder for standard
/// input.
///
/// A bundled file, with one override (as `--set` gives it):
///
/// ```
/// let s = surgesim::load("scenarios/erlang-b.toml".as_ref(), &["backend.max_sessions=25".into()]).unwrap();
/// assert_eq!(s.name, "erlang-b");
/// assert_eq!(s.backend.max_sessions, 25);
/// assert_eq!(s.origin.set, ["backend.max_sessions=25"]); // the reports say so
/// ```
///
/// A file that is not there is a read error, naming it:
///
/// ```
/// let err = surgesim::load("no/such.toml".as_ref(), &[]).unwrap_err();
/// assert!(err.to_string().contains("no/such.toml"), "{err}");
/// ```
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    load_with(path, Changes { unset: &[], set: overrides })
}

/// `load` with `--unset` keys as well.
pub fn load_with(path: &Path, changes: Changes<'_>) -> Result<Scenario, ScenarioError> {
    let shown = shown_path(path);
    let read = |source| ScenarioError::Read { path: shown.clone(), source };
    let bytes = if path == Path::new(STDIN) { read_stdin() } else { read_file(path) };
    let bytes = bytes.map_err(read)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes());
        let (line, col) = LineIndex::new(&text).line_col(&text, at);
        let message = "found bytes that are not UTF-8 text, expected a TOML file (save it as UTF-8)".into();
        let d = Diagnostic {
            location: format!("{}:{line}:{col}", shown.display()),
            line: Some(line),
            file: Some(shown.clone()),
            field: None,
            message,
            rank: 0,
        };
        ScenarioError::Invalid { path: shown.clone(), diagnostics: vec![d] }
    })?;
    let base = match path.parent() {
        Some(p) if path != Path::new(STDIN) => p,
        _ => Path::new("."),
    };
    load_str_with(&text, &shown, base, changes)
}

/// Load from text; `path` is only used in messages, `base_dir` for traces
/// and the files it extends.
///
/// Unset keys take their documented defaults, and durations are resolved
/// to simulated time:
///
/// ```
/// use surgesim::engine::SimTime;
///
/// let text = "[scenario]\nname = \"tiny\"\nduration = \"90m\"\n\
///             [[cohort]]\nname = \"all\"\npeople = 100\n\
///             [backend]\nmax_sessions = 5\n";
/// let s = surgesim::load_str(text, "tiny.toml".as_ref(), ".".as_ref(), &[]).unwrap();
/// assert_eq!(s.duration, SimTime::from_secs(90 * 60));
/// assert_eq!(s.cohorts[0].people, 100);
/// assert!(s.waiting_room.is_none()); // none written: everyone goes straight to the backend
/// ```
pub fn load_str(text: &str, path: &Path, base_dir: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    load_str_with(text, path, base_dir, Changes { unset: &[], set: overrides })
}

/// What the command line changes in a scenario before it is checked:
/// the `--unset` keys are taken out, then the `--set` overrides written.
#[derive(Clone, Copy, Debug, Default)]
pub struct Changes<'a> {
    pub unset: &'a [String],
    pub set: &'a [String],
}

/// `load_str` with `--unset` keys as well.
///
/// Problems come in three rounds, each reporting everything it finds: TOML
/// syntax (the parser recovers and goes on), then unknown keys and wrong
/// types (`lenient`), then values (`validate`). A round with problems ends
/// the loading after it, except that unknown keys and wrong types are
/// reported together with the value problems of the rest of the file.
/// A file that extends another is merged with it first (`inherit`), and
/// every problem is located in the file that wrote its value.
pub fn load_str_with(
    text: &str,
    path: &Path,
    base_dir: &Path,
    changes: Changes<'_>,
) -> Result<Scenario, ScenarioError> {
    let mut sources = Sources::new(path, text);
    let (top, listed) = parse_top(text, path, &sources)?;
    let links = inherit::discover(&top, path, base_dir, &mut sources).map_err(|found| fatal(path, &sources, found))?;
    let sources = sources;
    let d = document(top, listed, &links, &sources, path, base_dir, changes)?;
    let Document { original, doc, set_paths, mut diagnostics } = d;
    let here =
        |span: Option<Range<usize>>, field: Option<String>, message: String| at_place(&sources, span, field, message);

    // Locate a field path: the `--set` that wrote it or a table it created
    // (`--set a.b.c=1` makes `a`, which the file does not have), else the
    // place serde pointed at, else its place in the files (the value, when
    // it is there).
    let locate = |field: &str, span: Option<Range<usize>>, message: String| {
        let created = doc::first_missing(&original, &split_path(field));
        let by_set = |p: &String| is_within(field, p) || created.as_ref().is_some_and(|c| is_within(p, c));
        if let Some((_, o)) = set_paths.iter().rev().find(|(p, _)| by_set(p)) {
            return on_command_line(set_location(o), field.to_string(), message);
        }
        let span = span.filter(|s| !s.is_empty()).or_else(|| doc::find_span(&original, &split_path(field)));
        here(span, Some(field.to_string()), message)
    };

    let raw = lenient::deserialize::<RawScenario>(Spanned::new(0..0, doc));
    diagnostics.extend(raw.problems.iter().map(|p| locate(&p.path, p.span.clone(), p.message.clone())));
    let Some(value) = &raw.value else { return Err(invalid(path, diagnostics)) };
    match validate(value, base_dir) {
        Ok(mut s) if diagnostics.is_empty() => {
            let extends = links.iter().map(|l| l.written.clone()).collect();
            let origin = Origin { extends, unset: changes.unset.to_vec(), set: changes.set.to_vec(), scale: None };
            // Where each observation's figure was written: its name is
            // checked against the figures above this module (stats::measure).
            for (i, o) in s.observed.iter_mut().enumerate() {
                o.written_at = locate(&format!("observed[{i}].figure"), None, String::new()).location;
            }
            Ok(Scenario { origin, ..s })
        }
        Ok(_) => Err(invalid(path, diagnostics)),
        Err(problems) => {
            // A patched value's problems were reported by serde already.
            let fresh = problems.0.into_iter().filter(|p| !raw.covers(&p.path));
            diagnostics.extend(fresh.map(|Problem { path, message }| locate(&path, None, message)));
            Err(invalid(path, diagnostics))
        }
    }
}

/// The names of the cohorts of the scenario at `path` as written (after
/// the files it extends, `--unset` and `--set`; before any split), in
/// order: what a key's cohort names are turned into indices by. `None`
/// when the file cannot be read that far (loading it says why).
pub fn cohort_names(path: &Path, changes: Changes<'_>) -> Option<CohortNames> {
    let bytes = if path == Path::new(STDIN) { read_stdin() } else { read_file(path) };
    let text = String::from_utf8(bytes.ok()?).ok()?;
    let base_dir = match path.parent() {
        Some(p) if path != Path::new(STDIN) => p,
        _ => Path::new("."),
    };
    let shown = shown_path(path);
    let mut sources = Sources::new(&shown, &text);
    let (top, listed) = parse_top(&text, &shown, &sources).ok()?;
    let links = inherit::discover(&top, &shown, base_dir, &mut sources).ok()?;
    let sources = sources;
    let d = document(top, listed, &links, &sources, &shown, base_dir, changes).ok()?;
    let names = match d.doc.get("cohort").map(Spanned::get_ref) {
        Some(DeValue::Array(items)) => items.iter().map(|i| merge::cohort_name(i).map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    Some(CohortNames(names))
}

/// The cohorts' names as written, in order (`None` for one without a
/// name as text): for turning keys that name a cohort into indices.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CohortNames(pub Vec<Option<String>>);

impl CohortNames {
    /// `key` in canonical form with a cohort's name turned into its index
    /// (`cohort.53-54.people` -> `cohort[0].people`), so that two spellings
    /// of one key compare equal; a name no cohort has stays a name.
    pub fn canonical(&self, key: &str) -> String {
        let Ok(mut segments) = parse_key(key.trim()) else { return key.trim().to_string() };
        if let [Segment::Name(first), Segment::Name(name), ..] = segments.as_slice() {
            if first == "cohort" {
                if let Some(i) = self.0.iter().position(|n| n.as_deref() == Some(name.as_str())) {
                    segments[1] = Segment::Index(i);
                }
            }
        }
        canonical(&segments)
    }
}

/// Sections written as lists of tables, and where (see `single_tables`).
type Listed = Vec<(&'static str, Range<usize>)>;

/// The scenario's own file, parsed: `Err` with its syntax errors. A
/// section written as a list of tables is read by its first (`listed`
/// says which, and where).
fn parse_top<'i>(text: &'i str, path: &Path, sources: &Sources<'_>) -> Result<(DeTable<'i>, Listed), ScenarioError> {
    let (doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        // After the first few, recovery mostly reports its own confusion.
        let list = syntax.iter().take(MAX_SYNTAX_ERRORS).map(|e| (e.span(), None, e.message().to_string()));
        return Err(invalid(path, list.map(|(s, f, m)| at_place(sources, s, f, m)).collect()));
    }
    let mut doc = doc.into_inner();
    let listed = single_tables(&mut doc);
    Ok((doc, listed))
}

/// A scenario as one document: its file over the files it extends, with
/// the command line's changes.
struct Document<'s> {
    /// Merged, `--unset` applied, before any `--set`: where values were written.
    original: DeTable<'s>,
    /// With the `--set` overrides too: what serde reads.
    doc: DeTable<'s>,
    /// Each key a `--set` wrote (canonical, cohort names resolved), and the `--set`.
    set_paths: Vec<(String, String)>,
    /// The problems found so far: sections as lists, `extends` and `unset`, `--unset`.
    diagnostics: Vec<Diagnostic>,
}

/// Merge the chain under `top`, then apply `--unset` and `--set`.
fn document<'s>(
    top: DeTable<'s>,
    listed: Listed,
    links: &[inherit::Link],
    sources: &'s Sources<'_>,
    path: &Path,
    base_dir: &Path,
    changes: Changes<'s>,
) -> Result<Document<'s>, ScenarioError> {
    let (mut doc, found) =
        inherit::merge_chain(top, links, sources, base_dir).map_err(|found| fatal(path, sources, found))?;
    let mut diagnostics: Vec<Diagnostic> = listed
        .into_iter()
        .map(|(key, span)| {
            let message = format!("found [[{key}]], a list of tables, expected one [{key}] table");
            at_place(sources, Some(span), Some(key.to_string()), message)
        })
        .collect();
    diagnostics.extend(found.into_iter().map(|f| at_place(sources, f.span, f.field, f.message)));
    for key in changes.unset {
        if let Err(message) = inherit::unset(&mut doc, key) {
            diagnostics.push(on_command_line(format!("--unset {key}"), canonical_key(key), message));
        }
    }
    let original = doc.clone();
    let set_paths = match apply_sets(&mut doc, changes.set) {
        Ok(written) => written,
        Err(SetError::Bad(o)) => return Err(ScenarioError::BadOverride(o)),
        // The rest of the --set list would be written into a document the
        // user did not mean: the problems so far, and this one.
        Err(SetError::Located(d)) => {
            diagnostics.push(*d);
            return Err(invalid(path, diagnostics));
        }
    };
    datetimes_as_text(&mut doc);
    Ok(Document { original, doc, set_paths, diagnostics })
}

/// Problems that end the reading of the files (a base that cannot be
/// read, a base's syntax errors), located.
fn fatal(path: &Path, sources: &Sources<'_>, found: Vec<inherit::Found>) -> ScenarioError {
    invalid(path, found.into_iter().map(|f| at_place(sources, f.span, f.field, f.message)).collect())
}

/// The scenario's problems, in the order of the files (the scenario's own
/// first, then its bases), their lines and columns, then the command line's.
fn invalid(path: &Path, mut diagnostics: Vec<Diagnostic>) -> ScenarioError {
    if diagnostics.is_empty() {
        // Every check that fails says why; this is a safety net.
        let location = format!("{}:1:1", path.display());
        let message = "invalid, but no check said why (please report this as a bug)".to_string();
        let file = Some(path.to_owned());
        diagnostics.push(Diagnostic { location, line: Some(1), file, field: None, message, rank: 0 });
    }
    diagnostics.sort_by_key(|d| (d.rank, d.line, column(&d.location)));
    ScenarioError::Invalid { path: path.to_owned(), diagnostics }
}

/// A problem at a span of one of the files.
fn at_place(sources: &Sources<'_>, span: Option<Range<usize>>, field: Option<String>, message: String) -> Diagnostic {
    let place = sources.place(span);
    Diagnostic {
        location: sources.location(&place),
        line: Some(place.line),
        file: Some(sources.shown(place.file).to_owned()),
        field,
        message,
        rank: place.file,
    }
}

/// A problem caused by a `--set` or an `--unset`: after the files'.
fn on_command_line(location: String, field: String, message: String) -> Diagnostic {
    Diagnostic { location, line: None, file: None, field: Some(field), message, rank: usize::MAX }
}

/// Why the `--set` list could not be applied.
enum SetError {
    /// Not `key=value` at all.
    Bad(String),
    /// A key that does not fit the document, located at its `--set`.
    Located(Box<Diagnostic>),
}

/// Write every `--set` into the document, in order; linked keys
/// (`a.x+b.y=v`) each take the value. Returns each key written (in
/// canonical form, cohort names resolved) with the `--set` that wrote it.
fn apply_sets<'i>(doc: &mut DeTable<'i>, sets: &'i [String]) -> Result<Vec<(String, String)>, SetError> {
    let mut written = Vec::new();
    for o in sets {
        // An unclosed quote hides every `=`: then the first, so that the
        // key's own message says what is wrong with it.
        let (key, value) = split_assignment(o).or_else(|| o.split_once('=')).ok_or_else(|| SetError::Bad(o.clone()))?;
        for part in split_linked(key.trim()) {
            let located = |field: String, message: String| {
                SetError::Located(Box::new(on_command_line(set_location(o), field, message)))
            };
            let segments = parse_key(part.trim()).map_err(|m| located(part.trim().to_string(), m))?;
            if segments.is_empty() {
                return Err(SetError::Bad(o.clone()));
            }
            let field = canonical(&segments);
            if matches!(field.as_str(), "scenario.extends" | "scenario.unset") {
                let message = "is read from the file before any --set, expected it in the file (or --unset KEY)";
                return Err(located(field, message.into()));
            }
            let resolved = doc::resolve(doc, &segments).map_err(|m| located(field.clone(), m))?;
            doc::set(doc, &resolved, value.trim()).map_err(|m| located(field.clone(), m))?;
            written.push((canonical(&resolved), o.clone()));
        }
    }
    Ok(written)
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

/// A `--set` key in the form validation messages use, so that two spellings
/// of one key (`cohort.0.people`, `cohort[0].people`) compare equal. (A
/// cohort's name stays a name: only the document knows its index.)
pub fn canonical_key(key: &str) -> String {
    match parse_key(key.trim()) {
        Ok(segments) => canonical(&segments),
        Err(_) => key.trim().to_string(),
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
    fn a_cohort_is_set_by_name_or_index() {
        let two = format!("{GOOD}\n[[cohort]]\nname = \"2021\"\npeople = 1\n");
        let load = |sets: &[&str]| {
            let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
            load_str(&two, Path::new("s.toml"), Path::new("."), &sets)
        };
        let s = load(&["cohort.all.people=5", "cohort.\"2021\".people=6", "cohort[1].eligible=false"]).unwrap();
        assert_eq!((s.cohorts[0].people, s.cohorts[1].people, s.cohorts[1].eligible), (5, 6, false));
        let d = errors(&two, &["cohort.al.people=5"]);
        assert_eq!((d.len(), d[0].location.as_str()), (1, "--set cohort.al.people=5"), "{d:?}");
        assert!(
            d[0].message.contains("has no item named \"al\"") && d[0].message.contains("did you mean \"all\"?"),
            "{}",
            d[0]
        );
        // Unquoted, 2021 is an index, and there are two cohorts.
        assert!(errors(&two, &["cohort.2021.people=5"])[0].message.contains("has 2 entries, found index 2021"));
        // Problems of a value set by name are at the --set, as by index.
        let d = errors(&two, &["cohort.all.people=4294967296"]);
        assert_eq!(d[0].location, "--set cohort.all.people=4294967296");
    }

    #[test]
    fn linked_keys_take_one_value_together() {
        let room = format!("{GOOD}\n[waiting_room]\nmax_active = 10\n");
        let d = errors(&room, &["backend.max_sessions=5"]);
        assert!(d[0].message.contains("expected at most backend.max_sessions"), "{d:?}");
        let sets = ["backend.max_sessions+waiting_room.max_active=5".to_string()];
        let s = load_str(&room, Path::new("s.toml"), Path::new("."), &sets).unwrap();
        assert_eq!((s.backend.max_sessions, s.waiting_room.map(|w| w.max_active)), (5, Some(5)));
        let d = errors(&room, &["backend.max_sessions+waiting_room.max_active=0"]);
        assert_eq!(d.len(), 2, "each key's problem, at the --set: {d:?}");
        assert!(d.iter().all(|d| d.location == "--set backend.max_sessions+waiting_room.max_active=0"));
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
}
