"""The measurements of scripts/bench-python.sh (see there); prints one table per part.

Usage: bench_python.py GPROFOPS_CLI CORPUS_PPROF_DIR FLEET_DIR RUNS PROFILES

Dask starts its workers as fresh processes that import this file, hence the `__main__`
guard.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import gprofops


def median_wall(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def median_call(f, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def load_and_top(cli: str, corpus: Path, runs: int) -> None:
    """Part 1: load + top 10 of the corpus's largest profile, Python vs the Rust CLI."""
    data_files = [
        p for p in corpus.rglob("*")
        if p.is_file() and not p.name.endswith((".json", ".string", ".txt", ".md"))
    ]
    largest = max(data_files, key=lambda p: p.stat().st_size)
    p = gprofops.Profile.load(largest)
    cli_top = [cli, "top", "-n", "10", str(largest)]
    same = p.top(10).to_text() == subprocess.run(
        cli_top, check=True, capture_output=True, text=True
    ).stdout
    py_top = [sys.executable, "-c",
              "import gprofops,sys; print(gprofops.Profile.load(sys.argv[1]).top(10).to_text())",
              str(largest)]
    # Interleaved, so that a change in the machine's load hits both sides alike.
    cli_total = py_total = cli_start = py_start = 0.0
    for _ in range(3):
        cli_total += median_wall(cli_top, runs) / 3
        py_total += median_wall(py_top, runs) / 3
        cli_start += median_wall([cli, "--version"], runs) / 3
        py_start += median_wall([sys.executable, "-c", "import gprofops"], runs) / 3
    py_warm = median_call(lambda: gprofops.Profile.load(largest).top(10).to_text(), runs)
    cli_work, py_work = cli_total - cli_start, py_total - py_start
    print(f"largest corpus profile: {largest.relative_to(corpus)} ({largest.stat().st_size} bytes, "
          f"{p.num_samples} samples); same top output: {same}; medians of {runs} runs x 3")
    print(f"  Rust CLI `top -n 10`, whole process       : {cli_total * 1e3:8.2f} ms "
          f"(process start {cli_start * 1e3:.2f} ms) -> work {cli_work * 1e3:.2f} ms")
    print(f"  Python load + top(10), whole process      : {py_total * 1e3:8.2f} ms "
          f"(interpreter + import {py_start * 1e3:.2f} ms) -> work {py_work * 1e3:.2f} ms")
    print(f"  binding overhead (work, fresh processes)  : {(py_work / cli_work - 1) * 100:+.1f}%")
    print(f"  Python load + top(10), repeated in process: {py_warm * 1e3:8.2f} ms "
          "(memory already mapped and allocated)")


def make_fleet(base: gprofops.Profile, fleet_dir: Path, n: int) -> list[Path]:
    """`n` different profiles: `base` filtered four ways and scaled."""
    fleet_dir.mkdir(parents=True, exist_ok=True)
    top = [re.escape(r["name"]) for r in base.top(4).rows]
    variants = [base, base.focus(top[0]), base.ignore(top[0]), base.hide(top[-1])]
    paths = []
    for i in range(n):
        path = fleet_dir / f"p-{i:04}.pb.gz"
        if not path.exists():
            variants[i % 4].scale(1 + i % 50).save(path)
        paths.append(path)
    return paths


def fleet_merge(name: str, paths: list[Path]) -> None:
    """Part 2: merging a fleet, Dask on 2 worker processes vs a sequential loop."""
    from distributed import Client, LocalCluster

    import gprofops.dask

    size = sum(q.stat().st_size for q in paths)
    print(f"\nmerging {len(paths)} profiles ({size / 1e6:.1f} MB gzip, variants of {name})")
    t = time.perf_counter()
    acc = gprofops.Profile.load(paths[0])
    for q in paths[1:]:
        acc = gprofops.merge([acc, gprofops.Profile.load(q)])
    loop = time.perf_counter() - t
    print(f"  sequential loop, merge([acc, next])  : {loop:8.2f} s")
    t = time.perf_counter()
    once = gprofops.merge([gprofops.Profile.load(q) for q in paths])
    print(f"  load all, then one merge(list)       : {time.perf_counter() - t:8.2f} s")
    t = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        start = time.perf_counter() - t
        t = time.perf_counter()
        merged = gprofops.dask.merge_paths(paths, client=client, split_every=8)
        dask_time = time.perf_counter() - t
    print(f"  Dask merge_paths, 2 worker processes : {dask_time:8.2f} s "
          f"(cluster start {start:.2f} s not included)")
    ok = merged.totals == acc.totals == once.totals and sorted(merged.folded()) == sorted(acc.folded())
    print(f"  same merged profile from all three   : {ok}")


def main() -> None:
    cli, corpus, fleet_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    runs, n_profiles = int(sys.argv[4]), int(sys.argv[5])
    load_and_top(cli, corpus, runs)
    example = Path(__file__).resolve().parents[1] / "examples" / "data" / "cpu.pb.gz"
    fleet_merge("examples/data/cpu.pb.gz",
                make_fleet(gprofops.Profile.load(example), fleet_dir / "small", n_profiles))
    heap = corpus / "pyroscope/pkg/pprof/testdata/gotruncatefix/heap_go_truncated_2.pb.gz"
    fleet_merge(f"{heap.name} (15,456 samples)",
                make_fleet(gprofops.Profile.load(heap), fleet_dir / "large", n_profiles))


if __name__ == "__main__":
    main()
