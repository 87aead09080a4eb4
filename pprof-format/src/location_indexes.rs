//! [`LocationColumn`], the samples' location-index column, and [`LocationIndexes`], a
//! borrowed view of some of it (one sample's stack, or all of them).
//!
//! The location column is by far the largest part of a decoded profile (one entry per
//! frame of every sample). Its entries are dense indexes into [`crate::Profile::locations`],
//! so when a profile has at most 65,536 locations — nearly every real profile — they fit
//! in a `u16`, half the memory of a `u32`. The column picks the width; callers read
//! indexes as `u32` through [`LocationIndexes`], or match on the width
//! ([`LocationIndexes::as_u16`] / [`LocationIndexes::as_u32`]) for a loop over a plain
//! slice.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::iter::FusedIterator;
use std::ops::Range;

use crate::column::Column;

/// Number of locations up to which indexes are stored as `u16`.
pub(crate) const NARROW_LOCATIONS: usize = u16::MAX as usize + 1;

/// The location indexes of all samples, back to back; `u16` entries while every index
/// fits, `u32` otherwise (read through [`LocationIndexes`] views).
#[derive(Clone)]
pub(crate) struct LocationColumn {
    repr: ColRepr,
}

#[derive(Clone)]
enum ColRepr {
    U16(Column<u16>),
    U32(Column<u32>),
}

impl LocationColumn {
    /// An empty column (of `u16` entries until an index needs more).
    pub fn new() -> Self {
        LocationColumn {
            repr: ColRepr::U16(Column::new()),
        }
    }

    pub(crate) fn from_u16(c: Column<u16>) -> Self {
        LocationColumn {
            repr: ColRepr::U16(c),
        }
    }

    pub(crate) fn from_u32(c: Column<u32>) -> Self {
        LocationColumn {
            repr: ColRepr::U32(c),
        }
    }

    /// Number of indexes.
    pub fn len(&self) -> usize {
        match &self.repr {
            ColRepr::U16(c) => c.len(),
            ColRepr::U32(c) => c.len(),
        }
    }

    /// Bytes per stored index: 2 or 4.
    pub fn index_bytes(&self) -> usize {
        match &self.repr {
            ColRepr::U16(_) => 2,
            ColRepr::U32(_) => 4,
        }
    }

    /// The whole column as a view.
    #[inline]
    pub fn view(&self) -> LocationIndexes<'_> {
        match &self.repr {
            ColRepr::U16(c) => LocationIndexes::from(&c[..]),
            ColRepr::U32(c) => LocationIndexes::from(&c[..]),
        }
    }

    /// Indexes `r` as a view; panics when `r` is out of bounds, like slice indexing.
    #[inline]
    pub fn range(&self, r: Range<usize>) -> LocationIndexes<'_> {
        match &self.repr {
            ColRepr::U16(c) => LocationIndexes::from(&c[r]),
            ColRepr::U32(c) => LocationIndexes::from(&c[r]),
        }
    }

    /// Iterates over all indexes.
    pub fn iter(&self) -> LocationIter<'_> {
        self.view().iter()
    }

    /// Appends one index, widening the column to `u32` entries if it does not fit.
    pub fn push(&mut self, x: u32) {
        self.extend_from_slice(&[x]);
    }

    /// Appends indexes, widening the column to `u32` entries if one does not fit.
    pub fn extend_from_slice(&mut self, xs: &[u32]) {
        if let ColRepr::U16(c) = &mut self.repr {
            if xs.iter().all(|&x| x <= u32::from(u16::MAX)) {
                c.extend(xs.iter().map(|&x| x as u16));
                return;
            }
            let mut wide: Column<u32> = Column::from(Vec::with_capacity(c.len() + xs.len()));
            wide.extend(c.iter().map(|&x| u32::from(x)));
            self.repr = ColRepr::U32(wide);
        }
        if let ColRepr::U32(c) = &mut self.repr {
            c.extend_from_slice(xs);
        }
    }
}

