//! Bad input: every broken scenario in `tests/corpus/` gets the messages its
//! header promises (file line, field, what was found and expected), through
//! the library and through the binary (exit code 2); nothing a user types
//! makes the parser or the validator panic (property tests).
//!
//! A corpus file starts with comment lines:
//!
//! ```text
//! # what is wrong, in words
//! # set: backend.max_sessions=0          (a --set to apply; repeatable)
//! # expect: 12: found 0, expected at least 1
//! # expect: --set: backend.max_sessions  (a problem located at a --set)
//! # unset: front.schedule                (an --unset to apply; repeatable)
//! # expect: --unset: found nothing        (a problem located at an --unset)
//! # expect: bases/b.toml:4: found 0       (in a file the case extends, by its
//! #                                        path from the case's folder)
//! # expect: too large: people: 150000000 (valid, refused by the size guard)
//! ```
//!
//! and gets exactly one problem per `expect` line: a problem at that line
//! whose message contains the fragment. No more, no fewer.

use crate::common::{repo, surgesim};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use surgesim::limits;
use surgesim::scenario::{self, Diagnostic, ScenarioError};

/// Where a problem is expected.
#[derive(Debug, Clone, PartialEq)]
enum Where {
    Line(usize),
    /// A line of another file (a base), by its path from the case's folder.
    FileLine(String, usize),
    Set,
    Unset,
    TooLarge,
}

struct Case {
    path: PathBuf,
    sets: Vec<String>,
    unsets: Vec<String>,
    expects: Vec<(Where, String)>,
}

fn corpus() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/corpus"))
        .expect("tests/corpus exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files.into_iter().map(|path| parse_header(&path)).collect()
}

fn parse_header(path: &Path) -> Case {
    // Lossy: one corpus file is not UTF-8 on purpose.
    let text = String::from_utf8_lossy(&std::fs::read(path).expect("readable corpus file")).into_owned();
    let mut case = Case { path: path.to_owned(), sets: Vec::new(), unsets: Vec::new(), expects: Vec::new() };
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(set) = line.strip_prefix("# set: ") {
            case.sets.push(set.to_string());
        } else if let Some(key) = line.strip_prefix("# unset: ") {
            case.unsets.push(key.to_string());
        } else if let Some(rest) = line.strip_prefix("# expect: ") {
            let (at, fragment) =
                rest.split_once(": ").unwrap_or_else(|| panic!("{}: bad header {line}", path.display()));
            let line_number = |n: &str| n.parse().unwrap_or_else(|_| panic!("{}: bad line in {line}", path.display()));
            let at = match at {
                "--set" => Where::Set,
                "--unset" => Where::Unset,
                "too large" => Where::TooLarge,
                n => match n.rsplit_once(':') {
                    Some((file, n)) => Where::FileLine(file.to_string(), line_number(n)),
                    None => Where::Line(line_number(n)),
                },
            };
            case.expects.push((at, fragment.to_string()));
        }
    }
    assert!(!case.expects.is_empty(), "{}: no `# expect:` line", path.display());
    case
}

fn matches(case: &Case, d: &Diagnostic, at: &Where, fragment: &str) -> bool {
    let folder = case.path.parent().expect("in tests/corpus");
    let place = match at {
        Where::Line(n) => d.line == Some(*n) && d.file.as_deref() == Some(case.path.as_path()),
        Where::FileLine(file, n) => d.line == Some(*n) && d.file.as_deref() == Some(folder.join(file).as_path()),
        Where::Set => d.line.is_none() && d.location.starts_with("--set "),
        Where::Unset => d.line.is_none() && d.location.starts_with("--unset "),
        Where::TooLarge => false,
    };
    place && d.to_string().contains(fragment)
}

