"""Read and transform what Go programs leave behind when profiled.

- :class:`Profile`: pprof profiles (gzipped or raw profile.proto, legacy formats), with
  filters (``focus``, ``ignore``, ``hide``, ``show``, ``tagfocus``...) and reports
  (``top``, ``traces``, ``tree``, ``folded``, ``flamegraph``, ``speedscope``).
- :func:`merge` and :func:`diff` of profiles.
- :class:`Trace`: Go execution traces (Go 1.11+).
- :class:`GcTrace`: ``GODEBUG=gctrace=1`` logs.
- :mod:`gprofops.dask`: merging many profiles on a Dask cluster.

Every class is a thin wrapper over the Rust crates of the same project; parsing and
operations run with the GIL released. Errors derive from ``ValueError`` (:class:`ParseError`
and its subclasses for bad input) or are the usual ``OSError`` subclasses.

Example::

    import gprofops
    p = gprofops.Profile.load("examples/data/cpu.pb.gz")
    print(p.top(10))
"""

from ._native import (
    BadOptionError,
    BadRegexError,
    EmptyInputError,
    EventIter,
    GcTrace,
    GzipError,
    IncompatibleProfilesError,
    InvalidProfileError,
    InvalidTraceError,
    LegacyFormatError,
    MalformedError,
    NoProfilesError,
    ParseError,
    Profile,
    Samples,
    TooLargeError,
    TopReport,
    Trace,
    TraceHeaderError,
    TruncatedError,
    UnknownFormatError,
    UnsupportedVersionError,
    __version__,
    diff,
    merge,
)

#: Alias of :class:`IncompatibleProfilesError`.
IncompatibleProfiles = IncompatibleProfilesError

__all__ = [
    "BadOptionError",
    "BadRegexError",
    "EmptyInputError",
    "EventIter",
    "GcTrace",
    "GzipError",
    "IncompatibleProfiles",
    "IncompatibleProfilesError",
    "InvalidProfileError",
    "InvalidTraceError",
    "LegacyFormatError",
    "MalformedError",
    "NoProfilesError",
    "ParseError",
    "Profile",
    "Samples",
    "TooLargeError",
    "TopReport",
    "Trace",
    "TraceHeaderError",
    "TruncatedError",
    "UnknownFormatError",
    "UnsupportedVersionError",
    "__version__",
    "diff",
    "merge",
]
