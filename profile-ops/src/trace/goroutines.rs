//! Per-goroutine time statistics, user regions and tasks, computed exactly as Go's
//! `internal/trace` `Summarizer` computes them for `go tool trace`'s goroutine, task and
//! region pages.
//!
//! [`Summarizer`] is fed the ordered event stream one event at a time (it keeps no
//! events, only the state of each goroutine, task and open region) and
//! [`Summarizer::finish`] returns the [`Summary`]. [`Summary::groups`] groups the
//! goroutines by start function as the goroutine page does.
//!
//! Go's summarizer dereferences missing goroutines (an event on a goroutine it never saw
//! created) and crashes; here such an event is skipped, so any input gives a summary.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::HashMap;
use serde::Serialize;

use crate::gotrace::{
    Event, EventKind, GoId, GoState, NO_PROC, NO_TASK, ProcId, ProcState, ResourceKind, Stack,
    TaskId, Transition,
};

/// Time a goroutine (or a region on it) spent in each state, in nanoseconds (Go's
/// `GoroutineExecStats`).
///
/// `exec_ns`, `sched_wait_ns`, `block_ns`, `syscall_ns`, `syscall_block_ns` and
/// [`ExecStats::unknown_ns`] do not overlap and add up to `total_ns`; `range_ns` (time in
/// GC mark assist, sweeping, stop-the-world) overlaps with them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExecStats {
    /// Running.
    pub exec_ns: i64,
    /// Runnable, waiting for a proc; also the time in a syscall after its proc was taken
    /// away, until the goroutine leaves the syscall.
    pub sched_wait_ns: i64,
    /// Waiting, by reason (`chan receive`, `sync`, `network`, …; `""` when the trace does
    /// not say, e.g. for goroutines already blocked when the trace started).
    pub block_ns: BTreeMap<String, i64>,
    /// In a syscall, holding a proc.
    pub syscall_ns: i64,
    /// In a syscall after the proc was taken away.
    pub syscall_block_ns: i64,
    /// Presence in the trace (creation or trace start to end or trace end).
    pub total_ns: i64,
    /// Time in each range (`GC mark assist`, `GC incremental sweep`,
    /// `stop-the-world (REASON)`).
    pub range_ns: BTreeMap<String, i64>,
}

impl ExecStats {
    /// `total_ns` minus the non-overlapping times, or 0 if they exceed it (Go's
    /// `UnknownTime`).
    pub fn unknown_ns(&self) -> i64 {
        let mut sum = self
            .exec_ns
            .wrapping_add(self.sched_wait_ns)
            .wrapping_add(self.syscall_ns)
            .wrapping_add(self.syscall_block_ns);
        for dt in self.block_ns.values() {
            sum = sum.wrapping_add(*dt);
        }
        if sum < self.total_ns {
            self.total_ns.wrapping_sub(sum)
        } else {
            0
        }
    }

    /// The non-overlapping times under the names `go tool trace` shows (Go's
    /// `NonOverlappingStats`): `Execution time`, `Sched wait time`,
    /// `Syscall execution time`, `Block time (syscall)`, `Block time (REASON)` per block
    /// reason, `Unknown time`.
    ///
    /// ```
    /// let mut s = profile_ops::trace::ExecStats::default();
    /// s.exec_ns = 5;
    /// s.block_ns.insert("sync".into(), 3);
    /// s.total_ns = 10;
    /// let m = s.non_overlapping();
    /// assert_eq!(m["Execution time"], 5);
    /// assert_eq!(m["Block time (sync)"], 3);
    /// assert_eq!(m["Unknown time"], 2);
    /// ```
    pub fn non_overlapping(&self) -> BTreeMap<String, i64> {
        let mut m = BTreeMap::new();
        m.insert(EXECUTION.to_string(), self.exec_ns);
        m.insert(SCHED_WAIT.to_string(), self.sched_wait_ns);
        m.insert(SYSCALL_EXEC.to_string(), self.syscall_ns);
        m.insert(SYSCALL_BLOCK.to_string(), self.syscall_block_ns);
        m.insert(UNKNOWN.to_string(), self.unknown_ns());
        for (reason, dt) in &self.block_ns {
            let v = m.entry(format!("Block time ({reason})")).or_insert(0);
            *v = v.wrapping_add(*dt);
        }
        m
    }
}

