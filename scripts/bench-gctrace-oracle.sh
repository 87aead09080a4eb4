#!/usr/bin/env bash
# Whole processes, alternately in one run: `gprofops gctrace --json LOG` vs the reference
# Python reader (shared/tools/oracle/gctrace_oracle.py LOG, which also writes
# LOG.oracle.json). Prints each time, the medians and the ratio.
#
#   scripts/bench-gctrace-oracle.sh LOG [REPS]     (default 5 repetitions)
set -euo pipefail
cd "$(dirname "$0")/.."
log=$1
reps=${2:-5}
bin=${CARGO_TARGET_DIR:-target}/release/gprofops
cargo build -q --release -p gprofops-cli
python3 - "$bin" "$log" "$reps" <<'PY'
import statistics, subprocess, sys, time
bin, log, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
oracle = "../shared/tools/oracle/gctrace_oracle.py"
ours, ref = [], []
for i in range(reps):
    for cmd, acc in (([bin, "gctrace", "--json", log], ours), (["python3", oracle, log], ref)):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        acc.append(time.perf_counter() - t)
    print("rep %d: ours %.1f ms, reference %.2f s" % (i + 1, ours[-1] * 1e3, ref[-1]))
mo, mr = statistics.median(ours), statistics.median(ref)
print("median: ours %.1f ms, reference %.2f s, ratio %.0fx" % (mo * 1e3, mr, mr / mo))
PY
