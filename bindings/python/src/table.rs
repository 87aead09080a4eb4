//! Columns handed to pyarrow as raw buffers (`gprofops/_arrow.py` assembles them with
//! `pyarrow.Array.from_buffers`), so a table of a million rows creates no Python object
//! per row.

use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

/// Arrow validity bitmap (bit set = value present).
#[derive(Default)]
pub(crate) struct Validity {
    bits: Vec<u8>,
    len: usize,
    nulls: usize,
}

impl Validity {
    pub(crate) fn push(&mut self, valid: bool) {
        if self.len.is_multiple_of(8) {
            self.bits.push(0);
        }
        if valid {
            self.bits[self.len / 8] |= 1 << (self.len % 8);
        } else {
            self.nulls += 1;
        }
        self.len += 1;
    }

    /// Values with a placeholder where absent, and the validity of each.
    pub(crate) fn split<T: Copy + Default>(
        values: impl IntoIterator<Item = Option<T>>,
    ) -> (Vec<T>, Validity) {
        let mut valid = Validity::default();
        let v = values
            .into_iter()
            .map(|x| {
                valid.push(x.is_some());
                x.unwrap_or_default()
            })
            .collect();
        (v, valid)
    }

    /// The bitmap, or `None` when every value is present.
    fn into_bitmap(self) -> Option<Vec<u8>> {
        (self.nulls > 0).then_some(self.bits)
    }
}

/// Strings back to back with Arrow's 32-bit offsets.
#[derive(Clone)]
pub(crate) struct StrCol {
    offsets: Vec<i32>,
    data: Vec<u8>,
}

impl StrCol {
    pub(crate) fn new() -> Self {
        StrCol {
            offsets: vec![0],
            data: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, s: &[u8]) -> PyResult<()> {
        self.data.extend_from_slice(s);
        self.offsets.push(offset(self.data.len())?);
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }
}

/// An Arrow offset or index, or an `OverflowError` past 2^31 - 1.
pub(crate) fn offset(n: usize) -> PyResult<i32> {
    i32::try_from(n).map_err(|_| {
        PyOverflowError::new_err("column exceeds 2^31 - 1 entries or bytes (Arrow 32-bit offsets)")
    })
}

/// One column.
pub(crate) enum Col {
    /// int64 with optional nulls.
    I64(Vec<i64>, Validity),
    /// uint64.
    U64(Vec<u64>),
    /// float64 with optional nulls.
    F64(Vec<f64>, Validity),
    /// bool, one byte per value.
    Bool(Vec<u8>),
    /// utf8 strings.
    Str(StrCol),
    /// Dictionary-encoded strings (pandas: categorical) with optional nulls.
    Dict(Vec<i32>, Validity, StrCol),
    /// A list of strings per row, the strings dictionary-encoded: row `i` holds
    /// `dict[indices[offsets[i]..offsets[i + 1]]]`.
    ListDict(Vec<i32>, Vec<i32>, StrCol),
}

fn pybytes<'py>(py: Python<'py>, b: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, b)
}

fn bitmap<'py>(py: Python<'py>, v: Validity) -> Option<Bound<'py, PyBytes>> {
    v.into_bitmap().map(|b| pybytes(py, &b))
}

impl Col {
    /// `(kind, length, buffers...)` as `_arrow.py` expects.
    fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
        use bytemuck::cast_slice;
        match self {
            Col::I64(v, valid) => (
                "i64",
                v.len(),
                pybytes(py, cast_slice(&v)),
                bitmap(py, valid),
            )
                .into_pyobject(py),
            Col::U64(v) => ("u64", v.len(), pybytes(py, cast_slice(&v))).into_pyobject(py),
            Col::F64(v, valid) => (
                "f64",
                v.len(),
                pybytes(py, cast_slice(&v)),
                bitmap(py, valid),
            )
                .into_pyobject(py),
            Col::Bool(v) => ("bool", v.len(), pybytes(py, &v)).into_pyobject(py),
            Col::Str(s) => (
                "str",
                s.len(),
                pybytes(py, cast_slice(&s.offsets)),
                pybytes(py, &s.data),
            )
                .into_pyobject(py),
            Col::Dict(idx, valid, d) => (
                "dict",
                idx.len(),
                pybytes(py, cast_slice(&idx)),
                bitmap(py, valid),
                d.len(),
                pybytes(py, cast_slice(&d.offsets)),
                pybytes(py, &d.data),
            )
                .into_pyobject(py),
            Col::ListDict(offsets, idx, d) => (
                "list_dict",
                offsets.len() - 1,
                pybytes(py, cast_slice(&offsets)),
                idx.len(),
                pybytes(py, cast_slice(&idx)),
                d.len(),
                pybytes(py, cast_slice(&d.offsets)),
                pybytes(py, &d.data),
            )
                .into_pyobject(py),
        }
    }
}

/// Builds a `pyarrow.Table` from named columns.
pub(crate) fn to_arrow(py: Python<'_>, cols: Vec<(String, Col)>) -> PyResult<Bound<'_, PyAny>> {
    let mut specs = Vec::with_capacity(cols.len());
    for (name, c) in cols {
        specs.push((name, c.into_py(py)?));
    }
    py.import("gprofops._arrow")?
        .call_method1("table", (specs,))
}

/// `to_arrow(...).to_pandas()`.
pub(crate) fn to_pandas(py: Python<'_>, cols: Vec<(String, Col)>) -> PyResult<Bound<'_, PyAny>> {
    to_arrow(py, cols)?.call_method0("to_pandas")
}
