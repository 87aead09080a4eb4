//! `gprofops.Trace`: a Go execution trace.

use std::io::{BufReader, Cursor};
use std::path::PathBuf;
use std::sync::Mutex;

use bytes::Bytes;
use profile_ops::gotrace::{self, EventKind, Reader};
use profile_ops::pprof::AtomicFile;
use profile_ops::trace::{
    Analysis, ExecStats, MmuCurve, MmuPoint, PprofConverter, PprofKind, Summary, Threshold,
    UtilFlags, analyze, analyze_path, event_json, metrics, metrics_path, mutator_utilization,
    mutator_utilization_path, pauses, pauses_path, slow, slow_path, summarize, summarize_path,
    trace_info, trace_info_path, write_perfetto, write_perfetto_path, write_timeline,
    write_timeline_path,
};
use pyo3::prelude::*;

use crate::errors::{InvalidTraceError, ops_err, os_error, pprof_err, trace_err};
use crate::input::Source;
use crate::profile::to_py;
use crate::table::{Col, StrCol, Validity};

enum Data {
    Path(PathBuf),
    Bytes(Bytes),
}

/// A Go execution trace (`runtime/trace`, `go test -trace`, the flight recorder): Go 1.22+
/// traces and v1 traces (Go 1.11–1.21, converted to the same events).
///
/// Loading checks the header only; events are decoded as they are read, one generation
/// in memory at a time for files.
#[pyclass(frozen, module = "gprofops", name = "Trace")]
pub struct Trace {
    data: Data,
    name: String,
}

fn io_err(path: &std::path::Path, e: std::io::Error) -> PyErr {
    os_error(e.kind(), format!("{}: {e}", path.display()))
}

/// A trace that stopped at an error (Go's wording).
fn invalid(e: String) -> PyErr {
    InvalidTraceError::new_err(e)
}

