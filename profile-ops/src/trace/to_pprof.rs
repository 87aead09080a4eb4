//! Trace → pprof: the time goroutines spent blocked on the network, blocked on
//! synchronisation, in syscalls or waiting for the scheduler, by the stack where that
//! began, as `go tool trace -pprof=net|sync|syscall|sched` writes it; and the trace's CPU
//! samples as a CPU profile. The results are real [`Profile`]s that every pprof operation
//! accepts.
//!
//! Streaming: one pass over the events with a [`Summarizer`] beside the conversion (Go
//! clips each interval to its goroutine's life as the summary gives it). Each interval
//! is counted when it ends, into its stack's values for the generation being read (which
//! count once the generation is complete), except the few whose goroutine has not run
//! yet, which wait until it does or the trace ends; memory holds the distinct stacks and
//! those few intervals.
//!
//! Like `go tool trace`, a trace that stops at an error is converted up to its last
//! complete generation. Differences: a trace without goroutines gives an empty profile
//! (Go fails with `failed to find matching goroutines`); and, for inputs the runtime
//! never writes (a goroutine ID created twice, a goroutine that wakes after blocking
//! forever), Go clips an interval to the goroutine's last known life, while here the
//! intervals settled before that life changed keep the earlier one.

use std::path::Path;

use foldhash::HashMap;

use super::analysis::{visit_bytes, visit_path};
use super::goroutines::Summarizer;
use crate::gotrace::{Event, EventKind, GoId, GoState, Transition};
use crate::pprof::{Profile, ProfileBuilder};
use crate::{Error, Result};

/// Which profile to make of a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PprofKind {
    /// Time blocked on the network (`go tool trace -pprof=net`).
    Net,
    /// Time blocked on channels, `sync` primitives and `select` (`-pprof=sync`).
    Sync,
    /// Time in syscalls (`-pprof=syscall`).
    Syscall,
    /// Time runnable, waiting to be scheduled (`-pprof=sched`).
    Sched,
    /// The trace's CPU samples (`StackSample` events; recorded when CPU profiling ran
    /// during the trace).
    Cpu,
}

impl PprofKind {
    /// Every kind.
    pub const ALL: [PprofKind; 5] = [
        PprofKind::Net,
        PprofKind::Sync,
        PprofKind::Syscall,
        PprofKind::Sched,
        PprofKind::Cpu,
    ];

    /// The name `go tool trace -pprof=` takes (`cpu` for [`PprofKind::Cpu`]).
    pub fn name(self) -> &'static str {
        match self {
            PprofKind::Net => "net",
            PprofKind::Sync => "sync",
            PprofKind::Syscall => "syscall",
            PprofKind::Sched => "sched",
            PprofKind::Cpu => "cpu",
        }
    }

    /// The kind of a name (`net`, `sync`, `syscall`, `sched`, `cpu`).
    ///
    /// ```
    /// use profile_ops::trace::PprofKind;
    /// assert_eq!(PprofKind::parse("sched"), Some(PprofKind::Sched));
    /// assert_eq!(PprofKind::parse("io"), None);
    /// ```
    pub fn parse(name: &str) -> Option<PprofKind> {
        PprofKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The goroutine state whose time the profile measures (`None` for CPU samples).
    fn state(self) -> Option<GoState> {
        match self {
            PprofKind::Net | PprofKind::Sync => Some(GoState::Waiting),
            PprofKind::Syscall => Some(GoState::Syscall),
            PprofKind::Sched => Some(GoState::Runnable),
            PprofKind::Cpu => None,
        }
    }

    /// Whether a transition into the state for `reason` is measured.
    fn tracks(self, reason: &str) -> bool {
        match self {
            PprofKind::Net => reason == "network",
            PprofKind::Sync => {
                reason.contains("chan") || reason.contains("sync") || reason.contains("select")
            }
            PprofKind::Syscall | PprofKind::Sched | PprofKind::Cpu => true,
        }
    }
}

/// The sampling period assumed for CPU samples: runtime/pprof's default 100 Hz.
pub const DEFAULT_CPU_PERIOD_NS: i64 = 10_000_000;

/// Stacks deeper than this are told apart by their first this many PCs only (Go's
/// `pprofMaxStack`).
const MAX_STACK: usize = 128;

