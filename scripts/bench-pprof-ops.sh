#!/usr/bin/env bash
# Side by side, in one run: gprofops vs the reference on the pprof operations.
#
#   scripts/bench-pprof-ops.sh [COPIES]
#
# 1. merge, library to library: our merge vs github.com/google/pprof/profile.Merge on
#    COPIES (default 25) perturbed copies of each of the corpus's 4 Go CPU profiles
#    (decoding excluded on both sides);
# 2. merge, command to command: `gprofops merge` vs `go tool pprof -proto` on the same files;
# 3. top, command to command: `gprofops top` vs `go tool pprof -top` on the corpus's
#    largest profile, the fleet's merge and a large synthetic heap profile.
# Prints seconds (wall, and CPU = user + sys, which a busy machine disturbs less), the
# ratios and peak memory (max RSS) for both.
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-25}
out=benches/out
mkdir -p "$out"
cargo build -q --release -p gprofops-benches --bin ops-timing
cargo build -q --release -p gprofops-cli
(cd benches/peers/pprof-parse && go build -o ../../out/pprof-parse .)
fleet="$out/fleet-$copies"
[ -d "$fleet" ] || ./target/release/ops-timing --make-fleet "$fleet" "$copies"
files=("$fleet"/*.pb.gz)

echo "== merge of ${#files[@]} profiles, library (decode excluded)"
r=$(./target/release/ops-timing merge --min-time 3 "${files[@]}")
g=$("$out/pprof-parse" -merge -min-time 3s "${files[@]}")
python3 - "$r" "$g" <<'PY'
import sys
r = sys.argv[1].split(); g = sys.argv[2].split()
print("gprofops merge      %8.4fs  peak %7.1f MB" % (float(r[3]), int(r[4]) / 1e6))
print("profile.Merge (Go)  %8.4fs  peak %7.1f MB" % (float(g[3]), int(g[4]) / 1e6))
print("ratio               %8.1fx" % (float(g[3]) / float(r[3])))
PY

# Wall time, CPU time and max RSS of one command, best of 5.
run() {
    local best=999999 cpu=0 rss=0
    for _ in 1 2 3 4 5; do
        /usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || { cat "$out/stderr.txt"; exit 1; }
        read -r t u s m < "$out/time.txt"
        if python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then best=$t; rss=$m; fi
        cpu=$(python3 -c "c = $u + $s; print(c if $cpu == 0 or c < $cpu else $cpu)")
    done
    echo "$best $cpu $rss"
}
side_by_side() {
    local what=$1; shift
    local ours theirs
    ours=$(run "${OURS[@]}")
    theirs=$(run "${THEIRS[@]}")
    python3 - "$what" "$ours" "$theirs" <<'PY'
import sys
w = sys.argv[1]; o = sys.argv[2].split(); t = sys.argv[3].split()
print("== %s" % w)
print("gprofops        wall %7.3fs  cpu %7.3fs  max RSS %7.1f MB" % (float(o[0]), float(o[1]), int(o[2]) / 1024))
print("go tool pprof   wall %7.3fs  cpu %7.3fs  max RSS %7.1f MB" % (float(t[0]), float(t[1]), int(t[2]) / 1024))
print("ratio           wall %7.1fx     cpu %7.1fx" % (float(t[0]) / max(float(o[0]), 0.005), float(t[1]) / max(float(o[1]), 0.005)))
PY
}
export PPROF_BINARY_PATH=/nonexistent
OURS=(./target/release/gprofops merge -o "$out/merged-ours.pb.gz" "${files[@]}")
THEIRS=(go tool pprof -symbolize=none -proto -output "$out/merged-go.pb.gz" "${files[@]}")
side_by_side "merge of ${#files[@]} files, command line" 
largest=$(ls -S $(find ../shared/corpus/pprof -type f ! -name '*.json' ! -name '*.string' ! -name '*.txt' ! -name '*.md') | sed -n 1p)
# A large heap profile too: the corpus's largest samples repeated (see bench-pprof-decode.sh).
cargo build -q --release -p gprofops-benches --bin decode-timing
[ -f "$out/large.pb.gz" ] || ./target/release/decode-timing --make-large "$out" 60
for f in "$largest" "$out/merged-go.pb.gz" "$out/large.pb.gz"; do
    OURS=(./target/release/gprofops top "$f")
    THEIRS=(go tool pprof -symbolize=none -top "$f")
    side_by_side "top of $(basename "$f") ($(du -h "$f" | cut -f1))"
done
