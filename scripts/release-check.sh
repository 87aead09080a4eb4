#!/usr/bin/env bash
# What would be published, checked without publishing anything (RELEASING.md):
#   crates  `cargo package --no-verify` of the five publishable crates (pprof-format,
#           gotrace-parse, gctrace-parse, profile-ops, gprofops-cli; cargo packages them
#           in dependency order, the unpublished path dependencies through a local
#           registry overlay). Each .crate may hold only Cargo.toml(.orig), Cargo.lock,
#           .cargo_vcs_info.json, README.md, LICENSE (the workspace's text) and src/;
#           the crates.io metadata is complete; the Rust examples of the libraries'
#           READMEs compile and run (rustdoc --test) and the commands of the CLI's exist.
#   wheel   `maturin build --release` of the abi3 wheel, its file list and metadata,
#           installed into a fresh venv: import, load examples/data, top and a round
#           trip; `python -m mypy.stubtest gprofops` against the shipped .pyi stubs
#           (intended differences: bindings/python/stubtest-allowlist.txt).
#   npm     `npm pack` of bindings/node, its file list, installed into a scratch project
#           with `npm install ./gprofops-X.tgz`: require() and import, a profile from a
#           Buffer, top.
#   msrv    the workspace's rust-version installed with rustup (minimal profile) and
#           `cargo +MSRV check --locked` of the libraries and the CLI (in target/msrv,
#           so that the main build cache stays valid).
#
# Usage: scripts/release-check.sh [crates|wheel|npm|msrv|all]...   (default: all)
# Environment:
#   WHEEL=path.whl   check this wheel instead of building one (scripts/test.sh passes
#                    the wheel it built and installed into .venv)
#   RUST_TESTS_BUILT=1  `cargo test --workspace --locked` has run: the README examples
#                    link against its build instead of a `cargo build -p ...` of their own
#   NODE_BUILT=1     bindings/node already has its npm packages and a release build of
#                    gprofops.node (scripts/test.sh has done both); else npm ci + build
#   PYTHON           Python 3.11+ for the venvs (default python3)
#   KEEP_TMP=1       keep the scratch directory (venv, npm project, tarball) and say where
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

CRATES=(pprof-format gotrace-parse gctrace-parse profile-ops gprofops-cli)
LIBS=(pprof-format gotrace-parse gctrace-parse profile-ops)
MYPY_VERSION=2.4.1   # stubtest; from PyPI into the scratch venv only
PYTHON=${PYTHON:-python3}

