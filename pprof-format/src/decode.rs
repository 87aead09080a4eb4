//! profile.proto → [`Profile`], in one pass over the bytes plus id resolution.
//!
//! Mirrors google/pprof's `ParseUncompressed` + `postDecode` + `CheckValid`: the same
//! inputs are accepted and rejected, the same fields kept (plus the ones google/pprof
//! folds away, such as the order of labels, so that decode → encode → decode is
//! lossless). Like google/pprof, a label with neither a string, a number nor a unit is
//! dropped.

use std::collections::HashMap;

use bytes::Bytes;

use crate::StrId;
use crate::budget::{Budget, grow, push};
use crate::column::{Column, ColumnPool};
use crate::error::{Error, Result};
use crate::labels::Label;
use crate::labels::LabelColumn;
use crate::location_indexes::{LocationColumn, NARROW_LOCATIONS};
use crate::profile::{Function, Line, Location, Mapping, Profile, Samples, Tables, ValueType};
use crate::wire::{Reader, Value, as_bytes, as_varint, for_each_packed, push_varints};

/// A raw string index from the wire (of `field`, at byte `at`) as a `StrId`. An index
/// past `u32::MAX` is beyond any string table (one cannot hold that many entries in a
/// buffer below 4 GiB): it is refused here, with its value, rather than checked against
/// the table once that is known, like the others.
#[inline]
fn sid(raw: u64, field: &'static str, at: usize) -> Result<StrId> {
    StrId::try_from(raw).map_err(|_| Error::Malformed {
        field,
        offset: at,
        what: format!("string index {raw} is beyond any string table"),
    })
}

/// [`as_varint`] of a string index field.
#[inline]
fn str_varint(v: Value<'_>, field: &'static str, at: usize) -> Result<StrId> {
    sid(as_varint(v, field, at)?, field, at)
}

/// Dense index lookup for ids: a vector for the common `1..=n` ids, a map for the rest,
/// like google/pprof's postDecode.
pub(crate) struct IdIndex {
    small: Vec<u32>,
    large: HashMap<u64, u32>,
    /// Ids are exactly `1..=n` in table order (what Go and most writers produce): the
    /// dense index is `id - 1` and lookups need no memory access.
    identity: bool,
}

const NONE: u32 = u32::MAX;

impl IdIndex {
    fn build(ids: impl ExactSizeIterator<Item = u64>, what: &str) -> Result<IdIndex> {
        let n = ids.len();
        let mut small = vec![NONE; n + 1];
        let mut large = HashMap::new();
        for (i, id) in ids.enumerate() {
            if id == 0 {
                return Err(Error::Invalid(format!("found {what} with reserved id=0")));
            }
            let slot = if id <= n as u64 {
                &mut small[id as usize]
            } else {
                large.entry(id).or_insert(NONE)
            };
            if *slot != NONE {
                return Err(Error::Invalid(format!(
                    "multiple {what}s with same id: {id}"
                )));
            }
            *slot = i as u32;
        }
        let identity = large.is_empty()
            && small
                .iter()
                .skip(1)
                .enumerate()
                .all(|(i, &d)| d == i as u32);
        Ok(IdIndex {
            small,
            large,
            identity,
        })
    }

    /// Number of entries (ids) indexed.
    pub(crate) fn len(&self) -> usize {
        self.small.len() - 1
    }

    /// `Some(n)` when ids are exactly `1..=n` in table order.
    #[inline(always)]
    pub(crate) fn identity_len(&self) -> Option<u64> {
        self.identity.then(|| self.small.len() as u64 - 1)
    }

    /// The dense index of `id`.
    #[inline(always)]
    pub(crate) fn get(&self, id: u64) -> Option<u32> {
        if self.identity {
            return (id.wrapping_sub(1) < self.small.len() as u64 - 1).then(|| (id - 1) as u32);
        }
        let i = if id < self.small.len() as u64 {
            self.small[id as usize]
        } else {
            *self.large.get(&id)?
        };
        (i != NONE).then_some(i)
    }
}

/// How the location ids of a sample become dense indexes while samples are decoded.
pub(crate) trait LocationIds {
    /// `Some(n)` when id `i` has index `i - 1` for `1..=n` and no other id is known.
    fn identity_len(&self) -> Option<u64>;
    /// The dense index of `id`, `None` when unknown.
    fn get(&self, id: u64) -> Option<u32>;
}

