//! Sweeps and merges that must be refused (issue 12): shards of different
//! sweeps, files changed after the sweep wrote them, a merge written over
//! its own input, and `--vary` keys that would silently lose values.

use crate::common::surgesim;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use surgesim::report::output::MARKER;

/// A night small enough that a two-point sweep takes a blink.
const TINY: &str = r#"
[scenario]
name = "tiny"
duration = "1h"
bin = "10m"
[[cohort]]
name = "all"
people = 300
[clients]
session = { dist = "exponential", mean = "1m" }
[waiting_room]
max_active = 4
[backend]
max_sessions = 4
"#;

/// The same night with its arrivals from a trace file beside it.
const TRACED: &str = r#"
[scenario]
name = "traced"
duration = "1h"
bin = "10m"
[[cohort]]
name = "all"
arrivals = { curve = "trace", file = "trace.csv" }
[clients]
session = { dist = "exponential", mean = "1m" }
[backend]
max_sessions = 4
"#;

const VARY: [&str; 2] = ["--vary", "waiting_room.max_active=2,3"];

/// A scenario file `name` with `text` in `dir`.
fn scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Run shard `shard` (like "0/2") of a sweep of `file` into `dir/out`.
fn shard(file: &Path, shard: &str, extra: &[&str], dir: &Path, out: &str) -> PathBuf {
    let out = dir.join(out);
    surgesim()
        .arg("sweep")
        .arg(file)
        .args(VARY)
        .args(extra)
        .args(["--shard", shard, "-q", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    out
}

fn merge(shards: &[&Path], out: &Path) -> assert_cmd::assert::Assert {
    surgesim().arg("merge").args(shards).arg("--no-charts").arg("--out").arg(out).assert()
}

/// Every file of a folder, by name.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().to_string(), std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Shard 0/2 made with `a`, shard 1/2 with `b`: the merge is refused with
/// exit code 2, writes nothing, and says each of `words`.
fn refused(file: &Path, a: &[&str], b: &[&str], dir: &Path, words: &[&str]) {
    let s0 = shard(file, "0/2", a, dir, "s0");
    let s1 = shard(file, "1/2", b, dir, "s1");
    let out = dir.join("merged");
    let assert = merge(&[&s0, &s1], &out).code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    for word in words {
        assert!(stderr.contains(word), "the refusal should say {word:?}: {stderr}");
    }
    assert!(stderr.contains("s0") && stderr.contains("s1"), "names both folders: {stderr}");
    assert!(!out.exists(), "a refused merge writes nothing");
}

#[test]
fn shards_of_different_sweeps_are_refused_naming_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "tiny.toml", TINY);
    let cases: [(&[&str], &[&str], &[&str]); 6] = [
        (
            &["--set", "backend.max_sessions=3"],
            &["--set", "backend.max_sessions=5"],
            &["--set", "backend.max_sessions=3", "backend.max_sessions=5"],
        ),
        (&[], &["--set", "scenario.seed=7"], &["seed (1 in", "7 in"]),
        (&["-r", "2"], &["-r", "3"], &["replications (2 in", "3 in"]),
        (&[], &["--vary", "backend.max_sessions=4,5"], &["grid"]),
        (&["--unset", "waiting_room"], &[], &["the --unset list (--unset waiting_room in", "no --unset in"]),
        // A preview and the full night: the scenario as resolved differs.
        (&["--scale", "0.5"], &[], &["the scenario as resolved"]),
    ];
    for (i, (a, b, words)) in cases.iter().enumerate() {
        let case = dir.path().join(format!("case{i}"));
        std::fs::create_dir(&case).unwrap();
        refused(&file, a, b, &case, words);
    }
}

#[test]
fn a_sweep_takes_unset_keys_and_records_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "tiny.toml", TINY);
    let with = shard(&file, "0/1", &["--unset", "clients"], dir.path(), "with");
    let without = shard(&file, "0/1", &[], dir.path(), "without");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(with.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["unset"], serde_json::json!(["clients"]));
    let plain = std::fs::read_to_string(without.join("sweep.json")).unwrap();
    assert!(!plain.contains("unset"), "a sweep without --unset keeps its record as before");
    // Sessions back to their default length: every point books otherwise.
    let csv = |d: &Path| std::fs::read_to_string(d.join("sweep.csv")).unwrap();
    assert_ne!(csv(&with), csv(&without), "the --unset reaches every point");
    // The night's milestone (by default its window's close, the run's end).
    let header = csv(&with).lines().next().unwrap_or_default().to_string();
    assert!(
        header.ends_with(
            ",booked_share_by_2021-01-01T01:00,booked_share_by_2021-01-01T01:00_lo,booked_share_by_2021-01-01T01:00_hi"
        ),
        "{header}"
    );
}

