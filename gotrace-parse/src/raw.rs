//! The raw layer: batches and their events, decoded in file order without any ordering or
//! validation beyond the wire format. Zero-copy: everything borrows the input slice.
//!
//! ```
//! use gotrace_parse::raw::{Batches, BatchKind};
//! # let data = std::fs::read("../examples/data/sync.trace").unwrap();
//! let batches = Batches::new(&data).unwrap();
//! let mut events = 0;
//! for batch in batches {
//!     let batch = batch.unwrap();
//!     if batch.kind == BatchKind::Events {
//!         for ev in batch.events() {
//!             let ev = ev.unwrap();
//!             assert!(!ev.spec().name.is_empty());
//!             events += 1;
//!         }
//!     }
//! }
//! assert!(events > 0);
//! ```

use crate::error::{Error, Location};
use crate::header::Version;
use crate::spec::{self, EventSpec, EventType, MAX_BATCH_SIZE, ev};
use crate::varint::{read_uvs, uvarint};

/// What a batch holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchKind {
    /// An `EventBatch`: per-M events, or a strings/stacks/CPU-samples/sync section.
    Events,
    /// An `ExperimentalBatch` with the experiment's ID; its data is opaque.
    Experimental(u8),
    /// The Go 1.26+ end-of-generation marker (no header fields, no data).
    EndOfGeneration,
}

/// One batch: a header and a slice of event bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch<'a> {
    /// Kind of batch.
    pub kind: BatchKind,
    /// Generation number (0 for end-of-generation markers).
    pub generation: u64,
    /// Thread (M) that wrote the batch (-1 for end-of-generation markers).
    pub thread: i64,
    /// Timestamp of the batch in trace clock units.
    pub time: u64,
    /// The event bytes.
    pub data: &'a [u8],
    /// Byte offset of the batch header in the file.
    pub offset: usize,
    /// Byte offset of `data` in the file.
    pub data_offset: usize,
}

impl<'a> Batch<'a> {
    /// The events of the batch (nothing for experimental batches and markers).
    pub fn events(&self) -> RawEvents<'a> {
        let data = if self.kind == BatchKind::Events {
            self.data
        } else {
            &[]
        };
        RawEvents {
            data,
            pos: 0,
            base: self.data_offset,
            generation: self.generation,
            batch: self.offset,
        }
    }

    /// The first byte of the data, which says what kind of section an `EventBatch` is.
    pub fn first_event_type(&self) -> Option<EventType> {
        match self.kind {
            BatchKind::Events => self.data.first().copied(),
            _ => None,
        }
    }
}

/// Iterator over the batches of a v2 trace, in file order.
#[derive(Debug, Clone)]
pub struct Batches<'a> {
    data: &'a [u8],
    pos: usize,
    done: bool,
    version: Version,
    /// File offset of `data[0]` (nonzero when `data` is one generation read from a stream).
    file_base: usize,
}

/// A batch-reading failure, with the generation number read so far (Go's readers use it).
#[derive(Debug, Clone)]
pub(crate) struct BatchError {
    pub(crate) error: Error,
}

