#!/usr/bin/env bash
# Side by side, in one run: gotrace-parse vs golang.org/x/exp/trace on the same trace.
#
#   scripts/bench-gotrace.sh [TRACE] [RUNS]
#
# Without TRACE it uses benches/out/gotrace-100mb.trace, generating it first with the Go
# program in benches/peers/gotrace (channels, mutexes, syscalls, allocation/GC, user
# annotations at GOMAXPROCS 4; about 120 MB). Both readers get the file in memory; each is
# timed RUNS times (default 3) and the best run counts, in wall-clock and in CPU time (all
# threads: Go's collector runs beside its reader on the other core). Prints the throughput
# of x/exp/trace's ReadEvent loop, of our ordered stream (the same events: the counts are
# compared) as an iterator of owned events and through Reader::visit (events lent), of the
# summary of `gprofops trace info` over that visit (trace_info, in memory), and of our raw
# decoder, the ratios, and the peak RSS of both readers next to the
# largest generation (ours streaming through `gprofops trace info`).
set -euo pipefail
cd "$(dirname "$0")/.."
out=benches/out
mkdir -p "$out"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}

(cd benches/peers/gotrace && go build -o ../../out/gotrace-peer .)
cargo build -q --release -p gprofops-benches --bin gotrace-timing
cargo build -q --release -p gprofops-cli
trace=${1:-$out/gotrace-100mb.trace}
runs=${2:-3}
[ -f "$trace" ] || "$out/gotrace-peer" gen "$trace" 100
trace=$(realpath "$trace")

go_runs=$(for _ in $(seq "$runs"); do "$out/gotrace-peer" read "$trace"; done)
ordered=$("$CARGO_TARGET_DIR/release/gotrace-timing" ordered "$trace" "$runs")
visit=$("$CARGO_TARGET_DIR/release/gotrace-timing" visit "$trace" "$runs")
info=$("$CARGO_TARGET_DIR/release/gotrace-timing" info "$trace" "$runs")
raw=$("$CARGO_TARGET_DIR/release/gotrace-timing" raw "$trace" "$runs")
go_rss=$( { /usr/bin/time -f '%M' "$out/gotrace-peer" read "$trace" >/dev/null; } 2>&1 | tail -1)
rust_rss=$( { /usr/bin/time -f '%M' "$CARGO_TARGET_DIR/release/gprofops" trace info --json "$trace" >/dev/null; } 2>&1 | tail -1)

python3 - "$trace" "$go_runs" "$ordered" "$visit" "$info" "$raw" "$go_rss" "$rust_rss" <<'PY'
import json, sys
trace, go_runs, ordered, visit, info, raw, go_rss, rust_rss = sys.argv[1:]
d = open(trace, 'rb').read()
def uv(p):
    x = s = 0
    while True:
        c = d[p]; p += 1; x |= (c & 0x7f) << s; s += 7
        if c < 0x80: return x, p
p, gens = 16, {}
while p < len(d):                 # batch headers: largest generation's bytes
    t = d[p]; p += 1
    if t == 52: continue          # EndOfGeneration
    if t == 49: p += 1            # ExperimentalBatch: experiment byte
    g, p = uv(p); _, p = uv(p); _, p = uv(p); n, p = uv(p)
    gens[g] = gens.get(g, 0) + n; p += n
size, gen = len(d), max(gens.values())
go = [json.loads(l) for l in go_runs.splitlines()]
go_s, go_cpu, go_n = min(r["seconds"] for r in go), min(r["cpu_seconds"] for r in go), go[0]["events"]
def best(lines):  # rust MODE FILE BYTES SECONDS EVENTS CPU_SECONDS
    rows = [l.split() for l in lines.splitlines()]
    return min(float(r[4]) for r in rows), min(float(r[6]) for r in rows), int(rows[0][5])
o_s, o_cpu, o_n = best(ordered)
v_s, v_cpu, v_n = best(visit)
i_s, i_cpu, i_n = best(info)
r_s, r_cpu, _ = best(raw)
mb = 1e6
print(f"trace {trace}: {size/mb:.1f} MB, {len(gens)} generations, largest {gen/mb:.1f} MB; "
      f"{go_n} events (x/exp/trace), {o_n} (ours)")
print(f"{'reader':32} {'wall s':>7} {'MB/s':>7} {'vs Go':>6} {'CPU s':>7} {'MB/s':>7} {'vs Go':>6}")
for name, s, c in [("x/exp/trace ReadEvent loop", go_s, go_cpu),
                   ("gotrace-parse ordered, iterator", o_s, o_cpu),
                   ("gotrace-parse ordered, visit", v_s, v_cpu),
                   ("trace_info (visit + summary)", i_s, i_cpu),
                   ("gotrace-parse raw decode", r_s, r_cpu)]:
    print(f"{name:32} {s:7.3f} {size/s/mb:7.1f} {go_s/s:5.1f}x {c:7.3f} {size/max(c,1e-9)/mb:7.1f} "
          f"{go_cpu/max(c,1e-9):5.1f}x")
print(f"trace_info costs {i_cpu/max(v_cpu,1e-9)-1:+.0%} CPU over the visit alone (goal: at most +25 %)")
print(f"peak RSS: x/exp/trace {int(go_rss)/1024:.0f} MiB; gprofops trace info (streaming) "
      f"{int(rust_rss)/1024:.0f} MiB = {int(rust_rss)*1024/gen:.2f}x the largest generation")
if not go_n == o_n == v_n == i_n:
    print("WARNING: the readers disagree on the number of events")
PY