impl Default for LocationColumn {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for LocationColumn {
    /// Equal when the indexes are, whatever the widths.
    fn eq(&self, other: &Self) -> bool {
        self.view() == other.view()
    }
}

impl Eq for LocationColumn {}

impl fmt::Debug for LocationColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.view().fmt(f)
    }
}

impl From<Vec<u32>> for LocationColumn {
    fn from(v: Vec<u32>) -> Self {
        let mut c = LocationColumn::new();
        c.extend_from_slice(&v);
        c
    }
}

impl FromIterator<u32> for LocationColumn {
    fn from_iter<I: IntoIterator<Item = u32>>(iter: I) -> Self {
        let mut c = LocationColumn::new();
        for x in iter {
            c.push(x);
        }
        c
    }
}

impl<'a> IntoIterator for &'a LocationColumn {
    type Item = u32;
    type IntoIter = LocationIter<'a>;
    fn into_iter(self) -> LocationIter<'a> {
        self.iter()
    }
}

impl<S: AsRef<[u32]> + ?Sized> PartialEq<S> for LocationColumn {
    fn eq(&self, other: &S) -> bool {
        self.view() == LocationIndexes::from(other.as_ref())
    }
}

/// Dense location indexes (into [`crate::Profile::locations`]) borrowed from a
/// location column or from a `&[u32]`/`&[u16]`: one sample's stack, leaf first, or a
/// whole column. `Copy`, two words and a tag; reads every index as `u32`.
///
/// Equality and hashing go by the indexes, whatever the stored width.
///
/// ```
/// use pprof_format::LocationIndexes;
/// let narrow = LocationIndexes::from(&[5u16, 6][..]);
/// let wide = LocationIndexes::from(&[5u32, 6][..]);
/// assert_eq!(narrow, wide);
/// assert_eq!(narrow.get(1), Some(6));
/// assert_eq!(narrow.iter().rev().collect::<Vec<u32>>(), [6, 5]);
/// // A loop over a plain slice, when it matters:
/// if let Some(s) = narrow.as_u16() {
///     assert_eq!(s.iter().map(|&i| u32::from(i)).sum::<u32>(), 11);
/// }
/// ```
#[derive(Clone, Copy)]
pub struct LocationIndexes<'a> {
    repr: ViewRepr<'a>,
}

#[derive(Clone, Copy)]
enum ViewRepr<'a> {
    U16(&'a [u16]),
    U32(&'a [u32]),
}

impl<'a> LocationIndexes<'a> {
    /// Number of indexes.
    #[inline]
    pub fn len(self) -> usize {
        match self.repr {
            ViewRepr::U16(s) => s.len(),
            ViewRepr::U32(s) => s.len(),
        }
    }

    /// True when there is no index.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Index `i`, `None` when `i >= len()`.
    #[inline]
    pub fn get(self, i: usize) -> Option<u32> {
        match self.repr {
            ViewRepr::U16(s) => s.get(i).map(|&x| u32::from(x)),
            ViewRepr::U32(s) => s.get(i).copied(),
        }
    }

    /// The first index (a sample's leaf).
    #[inline]
    pub fn first(self) -> Option<u32> {
        self.get(0)
    }

    /// The last index (a sample's root).
    #[inline]
    pub fn last(self) -> Option<u32> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// Indexes `r` of this view, `None` when `r` is out of bounds.
    #[inline]
    pub fn slice(self, r: Range<usize>) -> Option<LocationIndexes<'a>> {
        match self.repr {
            ViewRepr::U16(s) => s.get(r).map(LocationIndexes::from),
            ViewRepr::U32(s) => s.get(r).map(LocationIndexes::from),
        }
    }

    /// Iterates over the indexes as `u32`.
    #[inline]
    pub fn iter(self) -> LocationIter<'a> {
        LocationIter {
            repr: match self.repr {
                ViewRepr::U16(s) => IterRepr::U16(s.iter()),
                ViewRepr::U32(s) => IterRepr::U32(s.iter()),
            },
        }
    }

    /// The indexes as a new `Vec<u32>`.
    pub fn to_vec(self) -> Vec<u32> {
        let mut v = Vec::with_capacity(self.len());
        self.extend_vec(&mut v);
        v
    }

    /// Appends the indexes to `out`.
    #[inline]
    pub fn extend_vec(self, out: &mut Vec<u32>) {
        match self.repr {
            ViewRepr::U16(s) => out.extend(s.iter().map(|&x| u32::from(x))),
            ViewRepr::U32(s) => out.extend_from_slice(s),
        }
    }

    /// The stored `u16` indexes, when the column is narrow.
    #[inline]
    pub fn as_u16(self) -> Option<&'a [u16]> {
        match self.repr {
            ViewRepr::U16(s) => Some(s),
            ViewRepr::U32(_) => None,
        }
    }

    /// The stored `u32` indexes, when the column is wide.
    #[inline]
    pub fn as_u32(self) -> Option<&'a [u32]> {
        match self.repr {
            ViewRepr::U16(_) => None,
            ViewRepr::U32(s) => Some(s),
        }
    }
}

