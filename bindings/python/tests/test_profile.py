"""Profile: every way of loading, the properties, samples, export, encoding, pickling."""

from __future__ import annotations

import datetime
import gzip
import io
import pickle
from pathlib import Path

import pyarrow as pa
import pytest

import gprofops
from conftest import EXAMPLES, varint

CPU = EXAMPLES / "cpu.pb.gz"
HEAP = EXAMPLES / "heap.pb.gz"


@pytest.fixture(scope="module")
def cpu() -> gprofops.Profile:
    return gprofops.Profile.load(CPU)


@pytest.mark.parametrize(
    "source",
    [
        lambda: str(CPU),
        lambda: CPU,
        lambda: CPU.read_bytes(),
        lambda: memoryview(CPU.read_bytes()),
        lambda: bytearray(CPU.read_bytes()),
        lambda: io.BytesIO(CPU.read_bytes()),
        lambda: open(CPU, "rb"),  # noqa: SIM115 - the profile reads it to the end
        lambda: gzip.decompress(CPU.read_bytes()),
    ],
    ids=["str", "path", "bytes", "memoryview", "bytearray", "bytesio", "file", "raw-bytes"],
)
def test_every_source_gives_the_same_profile(source, cpu):
    p = gprofops.Profile.load(source())
    assert p == cpu
    assert p.totals == cpu.totals


def test_from_bytes_accepts_buffers_only(cpu):
    assert gprofops.Profile.from_bytes(CPU.read_bytes()) == cpu
    with pytest.raises(TypeError, match="expected bytes"):
        gprofops.Profile.from_bytes(str(CPU))


def test_properties_match_the_cli(cpu, cli):
    for path in (CPU, HEAP):
        p = gprofops.Profile.load(path)
        info = cli.json("info", "--json", path)
        assert p.summary() == info
        assert [list(t) for t in p.sample_types] == info["sample_types"]
        assert (list(p.period_type) if p.period_type else None) == info["period_type"]
        assert p.period == info["period"]
        assert p.num_samples == info["num_samples"]
        assert p.totals == info["totals"]
        assert p.default_sample_type == info["default_sample_type"]
        assert p.duration_nanos == info["duration_nanos"]
        assert p.time_nanos == info["time_nanos"]


