#!/usr/bin/env python3
"""The side-by-side table: gprofops against the tools its users would otherwise run.

    scripts/compare.sh [--quick] [--sizes FAMILY=A,B,C,D ...] [--runs K] [--out DIR]
                       [--work DIR] [--only FAMILY,...] [--no-build]

Builds what it needs (the release CLI and the bench programs of gprofops-benches, the Go
peers in benches/peers/, the Node addon with its pinned npm packages, the Python extension
into .venv), makes the inputs (cached in the work directory, default target/compare), then
for every workload at four sizes runs our command and each peer's on the same input as
whole processes, alternately, K times (default 3; 1 with --quick). A row gives the best
wall time of each side, the least CPU time (user + system, all threads; a busy machine
disturbs it less) and the largest peak RSS (getrusage of the finished child, via
os.wait4), the ratio peer / ours, and the load average when the row was measured.

Families and their default sizes (--quick in brackets):
  profile  copies of the corpus's largest profile's samples, re-encoded gzipped
           (decode-timing --make-large): 1, 4, 16, 64  [1, 2, 4, 8]
  fleet    profiles in a fleet merge, perturbed copies of the corpus's 4 Go CPU profiles
           (ops-timing --make-fleet): 124, 248, 500, 1000  [8, 16, 32, 64]
  trace    MB of a generated execution trace (benches/peers/gotrace gen):
           128, 256, 512, 1024  [8, 16, 32, 64]; `go tool trace -pprof` is skipped
           where it would not fit in memory (see PEER_RSS_PER_INPUT_BYTE)
  gctrace  MB of a generated gctrace log (gctrace-timing --make): 128, 256, 512, 1024
           [8, 16, 32, 64]

Writes OUT/compare.md (also printed) and OUT/compare.json (OUT defaults to the work
directory). Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"

DEFAULT_SIZES = {
    "profile": [1, 4, 16, 64],
    "fleet": [124, 248, 500, 1000],
    "trace": [128, 256, 512, 1024],
    "gctrace": [128, 256, 512, 1024],
}
QUICK_SIZES = {
    "profile": [1, 2, 4, 8],
    "fleet": [8, 16, 32, 64],
    "trace": [8, 16, 32, 64],
    "gctrace": [8, 16, 32, 64],
}
# Peak RSS of a peer per byte of its input, where it holds far more than the input: the
# peer is skipped (and said so in its row) when that would pass 80 % of the memory
# available. `go tool trace -pprof` builds its whole trace model: about 60x the trace
# (measured on the generated traces of 4-64 MB).
PEER_RSS_PER_INPUT_BYTE = {"go tool trace -pprof=sync": 60}


def mem_available() -> int:
    """MemAvailable of /proc/meminfo in bytes (0 if unknown)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
FAMILIES = list(DEFAULT_SIZES)


def log(*a: object) -> None:
    print(*a, file=sys.stderr, flush=True)


def sh(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
       capture: bool = False) -> str:
    """Runs a build or generation step (niced: the machine may be shared)."""
    log("+", shlex.join(cmd))
    r = subprocess.run(["nice", *cmd], cwd=cwd, env=env, check=True, text=True,
                       stdout=subprocess.PIPE if capture else sys.stderr)
    return r.stdout if capture else ""


def out_of(cmd: list[str], cwd: Path | None = None) -> str:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


# ---------------------------------------------------------------------------------------
# Build


