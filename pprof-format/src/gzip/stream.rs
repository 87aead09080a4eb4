//! Gzip input decoded while it inflates: only a window of inflated bytes, the string
//! table's bytes and the decoded columns are ever held, never the whole inflated
//! protobuf (which for a large profile is as big as all its columns together).
//!
//! The in-memory decoder ([`crate::decode`]) reads the protobuf twice: the tables, then
//! the samples with their location ids resolved against the location table, which
//! encoders write after the samples. A stream is read once, so here a sample's location
//! ids are kept as `id - 1` and resolved when the stream ends, and the checks that need a
//! table written later (label strings, location ids) run then too. Whatever this path
//! cannot finish the same way — an error of any kind, ids that do not fit, sample types
//! after samples, a legacy text profile — is handed back to the in-memory decoder, so the
//! results and errors of both paths are the same by construction; only memory differs.

use std::io::Read;

use bytes::Bytes;

use super::{gzip_message, inflated_size_hint};
use crate::column::{Column, ColumnPool};
use crate::decode::{
    IdIndex, LocIndex, LocationIds, SAMPLE_TAG, TableRefs, decode_sample, finish_tables,
    reserve_samples, table_field,
};
use crate::error::{Error, Result};
use crate::labels::LabelColumn;
use crate::location_indexes::{LocationColumn, NARROW_LOCATIONS};
use crate::options::DecodeOptions;
use crate::profile::{Profile, Samples, Tables};
use crate::read_ahead::read_ahead;
use crate::wire::{Reader, Value, as_bytes};

/// Most inflated bytes held at a time (grown for a larger top-level message): small
/// enough to stay in the cache between inflating and decoding.
const WINDOW: usize = 256 << 10;

/// Decodes the gzip-compressed profile `data`, inflating at most
/// [`DecodeOptions::inflate_limit`] bytes.
/// `Ok(None)`: this path cannot decide; the caller decodes the input in memory.
/// `Err`: the gzip stream itself is bad or too large, which the in-memory path would
/// report the same way.
/// The memory budget is checked at every refill of the window (so a bomb stops within
/// a window's worth of growth past it), and an allocation refused or a budget passed is
/// an error here, not a reason to try the in-memory path.
pub(crate) fn decode(data: &[u8], opts: &DecodeOptions) -> Result<Option<Profile>> {
    // A sixteenth of a small profile: the window is not what it costs most.
    let window = (inflated_size_hint(data, opts.inflate_limit()) / 16).clamp(4 << 10, WINDOW);
    decode_windowed(data, opts, window)
}

fn decode_windowed(data: &[u8], opts: &DecodeOptions, window: usize) -> Result<Option<Profile>> {
    let hint = inflated_size_hint(data, opts.inflate_limit());
    let src = flate2::read::MultiGzDecoder::new(data);
    // Inflating and decoding take about as long as each other: on two threads, a large
    // profile decodes in about half the time.
    if data.len() >= READ_AHEAD_FROM && crate::read_ahead::worthwhile() {
        read_ahead(src, window, |r| decode_from(r, hint, opts, window))
    } else {
        decode_from(src, hint, opts, window)
    }
}

/// Gzip input at least this large is inflated on another thread.
const READ_AHEAD_FROM: usize = 64 << 10;

fn decode_from(
    src: impl Read,
    hint: usize,
    opts: &DecodeOptions,
    window: usize,
) -> Result<Option<Profile>> {
    let mut w = Window::new(src, window, opts);
    let mut d = StreamDecoder::new(hint, opts.column_pool.clone());
    loop {
        opts.budget()
            .check(d.held_bytes().saturating_add(w.buf.len()))?;
        w.refill()?;
        if w.base + w.end > u32::MAX as usize {
            // Past what string spans address: the in-memory path says so.
            return Ok(None);
        }
        d.reserve_window(w.end - w.pos)?;
        let avail = &w.buf[w.pos..w.end];
        let mut r = Reader::new(avail, w.base + w.pos, "Profile");
        let mut want = None;
        loop {
            let at = r.offset();
            let step = if r.peek_byte() == Some(SAMPLE_TAG as u8) {
                // The common field first, without the generic dispatch.
                r.varint()
                    .and_then(|_| r.payload(at))
                    .map(|(b, off)| Some((2, Value::Bytes(b, off))))
            } else {
                r.field()
            };
            let rest = w.base + w.end - at;
            match step {
                Ok(Some((num, v))) => match d.field(num, v, at) {
                    Ok(()) => {}
                    Err(e @ (Error::OverBudget { .. } | Error::OutOfMemory { .. })) => {
                        return Err(e);
                    }
                    Err(_) => return Ok(None),
                },
                Ok(None) => break,
                // A field cut by the window's end: read on from its tag.
                Err(Error::Truncated { needed, .. }) => {
                    want = Some((at, rest.saturating_add(needed)));
                    break;
                }
                // A varint (tag or length, 10 bytes at most each) may be cut too.
                Err(_) if rest < 20 => {
                    want = Some((at, rest + 1));
                    break;
                }
                Err(_) => return Ok(None),
            }
        }
        match want {
            None if w.eof => break,
            None => w.consume_to(w.base + w.end, 0),
            Some(_) if w.eof => return Ok(None),
            Some((at, n)) => w.consume_to(at, n),
        }
    }
    if w.base + w.end == 0 {
        return Ok(None);
    }
    Ok(d.finish().ok())
}

