#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, Rust unit/integration/doc tests
# (including the differential tests against Go's tools when `go` is on PATH), the
# example demo, and the Python package (built into .venv with maturin, tested with
# pytest). Installs what it needs that a fresh machine lacks: clippy/rustfmt through
# rustup, and the Python packages of bindings/python/requirements-dev.txt into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

if [ ! -d ../shared/corpus ]; then
    echo "error: ../shared/corpus (the shared test corpus) must sit beside this repository" >&2
    exit 1
fi
command -v cargo >/dev/null || { echo "error: cargo (Rust 1.88+) is required: https://rustup.rs" >&2; exit 1; }
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "error: Python 3.11+ is required for the Python package (set PYTHON=/path/to/python3.11)" >&2
    exit 1
fi
if command -v rustup >/dev/null && ! rustup component list --installed 2>/dev/null | grep -q '^clippy'; then
    rustup component add clippy rustfmt
fi
if command -v go >/dev/null; then
    echo "go found: differential tests run against Go's own tools ($(go version))"
else
    echo "go not found: differential tests compare with the stored oracles only"
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test --workspace"
cargo test --workspace --locked

step "demo on the example data"
cargo run -q --locked -p gprofops-examples --example demo >/dev/null

step "Python: .venv with bindings/python/requirements-dev.txt"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
VENV="$PWD/.venv"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r bindings/python/requirements-dev.txt

step "cargo clippy of the Python extension (feature python)"
PYO3_PYTHON="$VENV/bin/python" cargo clippy -p gprofops-python --features python --all-targets --locked --no-deps -- -D warnings

step "maturin develop --release (gprofops into .venv)"
(cd bindings/python && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" maturin develop --release --locked -q)

step "pytest bindings/python/tests"
(cd bindings/python && "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests)

echo
echo "all tests passed"
