//! Splitting the file into generations and reading each one's tables and per-M batches.

use std::sync::Arc;

use crate::error::{Error, Location};
use crate::header::Version;
use crate::raw::{Batch, BatchKind, Batches};
use crate::spec::{self, ev};
use crate::table::{Base, FrameIds, Freq, IdMap, Span, StackSpan, Table};
use crate::varint::{VarintError, uvarint};

/// A CPU profile sample, timestamps already in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CpuSample {
    pub(crate) time: i64,
    pub(crate) m: i64,
    pub(crate) p: i64,
    pub(crate) g: i64,
    pub(crate) stack: u64,
}

/// A per-thread event batch of a generation: where its events are in the generation's
/// [`Base`], and where it was in the file (for error locations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BatchSpan {
    pub(crate) offset: usize,
    pub(crate) data_offset: usize,
    pub(crate) data: Span,
    pub(crate) time: u64,
}

/// One generation, ready to be ordered.
#[derive(Debug)]
pub(crate) struct Generation<'a> {
    pub(crate) gen_no: u64,
    /// Per-M event batches, Ms in order of first appearance.
    pub(crate) batches: Vec<(i64, Vec<BatchSpan>)>,
    pub(crate) cpu_samples: Vec<CpuSample>,
    pub(crate) min_ts: u64,
    pub(crate) table: Arc<Table<'a>>,
}

/// What reading the next generation gave.
pub(crate) enum NextGen<'a> {
    /// A generation, and for pre-1.26 traces possibly an error met right after it.
    Gen(Generation<'a>, Option<Error>),
    /// Clean end of the trace.
    End,
    /// The generation could not be read.
    Err(Error),
    /// The generation could not be read because a table batch (strings, stacks, CPU
    /// samples, sync) ends where an argument should start. Go's reader then fails with
    /// `io.EOF` itself (its `binary.ReadUvarint` error, returned unwrapped), which
    /// `ReadEvent` hands out and its callers take for the end of the trace: the stream
    /// ends cleanly, after the `Sync` that closes the last generation read.
    GoEof,
}

/// An error Go's reader returns as the bare `io.EOF` (see [`NextGen::GoEof`]).
fn is_go_eof(e: &Error) -> bool {
    matches!(e, Error::Malformed { reason, .. } if reason == "EOF")
}

/// [`NextGen::Err`], or [`NextGen::GoEof`] for an error Go reports as `io.EOF`.
fn gen_err<'t>(e: Error) -> NextGen<'t> {
    if is_go_eof(&e) {
        NextGen::GoEof
    } else {
        NextGen::Err(e)
    }
}

/// Reads generations one after the other.
#[derive(Debug, Clone)]
pub(crate) struct GenerationReader<'a> {
    batches: Batches<'a>,
    version: Version,
    /// Pre-1.26: first batch of the next generation, already read.
    spill: Option<Batch<'a>>,
}

impl<'a> GenerationReader<'a> {
    pub(crate) fn new(batches: Batches<'a>) -> Self {
        let version = batches.version();
        GenerationReader {
            batches,
            version,
            spill: None,
        }
    }

    /// Byte offset of the next unread batch.
    pub(crate) fn offset(&self) -> usize {
        self.batches.offset()
    }

