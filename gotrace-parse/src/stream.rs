//! Reading a trace from any `io::Read` one generation at a time: the bytes of a generation
//! are copied into a buffer that lives as long as that generation's tables (and the events
//! that refer to them), so memory is bounded by the largest generation, not the file.

use std::io::{self, Read};
use std::sync::Arc;

use crate::error::Error;
use crate::generation::{GenerationReader, NextGen};
use crate::header::{HEADER_LEN, Scan, Version, scan_header};

/// Longest header we read while it still matches (Go's scanner would skip any number of
/// spaces; no real trace has more than the 16 bytes Go writes).
const MAX_HEADER: usize = 4096;
use crate::raw::Batches;
use crate::spec::{MAX_BATCH_SIZE, ev};
use crate::table::Base;

/// Where the reader gets its generations from.
pub(crate) trait GenSource<'a>: Send + std::fmt::Debug {
    /// The next generation (or the end, or an error), as Go's reader would read it.
    fn next_generation(&mut self) -> NextGen<'a>;
    /// Pre-1.26 traces: whether a batch of a following generation has been seen.
    fn has_spill(&self) -> bool;
    /// File offset of the next unread byte.
    fn offset(&self) -> usize;
}

impl<'a> GenSource<'a> for GenerationReader<'a> {
    fn next_generation(&mut self) -> NextGen<'a> {
        GenerationReader::next_generation(self)
    }
    fn has_spill(&self) -> bool {
        GenerationReader::has_spill(self)
    }
    fn offset(&self) -> usize {
        GenerationReader::offset(self)
    }
}

/// What copying one batch from the stream gave.
enum Copied {
    /// Nothing left (or Go's reader would see a clean end here).
    End,
    /// A whole batch of generation `gen` (0 for an end-of-generation marker).
    Batch {
        generation: u64,
        end_of_generation: bool,
    },
    /// Bytes that do not form a batch; what follows was copied too, so that the batch
    /// reader meets the same error at the same place as it would on the whole file.
    Broken,
}

/// A stream after its header.
pub(crate) enum Opened<R> {
    /// A v2 trace, to be read one generation at a time.
    V2(StreamSource<R>, Version),
    /// A v1 trace (read whole, as Go does), with the header's length.
    V1(R, Version, usize),
}

/// Splits a stream into generations.
pub(crate) struct StreamSource<R> {
    r: R,
    version: Version,
    /// File offset of the next byte of `r`.
    offset: usize,
    /// Bytes of the first batch of the next generation (pre-1.26), already read.
    pending: Vec<u8>,
    done: bool,
    /// Most bytes one generation may take.
    limit: usize,
}

/// What [`crate::Reader::from_reader`] buffers at most: one generation of a v2 trace, or
/// a whole v1 trace (2 GiB).
pub const DEFAULT_MAX_BUFFERED: usize = 2 << 30;

/// Room for `n` more bytes in `buf` (which started at file offset `start`), or
/// [`Error::TooLarge`] when that passes `limit` or the allocator refuses it.
fn reserve(
    buf: &mut Vec<u8>,
    n: usize,
    limit: usize,
    what: &'static str,
    start: usize,
) -> Result<(), Error> {
    let too_large = |limit: usize| Error::TooLarge {
        what,
        offset: start as u64,
        limit: limit as u64,
    };
    let want = buf.len().saturating_add(n);
    if want > limit {
        return Err(too_large(limit));
    }
    if buf.capacity() < want {
        buf.try_reserve(n).map_err(|_| too_large(want))?;
    }
    Ok(())
}

/// Reads a v1 trace's body (after a header of `header_len` bytes) whole, as Go does, in
/// steps of at most 64 MiB, stopping at `limit` bytes, or after the first step when
/// `doomed` says the bytes read so far already decide the error.
pub(crate) fn read_v1(
    mut r: impl Read,
    header_len: usize,
    limit: usize,
    doomed: impl Fn(&[u8]) -> bool,
) -> Result<Vec<u8>, Error> {
    let mut data = Vec::new();
    loop {
        if doomed(&data) {
            return Ok(data);
        }
        if data.len() >= limit {
            // At the limit: one more byte tells a longer trace from one of exactly `limit`.
            let mut probe = [0u8; 1];
            match r.read(&mut probe) {
                Ok(0) => return Ok(data),
                Ok(_) => {
                    return Err(Error::TooLarge {
                        what: "a v1 trace",
                        offset: header_len as u64,
                        limit: limit as u64,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(header_len + data.len(), &e)),
            }
        }
        let step = data.len().clamp(4096, 64 << 20).min(limit - data.len());
        reserve(&mut data, step, limit, "a v1 trace", header_len)?;
        let got = (&mut r)
            .take(step as u64)
            .read_to_end(&mut data)
            .map_err(|e| io_error(header_len + data.len(), &e))?;
        if got == 0 {
            return Ok(data);
        }
    }
}

impl<R> std::fmt::Debug for StreamSource<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamSource")
            .field("version", &self.version)
            .field("offset", &self.offset)
            .finish()
    }
}

fn io_error(offset: usize, e: &io::Error) -> Error {
    Error::Io {
        offset: offset as u64,
        kind: e.kind(),
        message: e.to_string(),
    }
}

