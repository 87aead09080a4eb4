//! [`WireReader`]: the v1 byte stream read one raw event at a time — a type byte whose
//! top two bits give the argument count (3 = length-prefixed), then varint arguments;
//! `String` entries and `Batch` headers have their own layouts. Error messages are Go's
//! (`internal/tracev1`).

use super::spec::{desc, t};
use crate::error::{Error, Location};
use crate::table::IdMap;
use crate::varint::uvarint;

/// Go's `errMalformedVarint`.
pub(crate) const MALFORMED: &str = "malformatted base-128 varint";
/// Longest length-prefixed argument list Go accepts.
const MAX_ARGS_BYTES: u64 = 2048;
/// Longest string Go accepts.
const MAX_STRING: u64 = 1_000_000;

/// Skip the arguments (first pass: only batch positions and CPU samples are wanted).
pub(crate) const SKIP_ARGS: u8 = 1;
/// Skip string entries instead of recording them.
pub(crate) const SKIP_STRINGS: u8 = 2;

/// Why no event was read.
#[derive(Debug)]
pub(crate) enum RawError {
    /// Go's `io.EOF`: the input (or, in a few skipping paths, an argument) ended cleanly.
    Eof,
    /// Anything else, in Go's words, with the offset of the event.
    Bad(String, usize),
}

/// A raw event; `args` is reused between reads.
#[derive(Debug, Default)]
pub(crate) struct RawEvent {
    pub(crate) typ: u8,
    pub(crate) args: Vec<u64>,
    /// The string after a `UserLog`'s arguments (byte range of the input).
    pub(crate) sarg: Option<(usize, usize)>,
    pub(crate) batch_pid: i32,
    pub(crate) batch_offset: usize,
    /// Offset of the type byte.
    pub(crate) offset: usize,
}

/// A cursor over the bytes after the header. It also owns the string table: Go's reader
/// records string entries as it meets them, and the duplicate-id check must see every
/// entry read so far, in wire order.
pub(crate) struct WireReader<'d> {
    data: &'d [u8],
    /// Offset of `data` in the file, for error locations.
    base: usize,
    off: usize,
    /// The trace's minor version: event types newer than it are unknown.
    ver: u32,
    strings: IdMap<u64, (usize, usize)>,
}

impl<'d> WireReader<'d> {
    pub(crate) fn new(data: &'d [u8], base: usize, ver: u32) -> WireReader<'d> {
        WireReader {
            data,
            base,
            off: 0,
            ver,
            strings: IdMap::default(),
        }
    }

    pub(crate) fn data(&self) -> &'d [u8] {
        self.data
    }

    /// The file offset of `offset` (an offset into `data`).
    pub(crate) fn file_offset(&self, offset: usize) -> u64 {
        (self.base + offset) as u64
    }

    /// Moves the cursor to `offset` of `data` (the start of a batch found earlier).
    pub(crate) fn seek(&mut self, offset: usize) {
        self.off = offset;
    }

    /// The strings read so far: ID → byte range of `data`.
    pub(crate) fn into_strings(self) -> IdMap<u64, (usize, usize)> {
        self.strings
    }

    /// A malformed-input error about `offset` of `data`.
    pub(crate) fn error_at(&self, offset: usize, reason: impl Into<String>) -> Error {
        Error::malformed(
            Location {
                generation: 0,
                batch: None,
                offset: self.file_offset(offset),
            },
            reason,
        )
    }

    pub(crate) fn raw_error(&self, e: RawError) -> Error {
        match e {
            RawError::Bad(m, at) => self.error_at(at, m),
            RawError::Eof => self.error_at(self.off, "EOF"),
        }
    }

    fn read_val(&mut self) -> Option<u64> {
        let (v, n) = uvarint(self.data.get(self.off..)?).ok()?;
        self.off += n;
        Some(v)
    }

    /// Go's `discard`: skips `n` bytes if there are that many.
    fn discard(&mut self, n: u64) -> bool {
        match usize::try_from(n)
            .ok()
            .and_then(|n| self.off.checked_add(n))
        {
            Some(end) if end <= self.data.len() => {
                self.off = end;
                true
            }
            _ => false,
        }
    }

    /// Go's `readFull`, which fails at the end of the input even for `n == 0`.
    fn read_full(&mut self, n: u64) -> Option<(usize, usize)> {
        let n = usize::try_from(n).ok()?;
        if self.off >= self.data.len() || self.off.checked_add(n)? > self.data.len() {
            return None;
        }
        let start = self.off;
        self.off += n;
        Some((start, n))
    }

