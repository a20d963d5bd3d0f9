"""The build pipeline: cards -> records, enriched by registered stages, handed to the renderer.

A stage is a plain object with ``name``, ``order`` and ``process(records, context)``; it adds its part to each
``CardRecord`` (``facts``, ``runs``, ``bench``, ``findings``) and never reaches into another stage. Stages register
themselves in their own module; ``STAGE_MODULES`` lists the modules to import, in no particular order.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .card import Card, read_card
from .cards_on_disk import iter_card_paths
from .config import Config, load_config

if TYPE_CHECKING:
    from .artifacts.local import ArtifactHandle

# Modules that register stages when imported. Order of execution comes from each stage's ``order``.
STAGE_MODULES: list[str] = [
    "generator.checks.stage",
    "generator.artifacts.stage",
    "generator.execute.stage",
    "generator.bench.stage",
]

MODES = ("off", "frozen", "auto", "force")


@dataclass
class CardRecord:
    """Everything known about one card; the renderer needs nothing else."""

    card: Card
    findings: list[Any] = field(default_factory=list)  # checks.registry.Finding
    facts: dict[str, Any] | None = None  # artifact facts, JSON-able
    runs: dict[str, Any] | None = None  # execution results, JSON-able
    bench: dict[str, Any] | None = None  # benchmark record, JSON-able
    artifact: ArtifactHandle | None = None  # the card's artifact as this build resolved it; never stored

    def __getstate__(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if name != "artifact"}

    @property
    def path(self) -> str:
        return self.card.path

    def to_dict(self) -> dict[str, Any]:
        data = self.card.to_record()
        data["findings"] = [f.to_dict() for f in self.findings]
        data["facts"] = self.facts
        data["runs"] = self.runs
        data["bench"] = self.bench
        return data


@dataclass
class BuildContext:
    config: Config
    mode: str = "frozen"  # off | frozen | auto | force, for execution and benchmarks
    offline: bool = False
    quiet: bool = False
    options: dict[str, Any] = field(default_factory=dict)


class Stage(Protocol):
    name: str
    order: int

    def process(self, records: list[CardRecord], context: BuildContext) -> None: ...


_STAGES: dict[str, Stage] = {}


def register_stage(stage: Stage) -> Stage:
    _STAGES[stage.name] = stage
    return stage


def stages(names: Iterable[str] | None = None) -> list[Stage]:
    for module in STAGE_MODULES:
        importlib.import_module(module)
    wanted = None if names is None else set(names)  # once: a generator of names can be read only once
    chosen = [s for s in _STAGES.values() if wanted is None or s.name in wanted]
    return sorted(chosen, key=lambda s: s.order)


def load_records(paths: Iterable[str | Path], config: Config | None = None) -> list[CardRecord]:
    """The cards under ``paths`` (``config``'s ``[cards]`` globs choose the files in folders)."""
    globs = config.settings.cards.globs() if config is not None else {}
    return [CardRecord(read_card(path)) for path in iter_card_paths(paths, **globs)]


def run_pipeline(paths: Iterable[str | Path], context: BuildContext | None = None,
                 only: Iterable[str] | None = None) -> list[CardRecord]:
    """Parse the cards under ``paths`` and run every registered stage (or those named in ``only``) over them."""
    paths = list(paths)
    context = context or BuildContext(load_config(paths[0] if paths else None))
    records = load_records(paths, context.config)
    for stage in stages(only):
        stage.process(records, context)
    return records
