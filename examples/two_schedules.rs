//! Two versions of one booking night, built in code and compared: the same
//! crowd against 300 and 600 concurrent booking sessions, each run as five
//! replications, figures read as means with their 95 % intervals.
//!
//! `cargo run --release --example two_schedules`; `cargo test` runs it too.

use surgesim::batch::{self, Quiet};
use surgesim::report::combined_headline;
use surgesim::stats::Headline;
use surgesim::{load_str, QueueKind, Scenario};

/// A small surge night: 20,000 eligible people, half of them in the first
/// ten minutes after opening, impatient after 30 minutes in the queue.
const NIGHT: &str = r#"
[scenario]
name = "small-night"
start = "2021-07-19T20:00:00+09:00"
duration = "6h"
bin = "5m"

[[cohort]]
name = "53-54"
people = 20000
windows = [{ opens = "0m", closes = "4h" }]
arrivals = { curve = "surge", share = 0.5, tau = "10m" }

[clients]
session = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "30m" }
retry = { probability = 0.5, delay = { dist = "exponential", mean = "20m" }, max_attempts = 3 }

[waiting_room]
order = "fifo"

[backend]
max_sessions = 300
"#;

fn night(sessions: u64) -> Scenario {
    let sets = [format!("backend.max_sessions={sessions}")];
    load_str(NIGHT, "night.toml".as_ref(), ".".as_ref(), &sets).expect("the scenario is valid")
}

fn main() {
    let mut booked = Vec::new();
    for sessions in [300, 600] {
        let s = night(sessions);
        let h = combined_headline(&batch::replications(&s, 5, QueueKind::default(), &Quiet).expect("memory"));
        let mean = |k: Headline| h.get(k).map_or(f64::NAN, |e| e.mean);
        println!(
            "{sessions} sessions: booked {:.1} % of eligible, wait p90 {:.1} min, abandon rate {:.1} %",
            100.0 * mean(Headline::BookedShare),
            mean(Headline::WaitP90) / 60.0,
            100.0 * mean(Headline::AbandonRate)
        );
        booked.push(h.get(Headline::BookedShare).expect("eligible people came"));
    }
    // Twice the sessions book more people, beyond the noise of five runs.
    assert!(booked[1].lo.expect("interval") > booked[0].hi.expect("interval"), "{booked:?}");
}

#[test]
fn more_sessions_book_more_people() {
    main();
}
