//! Who gets booked: the two tables of issue 24 (`by_arrival.csv`, one row
//! per cohort and arrival bin; `cohorts_timeseries.csv`, one row per time
//! bin and cohort), the "Who gets booked" section of `report.md`, the
//! `booking_chance` object of `summary.json` and the terminal's fairness
//! line. It reads the typed figures of `stats::figures` (`ArrivalFigure`,
//! `CohortBinFigure`, the fairness headline figures and `ChanceSpread`);
//! it counts nothing itself.
//!
//! With replications the tables hold each figure's mean over them (and,
//! in `by_arrival.csv`, its 95 % interval); the highest and lowest arrival
//! bins are those of replication 0, said so wherever they are written: a
//! "highest bin" averaged over replications would be no bin at all.

use super::format::{cell, count, pct, Shown};
use super::tables::{bin_labels, csv, BIN_LABELS};
use crate::engine::SimTime;
use crate::scenario::{units::clock_at, Scenario};
use crate::stats::figures::fairness::{BinShare, ChanceSpread};
use crate::stats::{figures, ArrivalRow, Columns, Estimate, Figures, Headline, RunFigures, Value};
use anyhow::Result;
use serde_json::{json, Value as Json};
use std::fmt::Write;

/// The file names, as the report links them.
pub const BY_ARRIVAL: &str = "by_arrival.csv";
pub const COHORTS_TIMESERIES: &str = "cohorts_timeseries.csv";

/// The fairness figures in the words of short lists (a chart's subtitle,
/// the differences of `compare` on the terminal).
pub const FIGURES: [(Headline, &str); 5] = [
    (Headline::OvertakingRate, "overtaking"),
    (Headline::OvertakingRateTogether, "overtaking among those who waited together"),
    (Headline::BookingChanceRatio, "booking chance ratio"),
    (Headline::BookingChanceGap, "booking chance gap"),
    (Headline::JainIndex, "Jain's index"),
];

/// The labels of a `by_arrival.csv` row, before its figures.
const ARRIVAL_LABELS: [&str; 2] = ["cohort", "arrived_from"];

/// Arrival bin `bin`'s start as a clock time, as `timeseries.csv` writes
/// times (RFC 3339 in the scenario's offset).
fn arrived_from(s: &Scenario, bin: usize) -> String {
    clock_at(s.start, SimTime(bin as u64 * s.arrival_bin.0)).to_rfc3339()
}

/// The people who started in a row: first attempts and returns.
fn started(r: &ArrivalRow) -> u64 {
    r.counts.people + r.counts.returned
}

/// A table of `rows` (indices into each run's rows), each labelled by
/// `label` and figured by `of`: one run's values, or over replications the
/// estimates of the figures (`Figures::estimate`, as `cohorts.csv`).
fn table<K: Columns>(
    labels: &[&str],
    runs: &[RunFigures],
    rows: &[usize],
    label: impl Fn(usize) -> Vec<String>,
    of: impl Fn(&RunFigures, usize) -> Figures<K, Value>,
) -> Result<Vec<u8>> {
    match runs {
        [] => anyhow::bail!("no run to report"),
        [one] => {
            let figures: Vec<Figures<K, Value>> = rows.iter().map(|&i| of(one, i)).collect();
            csv(labels, rows.iter().zip(&figures).map(|(&i, f)| (label(i), f)))
        }
        _ => {
            let figures: Vec<Figures<K, Option<Estimate>>> = rows
                .iter()
                .map(|&i| {
                    let per_run: Vec<Figures<K, Value>> = runs.iter().map(|r| of(r, i)).collect();
                    Figures::estimate(&per_run.iter().collect::<Vec<_>>())
                })
                .collect();
            csv(labels, rows.iter().zip(&figures).map(|(&i, f)| (label(i), f)))
        }
    }
}

/// `by_arrival.csv`: per cohort and arrival bin, its `ArrivalFigure`s. A
/// row where nobody started in any replication is left out (it has no
/// share to read); a row with people and no bookings stays.
pub fn by_arrival(s: &Scenario, runs: &[RunFigures]) -> Result<Vec<u8>> {
    let bins = s.arrival_bins().max(1);
    let n = runs.first().map_or(0, |r| r.by_arrival.len());
    let rows: Vec<usize> = (0..n).filter(|&i| runs.iter().any(|r| started(&r.by_arrival[i]) > 0)).collect();
    table(
        &ARRIVAL_LABELS,
        runs,
        &rows,
        |i| vec![s.cohorts[i / bins].name.clone(), arrived_from(s, i % bins)],
        |r, i| figures::arrival(&r.by_arrival[i]),
    )
}

