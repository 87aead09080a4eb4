//! Protobuf wire format: the reading half (varints, tags, length-delimited fields) and the
//! writing half used by the encoder.
//!
//! Accepts exactly what google/pprof's decoder accepts: wire types 0, 1, 2 and 5; varints
//! of at most 10 bytes; lengths within the remaining input.

use crate::error::{Error, Result};

/// One field's value as it appears on the wire.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Value<'a> {
    Varint(u64),
    /// Length-delimited payload and the absolute offset of its first byte.
    Bytes(&'a [u8], usize),
    /// A fixed32 or fixed64 value: profile.proto declares none, so only skipped.
    Fixed,
}

/// A cursor over one message's bytes. `base` is the absolute offset of `data[0]` so errors
/// can point into the whole input.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
    field: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8], base: usize, field: &'static str) -> Self {
        Reader {
            data,
            pos: 0,
            base,
            field,
        }
    }

    fn malformed(&self, at: usize, what: impl Into<String>) -> Error {
        Error::Malformed {
            field: self.field,
            offset: self.base + at,
            what: what.into(),
        }
    }

    /// Reads a varint at the cursor.
    #[inline(always)]
    pub(crate) fn varint(&mut self) -> Result<u64> {
        // Fast paths: one and two bytes (tags, ids, string indexes, small values).
        let d = &self.data[self.pos.min(self.data.len())..];
        match *d {
            [b0, ..] if b0 < 0x80 => {
                self.pos += 1;
                Ok(u64::from(b0))
            }
            [b0, b1, ..] if b1 < 0x80 => {
                self.pos += 2;
                Ok(u64::from(b0 & 0x7f) | u64::from(b1) << 7)
            }
            _ => self.varint_slow(),
        }
    }

    /// Reads a varint that is often long (a sample value: nanoseconds, bytes), with the
    /// lengths up to five bytes unrolled inline.
    #[inline(always)]
    pub(crate) fn varint_value(&mut self) -> Result<u64> {
        let d = &self.data[self.pos.min(self.data.len())..];
        if let Some(w) = d.first_chunk::<5>() {
            let mut v = 0u64;
            for (i, &b) in w.iter().enumerate() {
                v |= u64::from(b & 0x7f) << (7 * i);
                if b < 0x80 {
                    self.pos += i + 1;
                    return Ok(v);
                }
            }
        }
        self.varint()
    }

    #[inline(never)]
    fn varint_slow(&mut self) -> Result<u64> {
        let start = self.pos;
        let mut v: u64 = 0;
        for i in 0..10 {
            let Some(&b) = self.data.get(start + i) else {
                return Err(self.malformed(start, "bad varint (input ends inside it)"));
            };
            v |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                self.pos = start + i + 1;
                return Ok(v);
            }
        }
        Err(self.malformed(start, "bad varint (longer than 10 bytes)"))
    }

    /// The next byte, not consumed.
    #[inline(always)]
    pub(crate) fn peek_byte(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// True when the whole message has been read.
    #[inline(always)]
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// Reads the next field: `(field number, value)`, or `None` at the end of the message.
    #[inline(always)]
    pub(crate) fn field(&mut self) -> Result<Option<(u64, Value<'a>)>> {
        if self.pos >= self.data.len() {
            return Ok(None);
        }
        let tag_at = self.pos;
        let tag = self.varint()?;
        let num = tag >> 3;
        let v = match tag & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                self.take(8, tag_at)?;
                Value::Fixed
            }
            2 => {
                let len = self.varint()?;
                let at = self.pos;
                let rest = self.data.len() - self.pos;
                if len > rest as u64 {
                    return Err(Error::Truncated {
                        field: self.field,
                        offset: self.base + tag_at,
                        needed: (len - rest as u64).min(usize::MAX as u64) as usize,
                    });
                }
                let b = self.take(len as usize, tag_at)?;
                Value::Bytes(b, self.base + at)
            }
            5 => {
                self.take(4, tag_at)?;
                Value::Fixed
            }
            w => return Err(self.malformed(tag_at, format!("unknown wire type {w}"))),
        };
        Ok(Some((num, v)))
    }

    /// The payload of a length-delimited field whose tag (at `tag_at`) was just read, and
    /// its absolute offset.
    #[inline(always)]
    pub(crate) fn payload(&mut self, tag_at: usize) -> Result<(&'a [u8], usize)> {
        let len = self.varint()?;
        let at = self.base + self.pos;
        let rest = (self.data.len() - self.pos) as u64;
        if len > rest {
            return Err(Error::Truncated {
                field: self.field,
                offset: self.base + tag_at,
                needed: (len - rest).min(usize::MAX as u64) as usize,
            });
        }
        let b = &self.data[self.pos..self.pos + len as usize];
        self.pos += len as usize;
        Ok((b, at))
    }

    /// Skips the value of a field whose tag was just read (wire types 0, 1, 2, 5).
    pub(crate) fn skip(&mut self, tag: u64, tag_at: usize) -> Result<()> {
        match tag & 7 {
            0 => self.varint().map(drop),
            1 => self.take(8, tag_at).map(drop),
            2 => self.payload(tag_at).map(drop),
            5 => self.take(4, tag_at).map(drop),
            w => Err(self.malformed(tag_at, format!("unknown wire type {w}"))),
        }
    }

    fn take(&mut self, n: usize, tag_at: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        match end {
            Some(e) => {
                let b = &self.data[self.pos..e];
                self.pos = e;
                Ok(b)
            }
            None => Err(Error::Truncated {
                field: self.field,
                offset: self.base + tag_at,
                needed: self.pos + n - self.data.len(),
            }),
        }
    }
}

