#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, Rust unit/integration/doc tests
# (including the differential tests against Go's tools when `go` is on PATH), and the
# example demo. Installs what it needs that a fresh machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

if [ ! -d ../shared/corpus ]; then
    echo "error: ../shared/corpus (the shared test corpus) must sit beside this repository" >&2
    exit 1
fi
command -v cargo >/dev/null || { echo "error: cargo (Rust 1.88+) is required: https://rustup.rs" >&2; exit 1; }
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

echo
echo "all tests passed"