/// `cohorts_timeseries.csv`: per time bin and cohort (bin by bin, cohorts
/// in the scenario's order), the bin's clock time and minute as in
/// `timeseries.csv`, the cohort, and its `CohortBinFigure`s; with
/// replications their means (counts are not banded, as in
/// `timeseries.csv`).
pub fn cohorts_timeseries(s: &Scenario, runs: &[RunFigures]) -> Result<Vec<u8>> {
    let Some(first) = runs.first() else { anyhow::bail!("no run to report") };
    let n = s.cohorts.len().max(1);
    let rows: Vec<usize> = (0..first.cohort_bins.len()).collect();
    let labels: Vec<&str> = BIN_LABELS.iter().copied().chain(["cohort"]).collect();
    table(
        &labels,
        runs,
        &rows,
        |i| {
            let mut l = bin_labels(s, first, i / n);
            l.push(s.cohorts[i % n].name.clone());
            l
        },
        |r, i| figures::cohort_bin(&r.cohort_bins[i]),
    )
}

/// Eligible arrival bins holding at least `arrival_bin_min_people`
/// people: the bins `booking_chance_ratio` compares (as
/// `stats::figures::fairness::chance_spread` selects them), counted here
/// to say how many there were when fewer than two leave it undefined.
fn bins_with_enough(s: &Scenario, rows: &[ArrivalRow]) -> usize {
    let bins = s.arrival_bins().max(1);
    rows.iter()
        .enumerate()
        .filter(|(i, r)| s.cohorts[i / bins].eligible && started(r) >= s.arrival_bin_min_people.max(1))
        .count()
}

/// Why `booking_chance_ratio` is undefined in a run, or `None` if it is
/// defined.
fn undefined_because(s: &Scenario, run: &RunFigures) -> Option<String> {
    match &run.chance {
        Some(c) if c.ratio().is_some() => None,
        Some(c) => Some(format!(
            "the lowest bin ({}) booked nobody, and a share over zero is no ratio",
            bin_name(s, &c.lowest)
        )),
        None => Some(format!(
            "fewer than two arrival bins of eligible people held {} or more people ({} did)",
            count(s.arrival_bin_min_people.max(1)),
            bins_with_enough(s, &run.by_arrival)
        )),
    }
}

/// A bin as a reader names it: `cohort 50-52, from Mon 19 Jul 20:10`.
fn bin_name(s: &Scenario, b: &BinShare) -> String {
    let at = clock_at(s.start, SimTime(b.bin as u64 * s.arrival_bin.0));
    // Seconds only when the bins are not whole minutes.
    let format = if s.arrival_bin.0.is_multiple_of(60 * SimTime::MICROS_PER_SEC) {
        "%a %-d %b %H:%M"
    } else {
        "%a %-d %b %H:%M:%S"
    };
    format!("cohort {}, from {}", cell(&s.cohorts[b.cohort].name), at.format(format))
}

