//! The manual page `surgesim man` prints: one page, surgesim(1), in roff.
//!
//! Each part comes from the source the rest of the project reads, so the
//! page cannot drift from them: the commands and their options from the
//! clap definition (what `--help` prints, rendered by clap_mangen: a
//! section per subcommand with its synopsis, description and options); the
//! scenario reference (every key, its default and unit) and the outputs
//! (every file, column and figure) from `docs/scenario.md` and
//! `docs/outputs.md`, embedded when the program is built and turned into
//! roff by `markdown`. A key added to the scenario type must be in
//! `docs/scenario.md` (`tests/it/docs.rs`), and so is in the page
//! (`tests/it/manual.rs` checks that too).
//!
//! Non-ASCII characters are written as groff's `\[uXXXX]`, so the page
//! reads the same whether or not the formatter is told the encoding.

mod markdown;

use clap::Command;
use clap_mangen::roff::{bold, roman, Roff};
use clap_mangen::Man;

/// The scenario reference, as the docs show it.
const SCENARIO_MD: &str = include_str!("../../../docs/scenario.md");
/// What a run, sweep, plan, calibration and comparison write.
const OUTPUTS_MD: &str = include_str!("../../../docs/outputs.md");

/// The whole page, for the command line `cli`.
pub fn page(cli: Command) -> std::io::Result<String> {
    let mut cli = cli;
    cli.build();
    let man = Man::new(cli.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    overview(&cli, &mut page)?;
    for sub in subcommands(&cli) {
        subcommand(sub, &mut page)?;
    }
    reference("SCENARIO FILES", SCENARIO_MD, &mut page)?;
    reference("OUTPUTS", OUTPUTS_MD, &mut page)?;
    closing(&cli, &mut page)?;
    Ok(ascii(&String::from_utf8_lossy(&page)))
}

/// What the page holds, after the description, and the commands, each
/// with its line of `--help` (clap_mangen's list would point to a page per
/// command; here each has its section, SURGESIM NAME, below).
fn overview(cli: &Command, page: &mut Vec<u8>) -> std::io::Result<()> {
    let mut roff = Roff::default();
    roff.control("PP", []);
    roff.text(vec![roman(
        "This page has every command with its options (as --help shows them), the scenario file's every key \
         with its default and unit (SCENARIO FILES), and every file, column and figure a command writes \
         (OUTPUTS).",
    )]);
    roff.control("SH", ["COMMANDS"]);
    for sub in subcommands(cli) {
        roff.control("TP", []);
        roff.text(vec![bold(format!("surgesim {}", sub.get_name()))]);
        roff.text(vec![roman(sub.get_about().map(|a| a.to_string()).unwrap_or_default())]);
    }
    roff.to_writer(page)
}

/// The subcommands, clap's own `help` left out (it prints what `--help` does).
fn subcommands(cli: &Command) -> impl Iterator<Item = &Command> {
    cli.get_subcommands().filter(|s| s.get_name() != "help")
}

/// One subcommand's section: `surgesim NAME`, its description, synopsis
/// and options, each of clap_mangen's sections made a subsection.
fn subcommand(sub: &Command, page: &mut Vec<u8>) -> std::io::Result<()> {
    let man = Man::new(sub.clone());
    let mut roff = Roff::default();
    roff.control("SH", [format!("surgesim {}", sub.get_name()).to_uppercase().as_str()]);
    roff.to_writer(page)?;
    let mut parts = Vec::new();
    man.render_synopsis_section(&mut parts)?;
    man.render_description_section(&mut parts)?;
    if sub.get_arguments().next().is_some() {
        man.render_options_section(&mut parts)?;
    }
    let parts = String::from_utf8_lossy(&parts).replace("\n.SH ", "\n.SS ");
    let parts = parts.strip_prefix(".SH ").map_or(parts.clone(), |rest| format!(".SS {rest}"));
    page.extend_from_slice(parts.as_bytes());
    Ok(())
}

/// A section holding a Markdown reference.
fn reference(title: &str, text: &str, page: &mut Vec<u8>) -> std::io::Result<()> {
    let mut roff = Roff::default();
    roff.control("SH", [title]);
    markdown::render(text, &mut roff);
    roff.to_writer(page)
}

/// Exit status, installing the page, version.
fn closing(cli: &Command, page: &mut Vec<u8>) -> std::io::Result<()> {
    let mut roff = Roff::default();
    if let Some(exit) = cli.get_after_help() {
        roff.control("SH", ["EXIT STATUS"]);
        roff.text(vec![roman(exit.to_string())]);
    }
    roff.control("SH", ["FILES"]);
    roff.text(vec![roman(
        "Install this page with: mkdir -p ~/.local/share/man/man1 && surgesim man > \
         ~/.local/share/man/man1/surgesim.1 (then man surgesim). Shell completions: surgesim completions SHELL.",
    )]);
    roff.control("SH", ["VERSION"]);
    roff.text(vec![roman(cli.get_version().unwrap_or_default())]);
    roff.to_writer(page)
}

/// `text` with every non-ASCII character written `\[uXXXX]`.
fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", c as u32));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_is_escaped() {
        assert_eq!(ascii("a \u{00d7} b \u{2014}"), "a \\[u00D7] b \\[u2014]");
    }
}