/// What is wrong with how `case` loaded, if anything.
fn check(case: &Case) -> Result<(), String> {
    let loaded = scenario::load_with(&case.path, scenario::Changes { unset: &case.unsets, set: &case.sets });
    if case.expects.iter().any(|(at, _)| *at == Where::TooLarge) {
        let s = loaded.map_err(|e| format!("expected a valid scenario, got {e}"))?;
        let e = match limits::check(&s, 1, false) {
            Err(e @ ScenarioError::TooLarge { .. }) => e.to_string(),
            other => return Err(format!("expected the size guard to refuse it, got {other:?}")),
        };
        return match case.expects.iter().find(|(_, f)| !e.contains(f.as_str())) {
            Some((_, f)) => Err(format!("expected `{f}` in: {e}")),
            None => Ok(()),
        };
    }
    let mut diagnostics = match loaded {
        Err(ScenarioError::Invalid { diagnostics, .. }) => diagnostics,
        other => return Err(format!("expected problems, got {other:?}")),
    };
    let all = diagnostics.iter().map(|d| format!("\n    {d}")).collect::<String>();
    for (at, fragment) in &case.expects {
        let i = diagnostics
            .iter()
            .position(|d| matches(case, d, at, fragment))
            .ok_or_else(|| format!("no problem at {at:?} with `{fragment}`; got:{all}"))?;
        diagnostics.remove(i);
    }
    match diagnostics.is_empty() {
        true => Ok(()),
        false => {
            Err(format!("unexpected problems:{}", diagnostics.iter().map(|d| format!("\n    {d}")).collect::<String>()))
        }
    }
}

#[test]
fn every_broken_scenario_gets_exactly_its_messages() {
    let cases = corpus();
    assert!(cases.len() >= 30, "the corpus has {} files", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| check(c).err().map(|why| format!("{}: {why}", c.path.file_name().unwrap().to_string_lossy())))
        .collect();
    assert!(failures.is_empty(), "{} of {} corpus files:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// The binary says the same, with the file's name and line, and exits 2:
/// `validate` for problems, `run` for the size guard.
#[test]
fn the_binary_reports_them_with_exit_code_2() {
    let out = tempfile::tempdir().expect("temp dir");
    for case in corpus() {
        let name = case.path.file_name().unwrap().to_string_lossy().to_string();
        let too_large = case.expects.iter().any(|(at, _)| *at == Where::TooLarge);
        let mut cmd = surgesim();
        if too_large {
            cmd.arg("run").arg(&case.path).arg("--out").arg(out.path().join("run"));
        } else {
            cmd.arg("validate").arg(&case.path);
        }
        for set in &case.sets {
            cmd.args(["--set", set]);
        }
        for key in &case.unsets {
            cmd.args(["--unset", key]);
        }
        let output = cmd.output().expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        for (at, fragment) in &case.expects {
            assert!(stderr.contains(fragment.as_str()), "{name}: `{fragment}` not in {stderr}");
            match at {
                Where::Line(n) => assert!(stderr.contains(&format!("{name}:{n}:")), "{name}: line {n} not in {stderr}"),
                Where::FileLine(file, n) => {
                    assert!(stderr.contains(&format!("{file}:{n}:")), "{name}: {file} line {n} not in {stderr}")
                }
                _ => {}
            }
        }
        if too_large {
            assert!(stderr.contains("--allow-large"), "{name}: {stderr}");
            assert!(!out.path().join("run").exists(), "{name}: nothing written");
        }
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

// ---- nothing a user types makes the parser or the validator panic ----------

/// Values a careless edit or a hostile file might put anywhere.
const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "4294967296",
    "65536",
    "1e-300",
    "0.0",
    "true",
    "\"\"",
    "[]",
    "{}",
    "[{}]",
    "\"0s\"",
    "\"1us\"",
    "\"-5m\"",
    "\"99999999d\"",
    "\"1e400h\"",
    "\"5124095576030431d\"",
    "\"9999-12-31T23:59:59+14:00\"",
    "\"0000-01-01T00:00:00-23:59\"",
    "\"1h1h1h\"",
    "\"..\"",
    "\"/dev/zero\"",
    "\"../scenarios\"",
    "{ dist = \"lognormal\", median = \"1us\", sigma = 1e300 }",
    "{ dist = \"gamma\", mean = \"1h\", cv = 1e-200 }",
    "{ dist = \"weibull\", scale = \"1s\", shape = 1e-300 }",
    "[{ at = \"0m\", rate = 1e308 }, { at = \"99999d\", rate = 1e308 }]",
    "[{ at = \"99999d\", rate = 1 }, { at = \"0m\", rate = 1 }]",
    "[{ at = \"1m\", rate = 0 }, { at = \"1m\", rate = 0 }]",
    "\"2016-12-31T23:59:60Z\"",
    "\"9999-12-31T23:59:59-23:59\"",
    "\"a\\u001B[2Jb\\n\\u0000\"",
    "[{ opens = \"0m\", closes = \"1us\", share = 1e-300 }]",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace `len` bytes at `at` with `bytes`.
    Splice {
        at: usize,
        len: usize,
        bytes: Vec<u8>,
    },
    DropLine(usize),
    CopyLine {
        from: usize,
        to: usize,
    },
    /// Replace the `nth` value (after `= `) with `EXTREMES[with]`.
    Value {
        nth: usize,
        with: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..12usize, prop::collection::vec(any::<u8>(), 0..6))
            .prop_map(|(at, len, bytes)| Mutation::Splice { at, len, bytes }),
        any::<usize>().prop_map(Mutation::DropLine),
        (any::<usize>(), any::<usize>()).prop_map(|(from, to)| Mutation::CopyLine { from, to }),
        (any::<usize>(), any::<usize>()).prop_map(|(nth, with)| Mutation::Value { nth, with }),
        (any::<usize>(), any::<usize>()).prop_map(|(nth, with)| Mutation::Value { nth, with }),
    ]
}

fn mutate(text: &str, m: &Mutation) -> String {
    match m {
        Mutation::Splice { at, len, bytes } => {
            let mut b = text.as_bytes().to_vec();
            let at = at % (b.len() + 1);
            let end = (at + len).min(b.len());
            b.splice(at..end, bytes.iter().copied());
            String::from_utf8_lossy(&b).into_owned()
        }
        Mutation::DropLine(i) => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                lines.remove(i % lines.len());
            }
            lines.join("\n")
        }
        Mutation::CopyLine { from, to } => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let line = lines[from % lines.len()];
                lines.insert(to % (lines.len() + 1), line);
            }
            lines.join("\n")
        }
        Mutation::Value { nth, with } => {
            // Values start after "= " and end at a comma, a closing bracket
            // or brace, a comment or the end of the line.
            let starts: Vec<usize> = text.match_indices("= ").map(|(i, _)| i + 2).collect();
            let Some(&start) = starts.get(nth % starts.len().max(1)) else { return text.to_string() };
            let len = text[start..].find([',', '}', ']', '\n', '#']).unwrap_or(text.len() - start);
            format!("{}{}{}", &text[..start], EXTREMES[with % EXTREMES.len()], &text[start + len..])
        }
    }
}

