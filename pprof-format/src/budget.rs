//! What a decode may allocate: the memory budget of [`crate::DecodeOptions`], and the
//! fallible growth of every buffer whose size the input decides.
//!
//! A hostile input (a gzip bomb, a sample table declaring billions of entries) must end
//! in an error, not in the allocator aborting the process. So input-sized buffers grow
//! with `try_reserve` (an allocation failure becomes [`Error::OutOfMemory`]), and the
//! decoders compare what they hold, or are about to need, with the budget
//! ([`Error::OverBudget`]): before allocating where the sizes are known up front (the
//! in-memory decoder counts samples first), and every window of inflated bytes where they
//! are not (the streaming gzip decoder), so that a bomb stops within a window's worth of
//! growth of the budget.

use std::collections::TryReserveError;
use std::io::Read;

use crate::error::{Error, Result};

/// The budget, in bytes, that the decoded profile's buffers may take.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget(pub(crate) usize);

impl Budget {
    /// Fails when `needed` bytes are more than the budget.
    pub(crate) fn check(self, needed: usize) -> Result<()> {
        if needed > self.0 {
            return Err(Error::OverBudget {
                needed,
                budget: self.0,
            });
        }
        Ok(())
    }
}

/// The error for a reservation of `items` more values of `T` that the allocator refused.
pub(crate) fn out_of_memory<T>(items: usize, _: TryReserveError) -> Error {
    Error::OutOfMemory {
        bytes: items.saturating_mul(size_of::<T>()),
    }
}

/// Makes room in `v` for `extra` more values, failing instead of aborting. Growth stays
/// geometric (`try_reserve`, not `try_reserve_exact`), so calling it before every push
/// costs one comparison.
#[inline]
pub(crate) fn grow<T>(v: &mut Vec<T>, extra: usize) -> Result<()> {
    if v.capacity() - v.len() < extra {
        v.try_reserve(extra)
            .map_err(|e| out_of_memory::<T>(v.len().saturating_add(extra), e))?;
    }
    Ok(())
}

/// Pushes `x` onto `v`, failing instead of aborting when `v` cannot grow.
#[inline]
pub(crate) fn push<T>(v: &mut Vec<T>, x: T) -> Result<()> {
    grow(v, 1)?;
    v.push(x);
    Ok(())
}

/// Steps in which [`read_limited`] grows its buffer: large, so that a bomb reaches its
/// limit in a few dozen allocations rather than after many small copies.
const READ_STEP: usize = 64 << 20;

/// Reads `r` to its end into a buffer of at most `limit` bytes (a first reservation of
/// `hint` bytes), failing with `too_large` past it and with [`Error::OutOfMemory`] when
/// the buffer cannot grow. `fail` turns a read error into the caller's error.
pub(crate) fn read_limited(
    mut r: impl Read,
    limit: usize,
    hint: usize,
    fail: impl Fn(std::io::Error) -> Error,
    too_large: impl Fn() -> Error,
) -> Result<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    // A guess (a gzip trailer can lie): when it cannot be had, the buffer grows instead.
    let _ = out.try_reserve_exact(hint.min(limit.saturating_add(1)));
    loop {
        // Doubling up to the step, then a step at a time, and never more than one byte
        // past the limit (one past says "too large").
        let want = out
            .len()
            .clamp(64, READ_STEP)
            .min(limit.saturating_add(1) - out.len());
        if out.capacity() - out.len() < want {
            out.try_reserve_exact(want)
                .map_err(|e| out_of_memory::<u8>(out.len().saturating_add(want), e))?;
        }
        // `read_to_end` within the room just made: it never grows the buffer itself
        // (`take` ends the read where the room ends) and leaves it uninitialized until
        // read into.
        let n = (&mut r)
            .take(want as u64)
            .read_to_end(&mut out)
            .map_err(&fail)?;
        if out.len() > limit {
            return Err(too_large());
        }
        if n == 0 {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out `n` bytes in reads of at most `chunk`.
    struct Bytes {
        n: usize,
        chunk: usize,
    }

    impl Read for Bytes {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let k = buf.len().min(self.n).min(self.chunk);
            buf[..k].fill(7);
            self.n -= k;
            Ok(k)
        }
    }

    fn read(n: usize, chunk: usize, limit: usize, hint: usize) -> Result<Vec<u8>> {
        read_limited(Bytes { n, chunk }, limit, hint, Error::Stream, || {
            Error::TooLarge { limit }
        })
    }

    #[test]
    fn reads_up_to_and_including_the_limit() {
        for (n, chunk, limit, hint) in [
            (0, 1, 10, 0),
            (10, 3, 10, 0),
            (10, 100, 10, 10),
            (1000, 7, 5000, 1),
            (200_000, 65536, 200_000, 50),
        ] {
            let got = read(n, chunk, limit, hint).unwrap();
            assert_eq!(got.len(), n);
            assert!(got.iter().all(|&b| b == 7));
        }
    }

    #[test]
    fn one_byte_past_the_limit_is_too_large() {
        for (n, chunk, limit) in [(11, 3, 10), (11, 100, 10), (1 << 20, 4096, 1000)] {
            let e = read(n, chunk, limit, 0).unwrap_err();
            assert!(
                matches!(e, Error::TooLarge { limit: l } if l == limit),
                "{e}"
            );
        }
    }

    #[test]
    fn a_budget_is_checked_and_growth_is_fallible() {
        Budget(100).check(100).unwrap();
        let e = Budget(100).check(101).unwrap_err();
        assert_eq!(
            e.to_string(),
            "decoding needs about 101 bytes, over the memory budget of 100 bytes (DecodeOptions::memory_budget)"
        );
        let mut v = vec![1u64; 3];
        push(&mut v, 2).unwrap();
        grow(&mut v, 10).unwrap();
        assert!(v.capacity() >= 14);
        let e = grow(&mut v, usize::MAX / 2).unwrap_err();
        assert!(matches!(e, Error::OutOfMemory { .. }), "{e}");
    }
}