    /// Reads the next generation of the whole-trace slice.
    pub(crate) fn next_generation(&mut self) -> NextGen<'a> {
        let base = Base::Slice(self.batches.data());
        self.next_generation_in(base)
    }

    /// Reads the next generation; its tables will refer to `base`, which holds the bytes
    /// the batches are read from.
    pub(crate) fn next_generation_in<'t>(&mut self, base: Base<'t>) -> NextGen<'t> {
        if self.version >= Version::Go126 {
            self.read_delimited(base)
        } else {
            self.read_with_spill(base)
        }
    }

    /// Go 1.26+: generations end with an `EndOfGeneration` marker.
    fn read_delimited<'t>(&mut self, base: Base<'t>) -> NextGen<'t> {
        let mut b = Builder::new(self.version, self.batches.data());
        let mut have_event_batches = false;
        let mut last_offset = self.batches.offset();
        loop {
            let batch = match self.batches.read() {
                None => {
                    if have_event_batches {
                        let at = Location {
                            generation: b.gen_no,
                            batch: None,
                            offset: last_offset as u64,
                        };
                        return NextGen::Err(Error::Truncated {
                            at,
                            reason: "incomplete generation found; trace likely truncated".into(),
                        });
                    }
                    return NextGen::End;
                }
                Some(Err(e)) => return NextGen::Err(e.error),
                Some(Ok(batch)) => batch,
            };
            last_offset = self.batches.offset();
            if b.gen_no == 0 {
                b.gen_no = batch.generation;
            }
            if batch.kind == BatchKind::EndOfGeneration {
                break;
            }
            let at = Location {
                generation: batch.generation,
                batch: Some(batch.offset as u64),
                offset: batch.offset as u64,
            };
            if batch.generation == 0 {
                return NextGen::Err(Error::invalid(at, "invalid generation number 0"));
            }
            if batch.generation != b.gen_no {
                return NextGen::Err(Error::invalid(
                    at,
                    "broken trace: missing end-of-generation event, or generations are interleaved",
                ));
            }
            if let Err(e) = b.add(batch) {
                return gen_err(e);
            }
            have_event_batches = !b.batches.is_empty();
        }
        match b.finish(last_offset, base) {
            Ok(g) => NextGen::Gen(g, None),
            Err(e) => NextGen::Err(e),
        }
    }

    /// Go 1.22–1.25: a generation ends where a batch of the next one begins.
    fn read_with_spill<'t>(&mut self, base: Base<'t>) -> NextGen<'t> {
        let mut b = Builder::new(self.version, self.batches.data());
        if let Some(first) = self.spill.take() {
            b.gen_no = first.generation;
            b.min_ts = first.time;
            if let Err(e) = b.add(first) {
                return gen_err(e);
            }
        }
        let mut spill_err = None;
        loop {
            let batch = match self.batches.read() {
                None => break,
                Some(Err(e)) => {
                    if b.gen_no != 0 {
                        spill_err = Some(e.error);
                        break;
                    }
                    return NextGen::Err(e.error);
                }
                Some(Ok(batch)) => batch,
            };
            let at = Location {
                generation: batch.generation,
                batch: Some(batch.offset as u64),
                offset: batch.offset as u64,
            };
            if batch.generation == 0 {
                return NextGen::Err(Error::invalid(at, "invalid generation number 0"));
            }
            if b.gen_no == 0 {
                b.gen_no = batch.generation;
            }
            if batch.generation == b.gen_no.wrapping_add(1) {
                self.spill = Some(batch);
                break;
            }
            if batch.generation != b.gen_no {
                return NextGen::Err(Error::invalid(at, "generations out of order"));
            }
            if let Err(e) = b.add(batch) {
                return gen_err(e);
            }
        }
        match b.finish(self.batches.offset(), base) {
            Ok(g) => NextGen::Gen(g, spill_err),
            Err(e) => NextGen::Err(e),
        }
    }

    /// Whether a generation might follow (pre-1.26: a spilled batch is waiting).
    pub(crate) fn has_spill(&self) -> bool {
        self.spill.is_some()
    }
}

/// Collects one generation's batches.
struct Builder<'a> {
    version: Version,
    /// The bytes the batches are slices of; tables store spans into it.
    base: &'a [u8],
    gen_no: u64,
    min_ts: u64,
    batches: Vec<(i64, Vec<BatchSpan>)>,
    m_index: IdMap<i64, usize>,
    cpu_samples: Vec<CpuSample>,
    table: Table<'static>,
    has_clock: bool,
}

/// A cursor over a batch's bytes that reports errors with Go's wording and our location.
struct Cursor<'b, 'a> {
    d: &'a [u8],
    p: usize,
    batch: &'b Batch<'a>,
}

impl Cursor<'_, '_> {
    fn at(&self) -> Location {
        Location {
            generation: self.batch.generation,
            batch: Some(self.batch.offset as u64),
            offset: (self.batch.data_offset + self.p) as u64,
        }
    }
    fn err(&self, reason: impl Into<String>) -> Error {
        Error::malformed(self.at(), reason)
    }
    fn byte(&mut self) -> Result<u8, Error> {
        let b = *self.d.get(self.p).ok_or_else(|| self.err("EOF"))?;
        self.p += 1;
        Ok(b)
    }
    fn uvarint(&mut self) -> Result<u64, VarintError> {
        let (v, n) = uvarint(&self.d[self.p..])?;
        self.p += n;
        Ok(v)
    }
    /// A varint argument; at the very end of the batch the error's reason is `EOF`, Go's
    /// bare `io.EOF`, which [`gen_err`] turns into the end of the trace.
    fn uv(&mut self) -> Result<u64, Error> {
        self.uvarint().map_err(|e| self.err(e.message()))
    }
    fn done(&self) -> bool {
        self.p >= self.d.len()
    }
}