/// The value of a field that profile.proto declares as a varint (int64/uint64/bool).
/// Any other wire type is google/pprof's "type mismatch".
#[inline]
pub(crate) fn as_varint(v: Value<'_>, field: &'static str, at: usize) -> Result<u64> {
    match v {
        Value::Varint(x) => Ok(x),
        _ => Err(Error::Malformed {
            field,
            offset: at,
            what: "type mismatch (expected a varint)".into(),
        }),
    }
}

/// The payload of a field that profile.proto declares as a message or string.
#[inline]
pub(crate) fn as_bytes<'a>(
    v: Value<'a>,
    field: &'static str,
    at: usize,
) -> Result<(&'a [u8], usize)> {
    match v {
        Value::Bytes(b, off) => Ok((b, off)),
        _ => Err(Error::Malformed {
            field,
            offset: at,
            what: "type mismatch (expected length-delimited)".into(),
        }),
    }
}

/// Calls `f` with every varint of a packed repeated field: a tight loop over the slice
/// with no per-value error plumbing (this is where decoding spends its time).
#[inline(always)]
pub(crate) fn for_each_packed(
    p: &[u8],
    base: usize,
    field: &'static str,
    mut f: impl FnMut(u64),
) -> Result<()> {
    let n = p.len();
    let mut i = 0;
    while i < n {
        let b0 = p[i];
        // One call site for `f`, so that it is inlined.
        let v = if b0 < 0x80 {
            i += 1;
            u64::from(b0)
        } else if i + 1 < n && p[i + 1] < 0x80 {
            i += 2;
            u64::from(b0 & 0x7f) | u64::from(p[i - 1]) << 7
        } else {
            let (v, len) = long_varint(&p[i..]).ok_or_else(|| Error::Malformed {
                field,
                offset: base + i,
                what: "bad varint in packed field".into(),
            })?;
            i += len;
            v
        };
        f(v);
    }
    Ok(())
}

/// A varint of any length at the start of `p`, with its length in bytes.
#[inline(never)]
fn long_varint(p: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &b) in p.iter().take(10).enumerate() {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            return Some((v, i + 1));
        }
    }
    None
}

