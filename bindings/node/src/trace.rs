//! `Trace`: a Go execution trace, its summary and its ordered events.

use std::io::{BufReader, Cursor};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Unknown};
use napi_derive::napi;
use serde_json::Value;

use profile_ops::gotrace::{self, Reader};
use profile_ops::pprof;
use profile_ops::trace::{
    MmuCurve, PprofConverter, PprofKind, Threshold, UtilFlags, analyze, analyze_path, event_json,
    metrics, metrics_path, mutator_utilization, mutator_utilization_path, pauses, pauses_path,
    slow, slow_path, trace_info, trace_info_path, write_perfetto, write_perfetto_path,
};

use crate::errors::{Failure, Fallible, OrThrow, io_failure};
use crate::input::{BufferLike, bytes};
use crate::options::LoadOptions;
use crate::task::{Job, Output, run, spawn};
use crate::value::Ints;

/// Events handed to JS per batch at most: a batch never spans two generations, and this
/// bounds the JS memory a large generation takes.
const BATCH_EVENTS: usize = 16_384;

#[derive(Clone)]
enum Data {
    Path(String),
    Bytes(Bytes),
}

impl Data {
    fn reader(&self) -> Fallible<Reader<'static>> {
        Ok(match self {
            Data::Path(p) => {
                let f = std::fs::File::open(p).map_err(|e| io_failure(p.as_ref(), &e))?;
                Reader::from_reader(BufReader::with_capacity(1 << 16, f))?
            }
            Data::Bytes(b) => Reader::from_reader(Cursor::new(b.clone()))?,
        })
    }

    fn info(&self) -> Fallible<Output> {
        let info = match self {
            Data::Path(p) => trace_info_path(p.as_ref()).map_err(|e| io_failure(p.as_ref(), &e))?,
            Data::Bytes(b) => trace_info(b, ""),
        };
        Ok(Output::Json(json(&info)?))
    }
}

/// An analysis of the whole trace, with its options.
enum Analysis {
    /// Goroutines, tasks and regions (schema `gotrace-analysis/1`).
    All,
    Goroutines,
    Tasks,
    Pauses,
    Metrics,
    Slow(Threshold),
    Mmu(UtilFlags, Vec<i64>),
    Pprof(PprofKind, i64),
}

/// A trace that stopped at an error: the analyses that need the whole trace refuse it.
fn stopped(error: Option<String>) -> Fallible<()> {
    match error {
        Some(e) => Err(Failure::new("InvalidTraceError", e)),
        None => Ok(()),
    }
}

/// A reading failure of the trace file `p`.
fn io(p: &str) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| io_failure(p.as_ref(), &e)
}

impl Data {
    fn analyse(&self, which: Analysis) -> Fallible<Output> {
        let value = match which {
            Analysis::All | Analysis::Goroutines | Analysis::Tasks => {
                let a = match self {
                    Data::Path(p) => analyze_path(p.as_ref()).map_err(io(p))?,
                    Data::Bytes(b) => analyze(b, ""),
                };
                match which {
                    Analysis::All => json(&a)?,
                    Analysis::Goroutines => {
                        stopped(a.error)?;
                        json(&a.goroutines)?
                    }
                    _ => {
                        stopped(a.error)?;
                        serde_json::json!({ "tasks": json(&a.tasks)?, "regions": json(&a.regions)? })
                    }
                }
            }
            Analysis::Pauses => {
                let (p, error) = match self {
                    Data::Path(p) => pauses_path(p.as_ref()).map_err(io(p))?,
                    Data::Bytes(b) => pauses(b),
                };
                stopped(error)?;
                json(&p)?
            }
            Analysis::Metrics => {
                let (m, error) = match self {
                    Data::Path(p) => metrics_path(p.as_ref()).map_err(io(p))?,
                    Data::Bytes(b) => metrics(b),
                };
                stopped(error)?;
                json(&m)?
            }
            Analysis::Slow(t) => {
                let r = match self {
                    Data::Path(p) => slow_path(p.as_ref(), t).map_err(io(p))?,
                    Data::Bytes(b) => slow(b, t),
                };
                stopped(r.error.clone())?;
                json(&r)?
            }
            Analysis::Mmu(flags, windows) => {
                let (util, error) = match self {
                    Data::Path(p) => mutator_utilization_path(p.as_ref(), flags).map_err(io(p))?,
                    Data::Bytes(b) => mutator_utilization(b, flags),
                };
                stopped(error)?;
                json(&MmuCurve::new(util).points(&windows))?
            }
            Analysis::Pprof(kind, period) => {
                let c = PprofConverter::new(kind).cpu_period_ns(period);
                let p = match self {
                    Data::Path(p) => c.convert_path(p.as_ref())?,
                    Data::Bytes(b) => c.convert(b)?,
                };
                return Ok(Output::from(p));
            }
        };
        Ok(Output::Json(value))
    }
}