/// One sample of the profile: the stacks whose PCs are equal up to trailing zero PCs
/// (Go compares them zero-padded to [`MAX_STACK`]), with its values.
#[derive(Debug, Clone, Copy)]
struct Values {
    count: i64,
    time: i64,
    /// The stack written for the entry: the one of the most recent interval counted
    /// (time it ended, variant), as Go keeps the newest stack of a key.
    last: (i64, usize),
}

impl Values {
    fn add(&mut self, value: i64, at: i64, variant: usize) {
        self.count = self.count.saturating_add(1);
        self.time = self.time.saturating_add(value);
        if at >= self.last.0 {
            self.last = (at, variant);
        }
    }
}

#[derive(Debug)]
struct Entry {
    /// Values of the complete generations.
    done: Values,
    /// Values of the generation being read (dropped if the trace stops in it).
    pending: Values,
}

/// Symbolisation of a PC, from the first stack it was seen in.
#[derive(Debug)]
struct FrameInfo {
    func: Box<[u8]>,
    file: Box<[u8]>,
    line: u64,
}

#[derive(Debug, Default)]
struct Stacks {
    /// Distinct PC sequences (variants) and the entry each belongs to.
    variant_ids: HashMap<Box<[u64]>, usize>,
    variants: Vec<(Box<[u64]>, usize)>,
    entry_ids: HashMap<Box<[u64]>, usize>,
    entries: Vec<Entry>,
    frames: HashMap<u64, FrameInfo>,
    /// Variant of each stack ID of the current generation.
    cache: HashMap<u64, usize>,
    cache_generation: u64,
    /// Entries with pending values.
    touched: Vec<usize>,
}

impl Stacks {
    /// The variant of the event's own stack (Go's `Event.Stack()`).
    fn of_event(&mut self, ev: &Event<'_>) -> usize {
        if ev.generation() != self.cache_generation {
            self.cache.clear();
            self.cache_generation = ev.generation();
        }
        let id = ev.stack_id();
        if let Some(&i) = self.cache.get(&id) {
            return i;
        }
        let mut pcs = Vec::new();
        if let Some(stack) = ev.stack() {
            for f in stack.frames() {
                pcs.push(f.pc);
                self.frames.entry(f.pc).or_insert_with(|| FrameInfo {
                    func: f.func.into(),
                    file: f.file.into(),
                    line: f.line,
                });
            }
        }
        let pcs: Box<[u64]> = pcs.into();
        let i = match self.variant_ids.get(&pcs) {
            Some(&i) => i,
            None => {
                let mut key = &pcs[..pcs.len().min(MAX_STACK)];
                while let [rest @ .., 0] = key {
                    key = rest;
                }
                let entry = match self.entry_ids.get(key) {
                    Some(&e) => e,
                    None => {
                        let e = self.entries.len();
                        self.entry_ids.insert(key.into(), e);
                        let zero = Values {
                            count: 0,
                            time: 0,
                            last: (i64::MIN, self.variants.len()),
                        };
                        self.entries.push(Entry {
                            done: zero,
                            pending: zero,
                        });
                        e
                    }
                };
                let i = self.variants.len();
                self.variant_ids.insert(pcs.clone(), i);
                self.variants.push((pcs, entry));
                i
            }
        };
        self.cache.insert(id, i);
        i
    }

    /// Counts one interval (or sample) of `variant` that ended at `at`, in the
    /// generation being read (`pending`) or in the complete ones.
    fn add(&mut self, variant: usize, value: i64, at: i64, pending: bool) {
        let Some(&(_, i)) = self.variants.get(variant) else {
            return;
        };
        let Some(e) = self.entries.get_mut(i) else {
            return;
        };
        if !pending {
            e.done.add(value, at, variant);
            return;
        }
        if e.pending.count == 0 {
            self.touched.push(i);
        }
        e.pending.add(value, at, variant);
    }

    /// The generation being read is complete: its values count.
    fn commit(&mut self) {
        for i in std::mem::take(&mut self.touched) {
            if let Some(e) = self.entries.get_mut(i) {
                let p = e.pending;
                e.done.count = e.done.count.saturating_add(p.count);
                e.done.time = e.done.time.saturating_add(p.time);
                if p.last.0 >= e.done.last.0 {
                    e.done.last = p.last;
                }
                e.pending.count = 0;
                e.pending.time = 0;
            }
        }
    }
}

/// Time a goroutine spent in the measured state, from the event that put it there.
#[derive(Debug, Clone, Copy)]
struct Interval {
    g: GoId,
    stack: usize,
    start: i64,
    end: i64,
}

