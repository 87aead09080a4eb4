"""The package's surface: stubs and docstrings for every public item, the GIL released
while parsing and operating, and tables built without a Python object per row."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import threading
from importlib import resources
from pathlib import Path

import pytest

import gprofops
import gprofops._native as native
from conftest import CORPUS, EXAMPLES, PPROF

STUB = Path(native.__file__).with_name("_native.pyi")


def _stub_names() -> dict[str, set[str] | None]:
    """Top-level names of the stub, each class with the names it defines."""
    names: dict[str, set[str] | None] = {}
    for node in ast.parse(STUB.read_text()).body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = {
                n.name if not isinstance(n, ast.AnnAssign) else n.target.id
                for n in node.body
                if isinstance(n, ast.FunctionDef | ast.AnnAssign)
            }
        elif isinstance(node, ast.FunctionDef):
            names[node.name] = None
        elif isinstance(node, ast.AnnAssign):
            names[node.target.id] = None
    return names


def _public(cls: type) -> set[str]:
    own = set(vars(cls))
    keep = {"__iter__", "__next__", "__len__", "__eq__", "__repr__", "__str__", "_repr_html_"}
    return {n for n in own if not n.startswith("_") or n in keep}


def test_stubs_cover_every_public_item():
    stub = _stub_names()
    assert set(gprofops.__all__) - {"IncompatibleProfiles"} <= set(stub)  # an alias in __init__
    for name in gprofops.__all__:
        obj = getattr(gprofops, name)
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            missing = _public(obj) - stub[name]
            assert not missing, f"{name}: not in _native.pyi: {sorted(missing)}"
    assert resources.files("gprofops").joinpath("py.typed").is_file()


def test_public_items_have_docstrings():
    for name in gprofops.__all__:
        obj = getattr(gprofops, name)
        if name == "__version__":
            continue
        assert obj.__doc__, name
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            for attr in _public(obj):
                if not attr.startswith("__") and attr != "_repr_html_":
                    assert getattr(obj, attr).__doc__, f"{name}.{attr}"


def test_parsing_a_stream_releases_the_gil(tmp_path):
    """GcTrace.load(path) blocks in read() on a FIFO until this thread writes to it,
    which it can only do if the reading thread released the GIL."""
    fifo = tmp_path / "gctrace.fifo"
    os.mkfifo(fifo)
    got: list[gprofops.GcTrace] = []
    reader = threading.Thread(target=lambda: got.append(gprofops.GcTrace.load(fifo)))
    reader.start()
    with open(fifo, "wb") as w:  # blocks until the reader has opened the FIFO
        for line in (EXAMPLES / "gctrace.log").read_bytes().splitlines(keepends=True):
            w.write(line)
            w.flush()
    reader.join()
    assert len(got[0]) == 20


@pytest.fixture
def no_preemption():
    """A switch interval so long that a thread gives up the GIL only by releasing it."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    yield
    sys.setswitchinterval(old)


def _runs_without_the_gil(work) -> bool:
    """True when this thread gets the GIL back while `work` still runs in another thread.

    With preemption off, the main thread, waiting for `started`, can only run again when
    the worker releases the GIL: inside `work` if it releases it, or when the thread
    ends if it does not (then `done` is already set)."""
    started, done = threading.Event(), threading.Event()

    def worker() -> None:
        started.set()
        work()
        done.set()

    t = threading.Thread(target=worker)
    t.start()
    started.wait()
    running = not done.is_set()
    t.join()
    return running


def test_parsing_and_operations_release_the_gil(no_preemption):
    cpu = gprofops.Profile.load(EXAMPLES / "cpu.pb.gz")
    many = [cpu.scale(i) for i in range(1, 41)]
    # A 1 MB raw profile: each decode releases the GIL for about 2 ms (the example
    # profile's 25-80 us was too short a window on a loaded machine: 1 failure in CI).
    big = gprofops.Profile.load(PPROF / "pyroscope/pkg/pprof/testdata/gotruncatefix/heap_go_truncated_2.pb.gz").to_bytes()
    # Each call releases the GIL once; repeating it gives this thread, which the OS may
    # not schedule within one short release on a loaded machine, many chances.
    assert _runs_without_the_gil(lambda: [gprofops.merge(many * 5) for _ in range(20)][0])
    assert _runs_without_the_gil(lambda: [gprofops.Profile.load(big) for _ in range(50)][0])
    heap = gprofops.Profile.load(big)
    assert _runs_without_the_gil(lambda: [heap.top(10) for _ in range(50)][0])


def _allocations(make):
    """The table `make()` returns, and how many Python memory blocks were allocated while
    building it (the second of two calls: imports and caches are warm by then)."""
    make()
    before = sys.getallocatedblocks()
    table = make()
    return table, sys.getallocatedblocks() - before


def test_tables_create_no_python_object_per_row():
    heap = gprofops.Profile.load(PPROF / "pyroscope/pkg/pprof/testdata/gotruncatefix/heap_go_truncated_2.pb.gz")
    trace = gprofops.Trace.load(CORPUS / "gotrace" / "tests" / "go122-gc-stress.trace")
    for what, make in (
        ("samples", heap.to_arrow),
        ("top", lambda: heap.top(0, node_fraction=0).to_arrow()),
        ("trace events", trace.to_arrow),
    ):
        table, grown = _allocations(make)
        assert table.num_rows > 1000, what
        assert grown < 500, f"{what}: {grown} Python allocations for {table.num_rows} rows"


def test_works_without_the_optional_dependencies():
    """pandas, pyarrow and dask are extras (`gprofops[pandas]`, `gprofops[dask]`): without
    them everything but the tables works, and the tables say what to install."""
    code = f"""
import sys
sys.modules.update(pyarrow=None, pandas=None, dask=None)
import gprofops
p = gprofops.Profile.load({str(EXAMPLES / "cpu.pb.gz")!r})
assert p.top(3).rows and p.flamegraph()["value"] == p.totals[1]
try:
    p.to_pandas()
except ImportError as e:
    print(e)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'gprofops[pandas]'" in r.stdout
