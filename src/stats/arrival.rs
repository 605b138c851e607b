//! Who gets booked, by when they came: each person's outcome counted in
//! the row of their cohort and of the arrival bin their first attempt fell
//! in (`[scenario] arrival_bin`), for `by_arrival.csv`, `fairness.png` and
//! `booking_chance_ratio`.
//!
//! A row counts its people (first attempts), their attempts (retries and
//! extra devices included), their bookings with each booking's wait from
//! the first attempt (kept whole, so the row's percentiles are exact: 8
//! bytes a booking, row and wait, in one list for the whole run, so that
//! its allocations do not grow with the rows), and their giving up. A person back in a
//! catch-up round is a new start: counted in the row of their return as
//! `returned`, and their earlier giving up stays in the row they left from.
//! So the rows of a cohort add up to its figures exactly: people, attempts
//! and bookings; gave_up less returned is `cohorts.csv`'s gave_up (net of
//! those who came back).

use crate::engine::{OutOfMemory, SimTime};

/// What one row counts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ArrivalCounts {
    /// People whose first attempt fell in the bin.
    pub people: u64,
    /// People back in a catch-up round whose return fell in the bin.
    pub returned: u64,
    /// Attempts of the row's people (all of them, whenever made).
    pub attempts: u64,
    pub booked: u64,
    /// The row's people who left without a booking (each time they left).
    pub gave_up: u64,
}

/// One row, finished.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ArrivalRow {
    pub counts: ArrivalCounts,
    /// Wait p50 and p90 [s] of the row's bookings, from the first attempt
    /// to the booking; `None` without a booking.
    pub wait: [Option<f64>; 2],
}

/// The rows while a run goes: cohort by cohort, each `bins` arrival bins.
pub struct ArrivalTally {
    width: SimTime,
    /// 1 / width [1/µs]: a bin found by a multiplication, not a division,
    /// on the path of every attempt (a 64-bit division took 1-2 % of the
    /// 19 July replay).
    per_width: f64,
    bins: usize,
    /// The bin of the last instant asked about, as (its start [µs], its
    /// number): who books or arrives next mostly came in the same bin as
    /// the last, and a subtraction and a comparison then find it (the
    /// multiplication, conversions and corrections of `bin_of` were half
    /// of `Recorder::booked` on M/M/100).
    last: (u64, u64),
    /// Per row, people and attempts: apart from the rest, so that every
    /// attempt touches 16 bytes of a table small enough to stay in cache.
    started: Vec<[u64; 2]>,
    /// Per row, the rest of the counts (people and attempts left at 0
    /// until `finish`).
    counts: Vec<ArrivalCounts>,
    /// Each booking's row (high 32 bits) and wait [ms] (low 32 bits).
    waits: Vec<u64>,
    out_of_memory: Option<OutOfMemory>,
}

impl ArrivalTally {
    /// Rows for `cohorts` cohorts, bins of `width` over a run of `bins` of them.
    pub fn new(cohorts: usize, width: SimTime, bins: usize) -> Result<Self, OutOfMemory> {
        let rows = cohorts.saturating_mul(bins);
        let fail = || OutOfMemory::new("arrival rows", rows, rows.saturating_mul(Self::BYTES_PER_ROW));
        // A booking keeps its row in 32 bits: more rows than that are more
        // than any machine holds (64 GiB of rows), refused as such.
        if rows > u32::MAX as usize {
            return Err(fail());
        }
        let mut counts = Vec::new();
        counts.try_reserve_exact(rows).map_err(|_| fail())?;
        counts.resize(rows, ArrivalCounts::default());
        let mut started = Vec::new();
        started.try_reserve_exact(rows).map_err(|_| fail())?;
        started.resize(rows, [0; 2]);
        Ok(ArrivalTally {
            width,
            per_width: 1.0 / width.0 as f64,
            bins,
            last: (0, 0),
            started,
            counts,
            waits: Vec::new(),
            out_of_memory: None,
        })
    }

    /// Bytes of a row, as the size guard counts them.
    pub const BYTES_PER_ROW: usize = std::mem::size_of::<ArrivalCounts>() + 16;
    /// Bytes kept per booking (its row and wait), twice over while the list
    /// doubles.
    pub const BYTES_PER_BOOKING: usize = 16;

    #[inline]
    fn row(&mut self, cohort: usize, first: SimTime) -> usize {
        let (start, bin) = self.last;
        let bin = if first.0.wrapping_sub(start) < self.width.0 {
            bin
        } else {
            let bin = self.bin_of(first);
            self.last = (bin * self.width.0, bin);
            bin
        };
        // A first attempt is before the horizon, so in a bin; `min` keeps a
        // stray one in the last.
        cohort * self.bins + (bin as usize).min(self.bins - 1)
    }

