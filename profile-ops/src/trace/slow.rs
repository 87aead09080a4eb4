//! Why was it slow: for each user task or region slower than a threshold (a percentile
//! of its type's durations, or a fixed duration), where its wall time went — execution,
//! scheduler wait, blocking by reason (with the stacks that blocked), syscalls, GC mark
//! assist, overlap with stop-the-world pauses — and, across all the slow ones, a ranked
//! verdict.
//!
//! Two streaming passes: the first summarises the trace (goroutine, region and task
//! statistics as Go's Summarizer computes them, and the pauses) and picks the slow
//! items; the second follows only the goroutines of slow items to find the stacks that
//! blocked them. A region's times are those of Go's region summary (what its goroutine
//! did between the region's begin and end). A task's are goroutine time: what each
//! goroutine that took part in the task (began or ended it, logged to it, ran one of its
//! regions) did between the task's begin and end, summed, so goroutines working in
//! parallel can add up to more than the task's wall time.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use super::analysis::{visit_bytes, visit_path};
use super::goroutines::{ExecStats, Summarizer, Summary};
use super::pauses::{PauseCollector, Pauses};
use crate::gotrace::{Event, EventKind, GoId, GoState, Transition};

/// Which items count as slow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// At or above this percentile (nearest rank) of the durations of their type.
    Percentile(f64),
    /// Longer than this many nanoseconds.
    Over(i64),
}

impl Default for Threshold {
    /// The 95th percentile.
    fn default() -> Threshold {
        Threshold::Percentile(95.0)
    }
}

/// Key of the time a slow item's goroutines spent in GC mark assist.
pub const GC_ASSIST: &str = "GC mark assist";
/// Key of the time a slow item overlapped stop-the-world pauses.
pub const STW: &str = "Stop-the-world";

/// A stack that blocked slow items, with the time it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockingStack {
    /// Block reason (`sync`, `chan receive`, `network`, ...).
    pub reason: String,
    /// Functions, innermost first.
    pub frames: Vec<String>,
    /// Blocked time within slow items (ns).
    pub ns: i64,
}

/// One slow task or region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlowItem {
    /// `task` or `region`.
    pub kind: &'static str,
    /// Task or region type.
    pub name: String,
    /// Task ID (the region's task, for a region).
    pub task: u64,
    /// The region's goroutine (`None` for a task).
    pub goroutine: Option<GoId>,
    /// Begin time (ns).
    pub start_ns: i64,
    /// Wall time (ns).
    pub duration_ns: i64,
    /// The threshold of its type it exceeded (ns).
    pub threshold_ns: i64,
    /// Where the time went: the non-overlapping times of `go tool trace` (`Execution
    /// time`, `Sched wait time`, `Block time (REASON)`, `Syscall execution time`, and for
    /// regions `Block time (syscall)`, `Unknown time`), and, overlapping them,
    /// [`GC_ASSIST`] and [`STW`] (wall time under a stop-the-world pause).
    pub breakdown: BTreeMap<String, i64>,
    /// The stacks that blocked it, longest first (at most 5).
    pub blocking: Vec<BlockingStack>,
}

/// One line of the verdict: a category's share of the slow items' wall time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictLine {
    /// Category (a key of [`SlowItem::breakdown`]).
    pub category: String,
    /// Time in the category across slow items (ns).
    pub ns: i64,
    /// Share of their total wall time (0–1).
    pub share: f64,
    /// For a blocking category: the stack that blocked longest in it.
    pub top_stack: Option<BlockingStack>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlowReport {
    /// The threshold asked for, e.g. `p95` or `>10000000ns`.
    pub threshold: String,
    /// Slow tasks and regions, longest first.
    pub items: Vec<SlowItem>,
    /// Their total time (ns) over the slow tasks, and the slow regions outside them: the
    /// sum of the non-overlapping categories (wall time for a region, goroutine time for
    /// a task).
    pub total_ns: i64,
    /// Categories by share of that time, largest first (the overlapping [`GC_ASSIST`] and
    /// [`STW`] are ranked with the others).
    pub verdict: Vec<VerdictLine>,
    /// The verdict in words, one sentence per line.
    pub summary: Vec<String>,
    /// The error that stopped reading the trace, if any (the report then covers the
    /// events before it).
    pub error: Option<String>,
}

