//! The v1 event types (Go 1.11–1.21, `runtime/trace.go` before the 1.22 rewrite) and what
//! each carries on the wire.

/// v1 wire event types.
pub(crate) mod t {
    pub(crate) const NONE: u8 = 0;
    pub(crate) const BATCH: u8 = 1;
    pub(crate) const FREQUENCY: u8 = 2;
    pub(crate) const STACK: u8 = 3;
    pub(crate) const GOMAXPROCS: u8 = 4;
    pub(crate) const PROC_START: u8 = 5;
    pub(crate) const PROC_STOP: u8 = 6;
    pub(crate) const GC_START: u8 = 7;
    pub(crate) const GC_DONE: u8 = 8;
    pub(crate) const STW_START: u8 = 9;
    pub(crate) const STW_DONE: u8 = 10;
    pub(crate) const GC_SWEEP_START: u8 = 11;
    pub(crate) const GC_SWEEP_DONE: u8 = 12;
    pub(crate) const GO_CREATE: u8 = 13;
    pub(crate) const GO_START: u8 = 14;
    pub(crate) const GO_END: u8 = 15;
    pub(crate) const GO_STOP: u8 = 16;
    pub(crate) const GO_SCHED: u8 = 17;
    pub(crate) const GO_PREEMPT: u8 = 18;
    pub(crate) const GO_SLEEP: u8 = 19;
    pub(crate) const GO_BLOCK: u8 = 20;
    pub(crate) const GO_UNBLOCK: u8 = 21;
    pub(crate) const GO_BLOCK_SEND: u8 = 22;
    pub(crate) const GO_BLOCK_RECV: u8 = 23;
    pub(crate) const GO_BLOCK_SELECT: u8 = 24;
    pub(crate) const GO_BLOCK_SYNC: u8 = 25;
    pub(crate) const GO_BLOCK_COND: u8 = 26;
    pub(crate) const GO_BLOCK_NET: u8 = 27;
    pub(crate) const GO_SYS_CALL: u8 = 28;
    pub(crate) const GO_SYS_EXIT: u8 = 29;
    pub(crate) const GO_SYS_BLOCK: u8 = 30;
    pub(crate) const GO_WAITING: u8 = 31;
    pub(crate) const GO_IN_SYSCALL: u8 = 32;
    pub(crate) const HEAP_ALLOC: u8 = 33;
    pub(crate) const HEAP_GOAL: u8 = 34;
    pub(crate) const TIMER_GOROUTINE: u8 = 35;
    pub(crate) const STRING: u8 = 37;
    pub(crate) const GO_START_LOCAL: u8 = 38;
    pub(crate) const GO_UNBLOCK_LOCAL: u8 = 39;
    pub(crate) const GO_SYS_EXIT_LOCAL: u8 = 40;
    pub(crate) const GO_START_LABEL: u8 = 41;
    pub(crate) const GO_BLOCK_GC: u8 = 42;
    pub(crate) const GC_MARK_ASSIST_START: u8 = 43;
    pub(crate) const GC_MARK_ASSIST_DONE: u8 = 44;
    pub(crate) const USER_TASK_CREATE: u8 = 45;
    pub(crate) const USER_TASK_END: u8 = 46;
    pub(crate) const USER_REGION: u8 = 47;
    pub(crate) const USER_LOG: u8 = 48;
    pub(crate) const CPU_SAMPLE: u8 = 49;
    /// One past the last type.
    pub(crate) const COUNT: u8 = 50;
}

/// Whether `typ` is one of the events by which a running goroutine blocks (waits).
pub(crate) fn is_block(typ: u8) -> bool {
    matches!(
        typ,
        t::GO_SLEEP
            | t::GO_BLOCK
            | t::GO_BLOCK_SEND
            | t::GO_BLOCK_RECV
            | t::GO_BLOCK_SELECT
            | t::GO_BLOCK_SYNC
            | t::GO_BLOCK_COND
            | t::GO_BLOCK_NET
            | t::GO_BLOCK_GC
    )
}

/// A goroutine's status as the ordering and the checks track it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Status {
    #[default]
    Dead,
    Runnable,
    Running,
    Waiting,
}

/// Fake procs the parser moves some events to, as Go's v1 parser does; they show up as
/// the events' proc IDs.
pub(crate) mod fake_p {
    pub(crate) const TIMER: i32 = 1_000_001;
    pub(crate) const NETPOLL: i32 = 1_000_002;
    pub(crate) const SYSCALL: i32 = 1_000_003;
    pub(crate) const GC: i32 = 1_000_004;
    pub(crate) const PROFILE: i32 = 1_000_005;
}

/// What an event type carries: its name (for Go's error messages), the first trace
/// version that has it, whether its last argument is a stack ID, and its argument names.
pub(crate) struct Desc {
    pub(crate) name: &'static str,
    pub(crate) min_version: u32,
    pub(crate) stack: bool,
    pub(crate) args: &'static [&'static str],
}

