//! The ordering rules of Go's reader (`internal/trace/order.go`): per-goroutine, per-proc
//! and per-thread state machines that decide whether the next event of a batch can happen
//! yet, validate it, and translate it into the events of the public stream.

use std::sync::Arc;

use crate::event::{
    GoId, NO_GOROUTINE, NO_PROC, NO_TASK, NO_THREAD, ProcId, SchedCtx, TaskId, ThreadId,
};
use crate::header::Version;
use crate::spec::{self, EventType, ev, go_status as gs, proc_status as ps};
use crate::table::{IdMap, SmallIdMap, Table};

/// An event as read from a batch: type, time in ns, arguments after the timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BaseEvent {
    pub(crate) typ: EventType,
    pub(crate) time: i64,
    pub(crate) args: [u64; 4],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seq {
    gen_no: u64,
    seq: u64,
}

impl Seq {
    fn succeeds(self, prev: Seq) -> bool {
        self.gen_no == prev.gen_no && self.seq == prev.seq.wrapping_add(1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RangeType {
    typ: EventType,
    desc: u64,
}

fn range_type(typ: EventType, desc: u64) -> RangeType {
    let start = spec::spec(typ).start_ev;
    RangeType {
        typ: if start != ev::NONE { start } else { typ },
        desc,
    }
}

#[derive(Debug, Default, Clone)]
struct Ranges {
    in_flight: Vec<RangeType>,
}

impl Ranges {
    fn begin(&mut self, t: RangeType) -> Result<(), String> {
        if self.in_flight.contains(&t) {
            return Err(format!(
                "discovered event already in-flight for when starting event {}",
                spec::spec(t.typ).name
            ));
        }
        self.in_flight.push(t);
        Ok(())
    }

    fn active(&mut self, t: RangeType, initial_gen: bool) -> Result<(), String> {
        if initial_gen {
            if self.in_flight.contains(&t) {
                return Err(format!(
                    "found named active range already in first gen: {{{} {}}}",
                    t.typ, t.desc
                ));
            }
            self.in_flight.push(t);
        } else if !self.in_flight.contains(&t) {
            return Err(format!(
                "resource is missing active range: {} {:?}",
                spec::spec(t.typ).name,
                self.in_flight
            ));
        }
        Ok(())
    }

    fn end(&mut self, typ: EventType) -> Result<u64, String> {
        let st = spec::spec(typ).start_ev;
        match self.in_flight.iter().position(|r| r.typ == st) {
            None => Err(format!(
                "tried to end event {}, but not in-flight",
                spec::spec(st).name
            )),
            Some(i) => Ok(self.in_flight.swap_remove(i).desc),
        }
    }
}

#[derive(Debug, Clone)]
struct GState {
    status: u64,
    seq: Seq,
    regions: Vec<(TaskId, Box<[u8]>)>,
    ranges: Ranges,
}

#[derive(Debug, Clone)]
struct PState {
    status: u64,
    seq: Seq,
    ranges: Ranges,
}

#[derive(Debug, Clone, Copy)]
struct MState {
    id: ThreadId,
    g: GoId,
    p: ProcId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GcState {
    Undetermined,
    NotRunning,
    Running,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    MustNot,
    May,
    Must,
}

const USER_GO: (Need, Need, Need) = (Need::Must, Need::Must, Need::Must);

#[inline]
fn validate(ctx: SchedCtx, need: (Need, Need, Need)) -> Result<(), String> {
    let ok = |need: Need, have: bool| match need {
        Need::Must => have,
        Need::MustNot => !have,
        Need::May => true,
    };
    let have = (ctx.m != NO_THREAD, ctx.p != NO_PROC, ctx.g != NO_GOROUTINE);
    if ok(need.0, have.0) && ok(need.1, have.1) && ok(need.2, have.2) {
        return Ok(());
    }
    Err(validate_error(need, have))
}

/// Go's message for the first requirement of `validate` that the context fails.
#[cold]
fn validate_error((m, p, g): (Need, Need, Need), have: (bool, bool, bool)) -> String {
    let check = |need: Need, have: bool, what: &str| match (need, have) {
        (Need::Must, false) => Err(format!("expected {what} but didn't have one")),
        (Need::MustNot, true) => Err(format!("expected no {} but had one", &what[2..])),
        _ => Ok(()),
    };
    check(m, have.0, "a thread")
        .and_then(|()| check(p, have.1, "a proc"))
        .and_then(|()| check(g, have.2, "a goroutine"))
        .err()
        .unwrap_or_default()
}

fn go_status_name(s: u64) -> &'static str {
    match s {
        gs::RUNNABLE => "Runnable",
        gs::RUNNING => "Running",
        gs::SYSCALL => "Syscall",
        gs::WAITING => "Waiting",
        _ => "Bad",
    }
}

fn proc_status_name(s: u64) -> &'static str {
    match s {
        ps::RUNNING => "Running",
        ps::IDLE => "Idle",
        ps::SYSCALL => "Syscall",
        _ => "Bad",
    }
}

/// An event one ordering step made, before the reader hands it out: plain words, written
/// in place (building an [`Event`] with its reference-counted fields and then copying it
/// into a vector stalled on store forwarding).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Made {
    pub(crate) generation: u64,
    pub(crate) ctx: SchedCtx,
    pub(crate) typ: EventType,
    pub(crate) time: i64,
    pub(crate) args: [u64; 4],
}

const NO_MADE: Made = Made {
    generation: 0,
    ctx: SchedCtx::NONE,
    typ: 0,
    time: 0,
    args: [0; 4],
};

/// The events of one ordering step, in the order they happen. A step makes at most three
/// (a `GoSwitch` is itself, a block or destroy, and a start; a syscall may steal a proc
/// first), and the reader hands them all out before the next step.
#[derive(Debug)]
pub(crate) struct Queue {
    items: [Made; 4],
    head: usize,
    len: usize,
    /// Type of the task that the step's `UserTaskEnd` ends (remembered from its begin).
    pub(crate) task_type: Option<Arc<[u8]>>,
}

impl Default for Queue {
    fn default() -> Self {
        Queue {
            items: [NO_MADE; 4],
            head: 0,
            len: 0,
            task_type: None,
        }
    }
}

impl Queue {
    #[inline(always)]
    fn push(&mut self, m: Made) {
        debug_assert!(
            self.len < self.items.len(),
            "an ordering step made too many events"
        );
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = m;
            self.len += 1;
        }
    }

