//! The one error type of this crate. Parsing itself never fails (unrecognised text is
//! reported, not rejected); only reading can.

/// What can go wrong reading a gctrace log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The reader failed.
    #[error("reading gctrace log at line {line}: {source}")]
    Io {
        /// 1-based line being read.
        line: usize,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
