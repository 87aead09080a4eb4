#!/usr/bin/env python3
"""Finds import cycles between the modules of each crate of the workspace.

    scripts/module-cycles.py                 # every crate; exit 1 if any has a cycle
    scripts/module-cycles.py pprof-format    # some crates (paths from the repository root)
    scripts/module-cycles.py --edges ...     # also print every counted edge

For each crate the script reads the module tree from `src/lib.rs` (or `src/main.rs`): `mod x;`
declarations resolved to `x.rs` or `x/mod.rs` (nested: `a/b.rs`, `#[path]` honoured), and
inline `mod x { ... }` blocks. A node of the graph is a module FILE; code in an inline module
(`mod tests { ... }`) belongs to the file that holds it.

Edges: module A -> module B when A's code (comments and doc comments ignored) names an item
of B, through
  - `use` declarations, grouped or not: `use crate::a::b`, `use crate::{a, b::c}`,
    `use super::x`, `use self::m::x`, `use child::x` (2018 paths to a child module);
  - paths in code: `crate::a::b::f()`, `super::x`, `self::m::x`, `$crate::x`, and paths
    whose first segment is a child module or a module brought into scope by a `use`.
A path is resolved to the module FILE that defines its item: module by module from the
crate root, following `use` / `pub use` re-exports (so `crate::Label`, re-exported by
lib.rs from `profile`, is an edge to `profile`, not to lib.rs), and `pub use m::*` globs
for names that `m` defines.

Parent/child edges: an edge from a module to one of its ANCESTORS (itself, its parent, ...,
the crate root) is not counted. A child using its parent's items (`use super::X`) is the
normal shape of a Rust module tree, and the parent necessarily "imports" its children by
declaring them, so counting those edges would make every such pair a cycle. An edge from a
module to one of its DESCENDANTS (`use self::child::X`, `use child::X`) is counted; so a
cycle is always between siblings or cousins (possibly through a parent that uses a child),
e.g. `input -> gzip_stream -> input`.

Test code (`#[cfg(test)] mod tests { ... }`) counts like any other code: a test module that
imports a sibling couples the two files just the same. `--no-tests` leaves out the items
under `#[cfg(test)]`.

Output: for each crate, each strongly connected component of more than one module, with
one line per edge inside it giving the first place (file:line) that makes it, marked
"test code only" when no code outside `#[cfg(test)]` makes it. Exit status
1 if any crate has a cycle, 2 on a usage error, 0 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

CRATES = [
    "pprof-format",
    "gotrace-parse",
    "gctrace-parse",
    "profile-ops",
    "bindings/cli",
    "bindings/python",
    "bindings/node",
]

# Tokens of `pub(in crate::a)` and friends: the attributes before them still apply.
VISIBILITY = {"pub", "(", ")", "crate", "in", "super", "self", "::"}
ITEM_KEYWORDS = {"fn", "struct", "enum", "trait", "type", "const", "static", "union"}


# --------------------------------------------------------------------------- tokens


@dataclass
class Tok:
    text: str
    line: int


def _is_ident_start(c: str) -> bool:
    return c == "_" or c.isalpha()


def _is_ident_char(c: str) -> bool:
    return c == "_" or c.isalnum()


def tokenize(src: str) -> list[Tok]:
    """Identifiers, `::` and single punctuation characters; comments (doc comments
    included), string, byte-string, raw-string, char literals and numbers dropped."""
    toks: list[Tok] = []
    i, n, line = 0, len(src), 1
    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if src.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif src.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    if src[i] == "\n":
                        line += 1
                    i += 1
        elif c in "rbc" and _raw_string_at(src, i):
            j = i + (2 if src[i] in "bc" else 1)
            if src[j] == "r":
                j += 1
            hashes = 0
            while src[j] == "#":
                hashes, j = hashes + 1, j + 1
            end = src.find('"' + "#" * hashes, j + 1)
            end = n if end < 0 else end + 1 + hashes
            line += src.count("\n", i, end)
            i = end
        elif c == '"' or (c in "bc" and src.startswith('"', i + 1)):
            j = i + (1 if c == '"' else 2)
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            line += src.count("\n", i, j)
            i = j + 1
        elif c == "'" or (c == "b" and src.startswith("'", i + 1)):
            j = i + (1 if c == "'" else 2)
            if j < n and src[j] == "\\":
                end = src.find("'", j + 2)
                i = n if end < 0 else end + 1
            elif j + 1 < n and src[j + 1] == "'":
                i = j + 2
            else:  # a lifetime or a label
                i = j
        elif _is_ident_start(c):
            j = i + 1
            while j < n and _is_ident_char(src[j]):
                j += 1
            word = src[i:j]
            if word == "r" and src.startswith("#", j) and j + 1 < n and _is_ident_start(src[j + 1]):
                k = j + 1
                while k < n and _is_ident_char(src[k]):
                    k += 1
                word, j = src[j + 1 : k], k
            toks.append(Tok(word, line))
            i = j
        elif c.isdigit():
            j = i + 1
            while j < n and (_is_ident_char(src[j]) or (src[j] == "." and j + 1 < n and src[j + 1].isdigit())):
                j += 1
            i = j
        elif src.startswith("::", i):
            toks.append(Tok("::", line))
            i += 2
        else:
            toks.append(Tok(c, line))
            i += 1
    return toks


def _raw_string_at(src: str, i: int) -> bool:
    j = i
    if src[j] in "bc":
        j += 1
        if not src.startswith("r", j):
            return False
    if not src.startswith("r", j):
        return False
    j += 1
    while src.startswith("#", j):
        j += 1
    if not src.startswith('"', j):
        return False
    # `r"`, `br"`, `r#"`: not an identifier that merely ends in r.
    return i == 0 or not _is_ident_char(src[i - 1])


# --------------------------------------------------------------------------- modules


@dataclass
class Use:
    path: list[str]  # absolute (from the crate root) or as written for 2018 relative paths
    alias: str | None  # the name it brings into scope; None for a glob
    glob: bool
    scope: tuple[str, ...]  # module path (inline modules included) where it is written
    line: int
    file: Path
    test: bool


@dataclass
class PathRef:
    segs: list[str]
    scope: tuple[str, ...]
    line: int
    test: bool


@dataclass
class Module:
    path: tuple[str, ...]  # from the crate root, () for the root
    file: Path | None  # None for an inline module
    file_module: tuple[str, ...]  # the module whose file holds this one
    children: dict[str, tuple[str, ...]] = field(default_factory=dict)
    aliases: dict[str, list[Use]] = field(default_factory=dict)
    globs: list[Use] = field(default_factory=list)
    items: set[str] = field(default_factory=set)


class Crate:
    def __init__(self, root_dir: Path, no_tests: bool = False):
        self.root_dir = root_dir
        self.no_tests = no_tests
        src = root_dir / "src"
        root_file = src / "lib.rs"
        if not root_file.exists():
            root_file = src / "main.rs"
        if not root_file.exists():
            raise FileNotFoundError(f"{root_dir}: no src/lib.rs or src/main.rs")
        self.modules: dict[tuple[str, ...], Module] = {}
        self.uses: list[Use] = []
        self.refs: list[PathRef] = []
        self._load_file((), root_file, src, test=False)

    # ----- reading

    def _load_file(self, path: tuple[str, ...], file: Path, child_dir: Path, test: bool) -> None:
        self.modules[path] = Module(path, file, path)
        toks = tokenize(file.read_text(encoding="utf-8", errors="replace"))
        self._parse_block(toks, 0, path, path, file, child_dir, test)

    def _parse_block(self, toks, i, scope, file_module, file, child_dir, test) -> int:
        """Parses tokens from `i` up to the `}` closing the current block (or the end);
        returns the index after it."""
        n = len(toks)
        depth = 0
        attrs: list[list[str]] = []  # attributes just before the current item
        while i < n:
            t = toks[i].text
            if t == "#" and i + 1 < n and toks[i + 1].text in ("[", "!"):
                j = i + 1 + (toks[i + 1].text == "!")
                end = _matching(toks, j)
                attrs.append([x.text for x in toks[j + 1 : end]] + ["=", _attr_string(file, toks, j, end)])
                i = end + 1
                continue
            is_test = test or any(_is_cfg_test(a) for a in attrs)
            if self.no_tests and is_test and not test:
                # Skip the whole item under #[cfg(test)].
                i = _skip_item(toks, i)
                attrs = []
                continue
            if t == "{":
                depth += 1
            elif t == "}":
                if depth == 0:
                    return i + 1
                depth -= 1
            elif t == "mod" and i + 1 < n and _is_ident(toks[i + 1].text) and i + 2 < n:
                name = toks[i + 1].text
                child = scope + (name,)
                mod_module = self.modules[scope]
                mod_module.children[name] = child
                path_attr = next((a[-1] for a in attrs if a and a[0] == "path"), None)
                if toks[i + 2].text == ";":
                    target = None
                    if path_attr:
                        target = (file.parent / path_attr) if scope == file_module else (child_dir / path_attr)
                    else:
                        for cand in (child_dir / f"{name}.rs", child_dir / name / "mod.rs"):
                            if cand.exists():
                                target = cand
                                break
                    if target is not None and target.exists():
                        sub_dir = target.parent if target.name == "mod.rs" else target.parent / target.stem
                        self._load_file(child, target, sub_dir, is_test)
                    else:
                        self.modules[child] = Module(child, None, child)
                    i += 3
                elif toks[i + 2].text == "{":
                    self.modules[child] = Module(child, None, file_module)
                    i = self._parse_block(toks, i + 3, child, file_module, file, child_dir / name, is_test)
                else:
                    i += 1
                attrs = []
                continue
            elif t == "use" and (i == 0 or toks[i - 1].text != "::"):
                end = i + 1
                while end < n and toks[end].text != ";":
                    end += 1
                for segs, alias, glob in _use_tree(toks[i + 1 : end]):
                    u = Use(segs, alias, glob, scope, toks[i].line, file, is_test)
                    self.uses.append(u)
                    m = self.modules[scope]
                    if glob:
                        m.globs.append(u)
                    elif alias and alias != "_":
                        m.aliases.setdefault(alias, []).append(u)
                i = end + 1
                attrs = []
                continue
            elif t in ITEM_KEYWORDS and i + 1 < n and _is_ident(toks[i + 1].text):
                self.modules[scope].items.add(toks[i + 1].text)
            elif t == "macro_rules" and i + 2 < n and toks[i + 1].text == "!":
                self.modules[scope].items.add(toks[i + 2].text)
            elif _is_path_start(toks, i):
                segs, j = _read_path(toks, i)
                if len(segs) > 1:
                    self.refs.append(PathRef(segs, scope, toks[i].line, is_test))
                i = j
                attrs = []
                continue
            if t not in VISIBILITY:
                attrs = []
            i += 1
        return i

    # ----- resolving

    def file_of(self, path: tuple[str, ...]) -> tuple[str, ...]:
        m = self.modules.get(path)
        return m.file_module if m else path

    def absolute(self, segs: list[str], scope: tuple[str, ...], in_use: bool) -> list[str] | None:
        """The path `segs`, written in module `scope`, from the crate root; None when it
        names another crate, a local variable or anything this crate does not define."""
        if not segs:
            return None
        head = segs[0]
        if head in ("crate", "$crate"):
            return segs[1:]
        if head in ("self", "super"):
            cur = list(scope)
            k = 0
            while k < len(segs) and segs[k] in ("self", "super"):
                if segs[k] == "super":
                    if not cur:
                        return None
                    cur.pop()
                k += 1
            return cur + segs[k:]
        m = self.modules.get(scope)
        if m is None:
            return None
        if head in m.children:
            return list(scope) + segs
        if head in m.aliases:
            return list(scope) + segs
        return None

    def resolve(self, abs_segs: list[str], depth: int = 0) -> tuple[str, ...] | None:
        """The module that defines the item at `abs_segs` (a crate-root path), following
        `use` aliases and globs."""
        if depth > 16:
            return None
        cur: tuple[str, ...] = ()
        for idx, seg in enumerate(abs_segs):
            m = self.modules.get(cur)
            if m is None:
                return cur
            if seg in m.children:
                cur = m.children[seg]
                continue
            target = self._through_alias(m, seg, depth)
            if target is None:
                target = self._through_glob(m, seg, depth)
            if target is None:
                return cur  # an item of `cur` (or a name it defines that we did not see)
            resolved, is_module = target
            if not is_module:
                return resolved
            cur = resolved
        return cur

    def _through_alias(self, m: Module, seg: str, depth: int):
        for u in m.aliases.get(seg, []):
            abs_path = self.absolute(u.path, u.scope, in_use=True)
            if abs_path is None:
                continue
            last = self.resolve(abs_path[:-1], depth + 1) if abs_path[:-1] else ()
            if last is None:
                continue
            lm = self.modules.get(last)
            name = abs_path[-1] if abs_path else None
            if name is None:
                return last, True
            if lm is not None and name in lm.children:
                return lm.children[name], True
            if lm is not None and name in lm.aliases:
                inner = self._through_alias(lm, name, depth + 1)
                if inner is not None:
                    return inner
            if lm is not None and name not in lm.items:
                inner = self._through_glob(lm, name, depth + 1)
                if inner is not None:
                    return inner
            return last, False
        return None

    def _through_glob(self, m: Module, seg: str, depth: int):
        for u in m.globs:
            abs_path = self.absolute(u.path, u.scope, in_use=True)
            if abs_path is None:
                continue
            g = self.resolve(abs_path, depth + 1)
            gm = self.modules.get(g) if g is not None else None
            if gm is None or gm.path == m.path:
                continue
            if seg in gm.children:
                return gm.children[seg], True
            if seg in gm.items:
                return gm.path, False
            if seg in gm.aliases:
                inner = self._through_alias(gm, seg, depth + 1)
                if inner is not None:
                    return inner
        return None

    def edges(self) -> dict[tuple[str, ...], dict[tuple[str, ...], tuple[Path, int, bool]]]:
        """file module -> file module -> (file, line, in test code) of the first place
        making the edge; edges to an ancestor (or to the module itself) left out."""
        out: dict[tuple[str, ...], dict[tuple[str, ...], tuple[Path, int, bool]]] = {}

        def add(scope, target, line, test):
            if target is None:
                return
            src = self.file_of(scope)
            dst = self.file_of(target)
            if dst not in self.modules or dst == src or src[: len(dst)] == dst:
                return
            file = self.modules[src].file
            to = out.setdefault(src, {})
            # The first place, preferring code outside tests.
            if dst not in to or (to[dst][2] and not test):
                to[dst] = (file, line, test)

        for u in self.uses:
            abs_path = self.absolute(u.path, u.scope, in_use=True)
            if abs_path is not None:
                add(u.scope, self.resolve(abs_path), u.line, u.test)
        for r in self.refs:
            abs_path = self.absolute(r.segs, r.scope, in_use=False)
            if abs_path is not None:
                add(r.scope, self.resolve(abs_path), r.line, r.test)
        return out


def _is_ident(t: str) -> bool:
    return bool(t) and _is_ident_start(t[0])


def _is_cfg_test(attr: list[str]) -> bool:
    return len(attr) >= 4 and attr[0] == "cfg" and attr[1] == "(" and attr[2] == "test" and attr[3] == ")"


def _attr_string(file: Path, toks, j, end) -> str:
    """The string of `#[path = "x.rs"]` (strings are dropped by the tokenizer: read it
    again from the source line)."""
    if end - j >= 3 and toks[j + 1].text == "path":
        text = file.read_text(encoding="utf-8", errors="replace").splitlines()[toks[j].line - 1]
        a = text.find('"', text.find("path"))
        b = text.find('"', a + 1)
        if a >= 0 and b > a:
            return text[a + 1 : b]
    return ""


def _matching(toks, i) -> int:
    """Index of the bracket closing the one at `i`."""
    pairs = {"[": "]", "(": ")", "{": "}"}
    open_, close = toks[i].text, pairs.get(toks[i].text)
    depth = 0
    for k in range(i, len(toks)):
        if toks[k].text == open_:
            depth += 1
        elif toks[k].text == close:
            depth -= 1
            if depth == 0:
                return k
    return len(toks) - 1


def _skip_item(toks, i) -> int:
    """Index after the item starting at `i` (up to its `;` or its closing `}`)."""
    n = len(toks)
    while i < n:
        t = toks[i].text
        if t == ";":
            return i + 1
        if t in ("{", "(", "["):
            end = _matching(toks, i)
            if t == "{":
                return end + 1
            i = end + 1
            continue
        i += 1
    return n


def _is_path_start(toks, i) -> bool:
    t = toks[i].text
    if i > 0 and toks[i - 1].text == "::":
        return False
    if t == "$" and i + 1 < len(toks) and toks[i + 1].text == "crate":
        return True
    return _is_ident(t) and i + 1 < len(toks) and toks[i + 1].text == "::"


def _read_path(toks, i) -> tuple[list[str], int]:
    segs: list[str] = []
    if toks[i].text == "$":
        segs.append("$crate")
        i += 2
    else:
        segs.append(toks[i].text)
        i += 1
    while i + 1 < len(toks) and toks[i].text == "::" and _is_ident(toks[i + 1].text):
        segs.append(toks[i + 1].text)
        i += 2
    return segs, i


def _use_tree(toks: list[Tok]) -> list[tuple[list[str], str | None, bool]]:
    """(path, alias, glob) for each leaf of a use tree."""
    out: list[tuple[list[str], str | None, bool]] = []
    texts = [t.text for t in toks]
    if texts[:1] == ["$"]:
        texts = ["$crate"] + texts[2:]

    def tree(k: int, prefix: list[str]) -> int:
        segs = list(prefix)
        while k < len(texts):
            t = texts[k]
            if t == "::":
                k += 1
            elif t == "{":
                k += 1
                while k < len(texts) and texts[k] != "}":
                    if texts[k] == ",":
                        k += 1
                        continue
                    k = tree(k, segs)
                return k + 1
            elif t == "*":
                out.append((segs, None, True))
                return k + 1
            elif t in (",", "}"):
                return k
            elif _is_ident(t):
                if t == "self" and segs and k > 0 and texts[k - 1] in ("{", ","):
                    # `use a::{self, b}`: `a` itself.
                    alias = segs[-1]
                    if k + 2 < len(texts) and texts[k + 1] == "as":
                        alias = texts[k + 2]
                        k += 2
                    out.append((list(segs), alias, False))
                    return k + 1
                segs.append(t)
                if k + 1 < len(texts) and texts[k + 1] in (",", "}", "as") or k + 1 == len(texts):
                    alias = t
                    if k + 2 < len(texts) and texts[k + 1] == "as":
                        alias = texts[k + 2]
                        k += 2
                    out.append((segs, alias, False))
                    return k + 1
                k += 1
            else:
                k += 1
        return k

    tree(0, [])
    return out


# --------------------------------------------------------------------------- cycles


def strongly_connected(nodes, edges) -> list[list]:
    """Tarjan's algorithm, iterative; components in a stable order."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    comps: list[list] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, {}))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, {})))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                comps.append(sorted(comp))
    return sorted(comps)