    /// The earliest event not handed out yet.
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Option<Made> {
        if self.head == self.len {
            return None;
        }
        let m = self.items.get(self.head).copied();
        self.head += 1;
        if self.head == self.len {
            self.head = 0;
            self.len = 0;
        }
        m
    }

    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        self.head == self.len
    }

    pub(crate) fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
        self.task_type = None;
    }
}

/// An event type's name in an error message (`Invalid(N)` past the version's last type).
#[derive(Clone, Copy)]
struct EvName {
    typ: EventType,
    max: EventType,
}

impl std::fmt::Display for EvName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = spec::spec(self.typ).name;
        if self.typ <= self.max && !name.is_empty() {
            f.write_str(name)
        } else {
            write!(f, "Invalid({})", self.typ)
        }
    }
}

/// The ordering state carried across generations.
#[derive(Debug)]
pub(crate) struct Ordering {
    version: Version,
    g: SmallIdMap<GState>,
    p: SmallIdMap<PState>,
    /// Threads: index by ID, states in a vector (cursors cache their thread's slot).
    m_index: IdMap<ThreadId, u32>,
    ms: Vec<MState>,
    tasks: IdMap<TaskId, (Arc<[u8]>, TaskId)>,
    gc_seq: u64,
    gc_state: GcState,
    initial_gen: u64,
    /// Events the last step made, to be handed out before the next step.
    pub(crate) queue: Queue,
    /// Time of the last event handed out: Go's reader makes times strictly increasing by
    /// moving an event that is not later than its predecessor to `last + 1`. Events are
    /// stamped when they are built, which is the order they are handed out in.
    pub(crate) last_ts: i64,
}

type Step = Result<(SchedCtx, bool), String>;

impl Ordering {
    pub(crate) fn new(version: Version) -> Self {
        Ordering {
            version,
            g: SmallIdMap::default(),
            p: SmallIdMap::default(),
            m_index: IdMap::default(),
            ms: Vec::new(),
            tasks: IdMap::default(),
            gc_seq: 0,
            gc_state: GcState::Undetermined,
            initial_gen: 0,
            queue: Queue::default(),
            last_ts: 0,
        }
    }

    /// The event's name as Go's errors print it; formatted only when an error is made.
    fn ev_name(&self, typ: EventType) -> EvName {
        let max = match self.version {
            Version::Go122 => ev::USER_LOG,
            Version::Go123 => ev::EXPERIMENTAL_BATCH,
            Version::Go125 => ev::CLOCK_SNAPSHOT,
            _ => 255,
        };
        EvName { typ, max }
    }

    fn m_slot(&mut self, m: ThreadId) -> usize {
        let next = self.ms.len() as u32;
        let slot = *self.m_index.entry(m).or_insert(next);
        if slot == next {
            self.ms.push(MState {
                id: m,
                g: NO_GOROUTINE,
                p: NO_PROC,
            });
        }
        slot as usize
    }