/// Key of [`ExecStats::exec_ns`] in [`ExecStats::non_overlapping`].
pub const EXECUTION: &str = "Execution time";
/// Key of [`ExecStats::sched_wait_ns`].
pub const SCHED_WAIT: &str = "Sched wait time";
/// Key of [`ExecStats::syscall_ns`].
pub const SYSCALL_EXEC: &str = "Syscall execution time";
/// Key of [`ExecStats::syscall_block_ns`].
pub const SYSCALL_BLOCK: &str = "Block time (syscall)";
/// Key of [`ExecStats::unknown_ns`].
pub const UNKNOWN: &str = "Unknown time";

/// One goroutine (Go's `GoroutineSummary`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoroutineSummary {
    /// Goroutine ID.
    pub id: GoId,
    /// Start function: the outermost frame of the first stack seen for the goroutine
    /// (`""` if none was seen, e.g. goroutines blocked throughout the trace).
    pub name: String,
    /// PC of that frame.
    pub pc: u64,
    /// Creation, or the start of the generation it was first seen in.
    pub creation_ns: i64,
    /// First time it ran (0: never ran).
    pub start_ns: i64,
    /// Time it exited or blocked forever (0: still alive at the end of the trace).
    pub end_ns: i64,
    /// Its time statistics.
    pub stats: ExecStats,
    /// Its user regions, by start time (regions without a begin first).
    pub regions: Vec<RegionSummary>,
}

/// A user region on one goroutine (Go's `UserRegionSummary`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionSummary {
    /// The task it belongs to.
    pub task: TaskId,
    /// Region type (`""` for the region a goroutine inherits from the region its creator
    /// was in).
    pub name: String,
    /// Begin time (`None`: it began before the trace).
    pub start_ns: Option<i64>,
    /// End time (`None`: it had not ended when the goroutine or the trace ended).
    pub end_ns: Option<i64>,
    /// What the goroutine did during the region.
    pub stats: ExecStats,
}

impl RegionSummary {
    /// End − start, if both were seen.
    pub fn duration_ns(&self) -> Option<i64> {
        Some(self.end_ns?.wrapping_sub(self.start_ns?))
    }
}

/// A log message of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskLog {
    /// Time.
    pub time_ns: i64,
    /// Goroutine that logged it.
    pub goroutine: GoId,
    /// Category (key).
    pub category: String,
    /// Message.
    pub message: String,
}

/// A user task (Go's `UserTaskSummary`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskSummary {
    /// Task ID.
    pub id: TaskId,
    /// Task type (`""` if neither its begin nor its end named it, e.g. the background
    /// task 0 that regions outside any task belong to).
    pub name: String,
    /// Parent task, if known.
    pub parent: Option<TaskId>,
    /// Child tasks, in the order they were seen.
    pub children: Vec<TaskId>,
    /// Begin time (`None`: not seen).
    pub start_ns: Option<i64>,
    /// End time (`None`: not seen).
    pub end_ns: Option<i64>,
    /// Log messages.
    pub logs: Vec<TaskLog>,
    /// Regions of the task (begun, or ended without a begin, in the trace).
    pub regions: u64,
    /// Goroutines that began or ended the task, logged to it or ran its regions (as Go
    /// records them, this may include −1 for events without a goroutine).
    pub goroutines: BTreeSet<GoId>,
}

impl TaskSummary {
    /// Whether both the begin and the end were seen (Go's `Complete`).
    pub fn complete(&self) -> bool {
        self.start_ns.is_some() && self.end_ns.is_some()
    }

    /// End − start of a complete task.
    pub fn duration_ns(&self) -> Option<i64> {
        Some(self.end_ns?.wrapping_sub(self.start_ns?))
    }
}

/// Result of a [`Summarizer`] (Go's `Summary`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Every goroutine, by ID.
    pub goroutines: Vec<GoroutineSummary>,
    /// Every task, by ID.
    pub tasks: Vec<TaskSummary>,
}

/// Percentiles (nearest rank) and maximum of a set of durations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50_ns: i64,
    /// 95th percentile.
    pub p95_ns: i64,
    /// 99th percentile.
    pub p99_ns: i64,
    /// Maximum.
    pub max_ns: i64,
}