impl LocationIds for IdIndex {
    #[inline(always)]
    fn identity_len(&self) -> Option<u64> {
        IdIndex::identity_len(self)
    }
    #[inline(always)]
    fn get(&self, id: u64) -> Option<u32> {
        IdIndex::get(self, id)
    }
}

/// Decodes an uncompressed profile.proto message held in `buf`.
pub(crate) fn decode_proto(
    buf: Bytes,
    budget: Budget,
    pool: Option<&ColumnPool>,
) -> Result<Profile> {
    if buf.is_empty() {
        return Err(Error::Empty);
    }
    if buf.len() > u32::MAX as usize {
        return Err(Error::Invalid(format!(
            "profile of {} bytes exceeds the 4 GiB supported by string spans",
            buf.len()
        )));
    }
    let data: &[u8] = &buf;
    let mut t = Tables {
        samples: Samples::new(),
        ..Tables::default()
    };
    let mut refs = TableRefs::default();
    let (mut n_samples, mut sample_bytes) = (0usize, 0usize);

    // Pass 1: everything but samples. Samples are decoded in pass 2, once the location
    // table (which encoders write after the samples) is known, so that their location
    // ids are resolved on the fly and the sample columns are sized up front.
    let mut r = Reader::new(data, 0, "Profile");
    loop {
        let at = r.offset();
        if r.peek_byte() == Some(SAMPLE_TAG as u8) {
            // The common field first, without the generic dispatch.
            r.varint()?;
            sample_bytes += r.payload(at)?.0.len();
            n_samples += 1;
            continue;
        }
        let Some((num, v)) = r.field()? else { break };
        if num == 2 {
            sample_bytes += as_bytes(v, "Profile.sample", at)?.0.len();
            n_samples += 1;
            continue;
        }
        table_field(&mut t, &mut refs, num, v, at, data.len() - at, |b, off| {
            Ok((off as u32, (off + b.len()) as u32))
        })?;
    }

    let locations = finish_tables(&mut t, refs)?;

    // Pass 2: samples. Every varint takes at least one byte, so the payload size bounds
    // the number of location ids; a valid profile has exactly `n × k` values. Capacity
    // that is never touched costs no resident memory (see `Column`).
    let k = t.sample_types.len();
    if n_samples > 0 && k == 0 {
        return Err(Error::Invalid("missing sample type information".into()));
    }
    // At most one string per byte of a buffer below 4 GiB (checked above).
    let n_strings = t.strings.len() as u32;
    // What the sample columns need at least (the offsets and values, whose counts are
    // known now; the location indexes and labels are checked as they grow), before any
    // of it is allocated: a profile declaring billions of samples stops here.
    let columns = n_samples.saturating_mul(8usize.saturating_add(k.saturating_mul(8)));
    budget.check(
        buf.len()
            .saturating_add(t.held_bytes())
            .saturating_add(columns),
    )?;
    let s = &mut t.samples;
    s.location_offsets = Column::with_capacity_in(n_samples + 1, pool);
    s.location_offsets.push(0);
    // All zeros up to the first labelled sample (so all of it in a profile without
    // labels): the zeros then cost no memory.
    s.label_offsets = Column::with_capacity_mostly_zero_in(n_samples + 1, pool);
    s.label_offsets.push(0);
    s.values = Column::with_capacity_in(n_samples.saturating_mul(k), pool);
    // A label takes at least 4 bytes on the wire: reserving for that many costs address
    // space only, and saves the copies of growing the table.
    s.labels = LabelColumn::with_capacity_in(sample_bytes / 4, pool);
    // Location indexes are dense, so with at most 65,536 locations they fit in a u16:
    // half the memory of the largest column.
    let pass = Pass2 {
        data,
        n_samples,
        sample_bytes,
        locations: &locations,
        k,
        n_strings,
        budget,
        pool,
    };
    s.locations = if locations.len() <= NARROW_LOCATIONS {
        LocationColumn::from_u16(decode_samples(s, &pass)?)
    } else {
        LocationColumn::from_u32(decode_samples(s, &pass)?)
    };
    t.shrink_to_fit();
    Ok(Profile::from_parts(buf, t))
}

