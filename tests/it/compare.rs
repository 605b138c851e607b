//! `compare -r`: paired differences on common seeds; `compare --select`:
//! the truly better of two textbook systems, counted over many seeds, and
//! no choice between two equal ones.

use assert_cmd::Command;
use std::path::Path;

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
    let out = Command::cargo_bin("surgesim")
        .expect("binary")
        .current_dir(dir)
        .arg("compare")
        .args(files)
        .args(args)
        .args(["--no-charts", "-q", "--out", "cmp"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
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