/// An interval of a slow item on one goroutine.
#[derive(Debug, Clone, Copy)]
struct Span {
    item: usize,
    start: i64,
    end: i64,
    /// Whether the goroutine's states are measured here (tasks; regions have Go's
    /// statistics).
    states: bool,
}

/// Overlap of `[a0, a1]` and `[b0, b1]` (0 if none).
fn overlap(a0: i64, a1: i64, b0: i64, b1: i64) -> i64 {
    a1.min(b1).saturating_sub(a0.max(b0)).max(0)
}

fn add(m: &mut BTreeMap<String, i64>, k: &str, v: i64) {
    let e = m.entry(k.to_string()).or_insert(0);
    *e = e.saturating_add(v);
}

fn breakdown(stats: &ExecStats) -> BTreeMap<String, i64> {
    let mut m = stats.non_overlapping();
    m.retain(|_, v| *v != 0);
    if let Some(&a) = stats.range_ns.get(GC_ASSIST)
        && a != 0
    {
        m.insert(GC_ASSIST.to_string(), a);
    }
    m
}

fn threshold_of(durations: &mut [i64], t: Threshold) -> Option<i64> {
    match t {
        Threshold::Over(ns) => Some(ns.saturating_add(1)),
        Threshold::Percentile(p) => {
            durations.sort_unstable();
            let p = p.clamp(0.0, 100.0);
            let n = durations.len();
            let rank = ((p / 100.0) * n as f64).ceil() as usize;
            durations.get(rank.clamp(1, n.max(1)) - 1).copied()
        }
    }
}

/// Picks the slow items of a summary; returns them and, per goroutine, their spans.
fn pick(
    summary: &Summary,
    pauses: &Pauses,
    t: Threshold,
) -> (Vec<SlowItem>, HashMap<GoId, Vec<Span>>) {
    let mut items = Vec::new();
    let mut spans: HashMap<GoId, Vec<Span>> = HashMap::new();
    // Regions by type (the inherited, unnamed ones are not user regions).
    let mut by_type: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for g in &summary.goroutines {
        for r in g.regions.iter().filter(|r| !r.name.is_empty()) {
            if let Some(d) = r.duration_ns() {
                by_type.entry(&r.name).or_default().push(d);
            }
        }
    }
    let limits: BTreeMap<&str, i64> = by_type
        .iter_mut()
        .filter_map(|(k, v)| Some((*k, threshold_of(v, t)?)))
        .collect();
    let stw = |a: i64, b: i64| -> i64 {
        pauses
            .stw
            .iter()
            .filter_map(|p| {
                let end = p.start_ns.saturating_add(p.duration_ns?);
                Some(overlap(a, b, p.start_ns, end))
            })
            .fold(0i64, |x, y| x.saturating_add(y))
    };
    for g in &summary.goroutines {
        for r in g.regions.iter().filter(|r| !r.name.is_empty()) {
            let (Some(start), Some(d), Some(&limit)) =
                (r.start_ns, r.duration_ns(), limits.get(r.name.as_str()))
            else {
                continue;
            };
            if d < limit || d <= 0 {
                continue;
            }
            let mut b = breakdown(&r.stats);
            let end = start.saturating_add(d);
            let s = stw(start, end);
            if s != 0 {
                b.insert(STW.to_string(), s);
            }
            spans.entry(g.id).or_default().push(Span {
                item: items.len(),
                start,
                end,
                states: false,
            });
            items.push(SlowItem {
                kind: "region",
                name: r.name.clone(),
                task: r.task,
                goroutine: Some(g.id),
                start_ns: start,
                duration_ns: d,
                threshold_ns: limit,
                breakdown: b,
                blocking: Vec::new(),
            });
        }
    }
    // Tasks by type.
    let mut by_type: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for task in &summary.tasks {
        if let Some(d) = task.duration_ns() {
            by_type.entry(&task.name).or_default().push(d);
        }
    }
    let limits: BTreeMap<&str, i64> = by_type
        .iter_mut()
        .filter_map(|(k, v)| Some((*k, threshold_of(v, t)?)))
        .collect();
    for task in &summary.tasks {
        let (Some(start), Some(d), Some(&limit)) = (
            task.start_ns,
            task.duration_ns(),
            limits.get(task.name.as_str()),
        ) else {
            continue;
        };
        if d < limit || d <= 0 {
            continue;
        }
        let i = items.len();
        let end = start.saturating_add(d);
        for &g in task.goroutines.iter().filter(|&&g| g >= 0) {
            spans.entry(g).or_default().push(Span {
                item: i,
                start,
                end,
                states: true,
            });
        }
        let mut b = BTreeMap::new();
        let s = stw(start, start.saturating_add(d));
        if s != 0 {
            b.insert(STW.to_string(), s);
        }
        items.push(SlowItem {
            kind: "task",
            name: task.name.clone(),
            task: task.id,
            goroutine: None,
            start_ns: start,
            duration_ns: d,
            threshold_ns: limit,
            breakdown: b,
            blocking: Vec::new(),
        });
    }
    (items, spans)
}