class Tools:
    def __init__(self, work: Path):
        target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
        if not target.is_absolute():
            target = ROOT / target
        self.release = target / "release"
        self.cli = str(self.release / "gprofops")
        self.bin = work / "bin"
        self.venv = ROOT / ".venv"
        self.python = str(self.venv / "bin" / "python")
        self.node_pkg = ROOT / "bindings" / "node"
        self.pprof = ""
        self.trace = ""

    def build(self, families: list[str], skip: bool) -> None:
        if not skip:
            sh(["cargo", "build", "-q", "--release", "--locked", "-p", "gprofops-cli",
                "-p", "gprofops-benches", "--bin", "decode-timing", "--bin", "ops-timing",
                "--bin", "gctrace-timing"], cwd=ROOT)
            self.bin.mkdir(parents=True, exist_ok=True)
            for peer in ("pprof-parse", "gotrace", "gctrace"):
                sh(["go", "build", "-o", str(self.bin / f"{peer}-peer"), "."],
                   cwd=ROOT / "benches" / "peers" / peer)
            if "profile" in families:
                sh(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                   cwd=self.node_pkg)
                sh(["npm", "run", "--silent", "build"], cwd=self.node_pkg)
                if not Path(self.python).exists():
                    sh([sys.executable, "-m", "venv", str(self.venv)])
                pin = next(line for line in (ROOT / "bindings/python/requirements-dev.txt")
                           .read_text().splitlines() if line.startswith("maturin=="))
                sh([self.python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    pin])
                env = dict(os.environ, VIRTUAL_ENV=str(self.venv),
                           PATH=f"{self.venv / 'bin'}:{os.environ['PATH']}")
                sh(["maturin", "develop", "--release", "--locked", "-q"],
                   cwd=ROOT / "bindings" / "python", env=env)
        # The tools themselves, not the `go tool` wrapper (which checks its cache each run).
        self.pprof = out_of(["go", "tool", "-n", "pprof"])
        self.trace = out_of(["go", "tool", "-n", "trace"])

    def versions(self) -> dict[str, str]:
        def gomod(peer: str, mod: str) -> str:
            text = (ROOT / "benches" / "peers" / peer / "go.mod").read_text()
            m = re.search(re.escape(mod) + r" (\S+)", text)
            return m.group(1) if m else "?"

        def npm_version(name: str) -> str:
            p = self.node_pkg / "node_modules" / name / "package.json"
            return json.loads(p.read_text())["version"] if p.exists() else "?"

        return {
            "gprofops": out_of([self.cli, "--version"]),
            "rustc": out_of(["rustc", "--version"]),
            "go": out_of(["go", "version"]),
            "github.com/google/pprof": gomod("pprof-parse", "github.com/google/pprof"),
            "golang.org/x/exp": gomod("gotrace", "golang.org/x/exp"),
            "node": out_of(["node", "--version"]),
            "npm pprof-format": npm_version("pprof-format"),
            "python": out_of([self.python, "--version"]) if Path(self.python).exists()
            else "?",
        }


# ---------------------------------------------------------------------------------------
# Inputs (cached in WORK/inputs)


def largest_corpus_profile() -> Path:
    """What decode-timing --make-large copies by default (gprofops_benches::largest_corpus_profiles)."""
    out = subprocess.run(
        ["find", str(CORPUS / "pprof"), "-type", "f", "!", "-name", "*.json", "!", "-name",
         "*.string", "!", "-name", "*.txt", "!", "-name", "*.md"],
        capture_output=True, text=True, check=True).stdout.split()
    return max((Path(p) for p in out), key=lambda p: p.stat().st_size)


