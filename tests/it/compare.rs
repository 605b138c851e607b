//! `compare -r`: paired differences on common seeds; `compare --select`:
//! the truly better of two textbook systems, counted over many seeds, and
//! no choice between two equal ones. Differences keep their sign in every
//! report; files that differ only in their seed give zero differences; the
//! charts draw every replication; the default folder follows the question;
//! bad `--delta` and `--confidence` values are bad input.

use assert_cmd::Command;
use std::path::Path;
use std::process::Output;

/// M/M/c at 45 erlangs: 50 sessions or more.
fn mmc(c: u32) -> String {
    format!(
        "[scenario]\nname = \"mmc-{c}\"\nduration = \"5h\"\nbin = \"1h\"\n\
         [[cohort]]\nname = \"all\"\npeople = 13500\n\
         [clients]\nsession = {{ dist = \"exponential\", mean = \"1m\" }}\n\
         [waiting_room]\n[backend]\nmax_sessions = {c}\n"
    )
}

fn compare(dir: &Path, files: &[&str], args: &[&str]) -> String {
    let out = run(dir, files, &[args, &["--no-charts", "-q", "--out", "cmp"]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// `surgesim compare FILES ARGS` in `dir`, as it ends.
fn run(dir: &Path, files: &[&str], args: &[&str]) -> Output {
    Command::cargo_bin("surgesim")
        .expect("binary")
        .current_dir(dir)
        .arg("compare")
        .args(files)
        .args(args)
        .output()
        .expect("runs")
}

/// The rows of `compare.csv` in `dir/out`, with a column finder.
fn table(dir: &Path, out: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(dir.join(out).join("compare.csv")).expect("compare.csv");
    let header: Vec<String> = r.headers().expect("header").iter().map(String::from).collect();
    (header, r.records().map(|x| x.expect("row")).collect())
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}: {header:?}"))
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

#[test]
fn replications_give_paired_differences_to_the_first_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.toml", &mmc(50));
    write(dir.path(), "b.toml", &mmc(52));
    compare(dir.path(), &["a.toml", "b.toml"], &["-r", "8"]);
    let mut r = csv::Reader::from_path(dir.path().join("cmp/compare.csv")).expect("compare.csv");
    let header: Vec<String> = r.headers().expect("header").iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}"));
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert_eq!(&rows[0][col("replications")], "8");
    assert_eq!(&rows[0][col("wait_mean_s_diff")], "", "the first has no difference to itself");
    let diff: f64 = rows[1][col("wait_mean_s_diff")].parse().expect("a number");
    let hi: f64 = rows[1][col("wait_mean_s_diff_hi")].parse().expect("a number");
    assert!(diff < 0.0 && hi < 0.0, "two more sessions shorten the wait, beyond the noise: {diff} (hi {hi})");
    let md = std::fs::read_to_string(dir.path().join("cmp/report.md")).expect("report.md");
    assert!(md.contains("## Differences to `mmc-50`") && md.contains("(real)"), "{md}");
}

#[test]
fn select_picks_the_better_system_in_nearly_every_seed() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.toml", &mmc(50));
    write(dir.path(), "b.toml", &mmc(52));
    let seeds = 20;
    let mut correct = 0;
    for seed in 1..=seeds {
        let line =
            compare(dir.path(), &["a.toml", "b.toml"], &["--select", "wait_mean_s", "--seed", &seed.to_string()]);
        correct += usize::from(line.contains("best on wait_mean_s (lowest): mmc-52"));
    }
    eprintln!("compare --select: the better system in {correct} of {seeds} seeds");
    // At 95 % confidence, 20 seeds give at most a few wrong picks by chance:
    // three or more would be a 7.5 % event for a correct procedure.
    assert!(correct >= seeds - 2, "{correct} of {seeds}");
}

