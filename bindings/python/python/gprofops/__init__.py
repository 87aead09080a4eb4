"""Read and transform what Go programs leave behind when profiled.

- :class:`Profile`: pprof profiles (gzipped or raw profile.proto, legacy formats).
- :class:`Trace`: Go execution traces (Go 1.22+).
- :class:`GcTrace`: ``GODEBUG=gctrace=1`` logs.

Every class is a thin wrapper over the Rust crates of the same project; parsing and
operations run with the GIL released. Errors derive from :class:`ParseError` (a
``ValueError``) or are the usual ``OSError`` subclasses.

>>> import gprofops
>>> p = gprofops.Profile.load("examples/data/cpu.pb.gz")  # doctest: +SKIP
>>> p.sample_types  # doctest: +SKIP
[('samples', 'count'), ('cpu', 'nanoseconds')]
"""

from ._native import (
    EmptyInputError,
    EventIter,
    GcTrace,
    GzipError,
    InvalidProfileError,
    InvalidTraceError,
    LegacyFormatError,
    MalformedError,
    ParseError,
    Profile,
    TooLargeError,
    Trace,
    TraceHeaderError,
    TruncatedError,
    UnknownFormatError,
    UnsupportedVersionError,
    __version__,
)

__all__ = [
    "EmptyInputError",
    "EventIter",
    "GcTrace",
    "GzipError",
    "InvalidProfileError",
    "InvalidTraceError",
    "LegacyFormatError",
    "MalformedError",
    "ParseError",
    "Profile",
    "TooLargeError",
    "Trace",
    "TraceHeaderError",
    "TruncatedError",
    "UnknownFormatError",
    "UnsupportedVersionError",
    "__version__",
]
