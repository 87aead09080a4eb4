//! [`Column`]: the storage of the big sample columns (location indexes, values, offsets).
//!
//! A column is a `Vec<T>` or, when decoding a large profile, an anonymous memory mapping
//! reserved for an upper bound of its size. Decoding writes tens of megabytes of fresh
//! memory, and faulting it in page by page costs more than the decoding itself (on the
//! virtual machines profiles are usually analysed on, a 4 KiB fault costs about two
//! microseconds: `benches`' `page-cost` gives 0.56–0.65 ms per MB faulted in, 0.36–0.40
//! populated in bulk, 0.19 on huge pages on a 2-core VM). So a mapped column's pages are populated
//! ahead of the writes (an eighth of the written size, at most a megabyte), and past 8 MiB it takes transparent huge pages: those
//! round a column up to 2 MiB, which is at most a quarter of a column that large, where
//! huge pages for every column would add up to 2 MiB to each (half again the memory of a
//! 20 MB profile). Either way a column reads as a `&[T]`.
//!
//! The mappings of dropped columns are kept, up to [`CACHE_BYTES`] of their pages, for the
//! columns of the next decode, as a garbage-collected heap keeps its pages: a program that
//! decodes profile after profile (a merge, a notebook, a service) then writes memory that
//! is already in place instead of faulting the same amount in again and giving it back.
//! Pages a previous column wrote are zeroed as they are reached, so a column reads as if
//! it were fresh. [`release_column_cache`] unmaps what is kept.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, PoisonError};

use bytemuck::Pod;

use crate::error::Result;

/// Columns at least this large (in bytes) are mapped when decoding.
const MAP_THRESHOLD: usize = 4 << 20;

/// Most bytes of a mapped column's pages populated at a time, ahead of the writes.
const POPULATE_CHUNK: usize = 1 << 20;

/// A mapped column this large (in bytes) takes transparent huge pages for the rest.
const HUGE_PAGES_AFTER: usize = 8 << 20;

const HUGE_PAGE: usize = 2 << 20;

/// Columns expected to hold mostly zeros are mapped from this size (in bytes) on.
const ZERO_MAP_THRESHOLD: usize = 64 << 10;

/// Most bytes of pages the mappings of dropped columns may hold while they wait to be
/// reused (the columns of a 40 MB profile).
pub const CACHE_BYTES: usize = 64 << 20;

/// A dropped column's mapping, waiting for a column of about its size.
struct Kept {
    map: memmap2::MmapMut,
    /// Bytes at the start of the mapping that may be nonzero: what its columns wrote, and
    /// so what it holds in memory (give or take the couple of megabytes populated past the
    /// last value; a mostly-zero column has none), which the cache's bound counts.
    stale: usize,
}

/// Most mappings kept.
const CACHE_MAPS: usize = 32;

/// The mappings of dropped columns, oldest first.
static CACHE: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

fn cache() -> std::sync::MutexGuard<'static, Vec<Kept>> {
    // The cache holds no invariant a panic elsewhere could break.
    CACHE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Unmaps the memory that dropped columns left for the next decode (see [`CACHE_BYTES`]),
/// returning it to the system; for a long-running program that is done decoding.
///
/// ```
/// let p = pprof_format::Profile::decode(&std::fs::read("../examples/data/cpu.pb.gz")
///     .or_else(|_| std::fs::read("examples/data/cpu.pb.gz")).unwrap()).unwrap();
/// drop(p);
/// pprof_format::release_column_cache();
/// ```
pub fn release_column_cache() {
    let kept = std::mem::take(&mut *cache());
    drop(kept);
}

/// A kept mapping of at least `bytes` bytes, split into values of `size` bytes, and not
/// more than twice as large (the rest of its pages would sit unused in memory).
fn take_kept(bytes: usize, size: usize) -> Option<Kept> {
    let mut kept = cache();
    let i = kept
        .iter()
        .enumerate()
        .filter(|(_, k)| {
            let len = k.map.len();
            len >= bytes && len / 2 <= bytes && len % size == 0
        })
        .min_by_key(|(_, k)| k.map.len())
        .map(|(i, _)| i)?;
    Some(kept.remove(i))
}

/// Keeps a dropped column's mapping for reuse, dropping the oldest ones past
/// [`CACHE_BYTES`].
fn keep(k: Kept) {
    if k.stale > CACHE_BYTES {
        return;
    }
    let mut kept = cache();
    kept.push(k);
    let mut total: usize = kept.iter().map(|k| k.stale).sum();
    let mut evicted = Vec::new();
    while total > CACHE_BYTES || kept.len() > CACHE_MAPS {
        let old = kept.remove(0);
        total -= old.stale;
        evicted.push(old);
    }
    drop(kept);
    // Unmapped after the lock is released.
    drop(evicted);
}

