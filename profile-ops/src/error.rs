//! [`Error`]: why an operation on profiles could not be carried out.

use thiserror::Error;

/// What went wrong in a profile operation.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// Nothing to merge.
    #[error("no profiles to merge")]
    NoProfiles,
    /// Profiles whose sample or period types differ cannot be merged or compared.
    #[error("incompatible profiles: {0}")]
    Incompatible(String),
    /// A regular expression option (focus, ignore, ...) does not compile.
    #[error("parsing {option} regexp: {message}")]
    BadRegex {
        /// The option, e.g. `focus`.
        option: &'static str,
        /// The regex compiler's message.
        message: String,
    },
    /// An option value is out of range or malformed (sample index, granularity...).
    #[error("{0}")]
    BadOption(String),
    /// The profile's `drop_frames`/`keep_frames` regular expression does not compile.
    #[error("failed to compile regexp {0}")]
    BadFrameRegex(String),
    /// A trace could not be read or converted (the message says where and why, in Go's
    /// wording for parse errors).
    #[error("{0}")]
    Trace(String),
    /// Reading or building a profile failed.
    #[error(transparent)]
    Pprof(#[from] crate::pprof::Error),
}

/// `Result` with this crate's [`Error`](enum@Error).
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A regex compile error as one line (the `regex` crate's messages span several).
pub(crate) fn bad_regex(option: &'static str, e: &regex::Error) -> Error {
    let text = e.to_string();
    let message = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map_or_else(|| text.replace('\n', " "), str::to_string);
    Error::BadRegex { option, message }
}
