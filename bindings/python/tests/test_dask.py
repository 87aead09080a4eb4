"""gprofops.dask: tree-reduction merges on a LocalCluster with two worker processes."""

from __future__ import annotations

import pickle

import pytest
from distributed import Client, LocalCluster

import gprofops
import gprofops.dask
from conftest import EXAMPLES


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> list:
    """40 different CPU profiles: the example scaled and filtered in various ways."""
    d = tmp_path_factory.mktemp("fleet")
    cpu = gprofops.Profile.load(EXAMPLES / "cpu.pb.gz")
    variants = [cpu, cpu.focus("fib"), cpu.ignore("fib"), cpu.hide("runtime")]
    out = []
    for i in range(40):
        p = variants[i % 4].scale(1 + i // 4)
        path = d / f"cpu-{i:02}.pb.gz"
        p.save(path)
        out.append(path)
    return out


def _content(p: gprofops.Profile) -> tuple:
    return p.totals, sorted(p.folded())


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def test_merge_paths_on_two_worker_processes(paths, client):
    want = gprofops.merge([gprofops.Profile.load(p) for p in paths])
    got = gprofops.dask.merge_paths(paths, client=client, split_every=3, npartitions=8)
    assert isinstance(got, gprofops.Profile)
    assert _content(got) == _content(want)
    assert got.top(10).rows == want.top(10).rows
    assert len(client.scheduler_info()["workers"]) == 2


def test_bag_helpers_with_the_local_scheduler(paths):
    want = gprofops.merge([gprofops.Profile.load(p) for p in paths[:10]])
    lazy = gprofops.dask.merge_bag(gprofops.dask.load_bag(paths[:10], npartitions=5), split_every=2)
    assert _content(lazy.compute(scheduler="sync")) == _content(want)
    assert _content(gprofops.dask.merge_paths(paths[:10])) == _content(want)


def test_errors_travel_back(paths, client, tmp_path):
    bad = tmp_path / "bad.pb.gz"
    bad.write_bytes(b"\x1f\x8b\x08garbage")
    with pytest.raises(gprofops.GzipError):
        gprofops.dask.merge_paths([*paths[:3], bad], client=client)
    heap = tmp_path / "heap.pb.gz"
    heap.write_bytes((EXAMPLES / "heap.pb.gz").read_bytes())
    with pytest.raises(gprofops.IncompatibleProfilesError):
        gprofops.dask.merge_paths([*paths[:3], heap], client=client)
    with pytest.raises(ValueError, match="no paths"):
        gprofops.dask.merge_paths([])


def test_profiles_pickle_small():
    cpu = gprofops.Profile.load(EXAMPLES / "cpu.pb.gz")
    assert len(pickle.dumps(cpu)) < len(cpu.to_bytes()) + 200
