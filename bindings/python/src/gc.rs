//! `gprofops.GcTrace`: the analysis of a `GODEBUG=gctrace=1` log.

use std::io::BufReader;

use profile_ops::gc::GcReport;
use pyo3::prelude::*;

use crate::errors::{gctrace_err, os_error};
use crate::input::Source;
use crate::profile::to_py;
use crate::table::{Col, Validity};

/// GC statistics from a gctrace log: summary, per-cycle table, OpenMetrics, hints.
///
/// Parsing never fails on content (lines that are not GC records are counted, not
/// rejected); only reading a file can.
#[pyclass(frozen, module = "gprofops", name = "GcTrace")]
pub struct GcTrace {
    r: GcReport,
}

impl GcTrace {
    fn cycle_columns(&self) -> Vec<(String, Col)> {
        let c = &self.r.cycles;
        let u = |f: fn(&profile_ops::gc::CycleRow) -> u64| Col::U64(c.iter().map(f).collect());
        let f = |f: fn(&profile_ops::gc::CycleRow) -> f64| {
            Col::F64(c.iter().map(f).collect(), Validity::default())
        };
        let (sog, valid) = Validity::split(c.iter().map(|r| r.start_over_goal));
        vec![
            ("line".into(), u(|r| r.line as u64)),
            ("number".into(), u(|r| r.number)),
            ("at_secs".into(), f(|r| r.at_secs)),
            ("cpu_percent".into(), u(|r| r.cpu_percent)),
            ("stw_ms".into(), f(|r| r.stw_ms)),
            ("concurrent_ms".into(), f(|r| r.concurrent_ms)),
            ("cpu_ms".into(), f(|r| r.cpu_ms)),
            ("heap_start_mb".into(), u(|r| r.heap_start_mb)),
            ("heap_end_mb".into(), u(|r| r.heap_end_mb)),
            ("heap_live_mb".into(), u(|r| r.heap_live_mb)),
            ("goal_mb".into(), u(|r| r.goal_mb)),
            ("start_over_goal".into(), Col::F64(sog, valid)),
            ("procs".into(), u(|r| r.procs)),
            (
                "forced".into(),
                Col::Bool(c.iter().map(|r| r.forced as u8).collect()),
            ),
        ]
    }
}

#[pymethods]
impl GcTrace {
    /// Analyses a log held in memory: `str`, `bytes` or any bytes-like object.
    #[staticmethod]
    fn parse(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<GcTrace> {
        if let Ok(s) = data.extract::<&str>() {
            let r = py.detach(|| GcReport::from_bytes(s.as_bytes()));
            return Ok(GcTrace { r });
        }
        let b = crate::input::bytes_only(data, "GcTrace.parse")?;
        Ok(GcTrace {
            r: py.detach(|| GcReport::from_bytes(&b)),
        })
    }

    /// Reads a log from a path (streamed in bounded memory), bytes or a file object
    /// (binary or text).
    #[staticmethod]
    fn load(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<GcTrace> {
        let r = match crate::input::source(source, "GcTrace.load")? {
            Source::Bytes(b) => py.detach(|| GcReport::from_bytes(&b)),
            Source::Path(path) => py.detach(|| {
                let f = std::fs::File::open(&path)
                    .map_err(|e| os_error(e.kind(), format!("{}: {e}", path.display())))?;
                GcReport::from_reader(BufReader::with_capacity(1 << 16, f)).map_err(gctrace_err)
            })?,
        };
        Ok(GcTrace { r })
    }

    /// The summary as a dict (the keys of the shared corpus's oracles, plus STW
    /// percentiles, GC CPU, cycle rate, heap vs goal, scavenger totals).
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.r.summary)
    }

    /// Whether the log had any line the runtime's GC tracing prints (cycles, starts of
    /// cycles, scavenger, pacer, `GC forced`); `gprofops gctrace` warns when it had none.
    #[getter]
    fn has_gctrace_lines(&self) -> bool {
        self.r.summary.has_gctrace_lines()
    }

    /// One dict per GC cycle, in file order.
    #[getter]
    fn cycles<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.r.cycles)
    }

    /// Number of GC cycles.
    fn __len__(&self) -> usize {
        self.r.cycles.len()
    }

    /// Tuning hints, each citing the figures it is based on.
    #[getter]
    fn hints(&self) -> Vec<String> {
        self.r.hints.clone()
    }

    /// The summary in the OpenMetrics text format (ends with `# EOF`).
    fn openmetrics(&self) -> String {
        self.r.openmetrics()
    }

    /// The per-cycle table as CSV with a header line.
    fn cycles_csv(&self) -> String {
        self.r.cycles_csv()
    }

    /// The per-cycle table as a `pyarrow.Table` (the columns of `cycles_csv`, plus
    /// `start_over_goal`, null when the goal is 0).
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::table::to_arrow(py, self.cycle_columns())
    }

    /// [`GcTrace.to_arrow`] as a `pandas.DataFrame`.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::table::to_pandas(py, self.cycle_columns())
    }

    fn __repr__(&self) -> String {
        let s = &self.r.summary;
        format!(
            "<gprofops.GcTrace: {} cycles ({} forced), STW {} ms total>",
            s.gc_lines, s.forced_cycles, s.stw_ms_sum
        )
    }

    /// A small HTML table of the main figures, for notebooks.
    fn _repr_html_(&self) -> String {
        let s = &self.r.summary;
        let opt = |v: Option<f64>| v.map_or_else(|| "–".to_string(), |v| format!("{v}"));
        let rows = [
            ("GC cycles", s.gc_lines.to_string()),
            ("forced cycles", s.forced_cycles.to_string()),
            ("STW total (ms)", s.stw_ms_sum.to_string()),
            (
                "STW p50 / p95 / p99 (ms)",
                format!(
                    "{} / {} / {}",
                    opt(s.stw_ms_p50),
                    opt(s.stw_ms_p95),
                    opt(s.stw_ms_p99)
                ),
            ),
            (
                "max heap goal (MB)",
                s.heap_goal_max.map_or("–".into(), |v| v.to_string()),
            ),
            ("cycles per second", opt(s.cycles_per_sec)),
        ];
        let mut h = String::from("<div><b>gprofops.GcTrace</b><table><tbody>");
        for (k, v) in rows {
            h += &format!("<tr><td>{k}</td><td>{v}</td></tr>");
        }
        h += "</tbody></table></div>";
        h
    }
}
