#!/usr/bin/env bash
# Side by side, in one run: the Python binding vs the Rust CLI on the corpus's largest
# profile (load + top 10), and Dask merges of 1,000 profiles (small: variants of the example
# CPU profile; large: variants of a 15,456-sample corpus heap profile, ~300 MB on disk in
# benches/out) on a LocalCluster with 2 worker processes vs a sequential loop. Builds what
# it needs (release CLI, the extension into .venv) first.
#
#   scripts/bench-python.sh [RUNS] [PROFILES]     (defaults: 30 runs, 1000 profiles)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
profiles=${2:-1000}
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
VENV="$PWD/.venv"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r bindings/python/requirements-dev.txt
(cd bindings/python && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" maturin develop --release --locked -q)
cargo build -q --release --locked -p gprofops-cli
target=${CARGO_TARGET_DIR:-target}
mkdir -p benches/out
exec "$VENV/bin/python" scripts/bench_python.py "$target/release/gprofops" ../shared/corpus/pprof \
    benches/out/fleet "$runs" "$profiles"
