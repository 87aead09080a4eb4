//! The v2 wire format's event types and their argument layouts (Go 1.22–1.26 headers).
//!
//! One table, indexed by the event-type byte, says for every event how many arguments it
//! has, which of them are string or stack IDs, whether it starts with a timestamp delta,
//! which event begins the range it ends, and which experiment it belongs to.

/// An event-type byte of the v2 wire format.
pub type EventType = u8;

/// Constants for every v2 event type, named as in the Go runtime (`EvGoStart` → [`ev::GO_START`]).
pub mod ev {
    use super::EventType;
    /// Unused.
    pub const NONE: EventType = 0;
    /// Start of a per-M batch of events.
    pub const EVENT_BATCH: EventType = 1;
    /// Start of a section of the stack table.
    pub const STACKS: EventType = 2;
    /// Stack table entry.
    pub const STACK: EventType = 3;
    /// Start of a section of the string table.
    pub const STRINGS: EventType = 4;
    /// String table entry.
    pub const STRING: EventType = 5;
    /// Start of a section of CPU samples.
    pub const CPU_SAMPLES: EventType = 6;
    /// CPU profiling sample.
    pub const CPU_SAMPLE: EventType = 7;
    /// Timestamp units per second.
    pub const FREQUENCY: EventType = 8;
    /// GOMAXPROCS changed.
    pub const PROCS_CHANGE: EventType = 9;
    /// A P starts running.
    pub const PROC_START: EventType = 10;
    /// A P stops.
    pub const PROC_STOP: EventType = 11;
    /// A P was stolen.
    pub const PROC_STEAL: EventType = 12;
    /// P status at the start of a generation.
    pub const PROC_STATUS: EventType = 13;
    /// Goroutine creation.
    pub const GO_CREATE: EventType = 14;
    /// Goroutine appears in a syscall (cgo callback).
    pub const GO_CREATE_SYSCALL: EventType = 15;
    /// Goroutine starts running.
    pub const GO_START: EventType = 16;
    /// Goroutine ends.
    pub const GO_DESTROY: EventType = 17;
    /// Goroutine ends in a syscall (cgo callback).
    pub const GO_DESTROY_SYSCALL: EventType = 18;
    /// Goroutine yields but stays runnable.
    pub const GO_STOP: EventType = 19;
    /// Goroutine blocks.
    pub const GO_BLOCK: EventType = 20;
    /// Goroutine is unblocked.
    pub const GO_UNBLOCK: EventType = 21;
    /// Syscall enter.
    pub const GO_SYSCALL_BEGIN: EventType = 22;
    /// Syscall exit.
    pub const GO_SYSCALL_END: EventType = 23;
    /// Syscall exit after the syscall blocked.
    pub const GO_SYSCALL_END_BLOCKED: EventType = 24;
    /// Goroutine status at the start of a generation.
    pub const GO_STATUS: EventType = 25;
    /// Stop-the-world begins.
    pub const STW_BEGIN: EventType = 26;
    /// Stop-the-world ends.
    pub const STW_END: EventType = 27;
    /// GC is active at the start of a generation.
    pub const GC_ACTIVE: EventType = 28;
    /// GC starts.
    pub const GC_BEGIN: EventType = 29;
    /// GC ends.
    pub const GC_END: EventType = 30;
    /// Sweep is active at the start of a generation.
    pub const GC_SWEEP_ACTIVE: EventType = 31;
    /// Sweep starts.
    pub const GC_SWEEP_BEGIN: EventType = 32;
    /// Sweep ends.
    pub const GC_SWEEP_END: EventType = 33;
    /// Mark assist is active at the start of a generation.
    pub const GC_MARK_ASSIST_ACTIVE: EventType = 34;
    /// Mark assist starts.
    pub const GC_MARK_ASSIST_BEGIN: EventType = 35;
    /// Mark assist ends.
    pub const GC_MARK_ASSIST_END: EventType = 36;
    /// Live heap changed.
    pub const HEAP_ALLOC: EventType = 37;
    /// Heap goal changed.
    pub const HEAP_GOAL: EventType = 38;
    /// Label applied to the running goroutine.
    pub const GO_LABEL: EventType = 39;
    /// `trace.NewTask`.
    pub const USER_TASK_BEGIN: EventType = 40;
    /// End of a task.
    pub const USER_TASK_END: EventType = 41;
    /// Region start.
    pub const USER_REGION_BEGIN: EventType = 42;
    /// Region end.
    pub const USER_REGION_END: EventType = 43;
    /// `trace.Log`.
    pub const USER_LOG: EventType = 44;
    /// Goroutine switch (coroswitch), Go 1.23+.
    pub const GO_SWITCH: EventType = 45;
    /// Goroutine switch and destroy, Go 1.23+.
    pub const GO_SWITCH_DESTROY: EventType = 46;
    /// Goroutine created blocked, Go 1.23+.
    pub const GO_CREATE_BLOCKED: EventType = 47;
    /// Goroutine status with a stack, Go 1.23+.
    pub const GO_STATUS_STACK: EventType = 48;
    /// Start of an experimental batch, Go 1.23+.
    pub const EXPERIMENTAL_BATCH: EventType = 49;
    /// Start of a sync batch, Go 1.25+.
    pub const SYNC: EventType = 50;
    /// Snapshot of the trace, monotonic and wall clocks, Go 1.25+.
    pub const CLOCK_SNAPSHOT: EventType = 51;
    /// End of a generation, Go 1.26+.
    pub const END_OF_GENERATION: EventType = 52;
    /// Last non-experimental event type; experimental types follow it.
    pub const MAX_EVENT: EventType = 127;
    /// Heap span exists (AllocFree experiment).
    pub const SPAN: EventType = 128;
    /// Heap span allocated (AllocFree experiment).
    pub const SPAN_ALLOC: EventType = 129;
    /// Heap span freed (AllocFree experiment).
    pub const SPAN_FREE: EventType = 130;
    /// Heap object exists (AllocFree experiment).
    pub const HEAP_OBJECT: EventType = 131;
    /// Heap object allocated (AllocFree experiment).
    pub const HEAP_OBJECT_ALLOC: EventType = 132;
    /// Heap object freed (AllocFree experiment).
    pub const HEAP_OBJECT_FREE: EventType = 133;
    /// Goroutine stack exists (AllocFree experiment).
    pub const GOROUTINE_STACK: EventType = 134;
    /// Goroutine stack allocated (AllocFree experiment).
    pub const GOROUTINE_STACK_ALLOC: EventType = 135;
    /// Goroutine stack freed (AllocFree experiment).
    pub const GOROUTINE_STACK_FREE: EventType = 136;
}