impl<'a> Batches<'a> {
    /// Checks the header and starts after it. Fails for v1 traces.
    pub fn new(data: &'a [u8]) -> Result<Batches<'a>, Error> {
        let (version, header_len) = Version::detect_len(data)?;
        if !version.is_v2() {
            return Err(Error::V1NotSupported(version.minor()));
        }
        Ok(Batches {
            data,
            pos: header_len,
            done: false,
            version,
            file_base: 0,
        })
    }

    /// Batches of `data`, a run of whole batches that starts at byte `file_base` of a trace
    /// of version `version` (no header).
    pub(crate) fn over_chunk(data: &'a [u8], version: Version, file_base: usize) -> Batches<'a> {
        Batches {
            data,
            pos: 0,
            done: false,
            version,
            file_base,
        }
    }

    /// The bytes the batches are read from.
    pub(crate) fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The trace version from the header.
    pub fn version(&self) -> Version {
        self.version
    }

    /// Byte offset of the next batch.
    pub fn offset(&self) -> usize {
        self.pos + self.file_base
    }

    /// Reads the next batch: `None` at a clean end of file.
    pub(crate) fn read(&mut self) -> Option<Result<Batch<'a>, BatchError>> {
        let start = self.pos;
        let d = self.data;
        let &typ = d.get(start)?;
        let fb = self.file_base;
        let loc = |off: usize, generation: u64| Location {
            generation,
            batch: Some((start + fb) as u64),
            offset: (off + fb) as u64,
        };
        let fail = |off: usize, generation: u64, reason: String| {
            Some(Err(BatchError {
                error: Error::malformed(loc(off, generation), reason),
            }))
        };
        if typ == ev::END_OF_GENERATION {
            self.pos = start + 1;
            return Some(Ok(Batch {
                kind: BatchKind::EndOfGeneration,
                generation: 0,
                thread: -1,
                time: 0,
                data: &d[start..start + 1],
                offset: start + fb,
                data_offset: start + fb,
            }));
        }
        if typ != ev::EVENT_BATCH && typ != ev::EXPERIMENTAL_BATCH {
            return fail(start, 0, format!("expected batch event, got event {typ}"));
        }
        let mut p = start + 1;
        let mut kind = BatchKind::Events;
        if typ == ev::EXPERIMENTAL_BATCH {
            // Go's reader treats end of file right here as a clean end of the trace.
            let &exp = d.get(p)?;
            kind = BatchKind::Experimental(exp);
            p += 1;
        }
        let mut fields = [0u64; 4];
        let names = ["batch gen", "batch M ID", "batch timestamp", "batch size"];
        for (i, name) in names.iter().enumerate() {
            match uvarint(&d[p..]) {
                Ok((v, n)) => {
                    fields[i] = v;
                    p += n;
                }
                Err(e) => {
                    return fail(
                        p,
                        fields[0],
                        format!("error reading {name}: {}", e.message()),
                    );
                }
            }
        }
        let [generation, m, time, size] = fields;
        if size > MAX_BATCH_SIZE {
            return fail(
                p,
                generation,
                format!("invalid batch size {size}, maximum is {MAX_BATCH_SIZE}"),
            );
        }
        let size = size as usize;
        let avail = d.len() - p;
        if avail < size {
            self.pos = d.len();
            return fail(
                p,
                generation,
                format!("failed to read full batch: read {avail} but wanted {size}"),
            );
        }
        self.pos = p + size;
        Some(Ok(Batch {
            kind,
            generation,
            thread: m as i64,
            time,
            data: &d[p..p + size],
            offset: start + fb,
            data_offset: p + fb,
        }))
    }
}

impl<'a> Iterator for Batches<'a> {
    type Item = Result<Batch<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.read() {
            None => {
                self.done = true;
                None
            }
            Some(Ok(b)) => Some(Ok(b)),
            Some(Err(e)) => {
                self.done = true;
                Some(Err(e.error))
            }
        }
    }
}

/// One event as written on the wire, with its arguments decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawEvent<'a> {
    /// Event type byte.
    pub typ: EventType,
    /// Argument values in spec order (`args[0]` is the timestamp delta for timed events);
    /// only the first `nargs` are meaningful.
    pub args: [u64; spec::MAX_TIMED_ARGS],
    /// Number of arguments.
    pub nargs: u8,
    /// Trailing bytes: the string of a `String` event, the undecoded frames of a `Stack`.
    pub data: &'a [u8],
    /// Byte offset of the event in the file.
    pub offset: usize,
}

impl<'a> RawEvent<'a> {
    /// The layout of this event's type.
    pub fn spec(&self) -> &'static EventSpec {
        spec::spec(self.typ)
    }

    /// The decoded arguments.
    pub fn args(&self) -> &[u64] {
        &self.args[..self.nargs as usize]
    }

    /// For a `Stack` event, its frames as (pc, func string ID, file string ID, line).
    pub fn frames(&self) -> impl Iterator<Item = [u64; 4]> + 'a {
        let mut d = if self.typ == ev::STACK {
            self.data
        } else {
            &[]
        };
        std::iter::from_fn(move || {
            let mut f = [0u64; 4];
            for slot in &mut f {
                let (v, n) = uvarint(d).ok()?;
                *slot = v;
                d = &d[n..];
            }
            Some(f)
        })
    }
}