const fn d(
    name: &'static str,
    min_version: u32,
    stack: bool,
    args: &'static [&'static str],
) -> Desc {
    Desc {
        name,
        min_version,
        stack,
        args,
    }
}

/// Indexed by event type; `FutileWakeup` (36) is known to the parser but has no
/// equivalent in the new event model.
pub(crate) static DESCS: [Desc; t::COUNT as usize] = [
    d("None", 5, false, &[]),
    d("Batch", 5, false, &["p", "ticks"]),
    d("Frequency", 5, false, &["freq"]),
    d("Stack", 5, false, &["id", "siz"]),
    d("Gomaxprocs", 5, true, &["procs"]),
    d("ProcStart", 5, false, &["thread"]),
    d("ProcStop", 5, false, &[]),
    d("GCStart", 5, true, &["seq"]),
    d("GCDone", 5, false, &[]),
    d("GCSTWStart", 5, false, &["kindid"]),
    d("GCSTWDone", 5, false, &[]),
    d("GCSweepStart", 5, true, &[]),
    d("GCSweepDone", 5, false, &["swept", "reclaimed"]),
    d("GoCreate", 5, true, &["g", "stack"]),
    d("GoStart", 5, false, &["g", "seq"]),
    d("GoEnd", 5, false, &[]),
    d("GoStop", 5, true, &[]),
    d("GoSched", 5, true, &[]),
    d("GoPreempt", 5, true, &[]),
    d("GoSleep", 5, true, &[]),
    d("GoBlock", 5, true, &[]),
    d("GoUnblock", 5, true, &["g", "seq"]),
    d("GoBlockSend", 5, true, &[]),
    d("GoBlockRecv", 5, true, &[]),
    d("GoBlockSelect", 5, true, &[]),
    d("GoBlockSync", 5, true, &[]),
    d("GoBlockCond", 5, true, &[]),
    d("GoBlockNet", 5, true, &[]),
    d("GoSysCall", 5, true, &[]),
    d("GoSysExit", 5, false, &["g", "seq", "ts"]),
    d("GoSysBlock", 5, false, &[]),
    d("GoWaiting", 5, false, &["g"]),
    d("GoInSyscall", 5, false, &["g"]),
    d("HeapAlloc", 5, false, &["mem"]),
    d("HeapGoal", 5, false, &["mem"]),
    d("TimerGoroutine", 5, false, &["g"]),
    d("FutileWakeup", 5, false, &[]),
    d("String", 7, false, &[]),
    d("GoStartLocal", 7, false, &["g"]),
    d("GoUnblockLocal", 7, true, &["g"]),
    d("GoSysExitLocal", 7, false, &["g", "ts"]),
    d("GoStartLabel", 8, false, &["g", "seq", "labelid"]),
    d("GoBlockGC", 8, true, &[]),
    d("GCMarkAssistStart", 9, true, &[]),
    d("GCMarkAssistDone", 9, false, &[]),
    d("UserTaskCreate", 11, true, &["taskid", "pid", "typeid"]),
    d("UserTaskEnd", 11, true, &["taskid"]),
    d("UserRegion", 11, true, &["taskid", "mode", "typeid"]),
    d("UserLog", 11, true, &["id", "keyid"]),
    d("CPUSample", 19, true, &["ts", "p", "g"]),
];

/// Description of a valid type (`typ < COUNT`).
#[inline]
pub(crate) fn desc(typ: u8) -> &'static Desc {
    &DESCS[(typ as usize).min(DESCS.len() - 1)]
}

/// How many values the event has on the wire after its type byte, counting the
/// timestamp delta and the stack ID.
pub(crate) fn arg_num(typ: u8, args_len: usize) -> usize {
    if typ == t::STACK {
        return args_len;
    }
    let d = desc(typ);
    let narg = d.args.len() + d.stack as usize;
    match typ {
        t::BATCH | t::FREQUENCY | t::TIMER_GOROUTINE => narg,
        _ => narg + 1,
    }
}

/// One v1 event after parsing (Go's `tracev1.Event`), plus where it was in the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Ev {
    /// Ticks while merging; nanoseconds since the first event afterwards.
    pub(crate) ts: i64,
    pub(crate) g: u64,
    pub(crate) args: [u64; 4],
    pub(crate) stk: u32,
    pub(crate) p: i32,
    pub(crate) typ: u8,
    /// Byte offset of the event in the file, for error locations.
    pub(crate) off: u64,
}

impl Ev {
    /// Go's `Event.String`, used inside some of its error messages.
    pub(crate) fn go_string(&self) -> String {
        use std::fmt::Write;
        let d = desc(self.typ);
        let mut s = format!(
            "{} {} p={} g={} stk={}",
            self.ts, d.name, self.p, self.g, self.stk
        );
        for (name, v) in d.args.iter().zip(self.args) {
            let _ = write!(s, " {name}={v}");
        }
        s
    }
}
