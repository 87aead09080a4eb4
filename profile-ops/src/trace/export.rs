//! Exports for viewers and dashboards: each goroutine's timeline as spans of one state
//! (JSON lines), and the whole trace as Chrome/Perfetto trace-event JSON (opens in
//! ui.perfetto.dev and chrome://tracing). Both stream: spans are written as they close.
//!
//! The trace-event file has three processes: `Goroutines` (one thread per goroutine, named
//! after its start function, with a slice per state — `Running`, `Runnable`, `Waiting
//! (REASON)`, `Syscall` — user regions as async slices and task logs as instants),
//! `Procs` (one thread per proc, a slice per goroutine run on it) and `Runtime` (GC
//! cycles, stop-the-world pauses and user tasks as slices and async slices, runtime
//! metrics as counters).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};

use super::analysis::{visit_bytes, visit_path};
use crate::gotrace::{Event, EventKind, GoId, GoState, Transition};

/// A goroutine's time in one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateSpan {
    /// Goroutine.
    pub g: GoId,
    /// `Running`, `Runnable`, `Waiting` or `Syscall`.
    pub state: &'static str,
    /// Why it waits or stopped (`chan receive`, `preempted`, ...; empty if not said).
    pub reason: String,
    /// Begin (ns).
    pub start_ns: i64,
    /// End (ns).
    pub end_ns: i64,
    /// Proc it ran or entered the syscall on (−1 if none).
    pub proc: i64,
}

/// Follows goroutine states and closes spans.
#[derive(Debug, Default)]
struct Spans {
    open: HashMap<GoId, (GoState, String, i64, i64)>,
    last: i64,
}

impl Spans {
    /// The span the transition closes, if any.
    fn transition(
        &mut self,
        ev: &Event<'_>,
        g: GoId,
        new: GoState,
        reason: &str,
    ) -> Option<StateSpan> {
        let t = ev.time();
        let opened = matches!(
            new,
            GoState::Running | GoState::Runnable | GoState::Waiting | GoState::Syscall
        )
        .then(|| (new, reason.to_string(), t, ev.proc()));
        let old = match opened {
            Some(o) => self.open.insert(g, o),
            None => self.open.remove(&g),
        };
        let (state, reason, start, proc) = old?;
        Some(StateSpan {
            g,
            state: state.name(),
            reason,
            start_ns: start,
            end_ns: t,
            proc,
        })
    }

    /// The spans still open at the last event, by goroutine.
    fn close_all(&mut self) -> Vec<StateSpan> {
        let last = self.last;
        let mut v: Vec<StateSpan> = self
            .open
            .drain()
            .map(|(g, (state, reason, start, proc))| StateSpan {
                g,
                state: state.name(),
                reason,
                start_ns: start,
                end_ns: last,
                proc,
            })
            .collect();
        v.sort_by_key(|s| s.g);
        v
    }
}

/// Writes each goroutine's state spans as JSON lines (`{"g", "state", "reason",
/// "start_ns", "end_ns", "proc"}`), in the order they end; returns the error that stopped
/// reading the trace, if any (the spans then end at the last event read).
///
/// ```
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let mut out = Vec::new();
/// let error = profile_ops::trace::write_timeline(&data, &mut out).unwrap();
/// assert!(error.is_none());
/// let first: serde_json::Value = serde_json::from_slice(out.split(|&b| b == b'\n').next().unwrap()).unwrap();
/// assert!(first["end_ns"].as_i64() >= first["start_ns"].as_i64());
/// ```
pub fn write_timeline(data: &[u8], out: impl Write) -> io::Result<Option<String>> {
    timeline_with(|f| Ok(visit_bytes(data, f)), out)
}

/// [`write_timeline`] of the trace file at `path`, streaming it from disk.
pub fn write_timeline_path(path: &Path, out: impl Write) -> io::Result<Option<String>> {
    timeline_with(|f| visit_path(path, f), out)
}

