//! [`DecodeOptions`]: the knobs of decoding (inflate cap, memory budget, legacy formats,
//! gzip streaming, column pool), read by both the in-memory and the streaming path.

use crate::column::ColumnPool;
use crate::error::Error;

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
