//! The one error type of this crate.

use std::path::PathBuf;

/// Everything that can go wrong reading, validating or writing a profile.
///
/// Every variant says where: a byte offset into the (inflated) protobuf, a field name, a
/// line number in a legacy text profile, or the id that failed to resolve.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ended inside a protobuf field.
    #[error("truncated protobuf: {field} at byte {offset} needs {needed} more bytes")]
    Truncated {
        /// The field being read (`Profile.sample`, `Location.line`, ...).
        field: &'static str,
        /// Offset of the field's start in the protobuf bytes.
        offset: usize,
        /// How many bytes beyond the end of input the field claims.
        needed: usize,
    },
    /// A protobuf tag, varint or wire type that cannot be right.
    #[error("malformed protobuf: {what} in {field} at byte {offset}")]
    Malformed {
        /// The field being read.
        field: &'static str,
        /// Offset of the offending bytes.
        offset: usize,
        /// What was wrong.
        what: String,
    },
    /// The profile decoded but breaks one of profile.proto's rules (google/pprof's
    /// `CheckValid`, plus reference checks done while decoding).
    #[error("invalid profile: {0}")]
    Invalid(String),
    /// gzip data that does not inflate.
    #[error("decompressing profile: {0}")]
    Gzip(String),
    /// The inflated size passed [`crate::DecodeOptions::max_inflated_size`].
    #[error("decompressing profile: inflated size exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// Decoding would take more memory than [`crate::DecodeOptions::memory_budget`]
    /// allows: the profile is larger than the budget, or the input declares more than
    /// it could hold (a decompression bomb).
    #[error(
        "decoding needs about {needed} bytes, over the memory budget of {budget} bytes (DecodeOptions::memory_budget)"
    )]
    OverBudget {
        /// What decoding holds or is about to need, in bytes (an estimate from above).
        needed: usize,
        /// The configured budget in bytes.
        budget: usize,
    },
    /// The allocator refused memory for a buffer the input sized (the machine or the
    /// process's limits have less than [`crate::DecodeOptions::memory_budget`]).
    #[error("out of memory: could not allocate {bytes} bytes while decoding")]
    OutOfMemory {
        /// The size of the buffer that could not be had, in bytes.
        bytes: usize,
    },
    /// A legacy text or binary profile that could not be parsed.
    #[error("parsing legacy {format} profile: line {line}: {message}")]
    Legacy {
        /// Which legacy format was being read (`heap`, `contention`, `cpu`, ...).
        format: &'static str,
        /// 1-based line number (for binary CPU profiles: the 1-based word index).
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// Neither protobuf, gzip nor a known legacy format.
    #[error("unrecognized profile format: {0}")]
    UnknownFormat(String),
    /// The input holds no profile at all (an empty file).
    #[error("empty input: no profile data")]
    Empty,
    /// Reading a file failed.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Saving a profile to a file failed (the file is left as it was).
    #[error("writing {path}: {source}")]
    Save {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Reading a profile from a stream (standard input, a pipe) failed.
    #[error("reading profile: {0}")]
    Stream(std::io::Error),
    /// Writing an encoded profile failed.
    #[error("writing profile: {0}")]
    Write(#[from] std::io::Error),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