/// The second pass: blocking episodes of the slow items' goroutines, by stack, and the
/// states of tasks' goroutines.
#[derive(Debug)]
struct BlockFinder {
    spans: HashMap<GoId, Vec<Span>>,
    /// Goroutines blocked now: since when, why, where.
    open: HashMap<GoId, (i64, String, Vec<String>)>,
    /// (item, reason, frames) → ns.
    found: HashMap<(usize, String, Vec<String>), i64>,
    /// State of each followed goroutine: since when, and its category.
    state: HashMap<GoId, (i64, Option<String>)>,
    /// Goroutines in a mark assist: since when.
    assist: HashMap<GoId, i64>,
    /// (item, category) → ns, for task spans.
    times: HashMap<(usize, String), i64>,
    last: i64,
}

impl BlockFinder {
    fn new(spans: HashMap<GoId, Vec<Span>>) -> BlockFinder {
        BlockFinder {
            spans,
            open: HashMap::new(),
            found: HashMap::new(),
            state: HashMap::new(),
            assist: HashMap::new(),
            times: HashMap::new(),
            last: 0,
        }
    }

    /// Adds `[t0, t1]` of goroutine `g` in `category` to the task spans it overlaps.
    fn add_time(&mut self, g: GoId, t0: i64, t1: i64, category: &str) {
        let Some(spans) = self.spans.get(&g) else {
            return;
        };
        for s in spans.iter().filter(|s| s.states) {
            let o = overlap(t0, t1, s.start, s.end);
            if o > 0 {
                let e = self
                    .times
                    .entry((s.item, category.to_string()))
                    .or_insert(0);
                *e = e.saturating_add(o);
            }
        }
    }