    fn m_get(&self, m: ThreadId) -> Option<&MState> {
        self.m_index.get(&m).map(|&i| &self.ms[i as usize])
    }

    /// Tries to apply `e`, which thread `m` wrote in generation `gen_no`. `Ok(false)` means
    /// it cannot happen yet (another thread's events must come first). `slot` caches the
    /// thread's state slot between calls (`u32::MAX` = not looked up yet).
    #[inline(always)]
    pub(crate) fn advance(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        m: ThreadId,
        gen_no: u64,
        slot: &mut u32,
    ) -> Result<bool, String> {
        if self.initial_gen == 0 {
            self.initial_gen = gen_no;
        }
        let mut cur = SchedCtx {
            g: NO_GOROUTINE,
            p: NO_PROC,
            m,
        };
        if m != NO_THREAD {
            if *slot == u32::MAX {
                *slot = self.m_slot(m) as u32;
            }
            let ms = &self.ms[*slot as usize];
            cur.p = ms.p;
            cur.g = ms.g;
        }
        let (new, ok) = match e.typ {
            ev::PROCS_CHANGE | ev::GO_LABEL | ev::USER_LOG => self.annotation(e, t, cur)?,
            ev::PROC_START => self.proc_start(e, t, gen_no, cur)?,
            ev::PROC_STOP => self.proc_stop(e, t, cur)?,
            ev::PROC_STEAL => self.proc_steal(e, t, gen_no, cur)?,
            ev::PROC_STATUS => self.proc_status(e, t, gen_no, cur)?,
            ev::GO_CREATE | ev::GO_CREATE_BLOCKED => self.go_create(e, t, gen_no, cur)?,
            ev::GO_CREATE_SYSCALL => self.go_create_syscall(e, t, gen_no, cur)?,
            ev::GO_START => self.go_start(e, t, gen_no, cur)?,
            ev::GO_DESTROY | ev::GO_STOP | ev::GO_BLOCK => self.go_stop_exec(e, t, cur)?,
            ev::GO_DESTROY_SYSCALL => self.go_destroy_syscall(e, t, cur)?,
            ev::GO_UNBLOCK => self.go_unblock(e, t, gen_no, cur)?,
            ev::GO_SYSCALL_BEGIN => self.go_syscall_begin(e, t, gen_no, cur)?,
            ev::GO_SYSCALL_END => self.go_syscall_end(e, t, cur)?,
            ev::GO_SYSCALL_END_BLOCKED => self.go_syscall_end_blocked(e, t, cur)?,
            ev::GO_STATUS | ev::GO_STATUS_STACK => self.go_status(e, t, gen_no, cur)?,
            ev::STW_BEGIN | ev::GC_MARK_ASSIST_BEGIN => self.go_range_begin(e, t, cur)?,
            ev::STW_END | ev::GC_MARK_ASSIST_END => self.go_range_end(e, t, cur)?,
            ev::GC_MARK_ASSIST_ACTIVE => self.go_range_active(e, t, gen_no, cur)?,
            ev::GC_ACTIVE => self.gc_active(e, t, gen_no, cur)?,
            ev::GC_BEGIN => self.gc_begin(e, t, cur)?,
            ev::GC_END => self.gc_end(e, t, cur)?,
            ev::GC_SWEEP_ACTIVE => self.gc_sweep_active(e, t, gen_no, cur)?,
            ev::GC_SWEEP_BEGIN => self.gc_sweep_begin(e, t, cur)?,
            ev::GC_SWEEP_END => self.gc_sweep_end(e, t, cur)?,
            ev::HEAP_ALLOC | ev::HEAP_GOAL => self.heap_metric(e, t, cur)?,
            ev::USER_TASK_BEGIN => self.task_begin(e, t, cur)?,
            ev::USER_TASK_END => self.task_end(e, t, cur)?,
            ev::USER_REGION_BEGIN | ev::USER_REGION_END => self.region(e, t, cur)?,
            ev::GO_SWITCH | ev::GO_SWITCH_DESTROY => self.go_switch(e, t, gen_no, cur)?,
            typ if spec::is_experimental(typ) => self.alloc_free(e, t, cur)?,
            typ => return Err(format!("bad event type found while ordering: {typ}")),
        };
        if ok && m != NO_THREAD {
            let ms = &mut self.ms[*slot as usize];
            ms.p = new.p;
            ms.g = new.g;
        }
        Ok(ok)
    }

    /// The time an event built now will carry (see [`Ordering::last_ts`]).
    #[inline]
    pub(crate) fn stamp(&mut self, t: i64) -> i64 {
        let t = if t <= self.last_ts {
            self.last_ts.wrapping_add(1)
        } else {
            t
        };
        self.last_ts = t;
        t
    }

