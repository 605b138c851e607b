//! `surgesim completions SHELL`: the scripts offer figure names after
//! `--target` (and `--figure`, `--hold-out`) and scenario keys after
//! `--set`, `--vary`, `--fit` (and `--unset`), besides the commands and
//! options clap_complete always offers.
//!
//! Where bash is installed the bash script is sourced and asked, as bash
//! asks it at a Tab; the zsh and fish scripts are read as text.

use crate::common::surgesim;
use std::process::Command;

fn script(shell: &str) -> String {
    let out = surgesim().args(["completions", shell]).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// What the bash script offers for the last word of `words` (the word
/// being completed, maybe empty), or `None` without bash.
fn bash_offers(words: &[&str]) -> Option<Vec<String>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("surgesim.bash");
    std::fs::write(&path, script("bash")).expect("write the script");
    // Bash calls the function with the command, the word and the word
    // before it, COMP_WORDS and COMP_CWORD set.
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let cword = words.len() - 1;
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={cword}\n_surgesim surgesim '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        path.display(),
        quoted.join(" "),
        words[cword],
        words[cword - 1],
    );
    let out = Command::new("bash").arg("--norc").arg("-c").arg(&program).output().ok()?;
    assert!(out.status.success(), "bash: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()).map(str::to_owned).collect())
}

#[test]
fn bash_offers_figures_after_target_and_keys_after_vary() {
    let Some(figures) = bash_offers(&["surgesim", "plan", "x.toml", "--target", "wait_p9"]) else {
        eprintln!("bash is not installed: the script is only read as text");
        return;
    };
    assert_eq!(figures, ["wait_p90_s", "wait_p99_s"]);
    let keys = bash_offers(&["surgesim", "plan", "x.toml", "--vary", "waiting_room.adm"]).expect("bash");
    assert_eq!(keys, ["waiting_room.admit_per_minute"]);
    // Every figure and clock prefix on an empty word.
    let all = bash_offers(&["surgesim", "plan", "--target", ""]).expect("bash");
    assert!(all.contains(&"booked".to_owned()) && all.contains(&"queue_at_".to_owned()), "{all:?}");
    // The other options that take keys, in the commands that have them.
    for words in [
        &["surgesim", "sweep", "--vary", "backend.max_s"][..],
        &["surgesim", "run", "--set", "backend.max_s"],
        &["surgesim", "calibrate", "--fit", "backend.max_s"],
        &["surgesim", "validate", "--set", "backend.max_s"],
    ] {
        assert_eq!(bash_offers(words).expect("bash"), ["backend.max_sessions"], "{words:?}");
    }
    let cohort = bash_offers(&["surgesim", "run", "--set", "cohort.0.peo"]).expect("bash");
    assert_eq!(cohort, ["cohort.0.people"]);
    // Elsewhere the script still offers what clap_complete always did.
    let options = bash_offers(&["surgesim", "plan", "--tar"]).expect("bash");
    assert_eq!(options, ["--target"]);
}

#[test]
fn zsh_and_fish_offer_them_too() {
    let zsh = script("zsh");
    let target = zsh.lines().find(|l| l.contains("'*--target=")).expect("zsh: --target");
    assert!(target.contains(" wait_p90_s "), "{target}");
    let vary = zsh.lines().find(|l| l.contains("--vary=")).expect("zsh: --vary");
    assert!(vary.contains(" waiting_room.admit_per_minute "), "{vary}");
    let fish = script("fish");
    let at = fish.find("__fish_surgesim_using_subcommand plan\" -l target").expect("fish: plan --target");
    let entry = &fish[at..at + fish[at..].find("\ncomplete ").expect("more")];
    assert!(entry.lines().any(|l| l.starts_with("wait_p90_s")), "{entry}");
}

/// The candidates are only in the scripts: `--help` lists none, and a
/// value that is no candidate is read (and judged) by surgesim itself.
#[test]
fn parsing_is_left_as_it_was() {
    let help = surgesim().args(["plan", "--help"]).output().expect("runs");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(!help.contains("possible values"), "{help}");
    let out = surgesim().args(["validate", "--set", "no_such.key=1", "-"]).write_stdin("").output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("invalid value"), "clap refused it, not surgesim: {err}");
}
