//! The columnar, zero-copy [`Profile`] and its tables.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;

use crate::StrId;
use crate::column::Column;
use crate::labels::{LabelColumn, Labels};
use crate::location_indexes::{LocationColumn, LocationIndexes};

/// A `ValueType`: what a column of sample values measures, as string-table indexes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ValueType {
    /// e.g. `cpu`, `alloc_space`.
    pub ty: StrId,
    /// e.g. `nanoseconds`, `bytes`, `count`.
    pub unit: StrId,
}

/// A `Mapping`: a binary or library mapped into the profiled process.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Mapping {
    /// The id as written in the profile (never 0).
    pub id: u64,
    /// Start address of the mapping.
    pub memory_start: u64,
    /// End address of the mapping (exclusive).
    pub memory_limit: u64,
    /// Offset of the mapping in its file.
    pub file_offset: u64,
    /// File name (or pseudo-name such as `[vdso]`).
    pub filename: StrId,
    /// Build id of the file.
    pub build_id: StrId,
    /// Locations in this mapping carry function names.
    pub has_functions: bool,
    /// Locations in this mapping carry file names.
    pub has_filenames: bool,
    /// Locations in this mapping carry line numbers.
    pub has_line_numbers: bool,
    /// Locations in this mapping carry inlined frames.
    pub has_inline_frames: bool,
}

/// A `Function`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Function {
    /// The id as written in the profile (never 0).
    pub id: u64,
    /// Human-readable name, e.g. `main.main`.
    pub name: StrId,
    /// Name as the system knows it (mangled for C++).
    pub system_name: StrId,
    /// Source file.
    pub filename: StrId,
    /// Line where the function starts.
    pub start_line: i64,
}

/// A `Line` of a location: one (possibly inlined) frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Line {
    /// Dense index into [`Profile::functions`].
    pub function: u32,
    /// Source line, 0 when unknown.
    pub line: i64,
    /// Source column, 0 when unknown.
    pub column: i64,
}

/// A `Location`: a program counter and the frames it expands to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Location {
    /// The id as written in the profile (never 0).
    pub id: u64,
    /// Dense index into [`Profile::mappings`], `None` when the location has no mapping.
    pub mapping: Option<u32>,
    /// Instruction address (0 when unknown).
    pub address: u64,
    /// Range into [`Profile::lines`]; the last line is the caller, as in profile.proto.
    pub lines: Range<u32>,
    /// Frames were folded (e.g. by a symbolizer merging recursion).
    pub is_folded: bool,
}

/// All samples of a profile, column-wise; read one sample with [`Profile::sample`], or
/// whole columns through the accessors here.
///
/// Sample `i` has locations `locations()[location_offsets()[i]..location_offsets()[i +
/// 1]]` (leaf first), values `values()[i * k..(i + 1) * k]` with `k` the number of sample
/// types, and labels `labels()[label_offsets()[i]..label_offsets()[i + 1]]`.
///
/// ```
/// use pprof_format::ProfileBuilder;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("cpu", "nanoseconds");
/// let f = b.function("main.f", "m.go", 1);
/// let l = b.location(None, 0, &[(f, 2)]);
/// b.sample(&[l, l], &[30], &[]).sample(&[l], &[10], &[]);
/// let p = b.build().unwrap();
/// let s = p.samples();
/// assert_eq!((s.len(), s.values(), s.location_offsets()), (2, &[30, 10][..], &[0, 2, 3][..]));
/// assert_eq!(s.locations().to_vec(), [0, 0, 0]);
/// assert!(s.labels().is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Samples {
    /// Dense indexes into [`Profile::locations`], all samples back to back (stored as
    /// `u16` when the profile has at most 65,536 locations).
    pub(crate) locations: LocationColumn,
    /// `n + 1` offsets into `locations`.
    pub(crate) location_offsets: Column<u32>,
    /// `n × k` values.
    pub(crate) values: Column<i64>,
    /// All labels back to back (8 bytes per string label).
    pub(crate) labels: LabelColumn,
    /// `n + 1` offsets into `labels`.
    pub(crate) label_offsets: Column<u32>,
}