    fn push(&mut self, t: &Arc<Table<'_>>, ctx: SchedCtx, e: &BaseEvent) {
        self.emit(t.generation, ctx, e.typ, e.time, e.args);
    }

    /// Queues an event of type `typ` at `time` (stamped: see [`Ordering::stamp`]).
    #[inline(always)]
    fn emit(&mut self, generation: u64, ctx: SchedCtx, typ: EventType, time: i64, args: [u64; 4]) {
        let time = self.stamp(time);
        self.queue.push(Made {
            generation,
            ctx,
            typ,
            time,
            args,
        });
    }

    fn proc_status(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        mut cur: SchedCtx,
    ) -> Step {
        let pid = e.args[0] as i64;
        // Go reads the status as a `uint8` (`tracev2.ProcStatus(ev.args[1])`).
        let status = u64::from(e.args[1] as u8);
        if status > ps::SYSCALL_ABANDONED {
            return Err(format!("invalid status for proc {pid}: {status}"));
        }
        // Old state, as a ProcState number: 0 Undetermined, 1 NotExist, 2 Running, 3 Idle.
        let mut old: u64 = match status {
            ps::RUNNING | ps::SYSCALL => 2,
            ps::IDLE | ps::SYSCALL_ABANDONED => 3,
            _ => 0,
        };
        if let Some(s) = self.p.get_mut(&pid) {
            if status == ps::SYSCALL_ABANDONED && s.status == ps::SYSCALL {
                old = 2;
                e.args[1] = ps::SYSCALL;
            } else if status == ps::SYSCALL_ABANDONED && s.status == ps::SYSCALL_ABANDONED {
                old = 3;
                e.args[1] = ps::SYSCALL_ABANDONED;
            } else if s.status != status {
                return Err(format!(
                    "inconsistent status for proc {pid}: old {} vs. new {}",
                    proc_status_name(s.status),
                    proc_status_name(status)
                ));
            }
            s.seq = Seq { gen_no, seq: 0 };
        } else {
            self.p.insert(
                pid,
                PState {
                    status,
                    seq: Seq { gen_no, seq: 0 },
                    ranges: Ranges::default(),
                },
            );
            old = if gen_no == self.initial_gen { 0 } else { 1 };
        }
        e.args[2] = old;
        let mut new = cur;
        if status == ps::RUNNING || status == ps::SYSCALL {
            new.p = pid;
        }
        if status == ps::SYSCALL_ABANDONED && old == 2 {
            let mut found = false;
            for ms in &self.ms {
                if ms.p == pid {
                    cur = SchedCtx {
                        m: ms.id,
                        p: pid,
                        g: ms.g,
                    };
                    found = true;
                }
            }
            if !found {
                return Err(format!(
                    "failed to find sched context for proc {pid} that's about to be stolen"
                ));
            }
        }
        self.push(t, cur, e);
        Ok((new, true))
    }

    fn proc_start(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        cur: SchedCtx,
    ) -> Step {
        let pid = e.args[0] as i64;
        let seq = Seq {
            gen_no,
            seq: e.args[1],
        };
        let Some(st) = self.p.get_mut(&pid) else {
            return Ok((cur, false));
        };
        if st.status != ps::IDLE || !seq.succeeds(st.seq) || cur.p != NO_PROC {
            return Ok((cur, false));
        }
        validate(cur, (Need::Must, Need::MustNot, Need::May))?;
        st.status = ps::RUNNING;
        st.seq = seq;
        let mut new = cur;
        new.p = pid;
        self.push(t, cur, e);
        Ok((new, true))
    }

    fn proc_stop(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        let name = self.ev_name(e.typ);
        let Some(st) = self.p.get_mut(&cur.p) else {
            return Err(format!(
                "event {name} for proc ({}) that doesn't exist",
                cur.p
            ));
        };
        if st.status != ps::RUNNING && st.status != ps::SYSCALL {
            return Err(format!(
                "{name} event for proc that's not Running or Syscall"
            ));
        }
        validate(cur, (Need::Must, Need::Must, Need::May))?;
        st.status = ps::IDLE;
        let mut new = cur;
        new.p = NO_PROC;
        self.push(t, cur, e);
        Ok((new, true))
    }

