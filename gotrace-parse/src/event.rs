//! The ordered event model, as `golang.org/x/exp/trace`'s `Event` API reports it.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::spec::{self, ev, go_status, proc_status};
use crate::table::{ClockSnapshot, ExperimentalBatch, Frame, Table};

/// Goroutine ID; [`NO_GOROUTINE`] when an event has none.
pub type GoId = i64;
/// Proc (P) ID; [`NO_PROC`] when an event has none.
pub type ProcId = i64;
/// Thread (M) ID; [`NO_THREAD`] when an event has none.
pub type ThreadId = i64;
/// User task ID.
pub type TaskId = u64;

/// No goroutine.
pub const NO_GOROUTINE: GoId = -1;
/// No proc.
pub const NO_PROC: ProcId = -1;
/// No thread.
pub const NO_THREAD: ThreadId = -1;
/// No task (e.g. the parent of a top-level task).
pub const NO_TASK: TaskId = u64::MAX;
/// The implicit background task (ID 0).
pub const BACKGROUND_TASK: TaskId = 0;

/// Wire type used for the reader's synthetic `Sync` events.
pub(crate) const EV_SYNC: u8 = 255;

/// What kind of event this is (Go's `trace.EventKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum EventKind {
    /// Not a valid event.
    Bad,
    /// Start of a generation (and end of the trace).
    Sync,
    /// A runtime metric sample.
    Metric,
    /// A label applied to a goroutine.
    Label,
    /// A CPU profile sample.
    StackSample,
    /// Start of a range (GC, stop-the-world, sweep, mark assist).
    RangeBegin,
    /// A range that was already in progress when the generation began.
    RangeActive,
    /// End of a range.
    RangeEnd,
    /// Start of a user task.
    TaskBegin,
    /// End of a user task.
    TaskEnd,
    /// Start of a user region.
    RegionBegin,
    /// End of a user region.
    RegionEnd,
    /// A user log message.
    Log,
    /// A goroutine or proc changed state.
    StateTransition,
    /// An event of an experiment (e.g. AllocFree).
    Experimental,
}

impl EventKind {
    /// All kinds but `Bad`, in Go's order.
    pub const ALL: [EventKind; 14] = [
        EventKind::Sync,
        EventKind::Metric,
        EventKind::Label,
        EventKind::StackSample,
        EventKind::RangeBegin,
        EventKind::RangeActive,
        EventKind::RangeEnd,
        EventKind::TaskBegin,
        EventKind::TaskEnd,
        EventKind::RegionBegin,
        EventKind::RegionEnd,
        EventKind::Log,
        EventKind::StateTransition,
        EventKind::Experimental,
    ];

