"""The same numbers from Python as from the reference (the corpus oracles) and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gprofops
from conftest import CORPUS, PPROF, pprof_oracles

ORACLES = [p for p in pprof_oracles() if "error" not in json.loads(p.read_text())]


def _input(oracle: Path) -> Path:
    return oracle.parent / oracle.name[: -len(".oracle.json")]


def _flat(top: gprofops.TopReport) -> list[list[object]]:
    """`[name, flat]` per row, names with their ` (inline)` marker as pprof prints them.
    The oracles were read from pprof's text output line by line, so a name holding a
    newline is cut there."""
    df = top.to_pandas()
    names = [n.split("\n")[0] for n in df["name"]]
    return [[n, int(f)] for n, f in zip(names, df["flat"], strict=True)]


def test_corpus_is_there():
    assert len(ORACLES) > 30


@pytest.mark.parametrize("oracle", ORACLES, ids=lambda p: str(p.relative_to(PPROF)))
def test_profile_matches_oracle(oracle: Path):
    want = json.loads(oracle.read_text())
    p = gprofops.Profile.load(_input(oracle))
    assert [list(t) for t in p.sample_types] == want["sample_types"]
    assert p.default_sample_type == want["default_sample_type"]
    assert (list(p.period_type) if p.period_type else None) == want["period_type"]
    assert p.period == want["period"]
    assert p.num_samples == want["num_samples"]
    assert p.totals == want["totals"]
    if "top_flat" in want:
        top = p.top(10, sample_index=want["sample_index"])
        assert _flat(top) == want["top_flat"]


@pytest.mark.parametrize("oracle", ORACLES[::4], ids=lambda p: str(p.relative_to(PPROF)))
def test_profile_matches_cli(oracle: Path, cli):
    path = _input(oracle)
    p = gprofops.Profile.load(path)
    assert p.summary() == cli.json("info", "--json", path)
    if p.sample_types:
        assert p.top(0).to_text() == cli.run("top", path).stdout


def test_merge_matches_oracle():
    want = json.loads((PPROF / "merge3.oracle.json").read_text())
    merged = gprofops.merge(
        [gprofops.Profile.load(PPROF / i) for i in want["inputs"]], common_sample_types=True
    )
    assert [list(t) for t in merged.sample_types] == want["sample_types"]
    assert merged.num_samples == want["num_samples"]
    assert merged.totals == want["totals"]
    top = merged.top(10, sample_index=want["sample_index"])
    assert _flat(top) == want["top_flat"]
    assert top.labels[-3:] == want["top_header"]


def test_diff_matches_go_tool_pprof():
    lines = (PPROF / "diff_top.txt").read_text().splitlines()
    args = lines[0].split()
    base = args[args.index("-top") + 2].split("=", 1)[1]
    new = args[-1]
    d = gprofops.diff(gprofops.Profile.load(PPROF / base), gprofops.Profile.load(PPROF / new))
    text = d.top(10).to_text().splitlines()
    want = lines[lines.index(next(x for x in lines if x.lstrip().startswith("flat"))) :]
    assert text[-len(want) :] == want


GCTRACE = sorted((CORPUS / "gctrace").rglob("*.oracle.json"))


@pytest.mark.parametrize("oracle", GCTRACE, ids=lambda p: p.name)
def test_gctrace_matches_oracle_and_cli(oracle: Path, cli):
    log = _input(oracle)
    want = json.loads(oracle.read_text())
    g = gprofops.GcTrace.load(log)
    for k, v in want.items():
        if k in g.summary:
            assert g.summary[k] == v, k
    printed = cli.json("gctrace", "--json", log)
    # The CLI adds its warnings to the summary's fields: one, exactly when the log has
    # no GC trace line.
    warnings = printed.pop("warnings")
    assert len(warnings) == (0 if g.has_gctrace_lines else 1)
    assert g.summary == printed
    assert g.cycles == cli.json("gctrace", "--cycles", "json", log)
    assert g.cycles_csv() == cli.run("gctrace", "--cycles", "csv", log).stdout
    assert g.openmetrics() == cli.run("gctrace", "--openmetrics", log).stdout


TRACES = sorted((CORPUS / "gotrace" / "tests").glob("*.trace"))
V1_TRACES = sorted((CORPUS / "gotrace" / "v1").glob("*.trace"))


@pytest.mark.parametrize("path", TRACES[::3] + V1_TRACES[::2], ids=lambda p: p.name)
def test_trace_summary_matches_cli(path: Path, cli):
    t = gprofops.Trace.load(path)
    summary = t.summary()
    r = cli.run("trace", "info", "--json", path, check=False)
    assert summary == json.loads(r.stdout)
    oracle = Path(str(path) + ".oracle.json")
    if oracle.exists():
        want = json.loads(oracle.read_text())
        assert summary["events_total"] == want["events_total"]
