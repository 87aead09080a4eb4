//! `GcTrace`: the analysis of a `GODEBUG=gctrace=1` log.

use std::io::BufReader;

use napi::bindgen_prelude::{AsyncTask, Either, JsObjectValue, Object, ToNapiValue};
use napi::{Env, Unknown};
use napi_derive::napi;

use profile_ops::gc::{CycleRow, GcReport};

use crate::errors::{Fallible, OrThrow, io_failure};
use crate::input::{BufferLike, bytes};
use crate::options::LoadOptions;
use crate::task::{IntoClass, Job, Output, spawn};
use crate::value::Ints;

/// GC statistics from a gctrace log: summary, per-cycle table, OpenMetrics, hints.
///
/// Reading never fails on content (lines that are not GC records are counted, not
/// rejected); only reading a file can.
///
/// ```js
/// const { GcTrace } = require('gprofops')
/// const gc = GcTrace.load('gctrace.log')
/// console.log(gc.summary.stw_ms_p95, gc.hints)
/// ```
#[napi]
pub struct GcTrace {
    pub(crate) r: GcReport,
    pub(crate) ints: Ints,
}

impl IntoClass for GcReport {
    fn into_class(self: Box<Self>, env: &Env, ints: Ints) -> napi::Result<Unknown<'_>> {
        GcTrace { r: *self, ints }.into_unknown(env)
    }
}

impl From<GcReport> for Output {
    fn from(r: GcReport) -> Output {
        Output::Class(Box::new(r))
    }
}

fn read_path(path: &str) -> Fallible<GcReport> {
    let f = std::fs::File::open(path).map_err(|e| io_failure(path.as_ref(), &e))?;
    Ok(GcReport::from_reader(BufReader::with_capacity(1 << 16, f))?)
}

#[napi]
impl GcTrace {
    /// Analyses a log held in memory: a string, `Buffer` or `Uint8Array`.
    #[napi(configurable = true, factory)]
    pub fn from_buffer(data: Either<String, BufferLike>, options: Option<LoadOptions>) -> GcTrace {
        let o = options.unwrap_or_default();
        let r = match &data {
            Either::A(s) => GcReport::from_bytes(s.as_bytes()),
            Either::B(Either::A(b)) => GcReport::from_bytes(b),
            Either::B(Either::B(b)) => GcReport::from_bytes(b),
        };
        GcTrace { r, ints: o.ints() }
    }

    /// Reads a log from a file, streamed in bounded memory.
    #[napi(configurable = true, factory)]
    pub fn load(env: &Env, path: String, options: Option<LoadOptions>) -> napi::Result<GcTrace> {
        let o = options.unwrap_or_default();
        let r = read_path(&path).or_throw(env)?;
        Ok(GcTrace { r, ints: o.ints() })
    }

    /// [`GcTrace.load`] on the libuv thread pool.
    #[napi(configurable = true, ts_return_type = "Promise<GcTrace>")]
    pub fn load_async(path: String, options: Option<LoadOptions>) -> AsyncTask<Job> {
        let o = options.unwrap_or_default();
        spawn(o.ints(), move || read_path(&path).map(Output::from))
    }

    /// [`GcTrace.fromBuffer`] on the libuv thread pool.
    #[napi(configurable = true, ts_return_type = "Promise<GcTrace>")]
    pub fn from_buffer_async(data: BufferLike, options: Option<LoadOptions>) -> AsyncTask<Job> {
        let o = options.unwrap_or_default();
        let b = bytes(data, o.copy());
        spawn(o.ints(), move || Ok(Output::from(GcReport::from_bytes(&b))))
    }

    /// The summary, as `gprofops gctrace --json` prints it (field names as there).
    #[napi(getter, ts_return_type = "GcSummary")]
    pub fn summary<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        self.ints.serde(env, &self.r.summary)
    }

    /// Whether the log had any line the runtime's GC tracing prints (cycles, starts of
    /// cycles, scavenger, pacer, `GC forced`); `gprofops gctrace` warns when it had none.
    #[napi(getter)]
    pub fn has_gctrace_lines(&self) -> bool {
        self.r.summary.has_gctrace_lines()
    }

    /// One object per GC cycle, in file order (the columns of `cyclesCsv`, plus
    /// `start_over_goal`, null when the goal is 0).
    #[napi(getter, ts_return_type = "GcCycle[]")]
    pub fn cycles<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        self.ints.serde(env, &self.r.cycles)
    }

    /// The cycles as columns: one array per field of [`GcTrace.cycles`], for charts
    /// and data frames.
    #[napi(ts_return_type = "GcCycleColumns")]
    pub fn cycle_columns<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        let c = &self.r.cycles;
        let mut o = Object::new(env)?;
        let ints = self.ints;
        let u = |f: fn(&CycleRow) -> u64| -> napi::Result<Unknown<'e>> {
            let mut a = env.create_array(crate::value::len32(c.len())?)?;
            for (i, r) in c.iter().enumerate() {
                a.set(i as u32, ints.u64(env, f(r))?)?;
            }
            a.into_unknown(env)
        };
        let f = |f: fn(&CycleRow) -> Option<f64>| c.iter().map(f).collect::<Vec<_>>();
        o.set_named_property("line", u(|r| r.line as u64)?)?;
        o.set_named_property("number", u(|r| r.number)?)?;
        o.set_named_property("at_secs", f(|r| Some(r.at_secs)))?;
        o.set_named_property("cpu_percent", u(|r| r.cpu_percent)?)?;
        o.set_named_property("stw_ms", f(|r| Some(r.stw_ms)))?;
        o.set_named_property("concurrent_ms", f(|r| Some(r.concurrent_ms)))?;
        o.set_named_property("cpu_ms", f(|r| Some(r.cpu_ms)))?;
        o.set_named_property("heap_start_mb", u(|r| r.heap_start_mb)?)?;
        o.set_named_property("heap_end_mb", u(|r| r.heap_end_mb)?)?;
        o.set_named_property("heap_live_mb", u(|r| r.heap_live_mb)?)?;
        o.set_named_property("goal_mb", u(|r| r.goal_mb)?)?;
        o.set_named_property("start_over_goal", f(|r| r.start_over_goal))?;
        o.set_named_property("procs", u(|r| r.procs)?)?;
        o.set_named_property("forced", c.iter().map(|r| r.forced).collect::<Vec<_>>())?;
        o.into_unknown(env)
    }

    /// Number of GC cycles.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.r.cycles.len() as u32
    }

    /// Tuning hints, each citing the figures it is based on.
    #[napi(getter)]
    pub fn hints(&self) -> Vec<String> {
        self.r.hints.clone()
    }

    /// The summary in the OpenMetrics text format (ends with `# EOF`).
    #[napi]
    pub fn open_metrics(&self) -> String {
        self.r.openmetrics()
    }

    /// The per-cycle table as CSV with a header line.
    #[napi]
    pub fn cycles_csv(&self) -> String {
        self.r.cycles_csv()
    }
}