    /// Go's name for the kind (`"StateTransition"`).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Bad => "Bad",
            EventKind::Sync => "Sync",
            EventKind::Metric => "Metric",
            EventKind::Label => "Label",
            EventKind::StackSample => "StackSample",
            EventKind::RangeBegin => "RangeBegin",
            EventKind::RangeActive => "RangeActive",
            EventKind::RangeEnd => "RangeEnd",
            EventKind::TaskBegin => "TaskBegin",
            EventKind::TaskEnd => "TaskEnd",
            EventKind::RegionBegin => "RegionBegin",
            EventKind::RegionEnd => "RegionEnd",
            EventKind::Log => "Log",
            EventKind::StateTransition => "StateTransition",
            EventKind::Experimental => "Experimental",
        }
    }

    /// The kind of events of wire type `typ`.
    pub fn of_wire_type(typ: u8) -> EventKind {
        use EventKind::*;
        match typ {
            EV_SYNC => Sync,
            ev::CPU_SAMPLE => StackSample,
            ev::PROCS_CHANGE | ev::HEAP_ALLOC | ev::HEAP_GOAL => Metric,
            ev::PROC_START..=ev::GO_STATUS | ev::GO_SWITCH..=ev::GO_STATUS_STACK => StateTransition,
            ev::STW_BEGIN | ev::GC_BEGIN | ev::GC_SWEEP_BEGIN | ev::GC_MARK_ASSIST_BEGIN => {
                RangeBegin
            }
            ev::STW_END | ev::GC_END | ev::GC_SWEEP_END | ev::GC_MARK_ASSIST_END => RangeEnd,
            ev::GC_ACTIVE | ev::GC_SWEEP_ACTIVE | ev::GC_MARK_ASSIST_ACTIVE => RangeActive,
            ev::GO_LABEL => Label,
            ev::USER_TASK_BEGIN => TaskBegin,
            ev::USER_TASK_END => TaskEnd,
            ev::USER_REGION_BEGIN => RegionBegin,
            ev::USER_REGION_END => RegionEnd,
            ev::USER_LOG => Log,
            t if spec::is_experimental(t) => Experimental,
            _ => Bad,
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// State of a goroutine (Go's `trace.GoState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum GoState {
    /// Nothing is known yet.
    Undetermined,
    /// Does not exist.
    NotExist,
    /// Runnable, not running.
    Runnable,
    /// Running.
    Running,
    /// Waiting.
    Waiting,
    /// In a system call.
    Syscall,
}

impl GoState {
    /// Every state, in the order of the discriminants (`GoState::ALL[s as usize] == s`).
    ///
    /// ```
    /// use gotrace_parse::GoState;
    /// for (i, s) in GoState::ALL.iter().enumerate() {
    ///     assert_eq!(*s as usize, i);
    /// }
    /// assert_eq!(GoState::ALL[2].name(), "Runnable");
    /// ```
    pub const ALL: [GoState; 6] = [
        GoState::Undetermined,
        GoState::NotExist,
        GoState::Runnable,
        GoState::Running,
        GoState::Waiting,
        GoState::Syscall,
    ];

    fn from_u64(v: u64) -> GoState {
        match v {
            1 => GoState::NotExist,
            2 => GoState::Runnable,
            3 => GoState::Running,
            4 => GoState::Waiting,
            5 => GoState::Syscall,
            _ => GoState::Undetermined,
        }
    }

    pub(crate) fn from_wire(status: u64) -> GoState {
        match status {
            go_status::RUNNABLE => GoState::Runnable,
            go_status::RUNNING => GoState::Running,
            go_status::SYSCALL => GoState::Syscall,
            go_status::WAITING => GoState::Waiting,
            _ => GoState::Undetermined,
        }
    }

    /// Go's name (`"Runnable"`).
    pub fn name(self) -> &'static str {
        match self {
            GoState::Undetermined => "Undetermined",
            GoState::NotExist => "NotExist",
            GoState::Runnable => "Runnable",
            GoState::Running => "Running",
            GoState::Waiting => "Waiting",
            GoState::Syscall => "Syscall",
        }
    }

    /// Whether the goroutine holds a thread in this state (running or in a syscall).
    pub fn executing(self) -> bool {
        matches!(self, GoState::Running | GoState::Syscall)
    }
}

/// State of a proc (Go's `trace.ProcState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ProcState {
    /// Nothing is known yet.
    Undetermined,
    /// Does not exist.
    NotExist,
    /// Running.
    Running,
    /// Idle.
    Idle,
}

impl ProcState {
    /// Every state, in the order of the discriminants (`ProcState::ALL[s as usize] == s`).
    ///
    /// ```
    /// use gotrace_parse::ProcState;
    /// for (i, s) in ProcState::ALL.iter().enumerate() {
    ///     assert_eq!(*s as usize, i);
    /// }
    /// assert_eq!(ProcState::ALL[3].name(), "Idle");
    /// ```
    pub const ALL: [ProcState; 4] = [
        ProcState::Undetermined,
        ProcState::NotExist,
        ProcState::Running,
        ProcState::Idle,
    ];

    fn from_u64(v: u64) -> ProcState {
        match v {
            1 => ProcState::NotExist,
            2 => ProcState::Running,
            3 => ProcState::Idle,
            _ => ProcState::Undetermined,
        }
    }

    pub(crate) fn from_wire(status: u64) -> ProcState {
        match status {
            proc_status::RUNNING | proc_status::SYSCALL => ProcState::Running,
            proc_status::IDLE | proc_status::SYSCALL_ABANDONED => ProcState::Idle,
            _ => ProcState::Undetermined,
        }
    }

    /// Go's name (`"Idle"`).
    pub fn name(self) -> &'static str {
        match self {
            ProcState::Undetermined => "Undetermined",
            ProcState::NotExist => "NotExist",
            ProcState::Running => "Running",
            ProcState::Idle => "Idle",
        }
    }
}

/// What kind of resource a [`ResourceId`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// No resource (e.g. the GC's global range).
    None,
    /// A goroutine.
    Goroutine,
    /// A proc.
    Proc,
    /// A thread.
    Thread,
}