impl Percentiles {
    /// Nearest-rank percentiles of `sorted` (ascending); `None` if it is empty.
    ///
    /// ```
    /// let p = profile_ops::trace::Percentiles::of_sorted(&[1, 2, 3, 4]).unwrap();
    /// assert_eq!((p.p50_ns, p.p95_ns, p.max_ns), (2, 4, 4));
    /// ```
    pub fn of_sorted(sorted: &[i64]) -> Option<Percentiles> {
        Some(Percentiles {
            p50_ns: nearest_rank(sorted, 50)?,
            p95_ns: nearest_rank(sorted, 95)?,
            p99_ns: nearest_rank(sorted, 99)?,
            max_ns: *sorted.last()?,
        })
    }
}

/// The value at rank ⌈p·n/100⌉ (1-based) of `sorted`.
pub(crate) fn nearest_rank(sorted: &[i64], p: usize) -> Option<i64> {
    let n = sorted.len();
    let rank = (p * n).div_ceil(100).clamp(1, n.max(1));
    sorted.get(rank - 1).copied()
}

/// Goroutines of one start function, as `go tool trace`'s goroutine page groups them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GoroutineGroup {
    /// Goroutines in the group.
    pub count: u64,
    /// Sum of their [`ExecStats::total_ns`].
    pub total_ns: i64,
    /// Sums of their [`ExecStats::non_overlapping`] times.
    pub non_overlapping_ns: BTreeMap<String, i64>,
    /// Sums of their [`ExecStats::range_ns`].
    pub range_ns: BTreeMap<String, i64>,
    /// Across the goroutines of the group: percentiles of `Total time` and of each
    /// non-overlapping time (a goroutine without a key counts as 0).
    pub percentiles_ns: BTreeMap<String, Percentiles>,
}

/// Key of the total time in [`GoroutineGroup::percentiles_ns`].
pub const TOTAL: &str = "Total time";

impl Summary {
    /// Goroutines grouped by start function (the keys of `gotrace-analysis/1`'s
    /// `goroutines`).
    ///
    /// ```
    /// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
    /// let s = profile_ops::trace::summarize(&data).unwrap();
    /// let groups = s.groups();
    /// assert_eq!(groups["main.main"].count, 1);
    /// assert_eq!(groups["main.main"].non_overlapping_ns["Execution time"], 312513);
    /// ```
    pub fn groups(&self) -> BTreeMap<String, GoroutineGroup> {
        let mut groups: BTreeMap<String, GoroutineGroup> = BTreeMap::new();
        // Per group: each goroutine's total and non-overlapping times.
        type Members<'s> = BTreeMap<&'s str, Vec<(i64, BTreeMap<String, i64>)>>;
        let mut members: Members<'_> = BTreeMap::new();
        for g in &self.goroutines {
            let group = groups.entry(g.name.clone()).or_default();
            group.count += 1;
            group.total_ns = group.total_ns.wrapping_add(g.stats.total_ns);
            let stats = g.stats.non_overlapping();
            for (k, v) in &stats {
                let e = group.non_overlapping_ns.entry(k.clone()).or_insert(0);
                *e = e.wrapping_add(*v);
            }
            for (k, v) in &g.stats.range_ns {
                let e = group.range_ns.entry(k.clone()).or_insert(0);
                *e = e.wrapping_add(*v);
            }
            members
                .entry(&g.name)
                .or_default()
                .push((g.stats.total_ns, stats));
        }
        for (name, gs) in members {
            let Some(group) = groups.get_mut(name) else {
                continue;
            };
            let keys: Vec<String> = std::iter::once(TOTAL.to_string())
                .chain(group.non_overlapping_ns.keys().cloned())
                .collect();
            for key in keys {
                let mut v: Vec<i64> = gs
                    .iter()
                    .map(|(total, stats)| {
                        if key == TOTAL {
                            *total
                        } else {
                            stats.get(&key).copied().unwrap_or(0)
                        }
                    })
                    .collect();
                v.sort_unstable();
                if let Some(p) = Percentiles::of_sorted(&v) {
                    group.percentiles_ns.insert(key, p);
                }
            }
        }
        groups
    }
}

