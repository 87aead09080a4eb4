#!/usr/bin/env bash
# Side by side, in one run: gprofops' decoder vs google/pprof's profile.ParseData (the
# parser inside `go tool pprof`) on the same files. Prints MB/s for both, the speed
# ratio, and peak memory (growth of the process's VmHWM around one decode) next to the
# decompressed size.
#
#   scripts/bench-pprof-decode.sh [--min-time SECS] [FILE...]
#
# Without FILE it uses three large synthetic profiles made of the samples of a real one
# repeated (a Go heap profile, a Go CPU profile, and a Go CPU profile with pprof labels),
# raw and gzipped, and the corpus's three largest profiles. `decode-memory FILE` (same
# directory) breaks a decode's peak down by column.
set -euo pipefail
cd "$(dirname "$0")/.."
min_time=2
if [ "${1:-}" = "--min-time" ]; then min_time=$2; shift 2; fi
out=benches/out
mkdir -p "$out"

cargo build -q --release -p gprofops-benches --bin decode-timing --bin decode-memory
(cd benches/peers/pprof-parse && go build -o ../../out/pprof-parse .)

if [ $# -eq 0 ]; then
    [ -f "$out/large.pb" ] || ./target/release/decode-timing --make-large "$out" 60
    [ -f "$out/large-cpu.pb" ] || ./target/release/decode-timing --make-large "$out" 400 \
        ../shared/corpus/pprof/pyroscope/pkg/pprof/testdata/gotruncatefix/cpu_go_truncated_1.pb.gz.fixed large-cpu
    [ -f "$out/large-labels.pb" ] || ./target/release/decode-timing --make-large "$out" 1000 \
        ../shared/corpus/pprof/pyroscope/pkg/pprof/testdata/go.cpu.labels.pprof large-labels
    set -- "$out/large.pb" "$out/large.pb.gz" "$out/large-cpu.pb" "$out/large-cpu.pb.gz" \
        "$out/large-labels.pb" "$out/large-labels.pb.gz"
    while IFS= read -r f; do set -- "$@" "$f"; done < <(ls -S $(find ../shared/corpus/pprof -type f -name '*.gz*' ! -name '*.json') | head -3)
fi

printf '%-44s %8s %10s %10s %8s %7s %9s %11s %9s %9s\n' file MB decomp_MB rust_MB/s go_MB/s ratio cpu_ratio rust_peak_MB peak/decomp go_peak_MB
for f in "$@"; do
    r=$(./target/release/decode-timing --min-time "$min_time" "$f")
    g=$("$out/pprof-parse" -min-time "${min_time}s" "$f")
    python3 - "$r" "$g" <<'PY'
import sys, os
r = sys.argv[1].split(); g = sys.argv[2].split()
size = int(r[2]); rs = float(r[4]); gs = float(g[4]); decomp = int(r[6])
mb = 1e6
name = os.path.basename(r[1])[-44:]
cpu_ratio = float(g[6]) / max(float(r[7]), 1e-9)
print("%-44s %8.2f %10.2f %10.1f %8.1f %6.1fx %8.1fx %11.1f %10.2fx %9.1f" % (
    name, size / mb, decomp / mb, decomp / rs / mb, decomp / gs / mb, gs / rs, cpu_ratio,
    int(r[5]) / mb, int(r[5]) / decomp, int(g[5]) / mb))
PY
done
echo "(MB/s are of decompressed protobuf bytes, wall clock; cpu_ratio compares CPU time per decode,"
echo " all threads, which a busy machine disturbs less; peak = VmHWM growth around one decode,"
echo " input already in memory)"