/// Names of the experiments that may own experimental batches and events, by ID.
pub const EXPERIMENTS: [&str; 2] = ["None", "AllocFree"];

/// Layout of one event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSpec {
    /// Name as in the Go runtime, without the `Ev` prefix (`"GoStart"`); empty for unused types.
    pub name: &'static str,
    /// Argument names; for timed events the first is the timestamp delta `"dt"`.
    pub args: &'static [&'static str],
    /// 1-based positions in `args` that are string IDs.
    pub string_ids: &'static [u8],
    /// 1-based positions in `args` that are stack IDs (the event's own stack first).
    pub stack_ids: &'static [u8],
    /// For an event that ends or continues a range, the event type that begins it (else 0).
    pub start_ev: EventType,
    /// Whether the first argument is a timestamp delta.
    pub timed: bool,
    /// Whether a length-prefixed byte string follows the arguments.
    pub has_data: bool,
    /// Whether this is a stack-table entry (variable number of frames follows).
    pub is_stack: bool,
    /// Experiment ID (0 = not experimental).
    pub experiment: u8,
}

const EMPTY: EventSpec = EventSpec {
    name: "",
    args: &[],
    string_ids: &[],
    stack_ids: &[],
    start_ev: 0,
    timed: false,
    has_data: false,
    is_stack: false,
    experiment: 0,
};

