//! Analyses of Go execution traces (read with [`crate::gotrace`]).
//!
//! - [`info`]: the trace summary of `gprofops trace info` (schema `gotrace-oracle/1`).
//! - [`events`]: one JSON object per event, for `gprofops trace events --json-lines`.

pub mod events;
pub mod info;

pub use events::event_json;
pub use info::{TraceInfo, trace_info, trace_info_path};
