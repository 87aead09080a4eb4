#!/usr/bin/env bash
# Every pprof command as a whole process against go tool pprof (and gctrace --json against
# the reference Python reader), alternately, in one run; prints the Markdown table and
# writes target/compare/commands.{md,json}. See benches/compare/commands.py (--help).
#
#   scripts/compare-commands.sh [--runs K] [--out DIR] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" benches/compare/commands.py "$@"