/// Converts a trace into a profile, one event at a time.
///
/// ```
/// use profile_ops::gotrace::Reader;
/// use profile_ops::trace::{PprofConverter, PprofKind};
/// # let data = std::fs::read("../examples/data/gc-stress.trace").unwrap();
/// let mut c = PprofConverter::new(PprofKind::Sched);
/// Reader::new(&data)?.visit(|ev| c.event(ev))?;
/// let profile = c.finish(None).unwrap();
/// assert_eq!(profile.sample_types().len(), 2);
/// # Ok::<(), profile_ops::gotrace::Error>(())
/// ```
#[derive(Debug)]
pub struct PprofConverter {
    kind: PprofKind,
    cpu_period_ns: i64,
    summary: Summarizer,
    /// Goroutines in the measured state: since when, and the stack that put them there.
    tracking: HashMap<GoId, (i64, usize)>,
    /// Intervals of the current generation whose goroutine had not run when they ended.
    unstarted: Vec<Interval>,
    /// Intervals whose goroutine had not run yet or had already ended: settled with the
    /// final summary.
    deferred: Vec<Interval>,
    stacks: Stacks,
    /// Time of the last `Sync`: the end of the last complete generation.
    last_sync: Option<i64>,
}

impl PprofConverter {
    /// A converter for `kind` (CPU samples weighted with [`DEFAULT_CPU_PERIOD_NS`]).
    pub fn new(kind: PprofKind) -> PprofConverter {
        PprofConverter {
            kind,
            cpu_period_ns: DEFAULT_CPU_PERIOD_NS,
            summary: Summarizer::new(),
            tracking: HashMap::default(),
            unstarted: Vec::new(),
            deferred: Vec::new(),
            stacks: Stacks::default(),
            last_sync: None,
        }
    }

    /// Sets the period of CPU samples (1e9 / the profiling rate in Hz).
    pub fn cpu_period_ns(mut self, period: i64) -> PprofConverter {
        self.cpu_period_ns = period;
        self
    }

    /// Feeds the next event of the ordered stream.
    pub fn event(&mut self, ev: &Event<'_>) {
        self.summary.event(ev);
        match ev.kind() {
            EventKind::Sync => {
                self.last_sync = Some(ev.time());
                self.settle_generation();
            }
            EventKind::StateTransition => {
                let Some(state) = self.kind.state() else {
                    return;
                };
                let Some(st) = ev.state_transition() else {
                    return;
                };
                let Transition::Goroutine(_, new) = st.transition else {
                    return;
                };
                let id = st.resource.id;
                match self.tracking.get(&id) {
                    None => {
                        if new == state && self.kind.tracks(&st.reason) {
                            let stack = self.stacks.of_event(ev);
                            self.tracking.insert(id, (ev.time(), stack));
                        }
                    }
                    Some(_) if new == state => {}
                    Some(&(start, stack)) => {
                        self.tracking.remove(&id);
                        let i = Interval {
                            g: id,
                            stack,
                            start,
                            end: ev.time(),
                        };
                        self.settle(i, true);
                    }
                }
            }
            EventKind::StackSample if self.kind == PprofKind::Cpu => {
                let stack = self.stacks.of_event(ev);
                self.stacks.add(stack, self.cpu_period_ns, ev.time(), true);
            }
            _ => {}
        }
    }

    /// Counts an interval that just ended (or, `pending` false, one whose goroutine had
    /// not run when it ended) with the goroutine's life as the summary knows it now.
    fn settle(&mut self, i: Interval, pending: bool) {
        let (start, end) = (self.summary.start_time(i.g), self.summary.end_time(i.g));
        if !self.summary.knows(i.g) || start == 0 && end == 0 {
            // Not run yet: whether it ever runs decides (it would run after the interval,
            // which then does not count; or never, and it counts whole).
            if pending {
                self.unstarted.push(i);
            } else {
                self.deferred.push(i);
            }
            return;
        }
        // The goroutine's life: first run (0 if it ended without running) to its end, or
        // on past this point if it has not ended.
        let end = if end == 0 { i.end } else { end };
        self.add_overlap(&i, start, end, pending);
    }

    /// Adds the intervals and samples of the generation that just completed.
    fn settle_generation(&mut self) {
        self.stacks.commit();
        for i in std::mem::take(&mut self.unstarted) {
            self.settle(i, false);
        }
    }

