"""The example in examples/python runs and shows what it says it shows."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_tour(tmp_path):
    r = subprocess.run(
        [sys.executable, REPO / "examples" / "python" / "tour.py", tmp_path],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )
    out = r.stdout
    assert "28.61s 96.20% 96.20%     28.61s 96.20%  math/big.addVV" in out  # the top table
    assert "+28.61s  math/big.addVV" in out  # the diff
    assert "heaviest leaf from the samples table: math/big.addVV (28.61s)" in out
    assert "gctrace: 20 cycles" in out
    png = (tmp_path / "flamegraph.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
