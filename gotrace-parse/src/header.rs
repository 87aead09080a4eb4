//! The 16-byte file header (`go 1.N trace\0\0\0`) and the trace versions it names.

use crate::Error;

/// Length of the header in bytes.
pub const HEADER_LEN: usize = 16;

/// A trace format version, named after the Go release whose header it carries.
///
/// ```
/// use gotrace_parse::Version;
/// let v = Version::detect(b"go 1.26 trace\0\0\0").unwrap();
/// assert_eq!(v, Version::Go126);
/// assert!(v.is_v2());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Version {
    /// Go 1.11–1.18 (v1 format).
    Go111,
    /// Go 1.19–1.20 (v1 format).
    Go119,
    /// Go 1.21 (v1 format).
    Go121,
    /// Go 1.22 (v2 format).
    Go122,
    /// Go 1.23–1.24 (v2: adds coroutine switches, goroutine status with stack, experimental batches).
    Go123,
    /// Go 1.25 (v2: adds sync batches with clock snapshots; the flight recorder).
    Go125,
    /// Go 1.26 and later (v2: adds end-of-generation markers and the AllocFree experiment).
    Go126,
}

impl Version {
    /// Parses the header at the start of `data`.
    ///
    /// Fails like Go's reader: "bad file format" if it is not `go 1.N trace\0\0\0`,
    /// "unknown or unsupported trace version" for an N that no Go release wrote.
    pub fn detect(data: &[u8]) -> Result<Version, Error> {
        Version::detect_len(data).map(|(v, _)| v)
    }

    /// Like [`Version::detect`], also returning the header's length: 16 bytes as every Go
    /// release writes it, but Go's reader (`fmt.Fscanf` with `"go 1.%d trace\0\0\0"`) also
    /// accepts variants such as `go 1.026 trace\0\0\0`, and so do we.
    pub fn detect_len(data: &[u8]) -> Result<(Version, usize), Error> {
        match scan_header(data) {
            Scan::Done(minor, len) => Ok((Version::from_minor(minor)?, len)),
            Scan::Incomplete | Scan::Bad => Err(Error::BadHeader),
        }
    }

    fn from_minor(minor: u64) -> Result<Version, Error> {
        match minor {
            11 => Ok(Version::Go111),
            19 => Ok(Version::Go119),
            21 => Ok(Version::Go121),
            22 => Ok(Version::Go122),
            23 => Ok(Version::Go123),
            25 => Ok(Version::Go125),
            26 => Ok(Version::Go126),
            other => Err(Error::UnsupportedVersion(other as u32)),
        }
    }

    /// The minor Go version in the header (`26` for `go 1.26 trace`).
    pub fn minor(self) -> u32 {
        match self {
            Version::Go111 => 11,
            Version::Go119 => 19,
            Version::Go121 => 21,
            Version::Go122 => 22,
            Version::Go123 => 23,
            Version::Go125 => 25,
            Version::Go126 => 26,
        }
    }

    /// Whether this is the v2 format (Go 1.22+), which this crate orders itself.
    pub fn is_v2(self) -> bool {
        self >= Version::Go122
    }

    /// Byte length of the header as written for this version (always 16).
    pub fn header_len(self) -> usize {
        HEADER_LEN
    }
}

/// How far a prefix of the input matches Go's header format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    /// The header: minor version and length in bytes.
    Done(u64, usize),
    /// Matches so far; more bytes are needed.
    Incomplete,
    /// Cannot be a header.
    Bad,
}

/// Length of the space Go's scanner would skip at `d[i..]` (ASCII spaces, U+0085, U+00A0;
/// newlines do not count).
fn space_len(d: &[u8], i: usize) -> Option<usize> {
    match d.get(i..)? {
        [b' ' | b'\t' | b'\r' | 0x0b | 0x0c, ..] => Some(1),
        [0xc2, 0x85 | 0xa0, ..] => Some(2),
        _ => None,
    }
}