/// A growable column of plain values that reads as a slice.
///
/// ```
/// use pprof_format::Column;
/// let mut c: Column<u32> = Column::new();
/// c.push(7);
/// c.extend_from_slice(&[8, 9]);
/// assert_eq!(&c[..], &[7, 8, 9]);
/// ```
pub struct Column<T: Pod> {
    repr: Repr<T>,
}

enum Repr<T> {
    Vec(Vec<T>),
    /// `len` values at the start of a mapping of (at least) `cap` values, the pages of
    /// the first `ready` of which are in memory; the values after `len` are zero up to
    /// `ready` and, past the first `stale` bytes, everywhere (a reused mapping has bytes
    /// of its last column up to `stale`, zeroed as `ready` reaches them).
    Map {
        map: memmap2::MmapMut,
        len: usize,
        cap: usize,
        ready: usize,
        stale: usize,
    },
}

impl<T: Pod> Column<T> {
    /// An empty column.
    pub fn new() -> Self {
        Column {
            repr: Repr::Vec(Vec::new()),
        }
    }

    /// An empty column with room for `cap` values, memory-mapped with huge pages when it
    /// is large (falling back to a `Vec` if the mapping fails). Capacity that is never
    /// written costs address space only.
    pub(crate) fn with_capacity_mapped(cap: usize) -> Self {
        Self::mapped_from(cap, MAP_THRESHOLD)
    }

    /// Like [`Column::with_capacity_mapped`], for a column that is likely to hold mostly
    /// zeros (the label offsets of a profile with few or no labels): it is mapped from
    /// [`ZERO_MAP_THRESHOLD`] bytes on, and zeros appended with [`Column::push_sparse`]
    /// are not written, so pages that only ever hold zeros are never faulted in and cost
    /// no memory (reading them maps the kernel's shared zero page).
    pub(crate) fn with_capacity_mostly_zero(cap: usize) -> Self {
        Self::mapped_from(cap, ZERO_MAP_THRESHOLD)
    }