/// Strings (block reasons, range names) numbered in the order first seen.
#[derive(Debug, Default)]
struct Names {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Names {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), i);
        i
    }

    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |s| s)
    }
}

/// Small map from a name ID to a value; a key once added stays (Go's maps keep a key
/// added with a zero duration, and the reports show it).
#[derive(Debug, Clone, Default)]
struct Durations(Vec<(u32, i64)>);

impl Durations {
    fn add(&mut self, k: u32, d: i64) {
        match self.0.iter_mut().find(|e| e.0 == k) {
            Some(e) => e.1 = e.1.wrapping_add(d),
            None => self.0.push((k, d)),
        }
    }

    fn get(&self, k: u32) -> i64 {
        self.0.iter().find(|e| e.0 == k).map_or(0, |e| e.1)
    }

    fn set(&mut self, k: u32, v: i64) {
        match self.0.iter_mut().find(|e| e.0 == k) {
            Some(e) => e.1 = v,
            None => self.0.push((k, v)),
        }
    }

    fn remove(&mut self, k: u32) {
        self.0.retain(|e| e.0 != k);
    }

    fn to_map(&self, names: &Names) -> BTreeMap<String, i64> {
        let mut m = BTreeMap::new();
        for &(k, v) in &self.0 {
            let e = m.entry(names.name(k).to_string()).or_insert(0i64);
            *e = e.wrapping_add(v);
        }
        m
    }
}

/// [`ExecStats`] with interned keys, as accumulated.
#[derive(Debug, Clone, Default)]
struct Stats {
    exec: i64,
    sched_wait: i64,
    block: Durations,
    syscall: i64,
    syscall_block: i64,
    total: i64,
    range: Durations,
}

impl Stats {
    /// `self − v` over the keys of `self` (Go's `sub`).
    fn sub(&self, v: &Stats) -> Stats {
        let mut r = self.clone();
        r.exec = r.exec.wrapping_sub(v.exec);
        r.sched_wait = r.sched_wait.wrapping_sub(v.sched_wait);
        for e in &mut r.block.0 {
            e.1 = e.1.wrapping_sub(v.block.get(e.0));
        }
        r.syscall = r.syscall.wrapping_sub(v.syscall);
        r.syscall_block = r.syscall_block.wrapping_sub(v.syscall_block);
        r.total = r.total.wrapping_sub(v.total);
        for e in &mut r.range.0 {
            e.1 = e.1.wrapping_sub(v.range.get(e.0));
        }
        r
    }

    fn export(&self, names: &Names) -> ExecStats {
        ExecStats {
            exec_ns: self.exec,
            sched_wait_ns: self.sched_wait,
            block_ns: self.block.to_map(names),
            syscall_ns: self.syscall,
            syscall_block_ns: self.syscall_block,
            total_ns: self.total,
            range_ns: self.range.to_map(names),
        }
    }
}

/// A region as accumulated: `stats` holds the goroutine's stats at its begin until it
/// ends, then the difference.
#[derive(Debug, Clone)]
struct Region {
    task: TaskId,
    name: u32,
    start: Option<i64>,
    end: Option<i64>,
    stats: Stats,
}

/// What is tracked of a goroutine only while summarizing (Go's `goroutineSummary`); 0
/// means unset, as in Go.
#[derive(Debug, Clone, Default)]
struct Pending {
    last_start: i64,
    last_runnable: i64,
    last_block: i64,
    last_block_reason: u32,
    last_syscall: i64,
    last_syscall_block: i64,
    last_range: Durations,
    active_regions: Vec<Region>,
}

#[derive(Debug, Clone)]
struct G {
    id: GoId,
    name: String,
    pc: u64,
    creation: i64,
    start: i64,
    end: i64,
    stats: Stats,
    regions: Vec<Region>,
    p: Pending,
}

impl G {
    fn new(id: GoId, creation: i64) -> G {
        G {
            id,
            name: String::new(),
            pc: 0,
            creation,
            start: 0,
            end: 0,
            stats: Stats::default(),
            regions: Vec::new(),
            p: Pending::default(),
        }
    }

