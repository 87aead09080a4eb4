#!/usr/bin/env bash
# Side by side, in one run: gotrace-parse vs golang.org/x/exp/trace on the same trace.
#
#   scripts/bench-gotrace.sh [TRACE]
#
# Without TRACE it uses benches/out/gotrace-100mb.trace, generating it first with the Go
# program in benches/peers/gotrace (channels, mutexes, syscalls, allocation/GC, user
# annotations at GOMAXPROCS 4; about 100 MB). Prints throughput of x/exp/trace's
# ReadEvent loop (best of 3), of our raw decoder and ordered stream (criterion medians),
# the speed ratio, and the peak RSS of both readers next to the largest generation.
set -euo pipefail
cd "$(dirname "$0")/.."
out=benches/out
mkdir -p "$out"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}

(cd benches/peers/gotrace && go build -o ../../out/gotrace-peer .)
trace=${1:-$out/gotrace-100mb.trace}
[ -f "$trace" ] || "$out/gotrace-peer" gen "$trace" 100
trace=$(realpath "$trace")
size=$(stat -L -c %s "$trace")

best=""
for _ in 1 2 3; do
    s=$("$out/gotrace-peer" read "$trace" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
    best=$(python3 -c "print(min(float('$s'), float('${best:-1e9}')))")
done
go_rss=$( { /usr/bin/time -f '%M' "$out/gotrace-peer" read "$trace" >/dev/null; } 2>&1 | tail -1)

crit=$(GPROFOPS_GOTRACE_BENCH_FILE="$trace" cargo bench -q -p gprofops-benches --bench gotrace -- \
    --warm-up-time 1 --measurement-time 8 'gotrace/(raw_decode|ordered_stream)')
cargo build -q --release -p gprofops-cli
rust_rss=$( { /usr/bin/time -f '%M' "$CARGO_TARGET_DIR/release/gprofops" trace info --json "$trace" >/dev/null; } 2>&1 | tail -1)
largest_gen=$(python3 - "$trace" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
def uv(p):
    x = s = 0
    while True:
        c = d[p]; p += 1; x |= (c & 0x7f) << s; s += 7
        if c < 0x80: return x, p
p, gens = 16, {}
while p < len(d):
    t = d[p]; p += 1
    if t == 52: continue          # EndOfGeneration
    if t == 49: p += 1            # ExperimentalBatch: experiment byte
    g, p = uv(p); _, p = uv(p); _, p = uv(p); n, p = uv(p)
    gens[g] = gens.get(g, 0) + n; p += n
print(max(gens.values()))
PY
)
python3 - "$crit" "$best" "$size" "$go_rss" "$rust_rss" "$largest_gen" "$trace" <<'PY'
import re, sys
crit, go_s, size, go_rss, rust_rss, gen, trace = sys.argv[1:]
go_s, size, gen = float(go_s), int(size), int(gen)
def median_seconds(name):
    m = re.search(name + r"\s+time:\s+\[\S+ \S+ (\S+) (\S+)", crit)
    v, unit = float(m.group(1)), m.group(2)
    return v * {"s": 1, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "ns": 1e-9}[unit]
raw, ordered = median_seconds("gotrace/raw_decode"), median_seconds("gotrace/ordered_stream")
mb = 1e6
print(f"trace {trace}: {size/mb:.1f} MB, largest generation {gen/mb:.1f} MB")
print(f"{'reader':34} {'seconds':>8} {'MB/s':>8} {'vs Go':>7}")
print(f"{'x/exp/trace ReadEvent loop':34} {go_s:8.3f} {size/go_s/mb:8.1f} {1:6.1f}x")
print(f"{'gotrace-parse ordered stream':34} {ordered:8.3f} {size/ordered/mb:8.1f} {go_s/ordered:6.1f}x")
print(f"{'gotrace-parse raw decode':34} {raw:8.3f} {size/raw/mb:8.1f} {go_s/raw:6.1f}x")
print(f"peak RSS: x/exp/trace {int(go_rss)/1024:.0f} MiB; gprofops trace info (streaming) "
      f"{int(rust_rss)/1024:.0f} MiB = {int(rust_rss)*1024/gen:.2f}x the largest generation")
PY
