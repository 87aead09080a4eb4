//! Where profile bytes come from: format detection (gzip, protobuf, legacy text), the
//! inflate cap, and zero-copy sources (`&[u8]`, `Bytes`, `Vec<u8>`, memory-mapped files).

use std::path::Path;

use bytes::Bytes;

use crate::column::ColumnPool;
use crate::error::{Error, Result};
use crate::profile::Profile;

/// Knobs for decoding.
///
/// ```
/// use pprof_format::{DecodeOptions, Profile};
/// let mut opts = DecodeOptions::default();
/// opts.max_inflated_size = 64 << 20;
/// opts.memory_budget = 256 << 20;
/// assert!(Profile::decode_with(b"", &opts).is_err());
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DecodeOptions {
    /// Largest inflated size accepted for gzip input, in bytes (default 2 GiB). Protects
    /// against gzip bombs; a profile above it fails with [`Error::TooLarge`].
    pub max_inflated_size: usize,
    /// Try the legacy text/binary formats when the input is not a valid protobuf, as
    /// `go tool pprof` does (default true).
    pub legacy: bool,
    /// Decode gzip input while it inflates (default true): only a window of inflated
    /// bytes is held at a time and the profile keeps just the string table's bytes, so
    /// peak memory is about that of the decoded columns. With `false` the input is
    /// inflated whole first and the profile's strings point into it. The decoded profile
    /// and any error are the same either way.
    pub stream_gzip: bool,
    /// Most bytes the decoded profile's buffers (and, for gzip input decoded in memory,
    /// the inflated bytes) may take (default 4 GiB). Checked against the sizes a profile
    /// declares before they are allocated, and against what has been decoded as a
    /// gzip stream inflates, so a decompression bomb or a forged count ends in
    /// [`Error::OverBudget`] once it passes the budget, not when the machine runs out of
    /// memory. Inflated input is also capped by it. A profile that decodes to `n` bytes
    /// of input needs at most about `n × 10` bytes here (a protobuf of a real program's
    /// profile: one to three times its size). The legacy text formats are bounded by the
    /// inflated size only.
    pub memory_budget: usize,
    /// Where large sample columns get their memory (default `None`: plain vectors).
    /// With a [`ColumnPool`], they are memory mappings populated in bulk, which go back
    /// to the pool when the profile is dropped and serve the next decode: faster for a
    /// program that decodes many large profiles, at the price of the memory the pool
    /// keeps (see [`ColumnPool`]).
    pub column_pool: Option<ColumnPool>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_inflated_size: 2 << 30,
            legacy: true,
            stream_gzip: true,
            memory_budget: 4 << 30,
            column_pool: None,
        }
    }
}

/// True when `data` starts with the gzip magic `1f 8b`.
pub fn is_gzip(data: &[u8]) -> bool {
    data.len() >= 2 && data[0] == 0x1f && data[1] == 0x8b
}

/// Inflates a (possibly multi-member) gzip stream, refusing to go past `limit` bytes
/// ([`Error::TooLarge`]); a buffer the allocator refuses is [`Error::OutOfMemory`].
pub fn gunzip(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    inflate(data, limit, || Error::TooLarge { limit })
}

/// [`gunzip`] with the error for passing `limit` chosen by the caller. The buffer is
/// sized from the trailer, so that it is never regrown for a well-formed input (each
/// regrowth copies it and, for a moment, holds it twice); reserved but untouched memory
/// is address space only.
fn inflate(data: &[u8], limit: usize, too_large: impl Fn() -> Error) -> Result<Vec<u8>> {
    crate::budget::read_limited(
        flate2::read::MultiGzDecoder::new(data),
        limit,
        inflated_size_hint(data, limit).min(1 << 30),
        |e| Error::Gzip(gzip_message(&e)),
        too_large,
    )
}

impl DecodeOptions {
    /// The most inflated (or streamed) bytes accepted: the inflate cap or the budget,
    /// whichever is smaller.
    pub(crate) fn inflate_limit(&self) -> usize {
        self.max_inflated_size.min(self.memory_budget)
    }