/// The inflated bytes not decoded yet, read from `src` as the decoder needs them.
struct Window<'o, R> {
    src: R,
    buf: Vec<u8>,
    /// Unread bytes: `buf[pos..end]`.
    pos: usize,
    end: usize,
    /// Offset of `buf[0]` in the inflated stream.
    base: usize,
    /// Unread bytes wanted before decoding goes on.
    want: usize,
    eof: bool,
    /// The inflate limit and the budget.
    opts: &'o DecodeOptions,
}

impl<'o, R: Read> Window<'o, R> {
    fn new(src: R, window: usize, opts: &'o DecodeOptions) -> Self {
        Window {
            src,
            buf: vec![0; window.max(1)],
            pos: 0,
            end: 0,
            base: 0,
            want: 1,
            eof: false,
            opts,
        }
    }

    /// Marks the bytes before stream offset `at` as decoded and asks for at least
    /// `want` unread bytes from there.
    fn consume_to(&mut self, at: usize, want: usize) {
        self.pos = at - self.base;
        self.want = want.max(1);
    }

    /// Moves the unread bytes to the front and reads until the window is full (and holds
    /// the bytes wanted) or the stream ends.
    fn refill(&mut self) -> Result<()> {
        self.buf.copy_within(self.pos..self.end, 0);
        self.base += self.pos;
        self.end -= self.pos;
        self.pos = 0;
        while !self.eof {
            if self.end == self.buf.len() {
                if self.end >= self.want {
                    break;
                }
                // Grown as bytes arrive, not to `want` at once: `want` comes from a
                // length on the wire, which the stream may not back.
                let have = self.buf.len();
                let grown = have.saturating_mul(2);
                crate::budget::grow(&mut self.buf, grown - have)?;
                self.buf.resize(grown, 0);
            }
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::Gzip(gzip_message(&e))),
            }
            if self.base + self.end > self.opts.inflate_limit() {
                return Err(self.opts.too_large());
            }
        }
        Ok(())
    }
}

/// The location index column while the location table is unknown: `id - 1` per id,
/// `u16` while every id fits.
enum Locs {
    U16(Column<u16>),
    U32(Column<u32>),
}

/// Location ids taken as `id - 1` for ids `1..=bound`, resolved once the stream ends.
struct Deferred(u64);

impl LocationIds for Deferred {
    #[inline(always)]
    fn identity_len(&self) -> Option<u64> {
        Some(self.0)
    }
    #[inline(always)]
    fn get(&self, id: u64) -> Option<u32> {
        let i = id.wrapping_sub(1);
        (i < self.0).then_some(i as u32)
    }
}

/// Everything decoded so far.
struct StreamDecoder {
    t: Tables,
    refs: TableRefs,
    /// The string table's bytes, back to back: the profile's buffer.
    strings: Vec<u8>,
    locs: Locs,
    /// Upper bound of the inflated size, for the columns' reservations.
    hint: usize,
    pool: Option<ColumnPool>,
    n_samples: usize,
}

impl StreamDecoder {
    fn new(hint: usize, pool: Option<ColumnPool>) -> Self {
        // Reservations from upper bounds (a sample takes at least 2 bytes on the wire,
        // a location id or value 1, a label 4): address space only, see `Column`.
        let p = pool.as_ref();
        let samples = Samples {
            locations: LocationColumn::new(),
            location_offsets: Column::with_capacity_in(hint / 2 + 2, p),
            values: Column::with_capacity_in(hint, p),
            labels: LabelColumn::with_capacity_in(hint / 4 + 1, p),
            label_offsets: Column::with_capacity_mostly_zero_in(hint / 2 + 2, p),
        };
        let mut t = Tables {
            samples,
            ..Tables::default()
        };
        t.samples.location_offsets.push(0);
        t.samples.label_offsets.push(0);
        StreamDecoder {
            t,
            refs: TableRefs::default(),
            strings: Vec::new(),
            locs: Locs::U16(Column::with_capacity_in(hint, p)),
            hint,
            pool,
            n_samples: 0,
        }
    }

