//! Go execution traces (`runtime/trace`, `go test -trace`, the flight recorder), read in
//! Rust exactly as Go's own reader (`internal/trace`, `golang.org/x/exp/trace`) reads them.
//!
//! Two layers:
//! - [`raw`]: the v2 wire format (Go 1.22, 1.23, 1.25 and 1.26 headers; Go 1.27 writes
//!   `go 1.26 trace`) as batches and events with their arguments, in file order, zero-copy
//!   over a byte slice.
//! - [`Reader`]: the ordered event stream (v2, and v1 converted) — per-generation string and stack tables,
//!   per-thread batches merged by time under the runtime's ordering rules, goroutine /
//!   proc / thread state machines with Go's validation, CPU samples and `Sync` events —
//!   the same events, in the same order, with the same errors as Go's
//!   `(*trace.Reader).ReadEvent`. [`Reader::new`] reads a trace in memory (zero-copy);
//!   [`Reader::from_reader`] streams from any `io::Read` with only one generation in
//!   memory. [`load_columns`] collects the stream into a struct-of-arrays for analysis.
//! - [`text::line`]: a canonical one-line form of an event, shared with the differential
//!   test's Go program.
//!
//! ```
//! use gotrace_parse::{EventKind, Reader};
//! # let data = std::fs::read("../examples/data/gc-stress.trace").unwrap();
//! let mut transitions = 0;
//! for ev in Reader::new(&data)? {
//!     let ev = ev?;
//!     if let Some(st) = ev.state_transition() {
//!         transitions += 1;
//!         let _ = (st.resource, st.transition.label());
//!     }
//! }
//! assert!(transitions > 0);
//! # Ok::<(), gotrace_parse::Error>(())
//! ```
//!
//! v1 traces (Go 1.11–1.21: headers `go 1.11`, `go 1.19` and `go 1.21 trace`) are read
//! by the same [`Reader`] into the same event model, exactly as `x/exp/trace` converts
//! them: the whole trace is one generation (a `Sync` before and after), the events get
//! the new model's kinds, states and reasons. v1 traces have no generations, so they are
//! parsed whole, as Go does; the raw layer reads v2 only.

#![forbid(unsafe_code)]

mod columns;
mod error;
mod event;
mod frontier;
mod generation;
mod gosort;
mod header;
mod order;
pub mod raw;
mod reader;
pub mod spec;
mod stream;
mod table;
pub mod text;
mod v1;
mod varint;

pub use columns::{Columns, load_columns};
pub use error::{Error, Location};
pub use event::{
    BACKGROUND_TASK, Event, EventKind, Experimental, GoId, GoState, Label, Log, Metric,
    NO_GOROUTINE, NO_PROC, NO_TASK, NO_THREAD, ProcId, ProcState, Range, RangeAttribute, Region,
    ResourceId, ResourceKind, Stack, StateTransition, Sync, Task, TaskId, ThreadId, Transition,
};
pub use header::{HEADER_LEN, Version};
pub use reader::Reader;
pub use stream::DEFAULT_MAX_BUFFERED;
pub use table::{ClockSnapshot, ExperimentalBatch, Frame, Table};

#[cfg(test)]
mod tests {
    /// Readers and events can move to (and events be shared with) other threads.
    #[test]
    fn reader_and_events_are_send() {
        fn send<T: Send>() {}
        fn sync<T: Sync>() {}
        send::<crate::Reader<'static>>();
        send::<crate::Event<'static>>();
        sync::<crate::Event<'static>>();
        send::<crate::Columns>();
    }
}