impl ResourceKind {
    /// Go's name (`"Goroutine"`).
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::None => "None",
            ResourceKind::Goroutine => "Goroutine",
            ResourceKind::Proc => "Proc",
            ResourceKind::Thread => "Thread",
        }
    }
}

/// A goroutine, proc or thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResourceId {
    /// Which kind.
    pub kind: ResourceKind,
    /// Its ID (0 for `None`).
    pub id: i64,
}

impl fmt::Display for ResourceId {
    /// As Go prints it: `Goroutine(5)`, `Proc(0)`, `None`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ResourceKind::None => f.write_str("None"),
            k => write!(f, "{}({})", k.name(), self.id),
        }
    }
}

/// Details of a `Metric` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// runtime/metrics name, e.g. `/sched/gomaxprocs:threads`.
    pub name: &'static str,
    /// Value.
    pub value: u64,
}

/// Details of a `Label` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label<'a> {
    /// The label.
    pub label: Cow<'a, str>,
    /// The goroutine it applies to.
    pub resource: ResourceId,
}

/// Details of a range event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range<'a> {
    /// e.g. `GC concurrent mark phase`, `stop-the-world (GC mark termination)`.
    pub name: Cow<'a, str>,
    /// What the range belongs to.
    pub scope: ResourceId,
}

/// A named value attached to the end of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeAttribute {
    /// `bytes swept` or `bytes reclaimed`.
    pub name: &'static str,
    /// Value.
    pub value: u64,
}

/// Details of a task event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task<'a> {
    /// Task ID.
    pub id: TaskId,
    /// Parent task ([`NO_TASK`] if none or unknown).
    pub parent: TaskId,
    /// Task type given to `trace.NewTask` (empty on a `TaskEnd` whose begin was not seen).
    pub task_type: Cow<'a, str>,
}

/// Details of a region event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region<'a> {
    /// Task the region belongs to.
    pub task: TaskId,
    /// Region type.
    pub region_type: Cow<'a, str>,
}

/// Details of a log event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log<'a> {
    /// Task.
    pub task: TaskId,
    /// Category (key).
    pub category: Cow<'a, str>,
    /// Message.
    pub message: Cow<'a, str>,
}

/// Old and new state of a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// A goroutine's.
    Goroutine(GoState, GoState),
    /// A proc's.
    Proc(ProcState, ProcState),
}

impl Transition {
    /// `"Running->Waiting"`.
    pub fn label(&self) -> String {
        match self {
            Transition::Goroutine(a, b) => format!("{}->{}", a.name(), b.name()),
            Transition::Proc(a, b) => format!("{}->{}", a.name(), b.name()),
        }
    }
}

/// A stack in a generation's table.
#[derive(Clone, Copy)]
pub struct Stack<'e, 'a> {
    table: &'e Table<'a>,
    /// Stack ID in its generation (0 = no stack).
    pub id: u64,
}

impl fmt::Debug for Stack<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stack").field("id", &self.id).finish()
    }
}

impl<'e, 'a> Stack<'e, 'a> {
    /// Frames, innermost first.
    pub fn frames(&self) -> impl Iterator<Item = Frame<'e>> + 'e {
        self.table.stack_frames(self.id)
    }
}

/// Details of a `StateTransition` event.
#[derive(Debug, Clone)]
pub struct StateTransition<'e, 'a> {
    /// The goroutine or proc that changed state.
    pub resource: ResourceId,
    /// From and to.
    pub transition: Transition,
    /// Why (for goroutines that stop or block), e.g. `chan receive`.
    pub reason: Cow<'e, str>,
    /// Stack of the resource making the transition (for `GoCreate`: the new goroutine's).
    pub stack: Option<Stack<'e, 'a>>,
}

/// Details of a `Sync` event.
#[derive(Debug, Clone)]
pub struct Sync<'e> {
    /// 1 for the first Sync, then counting up.
    pub n: u64,
    /// Clock snapshot of the generation that begins (Go 1.25+).
    pub clock_snapshot: Option<ClockSnapshot>,
    /// Experimental batches of the generation that begins.
    pub experimental_batches: Vec<ExperimentalBatch<'e>>,
}

/// Details of an `Experimental` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Experimental<'e> {
    /// Event name, e.g. `HeapObjectAlloc`.
    pub name: &'static str,
    /// Experiment name, e.g. `AllocFree`.
    pub experiment: &'static str,
    /// Argument names.
    pub arg_names: &'static [&'static str],
    /// Argument values.
    pub args: &'e [u64],
}

