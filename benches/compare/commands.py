#!/usr/bin/env python3
"""Every pprof command, whole process against `go tool pprof`, on the profiles users open.

    scripts/compare-commands.sh [--runs K] [--out DIR] [--no-build]

For each input — google/pprof's own `large.cpu` (1.2 MB gzip; from the Go module cache,
fetched with `go mod download` at the version benches/peers/pprof-parse pins), the
corpus's largest heap profile and its largest labelled profile — it runs, alternately, K
times each (default 5), our command and the `go tool pprof` report it stands for:

    gprofops info --json      go tool pprof -raw
    gprofops top              go tool pprof -top
    gprofops tree             go tool pprof -tree
    gprofops traces           go tool pprof -traces
    gprofops merge (8 copies) go tool pprof -proto (8 copies)
    gprofops flamegraph       (no command-line peer: go tool pprof serves flame graphs
                              only through -http; printed for its time and memory)

and `gprofops gctrace --json` on a 51 MB log against the reference Python reader
(../shared/tools/oracle/gctrace_oracle.py). The peer is the pprof binary itself (`go tool
-n pprof`), not the `go tool` wrapper, so the ratios leave out the wrapper's start-up.
A row gives the best wall time of each side, the least CPU time and the largest peak
RSS; the goal is 30x for every pprof command and 100x for gctrace.

Writes OUT/commands.md (also printed) and OUT/commands.json (OUT defaults to
target/compare). Python 3.11 standard library only; shares compare.py's measuring.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import (  # noqa: E402  (the sibling module, found through the path above)
    CORPUS, ROOT, SHARED, fmt_mb, fmt_s, log, machine, measure, out_of, sh)

HEAP = CORPUS / "pprof/pyroscope/pkg/pprof/testdata/gotruncatefix/heap_go_truncated_1.pb.gz.fixed"
# The corpus profile with the most label lines in `go tool pprof -traces` (numeric
# `bytes` labels on every sample).
LABELLED = CORPUS / "pprof/pyroscope/pkg/phlaredb/testdata/heap"
GOALS = {"pprof": 30.0, "gctrace": 100.0}


def large_cpu(work: Path) -> Path:
    """google/pprof's internal/proftest/testdata/large.cpu, from the module cache."""
    gomod = (ROOT / "benches/peers/pprof-parse/go.mod").read_text()
    version = next(line.split()[-1] for line in gomod.splitlines()
                   if "github.com/google/pprof " in line)
    info = json.loads(out_of(["go", "mod", "download", "-json",
                              f"github.com/google/pprof@{version}"], cwd=work))
    src = Path(info["Dir"]) / "internal/proftest/testdata/large.cpu"
    dst = work / "large.cpu.pb.gz"
    if not dst.exists():
        shutil.copyfile(src, dst)
    return dst