fn json(v: &impl serde::Serialize) -> Fallible<Value> {
    serde_json::to_value(v).map_err(|e| Failure::new("ParseError", e.to_string()))
}

/// A Go execution trace (`runtime/trace`, `go test -trace`, the flight recorder): Go
/// 1.22+ traces and v1 traces (Go 1.11–1.21, converted to the same events).
///
/// Opening checks the header only; events are decoded as they are read, one generation
/// in memory at a time for files.
///
/// ```js
/// const { Trace } = require('gprofops')
/// const t = Trace.load('app.trace')
/// console.log((await t.infoAsync()).events_total)
/// for await (const ev of t.events()) if (ev.kind === 'Log') console.log(ev)
/// ```
#[napi]
pub struct Trace {
    data: Data,
    ints: Ints,
}

impl Trace {
    fn spawn(&self, which: Analysis) -> AsyncTask<Job> {
        let data = self.data.clone();
        spawn(self.ints, move || data.analyse(which))
    }

    fn open(env: &Env, data: Data, o: &LoadOptions) -> napi::Result<Trace> {
        data.reader().or_throw(env)?;
        Ok(Trace {
            data,
            ints: o.ints(),
        })
    }
}

#[napi]
impl Trace {
    /// Opens a trace file (streamed). Throws `TraceHeaderError` when it is not a Go
    /// execution trace, `UnsupportedVersionError` for a version that never wrote traces
    /// in a known format, `ENOENT`... when it cannot be read.
    #[napi(configurable = true, factory)]
    pub fn load(env: &Env, path: String, options: Option<LoadOptions>) -> napi::Result<Trace> {
        let o = options.unwrap_or_default();
        Trace::open(env, Data::Path(path), &o)
    }

    /// Opens a trace held in a `Buffer` or `Uint8Array` (borrowed unless `copy` is set).
    #[napi(configurable = true, factory)]
    pub fn from_buffer(
        env: &Env,
        data: BufferLike,
        options: Option<LoadOptions>,
    ) -> napi::Result<Trace> {
        let o = options.unwrap_or_default();
        Trace::open(env, Data::Bytes(bytes(data, o.copy())), &o)
    }

