"""Merging many profiles on a Dask cluster, as a tree reduction.

Merge is associative and commutative, so ``n`` profiles are merged in ``log(n)`` rounds
of ``split_every``-way merges, each on a worker; profiles travel between workers pickled
as their protobuf bytes. Paths are read where the task runs, so workers need to see the
files (a shared file system, or the same machine).

Example::

    from distributed import Client, LocalCluster
    import gprofops.dask

    with LocalCluster(n_workers=2, processes=True) as cluster, Client(cluster) as client:
        merged = gprofops.dask.merge_paths(paths, client=client)
    print(merged.top(10))
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import dask.bag as db

from ._native import Profile
from ._native import merge as _merge

__all__ = ["load_bag", "merge_bag", "merge_paths"]

PathLike = str | os.PathLike[str]


def _merge_all(profiles: Iterable[Profile], common_sample_types: bool) -> Profile:
    return _merge(list(profiles), common_sample_types=common_sample_types)


def load_bag(paths: Sequence[PathLike], *, npartitions: int | None = None) -> db.Bag:
    """A ``dask.bag.Bag`` of the profiles at ``paths``, loaded on the workers."""
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise ValueError("load_bag: no paths")
    if npartitions is None:
        npartitions = min(len(paths), 100)
    return db.from_sequence(paths, npartitions=npartitions).map(Profile.load)


def merge_bag(
    bag: db.Bag, *, split_every: int | None = 8, common_sample_types: bool = False
) -> Any:
    """A lazy ``Profile``: the merge of every profile of ``bag`` as a tree reduction
    (``split_every`` partitions merged per task). Call ``.compute()`` on it."""
    return bag.reduction(
        lambda part: _merge_all(part, common_sample_types),
        lambda parts: _merge_all(parts, common_sample_types),
        split_every=split_every,
    )


def merge_paths(
    paths: Sequence[PathLike],
    client: Any = None,
    *,
    split_every: int | None = 8,
    npartitions: int | None = None,
    common_sample_types: bool = False,
) -> Profile:
    """Loads and merges the profiles at ``paths`` on Dask and returns the merged
    ``Profile``.

    ``client`` is a ``distributed.Client`` (``None``: Dask's current scheduler, e.g. the
    default client or the local threaded scheduler). Each partition of paths is loaded and
    merged in one task, then the partial results are merged ``split_every`` at a time.
    Raises what ``merge`` raises (``IncompatibleProfilesError``...) or the load error of
    the first bad file.
    """
    lazy = merge_bag(
        load_bag(paths, npartitions=npartitions),
        split_every=split_every,
        common_sample_types=common_sample_types,
    )
    if client is not None:
        return client.compute(lazy).result()
    return lazy.compute()
