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
use crate::engine::{OutOfMemory, Rng, SimTime};
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

impl<P: Copy> Line<P> {
    pub fn new(order: Order) -> Self {
        let order = match order {
            Order::Random => Ordering::Random(Bag { waiting: Slab::default(), members: Vec::new() }),
            Order::Fifo | Order::PrequeueShuffle => Ordering::InOrder(Ring::new()),
        };
        Line { order, len: 0 }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    /// Join the back of the line at `now`; an error (and nobody joined) if
    /// the line could not grow.
    pub fn push(&mut self, person: P, now: SimTime) -> Result<Ticket, OutOfMemory> {
        let ticket = match &mut self.order {
            Ordering::InOrder(r) => r.push(person, now),
            Ordering::Random(b) => b.push((person, now)),
        }?;
        self.len += 1;
        Ok(ticket)
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

    /// Take out everyone for whom `gone` holds (the people a sell-out
    /// leaves unserved), in line order (slab order in random order).
    pub fn remove_where(&mut self, gone: impl Fn(P) -> bool) -> Vec<P> {
        let out = match &mut self.order {
            Ordering::InOrder(r) => r.remove_where(gone),
            Ordering::Random(b) => b.remove_where(gone),
        };
        self.len -= out.len() as u64;
        out
    }

    /// Bytes the line holds at most per person waiting, at the peak: in
    /// order, a ring place four times over (the ring grows only when more
    /// than half its places are live, by doubling); in random order, a slab
    /// slot and a key in `members`, each twice over (doubling).
    pub fn bytes_per_person(order: Order) -> usize {
        match order {
            Order::Fifo | Order::PrequeueShuffle => 4 * std::mem::size_of::<Place<P>>(),
            Order::Random => Slab::<Waiting<P>>::bytes_per_item() + 2 * std::mem::size_of::<Key>(),
        }
    }

    /// Shuffle everyone waiting now (the pre-queue at opening); people who
    /// join later queue behind them in arrival order.
    pub fn shuffle(&mut self, rng: &mut Rng) {
        if let Ordering::InOrder(r) = &mut self.order {
            r.shuffle(rng);
        }
    }
}

/// The line in order: a ring of places in ticket order, each holding its
/// ticket; a place is marked `GONE` once its person has left or been
/// admitted, and the front skips such places.
///
/// Memory follows the people waiting, not the span of tickets from the
/// front to the back: when the ring is full and at least half of its places
/// are gone, it is compacted (in order) instead of grown. People who leave
/// and rejoin while the front person waits (a high connection-loss hazard
/// with retries) would otherwise grow it by a place per rejoin, without
/// bound. So the ring holds at most twice the people waiting (when it
/// grows, more than half its places are live) and its capacity at most
/// four times the most that ever waited at once (or `MIN_PLACES`).
///
/// A ticket is found without a search while the ring has not been
/// compacted since it was issued: it is at index `ticket - offset`. Older
/// tickets, kept in order through a compaction, are found by binary search.
/// A ticket before the front is stale without looking at memory.
struct Ring<P> {
    /// The ticket of the front place (the next to issue when empty): every
    /// ticket before it is stale.
    first: u64,
    /// Tickets from `dense_from` on sit at index `ticket - offset`.
    dense_from: u64,
    offset: u64,
    /// The next ticket to issue.
    next: u64,
    places: VecDeque<Place<P>>,
    /// Tickets to serve before the ring, in this order (a shuffled pre-queue).
    shuffled: VecDeque<u64>,
}

/// One place in line: 28 bytes for the model's 12-byte person (packed to
/// 4-byte alignment: aligned to 8, it would take 32).
#[repr(C, packed(4))]
struct Place<P> {
    /// The place's ticket, with `GONE` set once it is empty.
    ticket: u64,
    joined: SimTime,
    person: P,
}

/// The bit of `Place::ticket` that marks an empty place (tickets never
/// reach it: one a microsecond for 290,000 years).
const GONE: u64 = 1 << 63;
/// The ring's first capacity, in places.
const MIN_PLACES: usize = 64;
/// A ring no larger than this many places keeps its room.
const SHRINK_FROM: usize = 1 << 16;

impl<P: Copy> Ring<P> {
    fn new() -> Self {
        Ring { first: 0, dense_from: 0, offset: 0, next: 0, places: VecDeque::new(), shuffled: VecDeque::new() }
    }

    fn push(&mut self, person: P, joined: SimTime) -> Result<Ticket, OutOfMemory> {
        if self.places.len() == self.places.capacity() {
            self.make_room()?;
        }
        let ticket = self.next;
        self.next += 1;
        self.places.push_back(Place { ticket, joined, person });
        Ok(Ticket(ticket))
    }

    /// The ring is full: compact it if at least half its places are gone,
    /// else double it (fallibly: the ring is the structure that grows with
    /// a long line).
    #[cold]
    fn make_room(&mut self) -> Result<(), OutOfMemory> {
        let live = self.places.iter().filter(|p| p.ticket & GONE == 0).count();
        if self.places.len() >= MIN_PLACES && 2 * live <= self.places.len() {
            self.places.retain(|p| p.ticket & GONE == 0);
            self.dense_from = self.next;
            self.offset = self.next - self.places.len() as u64;
            self.first = self.places.front().map_or(self.next, |p| p.ticket);
            return Ok(());
        }
        let more = self.places.len().max(MIN_PLACES);
        let (items, bytes) = (live, self.bytes(more));
        self.places.try_reserve(more).map_err(|_| OutOfMemory::new("queued people", items, bytes))
    }

    /// The line is a quarter of its ring: give half the ring back. After a
    /// night's rush the ring kept room for its longest line (2 M places,
    /// 58 MB on 19 July) while the statistics' per-person lists grew to the
    /// night's end: the two together were the run's peak.
    #[cold]
    fn shrink(&mut self) {
        self.places.shrink_to(self.places.capacity() / 2);
    }

    /// Bytes of the ring with `more` places added.
    fn bytes(&self, more: usize) -> usize {
        (self.places.capacity() + more) * std::mem::size_of::<Place<P>>()
    }

    fn remove(&mut self, Ticket(t): Ticket) -> Option<(P, SimTime)> {
        if t < self.first {
            return None;
        }
        let i = if t >= self.dense_from { (t - self.offset) as usize } else { self.search(t)? };
        let place = self.places.get_mut(i)?;
        if place.ticket != t {
            return None;
        }
        place.ticket |= GONE;
        Some((place.person, place.joined))
    }

    /// The index of ticket `t` issued before the last compaction, if its
    /// place is still in the ring.
    #[cold]
    fn search(&self, t: u64) -> Option<usize> {
        let i = self.places.partition_point(|p| p.ticket & !GONE < t);
        self.places.get(i).is_some_and(|p| p.ticket & !GONE == t).then_some(i)
    }

    fn pop(&mut self) -> Option<(P, SimTime)> {
        while let Some(t) = self.shuffled.pop_front() {
            if let Some(entry) = self.remove(Ticket(t)) {
                return Some(entry);
            }
        }
        if 4 * self.places.len() < self.places.capacity() && self.places.capacity() > SHRINK_FROM {
            self.shrink();
        }
        while let Some(place) = self.places.pop_front() {
            self.offset += 1;
            // Tickets up to this one are spent (a later place may have a
            // later ticket still, after a compaction: `search` says so).
            self.first = (place.ticket & !GONE) + 1;
            if place.ticket & GONE == 0 {
                return Some((place.person, place.joined));
            }
        }
        None
    }

    /// Empty the places of the people `gone` picks (their tickets go
    /// stale, as after `remove`).
    fn remove_where(&mut self, gone: impl Fn(P) -> bool) -> Vec<P> {
        let mut out = Vec::new();
        for place in self.places.iter_mut() {
            if place.ticket & GONE == 0 && gone(place.person) {
                place.ticket |= GONE;
                out.push(place.person);
            }
        }
        out
    }

    fn shuffle(&mut self, rng: &mut Rng) {
        let waiting = self.places.iter().filter(|p| p.ticket & GONE == 0);
        let mut tickets: Vec<u64> = waiting.map(|p| p.ticket).collect();
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
    fn push(&mut self, (person, joined): (P, SimTime)) -> Result<Ticket, OutOfMemory> {
        let full = |e: OutOfMemory| OutOfMemory { what: "queued people", ..e };
        if self.members.len() == self.members.capacity() {
            let more = self.members.len().max(64);
            let bytes = (self.members.len() + more) * std::mem::size_of::<Key>();
            self.members.try_reserve(more).map_err(|_| full(OutOfMemory::new("", self.members.len(), bytes)))?;
        }
        let key = self.waiting.insert(Waiting { person, joined, index: self.members.len() }).map_err(full)?;
        self.members.push(key);
        Ok(Ticket(key.to_bits()))
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

    fn remove_where(&mut self, gone: impl Fn(P) -> bool) -> Vec<P>
    where
        P: Copy,
    {
        let picked: Vec<Key> =
            self.members.iter().copied().filter(|&k| self.waiting.get(k).is_some_and(|w| gone(w.person))).collect();
        picked.into_iter().filter_map(|k| self.remove(Ticket(k.to_bits()))).map(|(p, _)| p).collect()
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
        let keys: Vec<Ticket> = (0..5u64).map(|i| line.push(i, SimTime(i)).unwrap()).collect();
        assert_eq!(line.remove(keys[1]), Some((1, SimTime(1))));
        assert_eq!(line.remove(keys[1]), None, "a key works once");
        assert_eq!(line.len(), 4);
        assert_eq!(line.pop(&mut rng), Some((0, SimTime(0))));
        assert_eq!(line.pop(&mut rng), Some((2, SimTime(2))));
        let k5 = line.push(5, SimTime(5)).unwrap(); // may reuse a freed slot
        assert_eq!(line.remove(keys[0]), None);
        assert_eq!(line.pop(&mut rng), Some((3, SimTime(3))));
        assert_eq!(line.pop(&mut rng), Some((4, SimTime(4))));
        assert_eq!(line.remove(k5), Some((5, SimTime(5))));
        assert_eq!(line.pop(&mut rng), None);
    }

    /// The places the ring holds now (capacity).
    fn ring_capacity<P>(line: &Line<P>) -> usize {
        match &line.order {
            Ordering::InOrder(r) => r.places.capacity(),
            Ordering::Random(_) => 0,
        }
    }

    /// Issue 12: with a high connection-loss hazard and retries, people
    /// leave and rejoin while the front person waits. The ring kept every
    /// place from the front to the back (1.5 MB per person); it must hold
    /// only about the people waiting.
    #[test]
    fn the_ring_follows_the_people_waiting_not_the_tickets_issued() {
        let mut rng = rng_for(4, 0);
        let mut line = Line::new(Order::Fifo);
        let front = line.push(0u64, SimTime(0)).unwrap();
        let mut waiting: Vec<Ticket> = (1..100u64).map(|i| line.push(i, SimTime(i)).unwrap()).collect();
        for i in 100..1_000_000u64 {
            // Someone leaves and someone (re)joins at the back.
            let k = rng.random_range(0..waiting.len());
            assert!(line.remove(waiting.swap_remove(k)).is_some());
            waiting.push(line.push(i, SimTime(i)).unwrap());
        }
        assert_eq!(line.len(), 100);
        let places = ring_capacity(&line);
        assert!(places <= 4 * 100 + MIN_PLACES, "{places} places for 100 people waiting");
        assert_eq!(line.pop(&mut rng), Some((0, SimTime(0))), "the front person is still first");
        assert_eq!(line.remove(front), None);
    }

    /// Against a plain ordered map: pushes, removals by fresh and stale
    /// tickets, pops and a shuffle, across many compactions; the same
    /// people come out in the same order.
    #[test]
    fn compaction_keeps_the_order_and_the_tickets() {
        use std::collections::BTreeMap;
        let mut rng = rng_for(5, 0);
        for order in [Order::Fifo, Order::PrequeueShuffle] {
            let mut line = Line::new(order);
            let mut model: BTreeMap<u64, u64> = BTreeMap::new();
            let mut issued: Vec<(Ticket, u64)> = Vec::new();
            let mut shuffled = false;
            for i in 0..200_000u64 {
                match rng.random_range(0..10) {
                    0..=4 => {
                        let t = line.push(i, SimTime(i)).unwrap();
                        model.insert(i, i);
                        issued.push((t, i));
                    }
                    5..=7 if !issued.is_empty() => {
                        // Any ticket ever issued, often stale by now.
                        let (t, who) = issued[rng.random_range(0..issued.len())];
                        let want = model.remove(&who).map(|p| (p, SimTime(p)));
                        assert_eq!(line.remove(t), want, "ticket of {who}");
                    }
                    8 if !shuffled && i > 100_000 && order == Order::PrequeueShuffle => {
                        // Checked below only for membership: the order is random.
                        line.shuffle(&mut rng);
                        shuffled = true;
                    }
                    _ if !shuffled => {
                        let want = model.pop_first().map(|(_, p)| (p, SimTime(p)));
                        assert_eq!(line.pop(&mut rng), want);
                    }
                    _ => {
                        let (p, joined) = line.pop(&mut rng).expect("someone is waiting");
                        assert_eq!(model.remove(&p), Some(p));
                        assert_eq!(joined, SimTime(p));
                    }
                }
                assert_eq!(line.len(), model.len() as u64);
            }
        }
    }

    #[test]
    fn remove_where_takes_out_the_picked_people_in_every_order() {
        let mut rng = rng_for(6, 0);
        for order in [Order::Fifo, Order::Random, Order::PrequeueShuffle] {
            let mut line = Line::new(order);
            let tickets: Vec<Ticket> = (0..20u64).map(|i| line.push(i, SimTime(i)).unwrap()).collect();
            line.shuffle(&mut rng);
            let mut gone = line.remove_where(|p| p % 2 == 1);
            gone.sort();
            assert_eq!(gone, (0..20).filter(|p| p % 2 == 1).collect::<Vec<_>>());
            assert_eq!(line.len(), 10);
            assert_eq!(line.remove(tickets[3]), None, "their tickets are stale");
            let mut rest: Vec<u64> = std::iter::from_fn(|| line.pop(&mut rng)).map(|(p, _)| p).collect();
            rest.sort();
            assert_eq!(rest, (0..20).filter(|p| p % 2 == 0).collect::<Vec<_>>());
        }
    }

    #[test]
    fn random_order_admits_everyone_once_and_not_in_order() {
        let mut rng = rng_for(2, 0);
        let mut line = Line::new(Order::Random);
        let keys: Vec<Ticket> = (0..1000u64).map(|i| line.push(i, SimTime(i)).unwrap()).collect();
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
            line.push(i, SimTime(i)).unwrap();
        }
        line.shuffle(&mut rng);
        for i in 100..110u64 {
            line.push(i, SimTime(i)).unwrap();
        }
        let out: Vec<u64> = std::iter::from_fn(|| line.pop(&mut rng)).map(|(p, _)| p).collect();
        assert_ne!(&out[..100], &(0..100).collect::<Vec<_>>()[..]);
        assert_eq!(&out[100..], &(100..110).collect::<Vec<_>>()[..]);
    }
}