impl<'a> Builder<'a> {
    fn new(version: Version, base: &'a [u8]) -> Self {
        Builder {
            version,
            base,
            gen_no: 0,
            min_ts: 0,
            batches: Vec::new(),
            m_index: IdMap::default(),
            cpu_samples: Vec::new(),
            table: Table::default(),
            has_clock: false,
        }
    }

    fn add(&mut self, b: Batch<'a>) -> Result<(), Error> {
        if self.min_ts == 0 || b.time < self.min_ts {
            self.min_ts = b.time;
        }
        let first = b.first_event_type();
        let sync_header = if self.version < Version::Go125 {
            ev::FREQUENCY
        } else {
            ev::SYNC
        };
        match (b.kind, first) {
            (BatchKind::Events, Some(ev::STRINGS)) => self.add_strings(&b),
            (BatchKind::Events, Some(ev::STACKS)) => self.add_stacks(&b),
            (BatchKind::Events, Some(ev::CPU_SAMPLES)) => self.add_cpu_samples(&b),
            (BatchKind::Events, Some(t)) if t == sync_header => self.add_sync(&b),
            (BatchKind::Experimental(exp), _) => {
                self.table
                    .experimental
                    .push((exp, b.thread, Span::of(self.base, b.data)));
                Ok(())
            }
            (BatchKind::EndOfGeneration, _) => Err(Error::invalid(
                Location {
                    generation: self.gen_no,
                    batch: Some(b.offset as u64),
                    offset: b.offset as u64,
                },
                "internal error: unexpectedly processing EndOfGeneration; broken trace?",
            )),
            (BatchKind::Events, _) => {
                let idx = *self.m_index.entry(b.thread).or_insert_with(|| {
                    self.batches.push((b.thread, Vec::new()));
                    self.batches.len() - 1
                });
                self.batches[idx].1.push(BatchSpan {
                    offset: b.offset,
                    data_offset: b.data_offset,
                    data: Span::of(self.base, b.data),
                    time: b.time,
                });
                Ok(())
            }
        }
    }

    fn add_strings(&mut self, b: &Batch<'a>) -> Result<(), Error> {
        let mut c = Cursor {
            d: b.data,
            p: 1,
            batch: b,
        };
        while !c.done() {
            let t = c.byte()?;
            if t != ev::STRING {
                return Err(c.err(format!("expected string event, got {t}")));
            }
            let id = c.uv()?;
            let len = c.uv()?;
            if len > spec::MAX_STRING_SIZE {
                return Err(c.err(format!(
                    "invalid string size {len}, maximum is {}",
                    spec::MAX_STRING_SIZE
                )));
            }
            let avail = c.d.len() - c.p;
            if (avail as u64) < len {
                return Err(c.err(format!(
                    "failed to read full string: read {avail} but wanted {len}"
                )));
            }
            let s = &c.d[c.p..c.p + len as usize];
            c.p += len as usize;
            if let Err(existing) = self.table.strings.insert(id, Span::of(self.base, s)) {
                let existing = self
                    .base
                    .get(existing.start..existing.start + existing.len)
                    .unwrap_or(b"");
                return Err(c.err(format!(
                    "multiple strings with the same ID: id={id}, new={}, existing={}",
                    String::from_utf8_lossy(s),
                    String::from_utf8_lossy(existing)
                )));
            }
        }
        Ok(())
    }

    fn add_stacks(&mut self, b: &Batch<'a>) -> Result<(), Error> {
        let mut c = Cursor {
            d: b.data,
            p: 1,
            batch: b,
        };
        while !c.done() {
            let t = c.byte()?;
            if t != ev::STACK {
                return Err(c.err(format!("expected stack event, got {t}")));
            }
            let id = c.uv()?;
            let n = c.uv()?;
            if n > spec::MAX_FRAMES_PER_STACK {
                return Err(c.err(format!(
                    "invalid stack size {n}, maximum is {}",
                    spec::MAX_FRAMES_PER_STACK
                )));
            }
            let start = self.table.pcs.len();
            if start > u32::MAX as usize - 256 {
                return Err(c.err("too many stack frames in one generation"));
            }
            for i in 1..=n {
                let mut f = [0u64; 4];
                for (k, what) in ["PC", "funcID", "fileID", "line"].iter().enumerate() {
                    f[k] = c.uvarint().map_err(|e| {
                        c.err(format!(
                            "reading frame {i}'s {what} for stack {id}: {}",
                            e.message()
                        ))
                    })?;
                }
                self.table.pcs.push(f[0]);
                self.table.frames.entry(f[0]).or_insert(FrameIds {
                    func: f[1],
                    file: f[2],
                    line: f[3],
                });
            }
            let span = StackSpan {
                start: start as u32,
                len: n as u32,
            };
            if self.table.stacks.insert(id, span).is_err() {
                return Err(c.err(format!("multiple stacks with the same ID: id={id}")));
            }
        }
        Ok(())
    }

