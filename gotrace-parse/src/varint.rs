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
    if let Some(&first) = b.first() {
        if first < 0x80 {
            return Ok((first as u64, 1));
        }
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
}