/// Bytes each sample column holds (see [`Samples::memory`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SampleMemory {
    /// Location indexes: 2 bytes each when the profile has at most 65,536 locations,
    /// else 4.
    pub locations: usize,
    /// Bytes per location index (2 or 4).
    pub location_index_bytes: usize,
    /// Offsets into the location indexes, 4 bytes each.
    pub location_offsets: usize,
    /// Values, 8 bytes each.
    pub values: usize,
    /// Labels: 8 bytes each, and 16 more for each that is not a string label with a
    /// small key and value.
    pub labels: usize,
    /// Labels that take the 16 extra bytes.
    pub spilled_labels: usize,
    /// Offsets into the labels, 4 bytes each.
    pub label_offsets: usize,
}

impl Samples {
    /// Dense indexes into [`Profile::locations`] of all samples, back to back.
    pub fn locations(&self) -> LocationIndexes<'_> {
        self.locations.view()
    }

    /// `len() + 1` offsets into [`Samples::locations`].
    pub fn location_offsets(&self) -> &[u32] {
        &self.location_offsets
    }

    /// `len() × k` values, `k` being the number of sample types.
    pub fn values(&self) -> &[i64] {
        &self.values
    }

    /// The labels of all samples, back to back.
    pub fn labels(&self) -> Labels<'_> {
        self.labels.view()
    }

    /// `len() + 1` offsets into [`Samples::labels`].
    pub fn label_offsets(&self) -> &[u32] {
        &self.label_offsets
    }

    /// What each column holds, in bytes.
    pub fn memory(&self) -> SampleMemory {
        SampleMemory {
            locations: self.locations.len() * self.locations.index_bytes(),
            location_index_bytes: self.locations.index_bytes(),
            location_offsets: self.location_offsets.held_bytes(),
            values: self.values.held_bytes(),
            labels: self.labels.memory_bytes(),
            spilled_labels: self.labels.spilled_len(),
            label_offsets: self.label_offsets.held_bytes(),
        }
    }

    /// Bytes held by the columns other than the location indexes (the memory budget's
    /// measure; the decoder holds those in a column of its own).
    pub(crate) fn held_bytes(&self) -> usize {
        self.location_offsets.held_bytes()
            + self.values.held_bytes()
            + self.labels.memory_bytes()
            + self.label_offsets.held_bytes()
    }

    /// Releases the unused capacity of the columns other than the location indexes
    /// (which the decoder sizes itself).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.values.shrink_to_fit();
        self.labels.shrink_to_fit();
        self.location_offsets.shrink_to_fit();
        self.label_offsets.shrink_to_fit();
    }

    /// An empty sample table (one offset, 0, in each offset column).
    pub fn new() -> Self {
        Samples {
            locations: LocationColumn::new(),
            location_offsets: Column::from(vec![0]),
            values: Column::new(),
            labels: LabelColumn::new(),
            label_offsets: Column::from(vec![0]),
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.location_offsets.len().saturating_sub(1)
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The tables of a profile; shared behind an `Arc` by every clone of a [`Profile`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tables {
    /// `(start, end)` byte spans of each string in the backing buffer.
    pub strings: Vec<(u32, u32)>,
    pub sample_types: Vec<ValueType>,
    pub samples: Samples,
    pub mappings: Vec<Mapping>,
    pub locations: Vec<Location>,
    pub lines: Vec<Line>,
    pub functions: Vec<Function>,
    pub drop_frames: StrId,
    pub keep_frames: StrId,
    pub time_nanos: i64,
    pub duration_nanos: i64,
    pub period_type: Option<ValueType>,
    pub period: i64,
    pub comments: Vec<StrId>,
    pub default_sample_type: StrId,
    pub doc_url: StrId,
}

impl Tables {
    /// Bytes held by the tables other than the samples (the memory budget's measure).
    pub(crate) fn held_bytes(&self) -> usize {
        fn bytes<T>(v: &[T]) -> usize {
            size_of_val(v)
        }
        bytes(&self.strings)
            + bytes(&self.sample_types)
            + bytes(&self.mappings)
            + bytes(&self.locations)
            + bytes(&self.lines)
            + bytes(&self.functions)
            + bytes(&self.comments)
    }

    /// Releases the capacity decoding reserved (see `decode::reserve_once`) and the
    /// sample columns' spare room; in place, without copying.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.strings.shrink_to_fit();
        self.sample_types.shrink_to_fit();
        self.samples.shrink_to_fit();
        self.mappings.shrink_to_fit();
        self.locations.shrink_to_fit();
        self.lines.shrink_to_fit();
        self.functions.shrink_to_fit();
    }
}

/// A decoded pprof profile.
///
/// Strings are spans into one shared buffer (the input itself for raw protobuf, the
/// string table's bytes for gzip input, which is decoded while it inflates, an arena for
/// built profiles), so decoding allocates no string of its own. Cloning is cheap (two reference counts); a `Profile` is `Send + Sync`.
///
/// ```
/// use pprof_format::{Profile, ProfileBuilder};
/// let mut b = ProfileBuilder::new();
/// b.sample_type("cpu", "nanoseconds");
/// let f = b.function("main.main", "main.go", 1);
/// let loc = b.location(None, 0x1000, &[(f, 10)]);
/// b.sample(&[loc], &[250], &[]);
/// let p = b.build().unwrap();
/// let again = Profile::decode(&p.encode()).unwrap();
/// assert_eq!(p, again);
/// assert_eq!(again.string(again.functions()[0].name), "main.main");
/// ```
#[derive(Clone, Debug)]
pub struct Profile {
    pub(crate) buf: Bytes,
    pub(crate) t: Arc<Tables>,
}

impl PartialEq for Profile {
    /// Two profiles are equal when their contents are: same strings (by value, in the same
    /// table order) and same tables; the buffers they borrow from may differ.
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&*self.t, &*other.t);
        a.strings.len() == b.strings.len()
            && (0..a.strings.len()).all(|i| self.bytes_of(i as StrId) == other.bytes_of(i as StrId))
            && a.sample_types == b.sample_types
            && a.samples == b.samples
            && a.mappings == b.mappings
            && a.locations == b.locations
            && a.lines == b.lines
            && a.functions == b.functions
            && a.drop_frames == b.drop_frames
            && a.keep_frames == b.keep_frames
            && a.time_nanos == b.time_nanos
            && a.duration_nanos == b.duration_nanos
            && a.period_type == b.period_type
            && a.period == b.period
            && a.comments == b.comments
            && a.default_sample_type == b.default_sample_type
            && a.doc_url == b.doc_url
    }
}

