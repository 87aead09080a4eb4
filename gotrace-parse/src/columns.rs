//! The "load everything" form: the ordered stream as a struct of arrays.

use crate::error::Error;
use crate::event::{EventKind, GoId, ProcId, ThreadId};
use crate::reader::Reader;

/// Every event of a trace, one column per field, row `i` being the `i`-th event of the
/// ordered stream.
///
/// `stack` holds the event's own stack ID, which is only meaningful within its
/// `generation` (stack tables are per generation); `args` are the wire arguments after the
/// timestamp as the ordering left them (see [`crate::Event::raw_args`]).
///
/// ```
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let cols = gotrace_parse::load_columns(&data).unwrap();
/// assert_eq!(cols.len(), cols.time.len());
/// assert!(cols.time.windows(2).all(|w| w[0] < w[1]));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    /// Timestamp in ns.
    pub time: Vec<i64>,
    /// Event kind.
    pub kind: Vec<EventKind>,
    /// Wire event type (255 for Sync).
    pub wire_type: Vec<u8>,
    /// Goroutine or -1.
    pub goroutine: Vec<GoId>,
    /// Proc or -1.
    pub proc: Vec<ProcId>,
    /// Thread or -1.
    pub thread: Vec<ThreadId>,
    /// Generation number (0 for the final Sync).
    pub generation: Vec<u64>,
    /// Own stack ID within the generation (0 = none).
    pub stack: Vec<u64>,
    /// Arguments after the timestamp.
    pub args: Vec<[u64; 4]>,
}

impl Columns {
    /// Number of events.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Whether there are no events.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }
}

/// Reads the whole trace into columns; fails at the first error, as the stream does.
pub fn load_columns(data: &[u8]) -> Result<Columns, Error> {
    let mut c = Columns::default();
    Reader::new(data)?.visit(|e| {
        c.time.push(e.time());
        c.kind.push(e.kind());
        c.wire_type.push(e.wire_type());
        c.goroutine.push(e.goroutine());
        c.proc.push(e.proc());
        c.thread.push(e.thread());
        c.generation.push(e.generation());
        c.stack.push(e.stack_id());
        c.args.push(*e.raw_args());
    })?;
    Ok(c)
}