    fn event(&mut self, ev: &Event<'_>) {
        let t = ev.time();
        self.last = t;
        match ev.kind() {
            EventKind::StateTransition => {}
            EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => {
                if let Some(r) = ev.range()
                    && r.name == GC_ASSIST
                    && self.spans.contains_key(&r.scope.id)
                {
                    if ev.kind() == EventKind::RangeEnd {
                        if let Some(t0) = self.assist.remove(&r.scope.id) {
                            self.add_time(r.scope.id, t0, t, GC_ASSIST);
                        }
                    } else {
                        self.assist.entry(r.scope.id).or_insert(t);
                    }
                }
                return;
            }
            _ => return,
        }
        let Some(st) = ev.state_transition() else {
            return;
        };
        let Transition::Goroutine(old, new) = st.transition else {
            return;
        };
        let g = st.resource.id;
        let Some(spans) = self.spans.get(&g) else {
            return;
        };
        if old == GoState::Waiting
            && new != GoState::Waiting
            && let Some((t0, reason, frames)) = self.open.remove(&g)
        {
            for s in spans {
                let o = overlap(t0, t, s.start, s.end);
                if o > 0 {
                    let e = self
                        .found
                        .entry((s.item, reason.clone(), frames.clone()))
                        .or_insert(0);
                    *e = e.saturating_add(o);
                }
            }
        }
        if new == GoState::Waiting && old != GoState::Waiting {
            let frames = ev
                .stack()
                .map(|s| {
                    s.frames()
                        .map(|f| String::from_utf8_lossy(f.func).into_owned())
                        .collect()
                })
                .unwrap_or_default();
            self.open.insert(g, (t, st.reason.to_string(), frames));
        }
        let category = match new {
            GoState::Running => Some("Execution time".to_string()),
            GoState::Runnable => Some("Sched wait time".to_string()),
            GoState::Waiting => Some(format!("Block time ({})", st.reason)),
            GoState::Syscall => Some("Syscall execution time".to_string()),
            GoState::NotExist | GoState::Undetermined => None,
        };
        if let Some((t0, Some(c))) = self.state.insert(g, (t, category)) {
            self.add_time(g, t0, t, &c);
        }
    }

    /// Closes the states still open at the last event.
    fn finish(&mut self) {
        let last = self.last;
        for (g, (t0, c)) in std::mem::take(&mut self.state) {
            if let Some(c) = c {
                self.add_time(g, t0, last, &c);
            }
        }
        for (g, t0) in std::mem::take(&mut self.assist) {
            self.add_time(g, t0, last, GC_ASSIST);
        }
    }
}

/// Builds the report from the two passes' results.
fn report(
    mut items: Vec<SlowItem>,
    mut finder: BlockFinder,
    t: Threshold,
    error: Option<String>,
) -> SlowReport {
    finder.finish();
    for ((item, category), ns) in finder.times {
        if let Some(it) = items.get_mut(item) {
            add(&mut it.breakdown, &category, ns);
        }
    }
    let mut all: HashMap<(String, Vec<String>), i64> = HashMap::new();
    for ((item, reason, frames), ns) in finder.found {
        if let Some(it) = items.get_mut(item) {
            it.blocking.push(BlockingStack {
                reason: reason.clone(),
                frames: frames.clone(),
                ns,
            });
        }
        let e = all.entry((reason, frames)).or_insert(0);
        *e = e.saturating_add(ns);
    }
    for it in &mut items {
        it.blocking
            .sort_by(|a, b| b.ns.cmp(&a.ns).then_with(|| a.frames.cmp(&b.frames)));
        it.blocking.truncate(5);
    }
    items.sort_by(|a, b| {
        b.duration_ns
            .cmp(&a.duration_ns)
            .then(a.start_ns.cmp(&b.start_ns))
    });
    // Tasks contain regions: the verdict counts tasks, and regions outside slow tasks.
    let slow_tasks: Vec<u64> = items
        .iter()
        .filter(|i| i.kind == "task")
        .map(|i| i.task)
        .collect();
    let counted = |i: &&SlowItem| i.kind == "task" || !slow_tasks.contains(&i.task);
    let mut by_cat: BTreeMap<String, i64> = BTreeMap::new();
    for it in items.iter().filter(counted) {
        for (k, v) in &it.breakdown {
            add(&mut by_cat, k, *v);
        }
    }
    // Wall time of regions, goroutine time of tasks: the non-overlapping categories.
    let total_ns = by_cat
        .iter()
        .filter(|(k, _)| k.as_str() != GC_ASSIST && k.as_str() != STW)
        .fold(0i64, |a, (_, v)| a.saturating_add(*v));
    let mut verdict: Vec<VerdictLine> = by_cat
        .into_iter()
        .filter(|(_, ns)| *ns > 0)
        .map(|(category, ns)| {
            let reason = category
                .strip_prefix("Block time (")
                .and_then(|r| r.strip_suffix(')'));
            let top_stack = reason.and_then(|r| {
                all.iter()
                    .filter(|((reason, _), _)| reason == r)
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.1.cmp(&a.0.1)))
                    .map(|((reason, frames), ns)| BlockingStack {
                        reason: reason.clone(),
                        frames: frames.clone(),
                        ns: *ns,
                    })
            });
            VerdictLine {
                share: if total_ns > 0 {
                    ns as f64 / total_ns as f64
                } else {
                    0.0
                },
                category,
                ns,
                top_stack,
            }
        })
        .collect();
    verdict.sort_by(|a, b| b.ns.cmp(&a.ns).then_with(|| a.category.cmp(&b.category)));
    let label = match t {
        Threshold::Percentile(p) => format!("p{p}"),
        Threshold::Over(ns) => format!(">{ns}ns"),
    };
    let mut summary = Vec::new();
    if items.is_empty() {
        summary.push(format!("No task or region is slower than {label}."));
    } else {
        let which = match t {
            Threshold::Percentile(p) => format!("at or above the p{p} of their type"),
            Threshold::Over(ns) => format!("longer than {ns} ns"),
        };
        summary.push(format!(
            "{} slow tasks/regions ({which}), {:.3} ms of goroutine time.",
            items.len(),
            total_ns as f64 / 1e6
        ));
        for v in verdict.iter().take(5) {
            let at = v
                .top_stack
                .as_ref()
                .and_then(|s| {
                    s.frames
                        .iter()
                        .find(|f| !is_library_frame(f))
                        .or(s.frames.first())
                })
                .map(|f| format!(" at {f}"))
                .unwrap_or_default();
            summary.push(format!(
                "{:.0} % of that time is {}{at}.",
                v.share * 100.0,
                v.category
            ));
        }
    }
    SlowReport {
        threshold: label,
        items,
        total_ns,
        verdict,
        summary,
        error,
    }
}

