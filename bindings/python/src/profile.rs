//! `gprofops.Profile`: a decoded pprof profile.

use std::borrow::Cow;
use std::path::PathBuf;

use profile_ops::pprof::{self, DecodeOptions, StrId};
use profile_ops::query::Query;
use profile_ops::report::top::Top;
use profile_ops::sample_table::{SampleTable, stack_names};
use profile_ops::summary::{ProfileSummary, totals};
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::errors::pprof_err;
use crate::html::{esc, top_table};
use crate::input::{Source, bytes_only};
use crate::table::{Col, StrCol, Validity, offset};

/// A pprof profile (profile.proto, gzipped or not, or a legacy text/binary format).
///
/// Immutable and cheap to share between threads; strings point into the input buffer.
#[pyclass(frozen, module = "gprofops", name = "Profile")]
#[derive(Clone)]
pub struct Profile {
    pub(crate) p: pprof::Profile,
}

fn options(
    max_inflated_size: Option<usize>,
    memory_budget: Option<usize>,
    legacy: bool,
) -> DecodeOptions {
    let mut o = DecodeOptions::default();
    if let Some(m) = max_inflated_size {
        o.max_inflated_size = m;
    }
    if let Some(m) = memory_budget {
        o.memory_budget = m;
    }
    o.legacy = legacy;
    o
}

/// `serde` value → Python object, through `json.loads` (the Rust API's own field names).
pub(crate) fn to_py<'py>(
    py: Python<'py>,
    v: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    let s = serde_json::to_string(v).map_err(|e| PyValueError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (s,))
}

impl Profile {
    fn str(&self, id: StrId) -> String {
        self.p.string(id).into_owned()
    }

    fn opt_str(&self, id: StrId) -> Option<String> {
        (id != 0).then(|| self.str(id))
    }

    fn decode(py: Python<'_>, src: Source, opts: DecodeOptions) -> PyResult<Profile> {
        let r = py.detach(|| match src {
            Source::Path(path) => pprof::Profile::open_with(path, &opts),
            Source::Bytes(b) => pprof::Profile::decode_bytes_with(b, &opts),
        });
        r.map(|p| Profile { p }).map_err(pprof_err)
    }

    /// The columns of [`Profile.to_arrow`]: [`SampleTable`] as Arrow buffers.
    fn sample_columns(&self) -> PyResult<Vec<(String, Col)>> {
        let t = SampleTable::of(&self.p);
        let mut names = StrCol::new();
        for name in &t.frame_names {
            names.push(name)?;
        }
        let stack_offsets = t
            .stack_offsets
            .iter()
            .map(|&o| offset(o))
            .collect::<PyResult<_>>()?;
        let frames = t.stacks.iter().map(|&f| f as i32).collect();
        let mut cols = vec![(
            "stack".to_string(),
            Col::ListDict(stack_offsets, frames, names),
        )];
        for (vt, v) in self.p.sample_types().iter().zip(t.values) {
            cols.push((self.str(vt.ty), Col::I64(v, Validity::default())));
        }
        let mut values = StrCol::new();
        for v in &t.label_values {
            values.push(v)?;
        }
        for c in t.str_labels {
            let (idx, valid) = Validity::split(c.values.iter().map(|v| v.map(|i| i as i32)));
            let name = format!("label:{}", String::from_utf8_lossy(c.key));
            cols.push((name, Col::Dict(idx, valid, values.clone())));
        }
        for c in t.num_labels {
            let (v, valid) = Validity::split(c.values);
            let name = format!("numlabel:{}", String::from_utf8_lossy(c.key));
            cols.push((name, Col::I64(v, valid)));
        }
        Ok(cols)
    }

    fn type_names(&self) -> Vec<String> {
        self.p
            .sample_types()
            .iter()
            .map(|vt| format!("{}/{}", self.p.string(vt.ty), self.p.string(vt.unit)))
            .collect()
    }
}