    /// The stats as if the goroutine's current states ended at `last` (Go's
    /// `snapshotStat`).
    fn snapshot(&self, last: i64) -> Stats {
        let mut r = self.stats.clone();
        let p = &self.p;
        if self.stats.total == 0 {
            r.total = last.wrapping_sub(self.creation);
        }
        if p.last_start != 0 {
            r.exec = r.exec.wrapping_add(last.wrapping_sub(p.last_start));
        }
        if p.last_runnable != 0 {
            r.sched_wait = r
                .sched_wait
                .wrapping_add(last.wrapping_sub(p.last_runnable));
        }
        if p.last_block != 0 {
            r.block
                .add(p.last_block_reason, last.wrapping_sub(p.last_block));
        }
        if p.last_syscall != 0 {
            r.syscall = r.syscall.wrapping_add(last.wrapping_sub(p.last_syscall));
        }
        if p.last_syscall_block != 0 {
            r.sched_wait = r
                .sched_wait
                .wrapping_add(last.wrapping_sub(p.last_syscall_block));
        }
        for &(name, ts) in &p.last_range.0 {
            r.range.add(name, last.wrapping_sub(ts));
        }
        r
    }

    /// Ends the goroutine's accounting at `last` (Go's `finalize`); `trigger` is the time
    /// of the event that ended it, `None` at the end of the trace.
    fn finalize(&mut self, last: i64, trigger: Option<i64>) {
        if let Some(t) = trigger {
            self.end = t;
        }
        let fin = self.snapshot(last);
        self.stats = fin.clone();
        if !is_system_goroutine(&self.name) {
            for mut r in std::mem::take(&mut self.p.active_regions) {
                r.end = trigger;
                r.stats = fin.sub(&r.stats);
                self.regions.push(r);
            }
        }
        self.p = Pending::default();
    }
}

/// Whether a goroutine with this start function is a runtime goroutine (Go's
/// `IsSystemGoroutine`): `""`, or `runtime.*` except `runtime.main`.
///
/// ```
/// use profile_ops::trace::is_system_goroutine;
/// assert!(is_system_goroutine("runtime.bgsweep"));
/// assert!(!is_system_goroutine("runtime.main"));
/// assert!(!is_system_goroutine("main.worker"));
/// ```
pub fn is_system_goroutine(entry_fn: &str) -> bool {
    entry_fn.is_empty() || entry_fn != "runtime.main" && entry_fn.starts_with("runtime.")
}

#[derive(Debug, Clone)]
struct Task {
    name: String,
    parent: Option<TaskId>,
    children: Vec<TaskId>,
    start: Option<i64>,
    end: Option<i64>,
    logs: Vec<TaskLog>,
    regions: u64,
    goroutines: BTreeSet<GoId>,
}

/// Builds per-goroutine statistics, regions and tasks from the ordered event stream,
/// exactly as Go's `internal/trace` `Summarizer` (which `go tool trace` runs over the
/// whole trace).
///
/// ```
/// use profile_ops::gotrace::Reader;
/// use profile_ops::trace::Summarizer;
/// # let data = std::fs::read("../examples/data/gc-stress.trace").unwrap();
/// let mut s = Summarizer::new();
/// Reader::new(&data)?.visit(|ev| s.event(ev))?;
/// let summary = s.finish();
/// assert!(!summary.goroutines.is_empty());
/// # Ok::<(), profile_ops::gotrace::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Summarizer {
    gs: HashMap<GoId, G>,
    tasks: HashMap<TaskId, Task>,
    syscalling_p: HashMap<ProcId, GoId>,
    syscalling_g: HashMap<GoId, ProcId>,
    ranges_p: HashMap<(ProcId, u32), GoId>,
    names: Names,
    last_ts: i64,
    sync_ts: i64,
}

impl Summarizer {
    /// A summarizer that has seen no event.
    pub fn new() -> Summarizer {
        Summarizer::default()
    }

    /// First time the goroutine ran (0: not yet, or unknown goroutine).
    pub(crate) fn start_time(&self, id: GoId) -> i64 {
        self.gs.get(&id).map_or(0, |g| g.start)
    }

    /// Time the goroutine exited or blocked forever (0: not yet, or unknown goroutine).
    pub(crate) fn end_time(&self, id: GoId) -> i64 {
        self.gs.get(&id).map_or(0, |g| g.end)
    }

    /// Whether the goroutine has been seen.
    pub(crate) fn knows(&self, id: GoId) -> bool {
        self.gs.contains_key(&id)
    }

