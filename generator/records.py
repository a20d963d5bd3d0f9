"""The status words of the records the stages hand each other, as enums.

The artifacts stage's facts, the execute stage's run and the bench stage's record each carry a ``status``. The
enums are ``StrEnum``: a member is the very string written in results files, per-model JSON and ``models.json``
(``json.dumps(RunStatus.NOT_EXECUTED) == '"not_executed"'``), so records keep their JSON byte for byte while every
reader compares with a member instead of spelling the word (and its default) itself.

    if status_of(run, RunStatus) is RunStatus.FAILED: ...
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar


class ArtifactStatus(StrEnum):
    """What the artifacts stage could learn of a card's artifact."""

    OK = "ok"
    ERROR = "error"  # it could not be read as declared: ``error_kind`` says why
    NOT_CHECKED = "not-checked"  # nothing was read (offline with no mirror or cached copy)


class RunStatus(StrEnum):
    """What the execute stage knows of a card's example."""

    OK = "ok"
    FAILED = "failed"
    NOT_EXECUTED = "not_executed"  # it cannot run here: ``reason`` says why
    STALE = "stale"  # stored results that no longer fit the card
    MISSING = "missing"  # no stored results (frozen mode)


class BenchStatus(StrEnum):
    """What the bench stage knows of a card's model."""

    MEASURED = "measured"
    NOT_MEASURED = "not_measured"  # it cannot be measured here, or the measurement failed: ``reason`` says why
    MISSING = "missing"  # no stored measurement (frozen mode)


S = TypeVar("S", ArtifactStatus, RunStatus, BenchStatus)


def status_of(record: Mapping[str, Any] | None, kind: type[S]) -> S | None:
    """The ``status`` of a stage's record as a member of ``kind``; None when there is no record, no status, or a
    word ``kind`` does not know (a hand-edited results file)."""
    if not record or record.get("status") is None:
        return None
    try:
        return kind(record["status"])
    except ValueError:
        return None
