//! The legacy profile formats `go tool pprof` still reads, converted to [`Profile`].
//!
//! Tried in google/pprof's order when the input is not a protobuf: the binary CPU profile
//! (`cpu`), heap text, Go count profiles (goroutine, threadcreate), thread stacks and
//! contention (`text`), then the Java text formats (`java`). Each parser either does
//! not recognise the input (the next one is tried), or recognises it and succeeds or fails
//! with [`Error::Legacy`] naming the line. The result gets google/pprof's ids, mappings
//! (from the memory map section) and `drop_frames`/`keep_frames`.

mod cpu;
mod frames;
mod java;
mod model;
mod scanner;
mod text;

use crate::error::{Error, Result};
use crate::profile::Profile;

use model::{Fail, LProfile, LResult};

/// One legacy format's parser.
type Parser = fn(&[u8]) -> LResult<LProfile>;

/// Parses a legacy text or binary profile.
///
/// Returns [`Error::UnknownFormat`] when `data` is none of the legacy formats.
///
/// ```
/// use pprof_format::legacy;
/// let p = legacy::parse(b"goroutine profile: total 2\n2 @ 0x1001 0x2001\n").unwrap();
/// assert_eq!(p.string(p.sample_types()[0].ty), "goroutine");
/// assert_eq!(p.sample(0).values, &[2]);
/// assert!(legacy::parse(b"hello").is_err());
/// ```
pub fn parse(data: &[u8]) -> Result<Profile> {
    const PARSERS: [Parser; 6] = [
        cpu::parse,
        text::parse_heap,
        text::parse_go_count,
        text::parse_thread,
        text::parse_contention,
        java::parse,
    ];
    for parse in PARSERS {
        match parse(data) {
            Ok(p) => return p.finish(),
            Err(Fail::Bad(e)) => return Err(e),
            Err(Fail::Unrecognized) => {}
        }
    }
    let first = data.split(|&b| b == b'\n').next().unwrap_or_default();
    Err(Error::UnknownFormat(format!(
        "first line {:?} is not a known legacy profile header",
        String::from_utf8_lossy(&first[..first.len().min(60)])
    )))
}
