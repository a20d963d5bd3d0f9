"""``--shard I/N``: a deterministic split of a catalog's cards by artifact, for CI matrices.

Cards that name the same artifact are always in the same shard (one model is loaded and measured by one CI job).
Artifact groups are spread over the shards largest first, each to the shard with the fewest cards so far (ties to
the lowest index), in the order of their keys: every job of a matrix that is given the same cards computes the same
split, and together the N shards hold every card exactly once. Stores are per card, so the shards' results merge by
committing their files.

``run`` and ``bench`` keep only their shard's cards. ``build --shard`` executes and benchmarks only its shard's cards
(``--mode auto`` or ``force``) and renders every card, the others from their stored results (as ``--mode frozen``
would): ``stages.run_pipeline(..., shard=...)``. A shard with nothing to execute (``frozen``, ``off``) is a usage error.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ..card import Card
from ..card.declared import artifact_url
from ..errors import UsageError

if TYPE_CHECKING:
    from ..pipeline import CardRecord

T = TypeVar("T")
R = TypeVar("R", bound="CardRecord")
_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"0/2"`` -> Shard(0, 2). Anything else is an ``argparse.ArgumentTypeError`` (a usage error)."""
        match = _SHARD.fullmatch(text or "")
        if not match:
            raise argparse.ArgumentTypeError(f"--shard takes I/N (the I-th of N shards, counted from 0), not {text!r}")
        index, count = int(match.group(1)), int(match.group(2))
        if count < 1 or index >= count:
            raise argparse.ArgumentTypeError(f"--shard {text}: I must be 0 to N-1 and N at least 1 (e.g. 0/{max(count, 2)})")
        return cls(index, count)

    def select(self, items: Iterable[T], key: Callable[[T], str]) -> list[T]:
        """The items of this shard, in their original order."""
        items = list(items)
        return [item for item, shard in zip(items, assign(items, key, self.count)) if shard == self.index]

    def select_records(self, records: Iterable[R]) -> list[R]:
        """The ``CardRecord``s of this shard, in their original order."""
        return self.select(records, lambda record: artifact_key(record.card))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def require_execution(self, mode: str) -> None:
        """A shard chooses the cards that execute: a UsageError when ``mode`` executes nothing."""
        if mode not in ("auto", "force"):
            raise UsageError(f"--shard {self} chooses which cards execute and benchmark, and mode {mode} executes "
                             f"none; give --mode auto or force to each shard's job, then build the site once "
                             f"without --shard (--mode frozen) from the stored results")


def assign(items: list[T], key: Callable[[T], str], count: int) -> list[int]:
    """The shard of each item: groups of equal keys, biggest first, each to the least loaded shard."""
    groups: dict[str, list[int]] = {}
    for position, item in enumerate(items):
        groups.setdefault(key(item), []).append(position)
    loads = [0] * count
    shards = [0] * len(items)
    for name in sorted(groups, key=lambda name: (-len(groups[name]), name)):
        target = min(range(count), key=lambda i: (loads[i], i))
        loads[target] += len(groups[name])
        for position in groups[name]:
            shards[position] = target
    return shards


def artifact_key(card: Card) -> str:
    """What a card's shard is decided by: its artifact (the Download link, artifact URL or S3 URI; a relative path
    is taken relative to the card), or the card itself when it names none."""
    url = artifact_url(card)
    if not url:
        return "card:" + os.path.normpath(card.path)
    if "://" in url or url.startswith("/"):
        return url.rstrip("/")
    return "file:" + os.path.normpath(os.path.join(os.path.dirname(card.path), url))
