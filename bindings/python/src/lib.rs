//! Python bindings of gprofops: the extension module `gprofops._native`, wrapped by the
//! pure-Python package `gprofops` (see `python/gprofops`).
//!
//! The crate is thin: every function converts arguments, calls `profile-ops` (or a parser
//! it re-exports) with the GIL released, and converts the result. Without the `python`
//! feature it compiles to nothing, so `cargo test --workspace` needs no Python; maturin
//! builds it with the feature on (`bindings/python/pyproject.toml`).

#![cfg(feature = "python")]

mod errors;
mod gc;
mod html;
mod input;
mod ops;
mod profile;
mod table;
mod trace;

use pyo3::prelude::*;

/// The extension module. Its public names are re-exported by `gprofops/__init__.py`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<profile::Profile>()?;
    m.add_class::<profile::SampleSeq>()?;
    m.add_class::<gc::GcTrace>()?;
    m.add_class::<trace::Trace>()?;
    m.add_class::<trace::EventIter>()?;
    m.add_class::<ops::TopReport>()?;
    m.add_function(wrap_pyfunction!(ops::merge, m)?)?;
    m.add_function(wrap_pyfunction!(ops::diff, m)?)?;
    errors::register(m)?;
    Ok(())
}
