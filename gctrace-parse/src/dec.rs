//! [`Dec`]: a decimal number exactly as the runtime printed it.

use std::fmt;

/// A non-negative decimal as written in the log (`0.017`, `3.0`, `12`): `units / 10^scale`.
/// Keeping the digits avoids any float rounding; convert with [`Dec::to_f64`] when
/// computing statistics.
///
/// ```
/// use gctrace_parse::Dec;
/// let d = Dec::parse(b"0.017").unwrap().0;
/// assert_eq!((d.units, d.scale), (17, 3));
/// assert_eq!(d.to_string(), "0.017");
/// assert_eq!(d.to_micros(), 17); // ms → µs
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dec {
    /// The digits without the decimal point.
    pub units: u64,
    /// Number of digits after the decimal point.
    pub scale: u8,
}

impl Dec {
    /// Parses `digits[.digits]` at the start of `s`; returns the value and the bytes used.
    /// A `.` not followed by a digit is not part of the number. `None` when `s` does not
    /// start with a digit or the number does not fit 64 bits.
    #[inline(always)]
    pub fn parse(s: &[u8]) -> Option<(Dec, usize)> {
        // The runtime's numbers have a few digits on each side of the point: read each
        // side with the unrolled reader; longer ones, and the input's last bytes, take
        // the byte loop.
        if let Some(head) = s.first_chunk::<8>() {
            let (int, n) = leading_digits(head, 0);
            if n == 0 {
                return None;
            }
            if n < 8 {
                if head.get(n) != Some(&b'.') {
                    return Some((
                        Dec {
                            units: int,
                            scale: 0,
                        },
                        n,
                    ));
                }
                if let Some(frac) = s.get(n + 1..).and_then(<[u8]>::first_chunk::<8>) {
                    // At most 7 + 7 digits: no overflow.
                    let (units, m) = leading_digits(frac, int);
                    if m < 8 {
                        return Some(if m == 0 {
                            (
                                Dec {
                                    units: int,
                                    scale: 0,
                                },
                                n,
                            )
                        } else {
                            (
                                Dec {
                                    units,
                                    scale: m as u8,
                                },
                                n + 1 + m,
                            )
                        });
                    }
                }
            }
        }
        Self::parse_bytes(s)
    }

    /// [`Dec::parse`] a byte at a time.
    #[cold]
    #[inline(never)]
    fn parse_bytes(s: &[u8]) -> Option<(Dec, usize)> {
        // At most 19 digits always fit a u64: accumulate without overflow checks and
        // check the digit count instead.
        let mut units: u64 = 0;
        let mut i = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            units = units.wrapping_mul(10).wrapping_add(u64::from(s[i] - b'0'));
            i += 1;
        }
        if i == 0 {
            return None;
        }
        let int_len = i;
        let mut scale = 0u8;
        if i + 1 < s.len() && s[i] == b'.' && s[i + 1].is_ascii_digit() {
            i += 1;
            while i < s.len() && s[i].is_ascii_digit() {
                units = units.wrapping_mul(10).wrapping_add(u64::from(s[i] - b'0'));
                i += 1;
            }
            scale = (i - int_len - 1).min(255) as u8;
        }
        let digits = int_len + scale as usize;
        if digits > 19 {
            // Rare: redo with checks so that a too-large number is rejected, not wrapped.
            return Self::parse_checked(s);
        }
        Some((Dec { units, scale }, i))
    }

    #[cold]
    fn parse_checked(s: &[u8]) -> Option<(Dec, usize)> {
        let int_len = s.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut units: u64 = 0;
        for &c in &s[..int_len] {
            units = units.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
        }
        let mut used = int_len;
        let mut scale = 0u8;
        if s.get(int_len) == Some(&b'.') {
            let frac_len = s[int_len + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if frac_len > 0 {
                if frac_len > 19 {
                    return None;
                }
                for &c in &s[int_len + 1..int_len + 1 + frac_len] {
                    units = units.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
                }
                scale = frac_len as u8;
                used = int_len + 1 + frac_len;
            }
        }
        Some((Dec { units, scale }, used))
    }

    /// The value as a float.
    #[inline]
    pub fn to_f64(self) -> f64 {
        self.units as f64 / 10f64.powi(i32::from(self.scale))
    }

    /// The value × 1000, truncated to an integer: milliseconds as microseconds,
    /// seconds as milliseconds. Exact for the three decimals the runtime prints.
    #[inline]
    pub fn to_micros(self) -> u64 {
        if self.scale <= 3 {
            self.units
                .saturating_mul(10u64.pow(3 - u32::from(self.scale)))
        } else {
            self.units / 10u64.pow(u32::from(self.scale) - 3)
        }
    }
}

