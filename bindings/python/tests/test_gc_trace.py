"""GcTrace and Trace: every way in, the tables, events, and errors."""

from __future__ import annotations

import io
import json

import pytest

import gprofops
from conftest import CORPUS, EXAMPLES

LOG = EXAMPLES / "gctrace.log"
TRACES = CORPUS / "gotrace" / "tests"
GOOD = TRACES / "go122-annotations.trace"
BAD = TRACES / "go122-fail-first-gen-first.trace"


def test_gctrace_sources_agree():
    text = LOG.read_text()
    ref = gprofops.GcTrace.load(LOG)
    for g in (
        gprofops.GcTrace.parse(text),
        gprofops.GcTrace.parse(text.encode()),
        gprofops.GcTrace.parse(memoryview(text.encode())),
        gprofops.GcTrace.load(str(LOG)),
        gprofops.GcTrace.load(io.BytesIO(text.encode())),
        gprofops.GcTrace.load(io.StringIO(text)),
    ):
        assert g.summary == ref.summary
        assert g.cycles == ref.cycles


def test_gctrace_tables():
    g = gprofops.GcTrace.load(LOG)
    assert len(g) == 20 == g.summary["gc_lines"]
    df = g.to_pandas()
    assert len(df) == 20
    assert df["number"].tolist() == [c["number"] for c in g.cycles]
    assert df["stw_ms"].tolist() == [c["stw_ms"] for c in g.cycles]
    assert df["forced"].sum() == g.summary["forced_cycles"] == 4
    assert df["start_over_goal"].tolist() == [c["start_over_goal"] for c in g.cycles]
    assert g.to_arrow().num_rows == 20
    assert g.openmetrics().endswith("# EOF\n")
    assert g.cycles_csv().splitlines()[0].startswith("line,number,at_secs")
    assert isinstance(g.hints, list)
    assert repr(g) == "<gprofops.GcTrace: 20 cycles (4 forced), STW 8.595 ms total>"
    assert "<table>" in g._repr_html_()


def test_gctrace_never_rejects_text():
    g = gprofops.GcTrace.parse("hello\nnot a gc line\n\x00\xff")
    assert len(g) == 0
    assert g.to_pandas().empty
    zero_goal = gprofops.GcTrace.parse(
        "gc 1 @0.1s 1%: 0.01+1.0+0.02 ms clock, 0.04+0.1/0.5/0+0.08 ms cpu, 0->0->0 MB, 0 MB goal, 4 P\n"
    )
    assert zero_goal.to_pandas()["start_over_goal"].isna().tolist() == [True]


def test_trace_sources_agree():
    data = GOOD.read_bytes()
    ref = gprofops.Trace.load(GOOD).summary()
    for t in (
        gprofops.Trace.load(str(GOOD)),
        gprofops.Trace.load(data),
        gprofops.Trace.load(memoryview(data)),
        gprofops.Trace.load(io.BytesIO(data)),
    ):
        s = t.summary()
        s["file"] = ref["file"]  # in-memory traces have no file name
        assert s == ref
    assert repr(gprofops.Trace.load(data)) == f"<gprofops.Trace ({len(data)} bytes)>"


def test_trace_events_match_cli(cli):
    t = gprofops.Trace.load(GOOD)
    lines = cli.run("trace", "events", "--json-lines", GOOD).stdout.splitlines()
    events = list(t)
    assert events == [json.loads(x) for x in lines]
    assert list(t.events()) == events
    assert len(events) == t.summary()["events_total"]


def test_v1_trace_events_match_cli(cli):
    path = CORPUS / "gotrace" / "v1" / "http_1_19_good.trace"
    events = list(gprofops.Trace.load(path))
    lines = cli.run("trace", "events", "--json-lines", path).stdout.splitlines()
    assert events == [json.loads(x) for x in lines]
    assert len(gprofops.Trace.load(path.read_bytes()).to_pandas()) == len(events)


def test_trace_table():
    t = gprofops.Trace.load(GOOD)
    df = t.to_pandas()
    events = list(t)
    assert len(df) == len(events)
    assert df["time"].tolist() == [e["time"] for e in events]
    assert df["kind"].astype(str).tolist() == [e["kind"] for e in events]
    assert df["goroutine"].tolist() == [e["g"] for e in events]
    counts = df["kind"].value_counts()
    for kind, n in t.summary()["events_by_kind"].items():
        assert counts.get(kind, 0) == n


def test_invalid_trace_raises_where_it_breaks(cli):
    t = gprofops.Trace.load(BAD)
    summary = t.summary()
    assert summary["valid"] is False
    with pytest.raises(gprofops.ParseError) as e:
        for _ in t:
            pass
    assert str(e.value).startswith(summary["error"])  # plus the location
    assert "generation 1" in str(e.value)
    with pytest.raises(type(e.value)):
        t.to_pandas()


def test_not_a_trace():
    with pytest.raises(gprofops.TraceHeaderError, match="not a Go execution trace"):
        gprofops.Trace.load(b"definitely not a trace, but long enough")
    with pytest.raises(gprofops.UnsupportedVersionError, match="go 1.24"):
        gprofops.Trace.load(b"go 1.24 trace\x00\x00\x00" + b"\x00" * 32)
    with pytest.raises(gprofops.MalformedError, match=r"byte \d+\)$"):  # v1, bad body
        list(gprofops.Trace.load(b"go 1.19 trace\x00\x00\x00" + b"\x00" * 32))
    data = (TRACES / "go122-gc-stress.trace").read_bytes()
    for cut in (3000, len(data) // 2, len(data) - 100):
        with pytest.raises(gprofops.ParseError, match=r"\(generation \d+.*byte \d+\)$"):
            list(gprofops.Trace.load(data[:cut]))


def test_openmetrics_parses_with_prometheus_client():
    """The exposition is valid OpenMetrics, by the reference Python parser, with the
    quantiles named as they are and exact values."""
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    logs = [EXAMPLES / "gctrace.log", *sorted((CORPUS / "gctrace").rglob("*.log"))]
    for log in logs:
        g = gprofops.GcTrace.load(log)
        families = {f.name: f for f in text_string_to_metric_families(g.openmetrics())}
        assert families["go_gctrace_cycles"].samples[0].value == g.summary["gc_lines"]
        if g.summary["stw_ms_p50"] is not None:
            p50 = families["go_gctrace_stw_p50_seconds"].samples[0].value
            assert p50 == pytest.approx(g.summary["stw_ms_p50"] / 1000, rel=1e-12)
        assert not any("_p5_" in name for name in families)