    /// The error for input past [`DecodeOptions::inflate_limit`].
    pub(crate) fn too_large(&self) -> Error {
        if self.max_inflated_size <= self.memory_budget {
            Error::TooLarge {
                limit: self.max_inflated_size,
            }
        } else {
            Error::OverBudget {
                needed: self.memory_budget.saturating_add(1),
                budget: self.memory_budget,
            }
        }
    }

    pub(crate) fn budget(&self) -> crate::budget::Budget {
        crate::budget::Budget(self.memory_budget)
    }
}

/// The inflated size of gzip `data` as far as it can be told without inflating, at most
/// `limit`. The last member's trailer holds its inflated size (mod 2^32): for the usual
/// single member that is the exact size. Deflate expands at most ~1032:1, which bounds
/// what a forged trailer can claim.
pub(crate) fn inflated_size_hint(data: &[u8], limit: usize) -> usize {
    let trailer = data
        .len()
        .checked_sub(4)
        .and_then(|at| data.get(at..))
        .and_then(|b| b.try_into().ok())
        .map_or(0, |b| u32::from_le_bytes(b) as usize);
    let guess = if trailer > 0 {
        trailer.min(data.len().saturating_mul(1032))
    } else {
        data.len().saturating_mul(4)
    };
    guess.min(limit)
}

pub(crate) fn gzip_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "unexpected EOF".into(),
        _ => e.to_string(),
    }
}

impl Profile {
    /// Decodes a profile from borrowed bytes: gzip or raw profile.proto, else a legacy
    /// format. Raw protobuf input is copied once into a shared buffer; use
    /// [`Profile::decode_bytes`] to avoid even that.
    ///
    /// ```
    /// # use pprof_format::Profile;
    /// let err = Profile::decode(b"\x1f\x8b\x08").unwrap_err();
    /// assert!(err.to_string().contains("decompressing"));
    /// ```
    pub fn decode(data: &[u8]) -> Result<Profile> {
        Self::decode_with(data, &DecodeOptions::default())
    }

    /// [`Profile::decode`] with options.
    pub fn decode_with(data: &[u8], opts: &DecodeOptions) -> Result<Profile> {
        if is_gzip(data) {
            return decode_gzip(data, opts);
        }
        decode_uncompressed(Bytes::copy_from_slice(data), opts)
    }

    /// Decodes a profile that lives in `buf` without copying it: the strings of the result
    /// are spans into `buf` (for gzip input, into a buffer of the string table's bytes;
    /// see [`DecodeOptions::stream_gzip`]).
    pub fn decode_bytes(buf: Bytes) -> Result<Profile> {
        Self::decode_bytes_with(buf, &DecodeOptions::default())
    }

    /// [`Profile::decode_bytes`] with options.
    pub fn decode_bytes_with(buf: Bytes, opts: &DecodeOptions) -> Result<Profile> {
        if is_gzip(&buf) {
            return decode_gzip(&buf, opts);
        }
        decode_uncompressed(buf, opts)
    }

    /// Decodes a profile from an owned vector without copying it.
    pub fn decode_vec(data: Vec<u8>) -> Result<Profile> {
        Self::decode_bytes(Bytes::from(data))
    }

    /// Opens and decodes a profile file. The file is memory-mapped, so a raw protobuf is
    /// never copied: the profile's strings point into the mapping, which lives as long as
    /// the profile (or any clone of it).
    pub fn open(path: impl AsRef<Path>) -> Result<Profile> {
        Self::open_with(path, &DecodeOptions::default())
    }

    /// [`Profile::open`] with options. A path that is not a regular file (a FIFO,
    /// `/dev/stdin`, a pipe) is read as a stream, up to `max_inflated_size` bytes (and
    /// the memory budget).
    pub fn open_with(path: impl AsRef<Path>, opts: &DecodeOptions) -> Result<Profile> {
        let path = path.as_ref();
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        if meta.is_dir() {
            return Err(io(std::io::ErrorKind::IsADirectory.into()));
        }
        if !meta.is_file() {
            return Self::read_with(file, opts).map_err(|e| match e {
                Error::Stream(source) => io(source),
                other => other,
            });
        }
        if meta.len() == 0 {
            return Err(Error::Empty);
        }
        let buf = map_file(&file).map_err(io)?;
        Self::decode_bytes_with(buf, opts)
    }