    /// The bin `first` falls in: ⌊first / width⌋.
    #[inline]
    fn bin_of(&self, first: SimTime) -> u64 {
        // The product is within a unit of the quotient (53 bits of
        // precision against the 42 of a run's microseconds): one step
        // corrects it, so the bin is exactly ⌊first / width⌋.
        let (t, w) = (first.0, self.width.0);
        let mut bin = (t as f64 * self.per_width) as u64;
        if bin * w > t {
            bin -= 1;
        } else if (bin + 1) * w <= t {
            bin += 1;
        }
        bin
    }

    #[inline]
    pub fn returned(&mut self, cohort: usize, first: SimTime) {
        let r = self.row(cohort, first);
        self.counts[r].returned += 1;
    }

    /// An attempt of a person of `cohort` who first came at `first`; `new`:
    /// their first (a person arrives).
    #[inline]
    pub fn attempt(&mut self, cohort: usize, first: SimTime, new: bool) {
        let r = self.row(cohort, first);
        let [people, attempts] = &mut self.started[r];
        *attempts += 1;
        *people += u64::from(new);
    }

    #[inline]
    pub fn gave_up(&mut self, cohort: usize, first: SimTime) {
        let r = self.row(cohort, first);
        self.counts[r].gave_up += 1;
    }

    /// A person of `cohort` who first came at `first` booked after `wait`.
    #[inline]
    pub fn booked(&mut self, cohort: usize, first: SimTime, wait: SimTime) {
        let r = self.row(cohort, first);
        self.counts[r].booked += 1;
        let list = &mut self.waits;
        if list.len() == list.capacity() && list.try_reserve(list.len().max(1024)).is_err() {
            let n = list.len();
            self.out_of_memory.get_or_insert(OutOfMemory::new("booking waits", n, n * 8));
            return;
        }
        // A run is capped below 49 days: its milliseconds fit in u32, and
        // its rows (checked against the size guard's limits) too.
        list.push(((r as u64) << 32) | (wait.0 / 1000));
    }

    /// The rows, cohort by cohort; an error if a list of waits could not grow.
    pub fn finish(self) -> Result<Vec<ArrivalRow>, OutOfMemory> {
        if let Some(e) = self.out_of_memory {
            return Err(e);
        }
        // Each row's waits brought together, in place, then each row's two
        // ranks selected: O(n), where sorting the whole list (n log n) was
        // 6 % of an M/M/100 run. A row's count of bookings is its length.
        let mut waits = self.waits;
        let lengths: Vec<usize> = self.counts.iter().map(|c| c.booked as usize).collect();
        group_by_row(&mut waits, &lengths);
        let mut rest = &mut waits[..];
        let rows = self.counts.into_iter().zip(self.started).map(|(mut counts, [people, attempts])| {
            (counts.people, counts.attempts) = (people, attempts);
            let n = counts.booked.min(rest.len() as u64) as usize;
            let (mine, others) = std::mem::take(&mut rest).split_at_mut(n);
            rest = others;
            ArrivalRow { counts, wait: p50_p90_secs(mine) }
        });
        Ok(rows.collect())
    }
}

/// Put each booking (row in the high 32 bits) among its row's, rows in
/// order, in place (an American flag sort of one pass: each misplaced
/// booking is swapped straight to its row's next free place), given each
/// row's count. Bookings come nearly in row order, so most stay where
/// they are. If the counts do not add up to the list (they always do:
/// each booking is counted and kept together), a plain sort does it.
fn group_by_row(waits: &mut [u64], lengths: &[usize]) {
    if lengths.iter().sum::<usize>() != waits.len() {
        debug_assert!(false, "each booking is counted in its row");
        waits.sort_unstable();
        return;
    }
    let (mut next, mut end) = (Vec::with_capacity(lengths.len()), Vec::with_capacity(lengths.len()));
    let mut at = 0;
    for &n in lengths {
        next.push(at);
        at += n;
        end.push(at);
    }
    for r in 0..lengths.len() {
        while next[r] < end[r] {
            let mut x = waits[next[r]];
            loop {
                let home = (x >> 32) as usize;
                if home == r {
                    break;
                }
                let place = next[home];
                next[home] += 1;
                std::mem::swap(&mut x, &mut waits[place]);
            }
            waits[next[r]] = x;
            next[r] += 1;
        }
    }
}

/// Wait p50 and p90 [s] of one row's waits (milliseconds in the low 32
/// bits, the row above them, the same for all), in any order: the values at
/// ranks ⌈q·n⌉, as the run's histograms define them, found by selection.
fn p50_p90_secs(row: &mut [u64]) -> [Option<f64>; 2] {
    let n = row.len();
    if n == 0 {
        return [None, None];
    }
    let at = |q: f64| ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
    let (k50, k90) = (at(0.5), at(0.9));
    let (_, &mut p50, above) = row.select_nth_unstable(k50);
    // Rank k90 >= k50: among those above the median (if not the median itself).
    let p90 = if k90 == k50 { p50 } else { *above.select_nth_unstable(k90 - k50 - 1).1 };
    [p50, p90].map(|w| Some((w & 0xFFFF_FFFF) as f64 / 1000.0))
}

