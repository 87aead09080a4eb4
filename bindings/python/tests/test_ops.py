"""Operations and reports: the same results as the Rust CLI on the same files."""

from __future__ import annotations

import pytest

import gprofops
from conftest import EXAMPLES, PPROF, varint

CPU = EXAMPLES / "cpu.pb.gz"
HEAP = EXAMPLES / "heap.pb.gz"
FIB = PPROF / "parca" / "pkg" / "query" / "testdata" / "fib.pb.gz"


@pytest.fixture(scope="module")
def cpu() -> gprofops.Profile:
    return gprofops.Profile.load(CPU)


def test_top_matches_cli(cpu, cli):
    for path in (CPU, HEAP):
        p = gprofops.Profile.load(path)
        top = p.top(10)
        want = cli.json("top", "--json", "-n", "10", path)
        assert top.total == want["total"]
        assert top.unit == want["unit"]
        assert top.rows == want["rows"]
        assert top.to_text() == cli.run("top", "-n", "10", path).stdout
        assert str(top) == top.to_text()
        assert len(top) == 10


def test_top_options_match_cli(cli):
    heap = gprofops.Profile.load(HEAP)
    top = heap.top(5, sample_index="inuse_space", cum=True, focus="runtime", granularity="files")
    want = cli.json(
        "top", "--json", "-n", "5", "--sample-index", "inuse_space", "--cum", "--focus", "runtime",
        "--files", HEAP,
    )
    assert top.rows == want["rows"]
    assert heap.top(3, sample_index=1).rows == heap.top(3, sample_index="alloc_space").rows


def test_top_to_pandas(cpu):
    top = cpu.top(10)
    df = top.to_pandas()
    assert list(df.columns) == [
        "name", "node", "flat", "flat_pct", "sum_pct", "cum", "cum_pct", "inline", "partial_inline",
    ]
    assert df["inline"].dtype == bool
    marker = [" (inline)" if i else " (partial-inline)" if p else "" for i, p in zip(df["inline"], df["partial_inline"], strict=True)]
    assert df["name"].tolist() == [n + m for n, m in zip(df["node"], marker, strict=True)]
    assert df["name"].tolist() == [r["name"] for r in top.rows]
    assert df["flat"].tolist() == [r["flat"] for r in top.rows]
    assert df["cum_pct"].tolist() == [r["cum_pct"] for r in top.rows]
    assert top.to_arrow().num_rows == 10
    assert "<table>" in top._repr_html_()
    assert repr(top).startswith("<gprofops.TopReport: 10 rows")
    assert "Type: cpu" in top.labels


def test_top_marks_inlined_frames():
    # heap.pb.gz (parca's alloc_objects) has frames inlined into every caller: their name
    # carries go tool pprof's marker, and the booleans say which.
    df = gprofops.Profile.load(HEAP).top().to_pandas()
    inlined = df[df["inline"]]
    assert len(inlined) > 0
    assert all(n.endswith(" (inline)") and n == f"{node} (inline)" for n, node in zip(inlined["name"], inlined["node"], strict=True))
    plain = df[~df["inline"] & ~df["partial_inline"]]
    assert (plain["name"] == plain["node"]).all()


def test_reports_match_cli(cpu, cli):
    assert cpu.traces() == cli.run("traces", CPU).stdout
    assert cpu.tree(5) == cli.run("tree", "-n", "5", CPU).stdout
    folded = "".join(f"{s} {v}\n" for s, v in cpu.folded())
    assert folded == cli.run("folded", CPU).stdout
    assert cpu.flamegraph() == cli.json("flamegraph", CPU)
    assert cpu.speedscope(name=str(CPU)) == cli.json("speedscope", CPU)


def test_flamegraph_shape_and_diff(cpu):
    root = cpu.flamegraph()
    assert root["name"] == "root"
    assert root["value"] == cpu.totals[1]
    assert sum(c["value"] for c in root["children"]) == root["value"]
    half = cpu.scale(0.5)
    d = cpu.flamegraph(base=half)
    assert d["value"] == cpu.totals[1]
    assert d["delta"] == cpu.totals[1] - half.totals[1]


def test_merge(cpu):
    m = gprofops.merge([cpu, cpu, cpu])
    assert m.totals == [3 * t for t in cpu.totals]
    assert m.num_samples <= cpu.num_samples
    assert gprofops.merge(iter([cpu])) == gprofops.merge([cpu])
    fib = gprofops.Profile.load(FIB)
    both = gprofops.merge([cpu, fib], common_sample_types=True)
    assert both.totals == [a + b for a, b in zip(cpu.totals, fib.totals, strict=True)]
    # More profiles than one chunk (64), so several threads could share the work: the
    # result is the same with one thread, two or one per core.
    many = [cpu] * 70
    folded = gprofops.merge(many).folded()
    assert gprofops.merge(many, threads=1).folded() == folded
    assert gprofops.merge(many, threads=2).folded() == folded
    assert gprofops.merge(many).totals == [70 * t for t in cpu.totals]