#[pymethods]
impl Profile {
    /// Reads a profile from a path (memory-mapped), `bytes`/`memoryview` (borrowed, not
    /// copied), another bytes-like object (copied) or a binary file object.
    ///
    /// gzip is detected by its magic; input that is not protobuf is tried as one of the
    /// legacy formats `go tool pprof` reads unless `legacy=False`. gzip input inflating
    /// past `max_inflated_size` bytes (default 2 GiB), or a profile whose decoding would
    /// take more than `memory_budget` bytes (default 4 GiB; a decompression bomb stops
    /// there), raises `TooLargeError`.
    #[staticmethod]
    #[pyo3(signature = (source, /, *, max_inflated_size=None, memory_budget=None, legacy=true))]
    fn load(
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        max_inflated_size: Option<usize>,
        memory_budget: Option<usize>,
        legacy: bool,
    ) -> PyResult<Profile> {
        let src = crate::input::source(source, "Profile.load")?;
        Self::decode(py, src, options(max_inflated_size, memory_budget, legacy))
    }

    /// Decodes a profile from a bytes-like object (`bytes` and memoryviews over `bytes`
    /// are borrowed, not copied).
    #[staticmethod]
    #[pyo3(signature = (data, /, *, max_inflated_size=None, memory_budget=None, legacy=true))]
    fn from_bytes(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        max_inflated_size: Option<usize>,
        memory_budget: Option<usize>,
        legacy: bool,
    ) -> PyResult<Profile> {
        let b = bytes_only(data, "Profile.from_bytes")?;
        Self::decode(
            py,
            Source::Bytes(b),
            options(max_inflated_size, memory_budget, legacy),
        )
    }

    /// `(type, unit)` of each column of sample values, e.g. `("cpu", "nanoseconds")`.
    #[getter]
    fn sample_types(&self) -> Vec<(String, String)> {
        let p = &self.p;
        p.sample_types()
            .iter()
            .map(|vt| (self.str(vt.ty), self.str(vt.unit)))
            .collect()
    }

    /// `(type, unit)` of the sampling period, `None` when unset.
    #[getter]
    fn period_type(&self) -> Option<(String, String)> {
        ProfileSummary::of(&self.p).period_type.map(|[t, u]| (t, u))
    }

    /// Sampling period in units of the period type (0 when unset).
    #[getter]
    fn period(&self) -> i64 {
        self.p.period()
    }

    /// Number of samples as stored.
    #[getter]
    fn num_samples(&self) -> usize {
        self.p.num_samples()
    }

    /// Per sample type, the sum of its values over all samples.
    #[getter]
    fn totals(&self, py: Python<'_>) -> Vec<i64> {
        py.detach(|| totals(&self.p))
    }

    /// The preferred sample type, `None` when unset.
    #[getter]
    fn default_sample_type(&self) -> Option<String> {
        self.opt_str(self.p.default_sample_type())
    }

    /// Collection duration in nanoseconds.
    #[getter]
    fn duration_nanos(&self) -> i64 {
        self.p.duration_nanos()
    }

    /// Collection time in nanoseconds since the Unix epoch (0 when unset).
    #[getter]
    fn time_nanos(&self) -> i64 {
        self.p.time_nanos()
    }