def name(path: tuple[str, ...]) -> str:
    return "::".join(path) if path else "crate"


def report(crate_dir: Path, crate: Crate, show_edges: bool, base: Path) -> list[list]:
    edges = crate.edges()
    nodes = sorted(p for p, m in crate.modules.items() if m.file_module == p)
    cycles = [c for c in strongly_connected(nodes, edges) if len(c) > 1]
    rel = os.path.relpath(crate_dir, base)
    n_edges = sum(len(v) for v in edges.values())
    status = f"{len(cycles)} cycle(s)" if cycles else "no cycle"
    print(f"{rel}: {len(nodes)} module files, {n_edges} edges, {status}")
    for k, comp in enumerate(cycles, 1):
        members = set(comp)
        print(f"  cycle {k}: {' <-> '.join(name(p) for p in comp)}")
        for a in comp:
            for b, (file, line, test) in sorted(edges.get(a, {}).items()):
                if b in members:
                    where = os.path.relpath(file, base) if file else "?"
                    only = ", test code only" if test else ""
                    print(f"    {name(a)} -> {name(b)}   ({where}:{line}{only})")
    if show_edges:
        for a in sorted(edges):
            for b, (file, line, test) in sorted(edges[a].items()):
                where = os.path.relpath(file, base) if file else "?"
                only = ", test code only" if test else ""
                print(f"    edge {name(a)} -> {name(b)}   ({where}:{line}{only})")
    return cycles


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("crates", nargs="*", help="crate directories (default: every crate of the workspace)")
    ap.add_argument("--root", default=str(Path(__file__).resolve().parent.parent), help="workspace root")
    ap.add_argument("--edges", action="store_true", help="print every counted edge too")
    ap.add_argument("--no-tests", action="store_true", help="leave out items under #[cfg(test)]")
    args = ap.parse_args(argv)
    root = Path(args.root)
    crates = args.crates or CRATES
    found = 0
    for c in crates:
        d = Path(c) if Path(c).is_absolute() else root / c
        try:
            crate = Crate(d, no_tests=args.no_tests)
        except (FileNotFoundError, NotADirectoryError) as e:
            print(f"module-cycles: {e}", file=sys.stderr)
            return 2
        found += len(report(d, crate, args.edges, root))
    print(f"module-cycles: {found} cycle(s) in {len(crates)} crate(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
