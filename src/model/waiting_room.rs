//! The waiting room's line: who is waiting, since when, and who is next.
//!
//! `fifo` admits the longest-waiting person; `random` any waiting person
//! with equal chance; `prequeue_shuffle` is FIFO after a one-time shuffle of
//! those already waiting at opening. Anyone can leave from the middle (lost
//! patience, lost connection) in O(1): for FIFO, removal is lazy (the stale
//! key left in the order is skipped when it reaches the front); for random
//! order, a dense array with swap-removal.

use super::slab::{Key, Slab};
use crate::engine::{Rng, SimTime};
use crate::scenario::Order;
use rand::seq::SliceRandom;
use rand::RngExt;
use std::collections::VecDeque;

/// One waiting person, with when they joined and their place in the dense
/// array (random order only).
struct Waiting<P> {
    person: P,
    joined: SimTime,
    index: usize,
}

pub struct Line<P> {
    waiting: Slab<Waiting<P>>,
    /// FIFO order (may hold stale keys).
    order: VecDeque<Key>,
    /// Random order: every current key, densely.
    members: Vec<Key>,
    random: bool,
}

impl<P> Line<P> {
    pub fn new(order: Order) -> Self {
        Line { waiting: Slab::default(), order: VecDeque::new(), members: Vec::new(), random: order == Order::Random }
    }

    pub fn len(&self) -> u64 {
        self.waiting.len() as u64
    }

    /// Join the back of the line at `now`.
    pub fn push(&mut self, person: P, now: SimTime) -> Key {
        let index = self.members.len();
        let key = self.waiting.insert(Waiting { person, joined: now, index });
        if self.random {
            self.members.push(key);
        } else {
            self.order.push_back(key);
        }
        key
    }

    /// Leave from wherever one stands; `None` if already gone.
    pub fn remove(&mut self, key: Key) -> Option<(P, SimTime)> {
        let w = self.waiting.remove(key)?;
        if self.random {
            self.members.swap_remove(w.index);
            if let Some(&moved) = self.members.get(w.index) {
                if let Some(m) = self.waiting.get_mut(moved) {
                    m.index = w.index;
                }
            }
        }
        Some((w.person, w.joined))
    }

    /// Take the next person to admit, with the time they joined.
    pub fn pop(&mut self, rng: &mut Rng) -> Option<(P, SimTime)> {
        if self.random {
            if self.members.is_empty() {
                return None;
            }
            let key = self.members[rng.random_range(0..self.members.len())];
            return self.remove(key);
        }
        while let Some(key) = self.order.pop_front() {
            if let Some(w) = self.waiting.remove(key) {
                return Some((w.person, w.joined));
            }
        }
        None
    }

    /// Shuffle everyone waiting now (the pre-queue at opening); people who
    /// join later queue behind them in arrival order.
    pub fn shuffle(&mut self, rng: &mut Rng) {
        let waiting = &self.waiting;
        self.order.retain(|k| waiting.is_current(*k));
        self.order.make_contiguous().shuffle(rng);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng_for;

    #[test]
    fn fifo_with_removals_from_the_middle() {
        let mut rng = rng_for(1, 0);
        let mut line = Line::new(Order::Fifo);
        let keys: Vec<Key> = (0..5u64).map(|i| line.push(i, SimTime(i))).collect();
        assert_eq!(line.remove(keys[1]), Some((1, SimTime(1))));
        assert_eq!(line.remove(keys[1]), None, "a key works once");
        assert_eq!(line.len(), 4);
        assert_eq!(line.pop(&mut rng), Some((0, SimTime(0))));
        assert_eq!(line.pop(&mut rng), Some((2, SimTime(2))));
        let k5 = line.push(5, SimTime(5)); // may reuse a freed slot
        assert_eq!(line.remove(keys[0]), None);
        assert_eq!(line.pop(&mut rng), Some((3, SimTime(3))));
        assert_eq!(line.pop(&mut rng), Some((4, SimTime(4))));
        assert_eq!(line.remove(k5), Some((5, SimTime(5))));
        assert_eq!(line.pop(&mut rng), None);
    }

    #[test]
    fn random_order_admits_everyone_once_and_not_in_order() {
        let mut rng = rng_for(2, 0);
        let mut line = Line::new(Order::Random);
        let keys: Vec<Key> = (0..1000u64).map(|i| line.push(i, SimTime(i))).collect();
        for k in keys.iter().step_by(3) {
            assert!(line.remove(*k).is_some());
        }
        let out: Vec<u64> = std::iter::from_fn(|| line.pop(&mut rng)).map(|(p, _)| p).collect();
        let mut sorted = out.clone();
        sorted.sort();
        let expected: Vec<u64> = (0..1000).filter(|i| i % 3 != 0).collect();
        assert_eq!(sorted, expected);
        assert_ne!(out, expected, "random order is not FIFO");
    }

    #[test]
    fn shuffle_mixes_those_waiting_and_keeps_later_arrivals_behind() {
        let mut rng = rng_for(3, 0);
        let mut line = Line::new(Order::PrequeueShuffle);
        for i in 0..100u64 {
            line.push(i, SimTime(i));
        }
        line.shuffle(&mut rng);
        for i in 100..110u64 {
            line.push(i, SimTime(i));
        }
        let out: Vec<u64> = std::iter::from_fn(|| line.pop(&mut rng)).map(|(p, _)| p).collect();
        assert_ne!(&out[..100], &(0..100).collect::<Vec<_>>()[..]);
        assert_eq!(&out[100..], &(100..110).collect::<Vec<_>>()[..]);
    }
}
