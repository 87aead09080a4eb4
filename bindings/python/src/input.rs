//! What a Python caller may hand us as input, and how it becomes bytes without a copy.
//!
//! - `str` / `os.PathLike`: a path (profiles are memory-mapped, traces streamed).
//! - `bytes`, or a `memoryview` over `bytes`: borrowed through the buffer protocol. The
//!   resulting `Bytes` owns a Python buffer export, which keeps the object alive for as long
//!   as any profile or slice points into it.
//! - Other bytes-like objects (`bytearray`, writable `memoryview`s, `mmap`, numpy arrays):
//!   copied once, because their contents can change under us while the GIL is released.
//! - File-like objects (anything with `.read()`): read to the end, then as above.

use std::path::PathBuf;

use bytes::Bytes;
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMemoryView, PyString};

/// Where the data is.
pub(crate) enum Source {
    /// A file on disk.
    Path(PathBuf),
    /// Bytes in memory (borrowed from Python or copied).
    Bytes(Bytes),
}

/// A buffer export of an immutable Python object; `Bytes::from_owner` keeps it (and so
/// the object) alive.
struct Borrowed(PyBuffer<u8>);

impl AsRef<[u8]> for Borrowed {
    #[allow(unsafe_code)]
    fn as_ref(&self) -> &[u8] {
        let len = self.0.len_bytes();
        if len == 0 {
            return &[];
        }
        // SAFETY: `borrow_or_copy` wraps only C-contiguous buffers exported by `bytes`
        // objects (directly or through memoryviews), whose contents never change. The
        // export is released only when `self` is dropped, so the pointer stays valid for
        // the lifetime of the returned slice, which borrows `self`. The pointer is non-null
        // and the length is in bytes because the element type is `u8`.
        unsafe { std::slice::from_raw_parts(self.0.buf_ptr() as *const u8, len) }
    }
}

/// True when `obj` is `bytes` or a (chain of) memoryview(s) over `bytes`.
fn is_immutable_bytes(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    if obj.is_instance_of::<PyBytes>() {
        return Ok(true);
    }
    if obj.is_instance_of::<PyMemoryView>() {
        return is_immutable_bytes(&obj.getattr("obj")?);
    }
    Ok(false)
}

/// The bytes of a bytes-like object: borrowed when immutable, copied otherwise. `None`
/// when `obj` does not support the buffer protocol with byte elements.
pub(crate) fn borrow_or_copy(obj: &Bound<'_, PyAny>) -> PyResult<Option<Bytes>> {
    let Ok(buf) = PyBuffer::<u8>::get(obj) else {
        return Ok(None);
    };
    if buf.is_c_contiguous() && is_immutable_bytes(obj)? {
        return Ok(Some(Bytes::from_owner(Borrowed(buf))));
    }
    Ok(Some(Bytes::from(buf.to_vec(obj.py())?)))
}

/// Resolves `obj` to a path or to bytes; `what` names the caller in error messages.
pub(crate) fn source(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Source> {
    if obj.is_instance_of::<PyString>() {
        return Ok(Source::Path(obj.extract::<PathBuf>()?));
    }
    if let Some(b) = borrow_or_copy(obj)? {
        return Ok(Source::Bytes(b));
    }
    if obj.hasattr("__fspath__")? {
        return Ok(Source::Path(obj.extract::<PathBuf>()?));
    }
    if obj.hasattr("read")? {
        let data = obj.call_method0("read")?;
        if let Some(b) = borrow_or_copy(&data)? {
            return Ok(Source::Bytes(b));
        }
        if let Ok(s) = data.cast::<PyString>() {
            return Ok(Source::Bytes(Bytes::copy_from_slice(
                s.to_str()?.as_bytes(),
            )));
        }
        return Err(PyTypeError::new_err(format!(
            "{what}: read() returned {}, not bytes",
            data.get_type().name()?
        )));
    }
    Err(PyTypeError::new_err(format!(
        "{what}: expected a path, bytes, memoryview or a binary file object, not {}",
        obj.get_type().name()?
    )))
}

/// The bytes of a bytes-like object (no paths, no files).
pub(crate) fn bytes_only(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Bytes> {
    match borrow_or_copy(obj)? {
        Some(b) => Ok(b),
        None => Err(PyTypeError::new_err(format!(
            "{what}: expected bytes or a bytes-like object, not {}",
            obj.get_type().name()?
        ))),
    }
}