/// Matches `d` against `fmt.Fscanf(r, "go 1.%d trace\x00\x00\x00", &v)` with `v` a
/// `uint32`: a space in the format matches any run of spaces, `%d` skips spaces and reads
/// decimal digits.
pub(crate) fn scan_header(d: &[u8]) -> Scan {
    let mut i = 0;
    let lit = |i: &mut usize, lit: &[u8]| -> Option<Scan> {
        for &c in lit {
            match d.get(*i) {
                None => return Some(Scan::Incomplete),
                Some(&b) if b == c => *i += 1,
                Some(_) => return Some(Scan::Bad),
            }
        }
        None
    };
    // A space in the format needs at least one space in the input; `%d` skips any number.
    let spaces = |i: &mut usize, at_least_one: bool| -> Option<Scan> {
        let start = *i;
        loop {
            if *i >= d.len() || (d[*i] == 0xc2 && *i + 1 >= d.len()) {
                return Some(Scan::Incomplete);
            }
            match space_len(d, *i) {
                Some(n) => *i += n,
                None if at_least_one && *i == start => return Some(Scan::Bad),
                None => return None,
            }
        }
    };
    if let Some(s) = lit(&mut i, b"go") {
        return s;
    }
    if let Some(s) = spaces(&mut i, true) {
        return s;
    }
    if let Some(s) = lit(&mut i, b"1.") {
        return s;
    }
    if let Some(s) = spaces(&mut i, false) {
        return s;
    }
    let digits = d[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if i + digits >= d.len() {
        return Scan::Incomplete;
    }
    if digits == 0 {
        return Scan::Bad;
    }
    let mut v: u64 = 0;
    for &b in &d[i..i + digits] {
        v = match v
            .checked_mul(10)
            .and_then(|v| v.checked_add((b - b'0') as u64))
        {
            Some(v) if v <= u32::MAX as u64 => v,
            _ => return Scan::Bad,
        };
    }
    i += digits;
    if let Some(s) = spaces(&mut i, true) {
        return s;
    }
    if let Some(s) = lit(&mut i, b"trace\0\0\0") {
        return s;
    }
    Scan::Done(v, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_every_header() {
        for (minor, v) in [
            (11, Version::Go111),
            (19, Version::Go119),
            (21, Version::Go121),
            (22, Version::Go122),
            (23, Version::Go123),
            (25, Version::Go125),
            (26, Version::Go126),
        ] {
            let h = format!("go 1.{minor} trace\0\0\0");
            assert_eq!(Version::detect(h.as_bytes()).unwrap(), v);
            assert_eq!(v.minor(), minor);
        }
        assert!(matches!(
            Version::detect(b"go 1.24 trace\0\0\0"),
            Err(Error::UnsupportedVersion(24))
        ));
        assert!(matches!(Version::detect(b"gopher"), Err(Error::BadHeader)));
        assert!(matches!(
            Version::detect(b"go 1.26 trace\0\0"),
            Err(Error::BadHeader)
        ));
    }

    /// What Go's `fmt.Fscanf(r, "go 1.%d trace\x00\x00\x00", &v)` accepts (checked
    /// against Go 1.26): spaces after `1.`, runs of spaces where the format has one, leading
    /// zeros; not a missing space, a sign or a newline.
    #[test]
    fn header_variants_like_fscanf() {
        let ok: [(&[u8], Version, usize); 6] = [
            (b"go 1.022 trace\0\0\0", Version::Go122, 17),
            (b"go  1.26 trace\0\0\0", Version::Go126, 17),
            (b"go 1. 26 trace\0\0\0", Version::Go126, 17),
            (b"go 1.\t26 trace\0\0\0", Version::Go126, 17),
            (b"go\t1.26 \ttrace\0\0\0", Version::Go126, 17),
            (b"go 1.26\xc2\xa0trace\0\0\0", Version::Go126, 17),
        ];
        for (h, v, len) in ok {
            assert_eq!(Version::detect_len(h).unwrap(), (v, len), "{h:?}");
        }
        for h in [
            &b"go 1.26trace\0\0\0"[..],
            b"go1.26 trace\0\0\0",
            b"go 1.+26 trace\0\0\0",
            b"go 1.\n26 trace\0\0\0",
            b"go 1.99999999999 trace\0\0\0",
        ] {
            assert!(matches!(Version::detect(h), Err(Error::BadHeader)), "{h:?}");
        }
        assert_eq!(scan_header(b"go 1.2"), Scan::Incomplete);
    }
}
