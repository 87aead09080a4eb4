"""The measurements of scripts/bench-python.sh (see there); prints one table per part.

Usage: bench_python.py GPROFOPS_CLI CORPUS_PPROF_DIR FLEET_DIR RUNS PROFILES
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import gprofops

cli, corpus, fleet_dir, runs, n_profiles = (
    sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
)


def median_wall(cmd: list[str]) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def median_call(f) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


# --- 1. load + top of the largest profile ------------------------------------------
data_files = [
    p for p in corpus.rglob("*")
    if p.is_file() and not p.name.endswith((".json", ".string", ".txt", ".md"))
]
largest = max(data_files, key=lambda p: p.stat().st_size)
p = gprofops.Profile.load(largest)
same = p.top(10).to_text() == subprocess.run(
    [cli, "top", "-n", "10", str(largest)], check=True, capture_output=True, text=True
).stdout
cli_total = median_wall([cli, "top", "-n", "10", str(largest)])
cli_start = median_wall([cli, "--version"])
py_work = median_call(lambda: gprofops.Profile.load(largest).top(10).to_text())
py_total = median_wall(
    [sys.executable, "-c",
     "import gprofops,sys; print(gprofops.Profile.load(sys.argv[1]).top(10).to_text())",
     str(largest)]
)
py_start = median_wall([sys.executable, "-c", "import gprofops"])
cli_work = cli_total - cli_start
print(f"largest corpus profile: {largest.relative_to(corpus)} ({largest.stat().st_size} bytes, "
      f"{p.num_samples} samples); same top output: {same}; median of {runs} runs")
print(f"  Rust CLI `top -n 10`, whole process : {cli_total * 1e3:8.2f} ms "
      f"(of which process start {cli_start * 1e3:.2f} ms)")
print(f"  Python load + top(10), in process   : {py_work * 1e3:8.2f} ms")
print(f"  Python, whole process incl. import  : {py_total * 1e3:8.2f} ms "
      f"(of which interpreter + import {py_start * 1e3:.2f} ms)")
print(f"  binding overhead (in-process Python vs CLI minus its start): "
      f"{(py_work / cli_work - 1) * 100:+.1f}%")

# --- 2. merging a fleet: Dask on 2 worker processes vs a sequential loop -------------
fleet_dir.mkdir(parents=True, exist_ok=True)
base = gprofops.Profile.load(Path(__file__).resolve().parents[1] / "examples" / "data" / "cpu.pb.gz")
variants = [base, base.focus("fib"), base.ignore("fib"), base.hide("runtime")]
paths = []
for i in range(n_profiles):
    path = fleet_dir / f"cpu-{i:04}.pb.gz"
    if not path.exists():
        variants[i % 4].scale(1 + i % 50).save(path)
    paths.append(path)
size = sum(q.stat().st_size for q in paths)
print(f"\nmerging {n_profiles} profiles ({size / 1e6:.1f} MB gzip, variants of examples/data/cpu.pb.gz)")

t = time.perf_counter()
acc = gprofops.Profile.load(paths[0])
for q in paths[1:]:
    acc = gprofops.merge([acc, gprofops.Profile.load(q)])
loop = time.perf_counter() - t
print(f"  sequential loop, merge([acc, next]) : {loop:8.2f} s")

t = time.perf_counter()
once = gprofops.merge([gprofops.Profile.load(q) for q in paths])
one_call = time.perf_counter() - t
print(f"  load all, then one merge(list)      : {one_call:8.2f} s")

from distributed import Client, LocalCluster  # noqa: E402

import gprofops.dask  # noqa: E402

t = time.perf_counter()
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                  dashboard_address=None) as cluster, Client(cluster) as client:
    start = time.perf_counter() - t
    t = time.perf_counter()
    merged = gprofops.dask.merge_paths(paths, client=client, split_every=8)
    dask_time = time.perf_counter() - t
print(f"  Dask merge_paths, 2 worker processes: {dask_time:8.2f} s "
      f"(cluster start {start:.2f} s not included)")
ok = merged.totals == acc.totals == once.totals and sorted(merged.folded()) == sorted(acc.folded())
print(f"  same merged profile from all three  : {ok}")