#[test]
fn a_scenario_changed_between_shards_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "tiny.toml", TINY);
    let s0 = shard(&file, "0/2", &[], dir.path(), "s0");
    std::fs::write(&file, TINY.replace("people = 300", "people = 400")).unwrap();
    let s1 = shard(&file, "1/2", &[], dir.path(), "s1");
    merge(&[&s0, &s1], &dir.path().join("merged")).code(2).stderr(predicate::str::contains("scenario as resolved"));

    // A trace is part of the scenario: `Curve::Trace` does not serialize its
    // points, so a hash of the scenario alone would miss this. The edit keeps
    // the trace's total, which is the cohort's people: only the points tell.
    let trace = dir.path().join("trace.csv");
    std::fs::write(&trace, "time,count\n0m,100\n30m,100\n").unwrap();
    let file = scenario(dir.path(), "traced.toml", TRACED);
    let t0 = shard(&file, "0/2", &[], dir.path(), "t0");
    std::fs::write(&trace, "time,count\n0m,150\n30m,50\n").unwrap();
    let t1 = shard(&file, "1/2", &[], dir.path(), "t1");
    merge(&[&t0, &t1], &dir.path().join("merged")).code(2).stderr(predicate::str::contains("scenario as resolved"));
    assert!(!dir.path().join("merged").exists());
}

#[test]
fn a_file_changed_after_the_sweep_wrote_it_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "tiny.toml", TINY);
    let s0 = shard(&file, "0/2", &[], dir.path(), "s0");
    let s1 = shard(&file, "1/2", &[], dir.path(), "s1");
    let out = dir.path().join("merged");
    merge(&[&s0, &s1], &out).success();

    // One value of one row, edited by hand.
    let csv_path = s1.join("sweep.csv");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let (header, row) = csv.split_once('\n').unwrap();
    let booked = header.split(',').position(|h| h == "booked").unwrap();
    let mut fields: Vec<String> = row.trim_end().split(',').map(String::from).collect();
    fields[booked] = "1197".into();
    std::fs::write(&csv_path, format!("{header}\n{}\n", fields.join(","))).unwrap();
    let before = contents(&out);
    merge(&[&s0, &s1], &out)
        .code(2)
        .stderr(predicate::str::contains("sweep.csv").and(predicate::str::contains("changed after")));
    assert_eq!(contents(&out), before, "the previous merge is left as it was");
    std::fs::write(&csv_path, csv).unwrap();
    merge(&[&s0, &s1], &out).success();

    // sweep.json edited so that it claims another seed.
    let json_path = s0.join("sweep.json");
    let json = std::fs::read_to_string(&json_path).unwrap();
    assert!(json.contains("\"seed\": 1,"), "{json}");
    std::fs::write(&json_path, json.replace("\"seed\": 1,", "\"seed\": 2,")).unwrap();
    merge(&[&s0, &s1], &out)
        .code(2)
        .stderr(predicate::str::contains("sweep.json").and(predicate::str::contains("changed after")));
}

/// Set `column` of the first row of `shard`'s `sweep.csv` to `value`, and
/// make the checksum agree by the README's recipe: `rows_sha256` in
/// `sweep.json` is what `sha256sum sweep.csv` prints. Returns the value
/// the cell held.
fn tamper(shard: &Path, column: &str, value: impl Fn(&str) -> String) -> String {
    use sha2::Digest;
    let csv_path = shard.join("sweep.csv");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let (header, row) = csv.split_once('\n').unwrap();
    let at = header.split(',').position(|h| h == column).unwrap_or_else(|| panic!("no {column} in {header}"));
    let mut fields: Vec<String> = row.trim_end().split(',').map(String::from).collect();
    let was = std::mem::take(&mut fields[at]);
    fields[at] = value(&was);
    let edited = format!("{header}\n{}\n", fields.join(","));
    std::fs::write(&csv_path, &edited).unwrap();
    let hex = |b: &[u8]| sha2::Sha256::digest(b).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let json_path = shard.join("sweep.json");
    let json = std::fs::read_to_string(&json_path).unwrap();
    assert!(json.contains(&hex(csv.as_bytes())), "rows_sha256 is sha256sum of sweep.csv: {json}");
    std::fs::write(&json_path, json.replace(&hex(csv.as_bytes()), &hex(edited.as_bytes()))).unwrap();
    was
}