    /// Feeds the next event of the ordered stream.
    pub fn event(&mut self, ev: &Event<'_>) {
        let t = ev.time();
        if self.sync_ts == 0 {
            self.sync_ts = t;
        }
        self.last_ts = t;
        match ev.kind() {
            EventKind::Sync => self.sync_ts = t,
            EventKind::StateTransition => {
                let Some(st) = ev.state_transition() else {
                    return;
                };
                match st.transition {
                    Transition::Goroutine(old, new) => {
                        self.goroutine_transition(
                            ev,
                            st.resource.id,
                            old,
                            new,
                            &st.reason,
                            st.stack,
                        );
                    }
                    Transition::Proc(old, new) => {
                        if old != new
                            && new == ProcState::Idle
                            && let Some(goid) = self.syscalling_p.remove(&st.resource.id)
                            && let Some(g) = self.gs.get_mut(&goid)
                        {
                            g.p.last_syscall_block = t;
                        }
                    }
                }
            }
            EventKind::RangeBegin | EventKind::RangeActive => self.range_begin(ev),
            EventKind::RangeEnd => self.range_end(ev),
            EventKind::RegionBegin => self.region_begin(ev),
            EventKind::RegionEnd => self.region_end(ev),
            EventKind::TaskBegin | EventKind::TaskEnd => {
                let Some(tk) = ev.task() else { return };
                let task = self.task(tk.id);
                task.name = tk.task_type.into_owned();
                task.goroutines.insert(ev.goroutine());
                if ev.kind() == EventKind::TaskBegin {
                    task.start = Some(t);
                } else {
                    task.end = Some(t);
                }
                if tk.parent != NO_TASK && task.parent.is_none() {
                    task.parent = Some(tk.parent);
                    self.task(tk.parent).children.push(tk.id);
                }
            }
            EventKind::Log => {
                let Some(l) = ev.log() else { return };
                let log = TaskLog {
                    time_ns: t,
                    goroutine: ev.goroutine(),
                    category: l.category.into_owned(),
                    message: l.message.into_owned(),
                };
                let task = self.task(l.task);
                task.goroutines.insert(ev.goroutine());
                task.logs.push(log);
            }
            _ => {}
        }
    }

    fn task(&mut self, id: TaskId) -> &mut Task {
        self.tasks.entry(id).or_insert_with(|| Task {
            name: String::new(),
            parent: None,
            children: Vec::new(),
            start: None,
            end: None,
            logs: Vec::new(),
            regions: 0,
            goroutines: BTreeSet::new(),
        })
    }

