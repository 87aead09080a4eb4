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
    Event, EventKind, GoState, NO_GOROUTINE, NO_PROC, NO_THREAD, ProcState, Reader, ResourceKind,
    Table, Transition,
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
    let info = TraceInfo {
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
            let mut info = info;
            info.error = Some(e.reason());
            return info;
        }
    };
    let mut s = Summarizer::default();
    // Events are lent (`visit`), not handed over: no reference count per event.
    let read = reader.visit(|ev| s.event(ev));
    s.finish(info, read.map_err(|e| e.reason()))
}

/// No slot yet (in the per-wire-type and per-string-ID caches).
const NO_SLOT: u32 = u32::MAX;

/// The counts of a summary while events stream by: arrays indexed by event kind, wire type
/// and (resource kind, from, to), and names as slots of a [`Names`] table. No event
/// allocates or hashes (but a stop-the-world range's, a few per GC cycle); the strings and
/// maps of [`TraceInfo`] are made once, in [`Summarizer::finish`].
struct Summarizer {
    events_total: u64,
    by_kind: [u64; 16],
    first_ns: Option<i64>,
    last_ns: Option<i64>,
    sync_events: u64,
    goroutines: IdSet,
    procs: IdSet,
    threads: IdSet,
    /// [goroutine, proc][from][to].
    transitions: [[[u64; 6]; 6]; 2],
    transitions_total: u64,
    /// Metric events per wire type, and the metric's name.
    metrics: [(u64, &'static str); 256],
    /// Slot of the range name of each wire type whose name the type decides.
    range_slot: [u32; 256],
    /// RangeBegin count per name slot (names the wire type decides).
    range_begins: Counts,
    /// Stop-the-world RangeBegin count per reason slot (name `stop-the-world (REASON)`).
    stw_begins: Counts,
    /// Begin times of the open stop-the-world ranges, by (reason slot, goroutine).
    stw_open: HashMap<(u32, i64), Vec<i64>, BuildHasherDefault<IdHash>>,
    stw_matched: u64,
    stw_total_ns: i64,
    tasks: u64,
    tasks_ended: u64,
    regions: u64,
    regions_ended: u64,
    logs: u64,
    task_types: Counts,
    region_types: Counts,
    log_categories: Counts,
    names: Names,
}

impl Default for Summarizer {
    fn default() -> Self {
        Summarizer {
            events_total: 0,
            by_kind: [0; 16],
            first_ns: None,
            last_ns: None,
            sync_events: 0,
            goroutines: IdSet::default(),
            procs: IdSet::default(),
            threads: IdSet::default(),
            transitions: [[[0; 6]; 6]; 2],
            transitions_total: 0,
            metrics: [(0, ""); 256],
            range_slot: [NO_SLOT; 256],
            range_begins: Counts::default(),
            stw_begins: Counts::default(),
            stw_open: HashMap::default(),
            stw_matched: 0,
            stw_total_ns: 0,
            tasks: 0,
            tasks_ended: 0,
            regions: 0,
            regions_ended: 0,
            logs: 0,
            task_types: Counts::default(),
            region_types: Counts::default(),
            log_categories: Counts::default(),
            names: Names::default(),
        }
    }
}

impl Summarizer {
    #[inline]
    fn event(&mut self, ev: &Event<'_>) {
        self.events_total += 1;
        let kind = ev.kind();
        self.by_kind[kind as usize & 15] += 1;
        self.first_ns.get_or_insert(ev.time());
        self.last_ns = Some(ev.time());
        if ev.goroutine() != NO_GOROUTINE {
            self.goroutines.insert(ev.goroutine());
        }
        if ev.proc() != NO_PROC {
            self.procs.insert(ev.proc());
        }
        if ev.thread() != NO_THREAD {
            self.threads.insert(ev.thread());
        }
        match kind {
            EventKind::StateTransition => {
                let Some((resource, transition)) = ev.transition() else {
                    return;
                };
                match resource.kind {
                    ResourceKind::Goroutine => self.goroutines.insert(resource.id),
                    ResourceKind::Proc => self.procs.insert(resource.id),
                    ResourceKind::Thread | ResourceKind::None => {}
                }
                let (r, a, b) = match transition {
                    Transition::Goroutine(a, b) => (0, a as usize, b as usize),
                    Transition::Proc(a, b) => (1, a as usize, b as usize),
                };
                self.transitions[r][a % 6][b % 6] += 1;
                self.transitions_total += 1;
            }
            EventKind::Sync => self.sync_events += 1,
            EventKind::Metric => self.metric(ev),
            EventKind::RangeBegin | EventKind::RangeEnd => self.range(ev, kind),
            EventKind::TaskBegin => {
                self.tasks += 1;
                if let Some(id) = ev.name_string_id() {
                    let slot = self.names.of_id(ev, id);
                    self.task_types.add(slot);
                }
            }
            EventKind::TaskEnd => self.tasks_ended += 1,
            EventKind::RegionBegin => {
                self.regions += 1;
                if let Some(id) = ev.name_string_id() {
                    let slot = self.names.of_id(ev, id);
                    self.region_types.add(slot);
                }
            }
            EventKind::RegionEnd => self.regions_ended += 1,
            EventKind::Log => {
                self.logs += 1;
                if let Some(id) = ev.name_string_id() {
                    let slot = self.names.of_id(ev, id);
                    self.log_categories.add(slot);
                }
            }
            _ => {}
        }
    }

    fn metric(&mut self, ev: &Event<'_>) {
        let m = &mut self.metrics[ev.wire_type() as usize];
        if m.0 == 0 {
            // The name depends on the wire type alone: looked up once.
            match ev.metric() {
                Some(metric) => m.1 = metric.name,
                None => return,
            }
        }
        m.0 += 1;
    }

    fn range(&mut self, ev: &Event<'_>, kind: EventKind) {
        let begin = kind == EventKind::RangeBegin;
        if let Some(id) = ev.name_string_id() {
            // Stop-the-world: `stop-the-world (REASON)`, scope the goroutine.
            let slot = self.names.of_id(ev, id);
            let key = (slot, ev.goroutine());
            if begin {
                self.stw_begins.add(slot);
                self.stw_open.entry(key).or_default().push(ev.time());
            } else if let Some(t) = self.stw_open.get_mut(&key).and_then(Vec::pop) {
                self.stw_matched += 1;
                self.stw_total_ns += ev.time() - t;
            }
            return;
        }
        // Other ranges are named by their wire type, and none is a stop-the-world range:
        // only begins count.
        if !begin {
            return;
        }
        let t = ev.wire_type() as usize;
        if self.range_slot[t] == NO_SLOT {
            let Some(r) = ev.range() else { return };
            self.range_slot[t] = self.names.intern(&r.name);
        }
        self.range_begins.add(self.range_slot[t]);
    }

    /// The summary: `info` (file and header fields) with the counts, and `read`'s error.
    fn finish(self, mut info: TraceInfo, read: Result<(), String>) -> TraceInfo {
        let completed = read.is_ok();
        info.error = read.err();
        info.events_total = self.events_total;
        for k in EventKind::ALL {
            info.events_by_kind
                .insert(k.name(), self.by_kind[k as usize & 15]);
        }
        info.first_timestamp_ns = self.first_ns;
        info.last_timestamp_ns = self.last_ns;
        info.sync_events = self.sync_events;
        let names = &self.names.names;
        for &(n, name) in &self.metrics {
            if n > 0 {
                *info.metrics_by_name.entry(name.to_string()).or_default() += n;
            }
        }
        let mut ranges: Vec<(String, u64)> = self.range_begins.named(names).collect();
        ranges.extend(
            self.stw_begins
                .named(names)
                .map(|(reason, n)| (format!("stop-the-world ({reason})"), n)),
        );
        for (name, n) in ranges {
            if name == "GC concurrent mark phase" {
                info.gc_cycles += n;
            }
            if let Some(reason) = name.strip_prefix("stop-the-world (") {
                info.stw.count += n;
                *info
                    .stw
                    .by_reason
                    .entry(reason.trim_end_matches(')').to_string())
                    .or_default() += n;
            }
            *info.range_begins_by_name.entry(name).or_default() += n;
        }
        info.stw.matched = self.stw_matched;
        info.stw.total_duration_ns = self.stw_total_ns;
        let user = &mut info.user;
        user.tasks = self.tasks;
        user.tasks_ended = self.tasks_ended;
        user.regions = self.regions;
        user.regions_ended = self.regions_ended;
        user.logs = self.logs;
        for (counts, map) in [
            (&self.task_types, &mut user.task_types),
            (&self.region_types, &mut user.region_types),
            (&self.log_categories, &mut user.log_categories),
        ] {
            for (name, n) in counts.named(names) {
                *map.entry(name).or_default() += n;
            }
        }
        let (go, proc) = (
            GoState::ALL.map(GoState::name),
            ProcState::ALL.map(ProcState::name),
        );
        for (r, (resource, states)) in [("Goroutine", &go[..]), ("Proc", &proc[..])]
            .into_iter()
            .enumerate()
        {
            for (a, from) in states.iter().enumerate() {
                for (b, to) in states.iter().enumerate() {
                    let n = self.transitions[r][a][b];
                    if n > 0 {
                        info.state_transitions
                            .entry(resource)
                            .or_default()
                            .insert(format!("{from}->{to}"), n);
                    }
                }
            }
        }
        info.state_transitions_total = self.transitions_total;
        info.valid = completed;
        info.generations = if completed {
            info.sync_events.saturating_sub(1)
        } else {
            info.sync_events
        };
        info.goroutines_distinct = self.goroutines.len();
        info.procs_distinct = self.procs.len();
        info.threads_distinct = self.threads.len();
        info
    }
}

/// Counts per name slot.
#[derive(Default)]
struct Counts(Vec<u64>);

impl Counts {
    #[inline]
    fn add(&mut self, slot: u32) {
        let i = slot as usize;
        if i >= self.0.len() {
            self.0.resize(i + 1, 0);
        }
        self.0[i] += 1;
    }

    /// (name, count) of the slots counted.
    fn named<'n>(&'n self, names: &'n [String]) -> impl Iterator<Item = (String, u64)> + 'n {
        self.0
            .iter()
            .zip(names)
            .filter(|(n, _)| **n > 0)
            .map(|(&n, name)| (name.clone(), n))
    }
}

/// String IDs below this are cached in a vector; larger ones (not written by Go's runtime,
/// which numbers a generation's strings from 1) in a map.
const DENSE_IDS: u64 = 1 << 20;

/// Names as Go's reader prints them (lossy UTF-8), each kept once across generations in a
/// slot; a generation's string IDs are resolved to slots once each.
#[derive(Default)]
struct Names {
    slots: HashMap<String, u32>,
    names: Vec<String>,
    /// The generation whose string IDs are cached: (generation, address of its table).
    table: Option<(u64, usize)>,
    /// String ID → slot ([`NO_SLOT`]: not resolved yet) in that generation.
    by_id: Vec<u32>,
    /// The same for IDs from [`DENSE_IDS`] on.
    by_large_id: HashMap<u64, u32, BuildHasherDefault<IdHash>>,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&slot) = self.slots.get(name) {
            return slot;
        }
        let slot = self.names.len() as u32;
        self.names.push(name.to_string());
        self.slots.insert(name.to_string(), slot);
        slot
    }