/// A row edited by hand with its checksum recomputed is refused by its
/// content: a varied value that is not the point's in the grid, counts
/// that break conservation, a number that is not finite, an interval that
/// does not hold its mean; the refusal names the file, the line, the
/// column, what it found and what it expected, and nothing is written.
#[test]
fn a_row_no_sweep_writes_is_refused_whatever_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "tiny.toml", TINY);
    let s0 = shard(&file, "0/2", &[], dir.path(), "s0");
    let s1 = shard(&file, "1/2", &[], dir.path(), "s1");
    // The first row's cell under `column`, as written.
    let cell = |column: &str| -> String {
        let csv = std::fs::read_to_string(s1.join("sweep.csv")).unwrap();
        let (header, row) = csv.split_once('\n').unwrap();
        let at = header.split(',').position(|h| h == column).unwrap();
        row.split(',').nth(at).unwrap().to_string()
    };
    let people: u64 = cell("people").parse().unwrap();
    let in_system: u64 = cell("in_system_at_end").parse().unwrap();
    let out = dir.path().join("merged");
    let cases: Vec<(&str, String, Vec<String>)> = vec![
        // Point 1 is max_active = 3: 5 is in no point, 2 is point 0's.
        ("waiting_room.max_active", "5".into(), vec!["found \"5\"".into(), "expected \"3\"".into()]),
        ("waiting_room.max_active", "2".into(), vec!["found \"2\"".into(), "expected \"3\"".into()]),
        ("booked", format!("{}", people + 1), vec!["column booked".into(), format!("at most {people}, its people")]),
        ("in_system_at_end", format!("{}", in_system + 7), vec!["people - booked - gave_up".into()]),
        ("drop_rate", "NaN".into(), vec!["column drop_rate".into(), "expected a finite number".into()]),
        ("wait_p90_s", "inf".into(), vec!["column wait_p90_s".into(), "finite".into()]),
        ("drop_rate", "1.5".into(), vec!["column drop_rate".into(), "a share from 0 to 1".into()]),
        ("gave_up", "-1".into(), vec!["column gave_up".into(), "0 or more".into()]),
        ("booked", format!("{}.5", cell("booked")), vec!["column booked".into(), "a whole number".into()]),
        ("booked_lo", "1".into(), vec!["column booked_lo".into(), "one replication has no interval".into()]),
    ];
    for (column, value, words) in cases {
        let was = tamper(&s1, column, |_| value.clone());
        let assert = merge(&[&s0, &s1], &out).code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        for word in words.iter().map(String::as_str).chain(["s1", "sweep.csv", "line 2"]) {
            assert!(stderr.contains(word), "{column}: the refusal should say {word:?}: {stderr}");
        }
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!out.exists(), "a refused merge writes nothing");
        tamper(&s1, column, |_| was.clone());
    }
    merge(&[&s0, &s1], &out).success();

    // With replications, an interval that leaves out its mean.
    let r0 = shard(&file, "0/2", &["-r", "2"], dir.path(), "r0");
    let r1 = shard(&file, "1/2", &["-r", "2"], dir.path(), "r1");
    let out = dir.path().join("merged-r");
    tamper(&r1, "booked_hi", |_| "0".into());
    merge(&[&r0, &r1], &out)
        .code(2)
        .stderr(predicate::str::contains("column booked_hi: found 0, expected at least the mean"));
    assert!(!out.exists(), "a refused merge writes nothing");
}

#[test]
fn a_shard_written_by_an_older_surgesim_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "tiny.toml", TINY);
    let s0 = shard(&file, "0/2", &[], dir.path(), "s0");
    let s1 = shard(&file, "1/2", &[], dir.path(), "s1");
    // What surgesim wrote before sweep.json carried a fingerprint.
    let old = r#"{
  "scenario": "tiny",
  "vary": [
    {
      "key": "waiting_room.max_active",
      "values": [
        "2",
        "3"
      ]
    }
  ],
  "replications": 1,
  "points": 2,
  "shard": {
    "index": 1,
    "count": 2
  }
}
"#;
    std::fs::write(s1.join("sweep.json"), old).unwrap();
    merge(&[&s0, &s1], &dir.path().join("merged"))
        .code(2)
        .stderr(predicate::str::contains("older surgesim").and(predicate::str::contains("s1")));
}

