//! Everything computed from parsed profiles, traces and GC logs.
//!
//! `profile-ops` re-exports the three parser crates so that a user depends on one crate:
//! [`pprof`] (profile.proto and legacy formats), [`gotrace`] (execution traces) and
//! [`gctrace`] (GODEBUG=gctrace logs).

pub use gctrace_parse as gctrace;
pub use gotrace_parse as gotrace;
pub use pprof_format as pprof;

pub mod gc;
pub mod summary;
pub mod trace;
