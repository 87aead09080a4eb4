//! [`LabelColumn`], the samples' labels, and [`Labels`], a borrowed view of some of them.
//!
//! A [`Label`] is 24 bytes as a struct, but most labels are string labels (Go's
//! `pprof.Do` labels, the `key=value` pairs of a CPU or goroutine profile): a key and a
//! value, no number, no unit. The column stores those as one 8-byte word, key and value;
//! any other label (numeric, with a unit, or with a value id of 2³¹ or more) takes a word
//! that points into a side table of 16-byte `(num, str, num_unit)` entries, so it costs
//! 24 bytes as before. Callers read labels by value, as [`Label`]s.

use std::fmt;
use std::iter::FusedIterator;
use std::ops::Range;

use crate::StrId;
use crate::column::{Column, ColumnPool};

/// A sample `Label`: a string value (`str != 0`) or a number with an optional unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Label {
    /// Label key.
    pub key: StrId,
    /// String value, 0 for numeric labels.
    pub str: StrId,
    /// Numeric value.
    pub num: i64,
    /// Unit of `num` (`bytes`, `seconds`...), 0 when unset.
    pub num_unit: StrId,
}

/// Set in the high half of a word whose label lives in the side table.
const SPILLED: u32 = 1 << 31;

/// The labels of all samples, back to back, 8 bytes per string label (read through
/// [`Labels`] views).
#[derive(Clone, Default)]
pub(crate) struct LabelColumn {
    /// One per label: key in the low half; value in the high half, or [`SPILLED`] | an
    /// index into `side`.
    words: Column<u64>,
    /// Two per spilled label: `num`, then `str | num_unit << 32`.
    side: Column<u64>,
}

impl LabelColumn {
    /// An empty column.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty column with room for `cap` labels (address space only when large; see
    /// [`Column`]).
    pub(crate) fn with_capacity_in(cap: usize, pool: Option<&ColumnPool>) -> Self {
        LabelColumn {
            words: Column::with_capacity_in(cap, pool),
            side: Column::new(),
        }
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Number of labels stored in the side table (numeric labels and the like).
    pub fn spilled_len(&self) -> usize {
        self.side.len() / 2
    }

    /// Bytes held by the column's values.
    pub fn memory_bytes(&self) -> usize {
        (self.words.len() + self.side.len()) * 8
    }

    /// Appends one label.
    #[inline(always)]
    pub fn push(&mut self, l: Label) {
        if l.num == 0 && l.num_unit == 0 && l.str & SPILLED == 0 {
            self.words.push(u64::from(l.key) | u64::from(l.str) << 32);
            return;
        }
        // Fewer labels than bytes in a profile below 4 GiB, each taking at least 4: the
        // index fits in 31 bits (the builder reports more than 2³¹ labels as an error).
        let i = (self.side.len() / 2) as u32 & !SPILLED;
        self.side.push(l.num as u64);
        self.side
            .push(u64::from(l.str) | u64::from(l.num_unit) << 32);
        self.words
            .push(u64::from(l.key) | u64::from(SPILLED | i) << 32);
    }

    /// [`LabelColumn::push`] that fails with [`crate::Error::OutOfMemory`] instead of
    /// aborting when the column cannot grow.
    pub(crate) fn try_push(&mut self, l: Label) -> crate::Result<()> {
        self.words.try_reserve(1)?;
        if l.num != 0 || l.num_unit != 0 || l.str & SPILLED != 0 {
            self.side.try_reserve(2)?;
        }
        self.push(l);
        Ok(())
    }

    /// Appends labels.
    pub fn extend_from_slice(&mut self, ls: &[Label]) {
        for &l in ls {
            self.push(l);
        }
    }

    /// The whole column as a view.
    #[inline]
    pub fn view(&self) -> Labels<'_> {
        Labels {
            repr: LabelsRepr::Packed {
                words: &self.words,
                side: &self.side,
            },
        }
    }