    fn goroutine_transition(
        &mut self,
        ev: &Event<'_>,
        id: GoId,
        old: GoState,
        new: GoState,
        reason: &str,
        stack: Option<Stack<'_, '_>>,
    ) {
        if old == new {
            return;
        }
        let t = ev.time();
        // Transition out.
        match old {
            GoState::Undetermined => {
                // First seen: it has been in `new` since the generation began.
                let mut g = G::new(id, self.sync_ts);
                let dt = t.wrapping_sub(self.sync_ts);
                match new {
                    GoState::Running => g.stats.exec = g.stats.exec.wrapping_add(dt),
                    GoState::Waiting => {
                        let r = self.names.id(reason);
                        g.stats.block.add(r, dt);
                    }
                    GoState::Runnable => g.stats.sched_wait = g.stats.sched_wait.wrapping_add(dt),
                    GoState::Syscall => {
                        if ev.proc() == NO_PROC {
                            g.stats.syscall_block = g.stats.syscall_block.wrapping_add(dt);
                        } else {
                            g.stats.syscall = g.stats.syscall.wrapping_add(dt);
                        }
                    }
                    GoState::Undetermined | GoState::NotExist => {}
                }
                self.gs.insert(id, g);
            }
            GoState::NotExist => {
                let mut g = G::new(id, t);
                // A new goroutine inherits the task of its creator's innermost region.
                if let Some(creator) = self.gs.get(&ev.goroutine())
                    && let Some(r) = creator.p.active_regions.last()
                {
                    let empty = self.names.id("");
                    g.p.active_regions.push(Region {
                        task: r.task,
                        name: empty,
                        start: Some(t),
                        end: None,
                        stats: Stats::default(),
                    });
                }
                self.gs.insert(id, g);
            }
            GoState::Running => {
                let Some(g) = self.gs.get_mut(&id) else {
                    return;
                };
                g.stats.exec = g.stats.exec.wrapping_add(t.wrapping_sub(g.p.last_start));
                g.p.last_start = 0;
            }
            GoState::Waiting => {
                let Some(g) = self.gs.get_mut(&id) else {
                    return;
                };
                if g.p.last_block != 0 {
                    g.stats
                        .block
                        .add(g.p.last_block_reason, t.wrapping_sub(g.p.last_block));
                    g.p.last_block = 0;
                }
            }
            GoState::Runnable => {
                let Some(g) = self.gs.get_mut(&id) else {
                    return;
                };
                if g.p.last_runnable != 0 {
                    g.stats.sched_wait = g
                        .stats
                        .sched_wait
                        .wrapping_add(t.wrapping_sub(g.p.last_runnable));
                    g.p.last_runnable = 0;
                }
            }
            GoState::Syscall => {
                let Some(g) = self.gs.get_mut(&id) else {
                    return;
                };
                if g.p.last_syscall != 0 {
                    if g.p.last_syscall_block != 0 {
                        g.stats.syscall_block = g
                            .stats
                            .syscall_block
                            .wrapping_add(t.wrapping_sub(g.p.last_syscall_block));
                        g.stats.syscall = g
                            .stats
                            .syscall
                            .wrapping_add(g.p.last_syscall_block.wrapping_sub(g.p.last_syscall));
                    } else {
                        g.stats.syscall = g
                            .stats
                            .syscall
                            .wrapping_add(t.wrapping_sub(g.p.last_syscall));
                    }
                    g.p.last_syscall = 0;
                    g.p.last_syscall_block = 0;
                    // Go deletes the proc the goroutine was bound to, or proc 0 if the
                    // binding is gone.
                    let p = self.syscalling_g.get(&id).copied().unwrap_or(0);
                    self.syscalling_p.remove(&p);
                    self.syscalling_g.remove(&id);
                }
            }
        }
        let Some(g) = self.gs.get_mut(&id) else {
            return;
        };
        // Named after the root frame of the first stack seen.
        if g.name.is_empty()
            && let Some(root) = stack.and_then(|s| s.frames().last())
        {
            g.pc = root.pc;
            g.name = String::from_utf8_lossy(root.func).into_owned();
        }
        // Transition in.
        match new {
            GoState::Running => {
                g.p.last_start = t;
                if g.start == 0 {
                    g.start = t;
                }
            }
            GoState::Runnable => g.p.last_runnable = t,
            GoState::Waiting if reason != "forever" => {
                g.p.last_block = t;
                g.p.last_block_reason = self.names.id(reason);
            }
            // Blocked forever is like exiting.
            GoState::Waiting | GoState::NotExist => g.finalize(t, Some(t)),
            GoState::Syscall => {
                self.syscalling_p.insert(ev.proc(), id);
                self.syscalling_g.insert(id, ev.proc());
                g.p.last_syscall = t;
            }
            GoState::Undetermined => {}
        }
    }

    fn range_begin(&mut self, ev: &Event<'_>) {
        let Some(r) = ev.range() else { return };
        let name = self.names.id(&r.name);
        let gid = match r.scope.kind {
            ResourceKind::Goroutine => r.scope.id,
            ResourceKind::Proc => {
                // A proc's range is attributed to the goroutine it began on, if it ends
                // there too.
                if !self.gs.contains_key(&ev.goroutine()) {
                    return;
                }
                self.ranges_p.insert((r.scope.id, name), ev.goroutine());
                ev.goroutine()
            }
            ResourceKind::None | ResourceKind::Thread => return,
        };
        let sync_ts = self.sync_ts;
        let Some(g) = self.gs.get_mut(&gid) else {
            return;
        };
        if ev.kind() == EventKind::RangeActive {
            let ts = g.p.last_range.get(name);
            if ts != 0 {
                g.stats.range.add(name, sync_ts.wrapping_sub(ts));
            }
            g.p.last_range.set(name, sync_ts);
        } else {
            g.p.last_range.set(name, ev.time());
        }
    }