/// Appends the values of a repeated varint field, packed or not.
#[inline]
pub(crate) fn push_varints(
    v: Value<'_>,
    out: &mut Vec<u64>,
    field: &'static str,
    at: usize,
) -> Result<()> {
    match v {
        Value::Varint(x) => out.push(x),
        Value::Bytes(b, off) => {
            let mut r = Reader::new(b, off, field);
            while r.pos < b.len() {
                out.push(r.varint()?);
            }
        }
        _ => {
            return Err(Error::Malformed {
                field,
                offset: at,
                what: "type mismatch (expected varints)".into(),
            });
        }
    }
    Ok(())
}

impl Reader<'_> {
    /// Current absolute offset (for error messages).
    pub(crate) fn offset(&self) -> usize {
        self.base + self.pos
    }
}

// ---- writing ----

#[inline]
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
pub(crate) fn put_tag(out: &mut Vec<u8>, field: u32, wire: u32) {
    put_varint(out, u64::from(field << 3 | wire));
}

/// A varint field, omitted when zero (proto3 default), as google/pprof's `encode*Opt`.
#[inline]
pub(crate) fn put_u64_opt(out: &mut Vec<u8>, field: u32, v: u64) {
    if v != 0 {
        put_tag(out, field, 0);
        put_varint(out, v);
    }
}

/// A varint field written even when zero.
#[inline]
pub(crate) fn put_u64(out: &mut Vec<u8>, field: u32, v: u64) {
    put_tag(out, field, 0);
    put_varint(out, v);
}

/// A length-delimited field.
#[inline]
pub(crate) fn put_bytes(out: &mut Vec<u8>, field: u32, b: &[u8]) {
    put_tag(out, field, 2);
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// A repeated varint field: packed when it has more than two values, as google/pprof does.
pub(crate) fn put_repeated(
    out: &mut Vec<u8>,
    field: u32,
    vals: impl ExactSizeIterator<Item = u64> + Clone,
) {
    if vals.len() > 2 {
        let len: usize = vals.clone().map(varint_len).sum();
        put_tag(out, field, 2);
        put_varint(out, len as u64);
        for v in vals {
            put_varint(out, v);
        }
    } else {
        for v in vals {
            put_u64(out, field, v);
        }
    }
}

#[inline]
pub(crate) fn varint_len(v: u64) -> usize {
    // 1 byte per started group of 7 bits; 0 takes one byte.
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_round_trip_and_lengths() {
        for v in [
            0u64,
            1,
            127,
            128,
            300,
            16383,
            16384,
            u32::MAX as u64,
            u64::MAX,
            (-1i64) as u64,
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out.len(), varint_len(v), "length of {v}");
            let mut r = Reader::new(&out, 0, "t");
            assert_eq!(r.varint().unwrap(), v);
            // With and without bytes after it (the unrolled path needs five in reach).
            for pad in [0, 8] {
                let mut padded = out.clone();
                padded.extend(std::iter::repeat_n(0xff, pad));
                let mut r = Reader::new(&padded, 0, "t");
                assert_eq!(r.varint_value().unwrap(), v);
                assert_eq!(r.offset(), out.len(), "length of {v}");
            }
        }
    }

    #[test]
    fn bad_varints_are_errors() {
        let mut r = Reader::new(&[0x80, 0x80], 5, "t");
        let e = r.varint().unwrap_err().to_string();
        assert!(e.contains("byte 5"), "{e}");
        let eleven = [0xffu8; 11];
        assert!(Reader::new(&eleven, 0, "t").varint().is_err());
    }

    #[test]
    fn lengths_beyond_input_are_truncation() {
        // field 2, wire type 2, length 100, 1 byte of payload.
        let mut r = Reader::new(&[0x12, 100, 0], 0, "Profile.sample");
        match r.field() {
            Err(Error::Truncated { field, needed, .. }) => {
                assert_eq!(field, "Profile.sample");
                assert_eq!(needed, 99);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn group_wire_types_are_rejected() {
        let mut r = Reader::new(&[0x0b], 0, "t");
        assert!(r.field().is_err());
    }
}
