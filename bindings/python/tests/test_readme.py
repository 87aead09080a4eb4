"""The README's Python snippet runs as written (from a directory holding `examples/`)."""

from __future__ import annotations

import os
import re

from conftest import REPO


def test_readme_python_snippet_runs(tmp_path, monkeypatch):
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Python") : readme.index("## Node.js")]
    (snippet,) = re.findall(r"```python\n(.*?)```", section, re.S)
    os.symlink(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    exec(compile(snippet, "README.md (Python)", "exec"), {})
    assert (tmp_path / "cpu-copy.pb.gz").exists()
    assert (tmp_path / "annotations.json").exists()
