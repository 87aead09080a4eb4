//! `gprofops.Trace`: a Go execution trace.

use std::io::{BufReader, Cursor};
use std::path::PathBuf;
use std::sync::Mutex;

use bytes::Bytes;
use profile_ops::gotrace::{self, EventKind, Reader};
use profile_ops::trace::{event_json, trace_info, trace_info_path};
use pyo3::prelude::*;

use crate::errors::{os_error, trace_err};
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
