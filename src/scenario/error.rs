//! What goes wrong loading a scenario, said so the user can act: each
//! problem located at its file, line and column, or at the `--set` that
//! caused it (`Diagnostic`), and the failures of a load (`ScenarioError`),
//! whose messages escape whatever they echo.

use super::echo::escaped;
use std::fmt;
use std::path::{Path, PathBuf};

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
    /// 1-based line in the file, when the problem is in a file.
    pub line: Option<usize>,
    /// The file, as messages name it (the scenario's own, or a file it
    /// extends), when the problem is in a file.
    pub file: Option<PathBuf>,
    /// Dotted field path, when known.
    pub field: Option<String>,
    /// What was found and what was expected.
    pub message: String,
    /// Sorting rank: the file's place in the chain (0: the scenario's
    /// own), the command line after every file.
    pub(super) rank: usize,
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

/// Problems listed at most: a file of a quarter of a million bad keys
/// printed as many lines (the count says how many there are).
pub const MAX_LISTED: usize = 200;

/// One line per problem, at most `MAX_LISTED`, then "and N more".
fn list(d: &[Diagnostic]) -> String {
    let mut lines: Vec<String> = d.iter().take(MAX_LISTED).map(|d| format!("  {d}")).collect();
    if d.len() > MAX_LISTED {
        lines.push(format!("  and {} more", d.len() - MAX_LISTED));
    }
    lines.join("\n")
}
