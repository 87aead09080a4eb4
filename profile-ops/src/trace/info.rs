//! Whole-trace summary: event counts per kind, resources, generations, GC cycles,
//! stop-the-world ranges, user annotations, timestamps and state transitions.
//!
//! The JSON form has the keys and meaning of the corpus oracles (schema
//! `gotrace-oracle/1`, `../shared/tools/oracle/gotrace_oracle/README.md`), so a summary of
//! a corpus trace equals its `.oracle.json`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

use crate::gotrace::{
    EventKind, NO_GOROUTINE, NO_PROC, NO_THREAD, Reader, ResourceKind, Transition,
};

/// Stop-the-world statistics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stw {
    /// RangeBegin events named `stop-the-world (...)`.
    pub count: u64,
    /// Begin/end pairs matched by (name, scope).
    pub matched: u64,
    /// Sum of the matched pairs' durations in ns.
    pub total_duration_ns: i64,
    /// Count per reason (the text in parentheses).
    pub by_reason: BTreeMap<String, u64>,
}

/// User annotation counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct User {
    /// TaskBegin events.
    pub tasks: u64,
    /// TaskEnd events.
    pub tasks_ended: u64,
    /// RegionBegin events.
    pub regions: u64,
    /// RegionEnd events.
    pub regions_ended: u64,
    /// Log events.
    pub logs: u64,
    /// TaskBegin count per task type.
    pub task_types: BTreeMap<String, u64>,
    /// RegionBegin count per region type.
    pub region_types: BTreeMap<String, u64>,
    /// Log count per category.
    pub log_categories: BTreeMap<String, u64>,
}

/// Summary of one trace. Its JSON form (`serde`) is a `gotrace-oracle/1` document: these
/// fields after `"schema": "gotrace-oracle/1"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceInfo {
    /// [`TraceInfo::SCHEMA`], for the JSON form only: the document's format is not a
    /// property of the trace, so it is not a public field.
    schema: &'static str,
    /// Base name of the file.
    pub file: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// First 16 bytes without NULs, e.g. `go 1.26 trace`.
    pub header: String,
    /// Version part of the header, e.g. `1.26` (empty if the header is not a trace header).
    pub go_version: String,
    /// Whether the whole trace was read without error.
    pub valid: bool,
    /// The error that stopped reading, in Go's wording.
    pub error: Option<String>,
    /// Events read (including Sync events).
    pub events_total: u64,
    /// Count per event kind (every kind present).
    pub events_by_kind: BTreeMap<&'static str, u64>,
    /// Sync events.
    pub sync_events: u64,
    /// Generations (complete trace: sync events − 1).
    pub generations: u64,
    /// Distinct goroutines seen.
    pub goroutines_distinct: u64,
    /// Distinct procs seen.
    pub procs_distinct: u64,
    /// Distinct threads seen.
    pub threads_distinct: u64,
    /// GC cycles (`GC concurrent mark phase` range begins).
    pub gc_cycles: u64,
    /// Stop-the-world statistics.
    pub stw: Stw,
    /// User annotations.
    pub user: User,
    /// RangeBegin count per range name.
    pub range_begins_by_name: BTreeMap<String, u64>,
    /// Metric event count per metric name.
    pub metrics_by_name: BTreeMap<String, u64>,
    /// Time of the first event in ns.
    pub first_timestamp_ns: Option<i64>,
    /// Time of the last event in ns.
    pub last_timestamp_ns: Option<i64>,
    /// `{resource kind: {"From->To": count}}`.
    pub state_transitions: BTreeMap<&'static str, BTreeMap<String, u64>>,
    /// StateTransition events.
    pub state_transitions_total: u64,
}

impl TraceInfo {
    /// The format of the JSON form, as the corpus oracles name it.
    pub const SCHEMA: &'static str = "gotrace-oracle/1";
}

/// Summarises the trace in `data` (streaming, one generation in memory at a time).
///
/// A trace that fails to parse still gets a summary: `valid` is false, `error` says why,
/// and the counts cover the events read before the error.
///
/// ```
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let info = profile_ops::trace::trace_info(&data, "go122-annotations.trace");
/// assert!(info.valid);
/// assert_eq!(info.header, "go 1.22 trace");
/// assert!(info.user.tasks > 0);
/// ```
pub fn trace_info(data: &[u8], file: &str) -> TraceInfo {
    summarize(
        Reader::new(data),
        &data[..data.len().min(16)],
        data.len() as u64,
        file,
    )
}

