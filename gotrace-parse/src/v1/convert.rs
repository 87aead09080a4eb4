//! Conversion of the parsed v1 stream into the event model of the v2 reader, as
//! `golang.org/x/exp/trace` does it (`tracev1.go`): the whole trace becomes one
//! generation with one table; most events map one to one with their arguments moved
//! around; goroutines that existed before tracing started get `GoStatus` events; an
//! instantaneous syscall becomes a 1 ns `GoSyscallBegin`/`GoSyscallEnd` pair unless the
//! goroutine blocked in it.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use super::invalid;
use super::parse::Parsed;
use super::spec::{self as v1spec, Ev, t};
use crate::error::Error;
use crate::event::{Event, NO_GOROUTINE, NO_TASK, NO_THREAD, SchedCtx};
use crate::spec::{self, ev, go_status, proc_status};
use crate::table::{Base, FrameIds, IdMap, Span, StackSpan, Table};

/// Strings the conversion refers to that v1 traces never wrote (block reasons,
/// stop-the-world kinds), in Go's order.
const BUILTIN: [&str; 29] = [
    "forever",
    "preempted",
    "runtime.Gosched",
    "sleep",
    "chan send",
    "chan receive",
    "network",
    "sync",
    "sync.(*Cond).Wait",
    "select",
    "",
    "GC mark assist wait for work",
    "",
    "GC mark termination",
    "GC sweep termination",
    "write heap dump",
    "goroutine profile",
    "goroutine profile cleanup",
    "all goroutine stack trace",
    "read mem stats",
    "AllThreadsSyscall",
    "GOMAXPROCS",
    "start trace",
    "stop trace",
    "CountPagesInUse (test)",
    "ReadMetricsSlow (test)",
    "ReadMemStatsSlow (test)",
    "PageCachePagesLeaked (test)",
    "ResetDebugLog (test)",
];
const S_FOREVER: usize = 0;
const S_PREEMPTED: usize = 1;
const S_GOSCHED: usize = 2;
const S_SLEEP: usize = 3;
const S_CHAN_SEND: usize = 4;
const S_CHAN_RECV: usize = 5;
const S_NETWORK: usize = 6;
const S_SYNC: usize = 7;
const S_SYNC_COND: usize = 8;
const S_SELECT: usize = 9;
const S_EMPTY: usize = 10;
const S_MARK_ASSIST_WAIT: usize = 11;
const S_STW_UNKNOWN: usize = 12;
const NUM_STW_REASONS: u64 = 17;

/// For the v1 events by which a goroutine stops running or blocks: the new event type
/// and the builtin string of its reason.
fn stop_reason(typ: u8) -> Option<(u8, usize)> {
    Some(match typ {
        t::GO_STOP => (ev::GO_BLOCK, S_FOREVER),
        t::GO_SCHED => (ev::GO_STOP, S_GOSCHED),
        t::GO_PREEMPT => (ev::GO_STOP, S_PREEMPTED),
        t::GO_SLEEP => (ev::GO_BLOCK, S_SLEEP),
        t::GO_BLOCK => (ev::GO_BLOCK, S_EMPTY),
        t::GO_BLOCK_SEND => (ev::GO_BLOCK, S_CHAN_SEND),
        t::GO_BLOCK_RECV => (ev::GO_BLOCK, S_CHAN_RECV),
        t::GO_BLOCK_SELECT => (ev::GO_BLOCK, S_SELECT),
        t::GO_BLOCK_SYNC => (ev::GO_BLOCK, S_SYNC),
        t::GO_BLOCK_COND => (ev::GO_BLOCK, S_SYNC_COND),
        t::GO_BLOCK_NET => (ev::GO_BLOCK, S_NETWORK),
        t::GO_BLOCK_GC => (ev::GO_BLOCK, S_MARK_ASSIST_WAIT),
        _ => return None,
    })
}

/// The stop-the-world kind of a v1 `STWStart` (Go's `Trace.STWReason`), relative to
/// `S_STW_UNKNOWN`.
fn stw_reason(version: u32, kind: u64) -> usize {
    match version {
        v if v < 21 && kind <= 1 => kind as usize + 1,
        21 if kind < NUM_STW_REASONS => kind as usize,
        _ => 0,
    }
}

