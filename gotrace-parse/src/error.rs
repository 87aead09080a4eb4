//! The crate's one error type.

use std::fmt;

/// Where in the file an error was found.
///
/// `generation` is the generation number written in the batch headers (0 before the first
/// batch was read); `batch` is the byte offset of the batch header, when the error is
/// inside a batch; `offset` is the byte offset of the event or field that was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    /// Generation number from the batch header (0 if not known yet).
    pub generation: u64,
    /// Byte offset of the enclosing batch's header, if any.
    pub batch: Option<u64>,
    /// Byte offset of the offending event or field.
    pub offset: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "generation {}", self.generation)?;
        if let Some(b) = self.batch {
            write!(f, ", batch at byte {b}")?;
        }
        write!(f, ", byte {}", self.offset)
    }
}

/// Everything that can go wrong reading a trace.
///
/// The `reason` strings use the wording of Go's own reader (`internal/trace`), so an error
/// can be matched against what `go tool trace` says about the same file; the location is
/// appended in parentheses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file does not start with `go 1.N trace\0\0\0`.
    #[error("bad file format: not a Go execution trace?")]
    BadHeader,
    /// The header names a Go version that never wrote traces in a known format.
    #[error("unknown or unsupported trace version go 1.{0}")]
    UnsupportedVersion(u32),
    /// A v1 trace (Go 1.11–1.21) given to the raw layer ([`crate::raw::Batches`]), which
    /// reads the v2 wire format only; [`crate::Reader`] reads v1 traces.
    #[error("trace version go 1.{0} (v1 format, Go 1.11–1.21) has no raw v2 batches")]
    V1NotSupported(u32),
    /// Reading the input failed.
    #[error("reading the trace at byte {offset}: {message}")]
    Io {
        /// Byte offset where reading failed.
        offset: u64,
        /// What kind of failure it was (the error itself is not `Clone`/`Eq`, which this
        /// enum is; the kind is what callers branch on, e.g. to raise `FileNotFoundError`).
        kind: std::io::ErrorKind,
        /// The I/O error's message.
        message: String,
    },
    /// A streamed trace holds more than the reader may buffer at once: a generation
    /// (v2) or the whole trace (v1, which is read whole) past the limit of
    /// [`crate::Reader::from_reader_limited`], or a buffer the allocator refused.
    #[error("{what} at byte {offset} needs more than {limit} bytes of memory")]
    TooLarge {
        /// What was being buffered (`a generation`, `a v1 trace`).
        what: &'static str,
        /// File offset where the buffer started.
        offset: u64,
        /// The limit in bytes (or the size the allocator refused).
        limit: u64,
    },
    /// The bytes do not follow the wire format (bad varint, wrong event type, size limits).
    #[error("{reason} ({at})")]
    Malformed {
        /// Where.
        at: Location,
        /// What, in Go's wording.
        reason: String,
    },
    /// The file ends inside a generation (Go 1.26+ traces end each generation with a marker).
    #[error("{reason} ({at})")]
    Truncated {
        /// Where.
        at: Location,
        /// What, in Go's wording.
        reason: String,
    },
    /// Well-formed events that break the runtime's ordering or state rules.
    #[error("{reason} ({at})")]
    Invalid {
        /// Where.
        at: Location,
        /// What, in Go's wording.
        reason: String,
    },
}

impl Error {
    /// Go's wording of the error, without the location.
    ///
    /// ```
    /// let e = gotrace_parse::Error::BadHeader;
    /// assert_eq!(e.reason(), "bad file format: not a Go execution trace?");
    /// ```
    pub fn reason(&self) -> String {
        match self {
            Error::Malformed { reason, .. }
            | Error::Truncated { reason, .. }
            | Error::Invalid { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }

    /// Where the error was found, for errors inside the event data.
    pub fn location(&self) -> Option<Location> {
        match self {
            Error::Malformed { at, .. }
            | Error::Truncated { at, .. }
            | Error::Invalid { at, .. } => Some(*at),
            _ => None,
        }
    }

    pub(crate) fn malformed(at: Location, reason: impl Into<String>) -> Error {
        Error::Malformed {
            at,
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid(at: Location, reason: impl Into<String>) -> Error {
        Error::Invalid {
            at,
            reason: reason.into(),
        }
    }
}