/// The texts mutations start from: every bundled scenario and template.
fn seeds() -> Vec<String> {
    let mut texts: Vec<String> = std::fs::read_dir(repo().join("scenarios"))
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| std::fs::read_to_string(p).expect("readable scenario"))
        .collect();
    texts.sort();
    texts
        .extend([scenario::template::Preset::Kdca, scenario::template::Preset::Textbook].map(|p| p.text().to_string()));
    texts
}

/// Load `text` the way `surgesim run` does, size guard included. Any
/// outcome is fine; the property is that there is one (no panic).
fn load_any(text: &str, sets: &[String]) {
    let base = repo().join("scenarios");
    match scenario::load_str(text, Path::new("fuzz.toml"), &base, sets) {
        Ok(s) => {
            let _ = limits::check(&s, 1, false);
            let _ = limits::check(&s.clone().scaled(1e9), 1, true);
        }
        // Every refusal says why.
        Err(ScenarioError::Invalid { diagnostics, .. }) => {
            assert!(diagnostics.iter().all(|d| !d.message.contains("no check said why")), "{diagnostics:?}")
        }
        Err(_) => {}
    }
}

proptest! {
    // 1,000 cases each: under a second in the test profile. A longer hunt:
    // the cargo-fuzz target in fuzz/.
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        load_any(&String::from_utf8_lossy(&bytes), &[]);
    }

    #[test]
    fn mutated_scenarios_never_panic(
        seed in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..5),
        set in prop::option::of((any::<usize>(), any::<usize>())),
    ) {
        let seeds = seeds();
        let mut text = seeds[seed % seeds.len()].clone();
        for m in &mutations {
            text = mutate(&text, m);
        }
        // And perhaps a --set of an extreme value at a real key.
        const KEYS: &[&str] = &["scenario.duration", "scenario.bin", "cohort.0.people", "cohort.0.windows",
            "cohort.0.arrivals", "clients.session", "clients.retry.max_attempts", "waiting_room.max_active",
            "backend.max_sessions", "front.schedule", "faults.outages", "cohort.7.name", "scenario.name.x"];
        let sets: Vec<String> = set
            .map(|(k, v)| format!("{}={}", KEYS[k % KEYS.len()], EXTREMES[v % EXTREMES.len()]))
            .into_iter()
            .collect();
        load_any(&text, &sets);
    }
}

// ---- the command line -------------------------------------------------------