    /// Slot of string `id` of `ev`'s table (an unknown ID, or no table, is the empty
    /// string, as in [`Event::task`] and the other accessors).
    #[inline]
    fn of_id(&mut self, ev: &Event<'_>, id: u64) -> u32 {
        let table = ev.table();
        let key = (
            ev.generation(),
            table.map_or(0, |t| std::ptr::from_ref(t).addr()),
        );
        if self.table != Some(key) {
            self.table = Some(key);
            self.by_id.clear();
            self.by_large_id.clear();
        }
        match self.by_id.get(id as usize) {
            Some(&slot) if slot != NO_SLOT => slot,
            _ => self.resolve(table, id),
        }
    }

    #[cold]
    fn resolve(&mut self, table: Option<&Table<'_>>, id: u64) -> u32 {
        if id >= DENSE_IDS
            && let Some(&slot) = self.by_large_id.get(&id)
        {
            return slot;
        }
        let bytes = table.and_then(|t| t.string(id)).unwrap_or(b"");
        let slot = self.intern(&String::from_utf8_lossy(bytes));
        if id < DENSE_IDS {
            let i = id as usize;
            if i >= self.by_id.len() {
                self.by_id.resize(i + 1, NO_SLOT);
            }
            self.by_id[i] = slot;
        } else {
            self.by_large_id.insert(id, slot);
        }
        slot
    }
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
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }
}

