//! `surgesim new`: commented scenario files to start from. Each template is
//! a valid scenario (tested), so a planner edits a file that runs rather
//! than writing one from the scenario reference (docs/scenario.md).

/// Which template to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Preset {
    /// A booking night like 19 July 2021: every section, every key explained.
    #[default]
    Kdca,
    /// A textbook M/M/c queue, small enough to check against Erlang C.
    Textbook,
    /// A what-if: the `kdca` night (saved as my-booking-night.toml) plus
    /// changes, through `extends`, `unset` and a cohort's `split`.
    WhatIf,
}

impl Preset {
    /// The template's text, a TOML scenario with comments.
    pub fn text(self) -> &'static str {
        match self {
            Preset::Kdca => include_str!("templates/kdca.toml"),
            Preset::Textbook => include_str!("templates/textbook.toml"),
            Preset::WhatIf => include_str!("templates/what-if.toml"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;
    use std::path::Path;

    /// Load a template as `surgesim new` users do: in a folder beside the
    /// `kdca` template saved as my-booking-night.toml, which `what-if` extends.
    fn load(text: &str) -> Result<crate::Scenario, crate::scenario::ScenarioError> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join("my-booking-night.toml"), Preset::Kdca.text()).expect("writable");
        crate::scenario::load_str(text, Path::new("new.toml"), dir.path(), &[])
    }

    #[test]
    fn every_template_is_a_valid_scenario() {
        for preset in Preset::value_variants() {
            let s = load(preset.text()).unwrap_or_else(|e| panic!("{preset:?}: {e}"));
            crate::limits::check(&s, 1, false).unwrap_or_else(|e| panic!("{preset:?}: {e}"));
        }
    }

    /// The optional keys and sections shown commented out (`# key = value`,
    /// `# [identity]`) are spelled right and fit together: with all of them
    /// switched on, the file is still valid.
    #[test]
    fn the_optional_keys_shown_are_valid_too() {
        for preset in Preset::value_variants() {
            let on: String = preset
                .text()
                .lines()
                .map(|l| match l.strip_prefix("# ") {
                    Some(rest) if is_assignment(rest) || is_section(rest) => rest,
                    _ => l,
                })
                .map(|l| format!("{l}\n"))
                .collect();
            assert_ne!(on, preset.text(), "{preset:?} shows no optional keys");
            load(&on).unwrap_or_else(|e| panic!("{preset:?} with its optional keys: {e}"));
        }
    }

    #[test]
    fn the_what_if_extends_the_night_and_splits_its_cohort() {
        let s = load(Preset::WhatIf.text()).expect("valid");
        assert_eq!(s.origin.extends, ["my-booking-night.toml"]);
        assert_eq!((s.name.as_str(), s.cohorts.len()), ("my-what-if", 11));
        assert!(s.front.as_ref().is_some_and(|f| f.capacity == 50_000 && f.schedule.is_empty()));
    }

    /// `[section]`, as opposed to prose.
    fn is_section(line: &str) -> bool {
        // `[[observed]]` too: a table of a list is a section to switch on.
        line.strip_prefix("[[")
            .and_then(|l| l.strip_suffix("]]"))
            .or_else(|| line.strip_prefix('[').and_then(|l| l.strip_suffix(']')))
            // A nested table's header too (`[waiting_room.controller]`).
            .is_some_and(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.'))
    }

    /// `key = value`, as opposed to prose.
    fn is_assignment(line: &str) -> bool {
        line.split_once(" = ")
            .is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    }
}
