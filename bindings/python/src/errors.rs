//! One Python exception class per Rust error kind, with the Rust error's message.
//!
//! `ParseError` (a `ValueError`) is the base of every "the input is wrong" error; reading
//! failures become the matching `OSError` subclass (`FileNotFoundError`, ...).

use pyo3::exceptions::{
    PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError, PyValueError,
};
use pyo3::prelude::*;

use profile_ops::{Error as OpsError, gctrace, gotrace, pprof};

pyo3::create_exception!(
    gprofops,
    ParseError,
    PyValueError,
    "The input is not a valid profile, trace or log (base of every parse error)."
);
pyo3::create_exception!(
    gprofops,
    TruncatedError,
    ParseError,
    "The input ends inside a field, event or generation."
);
pyo3::create_exception!(
    gprofops,
    MalformedError,
    ParseError,
    "Bytes that do not follow the wire format (bad tag, varint or wire type)."
);
pyo3::create_exception!(
    gprofops,
    InvalidProfileError,
    ParseError,
    "A profile that decodes but breaks profile.proto's rules (google/pprof's CheckValid)."
);
pyo3::create_exception!(
    gprofops,
    GzipError,
    ParseError,
    "gzip data that does not inflate."
);
pyo3::create_exception!(
    gprofops,
    TooLargeError,
    ParseError,
    "The input is larger than a limit allows: a profile past max_inflated_size or memory_budget (or the memory the process can have), or a streamed trace generation past the buffering limit."
);
pyo3::create_exception!(
    gprofops,
    LegacyFormatError,
    ParseError,
    "A legacy text or binary profile that could not be parsed (message has the line)."
);
pyo3::create_exception!(
    gprofops,
    UnknownFormatError,
    ParseError,
    "Neither protobuf, gzip nor a known legacy profile format."
);
pyo3::create_exception!(
    gprofops,
    EmptyInputError,
    ParseError,
    "The input holds no profile at all."
);
pyo3::create_exception!(
    gprofops,
    TraceHeaderError,
    ParseError,
    "The input does not start with a Go execution trace header."
);
pyo3::create_exception!(
    gprofops,
    UnsupportedVersionError,
    ParseError,
    "A Go execution trace of a version this library does not read."
);
pyo3::create_exception!(
    gprofops,
    InvalidTraceError,
    ParseError,
    "Well-formed trace events that break the runtime's ordering or state rules."
);

pyo3::create_exception!(
    gprofops,
    IncompatibleProfilesError,
    PyValueError,
    "Profiles whose sample or period types differ cannot be merged or compared."
);
pyo3::create_exception!(
    gprofops,
    NoProfilesError,
    PyValueError,
    "merge() was given no profile."
);
pyo3::create_exception!(
    gprofops,
    BadRegexError,
    PyValueError,
    "A regular expression option (focus, ignore, ..., or the profile's drop_frames) does not compile."
);
pyo3::create_exception!(
    gprofops,
    BadOptionError,
    PyValueError,
    "An option value is out of range or malformed (sample index, granularity, ...)."
);

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ParseError", py.get_type::<ParseError>())?;
    m.add("TruncatedError", py.get_type::<TruncatedError>())?;
    m.add("MalformedError", py.get_type::<MalformedError>())?;
    m.add("InvalidProfileError", py.get_type::<InvalidProfileError>())?;
    m.add("GzipError", py.get_type::<GzipError>())?;
    m.add("TooLargeError", py.get_type::<TooLargeError>())?;
    m.add("LegacyFormatError", py.get_type::<LegacyFormatError>())?;
    m.add("UnknownFormatError", py.get_type::<UnknownFormatError>())?;
    m.add("EmptyInputError", py.get_type::<EmptyInputError>())?;
    m.add("TraceHeaderError", py.get_type::<TraceHeaderError>())?;
    m.add(
        "UnsupportedVersionError",
        py.get_type::<UnsupportedVersionError>(),
    )?;
    m.add("InvalidTraceError", py.get_type::<InvalidTraceError>())?;
    m.add(
        "IncompatibleProfilesError",
        py.get_type::<IncompatibleProfilesError>(),
    )?;
    m.add("NoProfilesError", py.get_type::<NoProfilesError>())?;
    m.add("BadRegexError", py.get_type::<BadRegexError>())?;
    m.add("BadOptionError", py.get_type::<BadOptionError>())?;
    Ok(())
}

/// The `OSError` subclass Python itself would raise for `kind`, carrying `msg`.
pub(crate) fn os_error(kind: std::io::ErrorKind, msg: String) -> PyErr {
    use std::io::ErrorKind as K;
    match kind {
        K::NotFound => PyFileNotFoundError::new_err(msg),
        K::PermissionDenied => PyPermissionError::new_err(msg),
        K::IsADirectory => PyIsADirectoryError::new_err(msg),
        _ => PyOSError::new_err(msg),
    }
}

/// Converts a profile error.
pub(crate) fn pprof_err(e: pprof::Error) -> PyErr {
    use pprof::Error as E;
    let msg = e.to_string();
    match e {
        E::Truncated { .. } => TruncatedError::new_err(msg),
        E::Malformed { .. } => MalformedError::new_err(msg),
        E::Invalid(_) => InvalidProfileError::new_err(msg),
        E::Gzip(_) => GzipError::new_err(msg),
        E::TooLarge { .. } | E::OverBudget { .. } | E::OutOfMemory { .. } => {
            TooLargeError::new_err(msg)
        }
        E::Legacy { .. } => LegacyFormatError::new_err(msg),
        E::UnknownFormat(_) => UnknownFormatError::new_err(msg),
        E::Empty => EmptyInputError::new_err(msg),
        E::Io { source, .. } | E::Save { source, .. } | E::Stream(source) | E::Write(source) => {
            os_error(source.kind(), msg)
        }
        _ => ParseError::new_err(msg),
    }
}

/// Converts a trace error.
pub(crate) fn trace_err(e: gotrace::Error) -> PyErr {
    use gotrace::Error as E;
    let msg = e.to_string();
    match e {
        E::BadHeader => TraceHeaderError::new_err(msg),
        E::UnsupportedVersion(_) | E::V1NotSupported(_) => UnsupportedVersionError::new_err(msg),
        E::Io { kind, .. } => os_error(kind, msg),
        E::Malformed { .. } => MalformedError::new_err(msg),
        E::Truncated { .. } => TruncatedError::new_err(msg),
        E::Invalid { .. } => InvalidTraceError::new_err(msg),
        E::TooLarge { .. } => TooLargeError::new_err(msg),
        _ => ParseError::new_err(msg),
    }
}

/// Converts a gctrace reading error.
pub(crate) fn gctrace_err(e: gctrace::Error) -> PyErr {
    let msg = e.to_string();
    match e {
        gctrace::Error::Io { source, .. } => os_error(source.kind(), msg),
        _ => ParseError::new_err(msg),
    }
}

/// Converts an operation error.
pub(crate) fn ops_err(e: OpsError) -> PyErr {
    let msg = e.to_string();
    match e {
        OpsError::NoProfiles => NoProfilesError::new_err(msg),
        OpsError::Incompatible(_) => IncompatibleProfilesError::new_err(msg),
        OpsError::BadRegex { .. } | OpsError::BadFrameRegex(_) => BadRegexError::new_err(msg),
        OpsError::BadOption(_) => BadOptionError::new_err(msg),
        OpsError::Pprof(e) => pprof_err(e),
        OpsError::Trace(_) => InvalidTraceError::new_err(msg),
        _ => PyValueError::new_err(msg),
    }
}