impl<R: Read> StreamSource<R> {
    /// Reads and checks the header; a v1 trace is handed back unread past its header.
    pub(crate) fn open(mut r: R, limit: usize) -> Result<Opened<R>, Error> {
        // Go reads the header with fmt.Fscanf, which may take more (or, on a bad header,
        // fewer) than the 16 bytes every Go release writes: read until it is decided.
        let mut header = Vec::with_capacity(HEADER_LEN);
        let mut want = HEADER_LEN;
        let len = loop {
            let have = header.len();
            (&mut r)
                .take((want - have) as u64)
                .read_to_end(&mut header)
                .map_err(|e| io_error(header.len(), &e))?;
            match scan_header(&header) {
                Scan::Done(_, len) => break len,
                Scan::Incomplete if header.len() == want && want < MAX_HEADER => want += 1,
                _ => return Err(Error::BadHeader),
            }
        };
        let (version, _) = Version::detect_len(&header)?;
        if !version.is_v2() {
            return Ok(Opened::V1(r, version, len));
        }
        let s = StreamSource {
            r,
            version,
            offset: len,
            pending: Vec::new(),
            done: false,
            limit,
        };
        Ok(Opened::V2(s, version))
    }

    /// Reads up to `n` bytes into `buf`; returns how many (fewer only at end of stream).
    fn take(&mut self, buf: &mut Vec<u8>, n: usize) -> Result<usize, Error> {
        let before = buf.len();
        reserve(buf, n, self.limit, "a generation", self.offset - before)?;
        let got = (&mut self.r)
            .take(n as u64)
            .read_to_end(buf)
            .map_err(|e| io_error(self.offset, &e))?;
        self.offset += buf.len() - before;
        Ok(got)
    }

    fn byte(&mut self, buf: &mut Vec<u8>) -> Result<Option<u8>, Error> {
        Ok(if self.take(buf, 1)? == 1 {
            buf.last().copied()
        } else {
            None
        })
    }

    /// Copies a uvarint; `None` if it is cut short or too long.
    fn uvarint(&mut self, buf: &mut Vec<u8>) -> Result<Option<u64>, Error> {
        let (mut x, mut s) = (0u64, 0u32);
        for i in 0..10 {
            let Some(b) = self.byte(buf)? else {
                return Ok(None);
            };
            if b < 0x80 {
                if i == 9 && b > 1 {
                    return Ok(None);
                }
                return Ok(Some(x | (b as u64) << s));
            }
            x |= ((b & 0x7f) as u64) << s;
            s += 7;
        }
        Ok(None)
    }

    fn broken(&mut self, buf: &mut Vec<u8>) -> Result<Copied, Error> {
        self.take(buf, MAX_BATCH_SIZE as usize + 64)?;
        self.done = true;
        Ok(Copied::Broken)
    }

    /// Copies one batch (header and data) from the stream to `buf`.
    fn copy_batch(&mut self, buf: &mut Vec<u8>) -> Result<Copied, Error> {
        let Some(typ) = self.byte(buf)? else {
            return Ok(Copied::End);
        };
        if typ == ev::END_OF_GENERATION {
            return Ok(Copied::Batch {
                generation: 0,
                end_of_generation: true,
            });
        }
        if typ != ev::EVENT_BATCH && typ != ev::EXPERIMENTAL_BATCH {
            return self.broken(buf);
        }
        if typ == ev::EXPERIMENTAL_BATCH && self.byte(buf)?.is_none() {
            // Go's reader takes end of file right after this byte for a clean end.
            self.done = true;
            return Ok(Copied::End);
        }
        let mut fields = [0u64; 4];
        for f in &mut fields {
            match self.uvarint(buf)? {
                Some(v) => *f = v,
                None => return self.broken(buf),
            }
        }
        let size = fields[3];
        if size > MAX_BATCH_SIZE {
            return self.broken(buf);
        }
        if self.take(buf, size as usize)? < size as usize {
            self.done = true;
            return Ok(Copied::Broken);
        }
        Ok(Copied::Batch {
            generation: fields[0],
            end_of_generation: false,
        })
    }

    /// The bytes of the next generation and the file offset they start at.
    fn next_chunk(&mut self) -> Result<(Vec<u8>, usize), Error> {
        let start = self.offset - self.pending.len();
        let mut buf = std::mem::take(&mut self.pending);
        let mut current = 0u64;
        if !buf.is_empty() {
            // The spilled batch's generation number follows its type byte.
            current = crate::varint::uvarint(&buf[1..]).map_or(0, |(v, _)| v);
        }
        while !self.done {
            let mark = buf.len();
            match self.copy_batch(&mut buf)? {
                Copied::End | Copied::Broken => break,
                Copied::Batch {
                    end_of_generation: true,
                    ..
                } if self.version >= Version::Go126 => break,
                Copied::Batch { .. } if self.version >= Version::Go126 => {}
                Copied::Batch { generation, .. } => {
                    if current != 0 && generation == current.wrapping_add(1) {
                        self.pending = buf.split_off(mark);
                        break;
                    }
                    if generation == 0 || (current != 0 && generation != current) {
                        // The generation reader rejects this batch; nothing after it matters.
                        self.done = true;
                        break;
                    }
                    current = generation;
                }
            }
        }
        Ok((buf, start))
    }
}

impl<R: Read + Send> GenSource<'static> for StreamSource<R> {
    fn next_generation(&mut self) -> NextGen<'static> {
        let (chunk, start) = match self.next_chunk() {
            Ok(c) => c,
            Err(e) => return NextGen::Err(e),
        };
        let chunk = Arc::new(chunk);
        let mut gens = GenerationReader::new(Batches::over_chunk(&chunk, self.version, start));
        gens.next_generation_in(Base::Owned(chunk.clone()))
    }

    fn has_spill(&self) -> bool {
        !self.pending.is_empty()
    }

    fn offset(&self) -> usize {
        self.offset
    }
}