    /// The summary of `gprofops trace info --json` (events per kind, generations,
    /// goroutines, GC, stop-the-world, user annotations, state transitions). A trace
    /// that fails part-way still gets one: `valid` is false and `error` says why.
    #[napi(ts_return_type = "TraceInfo")]
    pub fn info<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || self.data.info())
    }

    /// [`Trace.info`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<TraceInfo>")]
    pub fn info_async(&self) -> AsyncTask<Job> {
        let data = self.data.clone();
        spawn(self.ints, move || data.info())
    }

    /// Goroutines, tasks and regions in one object (schema `gotrace-analysis/1`, what
    /// `gprofops trace analysis` prints). A trace that fails part-way still gets one:
    /// `valid` is false and `error` says why.
    #[napi(ts_return_type = "TraceAnalysis")]
    pub fn analysis<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || self.data.analyse(Analysis::All))
    }

    /// [`Trace.analysis`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<TraceAnalysis>")]
    pub fn analysis_async(&self) -> AsyncTask<Job> {
        self.spawn(Analysis::All)
    }

    /// Goroutines grouped by start function, as `go tool trace`'s goroutine page computes
    /// them (Go's `internal/trace` Summarizer): `{ [name]: { count, total_ns,
    /// non_overlapping_ns, range_ns, percentiles_ns } }`. Throws `InvalidTraceError` if
    /// the trace stops at an error.
    #[napi(ts_return_type = "Record<string, GoroutineGroup>")]
    pub fn goroutines<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || self.data.analyse(Analysis::Goroutines))
    }

    /// [`Trace.goroutines`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Record<string, GoroutineGroup>>")]
    pub fn goroutines_async(&self) -> AsyncTask<Job> {
        self.spawn(Analysis::Goroutines)
    }

    /// User task and region latency by type: `{ tasks: { [type]: { count, complete,
    /// p50_ns, p95_ns, p99_ns, max_ns, durations_ns } }, regions: { ... } }`.
    #[napi(ts_return_type = "TaskLatencies")]
    pub fn tasks<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || self.data.analyse(Analysis::Tasks))
    }

    /// [`Trace.tasks`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<TaskLatencies>")]
    pub fn tasks_async(&self) -> AsyncTask<Job> {
        self.spawn(Analysis::Tasks)
    }

    /// Stop-the-world pauses (start, duration, reason), their percentiles and total, and
    /// the GC cycles, as `gprofops trace pauses --json` prints them.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn pauses<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || self.data.analyse(Analysis::Pauses))
    }

    /// [`Trace.pauses`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Record<string, unknown>>")]
    pub fn pauses_async(&self) -> AsyncTask<Job> {
        self.spawn(Analysis::Pauses)
    }

    /// Runtime metrics recorded in the trace as time series: `{ [name]: [{ time_ns,
    /// value }] }` (`/sched/gomaxprocs:threads`, `/gc/heap/goal:bytes`...).
    #[napi(ts_return_type = "Record<string, Array<{ time_ns: Int; value: Int }>>")]
    pub fn metrics<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || self.data.analyse(Analysis::Metrics))
    }

    /// Why slow tasks and regions were slow: those at or above `percentile` of their
    /// type's durations (default 95), or longer than `overNs`; each with where its time
    /// went and a ranked verdict over all (`summary`), as `gprofops trace slow --json`.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn slow<'e>(
        &self,
        env: &'e Env,
        options: Option<SlowOptions>,
    ) -> napi::Result<Unknown<'e>> {
        let t = threshold(options).or_throw(env)?;
        run(env, self.ints, || self.data.analyse(Analysis::Slow(t)))
    }

    /// [`Trace.slow`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Record<string, unknown>>")]
    pub fn slow_async(
        &self,
        env: &Env,
        options: Option<SlowOptions>,
    ) -> napi::Result<AsyncTask<Job>> {
        let t = threshold(options).or_throw(env)?;
        Ok(self.spawn(Analysis::Slow(t)))
    }

    /// Minimum mutator utilisation, as `go tool trace`'s `/mmu` page: at each of
    /// `windowsNs`, or over the page's 100 log-spaced window sizes; `flags` says what
    /// takes time from the mutator (`stw`, `background`, `assist`, `sweep`, and
    /// `perproc`; default the page's first view). `[{ window_ns, mmu }]`.
    #[napi(ts_return_type = "Array<{ window_ns: Int; mmu: number }>")]
    pub fn mmu<'e>(&self, env: &'e Env, options: Option<MmuOptions>) -> napi::Result<Unknown<'e>> {
        let a = mmu_analysis(options).or_throw(env)?;
        run(env, self.ints, || self.data.analyse(a))
    }

    /// [`Trace.mmu`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Array<{ window_ns: Int; mmu: number }>>")]
    pub fn mmu_async(
        &self,
        env: &Env,
        options: Option<MmuOptions>,
    ) -> napi::Result<AsyncTask<Job>> {
        let a = mmu_analysis(options).or_throw(env)?;
        Ok(self.spawn(a))
    }

    /// A pprof profile of the trace: `kind` `net`, `sync`, `syscall` or `sched` (time
    /// blocked or waiting, by the stack where it began, as `go tool trace -pprof=KIND`
    /// writes it), or `cpu` (the trace's CPU samples, weighted with `cpuPeriodNs`,
    /// default 10 ms). Every profile operation takes it.
    #[napi(ts_return_type = "Profile")]
    pub fn to_pprof<'e>(
        &self,
        env: &'e Env,
        #[napi(ts_arg_type = "'net' | 'sync' | 'syscall' | 'sched' | 'cpu'")] kind: String,
        options: Option<PprofOptions>,
    ) -> napi::Result<Unknown<'e>> {
        let a = pprof_analysis(&kind, options).or_throw(env)?;
        run(env, self.ints, || self.data.analyse(a))
    }

    /// [`Trace.toPprof`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Profile>")]
    pub fn to_pprof_async(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "'net' | 'sync' | 'syscall' | 'sched' | 'cpu'")] kind: String,
        options: Option<PprofOptions>,
    ) -> napi::Result<AsyncTask<Job>> {
        let a = pprof_analysis(&kind, options).or_throw(env)?;
        Ok(self.spawn(a))
    }

    /// Writes the trace as Chrome/Perfetto trace-event JSON to `path` (open it in
    /// ui.perfetto.dev), on the libuv thread pool. Rejects with `InvalidTraceError` if
    /// the trace stops at an error (the file then shows the events before it). The file
    /// is written whole or not at all: a failed write leaves an existing `path` as it was.
    #[napi(ts_return_type = "Promise<null>")]
    pub fn to_perfetto_async(&self, path: String) -> AsyncTask<Job> {
        let data = self.data.clone();
        spawn(self.ints, move || {
            let out = std::path::PathBuf::from(&path);
            let mut w = pprof::AtomicFile::create(&out)?;
            let error = match &data {
                Data::Path(p) => write_perfetto_path(p.as_ref(), &mut w)
                    .map_err(|e| io_failure(p.as_ref(), &e))?,
                Data::Bytes(b) => write_perfetto(b, &mut w).map_err(|e| io_failure(&out, &e))?,
            };
            w.commit()?;
            stopped(error)?;
            Ok(Output::Json(Value::Null))
        })
    }

    /// The ordered events in batches (see `events()`, the async iterator over them):
    /// each `next()` reads the next events of the current generation on the libuv
    /// thread pool.
    #[napi]
    pub fn event_batches(&self, env: &Env) -> napi::Result<EventBatches> {
        let r = self.data.reader().or_throw(env)?;
        Ok(EventBatches {
            state: Arc::new(Mutex::new(Stream {
                reader: Some(r),
                pending: None,
                error: None,
            })),
            ints: self.ints,
        })
    }
}

