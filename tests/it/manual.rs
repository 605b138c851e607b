//! `surgesim man`: one page with every command and option, every scenario
//! key and the outputs, in roff a formatter takes without a warning.
//!
//! The keys are the ones `tests/it/docs.rs` reads from the program itself
//! (its probe scenario), checked the same way as in `docs/scenario.md`: a
//! key added to the scenario type and left out of the page fails here.

use crate::common::surgesim;
use crate::docs::{keys_by_table, missing};
use clap::CommandFactory;
use surgesim::commands::Cli;

/// The page as `surgesim man` prints it.
fn page() -> String {
    let out = surgesim().arg("man").output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("the page is UTF-8 (in fact ASCII)")
}

/// The page's text with the roff escapes it uses undone, and code (set in
/// bold) back in backticks, as the Markdown wrote it: what `missing` reads.
fn text_of(roff: &str) -> String {
    roff.replace("\\fB", "`")
        .replace("\\fR", "`")
        .replace("\\fI", "")
        .replace("\\-", "-")
        .replace("\\*(Aq", "'")
        .replace("\\&", "")
        .replace("\\\\", "\\")
}

#[test]
fn the_manual_has_every_scenario_key() {
    let text = text_of(&page());
    let missing = missing(&keys_by_table(), &text);
    assert!(missing.is_empty(), "keys not in `surgesim man`: {missing:?}");
}

/// The check bites on the page too: its text with one key's line taken
/// out is found wanting, naming that key.
#[test]
fn a_key_taken_out_of_the_manual_is_missed() {
    let text = text_of(&page());
    let cut: String = text.lines().filter(|l| !l.starts_with("admit_per_minute =")).map(|l| format!("{l}\n")).collect();
    assert_ne!(cut, text, "the page writes `admit_per_minute = ...` in [waiting_room]");
    assert_eq!(missing(&keys_by_table(), &cut), ["waiting_room.admit_per_minute"]);
}

/// Each subcommand has its section, and in it each of its options as
/// `--help` names them (from the same clap definition), in the synopsis
/// and with its description.
#[test]
fn the_manual_has_every_command_and_option() {
    let page = page();
    let cli = Cli::command();
    let subs: Vec<_> = cli.get_subcommands().collect();
    assert!(subs.len() >= 10, "{} subcommands", subs.len());
    for sub in subs {
        let heading = format!(".SH \"SURGESIM {}\"", sub.get_name().to_uppercase());
        let at = page.find(&format!("{heading}\n")).unwrap_or_else(|| panic!("no section {heading}"));
        let section = &page[at..];
        let section = &section[..section[1..].find("\n.SH ").map_or(section.len(), |n| n + 1)];
        // Hidden options are kept out of `--help`, and so out of the page.
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            let named = match (arg.get_long(), arg.is_positional()) {
                (Some(long), _) => format!("\\-\\-{}", long.replace('-', "\\-")),
                (None, true) => {
                    let id = arg.get_id().as_str().to_uppercase();
                    format!("<\\fI{}\\fR>", arg.get_value_names().map_or(id, |v| v[0].to_string()))
                }
                (None, false) => continue,
            };
            // Once in the synopsis, once (at least) with its description.
            let times = section.matches(&named).count();
            assert!(times >= 2, "`surgesim {}` {named}: {times} times in its section", sub.get_name());
        }
    }
}

/// A page, not a stub: hundreds of lines, the scenario reference and the
/// outputs among them.
#[test]
fn the_manual_is_a_whole_page() {
    let page = page();
    let lines = page.lines().count();
    assert!(lines >= 500, "{lines} lines");
    for section in [".SH \"SCENARIO FILES\"", ".SH OUTPUTS", ".SH \"EXIT STATUS\"", ".SS \"Every key\""] {
        assert!(page.contains(section), "no {section}");
    }
    // The output figures of docs/outputs.md.
    for figure in ["wait_p90_s", "booked_share", "booking_chance_ratio", "sweep.csv"] {
        assert!(page.contains(&format!("\\fB{}\\fR", figure.replace('-', "\\-"))), "no {figure}");
    }
    assert!(page.is_ascii(), "non-ASCII is written as \\[uXXXX]");
}

/// groff formats the page without a warning (every warning on: `-ww`),
/// where groff is installed; the rest of the checks need no formatter.
#[test]
fn groff_takes_the_page_without_a_warning() {
    let Ok(mut child) = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!("groff is not installed: the page's roff is not formatted here");
        return;
    };
    use std::io::Write;
    child.stdin.take().expect("stdin").write_all(page().as_bytes()).expect("write the page");
    let out = child.wait_with_output().expect("groff ends");
    assert!(out.status.success());
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(warnings.trim().is_empty(), "groff:\n{warnings}");
}