    /// Labels `r` as a view; panics when `r` is out of bounds, like slice indexing.
    #[inline]
    pub fn range(&self, r: Range<usize>) -> Labels<'_> {
        Labels {
            repr: LabelsRepr::Packed {
                words: &self.words[r],
                side: &self.side,
            },
        }
    }

    /// Iterates over all labels.
    pub fn iter(&self) -> LabelIter<'_> {
        self.view().iter()
    }

    /// Keeps the first `n` labels (all of them when there are fewer).
    pub(crate) fn truncate(&mut self, n: usize) {
        let spilled = self
            .words
            .get(n..)
            .unwrap_or_default()
            .iter()
            .filter(|&&w| (w >> 32) as u32 & SPILLED != 0)
            .count();
        self.side.truncate(self.side.len() - 2 * spilled);
        self.words.truncate(n);
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.words.shrink_to_fit();
        self.side.shrink_to_fit();
    }
}

impl PartialEq for LabelColumn {
    fn eq(&self, other: &Self) -> bool {
        self.view() == other.view()
    }
}

impl Eq for LabelColumn {}

impl fmt::Debug for LabelColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.view().fmt(f)
    }
}

impl From<Vec<Label>> for LabelColumn {
    fn from(v: Vec<Label>) -> Self {
        let mut c = LabelColumn::new();
        c.extend_from_slice(&v);
        c
    }
}

impl FromIterator<Label> for LabelColumn {
    fn from_iter<I: IntoIterator<Item = Label>>(iter: I) -> Self {
        let mut c = LabelColumn::new();
        for l in iter {
            c.push(l);
        }
        c
    }
}

impl<'a> IntoIterator for &'a LabelColumn {
    type Item = Label;
    type IntoIter = LabelIter<'a>;
    fn into_iter(self) -> LabelIter<'a> {
        self.iter()
    }
}

/// Labels borrowed from a label column or from a `&[Label]`: one sample's labels in
/// profile order, or a whole column. `Copy`; reads each label as a [`Label`] value.
///
/// ```
/// use pprof_format::{Label, Labels};
/// let ls = [Label { key: 1, str: 2, num: 0, num_unit: 0 }];
/// let v = Labels::from(&ls[..]);
/// assert_eq!(v.len(), 1);
/// assert!(v.iter().any(|l| l.str == 2));
/// assert_eq!(v.to_vec(), ls);
/// ```
#[derive(Clone, Copy)]
pub struct Labels<'a> {
    repr: LabelsRepr<'a>,
}

#[derive(Clone, Copy)]
enum LabelsRepr<'a> {
    Slice(&'a [Label]),
    Packed { words: &'a [u64], side: &'a [u64] },
}

impl<'a> Labels<'a> {
    /// Number of labels.
    #[inline]
    pub fn len(self) -> usize {
        match self.repr {
            LabelsRepr::Slice(s) => s.len(),
            LabelsRepr::Packed { words, .. } => words.len(),
        }
    }

    /// True when there is no label.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Label `i`, `None` when `i >= len()`.
    #[inline]
    pub fn get(self, i: usize) -> Option<Label> {
        match self.repr {
            LabelsRepr::Slice(s) => s.get(i).copied(),
            LabelsRepr::Packed { words, side } => Some(unpack(*words.get(i)?, side)),
        }
    }

    /// Label `i`; panics when `i >= len()`, like slice indexing.
    #[inline]
    #[track_caller]
    pub fn at(self, i: usize) -> Label {
        match self.get(i) {
            Some(l) => l,
            None => panic!("label index {i} out of range for {} labels", self.len()),
        }
    }

    /// Iterates over the labels.
    #[inline]
    pub fn iter(self) -> LabelIter<'a> {
        LabelIter {
            labels: self,
            front: 0,
            back: self.len(),
        }
    }

    /// The labels as a new `Vec`.
    pub fn to_vec(self) -> Vec<Label> {
        self.iter().collect()
    }

    /// The labels as a slice, when the view was made from one.
    pub fn as_slice(self) -> Option<&'a [Label]> {
        match self.repr {
            LabelsRepr::Slice(s) => Some(s),
            LabelsRepr::Packed { .. } => None,
        }
    }
}

#[inline]
fn unpack(w: u64, side: &[u64]) -> Label {
    let (key, hi) = (w as u32, (w >> 32) as u32);
    if hi & SPILLED == 0 {
        return Label {
            key,
            str: hi,
            num: 0,
            num_unit: 0,
        };
    }
    // The column wrote both words of every index it hands out.
    let i = (hi & !SPILLED) as usize * 2;
    let (num, su) = (
        side.get(i).copied().unwrap_or(0),
        side.get(i + 1).copied().unwrap_or(0),
    );
    Label {
        key,
        str: su as u32,
        num: num as i64,
        num_unit: (su >> 32) as u32,
    }
}