struct Stream {
    /// `None` once the trace is exhausted or failed.
    reader: Option<Reader<'static>>,
    /// The first event of the next batch (read to find the end of a generation).
    pending: Option<(u64, Value)>,
    /// The error to throw once the events before it have been handed out.
    error: Option<gotrace::Error>,
}

impl Stream {
    /// The next batch: events of one generation, at most [`BATCH_EVENTS`]; `null` at the
    /// end; the trace's error after the last good event.
    fn next_batch(&mut self) -> Fallible<Output> {
        let mut batch = Vec::new();
        let mut generation = None;
        if let Some((g, v)) = self.pending.take() {
            generation = Some(g);
            batch.push(v);
        }
        while batch.len() < BATCH_EVENTS {
            let Some(reader) = self.reader.as_mut() else {
                break;
            };
            match reader.next() {
                None => self.reader = None,
                Some(Err(e)) => {
                    self.reader = None;
                    self.error = Some(e);
                }
                Some(Ok(ev)) => {
                    let g = ev.generation();
                    let v = event_json(&ev);
                    if generation.is_some_and(|cur| cur != g) {
                        self.pending = Some((g, v));
                        break;
                    }
                    generation = Some(g);
                    batch.push(v);
                }
            }
        }
        if batch.is_empty() {
            return match self.error.take() {
                Some(e) => Err(e.into()),
                None => Ok(Output::Json(Value::Null)),
            };
        }
        Ok(Output::Json(Value::Array(batch)))
    }
}