    fn add_cpu_samples(&mut self, b: &Batch<'a>) -> Result<(), Error> {
        let mut c = Cursor {
            d: b.data,
            p: 1,
            batch: b,
        };
        while !c.done() {
            let t = c.byte()?;
            if t != ev::CPU_SAMPLE {
                return Err(c.err(format!("expected CPU sample event, got {t}")));
            }
            let ts = c.uv()?;
            let m = c.uv()?;
            let p = c.uv()?;
            let g = c.uv()?;
            let stack = c.uv()?;
            let g = if g == 0 { -1 } else { g as i64 };
            self.cpu_samples.push(CpuSample {
                time: ts as i64,
                m: m as i64,
                p: p as i64,
                g,
                stack,
            });
        }
        Ok(())
    }

    fn add_sync(&mut self, b: &Batch<'a>) -> Result<(), Error> {
        let mut c = Cursor {
            d: b.data,
            p: 0,
            batch: b,
        };
        if self.version >= Version::Go125 {
            c.p = 1; // the Sync header byte
        }
        let mut last_ts = b.time;
        while !c.done() {
            let t = c.byte()?;
            match t {
                ev::FREQUENCY => {
                    if self.table.freq.is_set() {
                        return Err(c.err("found multiple frequency events"));
                    }
                    let f = c.uv()?;
                    self.table.freq = Freq::from_ticks_per_sec(f);
                }
                ev::CLOCK_SNAPSHOT if self.version >= Version::Go125 => {
                    if self.has_clock {
                        return Err(c.err("found multiple clock snapshot events"));
                    }
                    self.has_clock = true;
                    let dt = c.uv()?;
                    last_ts = last_ts.wrapping_add(dt);
                    let mono = c.uv()?;
                    let sec = c.uv()?;
                    let nsec = c.uv()?;
                    self.table.clock = Some((last_ts, mono, sec, nsec));
                }
                other => {
                    return Err(c.err(format!(
                        "expected frequency or clock snapshot event, got {other}"
                    )));
                }
            }
        }
        Ok(())
    }

    fn finish<'t>(mut self, end_offset: usize, base: Base<'t>) -> Result<Generation<'t>, Error> {
        let at = Location {
            generation: self.gen_no,
            batch: None,
            offset: end_offset as u64,
        };
        if !self.table.freq.is_set() {
            return Err(Error::invalid(at, "no frequency event found"));
        }
        if self.version >= Version::Go125 && !self.has_clock {
            return Err(Error::invalid(at, "no clock snapshot event found"));
        }
        self.table.stacks.compactify();
        self.table.strings.compactify();
        for (id, span) in self.table.stacks.iter() {
            let pcs = &self.table.pcs[span.start as usize..(span.start + span.len) as usize];
            for pc in pcs {
                let Some(f) = self.table.frames.get(pc) else {
                    return Err(Error::invalid(
                        at,
                        format!("found unknown pc {pc:x} for stack {id}"),
                    ));
                };
                if !self.table.strings.contains(f.func) {
                    return Err(Error::invalid(
                        at,
                        format!("found invalid func string ID {} for stack {id}", f.func),
                    ));
                }
                if !self.table.strings.contains(f.file) {
                    return Err(Error::invalid(
                        at,
                        format!("found invalid file string ID {} for stack {id}", f.file),
                    ));
                }
            }
        }
        let freq = self.table.freq;
        for s in &mut self.cpu_samples {
            s.time = freq.ticks_to_ns(s.time as u64);
        }
        crate::gosort::sort_by(&mut self.cpu_samples, |a, b| a.time < b.time);
        let t = self.table;
        let table = Table {
            generation: self.gen_no,
            base,
            strings: t.strings,
            stacks: t.stacks,
            pcs: t.pcs,
            frames: t.frames,
            freq: t.freq,
            clock: t.clock,
            experimental: t.experimental,
        };
        Ok(Generation {
            gen_no: self.gen_no,
            batches: self.batches,
            cpu_samples: self.cpu_samples,
            min_ts: self.min_ts,
            table: Arc::new(table),
        })
    }
}