/// Iterator over the events in one batch's data.
#[derive(Debug, Clone)]
pub struct RawEvents<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
    generation: u64,
    batch: usize,
}

impl<'a> RawEvents<'a> {
    #[cold]
    #[inline(never)]
    fn fail(&mut self, off: usize, reason: String) -> Option<Result<RawEvent<'a>, Error>> {
        self.pos = self.data.len();
        let at = Location {
            generation: self.generation,
            batch: Some(self.batch as u64),
            offset: (self.base + off) as u64,
        };
        Some(Err(Error::malformed(at, reason)))
    }
}

impl<'a> Iterator for RawEvents<'a> {
    type Item = Result<RawEvent<'a>, Error>;

    // Inlined into the caller's loop, so that the event is built in its registers rather
    // than written out and read back; events with trailing data take the call below.
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let start = self.pos;
        let &typ = self.data.get(start)?;
        let meta = spec::META[typ as usize];
        if meta & spec::META_VALID == 0 {
            return self.fail(start, format!("found invalid event type: {typ}"));
        }
        let nargs = (meta & spec::META_NARGS) as usize;
        let mut p = start + 1;
        let args = match read_uvs(self.data, &mut p, nargs) {
            Ok(a) => a,
            Err((i, e)) => {
                let sp = spec::spec(typ);
                return self.fail(
                    p,
                    format!("reading {} of {}: {}", sp.args[i], sp.name, e.message()),
                );
            }
        };
        if meta & (spec::META_STACK | spec::META_DATA) == 0 {
            self.pos = p;
            return Some(Ok(RawEvent {
                typ,
                args,
                nargs: nargs as u8,
                data: &[],
                offset: self.base + start,
            }));
        }
        self.with_tail(typ, start, p, args)
    }
}

impl<'a> RawEvents<'a> {
    /// The rest of a `Stack` event (its frames) or of an event with data (a string),
    /// whose arguments end at `p`.
    #[inline(never)]
    fn with_tail(
        &mut self,
        typ: EventType,
        start: usize,
        mut p: usize,
        args: [u64; spec::MAX_TIMED_ARGS],
    ) -> Option<Result<RawEvent<'a>, Error>> {
        let sp = spec::spec(typ);
        let mut tail: &[u8] = &[];
        if sp.is_stack {
            let nframes = args[1];
            if nframes > spec::MAX_FRAMES_PER_STACK {
                return self.fail(
                    start,
                    format!(
                        "invalid stack size {nframes}, maximum is {}",
                        spec::MAX_FRAMES_PER_STACK
                    ),
                );
            }
            let frames_start = p;
            for i in 0..nframes * 4 {
                match uvarint(&self.data[p..]) {
                    Ok((_, n)) => p += n,
                    Err(e) => {
                        return self.fail(
                            p,
                            format!(
                                "reading frame {} of stack {}: {}",
                                i / 4 + 1,
                                args[0],
                                e.message()
                            ),
                        );
                    }
                }
            }
            tail = &self.data[frames_start..p];
        } else if sp.has_data {
            let (len, n) = match uvarint(&self.data[p..]) {
                Ok(v) => v,
                Err(e) => {
                    return self.fail(
                        p,
                        format!("reading data length of {}: {}", sp.name, e.message()),
                    );
                }
            };
            p += n;
            if len > spec::MAX_STRING_SIZE {
                return self.fail(
                    p,
                    format!(
                        "invalid string size {len}, maximum is {}",
                        spec::MAX_STRING_SIZE
                    ),
                );
            }
            let len = len as usize;
            let avail = self.data.len() - p;
            if avail < len {
                return self.fail(
                    p,
                    format!("failed to read full string: read {avail} but wanted {len}"),
                );
            }
            tail = &self.data[p..p + len];
            p += len;
        }
        self.pos = p;
        Some(Ok(RawEvent {
            typ,
            args,
            nargs: sp.args.len() as u8,
            data: tail,
            offset: self.base + start,
        }))
    }
}
