#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ (one per parser entry point, plus the operations
# and reports on whatever the parsers accept), each seeded from ../shared/corpus and
# examples/data, for SECONDS each (default 60).
#
#   scripts/fuzz.sh                   # every target, 60 s each (what scripts/test.sh runs)
#   scripts/fuzz.sh 3600 pprof_ops    # a long campaign on one target
#   FUZZ_JOBS=2 scripts/fuzz.sh 600   # two libFuzzer workers per target
#
# Needs a nightly toolchain (libFuzzer's sanitizer flags) and cargo-fuzz: the script
# installs cargo-fuzz with `cargo install` and the toolchain with rustup when they are
# missing, and when either cannot be installed it says so on stderr and exits 0 (the rest
# of the test command still runs). A crash, a leak or a timeout (an input taking longer
# than 10 s) fails the run: the input is left under target/fuzz/artifacts/TARGET and must
# become a regression test. The growing corpus stays under target/fuzz/corpus (not in git).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-${FUZZ_SECONDS:-60}}
shift || true
ALL=(pprof_decode pprof_gzip pprof_legacy pprof_prost pprof_ops gotrace_parse gotrace_v1 gotrace_raw gotrace_analyses gctrace_parse)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")

skip() {
    echo "fuzz: SKIPPED ($*); the fuzz targets did not run" >&2
    exit 0
}

if ! cargo +nightly --version >/dev/null 2>&1; then
    command -v rustup >/dev/null || skip "no nightly toolchain and no rustup to install one"
    rustup toolchain install nightly --profile minimal >/dev/null 2>&1 ||
        skip "a nightly toolchain could not be installed"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz --version '^0.13' >/dev/null 2>&1 ||
        skip "cargo-fuzz could not be installed from crates.io"
fi

# Seeds: every corpus file of the kind the target reads, under 1 MiB (libFuzzer mutates
# small inputs far faster; the large files are covered by the corpus tests).
seed_dirs() {
    case $1 in
        pprof_*) echo ../shared/corpus/pprof examples/data ;;
        gotrace_*) echo ../shared/corpus/gotrace examples/data ;;
        gctrace_*) echo ../shared/corpus/gctrace examples/data ;;
    esac
}

CORPUS=target/fuzz/corpus
ARTIFACTS=target/fuzz/artifacts
for t in "${TARGETS[@]}"; do
    mkdir -p "$CORPUS/$t" "$ARTIFACTS/$t"
    # Every run adds the seeds (a corpus grown by earlier runs keeps its own inputs).
    # Sizes in bytes: find rounds `-size -1M` up to whole MiB, which matches empty files only.
    # shellcheck disable=SC2046
    find $(seed_dirs "$t") -type f -size -1048576c ! -name '*.json' ! -name '*.md' \
        -exec sh -c 'for f; do cp "$f" "$0/seed_$(printf %s "$f" | tr / _)"; done' "$CORPUS/$t" {} +
    seeds=$(find "$CORPUS/$t" -name 'seed_*' | wc -l)
    [ "$seeds" -gt 0 ] || { echo "fuzz: no seed found for $t" >&2; exit 1; }
done

echo "fuzz: building the targets with cargo +nightly fuzz build"
if ! (cd fuzz && cargo +nightly fuzz build -O) >target/fuzz/build.log 2>&1; then
    tail -20 target/fuzz/build.log >&2
    echo "fuzz: build failed (target/fuzz/build.log)" >&2
    exit 1
fi
# More than one worker writes each worker's output to fuzz-N.log in fuzz/.
PARALLEL=()
[ "${FUZZ_JOBS:-1}" -gt 1 ] && PARALLEL=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")

status=0
for t in "${TARGETS[@]}"; do
    start=$(date +%s)
    log=target/fuzz/$t.log
    if (cd fuzz && cargo +nightly fuzz run -O "$t" "../$CORPUS/$t" -- \
            -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2560 \
            -max_len=262144 "${PARALLEL[@]}" \
            -artifact_prefix="../$ARTIFACTS/$t/" -print_final_stats=1) >"$log" 2>&1; then
        runs=$(grep -ho 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
        echo "fuzz: $t ok, $runs runs in $(($(date +%s) - start)) s, corpus $(ls "$CORPUS/$t" | wc -l) inputs ($(find "$CORPUS/$t" -name 'seed_*' | wc -l) seeds)"
    else
        echo "fuzz: $t FAILED after $(($(date +%s) - start)) s: see $log and $ARTIFACTS/$t/" >&2
        grep -m5 -E 'ERROR|panicked|SUMMARY' "$log" >&2 || tail -20 "$log" >&2
        status=1
    fi
done
exit $status
