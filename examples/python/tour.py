"""A tour of the Python package on the example data: top, a diff, a flame graph plot,
the samples as a DataFrame, and GC statistics.

Run from anywhere (the data is found relative to this file):

    python examples/python/tour.py [OUTPUT_DIR]

It writes OUTPUT_DIR/flamegraph.png (default: the current directory).
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt

import gprofops

DATA = Path(__file__).resolve().parents[1] / "data"


def plot_flamegraph(root: dict, path: Path, title: str) -> int:
    """Draws a d3-flame-graph dict as an icicle chart; returns the number of frames drawn."""
    fig, ax = plt.subplots(figsize=(12, 6))
    total = root["value"] or 1
    drawn = 0

    def draw(node: dict, x: float, depth: int) -> None:
        nonlocal drawn
        width = node["value"] / total
        if width < 0.002:  # too thin to see
            return
        ax.barh(depth, width, left=x, height=0.9, color=plt.cm.autumn(zlib.crc32(node["name"].encode()) % 256 / 255),
                edgecolor="white", linewidth=0.5)
        if width > 0.06:
            ax.text(x + 0.003, depth, node["name"].rsplit("/", 1)[-1][: int(width * 160)],
                    va="center", fontsize=7)
        drawn += 1
        child_x = x
        for child in node["children"]:
            draw(child, child_x, depth + 1)
            child_x += child["value"] / total

    draw(root, 0.0, 0)
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_yticks([])
    ax.set_xlabel("share of samples")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return drawn


def main(out_dir: Path) -> None:
    cpu = gprofops.Profile.load(DATA / "cpu.pb.gz")
    print(repr(cpu))
    print(f"collected {cpu.time:%Y-%m-%d %H:%M} UTC for {cpu.duration.total_seconds():.1f}s")

    print("\n== top 5 (go tool pprof -top) ==")
    print(cpu.top(5).to_text())

    top = cpu.top(10).to_pandas()
    print("== top 10 as a DataFrame ==")
    print(top[["name", "flat_pct", "cum_pct"]].head(10).to_string(index=False))

    # A diff: pretend last week's build did not spend time in math/big; the diff shows
    # where this week's time went (go tool pprof -diff_base semantics).
    last_week = cpu.ignore("math/big")
    change = gprofops.diff(last_week, cpu)
    print("\n== diff against last week: top 5 changes ==")
    for row in change.top(5).rows:
        print(f"{row['flat'] / 1e9:+8.2f}s  {row['name']}")

    png = out_dir / "flamegraph.png"
    frames = plot_flamegraph(cpu.flamegraph(), png, "cpu.pb.gz")
    print(f"\nflame graph: {frames} frames drawn to {png}")

    samples = cpu.to_pandas()
    leaf = samples.assign(leaf=samples["stack"].str[0]).groupby("leaf")["cpu"].sum()
    print(f"heaviest leaf from the samples table: {leaf.idxmax()} ({leaf.max() / 1e9:.2f}s)")

    heap = gprofops.Profile.load(DATA / "heap.pb.gz")
    big = heap.tagfocus("bytes=1mb:")
    print(f"\nheap: {big.num_samples} of {heap.num_samples} samples allocate >= 1 MB objects")

    gc = gprofops.GcTrace.load(DATA / "gctrace.log")
    s = gc.summary
    print(f"gctrace: {s['gc_lines']} cycles, STW p95 {s['stw_ms_p95']} ms, max goal {s['heap_goal_max']} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