step() { printf '\n==> release-check %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
die() { printf 'release-check: FAILED: %s\n' "$*" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gprofops-release.XXXXXX")
cleanup() {
    if [ "${KEEP_TMP:-}" = 1 ]; then echo "scratch directory kept: $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
MSRV=$(sed -n 's/^rust-version = "\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
[ -n "$VERSION" ] && [ -n "$MSRV" ] || die "no version / rust-version in [workspace.package] of Cargo.toml"

check_crates() {
    step "crates: cargo package --no-verify ${CRATES[*]}"
    local pkgs=() c
    for c in "${CRATES[@]}"; do pkgs+=(-p "$c"); rm -f "$TARGET/package/$c-$VERSION.crate"; done
    # --allow-dirty: this checks what the package would hold; `cargo publish` itself
    # still refuses a dirty tree. Tests are left out on purpose (they read ../shared).
    if ! cargo package --locked --allow-dirty --no-verify "${pkgs[@]}" >"$TMP/package.log" 2>&1; then
        cat "$TMP/package.log" >&2
        die "cargo package"
    fi
    grep -v 'is not included in the published package' "$TMP/package.log" | grep -E '^ *(Packag|warning|error)' || true

    step "crates: contents and metadata of each .crate"
    cargo metadata --locked --no-deps --format-version 1 >"$TMP/metadata.json"
    "$PYTHON" - "$VERSION" "$TMP/metadata.json" "$TARGET/package" "${CRATES[@]}" <<'EOF' || die "crate contents or metadata"
import json, re, sys, tarfile, tomllib
version, metadata, outdir, crates = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
license_text = open("LICENSE", "rb").read()
packages = {p["name"]: p for p in json.load(open(metadata))["packages"]}
allowed = re.compile(r"(Cargo\.toml|Cargo\.toml\.orig|Cargo\.lock|\.cargo_vcs_info\.json|README\.md|LICENSE|src/.+\.rs)$")
failed = []
for name in crates:
    path = f"{outdir}/{name}-{version}.crate"
    with tarfile.open(path) as tar:
        members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if m.isfile()}
        extra = sorted(f for f in members if not allowed.fullmatch(f))
        if extra:
            failed.append(f"{name}: files that should not be published: {extra}")
        for need in ("Cargo.toml", "README.md", "LICENSE", "src/lib.rs" if name != "gprofops-cli" else "src/main.rs"):
            if need not in members:
                failed.append(f"{name}: {need} missing from the package")
        if "LICENSE" in members and tar.extractfile(members["LICENSE"]).read() != license_text:
            failed.append(f"{name}: its LICENSE is not the workspace's LICENSE")
        if "README.md" in members and b"](https://github.com/gprofops/gprofops" not in tar.extractfile(members["README.md"]).read():
            failed.append(f"{name}: README.md does not link to the root README")
        manifest = tomllib.loads(tar.extractfile(members["Cargo.toml"]).read().decode())["package"]
    for key in ("description", "license", "repository", "homepage", "documentation", "readme", "keywords", "categories", "rust-version"):
        if not manifest.get(key):
            failed.append(f"{name}: [package] {key} is missing")
    if manifest.get("documentation") != f"https://docs.rs/{name}":
        failed.append(f"{name}: documentation is not https://docs.rs/{name}")
    if manifest.get("license") != "Apache-2.0":
        failed.append(f"{name}: license is not Apache-2.0")
    kw = manifest.get("keywords", [])
    if len(kw) > 5 or not all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]{0,19}", k) for k in kw):
        failed.append(f"{name}: keywords must be at most 5, each an ASCII word of up to 20 characters: {kw}")
    if len(manifest.get("categories", [])) > 5:
        failed.append(f"{name}: more than 5 categories")
    if packages[name].get("publish") == []:
        failed.append(f"{name}: publish = false")
    if not any(f.startswith(name + ":") for f in failed):
        top = ", ".join(sorted(f for f in members if not f.startswith("src/")))
        print(f"    ok: {path}: {len(members)} files ({top} and src/), metadata complete")
for f in failed:
    print("release-check: " + f, file=sys.stderr)
sys.exit(1 if failed else 0)
EOF

    step "crates: README examples (rustdoc --test of the libraries' READMEs, the CLI's commands)"
    if [ "${RUST_TESTS_BUILT:-}" = 1 ]; then
        # The artifacts `cargo test --workspace` built (nothing is compiled again;
        # `cargo build -p ...` would resolve other features and rebuild them).
        cargo test --workspace --locked --no-run --message-format=json-render-diagnostics >"$TMP/build.json" ||
            die "cargo test --workspace --no-run"
    else
        cargo build --locked -p profile-ops -p gprofops-cli --message-format=json-render-diagnostics >"$TMP/build.json" ||
            die "cargo build -p profile-ops -p gprofops-cli"
    fi
    local externs
    externs=$("$PYTHON" - "$TMP/build.json" <<'EOF'
import json, sys
out = {}
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("reason") != "compiler-artifact":
        continue
    if m["target"]["name"] in ("pprof_format", "gotrace_parse", "gctrace_parse", "profile_ops") and any(f.endswith(".rmeta") for f in m["filenames"]):
        # the copy in deps/ (a root package's rlib is reported as its uplifted copy)
        rmeta = next(f for f in m["filenames"] if f.endswith(".rmeta"))
        out[m["target"]["name"]] = rmeta[: -len(".rmeta")] + ".rlib"
    if m["target"]["name"] == "gprofops" and m["target"]["kind"] == ["bin"] and m.get("executable"):
        out["bin"] = m["executable"]
assert len(out) == 5, out
print(" ".join(f"{k}={v}" for k, v in sorted(out.items())))
EOF
) || die "the build's rlibs"
    local args=() e bin= deps=
    for e in $externs; do
        case $e in
            bin=*) bin=${e#bin=} ;;
            *) args+=(--extern "$e"); deps=$(dirname "${e#*=}") ;;
        esac
    done
    for c in "${LIBS[@]}"; do
        # Run from the repository root: the examples read examples/data/...
        rustdoc --test --edition 2024 "$c/README.md" --crate-name "${c//-/_}_readme" \
            -L "dependency=$deps" "${args[@]}" >"$TMP/rustdoc.log" 2>&1 ||
            { cat "$TMP/rustdoc.log" >&2; die "$c/README.md: its example does not run"; }
        ok "$c/README.md: $(grep -Eo 'test result: ok\. [0-9]+ passed' "$TMP/rustdoc.log" | head -n1)"
        grep -q 'test result: ok\. [1-9]' "$TMP/rustdoc.log" || die "$c/README.md: no Rust example was run"
    done
    local subs n=0 s
    subs=$(sed -n '/^```sh/,/^```/p' bindings/cli/README.md | sed -n 's/^gprofops \([a-z]*\).*/\1/p' | sort -u)
    for s in $subs; do
        "$bin" "$s" --help >/dev/null 2>&1 || die "bindings/cli/README.md: 'gprofops $s' is not a command"
        n=$((n + 1))
    done
    [ "$n" -gt 0 ] || die "bindings/cli/README.md: no gprofops command found"
    ok "bindings/cli/README.md: its $n commands exist ($(echo $subs))"
}

check_wheel() {
    local wheel=${WHEEL:-}
    if [ -z "$wheel" ]; then
        step "wheel: maturin build --release (abi3)"
        local maturin
        if [ -x .venv/bin/maturin ]; then
            maturin=$ROOT/.venv/bin/maturin
        elif command -v maturin >/dev/null; then
            maturin=$(command -v maturin)
        else
            "$PYTHON" -m venv "$TMP/build-venv"
            "$TMP/build-venv/bin/pip" install -q --disable-pip-version-check \
                "$(grep '^maturin==' bindings/python/requirements-dev.txt)"
            maturin=$TMP/build-venv/bin/maturin
        fi
        (cd bindings/python && "$maturin" build --release --locked -q -i "$PYTHON" -o "$TMP/wheels") ||
            die "maturin build"
        wheel=$(ls "$TMP"/wheels/gprofops-*.whl)
    fi
    [ -f "$wheel" ] || die "no wheel at '$wheel'"

    step "wheel: $(basename "$wheel"): name, files, metadata"
    "$PYTHON" - "$wheel" "$VERSION" <<'EOF' || die "wheel contents"
import re, sys, zipfile
wheel, version = sys.argv[1], sys.argv[2]
name = wheel.rsplit("/", 1)[-1]
failed = []
if not re.fullmatch(rf"gprofops-{re.escape(version)}-cp311-abi3-(manylinux|musllinux|macosx|win)[A-Za-z0-9_.]*\.whl", name):
    failed.append(f"{name}: not an abi3 (cp311) wheel of version {version}")
di = f"gprofops-{version}.dist-info/"
expected = {f"gprofops/{f}" for f in ("__init__.py", "_arrow.py", "dask.py", "_native.pyi", "py.typed")}
with zipfile.ZipFile(wheel) as z:
    files = set(z.namelist())
    native = [f for f in files if re.fullmatch(r"gprofops/_native\.(abi3\.so|pyd)", f)]
    if len(native) != 1:
        failed.append(f"the extension module is missing: {sorted(files)}")
    extra = sorted(f for f in files - expected - set(native)
                   if not re.fullmatch(re.escape(di) + r"(METADATA|WHEEL|RECORD|licenses/LICENSE|sboms/[^/]+\.json)", f))
    if extra:
        failed.append(f"files that should not be in the wheel: {extra}")
    if expected - files:
        failed.append(f"missing from the wheel: {sorted(expected - files)}")
    if z.read(di + "licenses/LICENSE") != open("LICENSE", "rb").read():
        failed.append("its licenses/LICENSE is not the workspace's LICENSE")
    meta = z.read(di + "METADATA").decode()
    for line in ("License-Expression: Apache-2.0", "Requires-Python: >=3.11", f"Version: {version}"):
        if line not in meta.splitlines():
            failed.append(f"METADATA lacks '{line}'")
    if not any(l.startswith("Project-URL: Repository, https://") for l in meta.splitlines()):
        failed.append("METADATA lacks the Repository URL")
for f in failed:
    print("release-check: " + f, file=sys.stderr)
if failed:
    sys.exit(1)
print(f"    ok: {len(files)} files, abi3, LICENSE and metadata")
EOF

    step "wheel: pip install into a fresh venv (with mypy==$MYPY_VERSION for stubtest)"
    "$PYTHON" -m venv "$TMP/venv"
    "$TMP/venv/bin/python" -m pip install -q --disable-pip-version-check "$wheel" "mypy==$MYPY_VERSION" ||
        die "pip install of the wheel and mypy into a fresh venv"

    step "wheel: smoke test (import, load examples/data, top, round trip)"
    (cd "$TMP" && "$TMP/venv/bin/python" - "$ROOT/examples/data" "$VERSION" <<'EOF') || die "the wheel's smoke test"
import sys
from pathlib import Path
import gprofops
data, version = Path(sys.argv[1]), sys.argv[2]
assert "site-packages" in gprofops.__file__, f"imported from {gprofops.__file__}, not the venv"
assert gprofops.__version__ == version, gprofops.__version__
p = gprofops.Profile.load(data / "cpu.pb.gz")
assert p.sample_types == [("samples", "count"), ("cpu", "nanoseconds")], p.sample_types
assert p.num_samples > 0 and all(t > 0 for t in p.totals), (p.num_samples, p.totals)
top = p.top(5)
assert top.unit == "nanoseconds" and top.total == p.totals[1], (top.unit, top.total, p.totals)
assert 0 < len(top.rows) <= 5
first = top.rows[0]
assert 0 < first["flat"] <= first["cum"] <= top.total and 0 < first["flat_pct"] <= 100, first
assert gprofops.Profile.from_bytes(p.to_bytes(gzip=True)) == p
with open(data / "cpu.pb.gz", "rb") as f:
    assert gprofops.Profile.load(f.read()).totals == p.totals
gc = gprofops.GcTrace.load(data / "gctrace.log")
assert len(gc) > 0 and gc.has_gctrace_lines
print(f"    ok: gprofops {gprofops.__version__} from {Path(gprofops.__file__).parent}: "
      f"cpu.pb.gz totals {p.totals}, top {first['name']} {first['flat_pct']:.1f}%, {len(gc)} GC cycles")
EOF

    step "wheel: python -m mypy.stubtest gprofops (the installed .pyi against the module)"
    printf '[mypy]\nignore_missing_imports = True\n' >"$TMP/mypy.ini"
    (cd "$TMP" && "$TMP/venv/bin/python" -m mypy.stubtest gprofops --mypy-config-file "$TMP/mypy.ini" \
        --allowlist "$ROOT/bindings/python/stubtest-allowlist.txt") || die "stubtest: the stubs disagree with the module"
}

check_npm() {
    if [ "${NODE_BUILT:-}" != 1 ]; then
        step "npm: npm ci and napi build --release in bindings/node"
        (cd bindings/node && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build) ||
            die "building bindings/node"
    fi
    step "npm: npm pack (bindings/node)"
    local tgz
    tgz=$(cd bindings/node && npm pack --silent --pack-destination "$TMP") || die "npm pack"
    tgz=$TMP/$(echo "$tgz" | tail -n1)
    [ -f "$tgz" ] || die "npm pack made no tarball"
    rm -f bindings/node/LICENSE   # the copy prepack made
    # npm adds README and LICENSE files whatever package.json's "files" says: LICENSE
    # is the workspace's, copied in by the prepack script; README.md is the package's own.
    tar tzf "$tgz" | LC_ALL=C sort >"$TMP/npm-files"
    printf 'package/%s\n' LICENSE README.md gprofops.node index.d.ts index.js index.mjs package.json |
        LC_ALL=C sort >"$TMP/npm-want"
    cp "$TMP/npm-want" "$TMP/npm-allowed"
    local extra missing
    extra=$(LC_ALL=C comm -13 "$TMP/npm-allowed" "$TMP/npm-files" | tr '\n' ' ')
    missing=$(LC_ALL=C comm -23 "$TMP/npm-want" "$TMP/npm-files" | tr '\n' ' ')
    [ -z "$extra" ] || die "files that should not be in $(basename "$tgz"): $extra"
    [ -z "$missing" ] || die "missing from $(basename "$tgz"): $missing"
    tar xzOf "$tgz" package/LICENSE | cmp -s - LICENSE || die "the npm package's LICENSE is not the workspace's"
    ok "$(basename "$tgz"): $(tr '\n' ' ' <"$TMP/npm-files")"

    step "npm: npm install ./$(basename "$tgz") into a scratch project, smoke test"
    mkdir "$TMP/npm-smoke"
    (cd "$TMP/npm-smoke" && npm init -y >/dev/null &&
        npm install --no-audit --no-fund --loglevel=error "$tgz") || die "npm install of the tarball"
    (cd "$TMP/npm-smoke" && node -e '
const assert = require("assert");
const fs = require("fs");
const g = require("gprofops");
const buf = fs.readFileSync(process.argv[1] + "/cpu.pb.gz");
const p = g.Profile.fromBuffer(buf);
assert.deepStrictEqual(p.sampleTypes, [["samples", "count"], ["cpu", "nanoseconds"]]);
const totals = p.totals.map(Number);
assert.ok(totals.every((t) => t > 0), String(totals));
const top = p.top({ n: 5 });
assert.strictEqual(Number(top.total), totals[1]);
assert.ok(top.rows.length > 0 && top.rows.length <= 5);
const r = top.rows[0];
assert.ok(0 < Number(r.flat) && Number(r.flat) <= Number(r.cum) && Number(r.cum) <= Number(top.total), JSON.stringify(r));
assert.ok(require.resolve("gprofops").includes("node_modules"));
console.log(`    ok: require: cpu.pb.gz totals ${totals}, top ${r.name} ${r.flat_pct.toFixed(1)}%`);
' "$ROOT/examples/data") || die "the npm package's smoke test (require)"
    (cd "$TMP/npm-smoke" && node --input-type=module -e '
import { Profile } from "gprofops";
import { readFileSync } from "node:fs";
const p = Profile.fromBuffer(readFileSync(process.argv[1] + "/cpu.pb.gz"));
if (p.top({ n: 1 }).rows.length !== 1) throw new Error("top of one row");
console.log("    ok: import: Profile.fromBuffer, top");
' "$ROOT/examples/data") || die "the npm package's smoke test (import)"
}

check_msrv() {
    step "msrv: rustup toolchain install $MSRV --profile minimal"
    command -v rustup >/dev/null || die "rustup is needed to install Rust $MSRV"
    rustup toolchain install "$MSRV" --profile minimal --no-self-update >"$TMP/rustup.log" 2>&1 ||
        { cat "$TMP/rustup.log" >&2; die "installing Rust $MSRV"; }
    step "msrv: cargo +$MSRV check --locked ${CRATES[*]} (target/msrv)"
    local pkgs=() c
    for c in "${CRATES[@]}"; do pkgs+=(-p "$c"); done
    cargo "+$MSRV" check --locked --target-dir "$TARGET/msrv" "${pkgs[@]}" ||
        die "Rust $MSRV (rust-version in Cargo.toml) does not build the crates"
    ok "Rust $MSRV builds ${CRATES[*]}"
}

[ $# -gt 0 ] || set -- all
for what in "$@"; do
    case $what in
        crates | wheel | npm | msrv) ;;
        all) ;;
        *) echo "usage: $0 [crates|wheel|npm|msrv|all]..." >&2; exit 2 ;;
    esac
done
for what in "$@"; do
    case $what in
        crates) check_crates ;;
        wheel) check_wheel ;;
        npm) check_npm ;;
        msrv) check_msrv ;;
        all) check_crates; check_wheel; check_npm; check_msrv ;;
    esac
done
echo
echo "release-check passed: $*"