#[test]
fn new_prints_templates_that_validate() {
    let dir = tempfile::tempdir().expect("temp dir");
    for preset in ["kdca", "textbook"] {
        let output = surgesim().args(["new", "--preset", preset]).output().expect("runs");
        assert!(output.status.success(), "new --preset {preset}");
        let file = dir.path().join(format!("{preset}.toml"));
        std::fs::write(&file, &output.stdout).expect("writable");
        surgesim().arg("validate").arg(&file).assert().success();
    }
    // The what-if extends the night `new` prints, saved as its header says.
    std::fs::copy(dir.path().join("kdca.toml"), dir.path().join("my-booking-night.toml")).expect("copied");
    let what_if = surgesim().args(["new", "--preset", "what-if"]).output().expect("runs");
    std::fs::write(dir.path().join("what-if.toml"), &what_if.stdout).expect("writable");
    surgesim().arg("validate").arg(dir.path().join("what-if.toml")).assert().success();
    let default = surgesim().arg("new").output().expect("runs");
    assert_eq!(default.stdout, scenario::template::Preset::Kdca.text().as_bytes());
    surgesim().args(["new", "--preset", "nonsense"]).assert().code(2);
}

#[test]
fn help_documents_the_exit_codes_and_allow_large() {
    surgesim().arg("--help").assert().success().stdout(predicates::str::contains("Exit codes: 0 success, 2 bad input"));
    surgesim().args(["run", "--help"]).assert().success().stdout(predicates::str::contains("--allow-large"));
    surgesim().args(["compare", "--help"]).assert().success().stdout(predicates::str::contains("--allow-large"));
}

/// `--out` pointing at a folder surgesim did not write (a home folder, a
/// source tree) is refused as a bad argument, and the folder is left as it was.
#[test]
fn out_will_not_replace_a_folder_it_did_not_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("small.toml");
    std::fs::write(&scenario, scenario::template::Preset::Textbook.text()).expect("writable");
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("Documents")).expect("can create");
    std::fs::write(home.join("thesis.tex"), b"years of work").expect("writable");
    surgesim()
        .arg("run")
        .arg(&scenario)
        .args(["--no-charts", "--allow-large", "--out"])
        .arg(&home)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("will not replace"));
    assert_eq!(std::fs::read(home.join("thesis.tex")).expect("still there"), b"years of work");
    assert!(home.join("Documents").is_dir());
}

/// A flood of problems on one line (20,000 bad `unset` keys; a quarter of
/// a million in a 1 MB file took a minute, each problem's column counted
/// from the start of its line, and printed as many lines): located in
/// linear time, and at most `MAX_LISTED` of them listed, then "and N more",
/// under the count of them all.
#[test]
fn a_flood_of_problems_is_listed_short() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = scenario::template::Preset::Textbook.text();
    std::fs::write(dir.path().join("base.toml"), base).expect("writable");
    let keys = vec!["\"a\""; 20_000].join(",");
    let child = format!("[scenario]\nextends = \"base.toml\"\nname = \"flood\"\nunset = [{keys}]\n");
    std::fs::write(dir.path().join("flood.toml"), child).expect("writable");
    let out = surgesim().arg("validate").arg(dir.path().join("flood.toml")).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines[0].starts_with("error: 20000 problem(s) in scenario"), "{}", lines[0]);
    assert_eq!(lines.len(), 1 + scenario::MAX_LISTED + 1, "the count, the problems listed, the rest counted");
    assert!(lines[1].contains("flood.toml:4:") && lines[1].contains("found nothing at `a` to unset"), "{}", lines[1]);
    assert_eq!(lines[lines.len() - 1], format!("  and {} more", 20_000 - scenario::MAX_LISTED));
}

/// More unknown keys than the reader's bound: the problems say that more
/// were not checked, rather than giving the bound as the count of them all.
#[test]
fn more_unknown_keys_than_the_bound_say_the_rest_were_not_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys: String = (0..250).map(|i| format!("pepole{i} = 1\n")).collect();
    let text = format!(
        "[scenario]\nname = \"x\"\nduration = \"1h\"\n{keys}[[cohort]]\nname = \"a\"\npeople = 10\n[backend]\nmax_sessions = 5\n"
    );
    std::fs::write(dir.path().join("keys.toml"), text).expect("writable");
    let out = surgesim().arg("validate").arg(dir.path().join("keys.toml")).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("more mistakes of key or type not checked"), "{stderr}");
}
