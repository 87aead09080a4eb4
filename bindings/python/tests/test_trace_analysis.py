"""Trace analyses through Python: the same numbers as Go's own (the corpus
``.analysis.json`` and ``.KIND.pprof`` files) and as the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gprofops
from conftest import CORPUS

GOTRACE = CORPUS / "gotrace"
# v2 traces (Go's analysis of v1 traces moves by nanoseconds from run to run).
ANALYSED = [
    p
    for p in sorted((GOTRACE / "tests").glob("*.trace")) + sorted((GOTRACE / "generated").glob("*.trace"))
    if Path(str(p) + ".analysis.json").exists()
]


@pytest.mark.parametrize("path", ANALYSED[::2], ids=lambda p: p.name)
def test_goroutines_tasks_regions_equal_go(path: Path):
    want = json.loads(Path(str(path) + ".analysis.json").read_text())
    t = gprofops.Trace.load(path)
    groups = t.goroutines()
    assert sorted(groups) == sorted(want["goroutines"])
    for name, w in want["goroutines"].items():
        g = groups[name]
        assert (g["count"], g["total_ns"]) == (w["count"], w["total_ns"])
        assert g["non_overlapping_ns"] == w["non_overlapping_ns"]
        assert g["range_ns"] == w["range_ns"]
        assert g["percentiles_ns"]["Total time"]["max_ns"] <= g["total_ns"]
    tasks = t.tasks()
    for kind in ("tasks", "regions"):
        assert sorted(tasks[kind]) == sorted(want[kind])
        for name, w in want[kind].items():
            got = tasks[kind][name]
            assert (got["count"], got["complete"], got["durations_ns"]) == (
                w["count"],
                w["complete"],
                w["durations_ns"],
            )
            assert got["max_ns"] == (max(w["durations_ns"]) if w["durations_ns"] else None)
    # The same from bytes, and the whole document.
    a = gprofops.Trace.load(path.read_bytes()).analysis()
    assert a["valid"] and a["goroutines"] == groups


def test_task_and_region_tables():
    path = GOTRACE / "tests" / "go122-annotations.trace"
    want = json.loads(Path(str(path) + ".analysis.json").read_text())
    t = gprofops.Trace.load(path)
    tasks = t.tasks_to_pandas()
    assert sorted(tasks["name"]) == sorted(n for n, l in want["tasks"].items() for _ in range(l["count"]))
    assert tasks.loc[tasks["name"] == "task0", "duration_ns"].iloc[0] == 108288
    regions = t.regions_to_pandas()
    assert len(regions) == sum(l["count"] for l in want["regions"].values())
    r0 = regions[regions["name"] == "region0"].iloc[0]
    assert r0["duration_ns"] == 21184 and r0["exec_ns"] == 21184 and r0["goroutine"] == 9


def test_goroutines_table():
    path = GOTRACE / "tests" / "go122-annotations.trace"
    df = gprofops.Trace.load(path).goroutines_to_pandas()
    assert list(df.columns)[:3] == ["id", "name", "creation_ns"]
    main = df[df["name"] == "main.main"].iloc[0]
    assert main["exec_ns"] == 312513 and main["total_ns"] == 370177
    assert (df["exec_ns"] + df["sched_wait_ns"] + df["block_ns"] + df["syscall_ns"]
            + df["syscall_block_ns"] + df["unknown_ns"] == df["total_ns"]).all()
    assert gprofops.Trace.load(path).goroutines_to_arrow().num_rows == len(df)


@pytest.mark.parametrize("kind", ["net", "sync", "syscall", "sched"])
def test_to_pprof_equals_go_tool_trace(kind: str):
    path = GOTRACE / "generated" / "contention.trace"
    ours = gprofops.Trace.load(path).to_pprof(kind)
    go = gprofops.Profile.load(Path(f"{path}.{kind}.pprof"))
    a, b = ours.summary(), go.summary()
    for key in ("sample_types", "period_type", "period", "num_samples", "totals"):
        assert a[key] == b[key], key


def test_cpu_profile_pauses_and_mmu():
    t = gprofops.Trace.load(GOTRACE / "generated" / "jsoncpu.trace")
    cpu = t.to_pprof("cpu")
    info = t.summary()
    assert cpu.summary()["totals"][0] == info["events_by_kind"]["StackSample"]
    p = t.pauses()
    assert len(p["stw"]) == info["stw"]["count"]
    assert p["stw_total_ns"] == info["stw"]["total_duration_ns"]
    points = t.mmu([1_000_000, 100_000_000])
    assert [q["window_ns"] for q in points] == [1_000_000, 100_000_000]
    assert all(0.0 <= q["mmu"] <= 1.0 for q in points)
    assert len(t.mmu()) == 100
    assert len(t.mmu([10_000_000], ["stw", "perproc"])) == 1
    m = t.metrics()
    assert {k: len(v) for k, v in m.items()} == info["metrics_by_name"]
    df = t.metrics_to_pandas()
    assert list(df.columns) == ["time_ns", "name", "value"]
    assert len(df) == sum(info["metrics_by_name"].values())


def test_slow_worked_by_hand():
    # See profile-ops/src/trace/slow.rs: the task's goroutines, worked from the events.
    t = gprofops.Trace.load(GOTRACE / "tests" / "go122-annotations.trace")
    r = t.slow(over_ns=20_000)
    assert [(i["kind"], i["name"]) for i in r["items"]] == [
        ("task", "task0"),
        ("region", "unended region"),
        ("region", "region0"),
    ]
    assert r["items"][0]["breakdown"] == {
        "Execution time": 107776,
        "Sched wait time": 16448,
        "Block time (sync)": 55936,
    }
    assert r["items"][0]["blocking"][0]["frames"] == ["sync.(*WaitGroup).Wait", "main.main"]
    assert r["summary"][2] == "31 % of that time is Block time (sync) at main.main."
    assert t.slow()["threshold"] == "p95"
    with pytest.raises(gprofops.BadOptionError):
        t.slow(percentile=120)


def test_perfetto_and_timeline(tmp_path: Path):
    t = gprofops.Trace.load(GOTRACE / "tests" / "go122-annotations.trace")
    out = tmp_path / "t.json"
    t.to_perfetto(out)
    doc = json.loads(out.read_text())
    assert doc["displayTimeUnit"] == "ns"
    xs = [e for e in doc["traceEvents"] if e["ph"] == "X" and e["pid"] == 1]
    df = t.timeline_to_pandas()
    assert len(df) == len(xs)
    assert list(df.columns) == ["g", "state", "reason", "start_ns", "end_ns", "proc"]
    assert (df["end_ns"] >= df["start_ns"]).all()
    assert set(df["state"]) <= {"Running", "Runnable", "Waiting", "Syscall"}


def test_errors():
    t = gprofops.Trace.load(GOTRACE / "tests" / "go122-create-syscall-with-p.trace")
    with pytest.raises(gprofops.InvalidTraceError, match="expected a proc"):
        t.goroutines()
    a = t.analysis()
    assert a["valid"] is False and "expected a proc" in a["error"]
    ok = gprofops.Trace.load(GOTRACE / "tests" / "go122-annotations.trace")
    with pytest.raises(gprofops.BadOptionError):
        ok.to_pprof("io")
    with pytest.raises(gprofops.BadOptionError):
        ok.mmu(flags=["gc"])
    empty = gprofops.Trace.load(GOTRACE / "fuzz" / "goroot_fuzzreader_malformed-timestamp.trace")
    with pytest.raises(gprofops.ParseError, match="failed to parse any useful part"):
        empty.to_pprof("sched")


def test_cli_json_matches(cli):
    path = GOTRACE / "tests" / "go122-annotations.trace"
    t = gprofops.Trace.load(path)
    r = cli.run("trace", "goroutines", "--json", path)
    assert json.loads(r.stdout) == {"goroutines": t.goroutines()}
    r = cli.run("trace", "tasks", "--json", path)
    assert json.loads(r.stdout) == t.tasks()