type Visit<'v> = &'v mut dyn FnMut(&Event<'_>);

fn timeline_with(
    visit: impl FnOnce(Visit<'_>) -> io::Result<Option<String>>,
    mut out: impl Write,
) -> io::Result<Option<String>> {
    let mut spans = Spans::default();
    let mut failed: Option<io::Error> = None;
    let emit = |s: &StateSpan, out: &mut dyn Write| -> io::Result<()> {
        serde_json::to_writer(&mut *out, s)?;
        out.write_all(b"\n")
    };
    let error = visit(&mut |ev| {
        spans.last = ev.time();
        if failed.is_some() {
            return;
        }
        if let Some(st) = ev.state_transition()
            && let Transition::Goroutine(_, new) = st.transition
            && let Some(s) = spans.transition(ev, st.resource.id, new, &st.reason)
            && let Err(e) = emit(&s, &mut out)
        {
            failed = Some(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    for s in spans.close_all() {
        emit(&s, &mut out)?;
    }
    out.flush()?;
    Ok(error)
}

/// Process IDs of the trace-event file.
const PID_GOROUTINES: i64 = 1;
const PID_PROCS: i64 = 2;
const PID_RUNTIME: i64 = 3;
/// Threads of the `Runtime` process.
const TID_GC: i64 = 1;
const TID_STW: i64 = 2;
const TID_TASKS: i64 = 3;

/// Nanoseconds as the format's microseconds (a JSON number, nanosecond precision).
fn us(ns: i64) -> Value {
    let v = ns as f64 / 1000.0;
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// Writes trace events, comma-separated, into the `traceEvents` array.
struct EventWriter<W: Write> {
    out: W,
    first: bool,
    error: Option<io::Error>,
}

impl<W: Write> EventWriter<W> {
    fn put(&mut self, v: &Value) {
        if self.error.is_some() {
            return;
        }
        let r = (|| {
            if !self.first {
                self.out.write_all(b",\n")?;
            }
            self.first = false;
            serde_json::to_writer(&mut self.out, v)?;
            Ok(())
        })();
        if let Err(e) = r {
            self.error = Some(e);
        }
    }
}

/// Everything the Perfetto writer follows while streaming.
struct PerfettoState<W: Write> {
    w: EventWriter<W>,
    spans: Spans,
    named: HashMap<GoId, bool>,
    procs: HashMap<i64, ()>,
    /// Open ranges of the `Runtime` process by (name, scope): begin times.
    ranges: HashMap<(String, String), Vec<i64>>,
    /// Open regions per goroutine: async IDs.
    regions: HashMap<GoId, Vec<(u64, String)>>,
    next_id: u64,
    /// Tasks begun in the trace and not ended yet.
    tasks: HashMap<u64, ()>,
}

impl<W: Write> PerfettoState<W> {
    fn thread_name(&mut self, pid: i64, tid: i64, name: &str) {
        self.w.put(&json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": name}}));
    }

    fn goroutine(&mut self, g: GoId, root: Option<&str>) {
        let named = self.named.get(&g).copied();
        match (named, root) {
            (Some(true), _) | (Some(false), None) => {}
            (None, None) => {
                self.named.insert(g, false);
                self.thread_name(PID_GOROUTINES, g, &format!("G{g}"));
            }
            (_, Some(f)) => {
                self.named.insert(g, true);
                self.thread_name(PID_GOROUTINES, g, &format!("G{g} {f}"));
            }
        }
    }

    fn span(&mut self, s: &StateSpan) {
        let name = match (s.state, s.reason.as_str()) {
            ("Waiting", "") => "Waiting".to_string(),
            ("Waiting", r) => format!("Waiting ({r})"),
            (st, _) => st.to_string(),
        };
        self.w.put(&json!({
            "ph": "X", "name": name, "cat": "goroutine", "pid": PID_GOROUTINES, "tid": s.g,
            "ts": us(s.start_ns), "dur": us(s.end_ns - s.start_ns),
            "args": {"reason": s.reason, "proc": s.proc},
        }));
        if s.state == "Running" && s.proc >= 0 {
            if self.procs.insert(s.proc, ()).is_none() {
                self.thread_name(PID_PROCS, s.proc, &format!("P{}", s.proc));
            }
            self.w.put(&json!({
                "ph": "X", "name": format!("G{}", s.g), "cat": "proc", "pid": PID_PROCS,
                "tid": s.proc, "ts": us(s.start_ns), "dur": us(s.end_ns - s.start_ns),
                "args": {"goroutine": s.g},
            }));
        }
    }

    fn event(&mut self, ev: &Event<'_>) {
        let t = ev.time();
        self.spans.last = t;
        match ev.kind() {
            EventKind::StateTransition => {
                let Some(st) = ev.state_transition() else {
                    return;
                };
                let Transition::Goroutine(_, new) = st.transition else {
                    return;
                };
                let g = st.resource.id;
                let root = st
                    .stack
                    .and_then(|s| s.frames().last())
                    .map(|f| String::from_utf8_lossy(f.func).into_owned());
                self.goroutine(g, root.as_deref());
                if let Some(s) = self.spans.transition(ev, g, new, &st.reason) {
                    self.span(&s);
                }
            }
            EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => {
                let Some(r) = ev.range() else { return };
                let tid = if r.name.starts_with("stop-the-world") {
                    TID_STW
                } else if r.name == "GC concurrent mark phase" {
                    TID_GC
                } else {
                    return;
                };
                let key = (r.name.to_string(), r.scope.to_string());
                if ev.kind() == EventKind::RangeEnd {
                    if let Some(t0) = self.ranges.get_mut(&key).and_then(Vec::pop) {
                        self.w.put(&json!({
                            "ph": "X", "name": r.name, "cat": "gc", "pid": PID_RUNTIME,
                            "tid": tid, "ts": us(t0), "dur": us(t - t0), "args": {},
                        }));
                    }
                } else {
                    self.ranges.entry(key).or_default().push(t);
                }
            }
            EventKind::TaskBegin | EventKind::TaskEnd => {
                let Some(task) = ev.task() else { return };
                let ph = if ev.kind() == EventKind::TaskBegin {
                    self.tasks.insert(task.id, ());
                    "b"
                } else if self.tasks.remove(&task.id).is_some() {
                    "e"
                } else {
                    // The task began before the trace: its end is an instant.
                    self.w.put(&json!({
                        "ph": "i", "s": "p", "name": format!("end of task {}", task.id),
                        "cat": "task", "pid": PID_RUNTIME, "tid": TID_TASKS, "ts": us(t),
                        "args": {"task": task.id, "goroutine": ev.goroutine()},
                    }));
                    return;
                };
                self.w.put(&json!({
                    "ph": ph, "name": task.task_type, "cat": "task", "id": task.id,
                    "pid": PID_RUNTIME, "tid": TID_TASKS, "ts": us(t),
                    "args": {"task": task.id, "goroutine": ev.goroutine()},
                }));
            }
            EventKind::RegionBegin => {
                let Some(r) = ev.region() else { return };
                let g = ev.goroutine();
                self.goroutine(g, None);
                self.next_id += 1;
                let id = self.next_id;
                self.regions
                    .entry(g)
                    .or_default()
                    .push((id, r.region_type.to_string()));
                self.w.put(&json!({
                    "ph": "b", "name": r.region_type, "cat": "region", "id": id,
                    "pid": PID_GOROUTINES, "tid": g, "ts": us(t), "args": {"task": r.task},
                }));
            }
            EventKind::RegionEnd => {
                let g = ev.goroutine();
                if let Some((id, name)) = self.regions.get_mut(&g).and_then(Vec::pop) {
                    self.w.put(&json!({
                        "ph": "e", "name": name, "cat": "region", "id": id,
                        "pid": PID_GOROUTINES, "tid": g, "ts": us(t),
                    }));
                }
            }
            EventKind::Log => {
                let Some(l) = ev.log() else { return };
                let g = ev.goroutine();
                self.goroutine(g, None);
                self.w.put(&json!({
                    "ph": "i", "s": "t", "name": l.category, "cat": "log",
                    "pid": PID_GOROUTINES, "tid": g, "ts": us(t),
                    "args": {"message": l.message, "task": l.task},
                }));
            }
            EventKind::Metric => {
                let Some(m) = ev.metric() else { return };
                self.w.put(&json!({
                    "ph": "C", "name": m.name, "pid": PID_RUNTIME, "ts": us(t),
                    "args": {"value": m.value},
                }));
            }
            _ => {}
        }
    }
}

/// Writes the trace as Chrome/Perfetto trace-event JSON (`{"traceEvents": [...],
/// "displayTimeUnit": "ns"}`); returns the error that stopped reading the trace, if any
/// (the file then shows the events before it).
///
/// ```
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let mut out = Vec::new();
/// profile_ops::trace::write_perfetto(&data, &mut out).unwrap();
/// let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
/// assert!(v["traceEvents"].as_array().unwrap().iter().any(|e| e["ph"] == "X"));
/// ```
pub fn write_perfetto(data: &[u8], out: impl Write) -> io::Result<Option<String>> {
    perfetto_with(|f| Ok(visit_bytes(data, f)), out)
}

/// [`write_perfetto`] of the trace file at `path`, streaming it from disk.
pub fn write_perfetto_path(path: &Path, out: impl Write) -> io::Result<Option<String>> {
    perfetto_with(|f| visit_path(path, f), out)
}

fn perfetto_with<W: Write>(
    visit: impl FnOnce(Visit<'_>) -> io::Result<Option<String>>,
    mut out: W,
) -> io::Result<Option<String>> {
    out.write_all(b"{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n")?;
    let mut st = PerfettoState {
        w: EventWriter {
            out,
            first: true,
            error: None,
        },
        spans: Spans::default(),
        named: HashMap::new(),
        procs: HashMap::new(),
        ranges: HashMap::new(),
        regions: HashMap::new(),
        next_id: 0,
        tasks: HashMap::new(),
    };
    for (pid, name) in [
        (PID_GOROUTINES, "Goroutines"),
        (PID_PROCS, "Procs"),
        (PID_RUNTIME, "Runtime"),
    ] {
        st.w.put(&json!({"ph": "M", "name": "process_name", "pid": pid, "args": {"name": name}}));
    }
    for (tid, name) in [
        (TID_GC, "GC"),
        (TID_STW, "Stop-the-world"),
        (TID_TASKS, "Tasks"),
    ] {
        st.thread_name(PID_RUNTIME, tid, name);
    }
    let error = visit(&mut |ev| st.event(ev))?;
    for s in st.spans.close_all() {
        st.span(&s);
    }
    if let Some(e) = st.w.error.take() {
        return Err(e);
    }
    let mut out = st.w.out;
    out.write_all(b"\n]}\n")?;
    out.flush()?;
    Ok(error)
}
