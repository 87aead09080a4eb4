"""Zero-copy input is checked, not assumed: the profile borrows the caller's buffer."""

from __future__ import annotations

import gc
import sys

import psutil

import gprofops
from conftest import varint

MB = 1 << 20


def _profile_with_comment(size: int) -> bytes:
    """profile.proto bytes whose string table holds one `size`-byte comment."""
    big = b"x" * size
    return b"\x32\x00" + b"\x32" + varint(len(big)) + big + b"\x68\x01"


def test_bytes_are_borrowed_and_kept_alive():
    data = _profile_with_comment(1000)
    before = sys.getrefcount(data)
    p = gprofops.Profile.load(data)
    assert sys.getrefcount(data) == before + 1  # the profile holds the buffer export
    assert p.buffer_size == len(data)
    del data
    gc.collect()
    assert p.comments == ["x" * 1000]  # still readable: the bytes object lives on in p


def test_memoryview_slices_are_borrowed():
    data = b"junk" + _profile_with_comment(100)
    view = memoryview(data)[4:]
    p = gprofops.Profile.load(view)
    assert p.buffer_size == len(data) - 4
    del view, data  # the profile's buffer export keeps the slice and its bytes alive
    gc.collect()
    junk = [bytes([i]) * 200 for i in range(256)]  # reuse freed memory, if any was freed
    assert p.comments == ["x" * 100]
    assert junk


def test_mutable_buffers_are_copied():
    data = bytearray(_profile_with_comment(100))
    p = gprofops.Profile.load(data)
    data[-110:-10] = b"y" * 100  # mutating the caller's buffer does not change the profile
    assert p.comments == ["x" * 100]


def test_loading_a_large_bytes_object_does_not_copy_it():
    size = 256 * MB
    data = _profile_with_comment(size)
    proc = psutil.Process()
    gc.collect()
    rss = proc.memory_info().rss
    p = gprofops.Profile.load(data)
    grown = proc.memory_info().rss - rss
    assert grown < 16 * MB, f"RSS grew by {grown / MB:.1f} MB loading {size / MB:.0f} MB"
    assert p.buffer_size == len(data)
    copied = gprofops.Profile.load(bytearray(data))  # the copying path, for contrast
    assert proc.memory_info().rss - rss >= size // 2
    del copied


def test_paths_are_memory_mapped(tmp_path):
    path = tmp_path / "big.pb"
    data = _profile_with_comment(256 * MB)
    path.write_bytes(data)
    size = len(data)
    del data
    proc = psutil.Process()
    gc.collect()
    rss = proc.memory_info().rss
    p = gprofops.Profile.load(path)
    assert proc.memory_info().rss - rss < 16 * MB
    assert p.buffer_size == size
