"""Executors: where the groups of work of ``run`` and ``bench`` execute. The sandbox is not theirs: they only
decide which process runs a group, and stream the results back.

    executor = make_executor("ray", address="ray://head:10001")   # or LocalExecutor(), the default
    for item, result in executor.map_groups(work, groups):        # results as they finish, any order
        ...
    executor.close()

A *group* is a list of items that share one warm model (one artifact). ``work`` is a picklable ``Work``: its
``run_group(items)`` yields one result per item, in order, in whatever process the executor chose; ``lost(item,
reason)`` is the result for an item whose process died too often to finish it. ``LocalExecutor`` runs the groups
one after the other in this process; ``RayExecutor`` (``generator.executors.ray_cluster``) runs one Ray actor per
group at a time on a cluster and retries what a lost actor had not finished. ``shard`` splits a catalog by artifact
for CI matrices.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from ..errors import UsageError

EXECUTORS = ("local", "ray")


class ExecutorUnavailable(UsageError, RuntimeError):
    """The executor cannot be used here (a usage error: exit 2); the message says how to make it usable."""


class Work(Protocol):
    """What an executor runs. Must pickle (a Ray actor receives it)."""

    def run_group(self, items: list[Any]) -> Iterator[Any]:
        """One result per item, in the items' order; a warm model is shared by the whole group."""
        ...

    def lost(self, item: Any, reason: str) -> Any:
        """The result for an item that could not be finished because its process kept dying."""
        ...


class GroupExecutor(Protocol):
    name: str

    def map_groups(self, work: Work, groups: Sequence[Sequence[Any]]) -> Iterator[tuple[Any, Any]]:
        """``(item, result)`` for every item of every group, as each finishes."""
        ...

    def close(self) -> None: ...


class LocalExecutor:
    """The default: every group in this process, one after the other."""

    name = "local"

    def map_groups(self, work: Work, groups: Sequence[Sequence[Any]]) -> Iterator[tuple[Any, Any]]:
        for group in groups:
            items = list(group)
            yield from zip(items, work.run_group(items), strict=True)

    def close(self) -> None:
        pass


def make_executor(name: str = "local", address: str | None = None) -> GroupExecutor:
    """The executor ``--executor NAME [--address ...]`` asks for; ExecutorUnavailable when it cannot be had."""
    if name == "local":
        if address:
            raise ExecutorUnavailable("--address is for --executor ray; the local executor has no cluster")
        return LocalExecutor()
    if name == "ray":
        from .ray_cluster import RayExecutor

        return RayExecutor(address=address)
    raise ExecutorUnavailable(f"unknown executor {name!r}; use one of {', '.join(EXECUTORS)}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--executor``, ``--address`` and ``--shard``, the same on ``run``, ``bench`` and ``build``."""
    from .shard import Shard

    parser.add_argument("--executor", choices=EXECUTORS, default="local",
                        help="where examples and benchmarks execute: local (default) or ray (a Ray cluster; "
                             "needs pip install 'modelhub[ray]')")
    parser.add_argument("--address", metavar="ADDRESS",
                        help="the Ray cluster to use (e.g. ray://head:10001 or auto); default: RAY_ADDRESS, "
                             "else a local Ray instance")
    parser.add_argument("--shard", type=Shard.parse, metavar="I/N",
                        help="execute only the I-th of N shards (0 <= I < N); cards that share an artifact are in "
                             "the same shard, so a CI matrix runs each model once")