impl Eq for Profile {}

/// One sample, as a borrowed view into the columnar [`Samples`].
#[derive(Clone, Copy, Debug)]
pub struct Sample<'a> {
    /// Dense location indexes, leaf first.
    pub locations: LocationIndexes<'a>,
    /// One value per sample type.
    pub values: &'a [i64],
    /// The sample's labels in profile order.
    pub labels: Labels<'a>,
}

impl Profile {
    pub(crate) fn from_parts(buf: Bytes, t: Tables) -> Profile {
        Profile {
            buf,
            t: Arc::new(t),
        }
    }

    /// The raw bytes of string `id` (Go strings may hold any bytes); `b""` when out of range.
    pub fn bytes_of(&self, id: StrId) -> &[u8] {
        match self.t.strings.get(id as usize) {
            Some(&(s, e)) => &self.buf[s as usize..e as usize],
            None => b"",
        }
    }

    /// String `id` as text. Invalid UTF-8 is replaced with U+FFFD (use [`Profile::bytes_of`]
    /// for the exact bytes); an id out of range gives `""`.
    pub fn string(&self, id: StrId) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.bytes_of(id))
    }

    /// Number of entries in the string table.
    pub fn string_count(&self) -> usize {
        self.t.strings.len()
    }

    /// The id of `s` in the string table, if present (a linear scan).
    pub fn find_string(&self, s: &str) -> Option<StrId> {
        (0..self.t.strings.len() as StrId).find(|&i| self.bytes_of(i) == s.as_bytes())
    }

    /// The buffer the strings borrow from.
    pub fn buffer(&self) -> &Bytes {
        &self.buf
    }

    /// What each column of sample values measures.
    pub fn sample_types(&self) -> &[ValueType] {
        &self.t.sample_types
    }

    /// All samples, column-wise.
    pub fn samples(&self) -> &Samples {
        &self.t.samples
    }

    /// Number of samples.
    pub fn num_samples(&self) -> usize {
        self.t.samples.len()
    }

    /// Sample `i` as a view; panics if `i >= num_samples()` like slice indexing.
    pub fn sample(&self, i: usize) -> Sample<'_> {
        let s = &self.t.samples;
        let k = self.t.sample_types.len();
        let (l0, l1) = (
            s.location_offsets[i] as usize,
            s.location_offsets[i + 1] as usize,
        );
        let (b0, b1) = (s.label_offsets[i] as usize, s.label_offsets[i + 1] as usize);
        Sample {
            locations: s.locations.range(l0..l1),
            values: &s.values[i * k..(i + 1) * k],
            labels: s.labels.range(b0..b1),
        }
    }

    /// Iterates over all samples.
    pub fn iter_samples(&self) -> impl ExactSizeIterator<Item = Sample<'_>> + '_ {
        (0..self.num_samples()).map(move |i| self.sample(i))
    }

    /// The mapping table.
    pub fn mappings(&self) -> &[Mapping] {
        &self.t.mappings
    }

    /// The location table.
    pub fn locations(&self) -> &[Location] {
        &self.t.locations
    }

    /// All location lines back to back; see [`Location::lines`].
    pub fn lines(&self) -> &[Line] {
        &self.t.lines
    }

    /// The lines of `loc`, callee (innermost inlined frame) first.
    pub fn location_lines(&self, loc: &Location) -> &[Line] {
        &self.t.lines[loc.lines.start as usize..loc.lines.end as usize]
    }

    /// The function table.
    pub fn functions(&self) -> &[Function] {
        &self.t.functions
    }

    /// Regexp of frames to drop (`drop_frames`), as a string id.
    pub fn drop_frames(&self) -> StrId {
        self.t.drop_frames
    }

    /// Regexp of frames to keep (`keep_frames`), as a string id.
    pub fn keep_frames(&self) -> StrId {
        self.t.keep_frames
    }

    /// Collection time in nanoseconds since the epoch.
    pub fn time_nanos(&self) -> i64 {
        self.t.time_nanos
    }

    /// Duration of the collection in nanoseconds.
    pub fn duration_nanos(&self) -> i64 {
        self.t.duration_nanos
    }

    /// What the sampling period measures, when set.
    pub fn period_type(&self) -> Option<ValueType> {
        self.t.period_type
    }

    /// Sampling period in units of the period type.
    pub fn period(&self) -> i64 {
        self.t.period
    }

    /// Free-form comments, as string ids.
    pub fn comments(&self) -> &[StrId] {
        &self.t.comments
    }

    /// The preferred sample type (`default_sample_type`), 0 when unset.
    pub fn default_sample_type(&self) -> StrId {
        self.t.default_sample_type
    }

    /// Documentation link for the profile type (`doc_url`), 0 when unset.
    pub fn doc_url(&self) -> StrId {
        self.t.doc_url
    }
}
