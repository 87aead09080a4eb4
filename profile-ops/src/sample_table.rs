//! A profile's samples as columns: the shape DataFrame and Arrow exports are built from,
//! so that bindings hand over a few vectors instead of one object per sample.
//!
//! A sample's stack is its frames leaf first: for each location, its lines innermost
//! first (profile.proto lists inlined callees before their callers), each named by its
//! function; a location without lines is named by its address, `0x…` in hex.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::pprof::{Location, LocationIndexes, Profile};

/// The name of each frame of the location at dense index `loc`, innermost first.
fn location_frames<'a>(p: &'a Profile, loc: &Location) -> Vec<Cow<'a, [u8]>> {
    let lines = p.location_lines(loc);
    if lines.is_empty() {
        return vec![Cow::Owned(format!("0x{:x}", loc.address).into_bytes())];
    }
    lines
        .iter()
        .map(|l| Cow::Borrowed(p.bytes_of(p.functions()[l.function as usize].name)))
        .collect()
}

/// The frame names of a stack (dense location indexes, leaf first), leaf first.
///
/// ```
/// use profile_ops::pprof::ProfileBuilder;
/// use profile_ops::sample_table::stack_names;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("samples", "count");
/// let f = b.function("main.work", "main.go", 1);
/// let leaf = b.location(None, 0x4010, &[]);
/// let root = b.location(None, 0x4020, &[(f, 3)]);
/// b.sample(&[leaf, root], &[1], &[]);
/// let p = b.build().unwrap();
/// assert_eq!(stack_names(&p, p.sample(0).locations), ["0x4010", "main.work"]);
/// ```
pub fn stack_names<'a, 'l>(
    p: &'a Profile,
    locations: impl Into<LocationIndexes<'l>>,
) -> Vec<Cow<'a, str>> {
    let mut out = Vec::new();
    for l in locations.into() {
        for name in location_frames(p, &p.locations()[l as usize]) {
            out.push(match name {
                Cow::Borrowed(b) => String::from_utf8_lossy(b),
                Cow::Owned(b) => Cow::Owned(String::from_utf8_lossy(&b).into_owned()),
            });
        }
    }
    out
}

/// The samples with one string label key: per sample, an index into
/// [`SampleTable::label_values`], `None` when the sample lacks the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLabelColumn<'a> {
    /// The label key.
    pub key: &'a [u8],
    /// One entry per sample.
    pub values: Vec<Option<u32>>,
}

/// The samples with one numeric label key: per sample its value, `None` when the sample
/// lacks the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumLabelColumn<'a> {
    /// The label key.
    pub key: &'a [u8],
    /// One entry per sample.
    pub values: Vec<Option<i64>>,
}

/// A profile's samples as columns (one row per sample, in stored order).
///
/// Stacks are dictionary-encoded: row `i`'s frames, leaf first, are
/// `frame_names[stacks[stack_offsets[i]..stack_offsets[i + 1]]]`. A sample with several
/// values for one label key shows the first in the label columns.
///
/// ```
/// use profile_ops::pprof::ProfileBuilder;
/// use profile_ops::sample_table::SampleTable;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("alloc_space", "bytes");
/// let f = b.function("main.alloc", "main.go", 1);
/// let g = b.function("main.main", "main.go", 9);
/// let (leaf, root) = (b.location(None, 0, &[(f, 2)]), b.location(None, 0, &[(g, 10)]));
/// let api = b.label_str("handler", "/api");
/// b.sample(&[leaf, root], &[4096], &[api]).sample(&[root], &[512], &[]);
/// let p = b.build().unwrap();
/// let t = SampleTable::of(&p);
/// assert_eq!(t.stack_offsets, [0, 2, 3]);
/// let names: Vec<&[u8]> = t.stacks.iter().map(|&i| &*t.frame_names[i as usize]).collect();
/// assert_eq!(names, [&b"main.alloc"[..], b"main.main", b"main.main"]);
/// assert_eq!(t.values, [vec![4096, 512]]);
/// assert_eq!(t.str_labels[0].key, b"handler");
/// assert_eq!(t.str_labels[0].values, [Some(0), None]);
/// assert_eq!(t.label_values, [&b"/api"[..]]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleTable<'a> {
    /// Frame names: one per function (at the function's dense index), then one per
    /// location without lines (its address).
    pub frame_names: Vec<Cow<'a, [u8]>>,
    /// `num_samples + 1` offsets into `stacks`.
    pub stack_offsets: Vec<usize>,
    /// Indexes into `frame_names`, all stacks back to back.
    pub stacks: Vec<u32>,
    /// One column per sample type, one value per sample.
    pub values: Vec<Vec<i64>>,
    /// The distinct string label values, indexed by [`StrLabelColumn::values`].
    pub label_values: Vec<&'a [u8]>,
    /// One column per string label key, in order of first appearance.
    pub str_labels: Vec<StrLabelColumn<'a>>,
    /// One column per numeric label key, in order of first appearance.
    pub num_labels: Vec<NumLabelColumn<'a>>,
}

