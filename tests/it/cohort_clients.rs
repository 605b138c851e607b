//! A cohort's own behaviour (issue 14): `[[cohort]] clients = { ... }`
//! changes `[clients]` for that cohort, key by key, and for no other.

use crate::common::*;
use surgesim::report::tables;
use surgesim::stats::RunFigures;
use surgesim::{scenario, simulate, Scenario};

/// Two cohorts in one waiting room at once, `[clients]` given by
/// `clients`, each cohort's own `clients` by `young` and `old` (empty:
/// none of its own).
fn crowd(clients: &str, young: &str, old: &str) -> String {
    let own = |c: &str| if c.is_empty() { String::new() } else { format!("clients = {c}\n") };
    format!(
        r#"
[scenario]
name = "crowd"
duration = "3h"
bin = "5m"
seed = 7

[[cohort]]
name = "young"
people = 3000
windows = [{{ opens = "10m", closes = "1h10m" }}]
arrivals = {{ curve = "surge", share = 0.6, tau = "5m" }}
{}
[[cohort]]
name = "old"
people = 2000
windows = [{{ opens = "10m", closes = "1h10m" }}]
arrivals = {{ curve = "surge", share = 0.6, tau = "5m" }}
{}
[clients]
session = {{ dist = "exponential", mean = "1m" }}
{clients}

[waiting_room]

[backend]
max_sessions = 40
"#,
        own(young),
        own(old)
    )
}

/// `timeseries.csv` and `cohorts.csv` of one run of `s`.
fn tables_of(s: &Scenario) -> (Vec<u8>, Vec<u8>) {
    let r = RunFigures::of(s, simulate(s, 0).results);
    let series = tables::timeseries(s, &r).expect("renders");
    let cohorts = tables::cohorts(s, &r.cohorts, &r.milestones).expect("renders");
    (series, cohorts)
}

/// The line of `cohort` in a `cohorts.csv`.
fn row<'a>(csv: &'a str, cohort: &str) -> &'a str {
    csv.lines().find(|l| l.starts_with(&format!("{cohort},"))).unwrap_or_else(|| panic!("no {cohort} in {csv}"))
}

/// The night is the same, person for person, whether `[clients]` says one
/// thing and a cohort another, or the other way round: a cohort's own
/// clients act for it exactly as `[clients]` would, and the keys it leaves
/// out (the retry delay, max_attempts, the session) are `[clients]`'s.
#[test]
fn a_cohorts_own_clients_act_for_it_as_clients_would() {
    let impatient = "patience = { dist = \"exponential\", mean = \"10m\" }\nretry = { probability = 0.5, delay = { dist = \"exponential\", mean = \"2m\" }, max_attempts = 4 }";
    let patient = "patience = { dist = \"exponential\", mean = \"2h\" }\nretry = { probability = 0.9, delay = { dist = \"exponential\", mean = \"2m\" }, max_attempts = 4 }";
    let old_own = "{ patience = { dist = \"exponential\", mean = \"2h\" }, retry = { probability = 0.9 } }";
    let young_own = "{ patience = { mean = \"10m\", dist = \"exponential\" }, retry = { probability = 0.5 } }";
    let a = from_text(&crowd(impatient, "", old_own), &repo());
    let b = from_text(&crowd(patient, young_own, ""), &repo());
    let (series_a, cohorts_a) = tables_of(&a);
    let (series_b, cohorts_b) = tables_of(&b);
    assert!(series_a == series_b, "the time series differ");
    assert_eq!(String::from_utf8_lossy(&cohorts_a), String::from_utf8_lossy(&cohorts_b));
    // And the cohort's clients matter: everyone impatient is another night.
    let (_, everyone) = tables_of(&from_text(&crowd(impatient, "", ""), &repo()));
    assert_ne!(cohorts_a, everyone, "old's own patience changed nothing");
}

/// One cohort's patience shows in its own abandons only: the other
/// cohort, which is done before it comes, has the same figures byte for
/// byte (common random numbers), and without patience in `[clients]` it
/// abandons nothing.
#[test]
fn a_cohorts_patience_changes_its_figures_and_no_others() {
    let text = |own: &str| {
        crowd("", "", own)
            .replace("windows = [{ opens = \"10m\", closes = \"1h10m\" }]\narrivals = { curve = \"surge\", share = 0.6, tau = \"5m\" }\nclients", "windows = [{ opens = \"2h\", closes = \"2h40m\" }]\narrivals = { curve = \"surge\", share = 0.6, tau = \"5m\" }\nclients")
            .replace("duration = \"3h\"", "duration = \"4h\"")
    };
    let own = "{ patience = { dist = \"exponential\", mean = \"5m\" } }";
    let with = from_text(&text(own), &repo());
    assert_eq!(with.cohorts[1].windows[0].opens.as_secs_f64(), 7200.0, "old comes at 2h, after young is done");
    let without = from_text(&text("{}"), &repo());
    let (_, a) = tables_of(&with);
    let (_, b) = tables_of(&without);
    let (a, b) = (String::from_utf8_lossy(&a).to_string(), String::from_utf8_lossy(&b).to_string());
    assert_eq!(row(&a, "young"), row(&b, "young"), "young's figures moved with old's patience");
    let abandoned = |csv: &str, cohort: &str| -> u64 {
        let header: Vec<&str> = csv.lines().next().expect("a header").split(',').collect();
        let at = header.iter().position(|h| *h == "abandoned").expect("an abandoned column");
        row(csv, cohort).split(',').nth(at).expect("a cell").parse().expect("a count")
    };
    assert_eq!((abandoned(&a, "young"), abandoned(&b, "old")), (0, 0), "nobody without patience abandons");
    assert!(abandoned(&a, "old") > 200, "old's 5 minutes of patience: {}", abandoned(&a, "old"));
}

