//! Unsigned LEB128 varints exactly as Go's `encoding/binary` reads them.

/// Why a varint could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarintError {
    /// The input ended before the last byte (`io.EOF` if nothing was read, else `ErrUnexpectedEOF`).
    Truncated { read_any: bool },
    /// More than 64 bits (Go: "binary: varint overflows a 64-bit integer").
    Overflow,
}

impl VarintError {
    /// Go's wording for the error.
    pub(crate) fn message(self) -> &'static str {
        match self {
            VarintError::Truncated { read_any: false } => "EOF",
            VarintError::Truncated { read_any: true } => "unexpected EOF",
            VarintError::Overflow => "binary: varint overflows a 64-bit integer",
        }
    }
}

/// Reads a uvarint at the start of `b`, returning the value and the number of bytes used.
#[inline(always)]
pub(crate) fn uvarint(b: &[u8]) -> Result<(u64, usize), VarintError> {
    // Fast path: one byte.
    if let Some(&first) = b.first().filter(|&&b| b < 0x80) {
        return Ok((first as u64, 1));
    }
    let mut x: u64 = 0;
    let mut s: u32 = 0;
    for (i, &byte) in b.iter().enumerate() {
        if i == 10 {
            return Err(VarintError::Overflow);
        }
        if byte < 0x80 {
            if i == 9 && byte > 1 {
                return Err(VarintError::Overflow);
            }
            return Ok((x | (byte as u64) << s, i + 1));
        }
        x |= ((byte & 0x7f) as u64) << s;
        s += 7;
    }
    Err(VarintError::Truncated {
        read_any: !b.is_empty(),
    })
}

/// Reads a uvarint at `d[*p..]` and advances `*p`: the hot-path form of [`uvarint`],
/// unrolled for the 1–3 byte values that make up almost all of a trace.
#[inline(always)]
pub(crate) fn read_uv(d: &[u8], p: &mut usize) -> Result<u64, VarintError> {
    let i = *p;
    if let Some(w) = d.get(i..i + 3) {
        let b0 = w[0];
        if b0 < 0x80 {
            *p = i + 1;
            return Ok(b0 as u64);
        }
        let b1 = w[1];
        if b1 < 0x80 {
            *p = i + 2;
            return Ok((b0 & 0x7f) as u64 | (b1 as u64) << 7);
        }
        let b2 = w[2];
        if b2 < 0x80 {
            *p = i + 3;
            return Ok((b0 & 0x7f) as u64 | ((b1 & 0x7f) as u64) << 7 | (b2 as u64) << 14);
        }
    }
    read_uv_slow(d, p)
}

/// Reads `n` (at most 5) uvarints at `d[*p..]` into an array, keeping the values in
/// registers until the end (writing them one by one into memory and then copying the array
/// stalls store forwarding on the hot path). On error, returns which one failed.
#[inline(always)]
pub(crate) fn read_uvs(
    d: &[u8],
    p: &mut usize,
    n: usize,
) -> Result<[u64; 5], (usize, VarintError)> {
    let (mut a0, mut a1, mut a2, mut a3, mut a4) = (0, 0, 0, 0, 0);
    if n > 0 {
        a0 = read_uv(d, p).map_err(|e| (0, e))?;
        if n > 1 {
            a1 = read_uv(d, p).map_err(|e| (1, e))?;
            if n > 2 {
                a2 = read_uv(d, p).map_err(|e| (2, e))?;
                if n > 3 {
                    a3 = read_uv(d, p).map_err(|e| (3, e))?;
                    if n > 4 {
                        a4 = read_uv(d, p).map_err(|e| (4, e))?;
                    }
                }
            }
        }
    }
    Ok([a0, a1, a2, a3, a4])
}

#[cold]
#[inline(never)]
fn read_uv_slow(d: &[u8], p: &mut usize) -> Result<u64, VarintError> {
    let (v, n) = uvarint(d.get(*p..).unwrap_or(&[]))?;
    *p += n;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_go() {
        assert_eq!(uvarint(&[0x00]), Ok((0, 1)));
        assert_eq!(uvarint(&[0x96, 0x01]), Ok((150, 2)));
        assert_eq!(
            uvarint(&[0xff; 9].iter().copied().chain([0x01]).collect::<Vec<_>>()),
            Ok((u64::MAX, 10))
        );
        assert_eq!(
            uvarint(&[0xff; 9].iter().copied().chain([0x02]).collect::<Vec<_>>()),
            Err(VarintError::Overflow)
        );
        assert_eq!(uvarint(&[0x80; 11]), Err(VarintError::Overflow));
        assert_eq!(
            uvarint(&[]),
            Err(VarintError::Truncated { read_any: false })
        );
        assert_eq!(
            uvarint(&[0x80]),
            Err(VarintError::Truncated { read_any: true })
        );
    }

    #[test]
    fn fast_paths_agree_with_uvarint() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let len = (rng % 12) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|i| (rng >> (i * 5)) as u8 | if i % 3 == 0 { 0x80 } else { 0 })
                .collect();
            let mut p = 0;
            match (uvarint(&bytes), read_uv(&bytes, &mut p)) {
                (Ok((v, n)), Ok(w)) => assert_eq!((v, n), (w, p)),
                (Err(a), Err(b)) => assert_eq!(a, b),
                (a, b) => panic!("{bytes:?}: {a:?} vs {b:?}"),
            }
            let mut p = 0;
            let mut q = 0;
            let want: Vec<_> = (0..3).map(|_| read_uv(&bytes, &mut q)).collect();
            match read_uvs(&bytes, &mut p, 3) {
                Ok(a) => {
                    assert_eq!(
                        want.iter().map(|r| r.ok()).collect::<Vec<_>>(),
                        vec![Some(a[0]), Some(a[1]), Some(a[2])]
                    );
                    assert_eq!(p, q);
                }
                Err((i, e)) => assert_eq!(want[i], Err(e)),
            }
        }
    }
}