/// Frames of the runtime and of the synchronisation packages a blocking stack starts in:
/// the verdict names the first frame after them.
fn is_library_frame(f: &str) -> bool {
    [
        "runtime.",
        "internal/",
        "sync.",
        "sync/atomic.",
        "time.",
        "net.",
        "os.",
    ]
    .iter()
    .any(|p| f.starts_with(p))
}

/// First pass over a trace: summary, pauses and the reading error.
fn first_pass(
    visit: impl FnOnce(&mut dyn FnMut(&Event<'_>)) -> Option<String>,
) -> (Summary, Pauses, Option<String>) {
    let mut s = Summarizer::new();
    let mut p = PauseCollector::default();
    let error = visit(&mut |ev| {
        s.event(ev);
        p.event(ev);
    });
    (s.finish(), p.finish(), error)
}

/// The slow tasks and regions of the trace in `data` and why they were slow.
///
/// ```
/// use profile_ops::trace::{Threshold, slow};
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let r = slow(&data, Threshold::Over(20_000));
/// assert!(r.items.iter().any(|i| i.name == "region0"));
/// assert!(!r.summary.is_empty());
/// ```
pub fn slow(data: &[u8], t: Threshold) -> SlowReport {
    let (summary, pauses, error) = first_pass(|f| visit_bytes(data, f));
    let (items, spans) = pick(&summary, &pauses, t);
    let mut finder = BlockFinder::new(spans);
    if !items.is_empty() {
        let _ = visit_bytes(data, |ev| finder.event(ev));
    }
    report(items, finder, t, error)
}

/// [`slow`] of the trace file at `path`, streaming it from disk twice.
pub fn slow_path(path: &Path, t: Threshold) -> std::io::Result<SlowReport> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "trace slow reads the trace twice: give it a regular file, not a stream",
        ));
    }
    let mut io_error = None;
    let (summary, pauses, error) = first_pass(|f| match visit_path(path, f) {
        Ok(e) => e,
        Err(e) => {
            io_error = Some(e);
            None
        }
    });
    if let Some(e) = io_error {
        return Err(e);
    }
    let (items, spans) = pick(&summary, &pauses, t);
    let mut finder = BlockFinder::new(spans);
    if !items.is_empty() {
        visit_path(path, |ev| finder.event(ev))?;
    }
    Ok(report(items, finder, t, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `go122-annotations.trace` worked by hand from its events (`gprofops trace events`):
    /// task `task0` runs from 758720 to 867008 (…521 µs omitted from the times below).
    /// G1 begins it and runs until it blocks in `sync.(*WaitGroup).Wait` at 811072 (woken
    /// at 867712); G9, created at 795136, waits for a proc until 811584, then runs to its
    /// end at 868096 (where it ends the task at 867008). Its regions `unended region`
    /// (829888–868096, ended by G9's exit) and `region0` (845504–866688) are above 20 µs.
    #[test]
    fn annotations_worked_by_hand() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/gotrace/tests/go122-annotations.trace");
        let data = std::fs::read(&path).expect("trace");
        let r = slow(&data, Threshold::Over(20_000));
        assert_eq!(r.error, None);
        let names: Vec<(&str, &str, i64)> = r
            .items
            .iter()
            .map(|i| (i.kind, i.name.as_str(), i.duration_ns))
            .collect();
        assert_eq!(
            names,
            [
                ("task", "task0", 867008 - 758720),
                ("region", "unended region", 868096 - 829888),
                ("region", "region0", 866688 - 845504),
            ]
        );
        let task = &r.items[0];
        let want: BTreeMap<String, i64> = [
            // G1 running 758720–811072, G9 running 811584–867008.
            ("Execution time", (811072 - 758720) + (867008 - 811584)),
            // G9 runnable 795136–811584.
            ("Sched wait time", 811584 - 795136),
            // G1 blocked 811072–867008 (the task ends before G1 wakes).
            ("Block time (sync)", 867008 - 811072),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(task.breakdown, want);
        assert_eq!(task.blocking.len(), 1);
        assert_eq!(task.blocking[0].reason, "sync");
        assert_eq!(
            task.blocking[0].frames,
            ["sync.(*WaitGroup).Wait", "main.main"]
        );
        assert_eq!(task.blocking[0].ns, 867008 - 811072);
        // The regions ran throughout (Go's region statistics).
        assert_eq!(
            r.items[1].breakdown,
            BTreeMap::from([("Execution time".to_string(), 38208)])
        );
        assert_eq!(
            r.items[2].breakdown,
            BTreeMap::from([("Execution time".to_string(), 21184)])
        );
        // The verdict counts the task (its regions are inside it).
        assert_eq!(r.total_ns, 52352 + 55424 + 16448 + 55936);
        let verdict: Vec<(&str, i64)> = r
            .verdict
            .iter()
            .map(|v| (v.category.as_str(), v.ns))
            .collect();
        assert_eq!(
            verdict,
            [
                ("Execution time", 107776),
                ("Block time (sync)", 55936),
                ("Sched wait time", 16448),
            ]
        );
        let sync = &r.verdict[1];
        assert_eq!(
            sync.top_stack.as_ref().map(|s| s.frames[1].as_str()),
            Some("main.main")
        );
        assert_eq!(
            r.summary[2],
            "31 % of that time is Block time (sync) at main.main."
        );
        // The same streaming from disk.
        assert_eq!(slow_path(&path, Threshold::Over(20_000)).expect("path"), r);
    }

    #[test]
    fn percentile_threshold_and_nothing_slow() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/gotrace/tests/go122-annotations.trace");
        let data = std::fs::read(&path).expect("trace");
        // One complete task and one complete region per type: each is its type's p95.
        let r = slow(&data, Threshold::default());
        assert_eq!(r.threshold, "p95");
        assert!(r.items.iter().all(|i| i.duration_ns >= i.threshold_ns));
        assert!(r.items.iter().any(|i| i.name == "region1"));
        let none = slow(&data, Threshold::Over(1 << 40));
        assert!(none.items.is_empty() && none.verdict.is_empty());
        assert_eq!(none.summary.len(), 1);
    }
}