/// A cohort's clients are checked as `[clients]` is, with the same
/// messages, located at the cohort's keys.
#[test]
fn a_cohorts_clients_are_checked_at_its_own_keys() {
    let text = crowd(
        "retry = { probability = 0.5 }",
        "{ retry = { probability = 1.5 } }",
        "{ patience = { dist = \"normal\", mean = \"1h\" }, retry = { max_attempts = 0 } }",
    );
    let e = scenario::load_str(&text, std::path::Path::new("test.toml"), &repo(), &[]).expect_err("invalid");
    let shown = e.to_string();
    for expected in [
        "test.toml:13:37: cohort[0].clients.retry.probability: found 1.5, expected a probability from 0 to 1",
        "cohort[1].clients.patience.dist: found \"normal\", expected one of",
        "cohort[1].clients.retry.max_attempts: found 0, expected at least 1 (the first attempt counts)",
    ] {
        assert!(shown.contains(expected), "no {expected:?} in\n{shown}");
    }
    assert_eq!(shown.matches("\n  ").count(), 3, "three problems, each once:\n{shown}");
    let unknown = crowd("", "{ patince = { dist = \"exponential\", mean = \"1h\" } }", "");
    let e = scenario::load_str(&unknown, std::path::Path::new("test.toml"), &repo(), &[]).expect_err("invalid");
    assert!(e.to_string().contains("cohort[0].clients.patince: unknown field"), "{e}");
}

/// Key by key, as `extends` merges tables: a distribution of `[clients]`'s
/// kind keeps the parameters the cohort leaves out, one of another kind
/// replaces it; `retry` keeps the delays; the rest is `[clients]`'s.
#[test]
fn a_cohorts_clients_change_clients_key_by_key() {
    let clients = "patience = { dist = \"lognormal\", median = \"30m\", sigma = 0.5 }\nretry = { probability = 0.5, delay = { dist = \"constant\", value = \"3m\" }, max_attempts = 4 }";
    let s = from_text(
        &crowd(
            clients,
            "{ patience = { dist = \"lognormal\", median = \"2h\" }, retry = { probability = 0.9 } }",
            "{ patience = { dist = \"exponential\", mean = \"1h\" } }",
        ),
        &repo(),
    );
    let json = serde_json::to_value(&s).expect("serializes");
    let young = &json["cohorts"][0]["clients"];
    assert_eq!(young["patience"], serde_json::json!({ "dist": "lognormal", "median": "2h", "sigma": 0.5 }));
    assert_eq!(young["retry"]["probability"], 0.9);
    assert_eq!(young["retry"]["max_attempts"], 4, "kept from [clients]");
    assert_eq!(young["retry"]["delay"], json["clients"]["retry"]["delay"], "kept from [clients]");
    assert_eq!(young["session"], json["clients"]["session"], "kept from [clients]");
    assert_eq!(json["cohorts"][1]["clients"]["patience"], serde_json::json!({ "dist": "exponential", "mean": "1h" }));
    let plain = from_text(&crowd(clients, "", ""), &repo());
    let plain = serde_json::to_value(&plain).expect("serializes");
    assert!(
        plain["cohorts"][0].get("clients").is_none(),
        "a cohort without its own shows none: {}",
        plain["cohorts"][0]
    );
}

/// Wherever a scenario is changed: `--set` by the cohort's name, a file
/// that extends another, a split's groups.
#[test]
fn a_cohorts_clients_come_from_set_extends_and_split() {
    let own = "{ patience = { dist = \"exponential\", mean = \"1h\" } }";
    let written = from_text(&crowd("", "", own), &repo());
    let json = |s: &Scenario| serde_json::to_value(&s.cohorts).expect("serializes");
    let set =
        from_text_with(&crowd("", "", ""), &["cohort.old.clients.patience={ dist = \"exponential\", mean = \"1h\" }"]);
    assert_eq!(json(&set), json(&written), "--set by name");
    let by_key = from_text_with(
        &crowd("", "", "{ patience = { dist = \"exponential\", mean = \"5m\" } }"),
        &["cohort.old.clients.patience.mean=1h"],
    );
    assert_eq!(json(&by_key), json(&written), "--set of one parameter");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("base.toml"), crowd("", "", "")).expect("write");
    let child =
        format!("[scenario]\nextends = \"base.toml\"\nname = \"child\"\n[[cohort]]\nname = \"old\"\nclients = {own}\n");
    std::fs::write(dir.path().join("child.toml"), child).expect("write");
    let extended = scenario::load(&dir.path().join("child.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json(&extended), json(&written), "a child cohort changing its clients");
    let split = from_text(
        &crowd("", "", own).replace("name = \"old\"\n", "name = \"old\"\nsplit = { groups = 2, every = \"10m\" }\n"),
        &repo(),
    );
    let groups = &split.cohorts[1..];
    assert_eq!(groups.len(), 2);
    for g in groups {
        let patience = g.clients.as_ref().and_then(|c| c.patience.as_ref()).map(|d| d.mean_secs());
        assert_eq!(patience, Some(3600.0), "{} keeps its cohort's clients", g.name);
    }
}