/// IDs below this are kept in a bit set (at most 2 MiB); others in a hash set.
const DENSE_BITS: i64 = 1 << 24;

/// Distinct IDs: a bit set for the small non-negative IDs Go writes (goroutine, proc and
/// thread IDs), a hash set for any other; consecutive events mostly repeat the last one,
/// which costs no lookup.
#[derive(Default)]
struct IdSet {
    bits: Vec<u64>,
    other: HashSet<i64, BuildHasherDefault<IdHash>>,
    n: u64,
    last: Option<i64>,
}

impl IdSet {
    #[inline]
    fn insert(&mut self, id: i64) {
        if self.last == Some(id) {
            return;
        }
        self.last = Some(id);
        if (0..DENSE_BITS).contains(&id) {
            let (w, bit) = ((id >> 6) as usize, 1u64 << (id & 63));
            if w >= self.bits.len() {
                self.bits.resize(w + 1, 0);
            }
            if self.bits[w] & bit == 0 {
                self.bits[w] |= bit;
                self.n += 1;
            }
        } else if self.other.insert(id) {
            self.n += 1;
        }
    }

    fn len(&self) -> u64 {
        self.n
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

    /// Small IDs go to the bit set, negative and large ones to the hash set; each counts
    /// once.
    #[test]
    fn id_set_counts_distinct_ids() {
        let ids = [5, 5, 0, 63, 64, 5, -7, DENSE_BITS, DENSE_BITS, i64::MAX];
        let mut s = IdSet::default();
        for id in ids.into_iter().chain([-7, 0]) {
            s.insert(id);
        }
        assert_eq!(s.len(), 7);
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