/// Builds the one table of a v1 trace: its strings (copied out of the input, with the
/// inline `UserLog` messages and the builtin strings numbered after the largest ID),
/// stacks and frames.
fn build_table(data: &[u8], p: &Parsed) -> Result<(Table<'static>, Vec<u64>, Vec<u64>), Error> {
    let mut buf = Vec::new();
    let mut table = Table {
        generation: 1,
        ..Table::default()
    };
    let push = |buf: &mut Vec<u8>, s: &[u8]| {
        let start = buf.len();
        buf.extend_from_slice(s);
        Span {
            start,
            len: s.len(),
        }
    };
    let mut max = 0u64;
    for (&id, &(s, n)) in &p.strings {
        let span = push(&mut buf, &data[s..s + n]);
        let _ = table.strings.insert(id, span);
        max = max.max(id);
    }
    let too_many = || invalid(0, "trace contains too many strings");
    let inline_n = p.inline_strings.len() as u64;
    if max.checked_add(inline_n).is_none() {
        return Err(too_many());
    }
    let mut inline_ids = Vec::with_capacity(p.inline_strings.len());
    for (i, &(s, n)) in p.inline_strings.iter().enumerate() {
        let id = max + 1 + i as u64;
        let span = push(&mut buf, &data[s..s + n]);
        let _ = table.strings.insert(id, span);
        inline_ids.push(id);
    }
    max += inline_n;
    if max.checked_add(BUILTIN.len() as u64).is_none() {
        return Err(too_many());
    }
    let mut builtin = Vec::with_capacity(BUILTIN.len());
    for (c, s) in BUILTIN.iter().enumerate() {
        let id = max + 1 + c as u64;
        let span = push(&mut buf, s.as_bytes());
        let _ = table.strings.insert(id, span);
        builtin.push(id);
    }
    table.strings.compactify();
    for (&id, &(start, len)) in &p.stacks {
        let (Ok(start), Ok(len)) = (u32::try_from(start), u32::try_from(len)) else {
            return Err(invalid(0, "trace has too many stack frames"));
        };
        let _ = table.stacks.insert(id as u64, StackSpan { start, len });
    }
    table.stacks.compactify();
    table.pcs = p.pcs.clone();
    for (&pc, f) in &p.frames {
        table.frames.insert(
            pc,
            FrameIds {
                func: f.func,
                file: f.file,
                line: f.line,
            },
        );
    }
    table.base = Base::Owned(Arc::new(buf));
    Ok((table, inline_ids, builtin))
}

/// The converted event stream of a v1 trace (Go's `traceV1Converter` plus the v1 branch
/// of `Reader.ReadEvent`).
#[derive(Debug)]
pub(crate) struct Converter {
    table: Arc<Table<'static>>,
    version: u32,
    events: Vec<Ev>,
    /// For each `GoSysCall`: whether the goroutine's next event is `GoSysBlock`.
    blocked: HashSet<usize>,
    pos: usize,
    pre_init: bool,
    /// Goroutines created before tracing started whose state is not known otherwise;
    /// Go emits them in map order, we in ID order.
    created_pre_init: BTreeSet<u64>,
    extra: VecDeque<Event<'static>>,
    tasks: IdMap<u64, (Arc<[u8]>, u64)>,
    seen_procs: HashSet<i32>,
    proc_ms: HashMap<i32, i64>,
    last_stw_reason: u64,
    last_ts: i64,
    inline_ids: Vec<u64>,
    builtin: Vec<u64>,
    syncs: u64,
    done: bool,
}

impl Converter {
    pub(crate) fn new(data: &[u8], version: u32, parsed: Parsed) -> Result<Converter, Error> {
        let (table, inline_ids, builtin) = build_table(data, &parsed)?;
        let events = parsed.events;
        // Look-ahead for syscalls, done once backwards instead of a scan per syscall.
        let mut blocked = HashSet::new();
        let mut next_typ: IdMap<u64, u8> = IdMap::default();
        for (i, e) in events.iter().enumerate().rev() {
            if e.typ == t::GO_SYS_CALL && next_typ.get(&e.g) == Some(&t::GO_SYS_BLOCK) {
                blocked.insert(i);
            }
            next_typ.insert(e.g, e.typ);
        }
        Ok(Converter {
            table: Arc::new(table),
            version,
            events,
            blocked,
            pos: 0,
            pre_init: true,
            created_pre_init: BTreeSet::new(),
            extra: VecDeque::new(),
            tasks: IdMap::default(),
            seen_procs: HashSet::new(),
            proc_ms: HashMap::new(),
            last_stw_reason: 0,
            last_ts: -1,
            inline_ids,
            builtin,
            syncs: 0,
            done: false,
        })
    }

    /// Whether an error ended the stream after events were delivered.
    pub(crate) fn delivered(&self) -> bool {
        self.syncs > 0
    }