impl Default for Labels<'_> {
    fn default() -> Self {
        Labels::from(&[][..])
    }
}

impl<'a> From<&'a [Label]> for Labels<'a> {
    #[inline]
    fn from(s: &'a [Label]) -> Self {
        Labels {
            repr: LabelsRepr::Slice(s),
        }
    }
}

impl<'a> From<&'a Vec<Label>> for Labels<'a> {
    #[inline]
    fn from(s: &'a Vec<Label>) -> Self {
        Labels::from(&s[..])
    }
}

impl<'a, const N: usize> From<&'a [Label; N]> for Labels<'a> {
    #[inline]
    fn from(s: &'a [Label; N]) -> Self {
        Labels::from(&s[..])
    }
}

impl<'a> IntoIterator for Labels<'a> {
    type Item = Label;
    type IntoIter = LabelIter<'a>;
    #[inline]
    fn into_iter(self) -> LabelIter<'a> {
        self.iter()
    }
}

impl PartialEq for Labels<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Labels<'_> {}

impl<S: AsRef<[Label]> + ?Sized> PartialEq<S> for Labels<'_> {
    fn eq(&self, other: &S) -> bool {
        *self == Labels::from(other.as_ref())
    }
}

impl fmt::Debug for Labels<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over [`Labels`], yielding [`Label`] values.
#[derive(Clone, Debug)]
pub struct LabelIter<'a> {
    labels: Labels<'a>,
    front: usize,
    back: usize,
}

impl Iterator for LabelIter<'_> {
    type Item = Label;

    #[inline]
    fn next(&mut self) -> Option<Label> {
        if self.front >= self.back {
            return None;
        }
        let l = self.labels.get(self.front);
        self.front += 1;
        l
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for LabelIter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<Label> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.labels.get(self.back)
    }
}

impl ExactSizeIterator for LabelIter<'_> {}

impl FusedIterator for LabelIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_reads_back_what_was_pushed() {
        let mut c = LabelColumn::new();
        let s = Label {
            key: 1,
            str: 2,
            num: 0,
            num_unit: 0,
        };
        let n = Label {
            key: 3,
            str: 0,
            num: 4096,
            num_unit: 4,
        };
        c.extend_from_slice(&[s, n, s]);
        assert_eq!(c.len(), 3);
        assert_eq!(c.view().get(1), Some(n));
        assert_eq!(c.range(1..3).iter().collect::<Vec<_>>(), [n, s]);
    }

    #[test]
    fn every_label_round_trips() {
        let ls = [
            Label::default(),
            Label {
                key: 1,
                str: 2,
                num: 0,
                num_unit: 0,
            },
            Label {
                key: 3,
                str: 0,
                num: -5,
                num_unit: 0,
            },
            Label {
                key: 3,
                str: 0,
                num: 0,
                num_unit: 7,
            },
            Label {
                key: u32::MAX,
                str: u32::MAX,
                num: i64::MIN,
                num_unit: u32::MAX,
            },
            Label {
                key: u32::MAX,
                str: SPILLED,
                num: 0,
                num_unit: 0,
            },
            Label {
                key: 9,
                str: SPILLED - 1,
                num: 0,
                num_unit: 0,
            },
            Label {
                key: 4,
                str: 5,
                num: 6,
                num_unit: 8,
            },
        ];
        let c = LabelColumn::from(ls.to_vec());
        assert_eq!(c.len(), ls.len());
        assert_eq!(c.spilled_len(), 5);
        assert_eq!(c.view(), ls);
        assert_eq!(
            c.iter().rev().collect::<Vec<_>>(),
            ls.iter().rev().copied().collect::<Vec<_>>()
        );
        assert_eq!(c.range(2..4), ls[2..4]);
        assert_eq!(c.view().at(7), ls[7]);
        assert_eq!(c.view().get(8), None);
        assert_eq!(Labels::from(&ls), c.view());
    }
}
