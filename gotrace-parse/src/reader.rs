//! The ordered event stream: generations read one at a time, per-thread batches merged by
//! time under the ordering rules, CPU samples interleaved, `Sync` events between
//! generations — the same sequence Go's `(*trace.Reader).ReadEvent` returns.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::error::{Error, Location};
use crate::event::{Event, SchedCtx};
use crate::frontier::{BatchCursor, Slot, heap_insert, heap_remove, heap_update};
use crate::generation::{BatchSpan, CpuSample, Generation, GenerationReader, NextGen};
use crate::header::Version;
use crate::order::Ordering;
use crate::raw::Batches;
use crate::spec::{self, ev};
use crate::stream::{GenSource, Opened, StreamSource};
use crate::table::Table;
use crate::v1;

/// The generation being ordered.
#[derive(Debug)]
struct Current<'a> {
    gen_no: u64,
    batches: Vec<(i64, Vec<BatchSpan>)>,
    table: Arc<Table<'a>>,
}

/// The ordered events of a trace, one generation at a time.
///
/// v1 traces (Go 1.11–1.21) are parsed and ordered whole when the reader is made, then
/// converted event by event as `x/exp/trace` does (one generation, between two `Sync`s).
///
/// [`Reader::new`] reads a trace held in memory without copying it; besides the caller's
/// bytes it keeps one generation's tables and cursors, dropped before the next generation
/// is read. [`Reader::from_reader`] streams from any `io::Read`, holding only the current
/// generation's bytes. Iteration stops after the first error; the events before it are
/// valid, as with Go's reader (a truncated trace yields its complete generations, then
/// the error; see [`Reader::is_partial`]).
///
/// ```
/// use gotrace_parse::{EventKind, Reader};
/// # let data = std::fs::read("../examples/data/gc-stress.trace").unwrap();
/// let mut syncs = 0;
/// for ev in Reader::new(&data).unwrap() {
///     if ev.unwrap().kind() == EventKind::Sync {
///         syncs += 1;
///     }
/// }
/// assert!(syncs >= 2);
/// ```
#[derive(Debug)]
pub struct Reader<'a> {
    version: Version,
    gens: Box<dyn GenSource<'a> + 'a>,
    current: Option<Current<'a>>,
    had_gen: bool,
    /// Min-heap of the cursors by the time of their next event.
    frontier: Vec<Slot>,
    /// One cursor per thread of the current generation (indexed by [`Slot::cursor`]).
    cursors: Vec<BatchCursor>,
    cpu: VecDeque<CpuSample>,
    order: Ordering,
    syncs: u64,
    read_gen_err: Option<Error>,
    spill_err: Option<Error>,
    spill_err_sync: bool,
    done: bool,
    partial: bool,
    /// A `Sync` or CPU sample made and not handed out yet.
    pending: Option<Event<'a>>,
    /// The current generation's tables, lent to events by [`Reader::visit`]: a second
    /// reference, taken once per generation and dropped with the generation.
    lend: Option<Arc<Table<'a>>>,
    /// The converted stream of a v1 trace (then nothing else is used).
    v1: Option<Box<v1::Converter>>,
}

/// The generation source of a v1 trace, which has none.
#[derive(Debug)]
struct NoGenerations;

impl<'a> GenSource<'a> for NoGenerations {
    fn next_generation(&mut self) -> NextGen<'a> {
        NextGen::End
    }
    fn has_spill(&self) -> bool {
        false
    }
    fn offset(&self) -> usize {
        0
    }
}

impl<'a> Reader<'a> {
    /// Checks the header and prepares to read. Fails for unknown headers; a v1 trace is
    /// parsed and ordered whole here (as Go's `NewReader` does), so its parse errors are
    /// returned here too.
    pub fn new(data: &'a [u8]) -> Result<Reader<'a>, Error> {
        let (version, header_len) = Version::detect_len(data)?;
        if !version.is_v2() {
            let conv = v1::load(&data[header_len..], header_len, version)?;
            return Ok(Reader::with_v1(version, conv));
        }
        let batches = Batches::new(data)?;
        let version = batches.version();
        Ok(Reader::with_source(
            version,
            Box::new(GenerationReader::new(batches)),
        ))
    }

    fn with_source(version: Version, gens: Box<dyn GenSource<'a> + 'a>) -> Reader<'a> {
        Reader {
            version,
            gens,
            current: None,
            had_gen: false,
            frontier: Vec::new(),
            cursors: Vec::new(),
            cpu: VecDeque::new(),
            order: Ordering::new(version),
            syncs: 0,
            read_gen_err: None,
            spill_err: None,
            spill_err_sync: false,
            done: false,
            partial: false,
            pending: None,
            lend: None,
            v1: None,
        }
    }

