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
        let bad = || Error::BadHeader;
        let rest = data.strip_prefix(b"go 1.").ok_or_else(bad)?;
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return Err(bad());
        }
        let minor: u32 = std::str::from_utf8(&rest[..digits])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        if !rest[digits..].starts_with(b" trace\0\0\0") {
            return Err(bad());
        }
        match minor {
            11 => Ok(Version::Go111),
            19 => Ok(Version::Go119),
            21 => Ok(Version::Go121),
            22 => Ok(Version::Go122),
            23 => Ok(Version::Go123),
            25 => Ok(Version::Go125),
            26 => Ok(Version::Go126),
            other => Err(Error::UnsupportedVersion(other)),
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
}
