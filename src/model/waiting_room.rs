//! The waiting room's line: who is waiting, since when, and who is next.
//!
//! `fifo` admits the longest-waiting person; `random` any waiting person
//! with equal chance; `prequeue_shuffle` is FIFO after a one-time shuffle of
//! those already waiting at opening. Anyone can leave from the middle (lost
//! patience, lost connection) in O(1), by the ticket they got on joining.
//!
//! In line order (fifo, prequeue_shuffle) a ticket is the place in a ring
//! indexed by ticket number: leaving empties the place, and the front of
//! the ring skips empty places. A ticket behind the front is stale without
//! looking at memory, which matters: most patience deadlines fire after
//! their person was admitted, and looking each up in a table of millions
//! was a cache miss apiece (13 % of the 19 July replay). In random order,
//! a slab of the people with a dense array of their keys to draw from.

use super::slab::{Key, Slab};
use crate::engine::{Rng, SimTime};
use crate::scenario::Order;
use rand::seq::SliceRandom;
use rand::RngExt;
use std::collections::VecDeque;

/// What a person gets on joining, to leave with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket(u64);

pub struct Line<P> {
    order: Ordering<P>,
    len: u64,
}

enum Ordering<P> {
    InOrder(Ring<P>),
    Random(Bag<P>),
}

impl<P> Line<P> {
    pub fn new(order: Order) -> Self {
        let order = match order {
            Order::Random => Ordering::Random(Bag { waiting: Slab::default(), members: Vec::new() }),
            Order::Fifo | Order::PrequeueShuffle => {
                Ordering::InOrder(Ring { first: 0, places: VecDeque::new(), shuffled: VecDeque::new() })
            }
        };
        Line { order, len: 0 }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    /// Join the back of the line at `now`.
    pub fn push(&mut self, person: P, now: SimTime) -> Ticket {
        self.len += 1;
        match &mut self.order {
            Ordering::InOrder(r) => r.push((person, now)),
            Ordering::Random(b) => b.push((person, now)),
        }
    }

    /// Leave from wherever one stands; `None` if already gone.
    pub fn remove(&mut self, ticket: Ticket) -> Option<(P, SimTime)> {
        let out = match &mut self.order {
            Ordering::InOrder(r) => r.remove(ticket),
            Ordering::Random(b) => b.remove(ticket),
        };
        self.len -= u64::from(out.is_some());
        out
    }

    /// Take the next person to admit, with the time they joined.
    pub fn pop(&mut self, rng: &mut Rng) -> Option<(P, SimTime)> {
        let out = match &mut self.order {
            Ordering::InOrder(r) => r.pop(),
            Ordering::Random(b) => b.pop(rng),
        };
        self.len -= u64::from(out.is_some());
        out
    }

    /// Shuffle everyone waiting now (the pre-queue at opening); people who
    /// join later queue behind them in arrival order.
    pub fn shuffle(&mut self, rng: &mut Rng) {
        if let Ordering::InOrder(r) = &mut self.order {
            r.shuffle(rng);
        }
    }
}

/// The line in order: place `first + i` is `places[i]`, empty once its
/// person has left or been admitted.
struct Ring<P> {
    first: u64,
    places: VecDeque<Option<(P, SimTime)>>,
    /// Tickets to serve before the ring, in this order (a shuffled pre-queue).
    shuffled: VecDeque<u64>,
}

impl<P> Ring<P> {
    fn push(&mut self, entry: (P, SimTime)) -> Ticket {
        self.places.push_back(Some(entry));
        Ticket(self.first + self.places.len() as u64 - 1)
    }

    fn remove(&mut self, Ticket(t): Ticket) -> Option<(P, SimTime)> {
        let i = t.checked_sub(self.first)?;
        self.places.get_mut(i as usize)?.take()
    }

    fn pop(&mut self) -> Option<(P, SimTime)> {
        while let Some(t) = self.shuffled.pop_front() {
            if let Some(entry) = self.remove(Ticket(t)) {
                return Some(entry);
            }
        }
        while let Some(place) = self.places.pop_front() {
            self.first += 1;
            if place.is_some() {
                return place;
            }
        }
        None
    }

    fn shuffle(&mut self, rng: &mut Rng) {
        let waiting = self.places.iter().enumerate().filter(|(_, p)| p.is_some());
        let mut tickets: Vec<u64> = waiting.map(|(i, _)| self.first + i as u64).collect();
        tickets.shuffle(rng);
        self.shuffled.extend(tickets);
    }
}

/// The line in random order: a slab, and every key in it densely.
struct Bag<P> {
    waiting: Slab<Waiting<P>>,
    members: Vec<Key>,
}

/// One waiting person, with when they joined and their place in `members`.
struct Waiting<P> {
    person: P,
    joined: SimTime,
    index: usize,
}

impl<P> Bag<P> {
    fn push(&mut self, (person, joined): (P, SimTime)) -> Ticket {
        let key = self.waiting.insert(Waiting { person, joined, index: self.members.len() });
        self.members.push(key);
        Ticket(key.to_bits())
    }

    fn remove(&mut self, Ticket(bits): Ticket) -> Option<(P, SimTime)> {
        let w = self.waiting.remove(Key::from_bits(bits))?;
        self.members.swap_remove(w.index);
        if let Some(&moved) = self.members.get(w.index) {
            if let Some(m) = self.waiting.get_mut(moved) {
                m.index = w.index;
            }
        }
        Some((w.person, w.joined))
    }

    fn pop(&mut self, rng: &mut Rng) -> Option<(P, SimTime)> {
        if self.members.is_empty() {
            return None;
        }
        let key = self.members[rng.random_range(0..self.members.len())];
        self.remove(Ticket(key.to_bits()))
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
        let keys: Vec<Ticket> = (0..5u64).map(|i| line.push(i, SimTime(i))).collect();
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
        let keys: Vec<Ticket> = (0..1000u64).map(|i| line.push(i, SimTime(i))).collect();
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