/// Summarises the trace file at `path`, streaming it from disk: memory stays bounded by
/// the largest generation, whatever the file's size. A FIFO or a pipe is read as a stream
/// (its `size_bytes` is then the bytes read).
///
/// ```
/// # let p = std::path::Path::new("../examples/data/annotations.trace").to_path_buf();
/// let info = profile_ops::trace::trace_info_path(&p).unwrap();
/// let data = std::fs::read(&p).unwrap();
/// assert_eq!(info, profile_ops::trace::trace_info(&data, "annotations.trace"));
/// ```
pub fn trace_info_path(path: &std::path::Path) -> std::io::Result<TraceInfo> {
    use std::io::Read;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    // Read once, never seeked, so a FIFO or a pipe works too; its size is what was read.
    let mut header = Vec::with_capacity(16);
    (&mut file).take(16).read_to_end(&mut header)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let read = Arc::new(AtomicU64::new(header.len() as u64));
    let rest = Counted {
        r: std::io::BufReader::with_capacity(1 << 16, file),
        n: read.clone(),
    };
    let reader = Reader::from_reader(std::io::Cursor::new(header.clone()).chain(rest));
    let size = if meta.is_file() { meta.len() } else { 0 };
    let mut info = summarize(reader, &header, size, &name);
    if !meta.is_file() {
        info.size_bytes = read.load(Ordering::Relaxed);
    }
    Ok(info)
}

/// A reader that counts the bytes it hands out (the size of a stream).
struct Counted<R> {
    r: R,
    n: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.r.read(buf)?;
        self.n
            .fetch_add(k as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(k)
    }
}

fn summarize(
    reader: Result<Reader<'_>, crate::gotrace::Error>,
    header: &[u8],
    size: u64,
    file: &str,
) -> TraceInfo {
    let header: String = String::from_utf8_lossy(header)
        .trim_end_matches('\0')
        .to_string();
    let go_version = header
        .strip_prefix("go ")
        .and_then(|h| h.strip_suffix(" trace"))
        .unwrap_or("")
        .to_string();
    let mut info = TraceInfo {
        schema: TraceInfo::SCHEMA,
        file: file.to_string(),
        size_bytes: size,
        header,
        go_version,
        valid: false,
        error: None,
        events_total: 0,
        events_by_kind: EventKind::ALL.iter().map(|k| (k.name(), 0)).collect(),
        sync_events: 0,
        generations: 0,
        goroutines_distinct: 0,
        procs_distinct: 0,
        threads_distinct: 0,
        gc_cycles: 0,
        stw: Stw::default(),
        user: User::default(),
        range_begins_by_name: BTreeMap::new(),
        metrics_by_name: BTreeMap::new(),
        first_timestamp_ns: None,
        last_timestamp_ns: None,
        state_transitions: BTreeMap::new(),
        state_transitions_total: 0,
    };
    let mut reader = match reader {
        Ok(r) => r,
        Err(e) => {
            info.error = Some(e.reason());
            return info;
        }
    };
    let (mut gs, mut ps, mut ts) = (IdSet::default(), IdSet::default(), IdSet::default());
    let mut by_kind = [0u64; 16];
    // [goroutine, proc][from][to] → (from name, to name, count).
    let mut transitions = [[[None::<(&'static str, &'static str, u64)>; 6]; 6]; 2];
    let mut open: HashMap<(String, String), Vec<i64>> = HashMap::new();
    // Events are lent (`visit`), not handed over: no reference count per event.
    let read = reader.visit(|ev| {
        info.events_total += 1;
        by_kind[ev.kind() as usize & 15] += 1;
        info.first_timestamp_ns.get_or_insert(ev.time());
        info.last_timestamp_ns = Some(ev.time());
        if ev.goroutine() != NO_GOROUTINE {
            gs.insert(ev.goroutine());
        }
        if ev.proc() != NO_PROC {
            ps.insert(ev.proc());
        }
        if ev.thread() != NO_THREAD {
            ts.insert(ev.thread());
        }
        match ev.kind() {
            EventKind::Sync => info.sync_events += 1,
            EventKind::Metric => {
                if let Some(m) = ev.metric() {
                    *info.metrics_by_name.entry(m.name.to_string()).or_default() += 1;
                }
            }
            EventKind::RangeBegin | EventKind::RangeEnd => {
                let Some(r) = ev.range() else { return };
                let key = (r.name.to_string(), r.scope.to_string());
                let stw_reason = r
                    .name
                    .strip_prefix("stop-the-world (")
                    .map(|s| s.trim_end_matches(')').to_string());
                if ev.kind() == EventKind::RangeBegin {
                    *info.range_begins_by_name.entry(key.0.clone()).or_default() += 1;
                    if r.name == "GC concurrent mark phase" {
                        info.gc_cycles += 1;
                    }
                    if let Some(reason) = stw_reason {
                        info.stw.count += 1;
                        *info.stw.by_reason.entry(reason).or_default() += 1;
                    }
                    open.entry(key).or_default().push(ev.time());
                } else if let Some(begin) = open.get_mut(&key).and_then(Vec::pop)
                    && stw_reason.is_some()
                {
                    info.stw.matched += 1;
                    info.stw.total_duration_ns += ev.time() - begin;
                }
            }
            EventKind::TaskBegin => {
                info.user.tasks += 1;
                if let Some(t) = ev.task() {
                    *info
                        .user
                        .task_types
                        .entry(t.task_type.into_owned())
                        .or_default() += 1;
                }
            }
            EventKind::TaskEnd => info.user.tasks_ended += 1,
            EventKind::RegionBegin => {
                info.user.regions += 1;
                if let Some(r) = ev.region() {
                    *info
                        .user
                        .region_types
                        .entry(r.region_type.into_owned())
                        .or_default() += 1;
                }
            }
            EventKind::RegionEnd => info.user.regions_ended += 1,
            EventKind::Log => {
                info.user.logs += 1;
                if let Some(l) = ev.log() {
                    *info
                        .user
                        .log_categories
                        .entry(l.category.into_owned())
                        .or_default() += 1;
                }
            }
            EventKind::StateTransition => {
                let Some(st) = ev.state_transition() else {
                    return;
                };
                match st.resource.kind {
                    ResourceKind::Goroutine => gs.insert(st.resource.id),
                    ResourceKind::Proc => ps.insert(st.resource.id),
                    ResourceKind::Thread | ResourceKind::None => {}
                }
                let (r, a, b, an, bn) = match st.transition {
                    Transition::Goroutine(a, b) => (0, a as usize, b as usize, a.name(), b.name()),
                    Transition::Proc(a, b) => (1, a as usize, b as usize, a.name(), b.name()),
                };
                transitions[r][a % 6][b % 6].get_or_insert((an, bn, 0)).2 += 1;
                info.state_transitions_total += 1;
            }
            _ => {}
        }
    });
    let completed = match read {
        Ok(()) => true,
        Err(e) => {
            info.error = Some(e.reason());
            false
        }
    };
    for k in EventKind::ALL {
        info.events_by_kind
            .insert(k.name(), by_kind[k as usize & 15]);
    }
    for (r, res) in transitions.iter().enumerate() {
        for (a, b, n) in res.iter().flatten().flatten() {
            let name = if r == 0 { "Goroutine" } else { "Proc" };
            info.state_transitions
                .entry(name)
                .or_default()
                .insert(format!("{a}->{b}"), *n);
        }
    }
    info.valid = completed;
    info.generations = if completed {
        info.sync_events.saturating_sub(1)
    } else {
        info.sync_events
    };
    info.goroutines_distinct = gs.len();
    info.procs_distinct = ps.len();
    info.threads_distinct = ts.len();
    info
}

