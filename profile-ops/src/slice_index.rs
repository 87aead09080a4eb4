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

/// An entry: where its key lies in the arena, 32 bits of the key's hash and the value;
/// 16 bytes, so that more of the table stays in cache (lookups are cache misses first).
#[derive(Clone, Copy)]
struct Slot {
    hash: u32,
    start: u32,
    len: u32,
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

    /// The value of `key`, or `insert()`'s value stored under a copy of `key` (not stored
    /// once the arena holds 4 Gi values).
    #[inline]
    pub fn get_or_insert_with(&mut self, key: &[T], insert: impl FnOnce() -> u32) -> u32 {
        let hash = self.hasher.hash_one(key) as u32;
        let arena = &self.arena;
        let entry = self.table.entry(
            spread(hash),
            |s| s.hash == hash && &arena[s.start as usize..(s.start + s.len) as usize] == key,
            |s| spread(s.hash),
        );
        match entry {
            Entry::Occupied(o) => o.get().value,
            Entry::Vacant(v) => {
                let value = insert();
                // Offsets are 32-bit, like the profile's own columns: past 4 Gi values a
                // key is no longer indexed, and equal keys then get values of their own.
                let start = u32::try_from(self.arena.len()).ok();
                let len = u32::try_from(key.len()).ok();
                if let (Some(start), Some(len)) = (start, len)
                    && start.checked_add(len).is_some()
                {
                    self.arena.extend_from_slice(key);
                    v.insert(Slot {
                        hash,
                        start,
                        len,
                        value,
                    });
                }
                value
            }
        }
    }
}

/// The table's 64-bit hash from the stored 32 bits: hashbrown takes the bucket from the
/// low bits and its tag from the top ones, so both halves carry the hash.
#[inline]
fn spread(h: u32) -> u64 {
    u64::from(h) << 32 | u64::from(h)
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