    fn proc_steal(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        cur: SchedCtx,
    ) -> Step {
        let pid = e.args[0] as i64;
        let seq = Seq {
            gen_no,
            seq: e.args[1],
        };
        let Some(st) = self.p.get_mut(&pid) else {
            return Ok((cur, false));
        };
        if (st.status != ps::SYSCALL && st.status != ps::SYSCALL_ABANDONED) || !seq.succeeds(st.seq)
        {
            return Ok((cur, false));
        }
        validate(cur, (Need::Must, Need::May, Need::May))?;
        let old = st.status;
        e.args[3] = old;
        st.status = ps::IDLE;
        st.seq = seq;
        if old == ps::SYSCALL_ABANDONED {
            self.push(t, cur, e);
            return Ok((cur, true));
        }
        let mid = e.args[2] as i64;
        let mut new = cur;
        if mid == cur.m {
            if cur.p != pid {
                return Err(format!(
                    "tried to self-steal proc {pid} (thread {mid}), but got proc {} instead",
                    cur.p
                ));
            }
            new.p = NO_PROC;
            self.push(t, cur, e);
            return Ok((new, true));
        }
        let Some(&i) = self.m_index.get(&mid) else {
            return Err(format!("stole proc from non-existent thread {mid}"));
        };
        let ms = &mut self.ms[i as usize];
        if ms.p != pid {
            return Err(format!(
                "tried to steal proc {pid} from thread {mid}, but got proc {} instead",
                ms.p
            ));
        }
        ms.p = NO_PROC;
        self.push(t, cur, e);
        Ok((new, true))
    }

    fn go_status(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        mut cur: SchedCtx,
    ) -> Step {
        let gid = e.args[0] as i64;
        let mid = e.args[1] as i64;
        // Go reads the status as a `uint8` (`tracev2.GoStatus(ev.args[2])`).
        let status = u64::from(e.args[2] as u8);
        if status > gs::WAITING {
            return Err(format!("invalid status for goroutine {gid}: {status}"));
        }
        // GoState numbers: 0 Undetermined, 1 NotExist, 2 Runnable, 3 Running, 4 Waiting, 5 Syscall.
        let mut old: u64 = match status {
            gs::RUNNABLE => 2,
            gs::RUNNING => 3,
            gs::SYSCALL => 5,
            gs::WAITING => 4,
            _ => 0,
        };
        if let Some(s) = self.g.get_mut(&gid) {
            if s.status != status {
                return Err(format!(
                    "inconsistent status for goroutine {gid}: old {} vs. new {}",
                    go_status_name(s.status),
                    go_status_name(status)
                ));
            }
            s.seq = Seq { gen_no, seq: 0 };
        } else if gen_no == self.initial_gen {
            self.g.insert(
                gid,
                GState {
                    status,
                    seq: Seq { gen_no, seq: 0 },
                    regions: Vec::new(),
                    ranges: Ranges::default(),
                },
            );
            old = 0;
        } else {
            return Err(format!(
                "found goroutine status for new goroutine after the first generation: id={gid} status={}",
                go_status_name(status)
            ));
        }
        e.args[2] = old << 32 | status;
        let mut new = cur;
        match status {
            gs::RUNNING => new.g = gid,
            gs::SYSCALL => {
                if mid == NO_THREAD {
                    return Err(format!("found goroutine {gid} in syscall without a thread"));
                }
                if mid == cur.m {
                    if gen_no != self.initial_gen && cur.g != gid {
                        return Err(format!(
                            "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                            cur.g
                        ));
                    }
                    new.g = gid;
                } else {
                    match self.m_get(mid) {
                        Some(ms) => {
                            if ms.g != gid {
                                return Err(format!(
                                    "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                                    ms.g
                                ));
                            }
                            cur.g = ms.g;
                        }
                        None => {
                            let i = self.m_slot(mid);
                            self.ms[i].g = gid;
                        }
                    }
                    cur.m = mid;
                }
            }
            _ => {}
        }
        self.push(t, cur, e);
        Ok((new, true))
    }