class Inputs:
    def __init__(self, tools: Tools, work: Path):
        self.t = tools
        self.dir = work / "inputs"
        self.dir.mkdir(parents=True, exist_ok=True)

    def make(self, family: str, size: int) -> tuple[list[str], str]:
        """The input files for one size and a short description."""
        rel = self.t.release
        if family == "profile":
            name = f"profile-x{size}"
            f = self.dir / f"{name}.pb.gz"
            if not f.exists():
                sh([str(rel / "decode-timing"), "--make-large", str(self.dir), str(size),
                    str(largest_corpus_profile()), name])
                (self.dir / f"{name}.pb").unlink(missing_ok=True)
            return [str(f)], f"{size}x largest, {f.stat().st_size / 1e6:.1f} MB gz"
        if family == "fleet":
            copies = max(1, size // 4)
            d = self.dir / f"fleet-{copies}"
            if not d.exists():
                tmp = self.dir / f"fleet-{copies}.tmp"
                shutil.rmtree(tmp, ignore_errors=True)
                sh([str(rel / "ops-timing"), "--make-fleet", str(tmp), str(copies)])
                tmp.rename(d)
            files = sorted(str(p) for p in d.glob("*.pb.gz"))
            total = sum(os.path.getsize(p) for p in files)
            return files, f"{len(files)} profiles, {total / 1e6:.1f} MB gz"
        if family == "trace":
            f = self.dir / f"trace-{size}mb.trace"
            if not f.exists():
                tmp = f.with_suffix(".tmp")
                sh([str(self.t.bin / "gotrace-peer"), "gen", str(tmp), str(size)])
                tmp.rename(f)
            return [str(f)], f"{f.stat().st_size / 1e6:.0f} MB trace"
        if family == "gctrace":
            f = self.dir / f"gctrace-{size}mb.log"
            if not f.exists():
                tmp = f.with_suffix(".tmp")
                sh([str(rel / "gctrace-timing"), "--make", str(tmp), str(size)])
                tmp.rename(f)
            return [str(f)], f"{f.stat().st_size / 1e6:.0f} MB log"
        raise ValueError(family)


# ---------------------------------------------------------------------------------------
# Workloads: (family, name, our command, peer label, peer command); commands are functions
# of (tools, files, scratch dir).

NODE_REPORT = """
const g = require(process.argv[1] + '/index.js')
const r = g.Profile.load(process.argv[2]).top()
process.stdout.write(JSON.stringify(r, (_, v) => typeof v === 'bigint' ? Number(v) : v) + '\\n')
"""
NODE_DECODE = """
const { readFileSync } = require('node:fs')
const { gunzipSync } = require('node:zlib')
const { createRequire } = require('node:module')
const req = createRequire(process.argv[1] + '/package.json')
const b = readFileSync(process.argv[3])
if (process.argv[2] === 'pprof-format') {
  const p = req('pprof-format').Profile.decode(b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b)
  console.log(p.sample.length)
} else {
  console.log(req('./index.js').Profile.fromBuffer(b).numSamples)
}
"""
PY_TOP = ("import gprofops, sys; "
          "print(gprofops.Profile.load(sys.argv[1]).top(10).to_text())")


def workloads(t: Tools):
    node = shutil.which("node") or "node"
    pkg = str(t.node_pkg)
    return [
        ("profile", "decode", lambda f, s: [t.cli, "info", *f],
         "google/pprof profile.Parse", lambda f, s: [str(t.bin / "pprof-parse-peer"),
                                                    "-min-time", "0s", *f]),
        ("profile", "top", lambda f, s: [t.cli, "top", *f],
         "go tool pprof -top", lambda f, s: [t.pprof, "-symbolize=none", "-top", *f]),
        ("profile", "every sample (ours: traces)", lambda f, s: [t.cli, "traces", *f],
         "go tool pprof -raw", lambda f, s: [t.pprof, "-symbolize=none", "-raw", *f]),
        ("profile", "decode in Node", lambda f, s: [node, "-e", NODE_DECODE, pkg, "gprofops", *f],
         "npm pprof-format", lambda f, s: [node, "-e", NODE_DECODE, pkg, "pprof-format", *f]),
        ("profile", "top: Python binding vs CLI", lambda f, s: [t.cli, "top", "-n", "10", *f],
         "gprofops Python (load + top(10))", lambda f, s: [t.python, "-c", PY_TOP, *f]),
        ("profile", "top: Node binding vs CLI", lambda f, s: [t.cli, "top", "--json", *f],
         "gprofops Node (load + top())", lambda f, s: [node, "-e", NODE_REPORT, pkg, *f]),
        ("fleet", "merge", lambda f, s: [t.cli, "merge", "-o", str(s / "ours.pb.gz"), *f],
         "google/pprof profile.Merge", lambda f, s: [str(t.bin / "pprof-parse-peer"),
                                                    "-merge", "-min-time", "0s", *f]),
        ("fleet", "merge", lambda f, s: [t.cli, "merge", "-o", str(s / "ours.pb.gz"), *f],
         "go tool pprof -proto", lambda f, s: [t.pprof, "-symbolize=none", "-proto",
                                               "-output", str(s / "peer.pb.gz"), *f]),
        ("trace", "every event (ours: trace info)", lambda f, s: [t.cli, "trace", "info",
                                                                  "--json", *f],
         "x/exp/trace ReadEvent loop", lambda f, s: [str(t.bin / "gotrace-peer"), "read", *f]),
        ("trace", "sync blocking profile", lambda f, s: [t.cli, "trace", "pprof", "--kind",
                                                         "sync", "-o", str(s / "ours.pb.gz"),
                                                         *f],
         "go tool trace -pprof=sync", lambda f, s: [t.trace, "-pprof=sync", *f]),
        ("gctrace", "summary (ours: gctrace --json)", lambda f, s: [t.cli, "gctrace", "--json",
                                                                    *f],
         "Go regexp reader", lambda f, s: [str(t.bin / "gctrace-peer"), *f]),
    ]


# ---------------------------------------------------------------------------------------
# Measuring


def run_once(cmd: list[str], scratch: Path) -> dict:
    """One whole process: wall seconds, CPU seconds, peak RSS (bytes), exit status."""
    env = dict(os.environ, PPROF_BINARY_PATH="/nonexistent", PPROF_TMPDIR=str(scratch))
    with open(scratch / "stdout", "wb") as out, open(scratch / "stderr", "wb") as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        tail = (scratch / "stderr").read_text(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"exit {p.returncode}: {shlex.join(cmd)[:200]}: {' | '.join(tail)}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss": ru.ru_maxrss * 1024}


def measure(ours: list[str], peer: list[str], runs: int, scratch: Path) -> dict:
    """Alternately, `runs` times each: best wall, least CPU, largest peak RSS."""
    o, p = [], []
    for _ in range(runs):
        o.append(run_once(ours, scratch))
        p.append(run_once(peer, scratch))

    def agg(xs: list[dict]) -> dict:
        return {"wall_s": min(x["wall"] for x in xs), "cpu_s": min(x["cpu"] for x in xs),
                "peak_rss_bytes": max(x["rss"] for x in xs), "runs": len(xs)}
    return {"ours": agg(o), "peer": agg(p)}


def machine() -> dict:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) for line in open("/proc/meminfo")
                   if line.startswith("MemTotal"))
    except OSError:
        mem = 0
    dirty = out_of(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT)
    return {
        "nproc": os.cpu_count(), "cpu": cpu, "mem_gib": round(mem / 2**20, 1),
        "os": f"{platform.system()} {platform.release()}", "hostname": platform.node(),
        "git_commit": out_of(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT)
        + (" (with uncommitted changes)" if dirty not in ("", "?") else ""),
    }


