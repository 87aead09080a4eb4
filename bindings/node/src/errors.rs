//! Rust errors as thrown JS `Error`s whose `code` names the kind, one per Rust error kind
//! (the names of the Python package's exception classes), with the Rust message and its
//! location. Reading failures get Node's own codes (`ENOENT`, `EACCES`, `EISDIR`...), and
//! bad argument values are `TypeError`s with code `ERR_INVALID_ARG_TYPE` or
//! `ERR_INVALID_ARG_VALUE`, as Node's own APIs throw them.

use napi::bindgen_prelude::{JsObjectValue, Object};
use napi::{Env, JsValue};
use profile_ops::{Error as OpsError, gctrace, gotrace, pprof};

/// A failure, made on any thread, thrown (or rejected) as a JS error on the JS thread.
#[derive(Debug)]
pub struct Failure {
    code: &'static str,
    message: String,
    type_error: bool,
}

impl Failure {
    /// An `Error` with `code`.
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            type_error: false,
        }
    }

    /// A `TypeError` with code `ERR_INVALID_ARG_VALUE` (an option value that is not
    /// one of the accepted ones).
    pub(crate) fn arg_value(message: impl Into<String>) -> Failure {
        Failure {
            code: "ERR_INVALID_ARG_VALUE",
            message: message.into(),
            type_error: true,
        }
    }

    /// The JS error object, wrapped so that napi throws or rejects with it as it is.
    pub(crate) fn into_js(self, env: &Env) -> napi::Error {
        let made = (|| -> napi::Result<napi::Error> {
            let mut obj = if self.type_error {
                let e = napi::JsTypeError::from(napi::Error::from_reason(self.message.clone()));
                Object::from_raw(env.raw(), e.into_unknown(*env).raw())
            } else {
                env.create_error(napi::Error::from_reason(self.message.clone()))?
            };
            obj.set_named_property("code", self.code)?;
            Ok(napi::Error::from(obj.to_unknown()))
        })();
        made.unwrap_or_else(|e| e)
    }
}

/// `Result` of work that may run off the JS thread.
pub(crate) type Fallible<T> = Result<T, Failure>;

/// Converts a failure into the thrown error.
pub(crate) trait OrThrow<T> {
    /// The value, or the failure as a JS error made with `env`.
    fn or_throw(self, env: &Env) -> napi::Result<T>;
}

impl<T, E: Into<Failure>> OrThrow<T> for Result<T, E> {
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|e| e.into().into_js(env))
    }
}

/// Node's code for a reading failure of `kind`.
pub(crate) fn io_code(kind: std::io::ErrorKind) -> &'static str {
    use std::io::ErrorKind as K;
    match kind {
        K::NotFound => "ENOENT",
        K::PermissionDenied => "EACCES",
        K::IsADirectory => "EISDIR",
        K::NotADirectory => "ENOTDIR",
        K::StorageFull => "ENOSPC",
        K::Interrupted => "EINTR",
        _ => "EIO",
    }
}

/// A reading failure of `path`.
pub(crate) fn io_failure(path: &std::path::Path, e: &std::io::Error) -> Failure {
    Failure::new(io_code(e.kind()), format!("{}: {e}", path.display()))
}

impl From<pprof::Error> for Failure {
    fn from(e: pprof::Error) -> Failure {
        use pprof::Error as E;
        let code = match &e {
            E::Truncated { .. } => "TruncatedError",
            E::Malformed { .. } => "MalformedError",
            E::Invalid(_) => "InvalidProfileError",
            E::Gzip(_) => "GzipError",
            E::TooLarge { .. } | E::OverBudget { .. } | E::OutOfMemory { .. } => "TooLargeError",
            E::Legacy { .. } => "LegacyFormatError",
            E::UnknownFormat(_) => "UnknownFormatError",
            E::Empty => "EmptyInputError",
            E::Io { source, .. }
            | E::Save { source, .. }
            | E::Stream(source)
            | E::Write(source) => io_code(source.kind()),
            _ => "ParseError",
        };
        Failure::new(code, e.to_string())
    }
}

impl From<gotrace::Error> for Failure {
    fn from(e: gotrace::Error) -> Failure {
        use gotrace::Error as E;
        let code = match &e {
            E::BadHeader => "TraceHeaderError",
            E::UnsupportedVersion(_) | E::V1NotSupported(_) => "UnsupportedVersionError",
            E::Io { kind, .. } => io_code(*kind),
            E::Malformed { .. } => "MalformedError",
            E::Truncated { .. } => "TruncatedError",
            E::Invalid { .. } => "InvalidTraceError",
            E::TooLarge { .. } => "TooLargeError",
            _ => "ParseError",
        };
        Failure::new(code, e.to_string())
    }
}

impl From<gctrace::Error> for Failure {
    fn from(e: gctrace::Error) -> Failure {
        let code = match &e {
            gctrace::Error::Io { source, .. } => io_code(source.kind()),
            _ => "ParseError",
        };
        Failure::new(code, e.to_string())
    }
}

impl From<OpsError> for Failure {
    fn from(e: OpsError) -> Failure {
        let message = e.to_string();
        let code = match e {
            OpsError::NoProfiles => "NoProfilesError",
            OpsError::Incompatible(_) => "IncompatibleProfilesError",
            OpsError::BadRegex { .. } | OpsError::BadFrameRegex(_) => "BadRegexError",
            OpsError::BadOption(_) => "BadOptionError",
            OpsError::Pprof(e) => return e.into(),
            _ => "ParseError",
        };
        Failure::new(code, message)
    }
}

/// The `code`s of the errors gprofops throws, besides Node's own (`ENOENT`, `EACCES`,
/// `EISDIR`..., `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`): one
/// per kind of Rust error, named as the Python package's exception classes.
#[napi_derive::napi]
pub fn error_codes() -> Vec<&'static str> {
    CODES.to_vec()
}

const CODES: &[&str] = &[
    "ParseError",
    "TruncatedError",
    "MalformedError",
    "InvalidProfileError",
    "GzipError",
    "TooLargeError",
    "LegacyFormatError",
    "UnknownFormatError",
    "EmptyInputError",
    "TraceHeaderError",
    "UnsupportedVersionError",
    "InvalidTraceError",
    "IncompatibleProfilesError",
    "NoProfilesError",
    "BadRegexError",
    "BadOptionError",
];
