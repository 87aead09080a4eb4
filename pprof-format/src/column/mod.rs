//! [`Column`]: the storage of the big sample columns (location indexes, values, offsets).
//!
//! A column is a `Vec<T>` or, when the decode options carry a [`ColumnPool`], a memory
//! mapping from the pool (see [`mapped`]): large columns of profiles decoded one after
//! another then reuse the same pages. Either way a column reads as a `&[T]`.

mod mapped;

use std::fmt;
use std::ops::{Deref, DerefMut};

use bytemuck::Pod;

use crate::error::Result;
pub use mapped::ColumnPool;
use mapped::Mapping;

/// A growable column of plain values that reads as a slice.
pub(crate) struct Column<T: Pod> {
    repr: Repr<T>,
}

enum Repr<T> {
    Vec(Vec<T>),
    Map(Mapping, std::marker::PhantomData<T>),
}

impl<T: Pod> Column<T> {
    /// An empty column.
    pub fn new() -> Self {
        Column {
            repr: Repr::Vec(Vec::new()),
        }
    }

    /// An empty column with room for `cap` values: a mapping from `pool` when there is
    /// one and the column is large, else a `Vec` (with the room reserved when it can be
    /// had: `cap` is an upper bound, and capacity never written costs address space
    /// only).
    pub(crate) fn with_capacity_in(cap: usize, pool: Option<&ColumnPool>) -> Self {
        Self::reserved(cap, false, pool)
    }

    /// Like [`Column::with_capacity_in`], for a column that is likely to hold mostly
    /// zeros (the label offsets of a profile with few or no labels): mapped from a
    /// smaller size on, and zeros appended with [`Column::push_sparse`] are not written,
    /// so pages that only ever hold zeros are never faulted in and cost no memory.
    pub(crate) fn with_capacity_mostly_zero_in(cap: usize, pool: Option<&ColumnPool>) -> Self {
        Self::reserved(cap, true, pool)
    }

    fn reserved(cap: usize, mostly_zero: bool, pool: Option<&ColumnPool>) -> Self {
        if let Some(m) = pool.and_then(|p| Mapping::new(cap, size_of::<T>(), mostly_zero, p)) {
            return Column {
                repr: Repr::Map(m, std::marker::PhantomData),
            };
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
            Repr::Map(m, _) => m.len,
        }
    }

    /// Appends one value.
    #[inline]
    pub fn push(&mut self, x: T) {
        match &mut self.repr {
            Repr::Vec(v) => v.push(x),
            Repr::Map(m, _) => {
                if m.len == m.ready {
                    self.make_room(1);
                    return self.push(x);
                }
                // A byte copy: no alignment check per value, one bounds check.
                let at = m.len * size_of::<T>();
                m.bytes_mut()[at..at + size_of::<T>()].copy_from_slice(bytemuck::bytes_of(&x));
                m.len += 1;
            }
        }
    }

    /// Appends one value that is often zero: a mapped column's spare capacity is
    /// zeroed, so a zero is not written and a page that only ever holds zeros is never
    /// faulted in (see [`Column::with_capacity_mostly_zero_in`]).
    #[inline]
    pub(crate) fn push_sparse(&mut self, x: T) {
        if let Repr::Map(m, _) = &mut self.repr
            && m.len < m.ready
            && bytemuck::bytes_of(&x) == bytemuck::bytes_of(&T::zeroed())
        {
            m.len += 1;
            return;
        }
        self.push(x);
    }

    /// Appends a slice of values.
    pub fn extend_from_slice(&mut self, xs: &[T]) {
        if let Repr::Map(m, _) = &self.repr
            && m.len + xs.len() > m.ready
        {
            self.make_room(xs.len());
        }
        match &mut self.repr {
            Repr::Vec(v) => v.extend_from_slice(xs),
            Repr::Map(m, _) => {
                let len = m.len;
                bytemuck::cast_slice_mut::<u8, T>(m.bytes_mut())[len..len + xs.len()]
                    .copy_from_slice(xs);
                m.len += xs.len();
            }
        }
    }