impl<'a> SampleTable<'a> {
    /// The samples of `p` as columns.
    pub fn of(p: &'a Profile) -> SampleTable<'a> {
        let n = p.num_samples();
        let s = p.samples();
        let mut frame_names: Vec<Cow<'a, [u8]>> = p
            .functions()
            .iter()
            .map(|f| Cow::Borrowed(p.bytes_of(f.name)))
            .collect();
        // Per location, its frames as indexes into `frame_names`.
        let loc_frames: Vec<Vec<u32>> = p
            .locations()
            .iter()
            .map(|loc| {
                let lines = p.location_lines(loc);
                if lines.is_empty() {
                    frame_names.extend(location_frames(p, loc));
                    vec![(frame_names.len() - 1) as u32]
                } else {
                    lines.iter().map(|l| l.function).collect()
                }
            })
            .collect();
        let mut stack_offsets = Vec::with_capacity(n + 1);
        stack_offsets.push(0);
        let mut stacks = Vec::with_capacity(s.locations().len());
        for i in 0..n {
            for l in p.sample(i).locations {
                stacks.extend_from_slice(&loc_frames[l as usize]);
            }
            stack_offsets.push(stacks.len());
        }
        let k = p.sample_types().len();
        let values = (0..k)
            .map(|j| (0..n).map(|i| s.values()[i * k + j]).collect())
            .collect();
        let (label_values, str_labels, num_labels) = label_columns(p);
        SampleTable {
            frame_names,
            stack_offsets,
            stacks,
            values,
            label_values,
            str_labels,
            num_labels,
        }
    }
}

type LabelColumns<'a> = (
    Vec<&'a [u8]>,
    Vec<StrLabelColumn<'a>>,
    Vec<NumLabelColumn<'a>>,
);

fn label_columns(p: &Profile) -> LabelColumns<'_> {
    let n = p.num_samples();
    let mut str_keys: HashMap<&[u8], usize> = HashMap::new();
    let mut num_keys: HashMap<&[u8], usize> = HashMap::new();
    let mut value_ids: HashMap<&[u8], u32> = HashMap::new();
    let mut values = Vec::new();
    let mut strs: Vec<StrLabelColumn<'_>> = Vec::new();
    let mut nums: Vec<NumLabelColumn<'_>> = Vec::new();
    for i in 0..n {
        for l in p.sample(i).labels {
            let key = p.bytes_of(l.key);
            if l.str != 0 {
                let c = *str_keys.entry(key).or_insert_with(|| {
                    strs.push(StrLabelColumn {
                        key,
                        values: vec![None; n],
                    });
                    strs.len() - 1
                });
                if strs[c].values[i].is_none() {
                    let v = p.bytes_of(l.str);
                    let id = *value_ids.entry(v).or_insert_with(|| {
                        values.push(v);
                        (values.len() - 1) as u32
                    });
                    strs[c].values[i] = Some(id);
                }
            } else {
                let c = *num_keys.entry(key).or_insert_with(|| {
                    nums.push(NumLabelColumn {
                        key,
                        values: vec![None; n],
                    });
                    nums.len() - 1
                });
                nums[c].values[i].get_or_insert(l.num);
            }
        }
    }
    (values, strs, nums)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pprof::ProfileBuilder;

    #[test]
    fn inlined_frames_unsymbolised_locations_and_labels() {
        let mut b = ProfileBuilder::new();
        b.sample_type("alloc_objects", "count");
        b.sample_type("alloc_space", "bytes");
        let inner = b.function("bytes.grow", "buffer.go", 1);
        let outer = b.function("bytes.Write", "buffer.go", 9);
        let main = b.function("main.main", "main.go", 3);
        let inlined = b.location(None, 0x10, &[(inner, 2), (outer, 10)]);
        let bare = b.location(None, 0xbeef, &[]);
        let root = b.location(None, 0x30, &[(main, 4)]);
        let (a, c) = (b.label_str("a", "x"), b.label_str("c", "x"));
        let a2 = b.label_str("a", "y");
        let bytes = b.label_num("bytes", 64, "bytes");
        b.sample(&[inlined, root], &[1, 64], &[a, a2, bytes])
            .sample(&[bare, root], &[2, 128], &[c]);
        let p = b.build().unwrap();
        let t = SampleTable::of(&p);
        let names: Vec<&[u8]> = t
            .stacks
            .iter()
            .map(|&i| &*t.frame_names[i as usize])
            .collect();
        let want: [&[u8]; 5] = [
            b"bytes.grow",
            b"bytes.Write",
            b"main.main",
            b"0xbeef",
            b"main.main",
        ];
        assert_eq!(names, want);
        assert_eq!(t.stack_offsets, [0, 3, 5]);
        assert_eq!(t.values, [vec![1, 2], vec![64, 128]]);
        // The first value of a key wins; values are shared between keys.
        assert_eq!(t.label_values, [&b"x"[..]]);
        assert_eq!(t.str_labels.len(), 2);
        assert_eq!(
            (t.str_labels[0].key, &t.str_labels[0].values[..]),
            (&b"a"[..], &[Some(0), None][..])
        );
        assert_eq!(
            (t.str_labels[1].key, &t.str_labels[1].values[..]),
            (&b"c"[..], &[None, Some(0)][..])
        );
        assert_eq!(t.num_labels[0].values, [Some(64), None]);
        assert_eq!(
            stack_names(&p, p.sample(1).locations),
            ["0xbeef", "main.main"]
        );
    }

    #[test]
    fn empty_profile() {
        let mut b = ProfileBuilder::new();
        b.sample_type("samples", "count");
        let p = b.build().unwrap();
        let t = SampleTable::of(&p);
        assert_eq!(t.stack_offsets, [0]);
        assert!(t.stacks.is_empty() && t.str_labels.is_empty() && t.num_labels.is_empty());
        assert_eq!(t.values, [Vec::<i64>::new()]);
    }
}