/// The tag of a `Profile.sample` field (field 2, length-delimited).
pub(crate) const SAMPLE_TAG: u64 = 2 << 3 | 2;

/// What locations refer to by id, kept until the tables they refer into are complete.
#[derive(Default)]
pub(crate) struct TableRefs {
    pub(crate) mapping_ids: Vec<u64>,
    pub(crate) line_fn_ids: Vec<u64>,
}

/// Room, in a table not yet written, for as many entries as `rest` bytes of input could
/// hold (an entry takes at least two bytes on the wire), so that the table is never
/// regrown: each regrowth copies it and leaves the old copy to the allocator, which for a
/// profile of a megabyte added a quarter of its size to the peak. Capacity that is never
/// written costs address space only; when even that cannot be had, the table grows.
fn reserve_once<T>(table: &mut Vec<T>, rest: usize) {
    if table.capacity() == 0 {
        let _ = table.try_reserve_exact(rest / 2 + 1);
    }
}

/// One top-level field of a profile other than a sample (field `num`, value `v`, tag at
/// byte `at`, `rest` bytes of input from there on), into `t`. `span` gives the span a
/// `string_table` entry gets in the profile's buffer from the entry's bytes and their
/// offset in the input.
pub(crate) fn table_field(
    t: &mut Tables,
    refs: &mut TableRefs,
    num: u64,
    v: Value<'_>,
    at: usize,
    rest: usize,
    span: impl FnOnce(&[u8], usize) -> Result<(u32, u32)>,
) -> Result<()> {
    match num {
        3 => reserve_once(&mut t.mappings, rest),
        4 => {
            reserve_once(&mut t.locations, rest);
            reserve_once(&mut refs.mapping_ids, rest);
            reserve_once(&mut t.lines, rest);
            reserve_once(&mut refs.line_fn_ids, rest);
        }
        5 => reserve_once(&mut t.functions, rest),
        6 => reserve_once(&mut t.strings, rest),
        _ => {}
    }
    match num {
        1 => push(
            &mut t.sample_types,
            value_type(v, "Profile.sample_type", at)?,
        )?,
        3 => push(&mut t.mappings, decode_mapping(v, at)?)?,
        4 => {
            let (loc, mapping_id) = decode_location(v, at, &mut t.lines, &mut refs.line_fn_ids)?;
            push(&mut t.locations, loc)?;
            push(&mut refs.mapping_ids, mapping_id)?;
        }
        5 => push(&mut t.functions, decode_function(v, at)?)?,
        6 => {
            let (b, off) = as_bytes(v, "Profile.string_table", at)?;
            if t.strings.is_empty() && !b.is_empty() {
                return Err(Error::Malformed {
                    field: "Profile.string_table",
                    offset: at,
                    what: "string_table[0] must be ''".into(),
                });
            }
            let span = span(b, off)?;
            push(&mut t.strings, span)?;
        }
        7 => t.drop_frames = str_varint(v, "Profile.drop_frames", at)?,
        8 => t.keep_frames = str_varint(v, "Profile.keep_frames", at)?,
        9 => {
            if t.time_nanos != 0 {
                // A second time_nanos means two profiles were concatenated, which
                // google/pprof refuses rather than silently mixing them.
                return Err(Error::Invalid(format!(
                    "concatenated profiles detected (second time_nanos at byte {at})"
                )));
            }
            t.time_nanos = as_varint(v, "Profile.time_nanos", at)? as i64;
        }
        10 => t.duration_nanos = as_varint(v, "Profile.duration_nanos", at)? as i64,
        11 => {
            t.period_type = Some(value_type(v, "Profile.period_type", at)?);
        }
        12 => t.period = as_varint(v, "Profile.period", at)? as i64,
        13 => {
            let mut c = Vec::new();
            push_varints(v, &mut c, "Profile.comment", at)?;
            grow(&mut t.comments, c.len())?;
            for raw in c {
                t.comments.push(sid(raw, "Profile.comment", at)?);
            }
        }
        14 => t.default_sample_type = str_varint(v, "Profile.default_sample_type", at)?,
        15 => t.doc_url = str_varint(v, "Profile.doc_url", at)?,
        _ => {} // unknown fields are skipped, as protobuf requires
    }
    Ok(())
}