/// A trace's ordered events, handed out in batches (see `Trace.events()`).
#[napi]
pub struct EventBatches {
    state: Arc<Mutex<Stream>>,
    ints: Ints,
}

fn next_of(state: &Mutex<Stream>) -> Fallible<Output> {
    state
        .lock()
        .map_err(|_| Failure::new("ParseError", "the event reader failed earlier"))?
        .next_batch()
}

#[napi]
impl EventBatches {
    /// The next events (one generation's, at most 16,384 at a time) as an array, or
    /// `null` after the last one; rejects with the trace's error where it stops being
    /// valid. Read on the libuv thread pool.
    #[napi(ts_return_type = "Promise<TraceEvent[] | null>")]
    pub fn next(&self) -> AsyncTask<Job> {
        let state = self.state.clone();
        spawn(self.ints, move || next_of(&state))
    }

    /// [`EventBatches.next`], on the JS thread.
    #[napi(ts_return_type = "TraceEvent[] | null")]
    pub fn next_sync<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || next_of(&self.state))
    }
}

/// Options of `Trace.slow`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct SlowOptions {
    /// Slow means at or above this percentile of the type's durations (0–100, default 95).
    pub percentile: Option<f64>,
    /// Slow means longer than this many nanoseconds (instead of a percentile).
    pub over_ns: Option<i64>,
}

fn threshold(o: Option<SlowOptions>) -> Fallible<Threshold> {
    let o = o.unwrap_or_default();
    if let Some(ns) = o.over_ns {
        return Ok(Threshold::Over(ns));
    }
    let p = o.percentile.unwrap_or(95.0);
    if !(0.0..=100.0).contains(&p) {
        return Err(Failure::new(
            "BadOptionError",
            format!("percentile {p} not in 0..100"),
        ));
    }
    Ok(Threshold::Percentile(p))
}

/// Options of `Trace.mmu`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct MmuOptions {
    /// Window sizes in nanoseconds (default: the `/mmu` page's 100 sizes).
    pub windows_ns: Option<Vec<i64>>,
    /// What counts against the mutator: `stw`, `background`, `assist`, `sweep`,
    /// `perproc` (default: `stw`, `background`, `assist`).
    pub flags: Option<Vec<String>>,
}

fn mmu_analysis(o: Option<MmuOptions>) -> Fallible<Analysis> {
    let o = o.unwrap_or_default();
    let flags = match &o.flags {
        Some(f) => UtilFlags::from_names(f.iter().map(String::as_str))?,
        None => UtilFlags::default(),
    };
    Ok(Analysis::Mmu(flags, o.windows_ns.unwrap_or_default()))
}

/// Options of `Trace.toPprof`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct PprofOptions {
    /// Weight of a CPU sample in nanoseconds (`cpu` only; default 10 ms).
    pub cpu_period_ns: Option<i64>,
}

fn pprof_analysis(kind: &str, o: Option<PprofOptions>) -> Fallible<Analysis> {
    let k = PprofKind::parse(kind).ok_or_else(|| {
        Failure::arg_value(format!(
            "unknown profile kind {kind:?} (net, sync, syscall, sched, cpu)"
        ))
    })?;
    let period = o
        .and_then(|o| o.cpu_period_ns)
        .unwrap_or(profile_ops::trace::DEFAULT_CPU_PERIOD_NS);
    Ok(Analysis::Pprof(k, period))
}