    fn go_create(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        cur: SchedCtx,
    ) -> Step {
        validate(cur, (Need::Must, Need::Must, Need::May))?;
        if self
            .g
            .get(&cur.g)
            .is_some_and(|st| st.status != gs::RUNNING)
        {
            return Err(format!(
                "{} event for goroutine that's not Running",
                self.ev_name(e.typ)
            ));
        }
        let newg = e.args[0] as i64;
        if self.g.contains_key(&newg) {
            return Err(format!(
                "tried to create goroutine ({newg}) that already exists"
            ));
        }
        let status = if e.typ == ev::GO_CREATE_BLOCKED {
            gs::WAITING
        } else {
            gs::RUNNABLE
        };
        self.g.insert(
            newg,
            GState {
                status,
                seq: Seq { gen_no, seq: 0 },
                regions: Vec::new(),
                ranges: Ranges::default(),
            },
        );
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn running_g(&mut self, typ: EventType, cur: SchedCtx) -> Result<&mut GState, String> {
        let name = self.ev_name(typ);
        let Some(st) = self.g.get_mut(&cur.g) else {
            return Err(format!(
                "event {name} for goroutine ({}) that doesn't exist",
                cur.g
            ));
        };
        if st.status != gs::RUNNING {
            return Err(format!("{name} event for goroutine that's not Running"));
        }
        Ok(st)
    }

    fn go_stop_exec(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        validate(cur, USER_GO)?;
        let st = self.running_g(e.typ, cur)?;
        match e.typ {
            ev::GO_DESTROY => {}
            ev::GO_STOP => st.status = gs::RUNNABLE,
            _ => st.status = gs::WAITING,
        }
        if e.typ == ev::GO_DESTROY {
            self.g.remove(&cur.g);
        }
        let mut new = cur;
        new.g = NO_GOROUTINE;
        self.push(t, cur, e);
        Ok((new, true))
    }

    fn go_start(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        cur: SchedCtx,
    ) -> Step {
        let gid = e.args[0] as i64;
        let seq = Seq {
            gen_no,
            seq: e.args[1],
        };
        let Some(st) = self.g.get_mut(&gid) else {
            return Ok((cur, false));
        };
        if st.status != gs::RUNNABLE || !seq.succeeds(st.seq) {
            return Ok((cur, false));
        }
        validate(cur, (Need::Must, Need::Must, Need::MustNot))?;
        st.status = gs::RUNNING;
        st.seq = seq;
        let mut new = cur;
        new.g = gid;
        self.push(t, cur, e);
        Ok((new, true))
    }

    fn go_unblock(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        cur: SchedCtx,
    ) -> Step {
        let gid = e.args[0] as i64;
        let seq = Seq {
            gen_no,
            seq: e.args[1],
        };
        let Some(st) = self.g.get_mut(&gid) else {
            return Ok((cur, false));
        };
        if st.status != gs::WAITING || !seq.succeeds(st.seq) {
            return Ok((cur, false));
        }
        st.status = gs::RUNNABLE;
        st.seq = seq;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn go_switch(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        cur: SchedCtx,
    ) -> Step {
        validate(cur, USER_GO)?;
        self.running_g(e.typ, cur)?;
        let next = e.args[0] as i64;
        let seq = Seq {
            gen_no,
            seq: e.args[1],
        };
        match self.g.get(&next) {
            Some(n) if n.status == gs::WAITING && seq.succeeds(n.seq) => {}
            _ => return Ok((cur, false)),
        }
        self.push(t, cur, e);
        if e.typ == ev::GO_SWITCH {
            if let Some(c) = self.g.get_mut(&cur.g) {
                c.status = gs::WAITING;
            }
            self.emit(t.generation, cur, ev::GO_BLOCK, e.time, [0; 4]);
        } else {
            self.g.remove(&cur.g);
            self.emit(t.generation, cur, ev::GO_DESTROY, e.time, [0; 4]);
        }
        if let Some(n) = self.g.get_mut(&next) {
            n.status = gs::RUNNING;
            n.seq = seq;
        }
        let mut new = cur;
        new.g = next;
        let mut start = cur;
        start.g = NO_GOROUTINE;
        self.emit(
            t.generation,
            start,
            ev::GO_START,
            e.time,
            [next as u64, e.args[1], 0, 0],
        );
        Ok((new, true))
    }

    fn go_syscall_begin(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        cur: SchedCtx,
    ) -> Step {
        validate(cur, USER_GO)?;
        let name = self.ev_name(e.typ);
        self.running_g(e.typ, cur)?.status = gs::SYSCALL;
        let Some(p) = self.p.get_mut(&cur.p) else {
            return Err(format!("uninitialized proc {} found during {name}", cur.p));
        };
        p.status = ps::SYSCALL;
        let pseq = Seq {
            gen_no,
            seq: e.args[0],
        };
        if !pseq.succeeds(p.seq) {
            return Err(format!(
                "failed to advance {name}: can't make sequence: {} (gen={}) -> {} (gen={})",
                p.seq.seq, p.seq.gen_no, pseq.seq, pseq.gen_no
            ));
        }
        p.seq = pseq;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn syscall_g(&mut self, typ: EventType, cur: SchedCtx) -> Result<&mut GState, String> {
        let name = self.ev_name(typ);
        let Some(st) = self.g.get_mut(&cur.g) else {
            return Err(format!(
                "event {name} for goroutine ({}) that doesn't exist",
                cur.g
            ));
        };
        if st.status != gs::SYSCALL {
            return Err(format!("{name} event for goroutine that's not Running"));
        }
        Ok(st)
    }

    fn go_syscall_end(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        validate(cur, USER_GO)?;
        let name = self.ev_name(e.typ);
        self.syscall_g(e.typ, cur)?.status = gs::RUNNING;
        let Some(p) = self.p.get_mut(&cur.p) else {
            return Err(format!("uninitialized proc {} found during {name}", cur.p));
        };
        if p.status != ps::SYSCALL {
            return Err(format!(
                "expected proc {} in state Syscall, but got {} instead",
                cur.p,
                proc_status_name(p.status)
            ));
        }
        p.status = ps::RUNNING;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn go_syscall_end_blocked(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        cur: SchedCtx,
    ) -> Step {
        if cur.p != NO_PROC {
            let Some(p) = self.p.get(&cur.p) else {
                return Err(format!(
                    "uninitialized proc {} found during {}",
                    cur.p,
                    self.ev_name(e.typ)
                ));
            };
            if p.status == ps::SYSCALL {
                return Ok((cur, false));
            }
        }
        validate(cur, (Need::Must, Need::May, Need::Must))?;
        self.syscall_g(e.typ, cur)?.status = gs::RUNNABLE;
        let mut new = cur;
        new.g = NO_GOROUTINE;
        self.push(t, cur, e);
        Ok((new, true))
    }

    fn go_create_syscall(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        cur: SchedCtx,
    ) -> Step {
        validate(cur, (Need::Must, Need::May, Need::MustNot))?;
        let newg = e.args[0] as i64;
        if self.g.contains_key(&newg) {
            return Err(format!(
                "tried to create goroutine ({newg}) in syscall that already exists"
            ));
        }
        self.g.insert(
            newg,
            GState {
                status: gs::SYSCALL,
                seq: Seq { gen_no, seq: 0 },
                regions: Vec::new(),
                ranges: Ranges::default(),
            },
        );
        let mut new = cur;
        new.g = newg;
        self.push(t, cur, e);
        Ok((new, true))
    }

    fn go_destroy_syscall(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        validate(cur, (Need::Must, Need::May, Need::Must))?;
        let name = self.ev_name(e.typ);
        let Some(st) = self.g.get(&cur.g) else {
            return Err(format!(
                "event {name} for goroutine ({}) that doesn't exist",
                cur.g
            ));
        };
        if st.status != gs::SYSCALL {
            return Err(format!("{name} event for goroutine that's not Syscall"));
        }
        self.g.remove(&cur.g);
        let mut new = cur;
        new.g = NO_GOROUTINE;
        if cur.p != NO_PROC {
            let Some(p) = self.p.get_mut(&cur.p) else {
                return Err(format!("found invalid proc {} during {name}", cur.p));
            };
            if p.status != ps::SYSCALL {
                return Err(format!(
                    "proc {} in unexpected state {} during {name}",
                    cur.p,
                    proc_status_name(p.status)
                ));
            }
            p.status = ps::SYSCALL_ABANDONED;
            new.p = NO_PROC;
            self.emit(
                t.generation,
                cur,
                ev::PROC_STEAL,
                e.time,
                [cur.p as u64, 0, 0, ps::SYSCALL],
            );
        }
        self.push(t, cur, e);
        Ok((new, true))
    }

    fn task_begin(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        let id = e.args[0];
        if self.tasks.contains_key(&id) {
            return Err(format!("task ID conflict: {id}"));
        }
        let mut parent = e.args[1];
        if parent == crate::event::BACKGROUND_TASK {
            parent = NO_TASK;
            e.args[1] = NO_TASK;
        }
        let Some(name) = t.string(e.args[2]) else {
            return Err(format!(
                "invalid string ID {} for {} event",
                e.args[2], e.typ
            ));
        };
        self.tasks.insert(id, (Arc::from(name), parent));
        validate(cur, USER_GO)?;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn task_end(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        let id = e.args[0];
        let (name, parent) = match self.tasks.remove(&id) {
            Some((name, parent)) => (Some(name), parent),
            None => (None, NO_TASK),
        };
        e.args[2] = parent;
        validate(cur, USER_GO)?;
        self.queue.task_type = name;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn region(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        validate(cur, USER_GO)?;
        let tid = e.args[0];
        let Some(name) = t.string(e.args[1]) else {
            return Err(format!(
                "invalid string ID {} for {} event",
                e.args[1], e.typ
            ));
        };
        let begin = e.typ == ev::USER_REGION_BEGIN;
        let Some(st) = self.g.get_mut(&cur.g) else {
            let which = if begin {
                "EvUserRegionBegin"
            } else {
                "EvUserRegionEnd"
            };
            return Err(format!(
                "encountered {which} without known state for current goroutine {}",
                cur.g
            ));
        };
        if begin {
            st.regions.push((tid, name.into()));
        } else if let Some((ntid, nname)) = st.regions.last() {
            let (ntid, nname) = (*ntid, &nname[..]);
            if (ntid, nname) != (tid, name) {
                return Err(format!(
                    "misuse of region in goroutine {}: region end {{{tid} {}}} when the inner-most active region start event is {{{ntid} {}}}",
                    cur.g,
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(nname)
                ));
            }
            st.regions.pop();
        }
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn gc_active(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        cur: SchedCtx,
    ) -> Step {
        let seq = e.args[0];
        if gen_no == self.initial_gen {
            if self.gc_state != GcState::Undetermined {
                return Err("GCActive in the first generation isn't first GC event".into());
            }
            self.gc_seq = seq;
            self.gc_state = GcState::Running;
            self.push(t, cur, e);
            return Ok((cur, true));
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok((cur, false));
        }
        if self.gc_state != GcState::Running {
            return Err("encountered GCActive while GC was not in progress".into());
        }
        self.gc_seq = seq;
        validate(cur, USER_GO)?;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn gc_begin(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        let seq = e.args[0];
        if self.gc_state == GcState::Undetermined {
            self.gc_seq = seq;
            self.gc_state = GcState::Running;
            self.push(t, cur, e);
            return Ok((cur, true));
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok((cur, false));
        }
        if self.gc_state == GcState::Running {
            return Err("encountered GCBegin while GC was already in progress".into());
        }
        self.gc_seq = seq;
        self.gc_state = GcState::Running;
        validate(cur, USER_GO)?;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn gc_end(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        let seq = e.args[0];
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok((cur, false));
        }
        match self.gc_state {
            GcState::NotRunning => {
                return Err("encountered GCEnd when GC was not in progress".into());
            }
            GcState::Undetermined => {
                return Err("encountered GCEnd when GC was in an undetermined state".into());
            }
            GcState::Running => {}
        }
        self.gc_seq = seq;
        self.gc_state = GcState::NotRunning;
        validate(cur, USER_GO)?;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn annotation(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        validate(cur, USER_GO)?;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn heap_metric(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        validate(cur, (Need::Must, Need::Must, Need::May))?;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn gc_sweep_begin(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        validate(cur, (Need::Must, Need::Must, Need::May))?;
        let p = self
            .p
            .get_mut(&cur.p)
            .ok_or_else(|| format!("uninitialized proc {} found during GCSweepBegin", cur.p))?;
        p.ranges.begin(range_type(e.typ, 0))?;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn gc_sweep_active(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        cur: SchedCtx,
    ) -> Step {
        let pid = e.args[0] as i64;
        let initial = gen_no == self.initial_gen;
        let Some(p) = self.p.get_mut(&pid) else {
            return Err(format!("encountered GCSweepActive for unknown proc {pid}"));
        };
        p.ranges.active(range_type(e.typ, 0), initial)?;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn gc_sweep_end(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        validate(cur, (Need::Must, Need::Must, Need::May))?;
        let p = self
            .p
            .get_mut(&cur.p)
            .ok_or_else(|| format!("uninitialized proc {} found during GCSweepEnd", cur.p))?;
        p.ranges.end(e.typ)?;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn go_range_begin(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        validate(cur, USER_GO)?;
        let desc = if e.typ == ev::STW_BEGIN { e.args[0] } else { 0 };
        let Some(g) = self.g.get_mut(&cur.g) else {
            return Err(format!(
                "encountered event of type {} without known state for current goroutine {}",
                e.typ, cur.g
            ));
        };
        g.ranges.begin(range_type(e.typ, desc))?;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn go_range_active(
        &mut self,
        e: &mut BaseEvent,
        t: &Arc<Table<'_>>,
        gen_no: u64,
        cur: SchedCtx,
    ) -> Step {
        let gid = e.args[0] as i64;
        let initial = gen_no == self.initial_gen;
        let name = self.ev_name(e.typ);
        let Some(g) = self.g.get_mut(&gid) else {
            return Err(format!("uninitialized goroutine {gid} found during {name}"));
        };
        g.ranges.active(range_type(e.typ, 0), initial)?;
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn go_range_end(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        validate(cur, USER_GO)?;
        let Some(g) = self.g.get_mut(&cur.g) else {
            return Err(format!(
                "encountered event of type {} without known state for current goroutine {}",
                e.typ, cur.g
            ));
        };
        let desc = g.ranges.end(e.typ)?;
        if e.typ == ev::STW_END {
            e.args[0] = desc;
        }
        self.push(t, cur, e);
        Ok((cur, true))
    }

    fn alloc_free(&mut self, e: &mut BaseEvent, t: &Arc<Table<'_>>, cur: SchedCtx) -> Step {
        validate(cur, (Need::Must, Need::May, Need::May))?;
        self.push(t, cur, e);
        Ok((cur, true))
    }
}
