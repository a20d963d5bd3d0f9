"""The pipeline, composed in one place: the ordered list of stage objects every command and the site build run.

card -> artifacts -> execute -> bench -> check, then the renderer reads the records. Each stage reads the card and
the fields of the stages before it (``Stage.reads``/``writes``; a test holds the order to it). Nothing registers
itself: a caller that wants other stages, rules or runtimes builds its own list of objects and passes it in, the way
``default_stages`` builds this one. ``run_pipeline`` is the one entry: ``check`` (``["check"]``), ``check
--artifacts`` (``["artifacts", "check"]``), ``bench``'s claims and the site build all choose their stages by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .artifacts.stage import ArtifactsStage
from .bench.record import BenchSettings
from .bench.stage import BenchStage
from .checks import RuleSelection
from .checks.registry import RuleSet
from .checks.stage import CheckStage
from .config import load_config
from .execute.kerashub import registry_facts
from .execute.stage import ExecuteStage
from .pipeline import BuildContext, CardRecord, CardStage, Stage, run_stages

if TYPE_CHECKING:
    from .executors.shard import Shard

ORDER = ("card", "artifacts", "execute", "bench", "check")


def default_stages(only: Iterable[str] | None = None, *, rules: RuleSet | None = None,
                   selection: RuleSelection | None = None, bench: BenchSettings | None = None) -> list[Stage]:
    """The stages after ``card``, in order; ``only`` keeps those it names (in the pipeline's order, whatever the
    order of the names). ``rules``/``selection`` configure the check stage, ``bench`` the bench stage."""
    stages: list[Stage] = [ArtifactsStage(presets=registry_facts), ExecuteStage(), BenchStage(bench),
                           CheckStage(rules, selection)]
    if only is None:
        return stages
    wanted = set(only)  # once: a generator of names can be read only once
    unknown = wanted - set(ORDER)
    if unknown:
        raise ValueError(f"unknown stage(s) {', '.join(sorted(unknown))}; the stages are {', '.join(ORDER)}")
    return [stage for stage in stages if stage.name in wanted]


def run_pipeline(paths: Iterable[str | Path], context: BuildContext | None = None,
                 stages: Sequence[Stage] | None = None, only: Iterable[str] | None = None,
                 shard: Shard | None = None) -> list[CardRecord]:
    """Parse the cards under ``paths`` once (the ``card`` stage) and run ``stages`` over them (default: the
    default stages, or those named in ``only``). With ``shard``, only that shard's cards execute and benchmark
    (see ``run_sharded``)."""
    paths = list(paths)
    context = context or BuildContext(load_config(paths[0] if paths else None))
    records = CardStage().load(paths, context.config)
    stages = default_stages(only) if stages is None else stages
    if shard is None:
        return run_stages(records, context, stages)
    return run_sharded(records, context, stages, shard)


def run_sharded(records: list[CardRecord], context: BuildContext, stages: Sequence[Stage],
                shard: Shard) -> list[CardRecord]:
    """``stages`` over ``records``, where the stages that execute (they write ``runs`` or ``bench``) run in
    ``context.mode`` over ``shard``'s cards and read the stored results of the others (the frozen mode); the other
    stages see every record. Returns ``records``."""
    mine = {id(record) for record in shard.select_records(records)}
    parts = [([r for r in records if id(r) in mine], context),
             ([r for r in records if id(r) not in mine], replace(context, mode="frozen"))]
    for stage in stages:
        if {"runs", "bench"} & set(stage.writes):
            for part, part_context in parts:
                stage.process(part, part_context)
        else:
            stage.process(records, context)
    return records