#[test]
fn select_says_when_two_systems_cannot_be_told_apart() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.toml", &mmc(50));
    write(dir.path(), "b.toml", &mmc(50).replace("mmc-50", "mmc-50-too"));
    let line = compare(dir.path(), &["a.toml", "b.toml"], &["--select", "wait_mean_s", "--max-runs", "30"]);
    assert!(
        line.starts_with("cannot tell apart on wait_mean_s within 30 replications each: mmc-50, mmc-50-too"),
        "{line}"
    );
}

#[test]
fn every_scenarios_milestones_are_columns_for_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    // a quotes 02:00; b quotes none (its run's end, 05:00); c ends at 03:00.
    let a = mmc(50).replace("bin = \"1h\"", "bin = \"1h\"\nmilestones = [\"2h\"]");
    write(dir.path(), "a.toml", &a);
    write(dir.path(), "b.toml", &mmc(52));
    write(
        dir.path(),
        "c.toml",
        &mmc(52).replace("name = \"mmc-52\"\nduration = \"5h\"", "name = \"short\"\nduration = \"3h\""),
    );
    for reps in ["1", "3"] {
        compare(dir.path(), &["a.toml", "b.toml", "c.toml"], &["-r", reps]);
        let mut r = csv::Reader::from_path(dir.path().join("cmp/compare.csv")).expect("compare.csv");
        let header: Vec<String> = r.headers().expect("header").iter().map(String::from).collect();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}: {header:?}"));
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
        let share = |row: usize, name: &str| rows[row][col(name)].parse::<f64>().ok();
        let (two, five) = ("booked_share_by_2021-01-01T02:00", "booked_share_by_2021-01-01T05:00");
        for row in 0..3 {
            let by_two = share(row, two).expect("every run reaches 02:00");
            assert!(by_two > 0.2 && by_two < 0.6, "about 2 of 5 hours' arrivals booked by 02:00: {by_two}");
        }
        assert!(share(1, five).expect("b reaches 05:00") > share(1, two).expect("and 02:00"));
        assert_eq!(share(2, five), None, "c ends at 03:00: no share by 05:00 (-r {reps})");
        if reps == "3" {
            assert!(share(1, &format!("{two}_diff")).is_some(), "a paired difference to a");
        }
    }
}

/// A night the backend cannot keep up with: `people` over two hours, ten
/// one-minute sessions at once (600 an hour), so a queue is left at the end.
fn busy(people: u32) -> String {
    format!(
        "[scenario]\nname = \"busy-{people}\"\nduration = \"2h\"\nbin = \"10m\"\n\
         [[cohort]]\nname = \"all\"\npeople = {people}\n\
         [clients]\nsession = {{ dist = \"exponential\", mean = \"1m\" }}\n\
         [waiting_room]\n[backend]\nmax_sessions = 10\n"
    )
}