    fn mapped_from(cap: usize, threshold: usize) -> Self {
        let size = size_of::<T>();
        let bytes = cap.saturating_mul(size);
        if bytes >= threshold {
            // A mostly-zero column relies on pages it never writes reading as zeros, so it
            // takes a fresh mapping.
            let reused = (threshold != ZERO_MAP_THRESHOLD)
                .then(|| take_kept(bytes, size))
                .flatten();
            let fresh = || {
                memmap2::MmapMut::map_anon(bytes)
                    .ok()
                    .map(|map| Kept { map, stale: 0 })
            };
            if let Some(Kept { map, stale, .. }) = reused.or_else(fresh) {
                // Pages of a mostly-zero column fault in when first written; the others
                // are populated ahead of the writes (see `make_room`).
                let ready = if threshold == ZERO_MAP_THRESHOLD {
                    cap
                } else {
                    0
                };
                return Column {
                    repr: Repr::Map {
                        map,
                        len: 0,
                        cap,
                        ready,
                        stale,
                    },
                };
            }
        }
        // Best effort: a capacity that cannot be had (an upper bound on a huge input)
        // leaves the column to grow as values arrive rather than aborting.
        let mut v = Vec::new();
        let _ = v.try_reserve_exact(cap);
        Column { repr: Repr::Vec(v) }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Vec(v) => v.len(),
            Repr::Map { len, .. } => *len,
        }
    }

    /// True when the column holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one value.
    #[inline]
    pub fn push(&mut self, x: T) {
        match &mut self.repr {
            Repr::Vec(v) => v.push(x),
            Repr::Map {
                map, len, ready, ..
            } => {
                if *len == *ready {
                    self.make_room(1);
                    return self.push(x);
                }
                // A byte copy: no alignment check per value, one bounds check.
                let at = *len * size_of::<T>();
                map[at..at + size_of::<T>()].copy_from_slice(bytemuck::bytes_of(&x));
                *len += 1;
            }
        }
    }

    /// Appends one value that is often zero: a mapped column's spare capacity is
    /// zeroed, so a zero is not written and a page that only ever holds zeros is never
    /// faulted in (see [`Column::with_capacity_mostly_zero`]).
    #[inline]
    pub(crate) fn push_sparse(&mut self, x: T) {
        if let Repr::Map { len, ready, .. } = &mut self.repr
            && *len < *ready
            && bytemuck::bytes_of(&x) == bytemuck::bytes_of(&T::zeroed())
        {
            *len += 1;
            return;
        }
        self.push(x);
    }

    /// Appends a slice of values.
    pub fn extend_from_slice(&mut self, xs: &[T]) {
        if let Repr::Map { len, ready, .. } = &self.repr
            && *len + xs.len() > *ready
        {
            self.make_room(xs.len());
        }
        match &mut self.repr {
            Repr::Vec(v) => v.extend_from_slice(xs),
            Repr::Map { map, len, .. } => {
                bytemuck::cast_slice_mut::<u8, T>(&mut map[..])[*len..*len + xs.len()]
                    .copy_from_slice(xs);
                *len += xs.len();
            }
        }
    }

    /// Lets `fill` write up to `max` values after the current end and keeps the first
    /// `n` of them, `n` being what `fill` returns (clamped to `max`). The window starts
    /// zeroed; `fill` must not write past the `n` it returns. The room for `max` values
    /// is made fallibly ([`Error::OutOfMemory`]): `max` comes from the input.
    #[inline]
    pub(crate) fn append_with(
        &mut self,
        max: usize,
        fill: impl FnOnce(&mut [T]) -> Result<usize>,
    ) -> Result<()> {
        if let Repr::Map { len, ready, .. } = &self.repr
            && *len + max > *ready
        {
            // Past the mapping's capacity the column moves into a `Vec` here.
            self.try_reserve(max)?;
            if let Repr::Map { .. } = self.repr {
                self.make_room(max);
            }
        }
        match &mut self.repr {
            Repr::Vec(v) => {
                crate::budget::grow(v, max)?;
                let start = v.len();
                v.resize(start + max, T::zeroed());
                let n = fill(&mut v[start..]);
                let kept = n.as_ref().map_or(0, |&n| n.min(max));
                v.truncate(start + kept);
                n.map(drop)
            }
            Repr::Map { map, len, .. } => {
                let window = &mut bytemuck::cast_slice_mut::<u8, T>(&mut map[..])[*len..*len + max];
                let n = fill(window);
                match n {
                    Ok(n) => *len += n.min(max),
                    // A failed fill may have written anywhere in the window: keep the
                    // spare capacity zeroed for the next one.
                    Err(_) => window.fill(T::zeroed()),
                }
                n.map(drop)
            }
        }
    }

    /// Room for `extra` more values, or [`Error::OutOfMemory`]: a `Vec` column grows
    /// (geometrically), a mapped column past its capacity moves into a `Vec` of twice
    /// its length. Pushes within the room never allocate.
    pub(crate) fn try_reserve(&mut self, extra: usize) -> Result<()> {
        match &mut self.repr {
            Repr::Vec(v) => crate::budget::grow(v, extra),
            Repr::Map { len, cap, .. } if *len + extra <= *cap => Ok(()),
            Repr::Map { len, .. } => {
                let want = len.saturating_mul(2).max(*len + extra);
                let mut v = Vec::new();
                v.try_reserve_exact(want)
                    .map_err(|e| crate::budget::out_of_memory::<T>(want, e))?;
                v.extend_from_slice(self);
                let mapped = std::mem::replace(&mut self.repr, Repr::Vec(v));
                recycle(mapped);
                Ok(())
            }
        }
    }

    /// Bytes of values held (not the capacity, which for a mapped column is address
    /// space only).
    pub(crate) fn held_bytes(&self) -> usize {
        self.len() * size_of::<T>()
    }

    /// Keeps the first `n` values (all of them when there are fewer).
    pub(crate) fn truncate(&mut self, n: usize) {
        match &mut self.repr {
            Repr::Vec(v) => v.truncate(n),
            Repr::Map { map, len, .. } => {
                if n < *len {
                    // Spare capacity stays zeroed, as `push_sparse` and `append_with`
                    // rely on.
                    map[n * size_of::<T>()..*len * size_of::<T>()].fill(0);
                    *len = n;
                }
            }
        }
    }

    /// Room for `extra` more values: the mapping's next pages populated (or, where a
    /// previous column left bytes, zeroed), or, when it is full, the column moved into a
    /// `Vec`.
    #[cold]
    fn make_room(&mut self, extra: usize) {
        if let Repr::Map {
            map,
            len,
            cap,
            ready,
            stale,
        } = &mut self.repr
            && *len + extra <= *cap
        {
            let size = size_of::<T>();
            // Pages are populated a chunk at a time rather than faulted in one by one:
            // on the virtual machines profiles are analysed on, a fault costs
            // microseconds, more than decoding the values of its page.
            // An eighth of what is written, so a small column does not get a whole chunk.
            let chunk = (*ready * size / 8).clamp(POPULATE_CHUNK / 16, POPULATE_CHUNK);
            let mut want = (*len + extra).max(*ready + chunk / size).min(*cap);
            let huge = *ready * size >= HUGE_PAGES_AFTER;
            if huge {
                // A column this large takes huge pages from the next 2 MiB boundary
                // on (faster still, and rounding it up by up to 2 MiB is small next
                // to its size); the pages up to the boundary are populated.
                let base = map.as_ptr() as usize;
                let boundary = (base + *ready * size).next_multiple_of(HUGE_PAGE) - base;
                want = want.max(boundary.div_ceil(size)).min(*cap);
            }
            let (from, to) = (*ready * size, want * size);
            // Advice only: where it is not supported, pages fault in on use.
            #[cfg(target_os = "linux")]
            {
                let fresh = from.max(*stale).min(to);
                let _ = map.advise_range(memmap2::Advice::PopulateWrite, fresh, to - fresh);
                if huge && to < map.len() {
                    let _ = map.advise_range(memmap2::Advice::HugePage, to, map.len() - to);
                    want = *cap;
                }
            }
            let _ = (from, to); // used on Linux only
            // What a previous column left in the pages now in use is cleared.
            let end = (want * size).min(*stale);
            if from < end {
                map[from..end].fill(0);
            }
            *ready = want;
            return;
        }
        self.spill(extra);
    }

    /// Moves a mapped column into a `Vec` with room for `extra` more values.
    #[cold]
    fn spill(&mut self, extra: usize) {
        let mut v = Vec::with_capacity(self.len() + extra);
        v.extend_from_slice(self);
        let mapped = std::mem::replace(&mut self.repr, Repr::Vec(v));
        recycle(mapped);
    }

    /// Releases unused capacity of a `Vec` column (a mapped column's unused capacity was
    /// never touched and costs no memory).
    pub(crate) fn shrink_to_fit(&mut self) {
        if let Repr::Vec(v) = &mut self.repr {
            v.shrink_to_fit();
        }
    }
}