# ---------------------------------------------------------------------------------------
# Report


def fmt_s(s: float) -> str:
    return f"{s * 1e3:.0f} ms" if s < 1 else f"{s:.2f} s"


def fmt_mb(b: int) -> str:
    return f"{b / 2**20:.0f}"


def markdown(doc: dict) -> str:
    m = doc["machine"]
    lines = [
        f"Run {doc['started']} – {doc['finished']} (UTC), `{doc['command']}`, "
        f"{doc['runs']} run(s) per side, alternately; best wall time, least CPU time, "
        f"largest peak RSS.",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['mem_gib']} GiB, {m['os']}; load "
        f"average {doc['load_start']} at the start, {doc['load_end']} at the end; "
        f"commit {m['git_commit']}.",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in doc["versions"].items()) + ".",
        "",
        "| workload | input | ours | ours RSS MiB | peer | peer | peer RSS MiB | time ratio "
        "(peer/ours) | CPU ratio | load |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in doc["rows"]:
        if "skipped" in r and "error" not in r:
            o = r["ours"]
            lines.append(f"| {r['workload']} | {r['input']} | {fmt_s(o['wall_s'])} | "
                         f"{fmt_mb(o['peak_rss_bytes'])} | {r['peer']} | skipped: "
                         f"{r['skipped']} | – | – | – | {r['load']} |")
            continue
        if "error" in r:
            lines.append(f"| {r['workload']} | {r['input']} | – | – | {r['peer']} | "
                         f"failed: {r['error'][:120]} | – | – | – | {r['load']} |")
            continue
        o, p = r["ours"], r["peer_result"]
        lines.append(
            f"| {r['workload']} | {r['input']} | {fmt_s(o['wall_s'])} | "
            f"{fmt_mb(o['peak_rss_bytes'])} | {r['peer']} | {fmt_s(p['wall_s'])} | "
            f"{fmt_mb(p['peak_rss_bytes'])} | {r['ratio']:.1f}x | {r['cpu_ratio']:.1f}x | "
            f"{r['load']} |")
    if doc.get("notes"):
        lines += ["", *doc["notes"]]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(
        description="Side-by-side table: gprofops vs google/pprof, go tool pprof/trace, "
        "x/exp/trace, npm pprof-format, a Go regexp gctrace reader, and our bindings.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("--quick", action="store_true",
                    help="small sizes and one run each (a few minutes)")
    ap.add_argument("--sizes", action="append", default=[], metavar="FAMILY=A,B,C,D",
                    help="sizes of one family (profile, fleet, trace, gctrace); repeatable")
    ap.add_argument("--only", default=",".join(FAMILIES),
                    help="comma-separated families to run (default: all)")
    ap.add_argument("--runs", type=int, help="runs per side (default 3; 1 with --quick)")
    ap.add_argument("--work", type=Path, default=ROOT / "target" / "compare",
                    help="scratch and input cache (default target/compare)")
    ap.add_argument("--out", type=Path, help="where compare.md/.json go (default: --work)")
    ap.add_argument("--no-build", action="store_true", help="use what is already built")
    args = ap.parse_args()

    sizes = dict(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    for s in args.sizes:
        fam, _, vals = s.partition("=")
        if fam not in sizes:
            ap.error(f"--sizes: unknown family {fam!r} (one of {', '.join(FAMILIES)})")
        sizes[fam] = [int(v) for v in vals.split(",") if v]
    families = [f for f in args.only.split(",") if f]
    for f in families:
        if f not in sizes:
            ap.error(f"--only: unknown family {f!r} (one of {', '.join(FAMILIES)})")
    runs = args.runs or (1 if args.quick else 3)
    work = args.work.resolve()
    out = (args.out or work).resolve()
    out.mkdir(parents=True, exist_ok=True)
    scratch = work / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)

    loadavg = lambda: " ".join(f"{x:.2f}" for x in os.getloadavg())  # noqa: E731
    now = lambda: datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    doc = {"started": now(), "load_start": loadavg(), "runs": runs,
           "command": shlex.join(["scripts/compare.sh", *sys.argv[1:]]),
           "sizes": {f: sizes[f] for f in families}, "machine": machine(), "rows": [],
           "notes": []}
    tools = Tools(work)
    tools.build(families, args.no_build)
    doc["versions"] = tools.versions()
    inputs = Inputs(tools, work)

    for fam in families:
        for size in sizes[fam]:
            files, desc = inputs.make(fam, size)
            for wfam, name, ours, peer_name, peer in workloads(tools):
                if wfam != fam:
                    continue
                row = {"family": fam, "size": size, "workload": name, "input": desc,
                       "peer": peer_name, "ours_cmd": shlex.join(ours(["FILE"], scratch)),
                       "peer_cmd": shlex.join(peer(["FILE"], scratch))}
                log(f"== {fam} {size}: {name} vs {peer_name}")
                need = PEER_RSS_PER_INPUT_BYTE.get(peer_name, 0) * sum(
                    Path(f).stat().st_size for f in files)
                avail = mem_available()
                if need and avail and need > 0.8 * avail:
                    row["skipped"] = (f"needs about {fmt_mb(need)} MiB, "
                                      f"{fmt_mb(avail)} MiB available")
                    log("   peer skipped:", row["skipped"])
                    try:
                        xs = [run_once(ours(files, scratch), scratch) for _ in range(runs)]
                        row["ours"] = {"wall_s": min(x["wall"] for x in xs),
                                       "cpu_s": min(x["cpu"] for x in xs),
                                       "peak_rss_bytes": max(x["rss"] for x in xs)}
                    except (RuntimeError, OSError) as e:
                        row["error"] = str(e)
                    row["load"] = loadavg().split()[0]
                    doc["rows"].append(row)
                    continue
                try:
                    r = measure(ours(files, scratch), peer(files, scratch), runs, scratch)
                    row["ours"], row["peer_result"] = r["ours"], r["peer"]
                    row["ratio"] = r["peer"]["wall_s"] / max(r["ours"]["wall_s"], 1e-6)
                    row["cpu_ratio"] = r["peer"]["cpu_s"] / max(r["ours"]["cpu_s"], 1e-3)
                except (RuntimeError, OSError) as e:
                    row["error"] = str(e)
                    log("   failed:", e)
                row["load"] = loadavg().split()[0]
                doc["rows"].append(row)

    doc["finished"], doc["load_end"] = now(), loadavg()
    doc["notes"] = [
        "Whole processes, start-up included (for the bindings: the interpreter's start and "
        "the import), on the same input in the same run; ratio > 1: the peer takes longer. "
        "`decode`: `gprofops info` (decode + totals) vs a Go program doing "
        "`profile.Parse` once; `merge` vs `profile.Merge`: ours also encodes and writes the "
        "result, the Go program parses and merges only. Binding rows compare the binding "
        "with our own CLI (ratio = binding / CLI), i.e. the binding's overhead.",
    ]
    md = markdown(doc)
    (out / "compare.md").write_text(md)
    (out / "compare.json").write_text(json.dumps(doc, indent=1) + "\n")
    print(md)
    log(f"wrote {out / 'compare.md'} and {out / 'compare.json'}")
    return 1 if any("error" in r for r in doc["rows"]) else 0


if __name__ == "__main__":
    sys.exit(main())