    /// The next event: a `Sync` first, the converted events, a final `Sync`.
    pub(crate) fn next_event(&mut self) -> Option<Result<Event<'static>, Error>> {
        if self.done {
            return None;
        }
        if self.syncs == 0
            && let Some(first) = self.events.first()
        {
            self.syncs = 1;
            let time = first.ts.wrapping_sub(1);
            return Some(Ok(Event::sync(Some(self.table.clone()), time, 1)));
        }
        match self.next_converted() {
            Ok(Some(e)) => Some(Ok(e)),
            Ok(None) => {
                self.done = true;
                self.syncs += 1;
                Some(Ok(Event::sync(
                    None,
                    self.last_ts.wrapping_add(1),
                    self.syncs,
                )))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    fn next_converted(&mut self) -> Result<Option<Event<'static>>, Error> {
        loop {
            let mut e = match self.extra.pop_front() {
                Some(e) => e,
                None => {
                    let Some(&ev) = self.events.get(self.pos) else {
                        return Ok(None);
                    };
                    let idx = self.pos;
                    self.pos += 1;
                    match self.convert(&ev, idx)? {
                        Some(e) => e,
                        None => continue,
                    }
                }
            };
            // No two events share a timestamp in the new model (the GoStatus events
            // made up at the end of initialization would).
            if e.time <= self.last_ts {
                e.time = self.last_ts.wrapping_add(1);
            }
            self.last_ts = e.time;
            return Ok(Some(e));
        }
    }

    fn event(&self, ctx: SchedCtx, typ: u8, time: i64, args: [u64; 4]) -> Event<'static> {
        Event::new(&self.table, ctx, typ, time, args)
    }

    /// The thread running proc `p` as Go's map lookup gives it (0 if none).
    fn m_of(&self, p: i32) -> i64 {
        self.proc_ms.get(&p).copied().unwrap_or(0)
    }

