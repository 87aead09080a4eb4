#!/usr/bin/env bash
# Side by side, in one run: gprofops' gctrace scanner vs a regular-expression reader in
# Go (benches/peers/gctrace, the way these logs are usually parsed) on the same generated
# log. Prints MB/s for both and the ratio; both report the cycle count and STW sum so the
# answers can be compared too.
#
#   scripts/bench-gctrace.sh [SIZE_MB]     (default 1024: a 1 GB log)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
out=benches/out
mkdir -p "$out"
log="$out/gctrace-${size}m.log"
cargo build -q --release -p gprofops-benches --bin gctrace-timing
(cd benches/peers/gctrace && go build -o ../../out/gctrace-regex .)
[ -f "$log" ] || ./target/release/gctrace-timing --make "$log" "$size"
r=$(./target/release/gctrace-timing "$log")
g=$("$out/gctrace-regex" "$log")
python3 - "$r" "$g" <<'PY'
import sys
r = sys.argv[1].split(); g = sys.argv[2].split()
size = int(r[2]); rs = float(r[3]); gs = float(g[3])
print("log: %s (%.0f MB)" % (r[1], size / 1e6))
print("rust: %8.1f MB/s  (%s cycles, STW sum %s us)" % (size / rs / 1e6, r[4], r[5]))
print("go  : %8.1f MB/s  (%s cycles, STW sum %s us)" % (size / gs / 1e6, g[4], g[5]))
print("ratio: %.1fx" % (gs / rs))
# On a shared machine the wall clock also counts waiting for a core; time on a core does not.
if float(r[6]) > 0 and float(g[6]) > 0:
    rc = float(r[6]); gc = float(g[6])
    print("on-CPU: rust %.1f MB/s, go %.1f MB/s (all its threads), ratio %.1fx"
          % (size / rc / 1e6, size / gc / 1e6, gc / rc))
if r[4:6] != g[4:6]:
    print("WARNING: the two readers disagree")
PY