/// Scheduling context of an event: the goroutine, proc and thread it happened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct SchedCtx {
    pub(crate) g: GoId,
    pub(crate) p: ProcId,
    pub(crate) m: ThreadId,
}

impl SchedCtx {
    pub(crate) const NONE: SchedCtx = SchedCtx {
        g: NO_GOROUTINE,
        p: NO_PROC,
        m: NO_THREAD,
    };
}

/// One event of the ordered stream.
///
/// ```
/// use gotrace_parse::{EventKind, Reader};
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let mut tasks = Vec::new();
/// for ev in Reader::new(&data).unwrap() {
///     let ev = ev.unwrap();
///     if ev.kind() == EventKind::TaskBegin {
///         tasks.push(ev.task().unwrap().task_type.into_owned());
///     }
/// }
/// assert!(!tasks.is_empty());
/// ```
#[derive(Clone)]
pub struct Event<'a> {
    /// The generation's tables, held only by events that refer to them (a stack or a
    /// string argument, a CPU sample's stack, a `STWEnd`'s reason, a `Sync`'s clock and
    /// batches): a reference
    /// count per event would cost as much as ordering it.
    pub(crate) table: Option<Arc<Table<'a>>>,
    /// Generation the event belongs to (0 for the final `Sync`).
    pub(crate) generation: u64,
    pub(crate) ctx: SchedCtx,
    /// Wire type, widened so that the struct has no padding (moving an `Event` copies
    /// whole words instead of stitching padding bytes, which stalls store forwarding).
    pub(crate) typ_w: u64,
    pub(crate) time: i64,
    pub(crate) args: [u64; 4],
    /// Type of the task a `UserTaskEnd` ends (remembered from its begin).
    pub(crate) task_type: Option<Arc<[u8]>>,
}

impl fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("kind", &self.kind())
            .field("wire", &self.wire_name())
            .field("time", &self.time)
            .field("g", &self.ctx.g)
            .field("p", &self.ctx.p)
            .field("m", &self.ctx.m)
            .field("args", &self.args)
            .finish()
    }
}

fn text(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}