const fn timed(name: &'static str, args: &'static [&'static str]) -> EventSpec {
    EventSpec {
        name,
        args,
        timed: true,
        ..EMPTY
    }
}

const fn with_ids(mut s: EventSpec, strings: &'static [u8], stacks: &'static [u8]) -> EventSpec {
    s.string_ids = strings;
    s.stack_ids = stacks;
    s
}

const fn ends(mut s: EventSpec, start: EventType) -> EventSpec {
    s.start_ev = start;
    s
}

const fn experimental(mut s: EventSpec) -> EventSpec {
    s.experiment = 1;
    s
}

/// The most arguments a timed event has, including the timestamp.
pub const MAX_TIMED_ARGS: usize = 5;
/// Largest batch payload the runtime writes (and the reader accepts).
pub const MAX_BATCH_SIZE: u64 = 64 << 10;
/// Largest number of frames in one stack-table entry.
pub const MAX_FRAMES_PER_STACK: u64 = 128;
/// Largest string-table entry.
pub const MAX_STRING_SIZE: u64 = 1 << 10;

static SPECS: [EventSpec; 256] = {
    use ev::*;
    let mut t = [EMPTY; 256];
    t[EVENT_BATCH as usize] = EventSpec {
        name: "EventBatch",
        args: &["gen", "m", "time", "size"],
        ..EMPTY
    };
    t[STACKS as usize] = EventSpec {
        name: "Stacks",
        ..EMPTY
    };
    t[STACK as usize] = EventSpec {
        name: "Stack",
        args: &["id", "nframes"],
        is_stack: true,
        ..EMPTY
    };
    t[STRINGS as usize] = EventSpec {
        name: "Strings",
        ..EMPTY
    };
    t[STRING as usize] = EventSpec {
        name: "String",
        args: &["id"],
        has_data: true,
        ..EMPTY
    };
    t[CPU_SAMPLES as usize] = EventSpec {
        name: "CPUSamples",
        ..EMPTY
    };
    t[CPU_SAMPLE as usize] = EventSpec {
        name: "CPUSample",
        args: &["time", "m", "p", "g", "stack"],
        stack_ids: &[4],
        ..EMPTY
    };
    t[FREQUENCY as usize] = EventSpec {
        name: "Frequency",
        args: &["freq"],
        ..EMPTY
    };
    t[EXPERIMENTAL_BATCH as usize] = EventSpec {
        name: "ExperimentalBatch",
        args: &["exp", "gen", "m", "time"],
        has_data: true,
        ..EMPTY
    };
    t[SYNC as usize] = EventSpec {
        name: "Sync",
        ..EMPTY
    };
    t[END_OF_GENERATION as usize] = EventSpec {
        name: "EndOfGeneration",
        ..EMPTY
    };

    t[PROCS_CHANGE as usize] = with_ids(
        timed("ProcsChange", &["dt", "procs_value", "stack"]),
        &[],
        &[2],
    );
    t[PROC_START as usize] = timed("ProcStart", &["dt", "p", "p_seq"]);
    t[PROC_STOP as usize] = timed("ProcStop", &["dt"]);
    t[PROC_STEAL as usize] = timed("ProcSteal", &["dt", "p", "p_seq", "m"]);
    t[PROC_STATUS as usize] = timed("ProcStatus", &["dt", "p", "pstatus"]);
    t[GO_CREATE as usize] = with_ids(
        timed("GoCreate", &["dt", "new_g", "new_stack", "stack"]),
        &[],
        &[3, 2],
    );
    t[GO_CREATE_SYSCALL as usize] = timed("GoCreateSyscall", &["dt", "new_g"]);
    t[GO_START as usize] = timed("GoStart", &["dt", "g", "g_seq"]);
    t[GO_DESTROY as usize] = timed("GoDestroy", &["dt"]);
    t[GO_DESTROY_SYSCALL as usize] = timed("GoDestroySyscall", &["dt"]);
    t[GO_STOP as usize] = with_ids(
        timed("GoStop", &["dt", "reason_string", "stack"]),
        &[1],
        &[2],
    );
    t[GO_BLOCK as usize] = with_ids(
        timed("GoBlock", &["dt", "reason_string", "stack"]),
        &[1],
        &[2],
    );
    t[GO_UNBLOCK as usize] = with_ids(
        timed("GoUnblock", &["dt", "g", "g_seq", "stack"]),
        &[],
        &[3],
    );
    t[GO_SYSCALL_BEGIN as usize] = with_ids(
        timed("GoSyscallBegin", &["dt", "p_seq", "stack"]),
        &[],
        &[2],
    );
    t[GO_SYSCALL_END as usize] = ends(timed("GoSyscallEnd", &["dt"]), GO_SYSCALL_BEGIN);
    t[GO_SYSCALL_END_BLOCKED as usize] =
        ends(timed("GoSyscallEndBlocked", &["dt"]), GO_SYSCALL_BEGIN);
    t[GO_STATUS as usize] = timed("GoStatus", &["dt", "g", "m", "gstatus"]);
    t[STW_BEGIN as usize] = with_ids(
        timed("STWBegin", &["dt", "kind_string", "stack"]),
        &[1],
        &[2],
    );
    t[STW_END as usize] = ends(timed("STWEnd", &["dt"]), STW_BEGIN);
    t[GC_ACTIVE as usize] = ends(timed("GCActive", &["dt", "gc_seq"]), GC_BEGIN);
    t[GC_BEGIN as usize] = with_ids(timed("GCBegin", &["dt", "gc_seq", "stack"]), &[], &[2]);
    t[GC_END as usize] = ends(timed("GCEnd", &["dt", "gc_seq"]), GC_BEGIN);
    t[GC_SWEEP_ACTIVE as usize] = ends(timed("GCSweepActive", &["dt", "p"]), GC_SWEEP_BEGIN);
    t[GC_SWEEP_BEGIN as usize] = with_ids(timed("GCSweepBegin", &["dt", "stack"]), &[], &[1]);
    t[GC_SWEEP_END as usize] = ends(
        timed("GCSweepEnd", &["dt", "swept_value", "reclaimed_value"]),
        GC_SWEEP_BEGIN,
    );
    t[GC_MARK_ASSIST_ACTIVE as usize] = ends(
        timed("GCMarkAssistActive", &["dt", "g"]),
        GC_MARK_ASSIST_BEGIN,
    );
    t[GC_MARK_ASSIST_BEGIN as usize] =
        with_ids(timed("GCMarkAssistBegin", &["dt", "stack"]), &[], &[1]);
    t[GC_MARK_ASSIST_END as usize] = ends(timed("GCMarkAssistEnd", &["dt"]), GC_MARK_ASSIST_BEGIN);
    t[HEAP_ALLOC as usize] = timed("HeapAlloc", &["dt", "heapalloc_value"]);
    t[HEAP_GOAL as usize] = timed("HeapGoal", &["dt", "heapgoal_value"]);
    t[GO_LABEL as usize] = with_ids(timed("GoLabel", &["dt", "label_string"]), &[1], &[]);
    t[USER_TASK_BEGIN as usize] = with_ids(
        timed(
            "UserTaskBegin",
            &["dt", "task", "parent_task", "name_string", "stack"],
        ),
        &[3],
        &[4],
    );
    t[USER_TASK_END as usize] = with_ids(timed("UserTaskEnd", &["dt", "task", "stack"]), &[], &[2]);
    t[USER_REGION_BEGIN as usize] = with_ids(
        timed("UserRegionBegin", &["dt", "task", "name_string", "stack"]),
        &[2],
        &[3],
    );
    t[USER_REGION_END as usize] = ends(
        with_ids(
            timed("UserRegionEnd", &["dt", "task", "name_string", "stack"]),
            &[2],
            &[3],
        ),
        USER_REGION_BEGIN,
    );
    t[USER_LOG as usize] = with_ids(
        timed(
            "UserLog",
            &["dt", "task", "key_string", "value_string", "stack"],
        ),
        &[2, 3],
        &[4],
    );
    t[GO_SWITCH as usize] = timed("GoSwitch", &["dt", "g", "g_seq"]);
    t[GO_SWITCH_DESTROY as usize] = timed("GoSwitchDestroy", &["dt", "g", "g_seq"]);
    t[GO_CREATE_BLOCKED as usize] = with_ids(
        timed("GoCreateBlocked", &["dt", "new_g", "new_stack", "stack"]),
        &[],
        &[3, 2],
    );
    t[GO_STATUS_STACK as usize] = with_ids(
        timed("GoStatusStack", &["dt", "g", "m", "gstatus", "stack"]),
        &[],
        &[4],
    );
    t[CLOCK_SNAPSHOT as usize] = timed("ClockSnapshot", &["dt", "mono", "sec", "nsec"]);

    t[SPAN as usize] = experimental(timed("Span", &["dt", "id", "npages_value", "kindclass"]));
    t[SPAN_ALLOC as usize] = experimental(timed(
        "SpanAlloc",
        &["dt", "id", "npages_value", "kindclass"],
    ));
    t[SPAN_FREE as usize] = experimental(timed("SpanFree", &["dt", "id"]));
    t[HEAP_OBJECT as usize] = experimental(timed("HeapObject", &["dt", "id", "type"]));
    t[HEAP_OBJECT_ALLOC as usize] = experimental(timed("HeapObjectAlloc", &["dt", "id", "type"]));
    t[HEAP_OBJECT_FREE as usize] = experimental(timed("HeapObjectFree", &["dt", "id"]));
    t[GOROUTINE_STACK as usize] = experimental(timed("GoroutineStack", &["dt", "id", "order"]));
    t[GOROUTINE_STACK_ALLOC as usize] =
        experimental(timed("GoroutineStackAlloc", &["dt", "id", "order"]));
    t[GOROUTINE_STACK_FREE as usize] = experimental(timed("GoroutineStackFree", &["dt", "id"]));
    t
};

/// One byte per event type for the decoders' hot loops: the argument count in the low
/// three bits plus the flags below (a 256-byte table stays in L1 where [`EventSpec`]s don't).
pub(crate) static META: [u8; 256] = {
    let mut m = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let s = &SPECS[i];
        let mut b = s.args.len() as u8;
        if !s.name.is_empty()
            && i != ev::EVENT_BATCH as usize
            && i != ev::EXPERIMENTAL_BATCH as usize
        {
            b |= META_VALID;
        }
        if s.timed {
            b |= META_TIMED;
        }
        if s.is_stack {
            b |= META_STACK;
        }
        if s.has_data {
            b |= META_DATA;
        }
        if !s.stack_ids.is_empty()
            || !s.string_ids.is_empty()
            || i == ev::CPU_SAMPLE as usize
            || i == ev::STW_END as usize
        {
            b |= META_REFS;
        }
        m[i] = b;
        i += 1;
    }
    m
};
/// A type that may appear inside a batch.
pub(crate) const META_VALID: u8 = 0x08;
/// First argument is a timestamp delta.
pub(crate) const META_TIMED: u8 = 0x10;
/// Stack-table entry.
pub(crate) const META_STACK: u8 = 0x20;
/// Length-prefixed data follows.
pub(crate) const META_DATA: u8 = 0x40;
/// Arguments name stack- or string-table entries: those of the spec, a CPU sample's stack,
/// and the reason string a `STWEnd` gets from its `STWBegin`.
pub(crate) const META_REFS: u8 = 0x80;
/// Mask of the argument count.
pub(crate) const META_NARGS: u8 = 0x07;

