//! A slab of slots with generation-checked keys: O(1) insert and removal,
//! memory proportional to the items held at the busiest moment, and keys
//! that go stale (instead of dangling) once their item has left.
//!
//! Used for the people in a waiting room in random order (a patience
//! deadline may fire after they were admitted) and for the sessions in the
//! backend (an outage fails them all at once, and their session-end events
//! go stale).

use crate::engine::OutOfMemory;

/// Names one item; stale once that item is removed.
///
/// One word (the generation in the high 32 bits, the slot in the low), not
/// two u32 fields: `insert` returned the two fields written to memory one
/// at a time and read back as one word, which stalled the processor's store
/// forwarding (a third of `start_session` on an M/M/100 run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    bits: u64,
}

impl Key {
    #[inline]
    fn new(slot: u32, generation: u32) -> Key {
        Key { bits: u64::from(generation) << 32 | u64::from(slot) }
    }

    #[inline]
    fn slot(self) -> u32 {
        self.bits as u32
    }

    #[inline]
    fn generation(self) -> u32 {
        (self.bits >> 32) as u32
    }

    /// The key as one number (to travel in an event beside other kinds).
    pub fn to_bits(self) -> u64 {
        self.bits
    }

    pub fn from_bits(bits: u64) -> Key {
        Key { bits }
    }
}

struct Slot<T> {
    generation: u32,
    item: Option<T>,
}

pub struct Slab<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    len: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { slots: Vec::new(), free: Vec::new(), len: 0 }
    }
}

impl<T> Slab<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Store `item`; an error (and nothing stored) if the slab could not grow.
    #[inline]
    pub fn insert(&mut self, item: T) -> Result<Key, OutOfMemory> {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                if self.slots.len() == self.slots.capacity() {
                    self.grow()?;
                }
                self.slots.push(Slot { generation: 0, item: None });
                (self.slots.len() - 1) as u32
            }
        };
        let s = &mut self.slots[slot as usize];
        s.item = Some(item);
        self.len += 1;
        Ok(Key::new(slot, s.generation))
    }

    /// Double the slots, and the free list with them (so that `remove`
    /// never has to grow it), fallibly.
    #[cold]
    fn grow(&mut self) -> Result<(), OutOfMemory> {
        let more = self.slots.len().max(16);
        let total = self.slots.len() + more;
        let bytes = total * (std::mem::size_of::<Slot<T>>() + std::mem::size_of::<u32>());
        let len = self.len;
        let failed = |_| OutOfMemory::new("items", len, bytes);
        self.slots.try_reserve(more).map_err(failed)?;
        self.free.try_reserve(total.saturating_sub(self.free.len())).map_err(failed)
    }

    /// Bytes per item at most: a slot and its place in the free list,
    /// twice (the slab doubles when full).
    pub const fn bytes_per_item() -> usize {
        2 * (std::mem::size_of::<Slot<T>>() + std::mem::size_of::<u32>())
    }

    /// The item, if `key` is still current.
    pub fn get(&self, key: Key) -> Option<&T> {
        let s = self.slots.get(key.slot() as usize)?;
        if s.generation == key.generation() {
            s.item.as_ref()
        } else {
            None
        }
    }

    /// The item, if `key` is still current.
    pub fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        let s = self.slots.get_mut(key.slot() as usize)?;
        if s.generation == key.generation() {
            s.item.as_mut()
        } else {
            None
        }
    }

    /// Take the item out; `None` if `key` is stale.
    #[inline]
    pub fn remove(&mut self, key: Key) -> Option<T> {
        let s = self.slots.get_mut(key.slot() as usize)?;
        if s.generation != key.generation() {
            return None;
        }
        let item = s.item.take()?;
        s.generation = s.generation.wrapping_add(1);
        self.free.push(key.slot());
        self.len -= 1;
        Some(item)
    }

    /// Remove every item, in slot order (deterministic).
    pub fn drain(&mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len);
        for (i, s) in self.slots.iter_mut().enumerate() {
            if let Some(item) = s.item.take() {
                s.generation = s.generation.wrapping_add(1);
                self.free.push(i as u32);
                out.push(item);
            }
        }
        self.len = 0;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_go_stale_when_their_item_leaves() {
        let mut slab = Slab::default();
        let a = slab.insert("a").unwrap();
        let b = slab.insert("b").unwrap();
        assert_eq!(slab.remove(a), Some("a"));
        assert_eq!(slab.remove(a), None);
        let c = slab.insert("c").unwrap(); // reuses a's slot
        assert_eq!(slab.get_mut(a), None);
        assert_eq!(slab.get_mut(c), Some(&mut "c"));
        assert_eq!(slab.get_mut(a), None);
        assert_eq!(slab.drain(), vec!["c", "b"], "slot order: c took a's slot");
        assert_eq!(slab.len(), 0);
        assert_eq!(slab.get_mut(b), None);
        assert_eq!(Key::from_bits(c.to_bits()), c);
    }
}
