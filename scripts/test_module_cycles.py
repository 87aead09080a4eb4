"""Tests of scripts/module-cycles.py on tiny crate trees written to a temporary directory.

    python3 -m unittest discover -s scripts -p 'test_module_cycles.py'
"""

import contextlib
import importlib.util
import io
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "module_cycles", Path(__file__).resolve().parent / "module-cycles.py"
)
mc = importlib.util.module_from_spec(_spec)
sys.modules["module_cycles"] = mc  # dataclasses look their module up
_spec.loader.exec_module(mc)


class CrateTree:
    """A crate written from {relative path: source}."""

    def __init__(self, files: dict[str, str]):
        self._tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self._tmp.name) / "demo"
        for rel, src in files.items():
            p = self.dir / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(textwrap.dedent(src))

    def edges(self, **kw) -> set[tuple[str, str]]:
        crate = mc.Crate(self.dir, **kw)
        return {(mc.name(a), mc.name(b)) for a, tos in crate.edges().items() for b in tos}

    def cycles(self, **kw) -> list[list[str]]:
        crate = mc.Crate(self.dir, **kw)
        nodes = sorted(p for p, m in crate.modules.items() if m.file_module == p)
        comps = mc.strongly_connected(nodes, crate.edges())
        return [[mc.name(p) for p in c] for c in comps if len(c) > 1]

    def main(self, *args) -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = mc.main(["--root", str(self.dir.parent), "demo", *args])
        return code, out.getvalue()

    def close(self):
        self._tmp.cleanup()


class ModuleCycles(unittest.TestCase):
    def tree(self, files):
        t = CrateTree(files)
        self.addCleanup(t.close)
        return t

    def test_siblings_importing_each_other_are_a_cycle(self):
        t = self.tree(
            {
                "src/lib.rs": "mod input;\nmod gzip_stream;\npub use input::Options;\n",
                "src/input.rs": "pub struct Options;\nfn f() { crate::gzip_stream::decode(); }\n",
                "src/gzip_stream.rs": "use crate::input::Options;\npub fn decode() {}\n",
            }
        )
        self.assertEqual(t.cycles(), [["gzip_stream", "input"]])
        code, out = t.main()
        self.assertEqual(code, 1)
        self.assertIn("cycle 1: gzip_stream <-> input", out)
        self.assertIn("input -> gzip_stream   (demo/src/input.rs:2)", out)
        self.assertIn("gzip_stream -> input   (demo/src/gzip_stream.rs:1)", out)

    def test_child_using_its_parent_is_not_a_cycle(self):
        t = self.tree(
            {
                "src/lib.rs": "mod a;\npub struct Root;\n",
                "src/a/mod.rs": "mod b;\nuse self::b::Thing;\npub struct Parent;\n",
                "src/a/b.rs": "use super::Parent;\nuse crate::Root;\npub struct Thing;\n",
            }
        )
        # `mod a;` declares, it does not import; only a -> a::b (a use) is an edge.
        self.assertEqual(t.edges(), {("a", "a::b")})
        self.assertEqual(t.cycles(), [])
        self.assertEqual(t.main()[0], 0)

    def test_cousins_in_nested_files_grouped_uses_and_reexports(self):
        # x::y -> z (grouped use through a re-export at the root), z -> x::y (mod.rs dir).
        t = self.tree(
            {
                "src/lib.rs": "mod x;\nmod z;\npub use z::Zed;\n",
                "src/x/mod.rs": "pub mod y;\n",
                "src/x/y.rs": "use crate::{Zed, x::y as _me};\npub fn why() {}\n",
                "src/z.rs": "pub struct Zed;\nfn g() { let _ = crate::x::y::why(); }\n",
            }
        )
        self.assertIn(("x::y", "z"), t.edges())
        self.assertIn(("z", "x::y"), t.edges())
        self.assertEqual(t.cycles(), [["x::y", "z"]])

    def test_comments_strings_and_doc_links_are_not_imports(self):
        t = self.tree(
            {
                "src/lib.rs": "mod a;\nmod b;\n",
                "src/a.rs": textwrap.dedent(
                    """\
                    //! See [`crate::b::B`].
                    /// Like [`crate::b::B`].
                    pub struct A; // crate::b::B
                    /* crate::b::B /* nested */ crate::b::B */
                    const S: &str = "crate::b::B";
                    const R: &str = r#"crate::b::B "quoted""#;
                    const C: char = '"';
                    fn f<'a>(x: &'a str) -> &'a str { x }
                    """
                ),
                "src/b.rs": "use crate::a::A;\npub struct B;\n",
            }
        )
        self.assertEqual(t.edges(), {("b", "a")})
        self.assertEqual(t.cycles(), [])

    def test_super_in_an_inline_test_module_is_its_file(self):
        t = self.tree(
            {
                "src/lib.rs": "mod a;\nmod b;\n",
                "src/a.rs": "pub fn f() {}\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::b::g;\n}\n",
                "src/b.rs": "pub fn g() { super::a::f() }\n",
            }
        )
        self.assertEqual(t.edges(), {("a", "b"), ("b", "a")})
        code, out = t.main()
        self.assertEqual(code, 1)
        self.assertIn("a -> b   (demo/src/a.rs:5, test code only)", out)
        # Without test code, no cycle.
        self.assertEqual(t.edges(no_tests=True), {("b", "a")})
        self.assertEqual(t.main("--no-tests")[0], 0)

    def test_three_module_cycle_and_module_aliases_in_code(self):
        t = self.tree(
            {
                "src/main.rs": "mod p;\nmod q;\nmod r;\nfn main() {}\n",
                "src/p.rs": "use crate::q;\nfn f() { q::g(); }\n",
                "src/q.rs": "pub fn g() { crate::r::h() }\n",
                "src/r.rs": "use crate::p as pp;\npub fn h() {}\n",
            }
        )
        self.assertEqual(t.cycles(), [["p", "q", "r"]])

    def test_missing_crate_is_a_usage_error(self):
        t = self.tree({"Cargo.toml": ""})
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(t.main()[0], 2)


if __name__ == "__main__":
    unittest.main()