    /// Collection duration as a `datetime.timedelta` (microsecond precision).
    #[getter]
    fn duration<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let kw = PyDict::new(py);
        kw.set_item("microseconds", self.p.duration_nanos() / 1000)?;
        py.import("datetime")?
            .getattr("timedelta")?
            .call((), Some(&kw))
    }

    /// Collection time as an aware UTC `datetime.datetime`, `None` when unset.
    #[getter]
    fn time<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let ns = self.p.time_nanos();
        if ns == 0 {
            return Ok(None);
        }
        let dt = py.import("datetime")?;
        let epoch = dt.getattr("datetime")?.call1((
            1970,
            1,
            1,
            0,
            0,
            0,
            0,
            dt.getattr("timezone")?.getattr("utc")?,
        ))?;
        let kw = PyDict::new(py);
        kw.set_item("microseconds", ns.div_euclid(1000))?;
        let delta = dt.getattr("timedelta")?.call((), Some(&kw))?;
        Ok(Some(epoch.add(delta)?))
    }

    /// Free-form comments.
    #[getter]
    fn comments(&self) -> Vec<String> {
        self.p.comments().iter().map(|&c| self.str(c)).collect()
    }

    /// Documentation link for the profile type, `None` when unset.
    #[getter]
    fn doc_url(&self) -> Option<String> {
        self.opt_str(self.p.doc_url())
    }

    /// Regexp of frames to drop, `None` when unset.
    #[getter]
    fn drop_frames(&self) -> Option<String> {
        self.opt_str(self.p.drop_frames())
    }

    /// Regexp of frames to keep, `None` when unset.
    #[getter]
    fn keep_frames(&self) -> Option<String> {
        self.opt_str(self.p.keep_frames())
    }

    /// Number of functions, locations and mappings, as `(functions, locations, mappings)`.
    #[getter]
    fn table_sizes(&self) -> (usize, usize, usize) {
        (
            self.p.functions().len(),
            self.p.locations().len(),
            self.p.mappings().len(),
        )
    }

    /// Size in bytes of the buffer the profile's strings point into (the input itself
    /// for raw protobuf; for gzip input, which is decoded while it inflates, the string
    /// table's bytes).
    #[getter]
    fn buffer_size(&self) -> usize {
        self.p.buffer().len()
    }

    /// What `gprofops info --json` prints: a dict with `sample_types`, `period_type`,
    /// `period`, `num_samples`, `totals`, `default_sample_type`, `duration_nanos`,
    /// `time_nanos`.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = py.detach(|| ProfileSummary::of(&self.p));
        to_py(py, &s)
    }

    /// The samples as a read-only sequence of dicts (see [`Profile.sample`]), made one at a
    /// time as they are indexed or iterated; `to_pandas()` is the bulk form.
    #[getter]
    fn samples(slf: Py<Self>) -> SampleSeq {
        SampleSeq { profile: slf }
    }

    /// Sample `index` as a dict: `stack` (frame names, leaf first), `values` (one per
    /// sample type), `labels` (`[(key, value)]` string labels) and `num_labels`
    /// (`[(key, value, unit)]`). Negative indexes count from the end.
    fn sample<'py>(&self, py: Python<'py>, index: isize) -> PyResult<Bound<'py, PyDict>> {
        let n = self.p.num_samples() as isize;
        let i = if index < 0 { index + n } else { index };
        if !(0..n).contains(&i) {
            return Err(PyIndexError::new_err(format!(
                "sample index {index} out of range for {n} samples"
            )));
        }
        let p = &self.p;
        let s = p.sample(i as usize);
        let stack: Vec<String> = stack_names(p, s.locations)
            .into_iter()
            .map(Cow::into_owned)
            .collect();
        let labels: Vec<(String, String)> = s
            .labels
            .iter()
            .filter(|l| l.str != 0)
            .map(|l| (self.str(l.key), self.str(l.str)))
            .collect();
        let num_labels: Vec<(String, i64, String)> = s
            .labels
            .iter()
            .filter(|l| l.str == 0)
            .map(|l| (self.str(l.key), l.num, self.str(l.num_unit)))
            .collect();
        let d = PyDict::new(py);
        d.set_item("stack", stack)?;
        d.set_item("values", s.values.to_vec())?;
        d.set_item("labels", labels)?;
        d.set_item("num_labels", num_labels)?;
        Ok(d)
    }

    /// The samples as a `pyarrow.Table`: `stack` (list of frame names, leaf first; a
    /// location without symbols shows its address), one int64 column per sample type
    /// (named by type), `label:KEY` (categorical) and `numlabel:KEY` (int64) per label
    /// key, null where a sample lacks the key (a sample with several values for one key
    /// shows the first). Built column-wise in Rust; needs `pyarrow`.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cols = py.detach(|| self.sample_columns())?;
        crate::table::to_arrow(py, cols)
    }

    /// [`Profile.to_arrow`] as a `pandas.DataFrame` (labels become categoricals).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cols = py.detach(|| self.sample_columns())?;
        crate::table::to_pandas(py, cols)
    }

    /// Encodes the profile as profile.proto bytes, gzipped when `gzip` is true (the
    /// on-disk form `go tool pprof` writes). Decoding them gives an equal profile.
    #[pyo3(signature = (*, gzip=false))]
    fn to_bytes<'py>(&self, py: Python<'py>, gzip: bool) -> Bound<'py, PyBytes> {
        let v = py.detach(|| {
            if gzip {
                self.p.encode_gzip()
            } else {
                self.p.encode()
            }
        });
        PyBytes::new(py, &v)
    }

    /// Writes the profile to `path` (gzipped profile.proto by default), atomically: a
    /// failed write leaves the previous file as it was.
    #[pyo3(signature = (path, /, *, gzip=true))]
    fn save(&self, py: Python<'_>, path: PathBuf, gzip: bool) -> PyResult<()> {
        py.detach(|| self.p.save(&path, gzip)).map_err(pprof_err)
    }

    /// Checks profile.proto's rules (google/pprof's `CheckValid`); raises
    /// `InvalidProfileError` when one is broken.
    fn check_valid(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| pprof::check_valid(&self.p)).map_err(pprof_err)
    }

    /// google/pprof's `Profile.String()` dump (times in UTC).
    fn to_text(&self, py: Python<'_>) -> String {
        py.detach(|| self.p.to_text())
    }

    fn __str__(&self, py: Python<'_>) -> String {
        self.to_text(py)
    }

    fn __repr__(&self) -> String {
        let period = match self.period_type() {
            Some((t, u)) => format!(", period {} {t}/{u}", self.p.period()),
            None => String::new(),
        };
        format!(
            "<gprofops.Profile [{}]: {} samples{period}>",
            self.type_names().join(", "),
            self.p.num_samples()
        )
    }

    /// A small HTML summary for notebooks: sample types with their totals, and the top 5
    /// functions by the default sample type.
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let mut h = format!(
            "<div><b>gprofops.Profile</b>: {} samples",
            self.p.num_samples()
        );
        if let Some((t, u)) = self.period_type() {
            h += &format!(", period {} {}/{}", self.p.period(), esc(&t), esc(&u));
        }
        h += "<table><thead><tr><th>sample type</th><th>total</th></tr></thead><tbody>";
        for (name, total) in self.type_names().iter().zip(self.totals(py)) {
            h += &format!("<tr><td>{}</td><td>{total}</td></tr>", esc(name));
        }
        h += "</tbody></table>";
        if self.p.num_samples() > 0 {
            let top = py.detach(|| Query::default().prepare(&self.p).map(|p| Top::new(&p, 5)));
            // A profile no report can be made of (say, a bad drop_frames regexp) still shows
            // its header; the report's error is what `top()` is for.
            if let Ok(t) = top {
                h += &top_table(&t, 5);
            }
        }
        h += "</div>";
        Ok(h)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<Profile>() {
            Ok(o) => self.p == o.get().p,
            Err(_) => false,
        }
    }

    /// Pickles as the profile's protobuf bytes (so profiles travel to Dask workers).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let ctor = py.get_type::<Profile>().getattr("from_bytes")?;
        let data = self.to_bytes(py, false);
        (ctor, (data,)).into_pyobject(py)
    }
}

/// `Profile.samples`: the samples as a sequence of dicts, each made when asked for.
#[pyclass(frozen, sequence, module = "gprofops", name = "Samples")]
pub struct SampleSeq {
    profile: Py<Profile>,
}

#[pymethods]
impl SampleSeq {
    fn __len__(&self) -> usize {
        self.profile.get().p.num_samples()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, index: isize) -> PyResult<Bound<'py, PyDict>> {
        self.profile.get().sample(py, index)
    }

    fn __repr__(&self) -> String {
        format!("<gprofops.Samples: {} samples>", self.__len__())
    }
}