#[test]
fn a_negative_difference_keeps_its_sign_in_every_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.toml", &busy(2400));
    write(dir.path(), "b.toml", &busy(1200));
    let out = run(dir.path(), &["a.toml", "b.toml"], &["-r", "4", "--no-charts", "--out", "cmp"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (header, rows) = table(dir.path(), "cmp");
    let diff: f64 = rows[1][column(&header, "in_system_at_end_diff")].parse().expect("a number");
    let hi: f64 = rows[1][column(&header, "in_system_at_end_diff_hi")].parse().expect("a number");
    assert!(diff < -10.0 && hi < 0.0, "half the people leave fewer in the system at the end: {diff} (hi {hi})");
    let md = std::fs::read_to_string(dir.path().join("cmp/report.md")).expect("report.md");
    let line = md.lines().find(|l| l.contains("Still in the system at the end:")).expect("the difference in report.md");
    assert!(line.contains(": -") && line.contains("[-") && line.ends_with("(real)"), "{line}");
    assert!(!md.contains("0 [0 to 0]"), "{md}");
    let terminal = String::from_utf8_lossy(&out.stdout);
    let line = terminal.lines().find(|l| l.contains("still in the system")).expect("the difference on the terminal");
    assert!(line.contains("still in the system -") && line.ends_with("(real)"), "{terminal}");
    // A share's difference is in percentage points, signed.
    assert!(terminal.lines().any(|l| l.trim_start().starts_with("booked +") && l.contains(" pp")), "{terminal}");
}

#[test]
fn files_that_differ_only_in_their_seed_give_zero_differences() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = mmc(50).replace("[scenario]\n", "[scenario]\nseed = 11\n");
    write(dir.path(), "a.toml", &a);
    write(dir.path(), "b.toml", &a.replace("seed = 11", "seed = 12").replace("mmc-50", "mmc-50-seed-12"));
    let out = run(dir.path(), &["a.toml", "b.toml"], &["-r", "4", "--no-charts", "--out", "cmp"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (header, rows) = table(dir.path(), "cmp");
    assert_eq!((&rows[0][column(&header, "seed")], &rows[1][column(&header, "seed")]), ("11", "11"));
    let mut checked = 0;
    for (i, h) in header.iter().enumerate() {
        if h.ends_with("_diff") || h.ends_with("_diff_lo") || h.ends_with("_diff_hi") {
            let cell = &rows[1][i];
            assert!(cell.is_empty() || cell.parse::<f64>() == Ok(0.0), "{h} = {cell}: not paired");
            checked += usize::from(!cell.is_empty());
        }
    }
    assert!(checked > 30, "{checked} differences checked");
    let md = std::fs::read_to_string(dir.path().join("cmp/report.md")).expect("report.md");
    assert!(md.contains("Every scenario ran on seed 11 (the first file's), replications 0 to 3"), "{md}");
    assert!(md.contains("`mmc-50-seed-12` names seed 12 in its file; here it ran on 11"), "{md}");
    assert!(md.contains("(identical in every pair)") && !md.contains("(real)"), "{md}");
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(terminal.contains("seed 11 (the first file's) for every scenario, replications 0-3"), "{terminal}");

    // --seed puts both on another seed: still one seed for all.
    let out = run(dir.path(), &["a.toml", "b.toml"], &["-r", "2", "--seed", "5", "--no-charts", "--out", "cmp"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("seed 5 (--seed) for every scenario"));
    let (header, rows) = table(dir.path(), "cmp");
    assert_eq!(&rows[1][column(&header, "wait_mean_s_diff")], "0.0");

    // Selection runs on the same seeds: two seeds of one system are one system.
    let line = compare(dir.path(), &["a.toml", "b.toml"], &["--select", "wait_mean_s", "--max-runs", "12"]);
    assert!(line.starts_with("cannot tell apart on wait_mean_s within 12 replications each"), "{line}");
}

#[test]
fn milestone_differences_reach_report_md_and_the_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.toml", &mmc(50).replace("bin = \"1h\"", "bin = \"1h\"\nmilestones = [\"2h\"]"));
    write(dir.path(), "b.toml", &mmc(44));
    let out = run(dir.path(), &["a.toml", "b.toml"], &["-r", "3", "--no-charts", "--out", "cmp"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = std::fs::read_to_string(dir.path().join("cmp/report.md")).expect("report.md");
    assert!(md.contains("## Booked by milestone") && md.contains("| Fri 1 Jan 02:00 | "), "{md}");
    let line = md.lines().find(|l| l.starts_with("  - Booked by Fri 1 Jan 02:00: ")).expect("its difference");
    assert!(line.contains(" pp"), "{line}");
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(terminal.contains("  booked by Fri 1 Jan 02:00: "), "each scenario's share: {terminal}");
    assert!(terminal.lines().any(|l| l.starts_with("    booked by Fri 1 Jan 02:00 ")), "its difference: {terminal}");
}

#[test]
fn the_charts_of_replications_draw_them_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.toml", &busy(2400));
    write(dir.path(), "b.toml", &busy(1200));
    let chart = |reps: &str, out: &str| {
        let done = run(dir.path(), &["a.toml", "b.toml"], &["-r", reps, "-q", "--chart-format", "svg", "--out", out]);
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        std::fs::read_to_string(dir.path().join(out).join("compare-waits.svg")).expect("chart")
    };
    let (one, three) = (chart("1", "one"), chart("3", "three"));
    assert_ne!(one, three, "three replications are not replication 0 alone");
    assert!(
        three.contains("Mean of each scenario&apos;s 3 replications")
            || three.contains("Mean of each scenario's 3 replications"),
        "the subtitle says so"
    );
    let md = std::fs::read_to_string(dir.path().join("three/report.md")).expect("report.md");
    assert!(md.contains("Each scenario's line is its mean per time bin over its replications"), "{md}");
    assert!(!md.contains("replication 0"), "{md}");
}

#[test]
fn the_default_folder_is_named_from_the_question() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.toml", &mmc(50));
    write(dir.path(), "b.toml", &mmc(52));
    let folders = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir.join("outputs"))
            .map(|it| it.map(|e| e.expect("entry").file_name().to_string_lossy().to_string()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    let go = |args: &[&str]| {
        let out = run(dir.path(), &["a.toml", "b.toml"], &[args, &["--no-charts", "-q"]].concat());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    go(&["-r", "2"]);
    let first = folders(dir.path());
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(first[0].starts_with("mmc-50-vs-mmc-52-") && first[0].ends_with("-compare"), "{first:?}");
    go(&["-r", "2"]);
    assert_eq!(folders(dir.path()), first, "the same question lands in the same folder");
    for other in [&["-r", "3"][..], &["-r", "2", "--set", "cohort.0.people=13000"], &["-r", "2", "--seed", "9"]] {
        go(other);
    }
    go(&["--select", "wait_mean_s", "--max-runs", "4"]);
    let all = folders(dir.path());
    assert_eq!(all.len(), 5, "every other question has a folder of its own: {all:?}");
    assert!(all.iter().all(|f| dir.path().join("outputs").join(f).join("compare.csv").exists()), "{all:?}");
    // A changed file is another question too.
    write(dir.path(), "b.toml", &mmc(53).replace("mmc-53", "mmc-52"));
    go(&["-r", "2"]);
    assert_eq!(folders(dir.path()).len(), 6);
}

#[test]
fn bad_delta_and_confidence_values_are_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.toml", &mmc(50));
    write(dir.path(), "b.toml", &mmc(52));
    for (flag, value) in [
        ("--delta", "0"),
        ("--delta", "-1"),
        ("--delta", "NaN"),
        ("--delta", "inf"),
        ("--delta", "a lot"),
        ("--confidence", "1.5"),
        ("--confidence", "0"),
        ("--confidence", "NaN"),
    ] {
        let arg = format!("{flag}={value}");
        let out = run(dir.path(), &["a.toml", "b.toml"], &["--select", "wait_mean_s", &arg, "--out", "cmp"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{arg}: {err}");
        assert!(err.contains(flag) && err.contains(&format!("found \"{value}\"")), "{arg}: {err}");
        assert!(!dir.path().join("cmp").exists(), "{arg}: nothing written");
    }
}

/// One run each: no difference is tested, and the report and the terminal
/// say so instead of skipping the differences without a word.
#[test]
fn one_run_each_says_the_differences_are_not_tested() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.toml", &mmc(50));
    write(dir.path(), "b.toml", &mmc(52));
    let out = run(dir.path(), &["a.toml", "b.toml"], &["--no-charts", "--out", "one"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(terminal.contains("the differences are not tested"), "{terminal}");
    let report = std::fs::read_to_string(dir.path().join("one/report.md")).expect("report.md");
    assert!(report.contains("the differences are not tested"), "{report}");
}
