//! Where profile bytes come from: format detection (gzip, protobuf, legacy text) and
//! zero-copy sources (`&[u8]`, `Bytes`, `Vec<u8>`, memory-mapped files).

use std::path::Path;

use bytes::Bytes;

use crate::error::{Error, Result};
use crate::gzip::{inflate, is_gzip};
use crate::options::DecodeOptions;
use crate::profile::Profile;

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
        && let Some(p) = crate::gzip::stream::decode(data, opts)?
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