def gctrace_log(work: Path, release: Path) -> Path:
    f = work / "gctrace-51mb.log"
    if not f.exists():
        tmp = f.with_suffix(".tmp")
        sh([str(release / "gctrace-timing"), "--make", str(tmp), "51"])
        tmp.rename(f)
    return f


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("--runs", type=int, default=5, help="runs per side (default 5)")
    ap.add_argument("--out", type=Path, default=ROOT / "target" / "compare")
    ap.add_argument("--no-build", action="store_true", help="use the binaries as built")
    a = ap.parse_args()
    work = a.out
    work.mkdir(parents=True, exist_ok=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    release = (target if target.is_absolute() else ROOT / target) / "release"
    if not a.no_build:
        sh(["cargo", "build", "-q", "--release", "--locked", "-p", "gprofops-cli",
            "-p", "gprofops-benches", "--bin", "gctrace-timing"], cwd=ROOT)
    cli = str(release / "gprofops")
    pprof = out_of(["go", "tool", "-n", "pprof"])
    scratch = work / "scratch"
    scratch.mkdir(exist_ok=True)
    copies = work / "copies"
    copies.mkdir(exist_ok=True)

    inputs = [("large.cpu", large_cpu(work)), ("largest heap", HEAP),
              ("largest labelled", LABELLED)]
    rows = []
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")
    load_start = f"{os.getloadavg()[0]:.2f}"
    for label, f in inputs:
        eight = []
        for i in range(8):
            c = copies / f"{f.name}-{i}"
            if not c.exists():
                shutil.copyfile(f, c)
            eight.append(str(c))
        cases = [
            ("info --json", [cli, "info", "--json", str(f)], "-raw",
             [pprof, "-symbolize=none", "-raw", str(f)]),
            ("top", [cli, "top", str(f)], "-top", [pprof, "-symbolize=none", "-top", str(f)]),
            ("tree", [cli, "tree", str(f)], "-tree",
             [pprof, "-symbolize=none", "-tree", str(f)]),
            ("traces", [cli, "traces", str(f)], "-traces",
             [pprof, "-symbolize=none", "-traces", str(f)]),
            ("merge 8 copies", [cli, "merge", "-o", str(scratch / "ours.pb.gz"), *eight],
             "-proto 8 copies", [pprof, "-symbolize=none", "-proto", "-output",
                                 str(scratch / "peer.pb.gz"), *eight]),
            ("flamegraph", [cli, "flamegraph", str(f)], None, None),
        ]
        for name, ours, peer_name, peer in cases:
            log(f"{label}: {name}")
            if peer is None:
                r = measure(ours, ours, a.runs, scratch)
                rows.append({"input": label, "ours_cmd": name, "peer_cmd": "–",
                             "ours": r["ours"], "goal": None})
                continue
            r = measure(ours, peer, a.runs, scratch)
            rows.append({"input": label, "ours_cmd": name, "peer_cmd": peer_name,
                         "ours": r["ours"], "peer": r["peer"], "goal": GOALS["pprof"]})
    log("gctrace")
    g = gctrace_log(work, release)
    r = measure([cli, "gctrace", "--json", str(g)],
                [sys.executable, str(SHARED / "tools/oracle/gctrace_oracle.py"), str(g)],
                a.runs, scratch)
    rows.append({"input": f"gctrace log, {g.stat().st_size / 1e6:.0f} MB",
                 "ours_cmd": "gctrace --json", "peer_cmd": "gctrace_oracle.py",
                 "ours": r["ours"], "peer": r["peer"], "goal": GOALS["gctrace"]})

    m = machine()
    lines = [
        f"Run {started} (UTC), `scripts/compare-commands.sh --runs {a.runs}`, alternately; "
        "best wall time, least CPU time, largest peak RSS; peer = the pprof binary "
        "(`go tool -n pprof`). Peak RSS is getrusage's, which counts what the child had "
        "when this Python process forked it: about 17 MiB is that floor, not the command.",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['mem_gib']} GiB; load average "
        f"{load_start} at the start, {os.getloadavg()[0]:.2f} at the end; commit "
        f"{m['git_commit']}.",
        "",
        "| input | gprofops | ours | ours RSS MiB | go tool pprof | peer | peer RSS MiB "
        "| time ratio | CPU ratio | goal |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        o = r["ours"]
        if "peer" not in r:
            lines.append(f"| {r['input']} | {r['ours_cmd']} | {fmt_s(o['wall_s'])} | "
                         f"{fmt_mb(o['peak_rss_bytes'])} | – | – | – | – | – | – |")
            continue
        p = r["peer"]
        r["ratio"] = p["wall_s"] / o["wall_s"]
        r["cpu_ratio"] = p["cpu_s"] / o["cpu_s"] if o["cpu_s"] > 0 else float("inf")
        met = "met" if r["ratio"] >= r["goal"] else "not met"
        lines.append(
            f"| {r['input']} | {r['ours_cmd']} | {fmt_s(o['wall_s'])} | "
            f"{fmt_mb(o['peak_rss_bytes'])} | {r['peer_cmd']} | {fmt_s(p['wall_s'])} | "
            f"{fmt_mb(p['peak_rss_bytes'])} | {r['ratio']:.1f}x | {r['cpu_ratio']:.1f}x | "
            f"{r['goal']:.0f}x {met} |")
    md = "\n".join(lines) + "\n"
    (work / "commands.md").write_text(md)
    (work / "commands.json").write_text(json.dumps({"machine": m, "rows": rows}, indent=1))
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
