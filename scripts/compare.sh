#!/usr/bin/env bash
# The side-by-side table against Go's tools, npm pprof-format and our bindings, in one
# command: builds what it needs, makes the inputs (cached in target/compare), prints the
# Markdown table and writes target/compare/compare.{md,json}. See benches/compare/compare.py
# (--help) and benches/README.md.
#
#   scripts/compare.sh [--quick] [--sizes FAMILY=A,B,C,D ...] [--runs K] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" benches/compare/compare.py "$@"