impl Default for LocationIndexes<'_> {
    fn default() -> Self {
        LocationIndexes::from(&[][..] as &[u32])
    }
}

impl<'a> From<&'a [u16]> for LocationIndexes<'a> {
    #[inline]
    fn from(s: &'a [u16]) -> Self {
        LocationIndexes {
            repr: ViewRepr::U16(s),
        }
    }
}

impl<'a> From<&'a [u32]> for LocationIndexes<'a> {
    #[inline]
    fn from(s: &'a [u32]) -> Self {
        LocationIndexes {
            repr: ViewRepr::U32(s),
        }
    }
}

impl<'a> From<&'a Vec<u32>> for LocationIndexes<'a> {
    #[inline]
    fn from(s: &'a Vec<u32>) -> Self {
        LocationIndexes::from(&s[..])
    }
}

impl<'a, const N: usize> From<&'a [u32; N]> for LocationIndexes<'a> {
    #[inline]
    fn from(s: &'a [u32; N]) -> Self {
        LocationIndexes::from(&s[..])
    }
}

impl<'a> IntoIterator for LocationIndexes<'a> {
    type Item = u32;
    type IntoIter = LocationIter<'a>;
    #[inline]
    fn into_iter(self) -> LocationIter<'a> {
        self.iter()
    }
}

impl PartialEq for LocationIndexes<'_> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        match (self.repr, other.repr) {
            (ViewRepr::U16(a), ViewRepr::U16(b)) => a == b,
            (ViewRepr::U32(a), ViewRepr::U32(b)) => a == b,
            _ => self.len() == other.len() && self.iter().eq(other.iter()),
        }
    }
}

impl Eq for LocationIndexes<'_> {}

impl<S: AsRef<[u32]> + ?Sized> PartialEq<S> for LocationIndexes<'_> {
    fn eq(&self, other: &S) -> bool {
        *self == LocationIndexes::from(other.as_ref())
    }
}

impl Hash for LocationIndexes<'_> {
    /// The same calls to the hasher for the same indexes at either width: the length,
    /// then the indexes as native-endian `u32` bytes in chunks of 32.
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        match self.repr {
            ViewRepr::U32(s) => {
                for c in s.chunks(HASH_CHUNK) {
                    state.write(bytemuck::cast_slice(c));
                }
            }
            ViewRepr::U16(s) => {
                let mut buf = [0u32; HASH_CHUNK];
                for c in s.chunks(HASH_CHUNK) {
                    for (w, &x) in buf.iter_mut().zip(c) {
                        *w = u32::from(x);
                    }
                    state.write(bytemuck::cast_slice(&buf[..c.len()]));
                }
            }
        }
    }
}

/// Indexes per hasher call in [`LocationIndexes`]'s `Hash`.
const HASH_CHUNK: usize = 32;

impl fmt::Debug for LocationIndexes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over [`LocationIndexes`], yielding `u32`.
#[derive(Clone, Debug)]
pub struct LocationIter<'a> {
    repr: IterRepr<'a>,
}

