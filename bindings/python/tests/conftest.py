"""Shared fixtures: where the data is, and the Rust CLI to compare numbers with."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "data"
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
PPROF = CORPUS / "pprof"


def pprof_oracles() -> list[Path]:
    """Every single-input profile oracle of the corpus (the file beside it is the input)."""
    return sorted(
        p for p in PPROF.rglob("*.oracle.json") if (p.parent / p.name[: -len(".oracle.json")]).exists()
    )


def varint(n: int) -> bytes:
    """A protobuf varint, for profiles built by hand in tests."""
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


class Cli:
    """The `gprofops` binary built from this checkout."""

    def __init__(self) -> None:
        target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
        subprocess.run(
            ["cargo", "build", "-q", "--locked", "-p", "gprofops-cli"], cwd=REPO, check=True
        )
        self.exe = target / "debug" / "gprofops"

    def run(self, *args: str | os.PathLike[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.exe, *map(str, args)], capture_output=True, text=True, check=check
        )

    def json(self, *args: str | os.PathLike[str]) -> object:
        return json.loads(self.run(*args).stdout)


@pytest.fixture(scope="session")
def cli() -> Cli:
    return Cli()