    fn range_end(&mut self, ev: &Event<'_>) {
        let Some(r) = ev.range() else { return };
        let name = self.names.id(&r.name);
        let gid = match r.scope.kind {
            ResourceKind::Goroutine => r.scope.id,
            ResourceKind::Proc => match self.ranges_p.remove(&(r.scope.id, name)) {
                Some(goid) if goid == ev.goroutine() => goid,
                _ => return,
            },
            ResourceKind::None | ResourceKind::Thread => return,
        };
        let Some(g) = self.gs.get_mut(&gid) else {
            return;
        };
        let ts = g.p.last_range.get(name);
        if ts == 0 {
            return;
        }
        g.stats.range.add(name, ev.time().wrapping_sub(ts));
        g.p.last_range.remove(name);
    }

    fn region_begin(&mut self, ev: &Event<'_>) {
        let Some(r) = ev.region() else { return };
        let name = self.names.id(&r.region_type);
        let Some(g) = self.gs.get_mut(&ev.goroutine()) else {
            return;
        };
        let region = Region {
            task: r.task,
            name,
            start: Some(ev.time()),
            end: None,
            stats: g.snapshot(ev.time()),
        };
        g.p.active_regions.push(region);
        let gid = g.id;
        let task = self.task(r.task);
        task.regions += 1;
        task.goroutines.insert(gid);
    }

    fn region_end(&mut self, ev: &Event<'_>) {
        let Some(r) = ev.region() else { return };
        let name = self.names.id(&r.region_type);
        let Some(g) = self.gs.get_mut(&ev.goroutine()) else {
            return;
        };
        let (mut region, fabricated) = match g.p.active_regions.pop() {
            Some(top) => (top, false),
            // An end without a begin: the region began before the trace.
            None => (
                Region {
                    task: r.task,
                    name,
                    start: None,
                    end: None,
                    stats: Stats::default(),
                },
                true,
            ),
        };
        region.stats = g.snapshot(ev.time()).sub(&region.stats);
        region.end = Some(ev.time());
        g.regions.push(region);
        let gid = g.id;
        if fabricated {
            let task = self.task(r.task);
            task.goroutines.insert(gid);
            task.regions += 1;
        }
    }

    /// Ends the accounting of every goroutine still alive at the last event and returns
    /// the summary (Go's `Finalize`).
    pub fn finish(mut self) -> Summary {
        let names = &self.names;
        let mut goroutines: Vec<GoroutineSummary> = self
            .gs
            .drain()
            .map(|(_, mut g)| {
                g.finalize(self.last_ts, None);
                // Stable, so regions that began together keep the order they ended in.
                g.regions
                    .sort_by_key(|r| r.start.map_or((0, 0), |t| (1, t)));
                GoroutineSummary {
                    id: g.id,
                    name: g.name,
                    pc: g.pc,
                    creation_ns: g.creation,
                    start_ns: g.start,
                    end_ns: g.end,
                    stats: g.stats.export(names),
                    regions: g
                        .regions
                        .iter()
                        .map(|r| RegionSummary {
                            task: r.task,
                            name: names.name(r.name).to_string(),
                            start_ns: r.start,
                            end_ns: r.end,
                            stats: r.stats.export(names),
                        })
                        .collect(),
                }
            })
            .collect();
        goroutines.sort_by_key(|g| g.id);
        let mut tasks: Vec<TaskSummary> = self
            .tasks
            .drain()
            .map(|(id, t)| TaskSummary {
                id,
                name: t.name,
                parent: t.parent,
                children: t.children,
                start_ns: t.start,
                end_ns: t.end,
                logs: t.logs,
                regions: t.regions,
                goroutines: t.goroutines,
            })
            .collect();
        tasks.sort_by_key(|t| t.id);
        Summary { goroutines, tasks }
    }
}

/// Summarizes the trace in `data` (streaming, one generation in memory at a time).
///
/// ```
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let s = profile_ops::trace::summarize(&data).unwrap();
/// assert!(s.tasks.iter().any(|t| t.name == "task0" && t.complete()));
/// ```
pub fn summarize(data: &[u8]) -> Result<Summary, crate::gotrace::Error> {
    let mut s = Summarizer::new();
    crate::gotrace::Reader::new(data)?.visit(|ev| s.event(ev))?;
    Ok(s.finish())
}