    /// Reads a profile from a stream (standard input, a pipe, a socket) to its end, up to
    /// `max_inflated_size` bytes ([`Error::TooLarge`] past it; [`Error::OverBudget`] past
    /// a smaller `memory_budget`), and decodes it. A failed
    /// read is [`Error::Stream`].
    ///
    /// ```
    /// # use pprof_format::{DecodeOptions, Profile, ProfileBuilder};
    /// let mut b = ProfileBuilder::new();
    /// b.sample_type("samples", "count");
    /// let bytes = b.build().unwrap().encode_gzip();
    /// let p = Profile::read_with(&bytes[..], &DecodeOptions::default()).unwrap();
    /// assert_eq!(p.sample_types().len(), 1);
    /// ```
    pub fn read_with(r: impl std::io::Read, opts: &DecodeOptions) -> Result<Profile> {
        let data = crate::budget::read_limited(r, opts.inflate_limit(), 0, Error::Stream, || {
            opts.too_large()
        })?;
        if data.is_empty() {
            return Err(Error::Empty);
        }
        Self::decode_bytes_with(Bytes::from(data), opts)
    }
}

/// Maps `file` read-only and hands the mapping to `Bytes`, which keeps it alive (an empty
/// file gives empty bytes: there is nothing to map). Public so that other readers of
/// large files (the gctrace command) share this one mmap call site.
///
/// ```
/// let f = std::fs::File::open("../examples/data/gctrace.log")
///     .or_else(|_| std::fs::File::open("examples/data/gctrace.log"))
///     .unwrap();
/// let bytes = pprof_format::map_file(&f).unwrap();
/// assert!(bytes.starts_with(b"gc 1 @"));
/// ```
#[allow(unsafe_code)]
pub fn map_file(file: &std::fs::File) -> std::io::Result<Bytes> {
    if file.metadata()?.len() == 0 {
        return Ok(Bytes::new());
    }
    // SAFETY: the mapping is read-only and private to this process. Its contents may
    // change if another process truncates or rewrites the file while we hold it (the
    // usual caveat of mmap); the decoder never trusts the bytes, so a change can at worst
    // produce a decode error or, on truncation, SIGBUS — the same contract as every mmap
    // reader (ripgrep, gimli users). Callers who cannot accept that use `decode_vec`.
    let map = unsafe { memmap2::Mmap::map(file)? };
    Ok(Bytes::from_owner(map))
}

/// Gzip input: streamed when asked and possible, else inflated whole.
fn decode_gzip(data: &[u8], opts: &DecodeOptions) -> Result<Profile> {
    if opts.stream_gzip
        && let Some(p) = crate::gzip_stream::decode(data, opts)?
    {
        return Ok(p);
    }
    let inflated = inflate(data, opts.inflate_limit(), || opts.too_large())?;
    decode_uncompressed(Bytes::from(inflated), opts)
}

/// Protobuf first; when that fails for a reason google/pprof would treat as "not a
/// protobuf", the legacy formats, as `profile.ParseData` does.
fn decode_uncompressed(buf: Bytes, opts: &DecodeOptions) -> Result<Profile> {
    match crate::decode::decode_proto(buf.clone(), opts.budget(), opts.column_pool.as_ref()) {
        Ok(p) => Ok(p),
        Err(e @ (Error::Malformed { .. } | Error::Truncated { .. })) if opts.legacy => {
            match crate::legacy::parse(&buf) {
                Ok(p) => Ok(p),
                // Not text either: the protobuf error says more than "unrecognized".
                Err(Error::UnknownFormat(_)) => Err(e),
                Err(le) => Err(le),
            }
        }
        Err(e) => Err(e),
    }
}