    fn with_v1(version: Version, conv: v1::Converter) -> Reader<'a> {
        let mut r = Reader::with_source(version, Box::new(NoGenerations));
        r.v1 = Some(Box::new(conv));
        r
    }

    /// Streams a trace from any reader (a file, a socket, a decompressor), keeping only the
    /// generation being ordered in memory: each generation's bytes are copied into a buffer
    /// that is freed when that generation's events are gone. Same events, same order and
    /// same errors as [`Reader::new`] on the whole trace.
    ///
    /// ```
    /// use gotrace_parse::Reader;
    /// # let path = std::path::Path::new("../examples/data/gc-stress.trace").to_path_buf();
    /// let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    /// let n = Reader::from_reader(file).unwrap().count();
    /// assert!(n > 1000);
    /// ```
    ///
    /// A v1 trace has no generations: it is read whole, as Go's reader does. A generation
    /// or a v1 trace above [`crate::DEFAULT_MAX_BUFFERED`] bytes is refused with
    /// [`Error::TooLarge`] (see [`Reader::from_reader_limited`]).
    pub fn from_reader<R: std::io::Read + Send + 'static>(r: R) -> Result<Reader<'static>, Error> {
        Self::from_reader_limited(r, crate::DEFAULT_MAX_BUFFERED)
    }

    /// [`Reader::from_reader`] buffering at most `max_buffered` bytes: a generation (or
    /// a v1 trace) larger than that ends the reading with [`Error::TooLarge`] before it is
    /// buffered past the limit, as does a buffer the allocator refuses.
    ///
    /// ```
    /// use gotrace_parse::{Error, Reader};
    /// let mut v1 = b"go 1.19 trace\0\0\0".to_vec();
    /// v1.extend(std::iter::repeat_n(1u8, 1 << 20)); // EvBatch type bytes, read on and on
    /// let e = Reader::from_reader_limited(std::io::Cursor::new(v1), 4096).unwrap_err();
    /// assert!(matches!(e, Error::TooLarge { limit: 4096, .. }), "{e}");
    /// ```
    pub fn from_reader_limited<R: std::io::Read + Send + 'static>(
        r: R,
        max_buffered: usize,
    ) -> Result<Reader<'static>, Error> {
        match StreamSource::open(r, max_buffered)? {
            Opened::V2(source, version) => Ok(Reader::with_source(version, Box::new(source))),
            Opened::V1(r, version, header_len) => {
                let data = crate::stream::read_v1(r, header_len, max_buffered, |body| {
                    v1::fails_at_first_event(body, version)
                })?;
                let conv = v1::load(&data, header_len, version)?;
                Ok(Reader::with_v1(version, conv))
            }
        }
    }

    /// Trace version from the header.
    pub fn version(&self) -> Version {
        self.version
    }

    /// Whether reading stopped at an error after some events were delivered (a truncated or
    /// damaged trace: the events read are valid but the trace is incomplete).
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// Reads the next event; `Ok(None)` at the end of the trace.
    pub fn read_event(&mut self) -> Result<Option<Event<'a>>, Error> {
        self.next_checked().transpose()
    }

    #[inline]
    fn next_checked(&mut self) -> Option<Result<Event<'a>, Error>> {
        if self.is_drained() {
            if self.done {
                return None;
            }
            if let Some(conv) = self.v1.as_mut() {
                let next = conv.next_event();
                if let Some(Err(_)) = &next {
                    self.done = true;
                    self.partial = conv.delivered();
                }
                return next;
            }
            if let Err(err) = self.refill() {
                self.fail();
                return Some(Err(err));
            }
        }
        let mut e = self.pop_event()?;
        if let Err(err) = self.validate_ids(&e) {
            self.fail();
            return Some(Err(err));
        }
        if e.table.is_none() && e.refers_to_table() {
            e.table = self.current.as_ref().map(|c| c.table.clone());
        }
        Some(Ok(e))
    }

    /// Whether every event made so far has been handed out.
    #[inline(always)]
    fn is_drained(&self) -> bool {
        self.pending.is_none() && self.order.queue.is_empty()
    }

    /// The next event made and not handed out yet (without its tables, unless it is a
    /// `Sync`).
    #[inline(always)]
    fn pop_event(&mut self) -> Option<Event<'a>> {
        // Checked first: taking from an `Option<Event>` moves the whole event.
        if self.pending.is_some() {
            return self.pending.take();
        }
        let m = self.order.queue.pop()?;
        let mut e = Event::bare(m.generation, m.ctx, m.typ, m.time, m.args);
        if m.typ == ev::USER_TASK_END {
            e.task_type = self.order.queue.task_type.take();
        }
        Some(e)
    }

    /// Calls `f` on every remaining event, in order, and stops at the first error (after
    /// the events before it, as iteration does). The same events as the iterator, but
    /// lent rather than handed over: an event's tables are shared with the reader without
    /// counting a reference per event, which makes this the faster way to read a whole
    /// trace (clone an event to keep it).
    ///
    /// ```
    /// use gotrace_parse::{EventKind, Reader};
    /// # let data = std::fs::read("../examples/data/gc-stress.trace").unwrap();
    /// let mut stacks = 0;
    /// Reader::new(&data)?.visit(|ev| {
    ///     if ev.kind() == EventKind::StateTransition && ev.stack().is_some() {
    ///         stacks += 1;
    ///     }
    /// })?;
    /// assert!(stacks > 0);
    /// # Ok::<(), gotrace_parse::Error>(())
    /// ```
    pub fn visit<F: FnMut(&Event<'a>)>(&mut self, mut f: F) -> Result<(), Error> {
        if self.v1.is_some() {
            for e in self {
                f(&e?);
            }
            return Ok(());
        }
        // One event, refilled in place from each ordering step's output: building a fresh
        // `Event` per step and moving it out of an `Option` copied it twice.
        let mut e = Event::bare(0, SchedCtx::NONE, 0, 0, [0; 4]);
        loop {
            if self.is_drained() {
                if self.done {
                    return Ok(());
                }
                if let Err(err) = self.refill() {
                    self.fail();
                    return Err(err);
                }
                continue;
            }
            if let Some(p) = self.pending.take() {
                e = p;
            } else if let Some(m) = self.order.queue.pop() {
                e.generation = m.generation;
                e.ctx = m.ctx;
                e.typ_w = u64::from(m.typ);
                e.time = m.time;
                e.args = m.args;
                e.task_type = if m.typ == ev::USER_TASK_END {
                    self.order.queue.task_type.take()
                } else {
                    None
                };
            } else {
                continue;
            }
            if let Err(err) = self.validate_ids(&e) {
                self.fail();
                return Err(err);
            }
            if e.table.is_none() && e.refers_to_table() {
                // Moved in and out: `f` sees the table without a count per event.
                e.table = self
                    .lend
                    .take()
                    .or_else(|| self.current.as_ref().map(|c| c.table.clone()));
                debug_assert!(
                    e.table.as_ref().map(|t| t.generation) == Some(e.generation),
                    "lent table of another generation"
                );
                f(&e);
                self.lend = e.table.take();
            } else {
                f(&e);
                // A `Sync`'s or CPU sample's own tables go with it.
                e.table = None;
            }
        }
    }

    /// Makes the next event(s) once everything made before is handed out: a `Sync` or CPU
    /// sample into `pending`, or an ordering step's events into its queue. Leaves both
    /// empty only at the end of the trace.
    #[inline(always)]
    fn refill(&mut self) -> Result<(), Error> {
        match self.next_inner()? {
            Some(e) => self.pending = Some(e),
            None if self.order.queue.is_empty() && !self.done => {
                return Err(Error::invalid(
                    Location::default(),
                    "internal error: advance successful, but queue is empty",
                ));
            }
            None => {}
        }
        Ok(())
    }

    /// Stops reading: nothing follows an error, not even events an ordering step made
    /// before it failed to read the next one.
    fn fail(&mut self) {
        self.order.queue.clear();
        self.pending = None;
        self.done = true;
        self.partial = self.syncs > 0;
    }

    #[inline]
    fn validate_ids(&self, e: &Event<'a>) -> Result<(), Error> {
        // Only those events have stack or string IDs (a `Sync` has none).
        if !e.refers_to_table() {
            return Ok(());
        }
        let Some(t) = e
            .table
            .as_deref()
            .or_else(|| self.current.as_ref().map(|c| &*c.table))
        else {
            return Ok(());
        };
        let sp = spec::spec(e.typ());
        let at = || Location {
            generation: t.generation,
            batch: None,
            offset: self.gens.offset() as u64,
        };
        for &i in sp.stack_ids {
            let id = e.args[i as usize - 1];
            if !t.stacks.contains(id) {
                return Err(Error::invalid(
                    at(),
                    format!("found invalid stack ID {id} for event {}", sp.name),
                ));
            }
        }
        for &i in sp.string_ids {
            let id = e.args[i as usize - 1];
            if !t.strings.contains(id) {
                return Err(Error::invalid(
                    at(),
                    format!("found invalid string ID {id} for event {}", sp.name),
                ));
            }
        }
        Ok(())
    }

    fn sync(&mut self, table: Option<Arc<Table<'a>>>, time: i64) -> Event<'a> {
        self.syncs += 1;
        let time = self.order.stamp(time);
        Event::sync(table, time, self.syncs)
    }

    /// The next event when it does not come from the ordering (a `Sync`, a CPU sample),
    /// else `None` with the ordering's events queued (in the order they happen).
    #[inline(always)]
    fn next_inner(&mut self) -> Result<Option<Event<'a>>, Error> {
        // The common case, kept small enough to inline: the earliest thread's event can
        // happen and no CPU sample comes before it.
        if !self.done
            && let Some(first) = self.frontier.first()
            && self.cpu.front().is_none_or(|s| s.time >= first.time)
        {
            if self.try_advance(0)? {
                return Ok(None);
            }
            return self.advance_other_thread();
        }
        self.next_inner_slow()
    }

    /// [`Reader::next_inner`] for everything else: generation boundaries, CPU samples,
    /// and a frontier whose earliest event has to wait.
    #[inline(never)]
    fn next_inner_slow(&mut self) -> Result<Option<Event<'a>>, Error> {
        if self.done {
            return Ok(None);
        }
        if self.frontier.is_empty() && self.cpu.is_empty() {
            // The generation is used up: let its tables and bytes go before the next one is
            // read, so that two generations are never held at once.
            self.current = None;
            self.lend = None;
            if self.version < Version::Go126 {
                return self.next_gen_with_spill();
            }
            if let Some(e) = self.read_gen_err.take() {
                return Err(e);
            }
            return match self.gens.next_generation() {
                NextGen::Err(e) => {
                    self.read_gen_err = Some(e);
                    self.current = None;
                    self.lend = None;
                    Ok(Some(self.sync(None, self.order.last_ts)))
                }
                NextGen::End | NextGen::GoEof => {
                    self.current = None;
                    self.lend = None;
                    self.done = true;
                    Ok(Some(self.sync(None, self.order.last_ts)))
                }
                NextGen::Gen(g, _) => self.install(g).map(Some),
            };
        }
        let Some(cur) = self.current.as_ref() else {
            return Err(Error::invalid(
                Location::default(),
                "internal error: no current generation",
            ));
        };
        let gen_no = cur.gen_no;
        let first = self.frontier.first().map(|s| s.time);
        if let Some(s) = self
            .cpu
            .front()
            .copied()
            .filter(|s| first.is_none_or(|t| s.time < t))
        {
            self.cpu.pop_front();
            let ctx = SchedCtx {
                g: s.g,
                p: s.p,
                m: s.m,
            };
            let time = self.order.stamp(s.time);
            return Ok(Some(Event::bare(
                gen_no,
                ctx,
                ev::CPU_SAMPLE,
                time,
                [s.stack, 0, 0, 0],
            )));
        }
        if self.frontier.is_empty() {
            let at = Location {
                generation: gen_no,
                batch: None,
                offset: self.gens.offset() as u64,
            };
            return Err(Error::invalid(at, "broken trace: frontier is empty"));
        }
        if self.try_advance(0)? {
            // The ordering queued the event(s).
            return Ok(None);
        }
        self.advance_other_thread()
    }

    /// The earliest thread's event cannot happen yet: as Go does, sorts the frontier and
    /// advances the first thread that can.
    #[cold]
    fn advance_other_thread(&mut self) -> Result<Option<Event<'a>>, Error> {
        crate::gosort::sort_by(&mut self.frontier, |a, b| a.time < b.time);
        for i in 1..self.frontier.len() {
            if self.try_advance(i)? {
                return Ok(None);
            }
        }
        let Some(bc) = self
            .frontier
            .first()
            .and_then(|s| self.cursors.get(s.cursor as usize))
        else {
            return Err(Error::invalid(
                Location::default(),
                "broken trace: frontier is empty",
            ));
        };
        let cur = self.current.as_ref();
        let batches = cur.map_or(&[][..], |c| &c.batches[bc.mi].1);
        let at = bc.ev_location(batches, cur.map_or(0, |c| c.gen_no));
        Err(Error::invalid(
            at,
            "broken trace: failed to advance: no event on any thread can happen next",
        ))
    }

    #[inline(always)]
    fn try_advance(&mut self, i: usize) -> Result<bool, Error> {
        let Some(cur) = self.current.as_ref() else {
            return Ok(false);
        };
        let slot = &mut self.frontier[i];
        let bc = &mut self.cursors[slot.cursor as usize];
        match self
            .order
            .advance(&mut bc.ev, &cur.table, bc.m, cur.gen_no, &mut bc.m_slot)
        {
            Err(reason) => {
                let at = bc.ev_location(&cur.batches[bc.mi].1, cur.gen_no);
                return Err(Error::invalid(at, reason));
            }
            Ok(false) => return Ok(false),
            Ok(true) => {}
        }
        let batches = &cur.batches[bc.mi].1;
        if bc.next_event(batches, cur.table.base.bytes(), cur.table.freq, cur.gen_no)? {
            slot.time = bc.ev.time;
            heap_update(&mut self.frontier, i);
        } else {
            heap_remove(&mut self.frontier, i);
        }
        Ok(true)
    }

    fn next_gen_with_spill(&mut self) -> Result<Option<Event<'a>>, Error> {
        if self.spill_err.is_some() {
            if self.spill_err_sync {
                return Err(self.spill_err.take().unwrap_or(Error::BadHeader));
            }
            self.spill_err_sync = true;
            return Ok(Some(self.sync(None, self.order.last_ts)));
        }
        if self.had_gen && !self.gens.has_spill() {
            self.done = true;
            return Ok(Some(self.sync(None, self.order.last_ts)));
        }
        match self.gens.next_generation() {
            NextGen::Gen(g, err) => {
                self.spill_err = err;
                self.install(g).map(Some)
            }
            NextGen::Err(e) => {
                self.current = None;
                self.lend = None;
                self.had_gen = false;
                self.spill_err = Some(e);
                self.spill_err_sync = true;
                Ok(Some(self.sync(None, self.order.last_ts)))
            }
            NextGen::End | NextGen::GoEof => {
                self.done = true;
                Ok(Some(self.sync(None, self.order.last_ts)))
            }
        }
    }

    fn install(&mut self, g: Generation<'a>) -> Result<Event<'a>, Error> {
        let Generation {
            gen_no,
            batches,
            cpu_samples,
            min_ts,
            table,
        } = g;
        self.cpu = cpu_samples.into();
        self.frontier.clear();
        self.cursors.clear();
        for (mi, (m, bs)) in batches.iter().enumerate() {
            let mut bc = BatchCursor::new(*m, mi);
            if bc.next_event(bs, table.base.bytes(), table.freq, gen_no)? {
                let slot = Slot {
                    time: bc.ev.time,
                    cursor: self.cursors.len() as u32,
                };
                self.cursors.push(bc);
                heap_insert(&mut self.frontier, slot);
            }
        }
        let time = table.ticks_to_ns(min_ts);
        self.lend = None;
        self.current = Some(Current {
            gen_no,
            batches,
            table: table.clone(),
        });
        self.had_gen = true;
        Ok(self.sync(Some(table), time))
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Event<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_checked()
    }
}