#[test]
fn merge_will_not_write_over_an_input_shard() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "tiny.toml", TINY);
    let shards = dir.path().join("shards");
    std::fs::create_dir(&shards).unwrap();
    let s0 = shard(&file, "0/2", &[], &shards, "A0");
    let s1 = shard(&file, "1/2", &[], &shards, "A1");
    let before = contents(&s0);
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&s0, &link).unwrap();
    let spellings = [
        s0.clone(),
        PathBuf::from(format!("{}/", s0.display())),
        shards.join(".").join("A0"),
        shards.join("A1").join("..").join("A0"),
        link,
        // The folder holding both shards: replacing it would delete them.
        shards.clone(),
    ];
    for out in spellings {
        merge(&[&s0, &s1], &out)
            .code(2)
            .stderr(predicate::str::contains("will not write the merge into").and(predicate::str::contains("A0")));
        assert_eq!(contents(&s0), before, "shard A0 untouched after --out {}", out.display());
    }
    merge(&[&s0, &s1], &dir.path().join("merged")).success();
}

#[test]
fn repeated_or_overlapping_vary_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "tiny.toml", TINY);
    let out = dir.path().join("out");
    let cases: [(&[&str], &str); 4] = [
        (&["--vary", "backend.max_sessions=10,20", "--vary", "backend.max_sessions=30"], "backend.max_sessions"),
        (&["--vary", "cohort.0.people=100,200", "--vary", "cohort[0].people=300"], "cohort[0].people"),
        (&["--vary", "backend.max_sessions=3,4", "--set", "backend.max_sessions=5"], "backend.max_sessions"),
        (&["--vary", "cohort[0].people=100,200", "--set", "cohort.0.people=300"], "cohort[0].people"),
    ];
    for (args, key) in cases {
        surgesim()
            .arg("sweep")
            .arg(&file)
            .args(args)
            .args(["-q", "--no-charts", "--out"])
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(key));
        assert!(!out.exists(), "{args:?} wrote nothing");
    }
}

#[test]
fn more_shards_than_points_still_merge() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "tiny.toml", TINY);
    let whole = dir.path().join("whole");
    surgesim().arg("sweep").arg(&file).args(VARY).args(["-q", "--no-charts", "--out"]).arg(&whole).assert().success();
    // Two points, three shards: shard 2/3 has nothing to run.
    let shards: Vec<PathBuf> =
        (0..3).map(|i| shard(&file, &format!("{i}/3"), &[], dir.path(), &format!("s{i}"))).collect();
    let refs: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    let merged = dir.path().join("merged");
    merge(&refs, &merged).success();
    // The sweep's files; the output marker names the command that wrote them.
    let files = |d: &Path| contents(d).into_iter().filter(|(n, _)| n != MARKER).collect::<Vec<_>>();
    assert_eq!(files(&merged), files(&whole), "three shards of two points merge into the whole sweep");
}

#[test]
fn shards_given_twice_cut_otherwise_or_missing_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "tiny.toml", TINY);
    let s0 = shard(&file, "0/2", &[], dir.path(), "s0");
    let s1 = shard(&file, "1/2", &[], dir.path(), "s1");
    let t0 = shard(&file, "0/3", &[], dir.path(), "t0");
    let out = dir.path().join("merged");
    merge(&[&s0, &s1, &s0], &out).code(2).stderr(predicate::str::contains("shard 0/2 is given twice"));
    merge(&[&s0, &t0], &out)
        .code(2)
        .stderr(predicate::str::contains("different numbers of shards").and(predicate::str::contains("t0")));
    merge(&[&s1], &out).code(2).stderr(predicate::str::contains("shard 0/2 is missing"));

    // A shard count written by hand (the fingerprint leaves the shard out, so
    // that shards of one sweep share it): the missing shards are named
    // briefly, without a walk over, or a table of, a trillion shards.
    for s in [&s0, &s1] {
        let json = std::fs::read_to_string(s.join("sweep.json")).unwrap();
        assert!(json.contains("\"count\": 2"), "{json}");
        std::fs::write(s.join("sweep.json"), json.replace("\"count\": 2", "\"count\": 1099511627776")).unwrap();
    }
    merge(&[&s0, &s1], &out).code(2).stderr(
        predicate::str::contains("shards 2/1099511627776, 3/1099511627776,").and(predicate::str::contains("...")),
    );
    assert!(!out.exists(), "a refused merge writes nothing");
}

#[test]
fn a_sweep_at_a_scale_runs_every_point_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "tiny.toml", TINY);
    let out = dir.path().join("scaled");
    surgesim()
        .arg("sweep")
        .arg(&file)
        .args(VARY)
        .args(["--scale", "0.5", "--no-charts", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut r = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let people = r.headers().unwrap().iter().position(|h| h == "people").unwrap();
    for row in r.records() {
        assert_eq!(&row.unwrap()[people], "150", "300 people at half scale");
    }
}