impl<'a> Event<'a> {
    /// An event of `table`'s generation, holding the table if it refers to it.
    pub(crate) fn new(
        table: &Arc<Table<'a>>,
        ctx: SchedCtx,
        typ: u8,
        time: i64,
        args: [u64; 4],
    ) -> Event<'a> {
        let mut e = Event::bare(table.generation, ctx, typ, time, args);
        if e.refers_to_table() {
            e.table = Some(table.clone());
        }
        e
    }

    /// An event without its table: the reader attaches (or lends) it when the event is
    /// handed out.
    #[inline]
    pub(crate) fn bare(
        generation: u64,
        ctx: SchedCtx,
        typ: u8,
        time: i64,
        args: [u64; 4],
    ) -> Event<'a> {
        Event {
            table: None,
            generation,
            ctx,
            typ_w: typ as u64,
            time,
            args,
            task_type: None,
        }
    }

    /// Whether the event's accessors need its generation's tables (a `Sync` gets them
    /// when it is made).
    #[inline]
    pub(crate) fn refers_to_table(&self) -> bool {
        self.typ() != EV_SYNC && spec::META[self.typ() as usize] & spec::META_REFS != 0
    }

    pub(crate) fn sync(table: Option<Arc<Table<'a>>>, time: i64, n: u64) -> Event<'a> {
        Event {
            generation: table.as_ref().map_or(0, |t| t.generation),
            table,
            ctx: SchedCtx::NONE,
            typ_w: EV_SYNC as u64,
            time,
            args: [n, 0, 0, 0],
            task_type: None,
        }
    }

    #[inline]
    pub(crate) fn typ(&self) -> u8 {
        self.typ_w as u8
    }

    /// The kind.
    #[inline]
    pub fn kind(&self) -> EventKind {
        EventKind::of_wire_type(self.typ())
    }

    /// Timestamp in nanoseconds (Go's `Event.Time()`).
    #[inline]
    pub fn time(&self) -> i64 {
        self.time
    }

    /// Goroutine the event happened on, or [`NO_GOROUTINE`].
    #[inline]
    pub fn goroutine(&self) -> GoId {
        self.ctx.g
    }

    /// Proc, or [`NO_PROC`].
    #[inline]
    pub fn proc(&self) -> ProcId {
        self.ctx.p
    }

    /// Thread, or [`NO_THREAD`].
    #[inline]
    pub fn thread(&self) -> ThreadId {
        self.ctx.m
    }

    /// The wire event type this event came from (255 for the reader's `Sync` events).
    #[inline]
    pub fn wire_type(&self) -> u8 {
        self.typ()
    }

    /// Name of the wire event type (`"GoBlock"`; `"Sync"` for Sync events).
    pub fn wire_name(&self) -> &'static str {
        if self.typ() == EV_SYNC {
            "Sync"
        } else {
            spec::spec(self.typ()).name
        }
    }

    /// Raw arguments after the timestamp, as the ordering left them.
    pub fn raw_args(&self) -> &[u64; 4] {
        &self.args
    }

    /// The generation's string and stack tables, for the events that refer to them: those
    /// with a stack or string argument (see [`spec::EventSpec`]), CPU samples, `STWEnd`
    /// (its begin's reason), and every
    /// `Sync` but the final one. `None` for the others; [`Event::generation`] says which
    /// generation any event belongs to.
    pub fn table(&self) -> Option<&Table<'a>> {
        self.table.as_deref()
    }

    /// The generation the event belongs to (0 for the final `Sync`, which follows the last
    /// one). v1 traces are one generation.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn string(&self, id: u64) -> Cow<'_, str> {
        match &self.table {
            Some(t) => text(t.string_or_empty(id)),
            None => Cow::Borrowed(""),
        }
    }

    fn stack_of(&self, id: u64) -> Option<Stack<'_, 'a>> {
        if id == 0 {
            return None;
        }
        self.table.as_deref().map(|table| Stack { table, id })
    }

    /// Stack ID of the event's own stack (0 = none).
    pub fn stack_id(&self) -> u64 {
        if self.typ() == EV_SYNC {
            return 0;
        }
        if self.typ() == ev::CPU_SAMPLE {
            return self.args[0];
        }
        match spec::spec(self.typ()).stack_ids.first() {
            Some(&i) => self.args[i as usize - 1],
            None => 0,
        }
    }

    /// The event's stack (Go's `Event.Stack()`), if it has one.
    pub fn stack(&self) -> Option<Stack<'_, 'a>> {
        self.stack_of(self.stack_id())
    }

    /// Details of a `Metric` event.
    pub fn metric(&self) -> Option<Metric> {
        let name = match self.typ() {
            ev::PROCS_CHANGE => "/sched/gomaxprocs:threads",
            ev::HEAP_ALLOC => "/memory/classes/heap/objects:bytes",
            ev::HEAP_GOAL => "/gc/heap/goal:bytes",
            _ => return None,
        };
        Some(Metric {
            name,
            value: self.args[0],
        })
    }

    /// Details of a `Label` event.
    pub fn label(&self) -> Option<Label<'_>> {
        (self.typ() == ev::GO_LABEL).then(|| Label {
            label: self.string(self.args[0]),
            resource: ResourceId {
                kind: ResourceKind::Goroutine,
                id: self.ctx.g,
            },
        })
    }

    /// Details of a range event.
    pub fn range(&self) -> Option<Range<'_>> {
        let (name, scope): (Cow<'_, str>, ResourceId) = match self.typ() {
            ev::STW_BEGIN | ev::STW_END => (
                Cow::Owned(format!("stop-the-world ({})", self.string(self.args[0]))),
                ResourceId {
                    kind: ResourceKind::Goroutine,
                    id: self.ctx.g,
                },
            ),
            ev::GC_BEGIN | ev::GC_ACTIVE | ev::GC_END => (
                Cow::Borrowed("GC concurrent mark phase"),
                ResourceId {
                    kind: ResourceKind::None,
                    id: 0,
                },
            ),
            ev::GC_SWEEP_BEGIN | ev::GC_SWEEP_ACTIVE | ev::GC_SWEEP_END => {
                let id = if self.typ() == ev::GC_SWEEP_ACTIVE {
                    self.args[0] as i64
                } else {
                    self.ctx.p
                };
                (
                    Cow::Borrowed("GC incremental sweep"),
                    ResourceId {
                        kind: ResourceKind::Proc,
                        id,
                    },
                )
            }
            ev::GC_MARK_ASSIST_BEGIN | ev::GC_MARK_ASSIST_ACTIVE | ev::GC_MARK_ASSIST_END => {
                let id = if self.typ() == ev::GC_MARK_ASSIST_ACTIVE {
                    self.args[0] as i64
                } else {
                    self.ctx.g
                };
                (
                    Cow::Borrowed("GC mark assist"),
                    ResourceId {
                        kind: ResourceKind::Goroutine,
                        id,
                    },
                )
            }
            _ => return None,
        };
        Some(Range { name, scope })
    }

    /// Attributes of a `RangeEnd` (bytes swept and reclaimed for sweeps; empty otherwise).
    pub fn range_attributes(&self) -> Vec<RangeAttribute> {
        if self.typ() != ev::GC_SWEEP_END {
            return Vec::new();
        }
        vec![
            RangeAttribute {
                name: "bytes swept",
                value: self.args[0],
            },
            RangeAttribute {
                name: "bytes reclaimed",
                value: self.args[1],
            },
        ]
    }

    /// Details of a task event.
    pub fn task(&self) -> Option<Task<'_>> {
        match self.typ() {
            ev::USER_TASK_BEGIN => Some(Task {
                id: self.args[0],
                parent: self.args[1],
                task_type: self.string(self.args[2]),
            }),
            ev::USER_TASK_END => Some(Task {
                id: self.args[0],
                parent: self.args[2],
                task_type: text(self.task_type.as_deref().unwrap_or(b"")),
            }),
            _ => None,
        }
    }

    /// Details of a region event.
    pub fn region(&self) -> Option<Region<'_>> {
        matches!(self.typ(), ev::USER_REGION_BEGIN | ev::USER_REGION_END).then(|| Region {
            task: self.args[0],
            region_type: self.string(self.args[1]),
        })
    }

    /// Details of a log event.
    pub fn log(&self) -> Option<Log<'_>> {
        (self.typ() == ev::USER_LOG).then(|| Log {
            task: self.args[0],
            category: self.string(self.args[1]),
            message: self.string(self.args[2]),
        })
    }

    /// ID, in [`Event::table`]'s strings, of the text that names the event: the reason of
    /// a stop-the-world range (whose [`Range::name`] is `stop-the-world (REASON)`), the type
    /// of a `TaskBegin` ([`Task::task_type`]) and of a region event, the category of a
    /// `Log`, the label of a `Label`. `None` for the other events, whose names (if any)
    /// depend on [`Event::wire_type`] alone.
    ///
    /// Strings are numbered per generation: with [`Event::generation`], a consumer can
    /// resolve each distinct ID once per generation instead of a string per event. An ID
    /// missing from the table is the empty string, as in the accessors.
    ///
    /// ```
    /// use gotrace_parse::Reader;
    /// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
    /// let mut logs = 0;
    /// Reader::new(&data).unwrap().visit(|ev| {
    ///     if let (Some(log), Some(id)) = (ev.log(), ev.name_string_id()) {
    ///         let text = ev.table().and_then(|t| t.string(id)).unwrap_or(b"");
    ///         assert_eq!(log.category, String::from_utf8_lossy(text));
    ///         logs += 1;
    ///     }
    /// }).unwrap();
    /// assert!(logs > 0);
    /// ```
    pub fn name_string_id(&self) -> Option<u64> {
        let a = &self.args;
        match self.typ() {
            ev::STW_BEGIN | ev::STW_END | ev::GO_LABEL => Some(a[0]),
            ev::USER_TASK_BEGIN => Some(a[2]),
            ev::USER_REGION_BEGIN | ev::USER_REGION_END | ev::USER_LOG => Some(a[1]),
            _ => None,
        }
    }

    /// The resource and its old and new state, for a `StateTransition` event: what
    /// [`Event::state_transition`] reports without the reason and the stack, so without
    /// looking up a string or a stack.
    ///
    /// ```
    /// use gotrace_parse::Reader;
    /// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
    /// let mut n = 0;
    /// Reader::new(&data).unwrap().visit(|ev| {
    ///     let st = ev.state_transition();
    ///     assert_eq!(ev.transition(), st.map(|st| (st.resource, st.transition)));
    ///     n += ev.transition().is_some() as u64;
    /// }).unwrap();
    /// assert!(n > 0);
    /// ```
    #[inline]
    pub fn transition(&self) -> Option<(ResourceId, Transition)> {
        use GoState as G;
        use ProcState as P;
        let go = |id: i64, a, b| {
            (
                ResourceId {
                    kind: ResourceKind::Goroutine,
                    id,
                },
                Transition::Goroutine(a, b),
            )
        };
        let pr = |id: i64, a, b| {
            (
                ResourceId {
                    kind: ResourceKind::Proc,
                    id,
                },
                Transition::Proc(a, b),
            )
        };
        let a = &self.args;
        Some(match self.typ() {
            ev::PROC_START => pr(a[0] as i64, P::Idle, P::Running),
            ev::PROC_STOP => pr(self.ctx.p, P::Running, P::Idle),
            ev::PROC_STEAL => {
                let before = if a[3] == proc_status::SYSCALL_ABANDONED {
                    P::Idle
                } else {
                    P::Running
                };
                pr(a[0] as i64, before, P::Idle)
            }
            ev::PROC_STATUS => pr(a[0] as i64, P::from_u64(a[2]), P::from_wire(a[1])),
            ev::GO_CREATE => go(a[0] as i64, G::NotExist, G::Runnable),
            ev::GO_CREATE_BLOCKED => go(a[0] as i64, G::NotExist, G::Waiting),
            ev::GO_CREATE_SYSCALL => go(a[0] as i64, G::NotExist, G::Syscall),
            ev::GO_START => go(a[0] as i64, G::Runnable, G::Running),
            ev::GO_DESTROY => go(self.ctx.g, G::Running, G::NotExist),
            ev::GO_DESTROY_SYSCALL => go(self.ctx.g, G::Syscall, G::NotExist),
            ev::GO_STOP => go(self.ctx.g, G::Running, G::Runnable),
            ev::GO_BLOCK => go(self.ctx.g, G::Running, G::Waiting),
            ev::GO_UNBLOCK | ev::GO_SWITCH | ev::GO_SWITCH_DESTROY => {
                go(a[0] as i64, G::Waiting, G::Runnable)
            }
            ev::GO_SYSCALL_BEGIN => go(self.ctx.g, G::Running, G::Syscall),
            ev::GO_SYSCALL_END => go(self.ctx.g, G::Syscall, G::Running),
            ev::GO_SYSCALL_END_BLOCKED => go(self.ctx.g, G::Syscall, G::Runnable),
            ev::GO_STATUS | ev::GO_STATUS_STACK => {
                let (from, to) = (a[2] >> 32, a[2] & 0xffff_ffff);
                go(a[0] as i64, G::from_u64(from), G::from_wire(to))
            }
            _ => return None,
        })
    }

    /// Details of a `StateTransition` event.
    pub fn state_transition(&self) -> Option<StateTransition<'_, 'a>> {
        let (resource, transition) = self.transition()?;
        let (reason, stack) = match self.typ() {
            ev::GO_CREATE | ev::GO_CREATE_BLOCKED => {
                (Cow::Borrowed(""), self.stack_of(self.args[1]))
            }
            ev::GO_STOP | ev::GO_BLOCK => (self.string(self.args[0]), self.stack()),
            ev::GO_SYSCALL_BEGIN | ev::GO_STATUS | ev::GO_STATUS_STACK => {
                (Cow::Borrowed(""), self.stack())
            }
            _ => (Cow::Borrowed(""), None),
        };
        Some(StateTransition {
            resource,
            transition,
            reason,
            stack,
        })
    }

    /// Details of a `Sync` event.
    pub fn sync_info(&self) -> Option<Sync<'_>> {
        if self.typ() != EV_SYNC {
            return None;
        }
        let (clock_snapshot, experimental_batches) = match self.table.as_deref() {
            Some(t) => (t.clock_snapshot(), t.experimental_batches().collect()),
            None => (None, Vec::new()),
        };
        Some(Sync {
            n: self.args[0],
            clock_snapshot,
            experimental_batches,
        })
    }

    /// Details of an `Experimental` event.
    pub fn experimental(&self) -> Option<Experimental<'_>> {
        if !spec::is_experimental(self.typ()) {
            return None;
        }
        let sp = spec::spec(self.typ());
        let names = &sp.args[1..];
        Some(Experimental {
            name: sp.name,
            experiment: spec::EXPERIMENTS
                .get(sp.experiment as usize)
                .copied()
                .unwrap_or("Unknown"),
            arg_names: names,
            args: &self.args[..names.len().min(4)],
        })
    }
}