/// Keeps the mapping of a column that is going away for the next columns.
fn recycle<T: Pod>(r: Repr<T>) {
    if let Repr::Map {
        map, len, stale, ..
    } = r
    {
        let stale = (len * size_of::<T>()).max(stale).min(map.len());
        keep(Kept { map, stale });
    }
}

impl<T: Pod> Drop for Column<T> {
    fn drop(&mut self) {
        recycle(std::mem::replace(&mut self.repr, Repr::Vec(Vec::new())));
    }
}

impl<T: Pod> Default for Column<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Pod> Deref for Column<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match &self.repr {
            Repr::Vec(v) => v,
            Repr::Map { map, len, .. } => &bytemuck::cast_slice::<u8, T>(&map[..])[..*len],
        }
    }
}

impl<T: Pod> DerefMut for Column<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.repr {
            Repr::Vec(v) => v,
            Repr::Map { map, len, .. } => {
                &mut bytemuck::cast_slice_mut::<u8, T>(&mut map[..])[..*len]
            }
        }
    }
}

impl<T: Pod> Clone for Column<T> {
    fn clone(&self) -> Self {
        Column {
            repr: Repr::Vec(self.to_vec()),
        }
    }
}

impl<T: Pod + PartialEq> PartialEq for Column<T> {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

impl<T: Pod + Eq> Eq for Column<T> {}

impl<T: Pod + fmt::Debug> fmt::Debug for Column<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Pod> From<Vec<T>> for Column<T> {
    fn from(v: Vec<T>) -> Self {
        Column { repr: Repr::Vec(v) }
    }
}

impl<T: Pod> FromIterator<T> for Column<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Column {
            repr: Repr::Vec(iter.into_iter().collect()),
        }
    }
}

impl<T: Pod> Extend<T> for Column<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for x in iter {
            self.push(x);
        }
    }
}

