"""Assembles pyarrow tables from the raw column buffers the Rust side produces.

Each column arrives as ``(kind, length, buffers...)`` (see ``bindings/python/src/table.rs``);
the buffers are wrapped, not copied, so no Python object is created per row.
"""

from __future__ import annotations

from typing import Any

try:
    import pyarrow as pa
except ImportError as e:  # pragma: no cover - exercised only without pyarrow
    raise ImportError(
        "gprofops: to_arrow()/to_pandas() need pyarrow (pip install 'gprofops[pandas]')"
    ) from e


def _buf(b: bytes | None) -> pa.Buffer | None:
    return None if b is None else pa.py_buffer(b)


def _strings(n: int, offsets: bytes, data: bytes) -> pa.Array:
    return pa.Array.from_buffers(pa.string(), n, [None, _buf(offsets), _buf(data)])


def _column(spec: tuple[Any, ...]) -> pa.Array:
    kind, n = spec[0], spec[1]
    if kind in ("i64", "f64"):
        ty = pa.int64() if kind == "i64" else pa.float64()
        return pa.Array.from_buffers(ty, n, [_buf(spec[3]), _buf(spec[2])])
    if kind == "u64":
        return pa.Array.from_buffers(pa.uint64(), n, [None, _buf(spec[2])])
    if kind == "bool":
        return pa.Array.from_buffers(pa.uint8(), n, [None, _buf(spec[2])]).cast(pa.bool_())
    if kind == "str":
        return _strings(n, spec[2], spec[3])
    if kind == "dict":
        _, _, idx, valid, nd, doffs, ddata = spec
        indices = pa.Array.from_buffers(pa.int32(), n, [_buf(valid), _buf(idx)])
        return pa.DictionaryArray.from_arrays(indices, _strings(nd, doffs, ddata))
    if kind == "list_dict":
        _, _, offs, ni, idx, nd, doffs, ddata = spec
        indices = pa.Array.from_buffers(pa.int32(), ni, [None, _buf(idx)])
        values = _strings(nd, doffs, ddata).take(indices)
        offsets = pa.Array.from_buffers(pa.int32(), n + 1, [None, _buf(offs)])
        return pa.ListArray.from_arrays(offsets, values)
    raise ValueError(f"unknown column kind {kind!r}")


def table(specs: list[tuple[str, tuple[Any, ...]]]) -> pa.Table:
    """Builds a table from ``[(name, spec), ...]``."""
    return pa.table({name: _column(spec) for name, spec in specs})