#[derive(Clone, Debug)]
enum IterRepr<'a> {
    U16(std::slice::Iter<'a, u16>),
    U32(std::slice::Iter<'a, u32>),
}

impl Iterator for LocationIter<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        match &mut self.repr {
            IterRepr::U16(it) => it.next().map(|&x| u32::from(x)),
            IterRepr::U32(it) => it.next().copied(),
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len();
        (n, Some(n))
    }

    #[inline]
    fn nth(&mut self, n: usize) -> Option<u32> {
        match &mut self.repr {
            IterRepr::U16(it) => it.nth(n).map(|&x| u32::from(x)),
            IterRepr::U32(it) => it.nth(n).copied(),
        }
    }

    /// One dispatch on the width, then a plain slice loop.
    #[inline]
    fn fold<B, F: FnMut(B, u32) -> B>(self, init: B, mut f: F) -> B {
        match self.repr {
            IterRepr::U16(it) => it.fold(init, |acc, &x| f(acc, u32::from(x))),
            IterRepr::U32(it) => it.fold(init, |acc, &x| f(acc, x)),
        }
    }
}

impl DoubleEndedIterator for LocationIter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<u32> {
        match &mut self.repr {
            IterRepr::U16(it) => it.next_back().map(|&x| u32::from(x)),
            IterRepr::U32(it) => it.next_back().copied(),
        }
    }

    #[inline]
    fn rfold<B, F: FnMut(B, u32) -> B>(self, init: B, mut f: F) -> B {
        match self.repr {
            IterRepr::U16(it) => it.rfold(init, |acc, &x| f(acc, u32::from(x))),
            IterRepr::U32(it) => it.rfold(init, |acc, &x| f(acc, x)),
        }
    }
}

impl ExactSizeIterator for LocationIter<'_> {
    #[inline]
    fn len(&self) -> usize {
        match &self.repr {
            IterRepr::U16(it) => it.len(),
            IterRepr::U32(it) => it.len(),
        }
    }
}

impl FusedIterator for LocationIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_widens_when_an_index_does_not_fit() {
        let mut c = LocationColumn::new();
        c.extend_from_slice(&[3, 1, 4]);
        assert_eq!(c.index_bytes(), 2);
        c.push(70_000); // does not fit a u16: the column widens
        assert_eq!(c.index_bytes(), 4);
        assert_eq!(c.view().to_vec(), [3, 1, 4, 70_000]);
        assert_eq!(c.range(1..3), [1, 4]);
    }
    use std::collections::hash_map::DefaultHasher;

    fn hash_of(x: LocationIndexes<'_>) -> u64 {
        let mut h = DefaultHasher::new();
        x.hash(&mut h);
        h.finish()
    }

    #[test]
    fn widths_compare_and_hash_alike() {
        let wide: Vec<u32> = (0..100).map(|i| i * 7).collect();
        let narrow: Vec<u16> = wide.iter().map(|&i| i as u16).collect();
        let (a, b) = (
            LocationIndexes::from(&narrow[..]),
            LocationIndexes::from(&wide),
        );
        assert_eq!(a, b);
        assert_eq!(hash_of(a), hash_of(b));
        assert_ne!(a, LocationIndexes::from(&wide[..99]));
        assert_eq!(a.iter().next_back(), Some(693));
        assert_eq!(a.last(), Some(693));
        assert_eq!(a.slice(1..3), Some(LocationIndexes::from(&[7u32, 14])));
        assert_eq!(a.slice(99..101), None);
        assert_eq!(a.iter().sum::<u32>(), b.iter().sum::<u32>());
        assert_eq!(a.iter().rposition(|x| x == 14), Some(2));
    }

    #[test]
    fn a_column_widens_once_an_index_needs_it() {
        let mut c = LocationColumn::new();
        c.extend_from_slice(&[1, 65_535]);
        assert_eq!(c.index_bytes(), 2);
        c.extend_from_slice(&[65_536, 2]);
        assert_eq!(c.index_bytes(), 4);
        assert_eq!(c, [1, 65_535, 65_536, 2]);
        assert_eq!(c.range(1..3), [65_535, 65_536]);
        assert!(c.view().slice(3..5).is_none());
        let collected: LocationColumn = [1, 65_535, 65_536, 2].into_iter().collect();
        assert_eq!(collected, c);
    }
}