/// The layout of event type `typ` (an all-empty spec for unused types).
///
/// ```
/// use gotrace_parse::spec::{ev, spec};
/// assert_eq!(spec(ev::GO_START).name, "GoStart");
/// assert_eq!(spec(ev::GO_START).args, &["dt", "g", "g_seq"]);
/// ```
#[inline]
pub fn spec(typ: EventType) -> &'static EventSpec {
    &SPECS[typ as usize]
}

/// Whether `typ` is one of the experimental event types.
#[inline]
pub fn is_experimental(typ: EventType) -> bool {
    typ > ev::MAX_EVENT && typ < ev::GOROUTINE_STACK_FREE + 1
}

/// Goroutine status as written on the wire.
pub mod go_status {
    /// Invalid.
    pub const BAD: u64 = 0;
    /// Runnable.
    pub const RUNNABLE: u64 = 1;
    /// Running.
    pub const RUNNING: u64 = 2;
    /// In a syscall.
    pub const SYSCALL: u64 = 3;
    /// Waiting.
    pub const WAITING: u64 = 4;
}

/// Proc status as written on the wire.
pub mod proc_status {
    /// Invalid.
    pub const BAD: u64 = 0;
    /// Running.
    pub const RUNNING: u64 = 1;
    /// Idle.
    pub const IDLE: u64 = 2;
    /// In a syscall with its M.
    pub const SYSCALL: u64 = 3;
    /// In a syscall, abandoned by its M (Go 1.22 runtime internal).
    pub const SYSCALL_ABANDONED: u64 = 4;
}