impl Trace {
    fn reader(&self) -> PyResult<Reader<'static>> {
        match &self.data {
            Data::Path(p) => {
                let f = std::fs::File::open(p).map_err(|e| io_err(p, e))?;
                Reader::from_reader(BufReader::with_capacity(1 << 16, f)).map_err(trace_err)
            }
            Data::Bytes(b) => Reader::from_reader(Cursor::new(b.clone())).map_err(trace_err),
        }
    }

    /// The goroutine, task and region analysis (partial, with `error`, if the trace
    /// stops at an error).
    fn analysis_doc(&self) -> PyResult<Analysis> {
        match &self.data {
            Data::Path(p) => analyze_path(p).map_err(|e| io_err(p, e)),
            Data::Bytes(b) => Ok(analyze(b, &self.name)),
        }
    }

    fn summary_doc(&self) -> PyResult<Summary> {
        match &self.data {
            Data::Path(p) => match summarize_path(p).map_err(|e| io_err(p, e))? {
                (s, None) => Ok(s),
                (_, Some(e)) => Err(invalid(e)),
            },
            Data::Bytes(b) => summarize(b).map_err(trace_err),
        }
    }

    fn metric_series(&self) -> PyResult<profile_ops::trace::MetricSeries> {
        let (m, error) = match &self.data {
            Data::Path(p) => metrics_path(p).map_err(|e| io_err(p, e))?,
            Data::Bytes(b) => metrics(b),
        };
        match error {
            Some(e) => Err(invalid(e)),
            None => Ok(m),
        }
    }

    fn task_columns(&self) -> PyResult<Vec<(String, Col)>> {
        let s = self.summary_doc()?;
        let t = &s.tasks;
        let mut names = StrCol::new();
        for x in t {
            names.push(x.name.as_bytes())?;
        }
        let opt = |f: fn(&profile_ops::trace::TaskSummary) -> Option<i64>| {
            let (v, valid) = Validity::split(t.iter().map(f));
            Col::I64(v, valid)
        };
        Ok(vec![
            ("id".into(), Col::U64(t.iter().map(|x| x.id).collect())),
            ("name".into(), Col::Str(names)),
            (
                "parent".into(),
                Col::U64(t.iter().map(|x| x.parent.unwrap_or(u64::MAX)).collect()),
            ),
            ("start_ns".into(), opt(|x| x.start_ns)),
            ("end_ns".into(), opt(|x| x.end_ns)),
            ("duration_ns".into(), opt(|x| x.duration_ns())),
            (
                "regions".into(),
                Col::U64(t.iter().map(|x| x.regions).collect()),
            ),
            (
                "logs".into(),
                Col::U64(t.iter().map(|x| x.logs.len() as u64).collect()),
            ),
            (
                "goroutines".into(),
                Col::U64(t.iter().map(|x| x.goroutines.len() as u64).collect()),
            ),
        ])
    }

    fn region_columns(&self) -> PyResult<Vec<(String, Col)>> {
        let s = self.summary_doc()?;
        let rows: Vec<(i64, &profile_ops::trace::RegionSummary)> = s
            .goroutines
            .iter()
            .flat_map(|g| g.regions.iter().map(move |r| (g.id, r)))
            .collect();
        let mut names = StrCol::new();
        for (_, r) in &rows {
            names.push(r.name.as_bytes())?;
        }
        let opt = |f: &dyn Fn(&profile_ops::trace::RegionSummary) -> Option<i64>| {
            let (v, valid) = Validity::split(rows.iter().map(|(_, r)| f(r)));
            Col::I64(v, valid)
        };
        let i = |f: &dyn Fn(&ExecStats) -> i64| {
            Col::I64(
                rows.iter().map(|(_, r)| f(&r.stats)).collect(),
                Validity::default(),
            )
        };
        Ok(vec![
            (
                "goroutine".into(),
                Col::I64(rows.iter().map(|(g, _)| *g).collect(), Validity::default()),
            ),
            (
                "task".into(),
                Col::U64(rows.iter().map(|(_, r)| r.task).collect()),
            ),
            ("name".into(), Col::Str(names)),
            ("start_ns".into(), opt(&|r| r.start_ns)),
            ("end_ns".into(), opt(&|r| r.end_ns)),
            ("duration_ns".into(), opt(&|r| r.duration_ns())),
            ("exec_ns".into(), i(&|x| x.exec_ns)),
            ("sched_wait_ns".into(), i(&|x| x.sched_wait_ns)),
            (
                "block_ns".into(),
                i(&|x| x.block_ns.values().fold(0i64, |a, b| a.wrapping_add(*b))),
            ),
            ("syscall_ns".into(), i(&|x| x.syscall_ns)),
            ("syscall_block_ns".into(), i(&|x| x.syscall_block_ns)),
            ("unknown_ns".into(), i(&|x| x.unknown_ns())),
        ])
    }

    fn goroutine_columns(&self) -> PyResult<Vec<(String, Col)>> {
        let s = self.summary_doc()?;
        let g = &s.goroutines;
        let i = |f: fn(&profile_ops::trace::GoroutineSummary) -> i64| {
            Col::I64(g.iter().map(f).collect(), Validity::default())
        };
        let mut names = StrCol::new();
        for x in g {
            names.push(x.name.as_bytes())?;
        }
        let (end, end_valid) =
            Validity::split(g.iter().map(|x| (x.end_ns != 0).then_some(x.end_ns)));
        let (start, start_valid) =
            Validity::split(g.iter().map(|x| (x.start_ns != 0).then_some(x.start_ns)));
        Ok(vec![
            ("id".into(), i(|x| x.id)),
            ("name".into(), Col::Str(names)),
            ("creation_ns".into(), i(|x| x.creation_ns)),
            ("start_ns".into(), Col::I64(start, start_valid)),
            ("end_ns".into(), Col::I64(end, end_valid)),
            ("total_ns".into(), i(|x| x.stats.total_ns)),
            ("exec_ns".into(), i(|x| x.stats.exec_ns)),
            ("sched_wait_ns".into(), i(|x| x.stats.sched_wait_ns)),
            (
                "block_ns".into(),
                i(|x| {
                    x.stats
                        .block_ns
                        .values()
                        .fold(0i64, |a, b| a.wrapping_add(*b))
                }),
            ),
            ("syscall_ns".into(), i(|x| x.stats.syscall_ns)),
            ("syscall_block_ns".into(), i(|x| x.stats.syscall_block_ns)),
            ("unknown_ns".into(), i(|x| x.stats.unknown_ns())),
            (
                "range_ns".into(),
                i(|x| {
                    x.stats
                        .range_ns
                        .values()
                        .fold(0i64, |a, b| a.wrapping_add(*b))
                }),
            ),
            ("regions".into(), i(|x| x.regions.len() as i64)),
        ])
    }

    fn columns(&self) -> PyResult<Vec<(String, Col)>> {
        let owned;
        let data: &[u8] = match &self.data {
            Data::Path(p) => {
                owned = std::fs::read(p).map_err(|e| io_err(p, e))?;
                &owned
            }
            Data::Bytes(b) => b,
        };
        let c = gotrace::load_columns(data).map_err(trace_err)?;
        let mut kinds = StrCol::new();
        kinds.push(EventKind::Bad.name().as_bytes())?;
        for k in EventKind::ALL {
            kinds.push(k.name().as_bytes())?;
        }
        let kind_index = |k: EventKind| {
            EventKind::ALL
                .iter()
                .position(|&a| a == k)
                .map_or(0, |i| i as i32 + 1)
        };
        let kind: Vec<i32> = c.kind.iter().map(|&k| kind_index(k)).collect();
        let arg = |j: usize| Col::U64(c.args.iter().map(|a| a[j]).collect());
        let i64col = |v: &[i64]| Col::I64(v.to_vec(), Validity::default());
        Ok(vec![
            ("time".into(), i64col(&c.time)),
            ("kind".into(), Col::Dict(kind, Validity::default(), kinds)),
            (
                "wire_type".into(),
                Col::U64(c.wire_type.iter().map(|&w| w as u64).collect()),
            ),
            ("goroutine".into(), i64col(&c.goroutine)),
            ("proc".into(), i64col(&c.proc)),
            ("thread".into(), i64col(&c.thread)),
            ("generation".into(), Col::U64(c.generation.clone())),
            ("stack".into(), Col::U64(c.stack.clone())),
            ("arg0".into(), arg(0)),
            ("arg1".into(), arg(1)),
            ("arg2".into(), arg(2)),
            ("arg3".into(), arg(3)),
        ])
    }
}