/// The "Who gets booked" section of `report.md`: the three fairness
/// figures with what each means, the arrival bins `booking_chance_ratio`
/// compared (of replication 0, with replications), and the two tables.
pub fn section<F: Shown>(out: &mut String, s: &Scenario, headline: &Figures<Headline, F>, runs: &[RunFigures]) {
    let Some(first) = runs.first() else { return };
    let shown = |k: Headline| headline.get(k).human(k.kind());
    let _ = writeln!(out, "## Who gets booked\n");
    let _ = writeln!(
        out,
        "- Overtaking rate: **{}**. Of every two people admitted, the share of pairs where the one who came later \
         was admitted first (0: first come, first served; about 50 %: random order).",
        shown(Headline::OvertakingRate)
    );
    let _ = writeln!(
        out,
        "- Overtaking among people who waited together: **{}**. The same over the pairs where the later one came \
         before the earlier was admitted (nights that never met left out; about 50 %: random order).",
        shown(Headline::OvertakingRateTogether)
    );
    let _ = writeln!(
        out,
        "- Booking chance ratio: **{}**. The highest booked share over the lowest across the arrival bins below \
         (1: arriving early or late made no difference to the chance of a booking).",
        shown(Headline::BookingChanceRatio)
    );
    let _ = writeln!(
        out,
        "- Booking chance gap: **{}**. The highest booked share less the lowest, across the same bins, in \
         percentage points (0: no difference; unlike the ratio, defined when the lowest bin booked nobody).",
        shown(Headline::BookingChanceGap)
    );
    let eligible = s.cohorts.iter().filter(|c| c.eligible && c.people > 0).count();
    let one = if eligible < 2 { " Undefined here: fewer than two eligible cohorts." } else { "" };
    let _ = writeln!(
        out,
        "- Jain's index: **{}**. How even the eligible cohorts' booked shares are (1: all equal; 1/n: one of n \
         cohorts got every booking).{one}\n",
        shown(Headline::JainIndex)
    );
    if runs.len() > 1 {
        let defined = runs.iter().filter(|r| r.headline.get(Headline::BookingChanceRatio).is_some()).count();
        if defined < runs.len() {
            let _ = writeln!(
                out,
                "The booking chance ratio is the mean of the {defined} of {} replications where it is defined (in \
                 the others a bin booked nobody, or fewer than two bins counted); the gap is defined in every \
                 replication where two bins counted.\n",
                runs.len()
            );
        }
    }
    let of = if runs.len() > 1 {
        format!("In replication 0 (of {}; the ratio above is the mean over them), the", runs.len())
    } else {
        "The".to_string()
    };
    let _ = write!(
        out,
        "People are grouped by the arrival bin of their first attempt, {} wide; a bin of an eligible cohort counts in \
         the ratio when {} or more people started in it (first attempts and returns to a catch-up round). ",
        s.arrival_bin,
        count(s.arrival_bin_min_people.max(1))
    );
    match &first.chance {
        Some(c) => {
            let _ = writeln!(
                out,
                "{of} ratio compared {} bins: the highest was {} at {} booked, the lowest {} at {}.",
                c.bins,
                bin_name(s, &c.highest),
                pct(Some(c.highest.share)),
                bin_name(s, &c.lowest),
                pct(Some(c.lowest.share)),
            );
        }
        None => {
            let _ = writeln!(out, "{of} ratio compared no bins.");
        }
    }
    if let Some(why) = undefined_because(s, first) {
        let which = if runs.len() > 1 { " in replication 0" } else { "" };
        let _ = writeln!(out, "\nThe ratio is undefined{which}: {why}.");
    }
    let bounds = if runs.len() > 1 { ", means with `_lo`/`_hi` bounds" } else { "" };
    let _ = writeln!(
        out,
        "\nBy arrival bin: [{BY_ARRIVAL}]({BY_ARRIVAL}) (booked share, waits and give-ups per cohort and arrival bin{bounds}), \
         by cohort over time: [{COHORTS_TIMESERIES}]({COHORTS_TIMESERIES}) (each cohort's arrivals, admissions, bookings, queue and drops \
         per time bin).\n"
    );
}

/// `summary.json`'s `booking_chance`: the arrival bins
/// `booking_chance_ratio` compared, in replication 0 (`replication`: with
/// replications, the headline ratio is their mean, but a highest bin is
/// one run's). `highest`/`lowest` are `null` when fewer than two bins
/// counted.
pub fn booking_chance_json(s: &Scenario, runs: &[RunFigures]) -> Json {
    let Some(first) = runs.first() else { return Json::Null };
    let bin = |b: &BinShare| {
        json!({
            "cohort": s.cohorts[b.cohort].name,
            "arrived_from": arrived_from(s, b.bin),
            "booked_share": b.share,
        })
    };
    let (highest, lowest) =
        first.chance.as_ref().map_or((Json::Null, Json::Null), |c: &ChanceSpread| (bin(&c.highest), bin(&c.lowest)));
    json!({
        "replication": 0,
        "arrival_bin_s": s.arrival_bin.as_secs_f64(),
        "min_people": s.arrival_bin_min_people.max(1),
        "bins_counted": bins_with_enough(s, &first.by_arrival),
        "highest": highest,
        "lowest": lowest,
    })
}

/// The terminal's fairness line.
pub fn terminal_line<F: Shown>(h: &Figures<Headline, F>) -> String {
    let shown = |k: Headline| h.get(k).human(k.kind());
    format!(
        "  overtaking {} ({} among those who waited together)  booking chance ratio {} (gap {})  Jain's index {}\n",
        shown(Headline::OvertakingRate),
        shown(Headline::OvertakingRateTogether),
        shown(Headline::BookingChanceRatio),
        shown(Headline::BookingChanceGap),
        shown(Headline::JainIndex)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undefined_ratio_says_why() {
        let s = crate::scenario::load_str(
            "[scenario]\nname = \"one\"\nduration = \"10m\"\n[[cohort]]\nname = \"all\"\npeople = 5\n\
             [backend]\nmax_sessions = 1\n",
            "one.toml".as_ref(),
            ".".as_ref(),
            &[],
        )
        .unwrap();
        let run = RunFigures::of(&s, crate::simulate(&s, 0).results);
        // Five people cannot fill a bin of 100.
        let why = undefined_because(&s, &run).expect("undefined");
        assert!(why.contains("fewer than two") && why.contains("100"), "{why}");
    }
}