    /// Converts one event; `None` for events that produce nothing (yet).
    fn convert(&mut self, e: &Ev, idx: usize) -> Result<Option<Event<'static>>, Error> {
        let a = e.args;
        let mut args = a;
        let stk = e.stk as u64;
        if let Some((typ, reason)) = stop_reason(e.typ) {
            let args = [self.builtin[reason], stk, 0, 0];
            return Ok(Some(self.finish(e, typ, args)));
        }
        let typ = match e.typ {
            t::GOMAXPROCS => {
                if self.pre_init {
                    // The first Gomaxprocs ends the initial dump of existing goroutines:
                    // those neither waiting, in a syscall nor running are runnable.
                    self.pre_init = false;
                    for gid in std::mem::take(&mut self.created_pre_init) {
                        let ev = self.event(
                            SchedCtx::NONE,
                            ev::GO_STATUS,
                            e.ts,
                            [gid, u64::MAX, go_status::RUNNABLE, 0],
                        );
                        self.extra.push_back(ev);
                    }
                    return Ok(None);
                }
                ev::PROCS_CHANGE
            }
            t::PROC_START => {
                self.proc_ms.insert(e.p, a[0] as i64);
                if self.seen_procs.insert(e.p) {
                    args = [e.p as u64, proc_status::RUNNING, 0, 0];
                    ev::PROC_STATUS
                } else {
                    args = [e.p as u64, 0, 0, 0];
                    ev::PROC_START
                }
            }
            t::PROC_STOP => {
                if self.seen_procs.insert(e.p) {
                    args = [e.p as u64, proc_status::IDLE, 0, 0];
                    ev::PROC_STATUS
                } else {
                    args = [e.p as u64, 0, 0, 0];
                    ev::PROC_STOP
                }
            }
            t::GC_START => ev::GC_BEGIN,
            t::GC_DONE => ev::GC_END,
            t::STW_START => {
                let sid = self.builtin[S_STW_UNKNOWN + stw_reason(self.version, a[0])];
                self.last_stw_reason = sid;
                args = [sid, 0, 0, 0];
                ev::STW_BEGIN
            }
            t::STW_DONE => {
                args = [self.last_stw_reason, 0, 0, 0];
                ev::STW_END
            }
            t::GC_SWEEP_START => ev::GC_SWEEP_BEGIN,
            t::GC_SWEEP_DONE => ev::GC_SWEEP_END,
            t::GO_CREATE => {
                if self.pre_init {
                    self.created_pre_init.insert(a[0]);
                    return Ok(None);
                }
                ev::GO_CREATE
            }
            t::GO_START => {
                if self.pre_init {
                    self.created_pre_init.remove(&a[0]);
                    args = [a[0], u64::MAX, go_status::RUNNING, 0];
                    ev::GO_STATUS
                } else {
                    ev::GO_START
                }
            }
            t::GO_START_LABEL => {
                let ctx = SchedCtx {
                    g: e.g as i64,
                    p: e.p as i64,
                    m: self.m_of(e.p),
                };
                let label = self.event(ctx, ev::GO_LABEL, e.ts, [a[2], 0, 0, 0]);
                self.extra.clear();
                self.extra.push_back(label);
                return Ok(Some(self.event(ctx, ev::GO_START, e.ts, a)));
            }
            t::GO_END => ev::GO_DESTROY,
            t::GO_UNBLOCK => ev::GO_UNBLOCK,
            t::GO_SYS_CALL => {
                if self.blocked.contains(&idx) {
                    args = [0, stk, 0, 0];
                    ev::GO_SYSCALL_BEGIN
                } else {
                    // An instantaneous syscall: the shortest possible range, 1 ns.
                    let ctx = SchedCtx {
                        g: e.g as i64,
                        p: e.p as i64,
                        m: self.m_of(e.p),
                    };
                    let end = self.event(ctx, ev::GO_SYSCALL_END, e.ts.wrapping_add(1), [0; 4]);
                    self.extra.push_back(end);
                    return Ok(Some(self.event(
                        ctx,
                        ev::GO_SYSCALL_BEGIN,
                        e.ts,
                        [0, stk, 0, 0],
                    )));
                }
            }
            t::GO_SYS_EXIT => ev::GO_SYSCALL_END_BLOCKED,
            t::GO_SYS_BLOCK => return Ok(None),
            t::GO_WAITING | t::GO_IN_SYSCALL => {
                // v1 does not say which thread a syscall is on.
                let status = if e.typ == t::GO_WAITING {
                    go_status::WAITING
                } else {
                    go_status::SYSCALL
                };
                self.created_pre_init.remove(&a[0]);
                args = [a[0], u64::MAX, status, 0];
                ev::GO_STATUS
            }
            t::HEAP_ALLOC => ev::HEAP_ALLOC,
            t::HEAP_GOAL => ev::HEAP_GOAL,
            t::GC_MARK_ASSIST_START => ev::GC_MARK_ASSIST_BEGIN,
            t::GC_MARK_ASSIST_DONE => ev::GC_MARK_ASSIST_END,
            t::USER_TASK_CREATE => {
                let parent = if a[1] == 0 { NO_TASK } else { a[1] };
                args = [a[0], parent, a[2], stk];
                let name: Arc<[u8]> = Arc::from(self.table.string(a[2]).unwrap_or(b""));
                self.tasks.insert(a[0], (name, a[1]));
                ev::USER_TASK_BEGIN
            }
            t::USER_TASK_END => {
                // The parent and type are carried on the end event, as Go's model wants.
                let (name, parent) = self
                    .tasks
                    .remove(&a[0])
                    .unwrap_or_else(|| (Arc::from(&b""[..]), NO_TASK));
                let mut out = self.finish(e, ev::USER_TASK_END, [a[0], a[1], parent, 0]);
                out.task_type = Some(name);
                return Ok(Some(out));
            }
            t::USER_REGION => {
                args = [a[0], a[2], stk, 0];
                match a[1] {
                    0 => ev::USER_REGION_BEGIN,
                    1 => ev::USER_REGION_END,
                    _ => ev::NONE,
                }
            }
            t::USER_LOG => {
                let value = self.inline_ids.get(a[3] as usize).copied().unwrap_or(0);
                args = [a[0], a[1], value, stk];
                ev::USER_LOG
            }
            t::CPU_SAMPLE => {
                args = [stk, u64::MAX, e.p as u64, e.g];
                ev::CPU_SAMPLE
            }
            other => return Err(invalid(e.off, format!("unexpected event type {other}"))),
        };
        Ok(Some(self.finish(e, typ, args)))
    }

    /// The stack goes where the new event type keeps its own stack; the context is the
    /// event's goroutine and proc and the thread last seen starting that proc.
    fn finish(&mut self, e: &Ev, typ: u8, mut args: [u64; 4]) -> Event<'static> {
        if v1spec::desc(e.typ).stack
            && let Some(&i) = spec::spec(typ).stack_ids.first()
            && let Some(slot) = args.get_mut(i as usize - 1)
        {
            *slot = e.stk as u64;
        }
        let mut m = NO_THREAD;
        if e.p != -1
            && e.typ != t::CPU_SAMPLE
            && let Some(&th) = self.proc_ms.get(&e.p)
        {
            m = th;
        }
        if e.typ == t::PROC_STOP {
            self.proc_ms.remove(&e.p);
        }
        let g = if e.g == 0 { NO_GOROUTINE } else { e.g as i64 };
        let ctx = SchedCtx {
            g,
            p: e.p as i64,
            m,
        };
        self.event(ctx, typ, e.ts, args)
    }
}
