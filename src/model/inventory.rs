//! The slot inventory: the shared one (`backend.slots`) and each cohort's
//! own (`cohort.slots`), first come first served, and when each cohort can
//! no longer be served (sold out).
//!
//! A booking takes one slot from its cohort's own inventory and one from
//! the shared one; it fails (`no_slots`) if either is empty. A cohort is
//! *sold out* once either of its inventories is empty: nobody of it can
//! book any more, so the room stops admitting them and the front page tells
//! them so (`sold_out`, no retry). The night is sold out when every
//! eligible cohort is (ineligible visitors never book, so they do not keep
//! it open); a cohort with no limit at all never sells out, and then
//! neither does the night.
//!
//! The model's side (`Model::sell_out`): a cohort that sells out is noted,
//! and its people still in line are told at once and leave for good; with
//! `waiting_room.on_sold_out = "at_front"` they keep waiting and each is
//! told at their turn (`admit_from_line`), until the room's pause
//! (`waiting_room.pause_at`) tells the whole line.

use super::{Event, Model, Person, Stored};
use crate::engine::FutureEvents;
use crate::scenario::OnSoldOut;
use crate::stats::DropCause;

/// Slots left, and who can no longer be served.
pub struct Inventory {
    shared: Option<u64>,
    own: Vec<Option<u64>>,
    sold_out: Vec<bool>,
    eligible: Vec<bool>,
    night_sold_out: bool,
}

/// What a sale changed: the cohorts sold out by it (none, one, or every
/// cohort when the shared inventory ran out) and whether the night is.
#[derive(Debug, Default, PartialEq)]
pub struct SoldOut {
    pub cohorts: Vec<usize>,
    pub night: bool,
}

impl Inventory {
    pub fn new(shared: Option<u64>, own: Vec<Option<u64>>, eligible: Vec<bool>) -> Inventory {
        let n = own.len();
        Inventory { shared, own, sold_out: vec![false; n], eligible, night_sold_out: false }
    }

    /// Whether anyone of cohort `c` can still book.
    #[inline]
    pub fn sold_out(&self, c: usize) -> bool {
        self.sold_out[c]
    }

    /// Inventories that are empty from the start (`slots = 0`): what they
    /// sell out (call once, at time zero).
    pub fn empty_from_the_start(&mut self) -> SoldOut {
        self.newly_sold_out()
    }

    /// Take one slot for cohort `c`: `None` (nothing taken) if either of its
    /// inventories is empty, else what the sale sold out.
    pub fn take(&mut self, c: usize) -> Option<SoldOut> {
        if self.own[c] == Some(0) || self.shared == Some(0) {
            return None;
        }
        let mut emptied = false;
        for n in [&mut self.own[c], &mut self.shared].into_iter().flatten() {
            *n -= 1;
            emptied |= *n == 0;
        }
        Some(if emptied { self.newly_sold_out() } else { SoldOut::default() })
    }

    /// Mark the cohorts an empty inventory leaves unserved; the ones newly so.
    fn newly_sold_out(&mut self) -> SoldOut {
        let shared_gone = self.shared == Some(0);
        let mut out = SoldOut::default();
        for c in 0..self.own.len() {
            if !self.sold_out[c] && (shared_gone || self.own[c] == Some(0)) {
                self.sold_out[c] = true;
                out.cohorts.push(c);
            }
        }
        let eligible = || (0..self.own.len()).filter(|&c| self.eligible[c]);
        if !self.night_sold_out && eligible().next().is_some() && eligible().all(|c| self.sold_out[c]) {
            self.night_sold_out = true;
            out.night = true;
        }
        out
    }
}

/// The model's side of selling out.
impl<Q: FutureEvents<Event>> Model<'_, Q> {
    /// Cohorts just sold out: noted, and their people still in line told
    /// at once (in line order) and gone for good. People in a session keep
    /// it (it ends in `no_slots`); people loading the page or coming back
    /// are told at the front page (`page_loaded`).
    pub(super) fn sell_out(&mut self, sold: SoldOut) {
        if sold.cohorts.is_empty() {
            return;
        }
        for &c in &sold.cohorts {
            self.stats.sold_out(c, self.now);
        }
        if sold.night {
            self.stats.night_sold_out(self.now);
        }
        if self.s.waiting_room.as_ref().is_some_and(|r| r.on_sold_out == OnSoldOut::AtFront) {
            // The line is not told: each learns it at the front
            // (`admit_from_line`).
            return;
        }
        let inventory = &self.inventory;
        let told = self.line.remove_where(|p| inventory.sold_out(p.person().cohort()));
        self.tell_line(told);
    }

    /// The room pauses for good (`waiting_room.pause_at`): it admits nobody
    /// from now, and tells its whole line (and, at the front page, every
    /// newcomer) that booking is over (`sold_out`).
    pub(super) fn pause(&mut self) {
        self.gate.pause();
        let told = self.line.remove_where(|_| true);
        self.tell_line(told);
    }

    /// People taken out of the line, told it is over (in line order).
    fn tell_line(&mut self, told: Vec<Stored>) {
        for person in told {
            let person = person.person();
            self.in_system.queued[person.cohort()] -= 1;
            if self.devices.on {
                self.devices.left_line(person);
            }
            self.told_sold_out(person);
        }
    }

    /// Told the person's cohort is sold out: dropped, and gone for good.
    pub(super) fn told_sold_out(&mut self, person: Person) {
        self.stats.dropped(person.cohort(), DropCause::SoldOut);
        self.give_up(person);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cohort_sells_out_with_its_own_slots_and_everyone_with_the_shared_ones() {
        let mut inv = Inventory::new(Some(3), vec![Some(1), None, None], vec![true, true, false]);
        assert_eq!(inv.take(0), Some(SoldOut { cohorts: vec![0], night: false }));
        assert_eq!(inv.take(0), None, "its own slots are gone");
        assert!(inv.sold_out(0) && !inv.sold_out(1));
        assert_eq!(inv.take(1), Some(SoldOut::default()));
        // The last shared slot: the others sell out, and so does the night.
        assert_eq!(inv.take(1), Some(SoldOut { cohorts: vec![1, 2], night: true }));
        assert_eq!(inv.take(2), None);
    }

    #[test]
    fn an_unlimited_eligible_cohort_keeps_the_night_open() {
        let mut inv = Inventory::new(None, vec![Some(1), None], vec![true, true]);
        assert_eq!(inv.take(0), Some(SoldOut { cohorts: vec![0], night: false }));
        assert_eq!(inv.take(1), Some(SoldOut::default()));
        let mut empty = Inventory::new(Some(0), vec![None], vec![true]);
        assert_eq!(empty.empty_from_the_start(), SoldOut { cohorts: vec![0], night: true });
    }
}