    /// Room in the sample columns for the valid samples `bytes` more bytes can hold: each
    /// takes a tag, a length and `k` values of a byte or more. (An invalid sample hands
    /// the input to the in-memory decoder.)
    fn reserve_window(&mut self, bytes: usize) -> Result<()> {
        let k = self.t.sample_types.len().max(1);
        let n = bytes / (k + 2) + 1;
        let s = &mut self.t.samples;
        match &mut self.locs {
            Locs::U16(c) => reserve_samples(s, c, n, bytes, k),
            Locs::U32(c) => reserve_samples(s, c, n, bytes, k),
        }
    }

    /// Bytes held by what has been decoded so far (the memory budget's measure).
    fn held_bytes(&self) -> usize {
        let locs = match &self.locs {
            Locs::U16(c) => c.held_bytes(),
            Locs::U32(c) => c.held_bytes(),
        };
        self.t.held_bytes()
            + self.t.samples.held_bytes()
            + locs
            + self.strings.len()
            + (self.refs.mapping_ids.len() + self.refs.line_fn_ids.len()) * 8
    }

    /// One top-level field (tag at stream offset `at`).
    fn field(&mut self, num: u64, v: Value<'_>, at: usize) -> Result<()> {
        if num == 2 {
            let (b, off) = as_bytes(v, "Profile.sample", at)?;
            return self.sample(b, off);
        }
        if num == 1 && self.n_samples > 0 {
            // Samples already decoded were checked against fewer sample types.
            return Err(Error::Invalid("sample type after samples".into()));
        }
        let strings = &mut self.strings;
        if num == 6 && strings.capacity() == 0 {
            // At most the rest of the input (see `table_field`).
            let _ = strings.try_reserve_exact(self.hint.saturating_sub(at));
        }
        let rest = self.hint.saturating_sub(at);
        table_field(&mut self.t, &mut self.refs, num, v, at, rest, |b, _| {
            let start = strings.len();
            crate::budget::grow(strings, b.len())?;
            strings.extend_from_slice(b);
            // Below 4 GiB: the stream is (checked by the caller).
            Ok((start as u32, strings.len() as u32))
        })
    }

    /// One sample; an id that does not fit a `u16` widens the column and the sample is
    /// decoded again.
    fn sample(&mut self, b: &[u8], off: usize) -> Result<()> {
        let k = self.t.sample_types.len();
        let s = &mut self.t.samples;
        // Label string indexes are checked in `finish`, once the string table is known.
        let decoded = match &mut self.locs {
            Locs::U16(c) => decode_sample(
                b,
                off,
                s,
                c,
                &Deferred(NARROW_LOCATIONS as u64),
                k,
                u32::MAX,
            ),
            Locs::U32(c) => decode_sample(b, off, s, c, &Deferred(1 << 32), k, u32::MAX),
        };
        if let Err(e) = decoded {
            if matches!(self.locs, Locs::U32(_)) {
                return Err(e);
            }
            self.rollback(k);
            let Locs::U16(narrow) = &self.locs else {
                return Err(e);
            };
            let mut wide = Column::with_capacity_in(self.hint, self.pool.as_ref());
            wide.try_reserve(narrow.len())?;
            wide.extend(narrow.iter().map(|&i| u32::from(i)));
            self.locs = Locs::U32(wide);
            return self.sample(b, off);
        }
        self.n_samples += 1;
        Ok(())
    }

    /// Drops what a sample that failed to decode appended to the columns.
    #[cold]
    fn rollback(&mut self, k: usize) {
        let s = &mut self.t.samples;
        let last = |c: &Column<u32>| c.last().map_or(0, |&x| x as usize);
        let (n_locs, n_labels) = (last(&s.location_offsets), last(&s.label_offsets));
        match &mut self.locs {
            Locs::U16(c) => c.truncate(n_locs),
            Locs::U32(c) => c.truncate(n_locs),
        }
        s.values.truncate(self.n_samples * k);
        s.labels.truncate(n_labels);
    }

