//! What the shell completion scripts (`surgesim completions SHELL`) offer
//! beyond the command line's own words: figure names after `--target`,
//! `--figure` and `--hold-out`, scenario keys after `--set`, `--unset`,
//! `--vary` and `--fit`.
//!
//! The scripts are clap_complete's static ones, generated from the clap
//! definition. Each generator (bash, zsh, fish, elvish, PowerShell) already
//! writes an option's possible values into the script as its candidates, so
//! the candidates are given as possible values — to a copy of the
//! definition made only for the script. The command line that parses
//! arguments keeps its own value parsers: a key or a target is still
//! read, and refused, by the program, with its messages, and `--help`
//! lists no candidates. (clap_complete's dynamic completions, which would
//! ask the binary at each Tab, are still behind its `unstable-dynamic`
//! feature; these scripts stay valid until the keys change, when
//! `surgesim completions` writes them again.)
//!
//! A candidate completes the word's first part only: a key before its `=`
//! (`waiting_room.admit_per_minute`), a figure before its operator
//! (`wait_p90_s`). The keys come from the raw scenario type
//! (`scenario::file_keys`), the figures from the headline table
//! (`stats::Headline`) and the clock figures' prefixes, so a new key or
//! figure is offered without a line here.

use crate::scenario::figure::ClockFigure;
use crate::scenario::{file_keys, KeyShape};
use crate::stats::{Columns, Headline};
use clap::builder::PossibleValuesParser;
use clap::{Arg, Command};
use std::sync::OnceLock;

/// What an option's value starts with, by the option's long name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// A scenario key (`--set KEY=VALUE`, `--vary KEY=...`, `--fit`, `--unset`).
    Key,
    /// A figure's name (`plan --target 'FIGURE OP VALUE'`, `--figure`, `--hold-out`).
    Figure,
}

impl Offer {
    /// The offer for an option named `long`, if it takes keys or figures.
    pub fn for_option(long: &str) -> Option<Offer> {
        match long {
            "set" | "unset" | "vary" | "fit" => Some(Offer::Key),
            "target" | "figure" | "hold-out" => Some(Offer::Figure),
            _ => None,
        }
    }

    /// The candidates, in a stable order.
    pub fn candidates(self) -> &'static [String] {
        static KEYS: OnceLock<Vec<String>> = OnceLock::new();
        static FIGURES: OnceLock<Vec<String>> = OnceLock::new();
        match self {
            Offer::Key => KEYS.get_or_init(keys),
            Offer::Figure => FIGURES.get_or_init(figures),
        }
    }
}

/// Every key a `--set` can name, as a user writes it: dotted, with an
/// index `0` where a path goes through a list of tables
/// (`cohort.0.people`, `front.schedule.0.capacity`); a list itself is a
/// key too (`faults.outages=[...]`). Tables that only group keys
/// (`[front]`, `clients.retry`) are left out: a value is set key by key.
fn keys() -> Vec<String> {
    let all = file_keys();
    let lists: Vec<&str> =
        all.iter().filter(|(_, shape)| matches!(shape, KeyShape::Tables(_))).map(|(p, _)| p.as_str()).collect();
    let mut out: Vec<String> = all
        .iter()
        .filter(|(_, shape)| !matches!(shape, KeyShape::Table(_)))
        .map(|(path, _)| {
            // `cohort.windows.opens` -> `cohort.0.windows.0.opens`: an index
            // after every list the path goes through (not after itself).
            let (mut prefix, mut written) = (String::new(), String::new());
            for part in path.split('.') {
                if !prefix.is_empty() {
                    prefix.push('.');
                    written.push('.');
                }
                prefix.push_str(part);
                written.push_str(part);
                if prefix != *path && lists.contains(&prefix.as_str()) {
                    written.push_str(".0");
                }
            }
            written
        })
        .collect();
    // The top of a list of tables (`cohort`) is never set whole.
    out.retain(|k| k.contains('.'));
    out
}

/// Every figure a target can start with: the headline figures of
/// `summary.json`, and the prefixes of the figures at a clock time
/// (`queue_at_`, completed by the time the user writes).
fn figures() -> Vec<String> {
    let headline = Headline::ALL.iter().map(|h| h.name().to_owned());
    let clock = ClockFigure::ALL.iter().map(|f| f.prefix().to_owned());
    headline.chain(clock).collect()
}

/// `cmd` (the command line's definition) with the candidates as the
/// possible values of every option that takes keys or figures, for the
/// completion scripts only.
pub fn with_candidates(cmd: Command) -> Command {
    cmd.mut_subcommands(|sub| sub.mut_args(offering))
}

/// `arg` offering its candidates, if it takes keys or figures.
fn offering(arg: Arg) -> Arg {
    match arg.get_long().and_then(Offer::for_option) {
        Some(offer) => arg.value_parser(PossibleValuesParser::new(offer.candidates().iter().map(String::as_str))),
        None => arg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_written_as_a_set_writes_them() {
        let keys = Offer::Key.candidates();
        for key in ["waiting_room.admit_per_minute", "cohort.0.people", "front.schedule", "front.schedule.0.capacity"] {
            assert!(keys.iter().any(|k| k == key), "{key} not among {keys:?}");
        }
        for table in ["cohort", "front", "clients.retry", "cohort.0.arrivals"] {
            assert!(!keys.iter().any(|k| k == table), "{table} is a table, set key by key");
        }
        // Each is read back as a key by the parser of `--set`.
        for key in keys {
            assert!(crate::scenario::path::parse_key(key).is_ok(), "{key} does not parse");
        }
    }

    #[test]
    fn figures_are_the_headline_and_the_clock_prefixes() {
        let figures = Offer::Figure.candidates();
        assert!(figures.iter().any(|f| f == "wait_p90_s"));
        assert!(figures.iter().any(|f| f == "queue_at_"));
        assert_eq!(figures.len(), Headline::ALL.len() + ClockFigure::ALL.len());
    }
}
