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
//!
//! ```
//! use profile_ops::merge::{MergeOptions, merge};
//! use profile_ops::pprof::ProfileBuilder;
//! use profile_ops::query::Query;
//! use profile_ops::report::top::Top;
//!
//! // Two CPU profiles of a program (here built in place; `pprof::Profile::open` reads files).
//! let profile = |fib: i64, gc: i64| {
//!     let mut b = ProfileBuilder::new();
//!     b.sample_type("cpu", "nanoseconds");
//!     let (main, fibf, gcf) = (
//!         b.function("main.main", "main.go", 1),
//!         b.function("main.fib", "main.go", 9),
//!         b.function("runtime.gcBgMarkWorker", "mgc.go", 1),
//!     );
//!     let (l_main, l_fib, l_gc) = (
//!         b.location(None, 0, &[(main, 3)]),
//!         b.location(None, 0, &[(fibf, 10)]),
//!         b.location(None, 0, &[(gcf, 2)]),
//!     );
//!     b.sample(&[l_fib, l_main], &[fib], &[]).sample(&[l_gc], &[gc], &[]);
//!     b.build().unwrap()
//! };
//! let merged = merge(&[profile(30, 10), profile(50, 10)], &MergeOptions::default())?;
//! // go tool pprof -top -cum, as rows.
//! let top = Top::new(&Query::default().cum_sort(true).prepare(&merged)?, 10);
//! assert_eq!((top.rows[0].name.as_str(), top.rows[0].cum), ("main.fib", 80));
//!
//! // A GODEBUG=gctrace=1 log.
//! let log = b"gc 1 @0.012s 2%: 0.014+0.51+0.003 ms clock, 0.056+0.10/0.43/0.62+0.015 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 4 P\n";
//! let gc = profile_ops::gc::GcReport::from_bytes(log);
//! assert_eq!(gc.cycles.len(), 1);
//! # Ok::<(), profile_ops::Error>(())
//! ```

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
