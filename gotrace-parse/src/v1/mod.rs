//! v1 traces (Go 1.11–1.21, headers `go 1.11 trace`, `go 1.19 trace`, `go 1.21 trace`),
//! read into the same event model as v2 traces, exactly as `golang.org/x/exp/trace` does:
//! its v1 parser (`internal/tracev1`) loads and orders the whole trace, then its converter
//! (`tracev1.go`) maps the events.
//!
//! v1 traces are not split into generations, so the whole trace is parsed up front (Go
//! does the same). Every allocation is bounded by the input's size: counts and lengths
//! are checked against the bytes that remain before anything is reserved.

mod check;
mod convert;
mod merge;
mod parse;
mod spec;
mod wire;

pub(crate) use convert::Converter;

use crate::error::Error;
use crate::header::Version;

/// Parses and orders the v1 trace `data` (the bytes after the header, which is
/// `header_len` bytes long) and prepares the conversion.
pub(crate) fn load(data: &[u8], header_len: usize, version: Version) -> Result<Converter, Error> {
    let parsed = parse::Parser::new(data, header_len, version.minor()).parse()?;
    Converter::new(data, version.minor(), parsed)
}