    /// The checks that needed the whole profile, and the location ids resolved.
    fn finish(mut self) -> Result<Profile> {
        if self.n_samples > 0 && self.t.sample_types.is_empty() {
            return Err(Error::Invalid("missing sample type information".into()));
        }
        let locations = finish_tables(&mut self.t, self.refs)?;
        let n_strings = self.t.strings.len() as u64;
        let s = &mut self.t.samples;
        if s.labels
            .iter()
            .any(|l| u64::from(l.key.max(l.str).max(l.num_unit)) >= n_strings)
        {
            return Err(Error::Invalid("label string out of range".into()));
        }
        s.locations = match self.locs {
            Locs::U16(mut c) => {
                resolve(&mut c, &locations)?;
                c.shrink_to_fit();
                LocationColumn::from_u16(c)
            }
            Locs::U32(mut c) => {
                resolve(&mut c, &locations)?;
                if locations.len() <= NARROW_LOCATIONS {
                    let mut narrow = Column::with_capacity_in(c.len(), self.pool.as_ref());
                    narrow.try_reserve(c.len())?;
                    narrow.extend(c.iter().map(|&i| i as u16));
                    LocationColumn::from_u16(narrow)
                } else {
                    c.shrink_to_fit();
                    LocationColumn::from_u32(c)
                }
            }
        };
        self.t.shrink_to_fit();
        self.strings.shrink_to_fit();
        Ok(Profile::from_parts(Bytes::from(self.strings), self.t))
    }
}

