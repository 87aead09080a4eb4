#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, Rust unit/integration/doc tests
# (including the differential tests against Go's tools when `go` is on PATH), the
# example demo, the Python package (built into .venv with maturin, tested with pytest),
# the Node package (built with napi-rs, tested with `node --test` and tsc) and the
# dashboard example (driven in headless Chromium). Installs what it needs that a fresh
# machine lacks: clippy/rustfmt through rustup, the Python packages of
# bindings/python/requirements-dev.txt into .venv, the npm packages of bindings/node and
# examples/dashboard (from their lock files), and Debian's chromium for the browser test.
# The release checks of scripts/release-check.sh run beside the steps whose builds they
# reuse (packaged crates, the wheel in a fresh venv, the npm tarball, the MSRV build).
# Last, every fuzz target runs for FUZZ_SECONDS (default 30) when cargo-fuzz and a nightly
# toolchain can be installed (scripts/fuzz.sh; it says so when they cannot).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

if [ ! -d ../shared/corpus ]; then
    echo "error: ../shared/corpus (the shared test corpus) must sit beside this repository" >&2
    exit 1
fi
command -v cargo >/dev/null || { echo "error: cargo (Rust 1.88+) is required: https://rustup.rs" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "error: Node.js 18+ with npm is required for the Node package: https://nodejs.org" >&2; exit 1; }
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

step "no module imports a module that imports it back (scripts/module-cycles.py)"
python3 -m unittest -q scripts/test_module_cycles.py
python3 scripts/module-cycles.py

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked -q

step "cargo test --workspace"
cargo test --workspace --locked

step "release check: the crates as cargo package makes them (scripts/release-check.sh crates)"
RUST_TESTS_BUILT=1 scripts/release-check.sh crates

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

step "maturin build --release (the abi3 wheel, installed into .venv)"
# One build serves pytest here and the release check's fresh venv below.
rm -rf target/wheels
(cd bindings/python && "$VENV/bin/maturin" build --release --locked -q -i "$VENV/bin/python" -o ../../target/wheels)
WHEEL=$(ls target/wheels/gprofops-*.whl)
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$WHEEL"

step "pytest bindings/python/tests"
(cd bindings/python && "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests)

step "release check: the wheel in a fresh venv, stubtest (scripts/release-check.sh wheel)"
WHEEL="$PWD/$WHEEL" PYTHON="$PYTHON" scripts/release-check.sh wheel

step "Node: npm ci (bindings/node, examples/dashboard)"
(cd bindings/node && npm ci --no-audit --no-fund --loglevel=error)
(cd examples/dashboard && npm ci --no-audit --no-fund --loglevel=error)

step "cargo clippy of the Node addon (feature node)"
cargo clippy -p gprofops-node --features node --lib --locked --no-deps -- -D warnings

step "napi build --release (bindings/node/gprofops.node, index.d.ts)"
(cd bindings/node && npm run --silent build)
git diff --exit-code -- bindings/node/index.d.ts || {
    echo "error: bindings/node/index.d.ts is out of date: commit the regenerated file" >&2
    exit 1
}

step "node --test bindings/node/tests, tsc on the types"
(cd bindings/node && npm test && npm run --silent typecheck)

step "release check: npm pack installed into a scratch project (scripts/release-check.sh npm)"
NODE_BUILT=1 scripts/release-check.sh npm

step "Chromium for the dashboard's browser test"
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ]; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null ||
        { $SUDO apt-get update -q >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
    CHROMIUM=$(command -v chromium)
fi
echo "$CHROMIUM"

step "dashboard example in headless Chromium (screenshots in examples/dashboard/test-results)"
(cd examples/dashboard && CHROMIUM="$CHROMIUM" npm test)

step "release check: the crates with Rust's rust-version (scripts/release-check.sh msrv)"
scripts/release-check.sh msrv

step "fuzz: every cargo-fuzz target for ${FUZZ_SECONDS:-30} s, seeded from the corpus (scripts/fuzz.sh)"
scripts/fuzz.sh "${FUZZ_SECONDS:-30}"

echo
echo "all tests passed"