/// Checks the string indexes of the tables and resolves their ids (see [`resolve`]);
/// returns the location id index that samples are resolved with.
pub(crate) fn finish_tables(t: &mut Tables, refs: TableRefs) -> Result<IdIndex> {
    check_strings(t)?;
    resolve(t, &refs.mapping_ids, &refs.line_fn_ids)
}

/// What pass 2 reads the samples with.
struct Pass2<'a> {
    data: &'a [u8],
    /// Samples counted by pass 1, and their bytes on the wire.
    n_samples: usize,
    sample_bytes: usize,
    locations: &'a IdIndex,
    /// Sample types.
    k: usize,
    n_strings: u32,
    budget: Budget,
    pool: Option<&'a ColumnPool>,
}

/// Pass 2: every `Sample` message of the profile, appended to `s`; returns the location
/// index column (of `u16` or `u32`).
fn decode_samples<T: LocIndex>(s: &mut Samples, p: &Pass2<'_>) -> Result<Column<T>> {
    let mut locs = Column::<T>::with_capacity_in(p.sample_bytes, p.pool);
    reserve_samples(s, &mut locs, p.n_samples, p.sample_bytes, p.k)?;
    let mut r = Reader::new(p.data, 0, "Profile");
    // The input and the tables, held throughout.
    let fixed = p.data.len();
    let mut next_check = BUDGET_CHECK_SAMPLES;
    while !r.at_end() {
        let at = r.offset();
        let tag = r.varint()?;
        if tag == SAMPLE_TAG {
            let (b, off) = r.payload(at)?;
            decode_sample(b, off, s, &mut locs, p.locations, p.k, p.n_strings)?;
            next_check -= 1;
            if next_check == 0 {
                next_check = BUDGET_CHECK_SAMPLES;
                p.budget.check(fixed + s.held_bytes() + locs.held_bytes())?;
            }
        } else {
            r.skip(tag, at)?;
        }
    }
    locs.shrink_to_fit();
    Ok(locs)
}

/// Room, fallibly, in the sample columns for `n` more samples taking `bytes` bytes on
/// the wire with `k` values each: an offset and `k` values per sample, at most one
/// location id per byte. Where the columns were sized from the same counts this only
/// compares; where they could not be, this is where the allocation fails, as an error.
pub(crate) fn reserve_samples<T: LocIndex>(
    s: &mut Samples,
    locs: &mut Column<T>,
    n: usize,
    bytes: usize,
    k: usize,
) -> Result<()> {
    s.location_offsets.try_reserve(n)?;
    s.label_offsets.try_reserve(n)?;
    s.values.try_reserve(n.saturating_mul(k))?;
    locs.try_reserve(bytes)
}

/// Samples decoded between two comparisons of the columns with the memory budget: the
/// columns grow by at most a few bytes per input byte, so the budget is passed by little.
const BUDGET_CHECK_SAMPLES: usize = 1 << 14;

/// The element type of the location index column while decoding (`u16` or `u32`).
pub(crate) trait LocIndex: bytemuck::Pod {
    /// The largest index the width holds.
    const MAX: u64;
    /// `i` truncated to the width; callers only pass indexes below the location count,
    /// which was checked to fit.
    fn from_index(i: u64) -> Self;
    fn to_u64(self) -> u64;
}

impl LocIndex for u16 {
    const MAX: u64 = u16::MAX as u64;
    #[inline(always)]
    fn from_index(i: u64) -> Self {
        i as u16
    }
    #[inline(always)]
    fn to_u64(self) -> u64 {
        u64::from(self)
    }
}

impl LocIndex for u32 {
    const MAX: u64 = u32::MAX as u64;
    #[inline(always)]
    fn from_index(i: u64) -> Self {
        i as u32
    }
    #[inline(always)]
    fn to_u64(self) -> u64 {
        u64::from(self)
    }
}

fn value_type(v: Value<'_>, field: &'static str, at: usize) -> Result<ValueType> {
    let (b, off) = as_bytes(v, field, at)?;
    let mut r = Reader::new(b, off, "ValueType");
    let mut vt = ValueType::default();
    loop {
        let at = r.offset();
        let Some((num, v)) = r.field()? else { break };
        match num {
            1 => vt.ty = str_varint(v, "ValueType.type", at)?,
            2 => vt.unit = str_varint(v, "ValueType.unit", at)?,
            _ => {}
        }
    }
    Ok(vt)
}