/// The `q` quantile of one row's sorted waits (milliseconds in the low 32
/// bits), in seconds: the value at rank ⌈q·n⌉, as the run's histograms
/// define it (the definition `p50_p90_secs` is checked against).
#[cfg(test)]
fn quantile_secs(sorted: &[u64], q: f64) -> Option<f64> {
    let n = sorted.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n.max(1));
    sorted.get(rank - 1).map(|&w| (w & 0xFFFF_FFFF) as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_lands_in_the_row_of_its_first_attempt() {
        let min = SimTime::from_secs(60);
        let mut t = ArrivalTally::new(2, min, 3).unwrap();
        let at = |s: u64| SimTime::from_secs(s);
        t.attempt(0, at(0), true);
        t.attempt(0, at(59), true);
        t.attempt(1, at(60), true);
        t.attempt(1, at(60), false);
        // Booked two hours later, still in the row of the first attempt.
        t.booked(1, at(60), at(7200));
        t.gave_up(0, at(59));
        t.returned(0, at(179));
        let rows = t.finish().unwrap();
        let c = |i: usize| rows[i].counts;
        assert_eq!((c(0).people, c(0).attempts, c(0).gave_up, c(2).returned), (2, 2, 1, 1));
        assert_eq!((c(4).people, c(4).attempts, c(4).booked), (1, 2, 1));
        assert_eq!(rows[4].wait, [Some(7200.0), Some(7200.0)]);
        assert_eq!(rows[0].wait, [None, None], "nobody booked");
    }

    #[test]
    fn a_bin_is_the_quotient_exactly_at_and_around_every_edge() {
        for width in [1_000, 60_000_000, 300_000_000, 7_000_003] {
            // Rows enough for any instant, without their memory.
            let mut t = ArrivalTally {
                width: SimTime(width),
                per_width: 1.0 / width as f64,
                bins: usize::MAX / 2,
                last: (0, 0),
                started: Vec::new(),
                counts: Vec::new(),
                waits: Vec::new(),
                out_of_memory: None,
            };
            // Forwards, then backwards: each instant is asked right after
            // one in the same bin, or in the bin before or after (the last
            // bin found is kept: neither way may it answer for another).
            let ks = [0u64, 1, 2, 59, 1_000, 100_000, 4_000_000];
            let ats: Vec<u64> =
                ks.iter().flat_map(|k| [-1i64, 0, 1].map(|d| (k * width).saturating_add_signed(d))).collect();
            for &at in ats.iter().chain(ats.iter().rev()) {
                assert_eq!(t.row(0, SimTime(at)) as u64, at / width, "width {width}, at {at}");
            }
        }
    }

    #[test]
    fn percentiles_are_the_values_at_their_rank() {
        let ms: Vec<u64> = (1..=10).map(|s| (7 << 32) | (s * 1000)).collect();
        assert_eq!(quantile_secs(&ms, 0.5), Some(5.0));
        assert_eq!(quantile_secs(&ms, 0.9), Some(9.0));
        assert_eq!(quantile_secs(&ms, 0.91), Some(10.0));
        assert_eq!(quantile_secs(&[], 0.5), None);
    }

    /// Rows of every size (0 to 40 bookings, ties among them), shuffled
    /// together: grouped, each row holds its own bookings, and the
    /// selected ranks are those of the sorted row.
    #[test]
    fn grouping_and_selection_give_the_sorted_rows_ranks() {
        use rand::seq::SliceRandom;
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let lengths: Vec<usize> = (0..41).chain([1, 0, 2]).collect();
        let mut waits: Vec<u64> = Vec::new();
        for (r, &n) in lengths.iter().enumerate() {
            waits.extend((0..n).map(|_| (r as u64) << 32 | rng.random_range(0..50u64)));
        }
        let mut sorted = waits.clone();
        sorted.sort_unstable();
        waits.shuffle(&mut rng);
        group_by_row(&mut waits, &lengths);
        let (mut rest, mut rest_sorted) = (&mut waits[..], &sorted[..]);
        for (r, &n) in lengths.iter().enumerate() {
            let (mine, others) = std::mem::take(&mut rest).split_at_mut(n);
            let (theirs, others_sorted) = rest_sorted.split_at(n);
            (rest, rest_sorted) = (others, others_sorted);
            assert!(mine.iter().all(|&w| w >> 32 == r as u64), "row {r}: {mine:?}");
            let want = [quantile_secs(theirs, 0.5), quantile_secs(theirs, 0.9)];
            assert_eq!(p50_p90_secs(mine), want, "row {r}");
        }
    }
}
