//! Gzip input: the magic, inflating whole ([`gunzip`]) and decoding while inflating
//! ([`stream`]). Both paths read their limits from [`DecodeOptions`](crate::DecodeOptions).

pub(crate) mod stream;

use crate::error::{Error, Result};

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
pub(crate) fn inflate(data: &[u8], limit: usize, too_large: impl Fn() -> Error) -> Result<Vec<u8>> {
    crate::budget::read_limited(
        flate2::read::MultiGzDecoder::new(data),
        limit,
        inflated_size_hint(data, limit).min(1 << 30),
        |e| Error::Gzip(gzip_message(&e)),
        too_large,
    )
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