def test_time_and_duration(cpu):
    assert cpu.time == datetime.datetime(2021, 7, 16, 13, 10, 30, 776293, tzinfo=datetime.UTC)
    assert cpu.duration == datetime.timedelta(microseconds=cpu.duration_nanos // 1000)
    empty = gprofops.Profile.load(b"\x32\x00")  # a string table holding "" only
    assert empty.time is None
    assert empty.duration == datetime.timedelta(0)
    assert empty.sample_types == [] and empty.totals == [] and empty.period_type is None


def test_header_fields():
    heap = gprofops.Profile.load(HEAP)
    assert heap.default_sample_type == "alloc_space"
    assert heap.period_type == ("space", "bytes")
    assert heap.comments == []
    assert heap.doc_url is None
    assert heap.drop_frames is None and heap.keep_frames is None
    functions, locations, mappings = heap.table_sizes
    assert functions > 0 and locations > 0 and mappings == 3


def test_sample_access(cpu):
    first = cpu.sample(0)
    assert first["stack"][0] == "math/big.addVV"
    assert first["values"] == [386, 3860000000]
    assert cpu.sample(-1) == cpu.sample(cpu.num_samples - 1)
    with pytest.raises(IndexError):
        cpu.sample(cpu.num_samples)
    heap = gprofops.Profile.load(HEAP)
    assert heap.sample(0)["num_labels"] == [("bytes", 48, "")]


def test_samples_sequence(cpu):
    samples = cpu.samples
    assert len(samples) == cpu.num_samples
    assert samples[0] == cpu.sample(0) and samples[-1] == cpu.sample(-1)
    listed = list(samples)
    assert len(listed) == cpu.num_samples
    assert [sum(s["values"][1] for s in listed)] == cpu.totals[1:]
    assert listed[5]["stack"] == cpu.to_pandas()["stack"][5].tolist()
    with pytest.raises(IndexError):
        samples[len(samples)]
    assert repr(samples) == f"<gprofops.Samples: {cpu.num_samples} samples>"


def test_to_arrow_is_the_samples(cpu):
    t = cpu.to_arrow()
    assert isinstance(t, pa.Table)
    assert t.column_names == ["stack", "samples", "cpu"]
    assert t.num_rows == cpu.num_samples
    assert [pa.compute.sum(t[c]).as_py() for c in ("samples", "cpu")] == cpu.totals
    stacks = t["stack"].to_pylist()
    for i in (0, 7, cpu.num_samples - 1):
        assert stacks[i] == cpu.sample(i)["stack"]


def test_to_pandas_labels():
    heap = gprofops.Profile.load(HEAP)
    df = heap.to_pandas()
    assert list(df.columns) == [
        "stack", "alloc_objects", "alloc_space", "inuse_objects", "inuse_space", "numlabel:bytes",
    ]
    assert df["alloc_space"].sum() == heap.totals[1]
    assert df["numlabel:bytes"].iloc[0] == 48


def test_string_labels_become_categoricals():
    # Built by hand: string table ["", "k", "v", "w", "cpu", "ns"], one sample type,
    # samples with label k=v, k=w and none.
    def field(num, payload):
        return varint(num << 3 | 2) + varint(len(payload)) + payload

    strings = b"".join(field(6, s.encode()) for s in ["", "k", "v", "w", "cpu", "ns"])
    vt = field(1, b"\x08\x04\x10\x05")
    label = lambda s: field(3, b"\x08\x01\x10" + bytes([s]))  # noqa: E731
    samples = b"".join(
        field(2, field(2, varint(v)) + lab)
        for v, lab in [(10, label(2)), (20, label(3)), (30, b"")]
    )
    p = gprofops.Profile.from_bytes(vt + samples + strings)
    df = p.to_pandas()
    assert str(df["label:k"].dtype) == "category"
    assert df["label:k"].tolist()[:2] == ["v", "w"]
    assert df["label:k"].isna().tolist() == [False, False, True]
    assert p.sample(0)["labels"] == [("k", "v")]


def test_encode_and_save_round_trip(cpu, tmp_path: Path):
    raw = cpu.to_bytes()
    assert raw[:2] != b"\x1f\x8b"
    assert gprofops.Profile.from_bytes(raw) == cpu
    gz = cpu.to_bytes(gzip=True)
    assert gz[:2] == b"\x1f\x8b"
    assert gprofops.Profile.from_bytes(gz) == cpu
    out = tmp_path / "saved.pb.gz"
    cpu.save(out)
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    assert gprofops.Profile.load(out) == cpu
    cpu.save(tmp_path / "raw.pb", gzip=False)
    assert (tmp_path / "raw.pb").read_bytes() == raw
    with pytest.raises(FileNotFoundError):
        cpu.save(tmp_path / "no" / "such" / "dir.pb")


def test_text_repr_html(cpu, cli):
    text = cpu.to_text()
    assert text == str(cpu)
    assert text.startswith("PeriodType: cpu nanoseconds\nPeriod: 10000000\n")
    assert repr(cpu) == (
        "<gprofops.Profile [samples/count, cpu/nanoseconds]: 120 samples,"
        " period 10000000 cpu/nanoseconds>"
    )
    html = cpu._repr_html_()
    assert "<td>cpu/nanoseconds</td><td>29740000000</td>" in html
    assert html.count("<tr><td>") == 2 + 5  # the totals, then the top 5
    assert html.index(cpu.top(5).rows[0]["name"]) > html.index("29740000000")
    assert "math/big.addVV" in cpu.top(5)._repr_html_()
    empty = gprofops.Profile.load(b"\x0a\x04\x08\x01\x10\x02\x32\x00\x32\x01a\x32\x01b")
    assert empty.num_samples == 0 and "<td>a/b</td><td>0</td>" in empty._repr_html_()


def test_pickle_and_equality(cpu):
    again = pickle.loads(pickle.dumps(cpu))
    assert again == cpu
    assert again is not cpu
    assert cpu != gprofops.Profile.load(HEAP)
    assert cpu != "not a profile"


def test_check_valid(cpu):
    cpu.check_valid()


def test_options():
    data = CPU.read_bytes()
    with pytest.raises(gprofops.TooLargeError, match="exceeds the limit of 1000 bytes"):
        gprofops.Profile.load(data, max_inflated_size=1000)
    # A string-table bomb: 8 MiB of 1 KiB strings gzipped, under a 1 MiB budget.
    strings = b"".join(b"\x32\x80\x08" + b"x" * 1024 for _ in range(8192))
    bomb = gzip.compress(b"\x32\x00" + strings, compresslevel=9)
    with pytest.raises(gprofops.TooLargeError, match="over the memory budget of 1048576 bytes"):
        gprofops.Profile.from_bytes(bomb, memory_budget=1 << 20)
    with pytest.raises(gprofops.TooLargeError, match="memory budget"):
        gprofops.Profile.load(io.BytesIO(bomb), memory_budget=1 << 20)
    assert gprofops.Profile.from_bytes(bomb).num_samples == 0
    legacy = b"heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 2 [3: 4] @ 0x1 0x2\n"
    assert gprofops.Profile.load(legacy).num_samples == 1
    with pytest.raises(gprofops.ParseError):
        gprofops.Profile.load(legacy, legacy=False)


def test_decodes_that_reuse_column_memory_agree():
    # Built by hand: one location, 700,000 samples of 8 location ids and one value (3),
    # enough for the decoder to give the sample columns their own memory mappings,
    # which a dropped profile leaves for the next decode.
    def field(num, payload):
        return varint(num << 3 | 2) + varint(len(payload)) + payload

    n = 700_000
    head = field(1, b"\x08\x01\x10\x02") + field(4, b"\x08\x01")
    sample = field(2, field(1, b"\x01" * 8) + b"\x10\x03")
    strings = b"".join(field(6, s.encode()) for s in ["", "cpu", "ns"])
    data = head + sample * n + strings
    first = gprofops.Profile.from_bytes(data)
    assert first.num_samples == n
    assert first.totals == [3 * n]
    kept = gprofops.Profile.from_bytes(data)
    del first
    again = gprofops.Profile.from_bytes(data)  # in the memory `first` left
    assert again == kept
    assert again.sample(n - 1)["values"] == [3]
    del again
    fresh = gprofops.Profile.from_bytes(data)
    assert fresh == kept
    assert fresh.totals == [3 * n]