def test_diff(cpu, cli):
    assert gprofops.diff(cpu, cpu, mode="subtract").num_samples == 0
    marked = gprofops.diff(cpu, cpu)
    assert marked.num_samples == 2 * cpu.num_samples
    assert marked.totals == [0, 0]
    double = cpu.scale(2)
    assert gprofops.diff(cpu, double, mode="subtract").totals == cpu.totals
    assert gprofops.diff(cpu, double, normalize=True, mode="subtract").totals == [0, 0]


def test_filters(cpu):
    focused = cpu.focus("fib")
    assert 0 < focused.totals[1] < cpu.totals[1]
    assert all(
        any("fib" in f for f in focused.sample(i)["stack"]) for i in range(focused.num_samples)
    )
    ignored = cpu.ignore("fib")
    assert focused.totals[1] + ignored.totals[1] == cpu.totals[1]
    hidden = cpu.hide("runtime")
    assert not any("runtime" in f for i in range(hidden.num_samples) for f in hidden.sample(i)["stack"])
    shown = cpu.show("main")
    assert all(f.startswith("main") for i in range(shown.num_samples) for f in shown.sample(i)["stack"])
    assert cpu.filter(focus="fib", ignore="runtime") == focused.ignore("runtime")
    heap = gprofops.Profile.load(HEAP)
    big = heap.tagfocus("bytes=1mb:")
    assert 0 < big.num_samples < heap.num_samples
    assert all(big.sample(i)["num_labels"][0][1] >= 1 << 20 for i in range(big.num_samples))
    small = heap.tagignore("bytes=1mb:")
    assert 0 < small.num_samples <= heap.num_samples - big.num_samples
    assert all(small.sample(i)["num_labels"][0][1] < 1 << 20 for i in range(small.num_samples))


def test_transforms(cpu):
    assert cpu.scale(2).totals == [2 * t for t in cpu.totals]
    assert cpu.scale(3).normalize(cpu).totals == cpu.totals
    assert cpu.compact().totals == cpu.totals
    files = cpu.aggregate("files")
    assert files.totals == cpu.totals
    assert files.num_samples <= cpu.num_samples
    assert files.table_sizes[0] < cpu.table_sizes[0]  # one function per file now


def test_label_nodes_match_cli(cli):
    heap = gprofops.Profile.load(HEAP)
    tagged = heap.label_nodes(root=["bytes"])
    assert tagged.totals == heap.totals
    assert tagged.sample(0)["stack"][-1] == "48"  # the bytes label has no unit
    want = cli.run("top", "-n", "5", "--tagroot", "bytes", HEAP).stdout
    assert tagged.top(5).to_text().splitlines()[1:] == want.splitlines()[1:]


def test_tree_with_symbol_is_go_tool_pprof_peek(cli):
    path = EXAMPLES / "cpu.pb.gz"
    p = gprofops.Profile.load(path)
    assert p.tree(symbol="Fib") == cli.run("peek", "Fib", path).stdout


def _deep_profile(depth: int) -> bytes:
    """One sample whose stack is `depth` distinct functions f0 (leaf) ... f{depth-1}."""

    def field(no: int, data: bytes) -> bytes:
        return varint((no << 3) | 2) + varint(len(data)) + data

    def vfield(no: int, v: int) -> bytes:
        return varint(no << 3) + varint(v)

    out = [field(1, vfield(1, 1) + vfield(2, 2))]
    ids = range(1, depth + 1)
    out.append(field(2, field(1, b"".join(varint(i) for i in ids)) + field(2, varint(1))))
    for i in ids:
        out.append(field(4, vfield(1, i) + field(4, vfield(1, i) + vfield(2, 1))))
        out.append(field(5, vfield(1, i) + vfield(2, i + 2)))
    for s in ["", "samples", "count", *(f"f{i - 1}" for i in ids)]:
        out.append(field(6, s.encode()))
    return b"".join(out)


def test_flamegraph_of_a_200000_frame_stack(tmp_path, cli):
    """No recursion per frame, in Rust or in building the dicts (json.loads would raise
    RecursionError)."""
    p = gprofops.Profile.from_bytes(_deep_profile(200_000))
    node, depth = p.flamegraph(), 0
    while node["children"]:
        (node,) = node["children"]
        depth += 1
    assert (depth, node["name"], node["value"]) == (200_000, "f0", 1)
    p.save(tmp_path / "deep.pb.gz")
    assert p.folded()[0][1] == 1
    assert cli.run("flamegraph", tmp_path / "deep.pb.gz").stdout.startswith('{"name":"root","value":1,')
