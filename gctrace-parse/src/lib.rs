//! `GODEBUG=gctrace=1` (and `scavtrace`, `gcpacertrace`) logs of every Go version since 1.5.
//!
//! - [`scan`] / [`scan_reader`]: a `memchr`-driven scanner over a byte slice (zero-copy)
//!   or any `BufRead` (constant memory) that yields [`Item`]s: GC cycles found anywhere in
//!   a line, cycles another write split across lines put back together, scavenger,
//!   pacer, `GC forced` and pre-1.5 lines, and record starts that could not be completed.
//! - [`GcCycle`]: one cycle, with the numbers exactly as printed ([`Dec`]).
//! - [`Scavenge`]: `scvg` and `scav` lines; [`Pacer`]: gcpacertrace lines.
//!
//! The grammar is the runtime's print statements (`runtime/mgc.go`, `mgcscavenge.go`);
//! nothing is guessed: text that does not follow it is not a record.
//!
//! ```
//! use gctrace_parse::{scan, Event};
//! let log = b"gc 1 @0.012s 2%: 0.014+0.51+0.003 ms clock, 0.056+0.10/0.43/0.62+0.015 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 4 P\n";
//! let mut stw = 0;
//! scan(log, |item| {
//!     if let Event::Gc { cycle, .. } = &item.event {
//!         stw += cycle.stw_micros();
//!     }
//! });
//! assert_eq!(stw, 14 + 3);
//! ```
//!
//! Deliberate differences from the reference reader (`shared/tools/oracle/gctrace_oracle.py`):
//! - Go 1.26+ lines with ` (checking for goroutine leaks)` after the percentage are cycles
//!   here ([`GcCycle::leak_check`]); the reference does not know that marker.
//! - A record is read only when it is the only way to read its bytes (issue 18: two
//!   processes writing to one stderr). While a record start is unfinished (a `gc ` no
//!   record was read from, or a piece of a record's body outside any record), its writer
//!   may go on anywhere in the next [`UNFINISHED_WINDOW`] lines, even inside what looks
//!   like a complete record; so records there, a split record that another unfinished
//!   start could claim the continuation of, and one that two following lines complete,
//!   are [`Unrecovered::Ambiguous`], where the reference assembles them. Logs of one
//!   writer whose split records all rejoin (every corpus log) read the same; one with a
//!   record split beyond repair loses the records of the lines after it, counted.

#![forbid(unsafe_code)]

mod dec;
mod error;
mod record;
mod scan;

pub use dec::Dec;
pub use error::{Error, Result};
pub use record::{GcCycle, Pacer, Scavenge};
pub use scan::{
    Event, Item, MAX_LINE, REJOIN_WINDOW, UNFINISHED_WINDOW, Unrecovered, scan, scan_reader,
};