/// The ASCII digits `head` starts with, appended to `acc` (`acc * 10^n + digits`), and
/// their count `n`; `n == 8` when all eight bytes are digits (more may follow: the
/// caller's byte loop reads those). `acc` must be below 10^11 so that the result fits.
///
/// Unrolled over the fixed eight bytes: no bounds check and no loop counter per digit.
#[inline(always)]
pub(crate) fn leading_digits(head: &[u8; 8], acc: u64) -> (u64, usize) {
    let mut v = acc;
    macro_rules! digit {
        ($k:literal) => {
            let d = u64::from(head[$k]).wrapping_sub(u64::from(b'0'));
            if d > 9 {
                return (v, $k);
            }
            v = v * 10 + d;
        };
    }
    digit!(0);
    digit!(1);
    digit!(2);
    digit!(3);
    digit!(4);
    digit!(5);
    digit!(6);
    digit!(7);
    (v, 8)
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.units);
        }
        let p = 10u64.pow(u32::from(self.scale));
        write!(
            f,
            "{}.{:0w$}",
            self.units / p,
            self.units % p,
            w = self.scale as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        for s in ["0", "12", "0.017", "3.0", "1.050", "123456.789"] {
            let (d, n) = Dec::parse(s.as_bytes()).unwrap();
            assert_eq!(n, s.len());
            assert_eq!(d.to_string(), s);
        }
        assert_eq!(Dec::parse(b"7.x").unwrap(), (Dec { units: 7, scale: 0 }, 1));
        assert!(Dec::parse(b".5").is_none());
        assert!(Dec::parse(b"99999999999999999999").is_none());
        assert_eq!(Dec::parse(b"2.5").unwrap().0.to_micros(), 2500);
        assert_eq!(Dec::parse(b"0.0004").unwrap().0.to_micros(), 0);
    }

    /// The unrolled reader and the byte loop agree on every input: numbers of every
    /// length on either side of the point, cut anywhere (the last bytes of the input).
    #[test]
    fn fast_path_matches_byte_loop() {
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for int in 0..=21 {
            for frac in [
                None,
                Some(0),
                Some(1),
                Some(3),
                Some(7),
                Some(8),
                Some(12),
                Some(21),
            ] {
                let mut s: Vec<u8> = (0..int).map(|k| b'1' + (k % 9) as u8).collect();
                if let Some(f) = frac {
                    s.push(b'.');
                    s.extend((0..f).map(|k| b'9' - (k % 10) as u8));
                }
                for tail in [&b""[..], b" ms", b"+", b".", b"x1234567", b"/0.5"] {
                    let mut t = s.clone();
                    t.extend_from_slice(tail);
                    for cut in 0..=t.len() {
                        cases.push(t[..cut].to_vec());
                    }
                }
            }
        }
        for b in [0u8, b'/', b':', 0x7f, 0xfa, 0xff] {
            cases.push(vec![b'1', b'2', b, b'3', b'4', b'5', b'6', b'7', b'8']);
            cases.push(vec![
                b'1', b'.', b'2', b, b'3', b'4', b'5', b'6', b'7', b'8', b'9',
            ]);
        }
        for s in &cases {
            assert_eq!(
                Dec::parse(s),
                Dec::parse_bytes(s),
                "{:?}",
                String::from_utf8_lossy(s)
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_path_matches_byte_loop_on_any_bytes(
            s in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => b'0'..=b'9',
                    1 => proptest::strategy::Just(b'.'),
                    1 => proptest::num::u8::ANY,
                ],
                0..40,
            )
        ) {
            proptest::prop_assert_eq!(Dec::parse(&s), Dec::parse_bytes(&s));
        }
    }
}