/// One `Sample` message, appended to the columns. The caller has made room (see
/// [`reserve_samples`]) for what valid samples of the bytes given add; what an invalid
/// one adds beyond that (more values, labels) grows the columns fallibly. The tags of fields 1–3 are compared as
/// whole varints (an if-chain, not a jump table: this loop runs once per field of every
/// sample); anything else is skipped or, for a known field of the wrong wire type,
/// rejected like google/pprof does.
#[inline]
pub(crate) fn decode_sample<T: LocIndex>(
    b: &[u8],
    off: usize,
    s: &mut Samples,
    locs: &mut Column<T>,
    locations: &impl LocationIds,
    k: usize,
    n_strings: u32,
) -> Result<()> {
    const LOCS_PACKED: u64 = 1 << 3 | 2;
    const LOC: u64 = 1 << 3;
    const VALUES_PACKED: u64 = 2 << 3 | 2;
    const VALUE: u64 = 2 << 3;
    const LABEL: u64 = 3 << 3 | 2;
    let mut r = Reader::new(b, off, "Sample");
    let values_before = s.values.len();
    let unknown_location = |id: u64| {
        Error::Invalid(format!(
            "a sample refers to location id {id}, which is not in the location table"
        ))
    };
    while !r.at_end() {
        let at = r.offset();
        let tag = r.varint()?;
        if tag == LOCS_PACKED {
            let (p, poff) = r.payload(at)?;
            let field = "Sample.location_id";
            if let Some(n) = locations.identity_len() {
                // Branch-free per id: collect "any id out of 1..=n" and look for it only
                // when there is one.
                let mut bad = false;
                locs.append_with(p.len(), |out| {
                    // Locals, not the captured `bad` and `n`: kept in registers, they
                    // spare the loop a store and a load per id.
                    let (mut k, mut any_bad, n) = (0, false, n);
                    for_each_packed(p, poff, field, |id| {
                        let i = id.wrapping_sub(1);
                        any_bad |= i >= n;
                        out[k] = T::from_index(i);
                        k += 1;
                    })?;
                    bad = any_bad;
                    Ok(k)
                })?;
                if bad {
                    let mut first = None;
                    for_each_packed(p, poff, field, |id| {
                        if id.wrapping_sub(1) >= n {
                            first.get_or_insert(id);
                        }
                    })?;
                    return Err(unknown_location(first.unwrap_or(0)));
                }
            } else {
                let mut unknown = None;
                for_each_packed(p, poff, field, |id| match locations.get(id) {
                    Some(i) => locs.push(T::from_index(u64::from(i))),
                    None => {
                        unknown.get_or_insert(id);
                    }
                })?;
                if let Some(id) = unknown {
                    return Err(unknown_location(id));
                }
            }
        } else if tag == VALUES_PACKED {
            let (p, poff) = r.payload(at)?;
            s.values.append_with(p.len(), |out| {
                let mut k = 0;
                for_each_packed(p, poff, "Sample.value", |v| {
                    out[k] = v as i64;
                    k += 1;
                })
                .map(|()| k)
            })?;
        } else if tag == LABEL {
            let (lb, loff) = r.payload(at)?;
            let l = decode_label(lb, loff)?;
            if l.key.max(l.str).max(l.num_unit) >= n_strings {
                return Err(bad_label_strings(&l, u64::from(n_strings)));
            }
            // A label with neither a string, a number nor a unit says nothing on the
            // wire; google/pprof's decoder drops it, and so do we, so that a label the
            // model does hold (a legacy heap sample's `bytes: 0`) is always shown.
            if l.str != 0 || l.num != 0 || l.num_unit != 0 {
                s.labels.try_push(l)?;
            }
        } else if tag == VALUE {
            let v = r.varint_value()? as i64;
            s.values.try_reserve(1)?;
            s.values.push(v);
        } else if tag == LOC {
            let id = r.varint()?;
            let i = locations.get(id).ok_or_else(|| unknown_location(id))?;
            locs.push(T::from_index(u64::from(i)));
        } else if matches!(tag >> 3, 1..=3) {
            return Err(Error::Malformed {
                field: "Sample",
                offset: at,
                what: format!(
                    "type mismatch (wire type {} for field {})",
                    tag & 7,
                    tag >> 3
                ),
            });
        } else {
            r.skip(tag, at)?;
        }
    }
    let count = s.values.len() - values_before;
    if count != k {
        return Err(Error::Invalid(format!(
            "mismatch: sample {} has {count} values vs. {k} types",
            s.location_offsets.len() - 1
        )));
    }
    s.location_offsets.push(offset32(locs.len())?);
    s.label_offsets.push_sparse(offset32(s.labels.len())?);
    Ok(())
}