impl<'a, T: Pod> IntoIterator for &'a Column<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests that look at the process-wide cache of mappings take turns.
    static CACHE_TESTS: Mutex<()> = Mutex::new(());

    /// A mapping a column wrote all over comes back, for a column of another type and
    /// across the huge-page boundary, reading as fresh memory: every window zeroed.
    #[test]
    fn a_reused_mapping_reads_as_fresh() {
        let _turn = CACHE_TESTS.lock().unwrap_or_else(PoisonError::into_inner);
        release_column_cache();
        let n = (HUGE_PAGES_AFTER + 3 * HUGE_PAGE) / 8;
        let mut dirty = Column::<u64>::with_capacity_mapped(n);
        dirty
            .append_with(n, |w| {
                w.fill(u64::MAX);
                Ok(n)
            })
            .unwrap();
        drop(dirty);
        assert_eq!(cache().len(), 1);
        let mut c = Column::<u32>::with_capacity_mapped(2 * n);
        assert_eq!(cache().len(), 0, "the mapping was not reused");
        let mut i = 0u32;
        while c.len() < 2 * n {
            c.append_with(1000.min(2 * n - c.len()), |w| {
                assert!(w.iter().all(|&x| x == 0), "a window holds stale values");
                let k = w.len().min(600);
                for x in &mut w[..k] {
                    *x = i;
                    i += 1;
                }
                Ok(k)
            })
            .unwrap();
        }
        assert!(c.iter().enumerate().all(|(k, &x)| x == k as u32));
        // A mostly-zero column never takes a used mapping: it relies on unwritten zeros.
        drop(c);
        let z = Column::<u64>::with_capacity_mostly_zero(n);
        assert_eq!(cache().len(), 1);
        assert!(z.is_empty());
        drop(z);
        release_column_cache();
        assert_eq!(cache().len(), 0);
    }

    #[test]
    fn mapped_and_vec_columns_behave_alike() {
        let _turn = CACHE_TESTS.lock().unwrap_or_else(PoisonError::into_inner);
        for mut c in [
            Column::<u32>::new(),
            Column::with_capacity_mapped(2 << 20),
            Column::with_capacity_mostly_zero(1 << 20),
        ] {
            c.push_sparse(0);
            c.push(1);
            c.extend_from_slice(&[2, 3]);
            c.append_with(4, |w| {
                assert_eq!(w, &[0, 0, 0, 0]);
                w[0] = 4;
                Ok(1)
            })
            .unwrap();
            assert_eq!(&c[..], &[0, 1, 2, 3, 4]);
            // What a failed fill wrote does not leak into the next window.
            assert!(
                c.append_with(2, |w| {
                    w[1] = 7;
                    Err(crate::Error::Empty)
                })
                .is_err()
            );
            c.append_with(2, |w| {
                assert_eq!(w, &[0, 0]);
                Ok(0)
            })
            .unwrap();
            assert_eq!(c.len(), 5);
            c.push_sparse(0);
            c.push_sparse(6);
            assert_eq!(&c[3..], &[3, 4, 0, 6]);
            assert_eq!(c.clone(), c);
            // Truncated values read as zeros when the space is reused sparsely.
            c.truncate(4);
            c.truncate(9);
            assert_eq!(&c[..], &[0, 1, 2, 3]);
            c.push_sparse(0);
            assert_eq!(&c[..], &[0, 1, 2, 3, 0]);
        }
    }

    #[test]
    fn a_column_past_the_huge_page_boundary_keeps_every_value() {
        let _turn = CACHE_TESTS.lock().unwrap_or_else(PoisonError::into_inner);
        let n = (HUGE_PAGES_AFTER + 3 * HUGE_PAGE) / 4;
        let mut c = Column::<u32>::with_capacity_mapped(n + 10);
        for i in 0..n as u32 / 2 {
            c.push(i);
        }
        while c.len() < n {
            let at = c.len() as u32;
            c.append_with(1000, |w| {
                for (k, x) in w.iter_mut().enumerate().take(700) {
                    *x = at + k as u32;
                }
                Ok(700)
            })
            .unwrap();
        }
        assert!(c.iter().enumerate().all(|(i, &x)| x == i as u32));
    }

    #[test]
    fn a_full_mapped_column_spills_into_a_vec() {
        let _turn = CACHE_TESTS.lock().unwrap_or_else(PoisonError::into_inner);
        let mut c = Column::<u64>::with_capacity_mapped(MAP_THRESHOLD / 8);
        let cap = MAP_THRESHOLD / 8;
        c.append_with(cap, |w| Ok(w.len())).unwrap();
        c.push(5);
        assert_eq!(c.len(), cap + 1);
        assert_eq!(c[cap], 5);
    }
}
