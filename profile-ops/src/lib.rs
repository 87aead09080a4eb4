//! Everything computed from parsed profiles, traces and GC logs.
//!
//! `profile-ops` re-exports the three parser crates so that a user depends on one crate:
//! [`pprof`] (profile.proto and legacy formats), [`gotrace`] (execution traces) and
//! [`gctrace`] (GODEBUG=gctrace logs).
//!
//! pprof operations, with google/pprof's semantics:
//! - [`merge`]: merge any number of profiles; [`transform`]: scale, normalize, diff,
//!   compact; [`filter`]: focus, ignore, hide, show, show_from, prune_from, tagfocus,
//!   tagignore, drop_frames; [`granularity`]: functions, files, lines, addresses;
//!   [`labels`]: label values as pseudo-frames (`-tagroot`, `-tagleaf`).
//! - [`query`]: what `go tool pprof` does between loading files and printing a report,
//!   as one set of options; [`graph`]: the call graph reports are computed from.
//! - [`report`]: top, traces, tree/peek, folded stacks, flame graphs (JSON, diff, SVG),
//!   speedscope.
//! - [`units`]: pprof's unit scaling and number formatting; [`summary`]: totals at a glance;
//!   [`sample_table`]: the samples as columns, for DataFrame exports.
//!
//! Go runtime data: [`trace`] (execution trace summaries), [`gc`] (gctrace statistics).

pub use gctrace_parse as gctrace;
pub use gotrace_parse as gotrace;
pub use pprof_format as pprof;

#[macro_use]
mod setters;

mod draft;
mod error;
pub mod filter;
pub mod gc;
pub mod granularity;
pub mod graph;
pub mod labels;
pub mod merge;
pub mod query;
pub mod report;
pub mod sample_table;
mod slice_index;
pub mod summary;
pub mod trace;
pub mod transform;
pub mod units;

pub use draft::Draft;
pub use error::{Error, Result};
