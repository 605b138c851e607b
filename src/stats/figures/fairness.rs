//! The fairness figures of a run besides `overtaking_rate` (which
//! `overtaking` counts): how unequal the chance of a booking is across
//! arrival bins (`booking_chance_ratio`) and across cohorts (`jain_index`).
//!
//! Jain's index (Jain, Chiu and Hawe 1984, "A quantitative measure of
//! fairness and discrimination for resource allocation in shared computer
//! systems", DEC-TR-301) of shares x₁..xₙ is (Σx)²/(n·Σx²): 1 when all are
//! equal, 1/n when one cohort gets everything; it does not depend on the
//! shares' scale, so a night that books fewer people evenly still scores 1.

use crate::scenario::Scenario;
use crate::stats::{ArrivalCounts, ArrivalRow};

/// One arrival bin of one cohort, where its booked share stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BinShare {
    pub cohort: usize,
    /// The arrival bin's index (it starts at `index * arrival_bin`).
    pub bin: usize,
    pub share: f64,
}

/// The arrival bins `booking_chance_ratio` reads: those of eligible
/// cohorts with at least `arrival_bin_min_people` people (and returners).
#[derive(Clone, Debug, PartialEq)]
pub struct ChanceSpread {
    /// Bins counted.
    pub bins: usize,
    /// The bins with the highest and the lowest booked share (the first of
    /// equals, in cohort then time order).
    pub highest: BinShare,
    pub lowest: BinShare,
}

impl ChanceSpread {
    /// Highest over lowest; undefined when the lowest booked nobody.
    pub fn ratio(&self) -> Option<f64> {
        (self.lowest.share > 0.0).then(|| self.highest.share / self.lowest.share)
    }
}

/// Where the booked shares by arrival bin stand; `None` with fewer than two
/// bins to compare.
pub fn chance_spread(s: &Scenario, rows: &[ArrivalRow]) -> Option<ChanceSpread> {
    let bins = s.arrival_bins();
    let started = |c: &ArrivalCounts| c.people + c.returned;
    let counted = rows.iter().enumerate().filter_map(|(i, r)| {
        let (cohort, bin) = (i / bins, i % bins);
        let enough = s.cohorts[cohort].eligible && started(&r.counts) >= s.arrival_bin_min_people.max(1);
        enough.then(|| BinShare { cohort, bin, share: r.counts.booked as f64 / started(&r.counts) as f64 })
    });
    let (mut n, mut highest, mut lowest) = (0, None::<BinShare>, None::<BinShare>);
    for b in counted {
        n += 1;
        if highest.is_none_or(|h| b.share > h.share) {
            highest = Some(b);
        }
        if lowest.is_none_or(|l| b.share < l.share) {
            lowest = Some(b);
        }
    }
    match (highest, lowest) {
        (Some(highest), Some(lowest)) if n >= 2 => Some(ChanceSpread { bins: n, highest, lowest }),
        _ => None,
    }
}

/// Jain's index of `shares`; undefined without a share above zero.
pub fn jain_index(shares: &[f64]) -> Option<f64> {
    let sum: f64 = shares.iter().sum();
    let squares: f64 = shares.iter().map(|x| x * x).sum();
    (squares > 0.0).then(|| sum * sum / (shares.len() as f64 * squares))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jain_index_of_hand_made_shares() {
        assert_eq!(jain_index(&[0.5, 0.5, 0.5]), Some(1.0));
        // One of four gets everything: 1/n.
        assert_eq!(jain_index(&[0.8, 0.0, 0.0, 0.0]), Some(0.25));
        // (0.2 + 0.6)² / (2 · (0.04 + 0.36)) = 0.64 / 0.8 = 0.8.
        let j = jain_index(&[0.2, 0.6]).unwrap();
        assert!((j - 0.8).abs() < 1e-12, "{j}");
        // Scale-free: the same proportions at half the bookings.
        assert!((jain_index(&[0.1, 0.3]).unwrap() - 0.8).abs() < 1e-12);
        assert_eq!(jain_index(&[0.0, 0.0]), None);
        assert_eq!(jain_index(&[]), None);
    }
}
