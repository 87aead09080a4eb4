"""The example notebook in examples/python runs and shows what it says it shows."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from conftest import REPO

NOTEBOOK = REPO / "examples" / "python" / "tour.ipynb"


def _text(cell) -> str:
    out = []
    for o in cell.outputs:
        if o.output_type == "stream":
            out.append(o.text)
        elif "data" in o and "text/plain" in o.data:
            out.append(o.data["text/plain"])
    return "".join(out)


def test_tour_notebook():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": NOTEBOOK.parent}}
    ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(o.output_type != "error" for c in code for o in c.outputs)
    out = [_text(c) for c in code]
    text = "\n".join(out)
    # The profile cell ends with the profile itself: the notebook shows its HTML table.
    profile_cell = next(c for c in code if "Profile.load" in c.source)
    html = profile_cell.outputs[-1].data["text/html"]
    assert "<b>gprofops.Profile</b>" in html and "cpu/nanoseconds" in html
    assert "28.61s 96.20% 96.20%     28.61s 96.20%  math/big.addVV" in text  # the top table
    assert "+28.61s  math/big.addVV" in text  # the diff
    plot = next(c for c in code if "plot_flamegraph(cpu" in c.source)
    assert any("image/png" in o.get("data", {}) for o in plot.outputs)  # the flame graph
    assert "heaviest leaf from the samples table: math/big.addVV (28.61s)" in text
    assert "gctrace: 20 cycles" in text
