//! Field paths, the one form every message names a field in:
//! `cohort[0].windows[1].opens`. Validation writes them, serde's errors
//! (`lenient`) and `--set` keys (`load`) are turned into them, and a
//! problem is matched to the `--set` or the patched value it comes from by
//! comparing them, so all must agree to the letter.

use std::fmt::Display;

/// One step down a path: into a table by key, or into a list by index.
pub enum Step<'a> {
    Key(&'a str),
    Index(&'a dyn Display),
}

/// The path the steps take, in the canonical form: keys joined by dots,
/// indices in brackets.
pub fn from_steps<'a>(steps: impl IntoIterator<Item = Step<'a>>) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Index(i) => out.push_str(&format!("[{i}]")),
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
        }
    }
    out
}

/// `cohort[0].people`, `cohort.0.people` -> ["cohort", "0", "people"].
pub fn split_path(path: &str) -> Vec<String> {
    path.replace('[', ".")
        .replace(']', "")
        .split('.')
        .filter(|s| !s.is_empty() || path.is_empty())
        .map(str::to_string)
        .collect()
}

/// Split segments as a canonical path: a segment of digits is an index
/// (`cohort.0` -> `cohort[0]`), as a `--set` writes it.
pub fn canonical(segments: &[String]) -> String {
    let is_index = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    from_steps(segments.iter().map(|s| if is_index(s) { Step::Index(s) } else { Step::Key(s) }))
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

    #[test]
    fn keys_take_dots_and_indices_brackets() {
        assert_eq!(from_steps([Step::Key("cohort"), Step::Index(&0), Step::Key("people")]), "cohort[0].people");
        assert_eq!(from_steps([Step::Index(&2), Step::Key("x")]), "[2].x");
        assert_eq!(canonical(&split_path("cohort.0.windows[1].opens")), "cohort[0].windows[1].opens");
    }

    #[test]
    fn a_path_splits_into_its_segments() {
        assert_eq!(split_path("cohort[0].people"), ["cohort", "0", "people"]);
        assert_eq!(split_path("a..b"), ["a", "b"]);
        assert_eq!(split_path(""), [""]);
    }

    #[test]
    fn within_is_by_whole_segments() {
        assert!(is_within("a.b", "a") && is_within("a[0]", "a") && is_within("a", "a") && is_within("a", ""));
        assert!(!is_within("ab", "a") && !is_within("a", "a.b"));
        assert!(is_inside("a[0]", "a") && !is_inside("a", "a") && !is_inside("ab", "a"));
    }
}
