//! The waiting room's line: first in, first out, with removal from the
//! middle (a person whose patience runs out) in O(1).
//!
//! Removal is lazy: the person's slot is freed and its generation bumped;
//! the stale ticket left in the FIFO is skipped when it reaches the front.
//! A slab of slots keeps memory proportional to the people waiting.

use crate::engine::SimTime;
use std::collections::VecDeque;

/// Names one person's place in the line; stale once they leave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    slot: u32,
    generation: u32,
}

struct Slot<P> {
    generation: u32,
    /// The person and when they joined; `None` while the slot is free.
    entry: Option<(P, SimTime)>,
}

pub struct Line<P> {
    order: VecDeque<Ticket>,
    slots: Vec<Slot<P>>,
    free: Vec<u32>,
    len: u64,
}

impl<P> Default for Line<P> {
    fn default() -> Self {
        Line {
            order: VecDeque::new(),
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }
}

impl<P> Line<P> {
    /// People waiting (stale tickets not counted).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Join the back of the line at `now`.
    pub fn push(&mut self, person: P, now: SimTime) -> Ticket {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    entry: None,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let s = &mut self.slots[slot as usize];
        s.entry = Some((person, now));
        let ticket = Ticket {
            slot,
            generation: s.generation,
        };
        self.order.push_back(ticket);
        self.len += 1;
        ticket
    }

    /// Leave the line from wherever one stands; `None` if already gone.
    pub fn remove(&mut self, ticket: Ticket) -> Option<P> {
        let s = self.slots.get_mut(ticket.slot as usize)?;
        if s.generation != ticket.generation {
            return None;
        }
        self.release(ticket.slot).map(|(p, _)| p)
    }

    /// Take the person at the front, with the time they joined.
    pub fn pop(&mut self) -> Option<(P, SimTime)> {
        while let Some(t) = self.order.pop_front() {
            if self.slots[t.slot as usize].generation == t.generation {
                return self.release(t.slot);
            }
        }
        None
    }

    fn release(&mut self, slot: u32) -> Option<(P, SimTime)> {
        let s = &mut self.slots[slot as usize];
        let entry = s.entry.take()?;
        s.generation = s.generation.wrapping_add(1);
        self.free.push(slot);
        self.len -= 1;
        Some(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_in_first_out_with_removals() {
        let mut line = Line::default();
        let tickets: Vec<Ticket> = (0..5).map(|i| line.push(i, SimTime(i))).collect();
        assert_eq!(line.remove(tickets[1]), Some(1));
        assert_eq!(line.remove(tickets[1]), None, "a ticket works once");
        assert_eq!(line.len(), 4);
        assert_eq!(line.pop(), Some((0, SimTime(0))));
        assert_eq!(line.pop(), Some((2, SimTime(2))));
        // A reused slot must not revive the stale ticket of its old owner.
        let t5 = line.push(5, SimTime(5));
        assert_eq!(line.remove(tickets[1]), None);
        assert_eq!(line.remove(tickets[0]), None);
        assert_eq!(line.pop(), Some((3, SimTime(3))));
        assert_eq!(line.pop(), Some((4, SimTime(4))));
        assert_eq!(line.remove(t5), Some(5));
        assert_eq!(line.pop(), None);
        assert_eq!(line.len(), 0);
    }
}