    fn read_str(&mut self, at: usize) -> Result<(usize, usize), RawError> {
        let sz = self
            .read_val()
            .ok_or_else(|| RawError::Bad(MALFORMED.into(), at))?;
        if sz == 0 {
            return Ok((self.off, 0));
        }
        if sz > MAX_STRING {
            return Err(RawError::Bad(format!("string is too large (len={sz})"), at));
        }
        self.read_full(sz)
            .ok_or_else(|| RawError::Bad("failed to read trace: unexpected EOF".into(), at))
    }

    /// Go's `readRawEvent`.
    pub(crate) fn read_raw_event(&mut self, flags: u8, ev: &mut RawEvent) -> Result<(), RawError> {
        let at = self.off;
        let bad = |m: String| RawError::Bad(m, at);
        let Some(&b) = self.data.get(self.off) else {
            return Err(RawError::Eof);
        };
        self.off += 1;
        let typ = b & 0x3f;
        let narg = (b >> 6) + 1;
        if typ == t::NONE || typ >= t::COUNT || desc(typ).min_version > self.ver {
            return Err(bad(format!("unknown event type {typ}")));
        }
        ev.offset = at;
        ev.sarg = None;
        match typ {
            t::STRING => {
                if flags & SKIP_STRINGS != 0 {
                    self.read_val().ok_or_else(|| bad(MALFORMED.into()))?;
                    let ln = self.read_val().ok_or_else(|| bad(MALFORMED.into()))?;
                    if !self.discard(ln) {
                        return Err(bad("failed to read trace: EOF".into()));
                    }
                } else {
                    let id = self.read_val().ok_or_else(|| bad(MALFORMED.into()))?;
                    if id == 0 {
                        return Err(bad("string has invalid id 0".into()));
                    }
                    if self.strings.contains_key(&id) {
                        return Err(bad(format!("string has duplicate id {id}")));
                    }
                    let ln = self.read_val().ok_or_else(|| bad(MALFORMED.into()))?;
                    if ln == 0 {
                        return Err(bad("string has invalid length 0".into()));
                    }
                    if ln > MAX_STRING {
                        return Err(bad(format!("string has too large length {ln}")));
                    }
                    let span = self
                        .read_full(ln)
                        .ok_or_else(|| bad("failed to read trace: unexpected EOF".into()))?;
                    self.strings.insert(id, span);
                }
                ev.typ = t::NONE;
                Ok(())
            }
            t::BATCH => {
                if narg != 2 {
                    return Err(bad(format!(
                        "EvBatch has wrong number of arguments: got {narg}, want 2"
                    )));
                }
                let pid = self.read_val().ok_or_else(|| bad(MALFORMED.into()))?;
                if pid != u64::MAX && pid > i32::MAX as u64 {
                    return Err(bad(format!(
                        "processor ID {pid} is larger than maximum of {}",
                        u64::MAX
                    )));
                }
                let v = self.read_val().ok_or_else(|| bad(MALFORMED.into()))?;
                ev.typ = t::BATCH;
                ev.args.clear();
                ev.args.extend([pid, v]);
                ev.batch_pid = if pid == u64::MAX { -1 } else { pid as i32 };
                ev.batch_offset = at;
                Ok(())
            }
            _ => {
                ev.typ = typ;
                ev.args.clear();
                let arg_err = || bad(format!("failed to read event {typ} argument: {MALFORMED}"));
                if narg <= 3 {
                    for _ in 0..narg {
                        let v = self.read_val().ok_or_else(arg_err)?;
                        if flags & SKIP_ARGS == 0 {
                            ev.args.push(v);
                        }
                    }
                    return Ok(());
                }
                let v = self.read_val().ok_or_else(arg_err)?;
                if v > MAX_ARGS_BYTES {
                    return Err(bad(format!(
                        "failed to read event {typ} argument: length-prefixed argument too big: {v} bytes, limit is {MAX_ARGS_BYTES}"
                    )));
                }
                if flags & SKIP_ARGS == 0 || typ == t::CPU_SAMPLE {
                    let (start, len) = self
                        .read_full(v)
                        .ok_or_else(|| bad("failed to read trace: unexpected EOF".into()))?;
                    let mut buf = &self.data[start..start + len];
                    while !buf.is_empty() {
                        let (x, n) = uvarint(buf).map_err(|_| bad(MALFORMED.into()))?;
                        ev.args.push(x);
                        buf = &buf[n..];
                    }
                } else if !self.discard(v) {
                    return Err(bad("failed to read trace: EOF".into()));
                }
                if typ == t::USER_LOG {
                    if flags & SKIP_ARGS == 0 {
                        ev.sarg = Some(self.read_str(at)?);
                    } else {
                        let v = self.read_val().ok_or_else(|| bad(MALFORMED.into()))?;
                        if !self.discard(v) {
                            return Err(RawError::Eof);
                        }
                    }
                }
                Ok(())
            }
        }
    }
}
