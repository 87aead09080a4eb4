//! What a JS caller hands us as input, and how it becomes bytes without a copy.
//!
//! A `Buffer` or any `Uint8Array` is borrowed: the `Bytes` made from it holds a reference
//! to the JS object, which keeps its memory alive for as long as a profile's strings point
//! into it (the reference is released on the JS thread when the last user drops). JS
//! buffers are mutable: the caller must not write to one while a profile decoded from it
//! is in use, or pass `{ copy: true }` (documented on every loader).

use bytes::Bytes;
use napi::bindgen_prelude::{Buffer, Either, Uint8Array};

/// A `Buffer` or a `Uint8Array`.
pub(crate) type BufferLike = Either<Buffer, Uint8Array>;

/// The bytes of `b`: borrowed, or copied when `copy` is set.
pub(crate) fn bytes(b: BufferLike, copy: bool) -> Bytes {
    match (b, copy) {
        (Either::A(b), false) => Bytes::from_owner(b),
        (Either::B(b), false) => Bytes::from_owner(b),
        (Either::A(b), true) => Bytes::copy_from_slice(&b),
        (Either::B(b), true) => Bytes::copy_from_slice(&b),
    }
}