fn offset32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::Invalid("more than 4 billion entries in one table".into()))
}

#[inline(always)]
fn decode_label(b: &[u8], off: usize) -> Result<Label> {
    let mut r = Reader::new(b, off, "Label");
    let mut l = Label::default();
    while !r.at_end() {
        let at = r.offset();
        let tag = r.varint()?;
        match tag {
            0x08 => l.key = sid(r.varint()?, "Label.key", at)?,
            0x10 => l.str = sid(r.varint()?, "Label.str", at)?,
            0x18 => l.num = r.varint()? as i64,
            0x20 => l.num_unit = sid(r.varint()?, "Label.num_unit", at)?,
            _ if matches!(tag >> 3, 1..=4) => {
                return Err(Error::Malformed {
                    field: "Label",
                    offset: at,
                    what: "type mismatch (expected a varint)".into(),
                });
            }
            _ => r.skip(tag, at)?,
        }
    }
    Ok(l)
}

fn decode_mapping(v: Value<'_>, at: usize) -> Result<Mapping> {
    let (b, off) = as_bytes(v, "Profile.mapping", at)?;
    let mut r = Reader::new(b, off, "Mapping");
    let mut m = Mapping::default();
    loop {
        let at = r.offset();
        let Some((num, v)) = r.field()? else { break };
        let f = |name| as_varint(v, name, at);
        match num {
            1 => m.id = f("Mapping.id")?,
            2 => m.memory_start = f("Mapping.memory_start")?,
            3 => m.memory_limit = f("Mapping.memory_limit")?,
            4 => m.file_offset = f("Mapping.file_offset")?,
            5 => m.filename = sid(f("Mapping.filename")?, "Mapping.filename", at)?,
            6 => m.build_id = sid(f("Mapping.build_id")?, "Mapping.build_id", at)?,
            7 => m.has_functions = f("Mapping.has_functions")? != 0,
            8 => m.has_filenames = f("Mapping.has_filenames")? != 0,
            9 => m.has_line_numbers = f("Mapping.has_line_numbers")? != 0,
            10 => m.has_inline_frames = f("Mapping.has_inline_frames")? != 0,
            _ => {}
        }
    }
    Ok(m)
}

fn decode_location(
    v: Value<'_>,
    at: usize,
    lines: &mut Vec<Line>,
    line_fn_ids: &mut Vec<u64>,
) -> Result<(Location, u64)> {
    let (b, off) = as_bytes(v, "Profile.location", at)?;
    let mut r = Reader::new(b, off, "Location");
    let mut loc = Location::default();
    let mut mapping_id = 0;
    let start = offset32(lines.len())?;
    loop {
        let at = r.offset();
        let Some((num, v)) = r.field()? else { break };
        match num {
            1 => loc.id = as_varint(v, "Location.id", at)?,
            2 => mapping_id = as_varint(v, "Location.mapping_id", at)?,
            3 => loc.address = as_varint(v, "Location.address", at)?,
            4 => {
                let (lb, loff) = as_bytes(v, "Location.line", at)?;
                let mut lr = Reader::new(lb, loff, "Line");
                let mut line = Line::default();
                let mut fid = 0;
                loop {
                    let at = lr.offset();
                    let Some((num, v)) = lr.field()? else { break };
                    match num {
                        1 => fid = as_varint(v, "Line.function_id", at)?,
                        2 => line.line = as_varint(v, "Line.line", at)? as i64,
                        3 => line.column = as_varint(v, "Line.column", at)? as i64,
                        _ => {}
                    }
                }
                push(lines, line)?;
                push(line_fn_ids, fid)?;
            }
            5 => loc.is_folded = as_varint(v, "Location.is_folded", at)? != 0,
            _ => {}
        }
    }
    loc.lines = start..offset32(lines.len())?;
    Ok((loc, mapping_id))
}

