"""The pipeline's vocabulary: the record of one card, the build's context, and what a stage is.

A build reads the cards (the ``card`` stage, ``CardStage``) and hands the list of ``CardRecord``s to each stage in
turn: card -> artifacts -> execute -> bench -> check; the renderer reads the finished records. A stage is an object
with a ``name``, the ``reads`` and ``writes`` it declares (``CardRecord`` fields) and ``process(records, context)``;
it fills its own field on each record from the card and the fields of earlier stages, and imports nothing of a later
one. The fields are typed records (``generator.records``: ``ArtifactRecord``, ``RunRecord``, ``BenchRecord``; the
check stage's ``Finding``s); JSON appears only where a record is stored or rendered (``CardRecord.to_dict``). The
ordered list of stage objects is built in one place, ``generator.stages``; ``run_stages`` is the one way to run a
selection of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .card import Card, read_card
from .cards_on_disk import iter_card_paths
from .config import Config
from .records import ArtifactRecord, BenchRecord, RunRecord, to_json

if TYPE_CHECKING:
    from .artifacts.local import ArtifactHandle
    from .artifacts.resolve import Location, ResolveError
    from .execute.plan import CardPlan
    from .checks.registry import Finding
    from .executors import GroupExecutor

MODES = ("off", "frozen", "auto", "force")
TRANSIENT = ("artifact", "location", "plan")  # CardRecord fields that live for one build in one process


@dataclass
class CardRecord:
    """Everything known about one card; the renderer needs nothing else."""

    card: Card
    findings: list[Finding] = field(default_factory=list)
    facts: ArtifactRecord | None = None  # the artifacts stage's
    runs: RunRecord | None = None  # the execute stage's
    bench: BenchRecord | None = None  # the bench stage's
    artifact: ArtifactHandle | None = None  # the card's artifact as this build resolved it; never stored
    location: Location | ResolveError | None = None  # where the artifact lives (``artifact.resolution()``)
    plan: CardPlan | None = None  # the card's runtime plan, made once for execute and bench; never stored

    def __getstate__(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if name not in TRANSIENT}

    @property
    def path(self) -> str:
        return self.card.path

    def to_dict(self) -> dict[str, Any]:
        data = self.card.to_record()
        data["findings"] = [f.to_dict() for f in self.findings]
        data["facts"] = to_json(self.facts)
        data["runs"] = to_json(self.runs)
        data["bench"] = to_json(self.bench)
        return data


@dataclass
class BuildContext:
    """What every stage of one run shares."""

    config: Config
    mode: str = "frozen"  # off | frozen | auto | force, for execution and benchmarks
    offline: bool = False
    quiet: bool = False
    executor: GroupExecutor | None = None  # where execution and benchmarks run (generator.executors); local if None


class Stage(Protocol):
    name: str
    reads: tuple[str, ...]  # CardRecord fields the stage reads (the card, and fields earlier stages write)
    writes: tuple[str, ...]  # CardRecord fields the stage fills

    def process(self, records: list[CardRecord], context: BuildContext) -> None: ...


class CardStage:
    """The first stage: the card files under the paths, parsed once, one record each."""

    name = "card"
    reads: tuple[str, ...] = ()
    writes = ("card",)

    def load(self, paths: Iterable[str | Path], config: Config | None = None) -> list[CardRecord]:
        """The cards under ``paths`` (``config``'s ``[cards]`` globs choose the files in folders)."""
        globs = config.settings.cards.globs() if config is not None else {}
        return [CardRecord(read_card(path)) for path in iter_card_paths(paths, **globs)]


def load_records(paths: Iterable[str | Path], config: Config | None = None) -> list[CardRecord]:
    """The ``card`` stage on its own."""
    return CardStage().load(paths, config)


def run_stages(records: list[CardRecord], context: BuildContext, stages: Sequence[Stage]) -> list[CardRecord]:
    """Each of ``stages``, in the order given, over ``records``; returns ``records``."""
    for stage in stages:
        stage.process(records, context)
    return records