/// Multiply-rotate hasher for integer IDs.
#[derive(Default)]
struct IdHash(u64);

impl Hasher for IdHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }
}

/// Distinct IDs; consecutive events mostly repeat the last one, which costs no lookup.
#[derive(Default)]
struct IdSet {
    set: HashSet<i64, BuildHasherDefault<IdHash>>,
    last: Option<i64>,
}

impl IdSet {
    fn insert(&mut self, id: i64) {
        if self.last != Some(id) {
            self.set.insert(id);
            self.last = Some(id);
        }
    }

    fn len(&self) -> u64 {
        self.set.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn corpus() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/gotrace")
    }

    /// Every corpus trace's summary (v2, and v1 converted) equals its `.oracle.json`, key
    /// for key.
    #[test]
    fn corpus_summaries_equal_oracles() {
        let (mut checked, mut checked_v1) = (0, 0);
        let mut failures = Vec::new();
        for dir in ["tests", "generated", "external", "fuzz", "v1"] {
            for e in std::fs::read_dir(corpus().join(dir)).expect("corpus dir") {
                let p = e.expect("entry").path();
                if p.extension().is_none_or(|x| x != "trace") {
                    continue;
                }
                let data = std::fs::read(&p).expect("trace");
                if crate::gotrace::Version::detect(&data).is_ok_and(|v| !v.is_v2()) {
                    checked_v1 += 1;
                }
                let oracle: serde_json::Value = serde_json::from_slice(
                    &std::fs::read(p.with_extension("trace.oracle.json")).expect("oracle"),
                )
                .expect("json");
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let ours = serde_json::to_value(trace_info(&data, name)).expect("serialize");
                if ours != oracle {
                    failures.push(format!(
                        "{}:\n  oracle {oracle}\n  ours   {ours}",
                        p.display()
                    ));
                }
                checked += 1;
            }
        }
        assert!(checked >= 69, "{checked}");
        assert!(checked_v1 >= 27, "{checked_v1}");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn not_a_trace() {
        let info = trace_info(b"hello", "x");
        assert!(!info.valid);
        assert_eq!(
            info.error.as_deref(),
            Some("bad file format: not a Go execution trace?")
        );
        assert_eq!(info.go_version, "");
        assert_eq!(info.events_total, 0);
    }
}