    /// Counts the part of an interval within a goroutine's life `[start, end]` (Go's
    /// `interval.overlap`).
    fn add_overlap(&mut self, i: &Interval, start: i64, end: i64, pending: bool) {
        if end < i.start || i.end < start {
            return;
        }
        let overlap = i.end.min(end).saturating_sub(i.start.max(start));
        if overlap > 0 {
            self.stacks.add(i.stack, overlap, i.end, pending);
        }
    }

    /// The profile. `error` is the error that stopped reading the trace, if any: the
    /// events after the last complete generation are then left out, as `go tool trace`
    /// does, and a trace without one complete generation is an error.
    pub fn finish(mut self, error: Option<String>) -> Result<Profile> {
        let Some(trace_end) = self.last_sync else {
            return Err(Error::Trace(format!(
                "failed to parse any useful part of the trace: {}",
                error.as_deref().unwrap_or("no events")
            )));
        };
        // Intervals after the last Sync are not part of a complete generation (their
        // pending values are left out).
        self.unstarted.clear();
        for i in std::mem::take(&mut self.deferred) {
            if !self.summary.knows(i.g) {
                continue;
            }
            // The goroutine's life as Go's summary gives it: first run (0 if it never
            // ran) to exit, or to the end of the trace.
            let start = self.summary.start_time(i.g);
            let end = match self.summary.end_time(i.g) {
                0 => trace_end,
                t => t,
            };
            self.add_overlap(&i, start, end, false);
        }
        self.build()
    }

    fn build(self) -> Result<Profile> {
        let mut b = ProfileBuilder::new();
        if self.kind == PprofKind::Cpu {
            b.sample_type("samples", "count");
            b.sample_type("cpu", "nanoseconds");
            b.period_type("cpu", "nanoseconds")
                .period(self.cpu_period_ns);
        } else {
            // traceviewer.BuildProfile's types.
            b.sample_type("contentions", "count");
            b.sample_type("delay", "nanoseconds");
            b.period_type("trace", "count").period(1);
        }
        let mut locations: HashMap<u64, u32> = HashMap::default();
        let mut locs = Vec::new();
        for e in self
            .stacks
            .entries
            .iter()
            .map(|e| e.done)
            .filter(|e| e.count > 0)
        {
            locs.clear();
            let pcs = self
                .stacks
                .variants
                .get(e.last.1)
                .map_or(&[][..], |v| &v.0[..]);
            for &pc in pcs {
                let loc = match locations.get(&pc) {
                    Some(&l) => l,
                    None => {
                        let (func, file, line) = match self.stacks.frames.get(&pc) {
                            Some(f) => (
                                String::from_utf8_lossy(&f.func),
                                String::from_utf8_lossy(&f.file),
                                f.line,
                            ),
                            None => (Default::default(), Default::default(), 0),
                        };
                        let f = b.function(&func, &file, 0);
                        let l = b.location(None, pc, &[(f, line as i64)]);
                        locations.insert(pc, l);
                        l
                    }
                };
                locs.push(loc);
            }
            b.sample(&locs, &[e.count, e.time], &[]);
        }
        Ok(b.build()?)
    }
}

impl PprofConverter {
    /// Converts the whole trace in `data` (streaming, one generation at a time).
    pub fn convert(mut self, data: &[u8]) -> Result<Profile> {
        let error = visit_bytes(data, |ev| self.event(ev));
        self.finish(error)
    }

    /// Converts the whole trace file at `path`, streaming it from disk.
    pub fn convert_path(mut self, path: &Path) -> Result<Profile> {
        let error = visit_path(path, |ev| self.event(ev))
            .map_err(|e| Error::Trace(format!("{}: {e}", path.display())))?;
        self.finish(error)
    }
}

/// Converts the trace in `data` into a profile of `kind`.
///
/// ```
/// use profile_ops::trace::{PprofKind, trace_pprof};
/// # let data = std::fs::read("../examples/data/gc-stress.trace").unwrap();
/// let p = trace_pprof(&data, PprofKind::Sched).unwrap();
/// assert!(p.num_samples() > 0);
/// ```
pub fn trace_pprof(data: &[u8], kind: PprofKind) -> Result<Profile> {
    PprofConverter::new(kind).convert(data)
}

/// Converts the trace file at `path` into a profile of `kind`, streaming it from disk.
pub fn trace_pprof_path(path: &Path, kind: PprofKind) -> Result<Profile> {
    PprofConverter::new(kind).convert_path(path)
}