fn decode_function(v: Value<'_>, at: usize) -> Result<Function> {
    let (b, off) = as_bytes(v, "Profile.function", at)?;
    let mut r = Reader::new(b, off, "Function");
    let mut f = Function::default();
    loop {
        let at = r.offset();
        let Some((num, v)) = r.field()? else { break };
        match num {
            1 => f.id = as_varint(v, "Function.id", at)?,
            2 => f.name = str_varint(v, "Function.name", at)?,
            3 => f.system_name = str_varint(v, "Function.system_name", at)?,
            4 => f.filename = str_varint(v, "Function.filename", at)?,
            5 => f.start_line = as_varint(v, "Function.start_line", at)? as i64,
            _ => {}
        }
    }
    Ok(f)
}

/// The error for a string index `id` outside a table of `n` strings.
fn bad_string(what: &str, id: StrId, n: u64) -> Error {
    Error::Malformed {
        field: "Profile.string_table",
        offset: 0,
        what: format!("{what} refers to string {id} but the table has {n} strings"),
    }
}

/// The string indexes of a label must fall inside the string table of `n` strings.
#[cold]
fn bad_label_strings(l: &Label, n: u64) -> Error {
    let (what, id) = [
        ("label key", l.key),
        ("label value", l.str),
        ("label unit", l.num_unit),
    ]
    .into_iter()
    .find(|&(_, id)| u64::from(id) >= n)
    .unwrap_or(("label", l.key));
    bad_string(what, id, n)
}

/// Every string index of the tables read in pass 1 must fall inside the string table
/// (google/pprof's `getString`); labels are checked as the samples are decoded.
fn check_strings(t: &Tables) -> Result<()> {
    let n = t.strings.len() as u64;
    let bad = |what: &str, id: StrId| -> Result<()> {
        if u64::from(id) >= n {
            Err(bad_string(what, id, n))
        } else {
            Ok(())
        }
    };
    if n == 0 {
        return Err(Error::Malformed {
            field: "Profile.string_table",
            offset: 0,
            what: "no string table".into(),
        });
    }
    for vt in t.sample_types.iter().chain(t.period_type.iter()) {
        bad("value type", vt.ty)?;
        bad("value type unit", vt.unit)?;
    }
    for m in &t.mappings {
        bad("mapping filename", m.filename)?;
        bad("mapping build id", m.build_id)?;
    }
    for f in &t.functions {
        bad("function name", f.name)?;
        bad("function system name", f.system_name)?;
        bad("function filename", f.filename)?;
    }
    for &c in &t.comments {
        bad("comment", c)?;
    }
    bad("drop_frames", t.drop_frames)?;
    bad("keep_frames", t.keep_frames)?;
    bad("default_sample_type", t.default_sample_type)?;
    bad("doc_url", t.doc_url)
}

/// Turns ids into dense indexes and applies google/pprof's `CheckValid` reference rules
/// to the tables; returns the location id index that samples are resolved with.
fn resolve(t: &mut Tables, mapping_ids: &[u64], line_fn_ids: &[u64]) -> Result<IdIndex> {
    let mappings = IdIndex::build(t.mappings.iter().map(|m| m.id), "mapping")?;
    let functions = IdIndex::build(t.functions.iter().map(|f| f.id), "function")?;
    let locations = IdIndex::build(t.locations.iter().map(|l| l.id), "location")?;

    for (line, &fid) in t.lines.iter_mut().zip(line_fn_ids) {
        line.function = functions.get(fid).ok_or_else(|| {
            Error::Invalid(format!(
                "a location line refers to function id {fid}, which is not in the function table"
            ))
        })?;
    }
    for (loc, &mid) in t.locations.iter_mut().zip(mapping_ids) {
        // An unknown mapping id leaves the location unmapped, as in google/pprof.
        loc.mapping = if mid == 0 { None } else { mappings.get(mid) };
    }
    Ok(locations)
}
