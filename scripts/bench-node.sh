#!/usr/bin/env bash
# Side by side, in one run: the Node package vs the npm `pprof-format` package decoding the
# corpus's largest profiles (same process, alternately), report times in process, and the
# binding as a whole process against the Rust CLI. Builds what it needs (release CLI, the
# release addon) first.
#
#   scripts/bench-node.sh [RUNS]     (default: 20 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
cargo build -q --release --locked -p gprofops-cli
(cd bindings/node && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build >/dev/null)
target=${CARGO_TARGET_DIR:-target}
exec node benches/node/bench.mjs "$target/release/gprofops" ../shared/corpus/pprof "$runs"