#[pymethods]
impl Trace {
    /// Opens a trace from a path (streamed), `bytes`/`memoryview` (borrowed), another
    /// bytes-like object (copied) or a binary file object. Raises `TraceHeaderError` when
    /// the input is not a Go execution trace, `UnsupportedVersionError` for a header
    /// naming a version that never wrote traces in a known format.
    #[staticmethod]
    fn load(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Trace> {
        let (data, name) = match crate::input::source(source, "Trace.load")? {
            Source::Path(p) => {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (Data::Path(p), name)
            }
            Source::Bytes(b) => (Data::Bytes(b), String::new()),
        };
        let t = Trace { data, name };
        py.detach(|| t.reader().map(drop))?;
        Ok(t)
    }

    /// The summary of `gprofops trace info --json` as a dict (events per kind,
    /// generations, goroutines, GC, stop-the-world, user annotations...). A trace that
    /// fails part-way still gets one: `valid` is false and `error` says why.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let info = py.detach(|| match &self.data {
            Data::Path(p) => trace_info_path(p).map_err(|e| io_err(p, e)),
            Data::Bytes(b) => Ok(trace_info(b, &self.name)),
        })?;
        to_py(py, &info)
    }

    /// Iterates over the ordered events, each a dict (`time`, `kind`, `wire`, `g`, `p`,
    /// `m`, the kind's details, `stack`), as `gprofops trace events --json-lines` prints
    /// them. Raises the trace's error where it stops being valid.
    fn events(&self, py: Python<'_>) -> PyResult<EventIter> {
        let r = py.detach(|| self.reader())?;
        Ok(EventIter { r: Mutex::new(r) })
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<EventIter> {
        self.events(py)
    }

    /// Every event as one row of a `pyarrow.Table`: `time` (ns), `kind` (categorical),
    /// `wire_type`, `goroutine`/`proc`/`thread` (-1 for none), `generation`, `stack` (id
    /// within the generation), `arg0`..`arg3` (wire arguments). Raises at the first error.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cols = py.detach(|| self.columns())?;
        crate::table::to_arrow(py, cols)
    }

    /// [`Trace.to_arrow`] as a `pandas.DataFrame`.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cols = py.detach(|| self.columns())?;
        crate::table::to_pandas(py, cols)
    }

    /// Goroutines, tasks and regions as one dict (schema `gotrace-analysis/1`, what
    /// `gprofops trace analysis` prints). A trace that fails part-way still gets one:
    /// `valid` is false and `error` says why.
    fn analysis<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let a = py.detach(|| self.analysis_doc())?;
        to_py(py, &a)
    }

    /// Goroutines grouped by start function, as `go tool trace`'s goroutine page (Go's
    /// `internal/trace` Summarizer): `{name: {count, total_ns, non_overlapping_ns,
    /// range_ns, percentiles_ns}}`. Raises `InvalidTraceError` if the trace stops at an
    /// error.
    fn goroutines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let a = py.detach(|| self.analysis_doc())?;
        if let Some(e) = a.error {
            return Err(invalid(e));
        }
        to_py(py, &a.goroutines)
    }

    /// One row per goroutine: `id`, `name` (start function), `creation_ns`, `start_ns`
    /// and `end_ns` (null: never ran / still alive), `total_ns`, `exec_ns`,
    /// `sched_wait_ns`, `block_ns`, `syscall_ns`, `syscall_block_ns`, `unknown_ns`,
    /// `range_ns` (GC assist, sweep, STW; overlaps the others), `regions`.
    fn goroutines_to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cols = py.detach(|| self.goroutine_columns())?;
        crate::table::to_arrow(py, cols)
    }

    /// [`Trace.goroutines_to_arrow`] as a `pandas.DataFrame`.
    fn goroutines_to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cols = py.detach(|| self.goroutine_columns())?;
        crate::table::to_pandas(py, cols)
    }

    /// User task and region latency by type: `{"tasks": {type: {count, complete, p50_ns,
    /// p95_ns, p99_ns, max_ns, durations_ns}}, "regions": {...}}`.
    fn tasks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let a = py.detach(|| self.analysis_doc())?;
        if let Some(e) = a.error {
            return Err(invalid(e));
        }
        to_py(
            py,
            &serde_json::json!({"tasks": a.tasks, "regions": a.regions}),
        )
    }

    /// One row per user task: `id`, `name` (type), `parent` (2^64-1: none), `start_ns`,
    /// `end_ns`, `duration_ns` (null where not in the trace), `regions`, `logs`,
    /// `goroutines`.
    fn tasks_to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cols = py.detach(|| self.task_columns())?;
        crate::table::to_pandas(py, cols)
    }

    /// One row per user region of each goroutine: `goroutine`, `task`, `name` (type; `""`
    /// for the region a goroutine inherits from its creator), `start_ns`, `end_ns`,
    /// `duration_ns` (null where not in the trace), and what the goroutine did meanwhile:
    /// `exec_ns`, `sched_wait_ns`, `block_ns`, `syscall_ns`, `syscall_block_ns`,
    /// `unknown_ns`.
    fn regions_to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cols = py.detach(|| self.region_columns())?;
        crate::table::to_pandas(py, cols)
    }

    /// Stop-the-world pauses (`start_ns`, `duration_ns`, `reason`, `gc`, `goroutine`),
    /// their percentiles and total, and GC cycles.
    fn pauses<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (p, error) = py.detach(|| match &self.data {
            Data::Path(path) => pauses_path(path).map_err(|e| io_err(path, e)),
            Data::Bytes(b) => Ok(pauses(b)),
        })?;
        if let Some(e) = error {
            return Err(invalid(e));
        }
        to_py(py, &p)
    }

    /// Why slow tasks and regions were slow: those at or above the `percentile` of their
    /// type's durations (default 95), or longer than `over_ns`; each with where its time
    /// went (execution, scheduler wait, blocking by reason with the stacks, syscalls, GC
    /// assist, stop-the-world) and a ranked verdict over all (`summary`: sentences).
    #[pyo3(signature = (percentile=95.0, over_ns=None))]
    fn slow<'py>(
        &self,
        py: Python<'py>,
        percentile: f64,
        over_ns: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if !(0.0..=100.0).contains(&percentile) {
            return Err(crate::errors::BadOptionError::new_err(format!(
                "percentile {percentile} not in 0..100"
            )));
        }
        let t = over_ns.map_or(Threshold::Percentile(percentile), Threshold::Over);
        let r = py.detach(|| match &self.data {
            Data::Path(p) => slow_path(p, t).map_err(|e| io_err(p, e)),
            Data::Bytes(b) => Ok(slow(b, t)),
        })?;
        if let Some(e) = r.error {
            return Err(invalid(e));
        }
        to_py(py, &r)
    }

    /// Writes the trace as Chrome/Perfetto trace-event JSON to `path` (open it in
    /// ui.perfetto.dev). Raises `InvalidTraceError` if the trace stops at an error (the
    /// file then shows the events before it). The file is written whole or not at all: a
    /// failed write leaves an existing `path` as it was.
    fn to_perfetto(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let error = py.detach(|| -> PyResult<Option<String>> {
            let mut out = AtomicFile::create(&path).map_err(pprof_err)?;
            let error = match &self.data {
                Data::Path(p) => write_perfetto_path(p, &mut out).map_err(|e| io_err(p, e)),
                Data::Bytes(b) => write_perfetto(b, &mut out).map_err(|e| io_err(&path, e)),
            }?;
            out.commit().map_err(pprof_err)?;
            Ok(error)
        })?;
        error.map_or(Ok(()), |e| Err(invalid(e)))
    }

    /// Each goroutine's state spans as a `pandas.DataFrame`: `g`, `state` (categorical:
    /// Running, Runnable, Waiting, Syscall), `reason`, `start_ns`, `end_ns`, `proc`.
    fn timeline_to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cols = py.detach(|| -> PyResult<Vec<(String, Col)>> {
            let mut buf = Vec::new();
            let error = match &self.data {
                Data::Path(p) => write_timeline_path(p, &mut buf).map_err(|e| io_err(p, e))?,
                Data::Bytes(b) => write_timeline(b, &mut buf)
                    .map_err(|e| crate::errors::os_error(e.kind(), e.to_string()))?,
            };
            if let Some(e) = error {
                return Err(invalid(e));
            }
            let states = ["Running", "Runnable", "Waiting", "Syscall"];
            let mut state_names = StrCol::new();
            for s in states {
                state_names.push(s.as_bytes())?;
            }
            let (mut g, mut state, mut reason, mut start, mut end, mut proc) = (
                Vec::new(),
                Vec::new(),
                StrCol::new(),
                Vec::new(),
                Vec::new(),
                Vec::new(),
            );
            for line in buf.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let s: serde_json::Value = serde_json::from_slice(line)
                    .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
                g.push(s["g"].as_i64().unwrap_or(-1));
                let st = s["state"].as_str().unwrap_or("");
                state.push(states.iter().position(|x| *x == st).unwrap_or(0) as i32);
                reason.push(s["reason"].as_str().unwrap_or("").as_bytes())?;
                start.push(s["start_ns"].as_i64().unwrap_or(0));
                end.push(s["end_ns"].as_i64().unwrap_or(0));
                proc.push(s["proc"].as_i64().unwrap_or(-1));
            }
            Ok(vec![
                ("g".into(), Col::I64(g, Validity::default())),
                (
                    "state".into(),
                    Col::Dict(state, Validity::default(), state_names),
                ),
                ("reason".into(), Col::Str(reason)),
                ("start_ns".into(), Col::I64(start, Validity::default())),
                ("end_ns".into(), Col::I64(end, Validity::default())),
                ("proc".into(), Col::I64(proc, Validity::default())),
            ])
        })?;
        crate::table::to_pandas(py, cols)
    }

    /// Runtime metrics recorded in the trace as time series: `{name: [{"time_ns",
    /// "value"}, ...]}` (`/sched/gomaxprocs:threads`, `/memory/classes/heap/objects:bytes`,
    /// `/gc/heap/goal:bytes`).
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let m = py.detach(|| self.metric_series())?;
        to_py(py, &m)
    }

    /// The metrics as one row per reading: `time_ns`, `name` (categorical), `value`.
    fn metrics_to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cols = py.detach(|| -> PyResult<Vec<(String, Col)>> {
            let m = self.metric_series()?;
            let mut names = StrCol::new();
            let (mut time, mut name, mut value) = (Vec::new(), Vec::new(), Vec::new());
            for (i, (n, s)) in m.iter().enumerate() {
                names.push(n.as_bytes())?;
                for p in s {
                    time.push(p.time_ns);
                    name.push(i as i32);
                    value.push(p.value);
                }
            }
            Ok(vec![
                ("time_ns".into(), Col::I64(time, Validity::default())),
                ("name".into(), Col::Dict(name, Validity::default(), names)),
                ("value".into(), Col::U64(value)),
            ])
        })?;
        crate::table::to_pandas(py, cols)
    }

    /// Minimum mutator utilisation, as `go tool trace`'s `/mmu` page: at each of
    /// `windows_ns`, or (by default) over the page's 100 log-spaced window sizes. `flags`
    /// says what takes time from the mutator: `stw`, `background`, `assist`, `sweep`,
    /// and `perproc` for one utilisation function per proc. Returns
    /// `[{"window_ns", "mmu"}, ...]`.
    #[pyo3(signature = (windows_ns=None, flags=None))]
    fn mmu<'py>(
        &self,
        py: Python<'py>,
        windows_ns: Option<Vec<i64>>,
        flags: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let f = match flags {
            Some(f) => UtilFlags::from_names(f.iter().map(String::as_str)).map_err(ops_err)?,
            None => UtilFlags::default(),
        };
        let points = py.detach(|| -> PyResult<Vec<MmuPoint>> {
            let (util, error) = match &self.data {
                Data::Path(p) => mutator_utilization_path(p, f).map_err(|e| io_err(p, e))?,
                Data::Bytes(b) => mutator_utilization(b, f),
            };
            if let Some(e) = error {
                return Err(invalid(e));
            }
            Ok(MmuCurve::new(util).points(windows_ns.as_deref().unwrap_or(&[])))
        })?;
        to_py(py, &points)
    }

    /// A pprof profile of the trace: `kind` `net`, `sync`, `syscall` or `sched` (time
    /// blocked or waiting, by the stack where it began, as `go tool trace -pprof=KIND`
    /// writes it), or `cpu` (the trace's CPU samples, weighted with `cpu_period_ns`).
    #[pyo3(signature = (kind, cpu_period_ns=profile_ops::trace::DEFAULT_CPU_PERIOD_NS))]
    fn to_pprof(
        &self,
        py: Python<'_>,
        kind: &str,
        cpu_period_ns: i64,
    ) -> PyResult<crate::profile::Profile> {
        let k = PprofKind::parse(kind).ok_or_else(|| {
            crate::errors::BadOptionError::new_err(format!(
                "unknown profile kind {kind:?} (net, sync, syscall, sched, cpu)"
            ))
        })?;
        let p = py.detach(|| {
            let c = PprofConverter::new(k).cpu_period_ns(cpu_period_ns);
            match &self.data {
                Data::Path(p) => c.convert_path(p),
                Data::Bytes(b) => c.convert(b),
            }
        });
        Ok(crate::profile::Profile {
            p: p.map_err(ops_err)?,
        })
    }

    fn __repr__(&self) -> String {
        match &self.data {
            Data::Path(p) => format!("<gprofops.Trace {}>", p.display()),
            Data::Bytes(b) => format!("<gprofops.Trace ({} bytes)>", b.len()),
        }
    }
}

/// Iterator over a trace's events (see `Trace.events`).
#[pyclass(module = "gprofops", name = "EventIter")]
pub struct EventIter {
    r: Mutex<Reader<'static>>,
}

#[pymethods]
impl EventIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let mut r = self
            .r
            .lock()
            .map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("event reader poisoned"))?;
        match r.next() {
            None => Ok(None),
            Some(Err(e)) => Err(trace_err(e)),
            Some(Ok(ev)) => to_py(py, &event_json(&ev)).map(Some),
        }
    }
}