    /// Lets `fill` write up to `max` values after the current end and keeps the first
    /// `n` of them, `n` being what `fill` returns (clamped to `max`). The window starts
    /// zeroed; `fill` must not write past the `n` it returns. The room for `max` values
    /// is made fallibly ([`crate::Error::OutOfMemory`]): `max` comes from the input.
    #[inline]
    pub(crate) fn append_with(
        &mut self,
        max: usize,
        fill: impl FnOnce(&mut [T]) -> Result<usize>,
    ) -> Result<()> {
        if let Repr::Map(m, _) = &self.repr
            && m.len + max > m.ready
        {
            // Past the mapping's capacity the column moves into a `Vec` here.
            self.try_reserve(max)?;
            if let Repr::Map(..) = self.repr {
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
            Repr::Map(m, _) => {
                let len = m.len;
                let window = &mut bytemuck::cast_slice_mut::<u8, T>(m.bytes_mut())[len..len + max];
                let n = fill(window);
                match n {
                    Ok(n) => m.len += n.min(max),
                    // A failed fill may have written anywhere in the window: keep the
                    // spare capacity zeroed for the next one.
                    Err(_) => window.fill(T::zeroed()),
                }
                n.map(drop)
            }
        }
    }

    /// Room for `extra` more values, or [`crate::Error::OutOfMemory`]: a `Vec` column
    /// grows (geometrically), a mapped column past its capacity moves into a `Vec` of
    /// twice its length. Pushes within the room never allocate.
    pub(crate) fn try_reserve(&mut self, extra: usize) -> Result<()> {
        match &mut self.repr {
            Repr::Vec(v) => crate::budget::grow(v, extra),
            Repr::Map(m, _) if m.len + extra <= m.cap => Ok(()),
            Repr::Map(m, _) => {
                let want = m.len.saturating_mul(2).max(m.len + extra);
                let mut v = Vec::new();
                v.try_reserve_exact(want)
                    .map_err(|e| crate::budget::out_of_memory::<T>(want, e))?;
                v.extend_from_slice(self);
                // The mapping goes back to its pool as it is dropped.
                self.repr = Repr::Vec(v);
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
            Repr::Map(m, _) => {
                if n < m.len {
                    // Spare capacity stays zeroed, as `push_sparse` and `append_with`
                    // rely on.
                    let len = m.len;
                    m.bytes_mut()[n * size_of::<T>()..len * size_of::<T>()].fill(0);
                    m.len = n;
                }
            }
        }
    }

    /// Room for `extra` more values in a mapped column, or, when it is full, the column
    /// moved into a `Vec`.
    #[cold]
    fn make_room(&mut self, extra: usize) {
        if let Repr::Map(m, _) = &mut self.repr
            && m.make_room(extra)
        {
            return;
        }
        let mut v = Vec::with_capacity(self.len() + extra);
        v.extend_from_slice(self);
        self.repr = Repr::Vec(v);
    }

    /// Releases unused capacity of a `Vec` column (a mapped column's unused capacity was
    /// never touched and costs no memory).
    pub(crate) fn shrink_to_fit(&mut self) {
        if let Repr::Vec(v) = &mut self.repr {
            v.shrink_to_fit();
        }
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
            Repr::Map(m, _) => &bytemuck::cast_slice::<u8, T>(m.bytes())[..m.len],
        }
    }
}

impl<T: Pod> DerefMut for Column<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.repr {
            Repr::Vec(v) => v,
            Repr::Map(m, _) => {
                let len = m.len;
                &mut bytemuck::cast_slice_mut::<u8, T>(m.bytes_mut())[..len]
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
    use super::mapped::{HUGE_PAGE, HUGE_PAGES_AFTER, MAP_THRESHOLD};
    use super::*;

    /// A mapping a column wrote all over comes back, for a column of another type and
    /// across the huge-page boundary, reading as fresh memory: every window zeroed.
    #[test]
    fn a_reused_mapping_reads_as_fresh() {
        let pool = ColumnPool::default();
        let n = (HUGE_PAGES_AFTER + 3 * HUGE_PAGE) / 8;
        let mut dirty = Column::<u64>::with_capacity_in(n, Some(&pool));
        dirty
            .append_with(n, |w| {
                w.fill(u64::MAX);
                Ok(n)
            })
            .unwrap();
        drop(dirty);
        assert_eq!(pool.len(), 1);
        let mut c = Column::<u32>::with_capacity_in(2 * n, Some(&pool));
        assert_eq!(pool.len(), 0, "the mapping was not reused");
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
        let z = Column::<u64>::with_capacity_mostly_zero_in(n, Some(&pool));
        assert_eq!(pool.len(), 1);
        assert!(z.is_empty());
        drop(z);
        pool.release();
        assert_eq!(pool.len(), 0);
    }

    #[test]
    fn mapped_and_vec_columns_behave_alike() {
        let pool = ColumnPool::default();
        for mut c in [
            Column::<u32>::new(),
            Column::with_capacity_in(2 << 20, None),
            Column::with_capacity_in(2 << 20, Some(&pool)),
            Column::with_capacity_mostly_zero_in(1 << 20, None),
            Column::with_capacity_mostly_zero_in(1 << 20, Some(&pool)),
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
        let pool = ColumnPool::default();
        let n = (HUGE_PAGES_AFTER + 3 * HUGE_PAGE) / 4;
        let mut c = Column::<u32>::with_capacity_in(n + 10, Some(&pool));
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
        let pool = ColumnPool::default();
        let mut c = Column::<u64>::with_capacity_in(MAP_THRESHOLD / 8, Some(&pool));
        let cap = MAP_THRESHOLD / 8;
        c.append_with(cap, |w| Ok(w.len())).unwrap();
        c.push(5);
        assert_eq!(c.len(), cap + 1);
        assert_eq!(c[cap], 5);
    }
}