/// Turns the `id - 1` entries of `c` into dense location indexes.
fn resolve<T: LocIndex>(c: &mut [T], locations: &IdIndex) -> Result<()> {
    let unknown = || Error::Invalid("a sample refers to an unknown location id".into());
    match locations.identity_len() {
        Some(n) => {
            if c.iter().any(|&i| i.to_u64() >= n) {
                return Err(unknown());
            }
        }
        None => {
            for x in c {
                let i = locations.get(x.to_u64() + 1).ok_or_else(unknown)?;
                if u64::from(i) > T::MAX {
                    return Err(unknown());
                }
                *x = T::from_index(u64::from(i));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{put_bytes, put_repeated, put_u64};
    use crate::{DecodeOptions, ProfileBuilder};

    fn in_memory(gz: &[u8]) -> Result<Profile> {
        let opts = DecodeOptions {
            stream_gzip: false,
            ..DecodeOptions::default()
        };
        Profile::decode_with(gz, &opts)
    }

    /// Every window size from one byte on, so that every field is cut at every place.
    fn same_at_every_window(gz: &[u8]) {
        let want = in_memory(gz).unwrap();
        for window in (1..64).chain([255, 4096]) {
            let got = decode_windowed(gz, &DecodeOptions::default(), window).unwrap();
            assert_eq!(got.as_ref(), Some(&want), "window {window}");
        }
    }

    #[test]
    fn fields_cut_anywhere_decode_the_same() {
        let mut b = ProfileBuilder::new();
        b.sample_type("alloc_space", "bytes");
        b.sample_type("inuse_space", "bytes");
        let f = b.function("main.leak", "main.go", 3);
        let g = b.function("runtime.mallocgc", "malloc.go", 900);
        let l1 = b.location(None, 0x10, &[(f, 12)]);
        let l2 = b.location(None, 0x20, &[(g, 950), (f, 13)]);
        let (key, value, unit) = (b.string("goroutine"), b.string("7"), b.string("bytes"));
        let string = crate::Label {
            key,
            str: value,
            num: 0,
            num_unit: 0,
        };
        let numeric = crate::Label {
            key,
            str: 0,
            num: 4096,
            num_unit: unit,
        };
        for i in 0..50 {
            b.sample(&[l2, l1], &[i, 2 * i], &[string, numeric]);
        }
        b.comment("a comment long enough to cross small windows");
        same_at_every_window(&b.build().unwrap().encode_gzip());
    }

    #[test]
    fn more_than_65536_locations_widen_the_column() {
        let mut b = ProfileBuilder::new();
        b.sample_type("samples", "count");
        let f = b.function("f", "f.go", 1);
        let locs: Vec<_> = (0..70_000)
            .map(|i| b.location(None, i, &[(f, 1)]))
            .collect();
        for pair in locs.chunks(2) {
            b.sample(pair, &[1], &[]);
        }
        let gz = b.build().unwrap().encode_gzip();
        let got = decode(&gz, &DecodeOptions::default()).unwrap().unwrap();
        assert_eq!(got.samples().locations.index_bytes(), 4);
        assert_eq!(got, in_memory(&gz).unwrap());
    }

    fn gzip(b: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    /// A profile.proto message written field by field, in the order given.
    #[derive(Default)]
    struct Proto(Vec<u8>);

    impl Proto {
        fn sample_type(mut self) -> Self {
            let mut vt = Vec::new();
            put_u64(&mut vt, 1, 1);
            put_u64(&mut vt, 2, 2);
            put_bytes(&mut self.0, 1, &vt);
            self
        }
        fn sample(mut self, locs: &[u64], label: Option<(u64, u64)>) -> Self {
            let mut m = Vec::new();
            put_repeated(&mut m, 1, locs.iter().copied());
            put_u64(&mut m, 2, 7);
            if let Some((key, value)) = label {
                let mut l = Vec::new();
                put_u64(&mut l, 1, key);
                put_u64(&mut l, 2, value);
                put_bytes(&mut m, 3, &l);
            }
            put_bytes(&mut self.0, 2, &m);
            self
        }
        fn location(mut self, id: u64) -> Self {
            let mut m = Vec::new();
            put_u64(&mut m, 1, id);
            put_bytes(&mut self.0, 4, &m);
            self
        }
        fn strings(mut self) -> Self {
            for s in ["", "samples", "count"] {
                put_bytes(&mut self.0, 6, s.as_bytes());
            }
            self
        }
    }

    /// `Some`: streamed, equal to the in-memory decode; `None`: handed back.
    fn streamed(proto: &Proto) -> Option<Profile> {
        let gz = gzip(&proto.0);
        let got = decode_windowed(&gz, &DecodeOptions::default(), 7).unwrap();
        if let Some(p) = &got {
            assert_eq!(p, &in_memory(&gz).unwrap());
        }
        got
    }

    #[test]
    fn sparse_location_ids_are_resolved_at_the_end() {
        // Ids past u16 widen the column; two locations narrow it again.
        let proto = Proto::default()
            .sample_type()
            .sample(&[70_000, 5, 70_000], None)
            .sample(&[5], None)
            .location(5)
            .location(70_000)
            .strings();
        let p = streamed(&proto).expect("streamed");
        assert_eq!(p.samples().locations.index_bytes(), 2);
        assert_eq!(p.sample(0).locations, [1, 0, 1]);
    }

    #[test]
    fn what_needs_the_whole_input_is_handed_back() {
        let ok = Proto::default().sample_type().location(1).strings();
        assert!(streamed(&Proto(ok.0.clone()).sample(&[1], None)).is_some());
        // Sample types after samples: the samples' value counts were not checked.
        let late = Proto::default()
            .sample(&[1], None)
            .sample_type()
            .location(1);
        assert!(streamed(&late.strings()).is_none());
        let gz = gzip(
            &Proto::default()
                .sample(&[1], None)
                .sample_type()
                .location(1)
                .strings()
                .0,
        );
        assert!(Profile::decode(&gz).is_ok());
        // Errors come from the in-memory decoder, whichever is found first.
        let cases = [
            (
                "unknown location",
                Proto::default()
                    .sample_type()
                    .sample(&[2], None)
                    .location(1)
                    .strings(),
            ),
            (
                "label string",
                Proto(ok.0.clone()).sample(&[1], Some((1, 9))),
            ),
            ("truncated", Proto(ok.0[..ok.0.len() - 1].to_vec())),
            (
                "no string table",
                Proto::default()
                    .sample_type()
                    .sample(&[1], None)
                    .location(1),
            ),
        ];
        for (what, proto) in cases {
            assert!(streamed(&proto).is_none(), "{what}");
            let gz = gzip(&proto.0);
            let (a, b) = (
                Profile::decode(&gz).unwrap_err(),
                in_memory(&gz).unwrap_err(),
            );
            assert_eq!(a.to_string(), b.to_string(), "{what}");
        }
        // A legacy text profile is not protobuf: the in-memory path reads it.
        let text = b"heap profile: 1: 8 [1: 8] @ heap/1048576\n1: 8 [1: 8] @ 0x1\n";
        assert!(
            decode_windowed(&gzip(text), &DecodeOptions::default(), 7)
                .unwrap()
                .is_none()
        );
        assert_eq!(Profile::decode(&gzip(text)).unwrap().num_samples(), 1);
    }

    #[test]
    fn bad_gzip_and_the_size_limit_fail_like_inflating_first() {
        let gz = Proto::default()
            .sample_type()
            .location(1)
            .strings()
            .sample(&[1], None);
        let gz = gzip(&gz.0);
        let opts = DecodeOptions {
            max_inflated_size: 10,
            ..DecodeOptions::default()
        };
        let a = decode(&gz, &opts).unwrap_err();
        assert!(matches!(a, Error::TooLarge { limit: 10 }), "{a}");
        let cut = &gz[..gz.len() - 6];
        let b = Profile::decode(cut).unwrap_err();
        assert_eq!(b.to_string(), in_memory(cut).unwrap_err().to_string());
    }
}
