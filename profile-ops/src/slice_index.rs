//! [`SliceIndex`]: a map from slices of ids to `u32`, its keys kept back to back in one
//! arena.
//!
//! Merging looks up one key per sample and per location (a stack of location indexes, a
//! location's address and lines). As `HashMap<Box<[T]>, u32>` that is one allocation per
//! distinct key and a rehash of every key when the table grows; here a key is copied into
//! the arena once and its hash is stored beside it.

use std::hash::{BuildHasher, Hash};

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

/// An entry: where its key lies in the arena, the key's hash and the value.
#[derive(Clone, Copy)]
struct Slot {
    hash: u64,
    start: usize,
    len: usize,
    value: u32,
}

/// Slices of `T` to `u32` values.
pub(crate) struct SliceIndex<T> {
    arena: Vec<T>,
    table: HashTable<Slot>,
    /// Seeded per table, so that no input can be made to collide on purpose.
    hasher: RandomState,
}

impl<T: Copy + Eq + Hash> SliceIndex<T> {
    /// A table with room for `keys` keys of `elements` values in all.
    pub fn with_capacity(keys: usize, elements: usize) -> Self {
        SliceIndex {
            arena: Vec::with_capacity(elements),
            table: HashTable::with_capacity(keys),
            hasher: RandomState::default(),
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// The value of `key`, or `insert()`'s value stored under a copy of `key`.
    #[inline]
    pub fn get_or_insert_with(&mut self, key: &[T], insert: impl FnOnce() -> u32) -> u32 {
        let hash = self.hasher.hash_one(key);
        let arena = &self.arena;
        let entry = self.table.entry(
            hash,
            |s| s.hash == hash && &arena[s.start..s.start + s.len] == key,
            |s| s.hash,
        );
        match entry {
            Entry::Occupied(o) => o.get().value,
            Entry::Vacant(v) => {
                let value = insert();
                let start = self.arena.len();
                self.arena.extend_from_slice(key);
                v.insert(Slot {
                    hash,
                    start,
                    len: key.len(),
                    value,
                });
                value
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_slices_share_a_value() {
        let mut t = SliceIndex::<u32>::with_capacity(0, 0);
        let mut next = 0;
        let mut add = |t: &mut SliceIndex<u32>, k: &[u32]| {
            t.get_or_insert_with(k, || {
                next += 1;
                next
            })
        };
        assert_eq!(add(&mut t, &[1, 2, 3]), 1);
        assert_eq!(add(&mut t, &[1, 2]), 2);
        assert_eq!(add(&mut t, &[]), 3);
        assert_eq!(add(&mut t, &[1, 2, 3]), 1);
        assert_eq!(add(&mut t, &[]), 3);
        // Growing past the initial capacity keeps every key.
        for i in 0..1000u32 {
            add(&mut t, &[i, i]);
        }
        assert_eq!(add(&mut t, &[1, 2]), 2);
        assert_eq!(add(&mut t, &[999, 999]), 1003);
        assert_eq!(t.len(), 1003);
    }
}
