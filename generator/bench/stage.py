"""The ``bench`` pipeline stage: a benchmark record on every card record, measured with the runtime of the card's
runtime plan (``record.plan``, made by the execute stage, or here when it did not run).

Modes (``BuildContext.mode``): ``off`` does nothing; ``frozen`` never measures and
reads the stored ``<card>.bench.json`` (flagging it stale when the card or its evaluation set changed since);
``auto`` measures what is missing or stale; ``force`` measures everything. Measured records are written beside
their cards, atomically, as each arrives; cards that cannot be measured here get "not_measured" with the reason, and
no file.

Speed is measured once per model: cards whose measurements agree on ``runner.SPEED_INPUTS`` (the artifact's digest,
runtime, task, settings, versions) form one group, run by the executor (``context.executor``, local by
default, or one Ray actor per group) in one worker; the first card measured in a group (or a current stored record)
times the model, and the others take its speed figures (``speed.shared_from`` names that card) and measure only
their quality, on their own evaluation sets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..artifacts.stage import attach_artifacts
from ..card import Card
from ..config import Config
from ..execute.plan import CardPlan, plan_card
from ..execute.progress import run_progress
from ..execute.runner import version_changes
from ..executors import LocalExecutor
from ..pipeline import BuildContext, CardRecord
from ..records import BenchRecord, BenchStatus, status_of
from .evalset import EvalSetError, display_path, load_eval_set
from .hardware import versions
from .record import BenchSettings, not_measured, refresh_claims
from .runner import Measurement, SandboxProber, Target, complete, prepare, speed_key, target_of
from .store import StoreError, cache_key, read_record, record_path, write_record


def stale_reason(target: Target, stored: dict[str, Any], config: Config) -> str | None:
    """Why a stored record no longer describes the card, judged without fetching the model."""
    if stored.get("card_key") and stored["card_key"] != cache_key(target.card_parts()):
        return f"the card's model, runtime or benchmark entry changed since it was measured on {_day(stored)}"
    old = (stored.get("inputs") or {}).get("versions") or {}
    changed = version_changes(old, {k: v for k, v in versions().items() if k != "modelhub"}) if old else []
    if changed:
        return f"library versions changed since it was measured on {_day(stored)} ({', '.join(changed)})"
    if target.spec is not None and (stored.get("inputs") or {}).get("dataset"):
        try:
            digest = load_eval_set(target.spec, card_path=target.card.path, config=config).digest
        except EvalSetError:
            return None  # the check rules report the unusable set itself
        if digest != stored["inputs"]["dataset"]:
            return f"the evaluation set changed since it was measured on {_day(stored)}"
    return None


def _day(record: dict[str, Any]) -> str:
    return str(record.get("date") or "an unknown date")[:10]


def frozen_record(card: Card, config: Config, settings: BenchSettings | None = None,
                  plan: CardPlan | None = None) -> dict[str, Any]:
    """What frozen mode knows: the reason a card cannot be measured, or the stored record (its claims compared
    with the card as it is now), or that none exists. ``plan``: the card's runtime plan, when made already."""
    target = target_of(card, config, plan)
    if target.reason:
        return not_measured(card, target.reason)
    try:
        stored = read_record(card.path)
    except StoreError as error:
        return not_measured(card, str(error), status=BenchStatus.MISSING)
    if stored is None:
        return not_measured(card, f"no stored benchmark ({record_path(card.path).name}); run `modelhub bench "
                                  "--mode auto` and commit it", status=BenchStatus.MISSING)
    refresh_claims(card, stored, settings or BenchSettings.from_config(config))
    stale = stale_reason(target, stored, config)
    return {**stored, "stale": stale} if stale else stored


def _guarded(card: Card, work) -> dict[str, Any]:
    """One card's record; a defect in modelhub shows on that card instead of stopping the build."""
    try:
        return work(card)
    except Exception as error:  # noqa: BLE001 - reported as a failed measurement (MH708)
        message = f"internal error while benchmarking: {type(error).__name__}: {error}"
        return not_measured(card, message, error=message)


@dataclass
class BenchGroup:
    """The ``Work`` the executors run (``generator.executors``): the cards of one speed key in one sandboxed worker.
    The first card measured times the model; the others reuse its speed figures (``Measurement.shared_speed``) and
    measure only their quality. It pickles, so a Ray actor can run it."""

    config: Config
    settings: BenchSettings

    def run_group(self, jobs: list[Measurement]) -> Iterator[dict[str, Any]]:
        prober = SandboxProber(self.config, self.settings)
        shared = jobs[0].shared_speed if jobs else None
        try:
            for job in jobs:
                job.shared_speed = shared
                record = _guarded(job.target.card, lambda card: complete(job, self.settings, prober))
                if shared is None and status_of(record, BenchStatus) is BenchStatus.MEASURED:
                    shared = (display_path(job.target.card.path, self.config), record["speed"])
                yield record
        finally:
            prober.close()

    def lost(self, job: Measurement, reason: str) -> dict[str, Any]:
        return not_measured(job.target.card, f"measurement failed: {reason}", card_key=job.card_key, key=job.key,
                            error=reason)


class BenchStage:
    name = "bench"
    reads = ("card", "artifact", "location", "plan")
    writes = ("bench", "artifact", "location", "plan")  # the handle and the plan, when no earlier stage made them

    def __init__(self, settings: BenchSettings | None = None) -> None:
        self.settings = settings  # None: the configuration's [bench] table

    def process(self, records: list[CardRecord], context: BuildContext) -> None:
        mode = context.mode
        if mode == "off" or not records:
            return
        config = context.config
        settings = self.settings or BenchSettings.from_config(config)
        reasons: dict[str, str | None] = {}  # runtime -> why it cannot run here, asked once
        for record in records:
            if record.plan is None:
                record.plan = plan_card(record.card, config.settings.execute, reasons, config.settings.mirrors)
        if mode == "frozen":
            for record in records:
                record.bench = BenchRecord.from_json(_guarded(record.card, lambda card: frozen_record(
                    card, config, settings, record.plan)))
            return
        attach_artifacts(records, config, context.offline or None)
        executor = context.executor or LocalExecutor()
        with run_progress(enabled=not context.quiet, label="bench") as (on_start, on_card):
            on_start(len(records))
            stored: dict[str, tuple[dict[str, Any] | None, Any]] = {}  # path -> (stored record, its claims)
            speeds: dict[str, tuple[str, dict[str, Any]]] = {}  # speed key -> a current record's speed figures
            groups: dict[str, list[Measurement]] = {}
            owners: dict[str, CardRecord] = {}  # card path -> its record
            for record in sorted(records, key=lambda r: r.path):
                before = self._stored(record.card)
                stored[record.path] = (before, (before or {}).get("claims"))  # claims before they are refreshed
                result = _guarded(record.card, lambda card: prepare(
                    target_of(card, config, record.plan), config, settings, stored=before, reuse=(mode == "auto"),
                    offline=context.offline or None, artifact=record.artifact))
                if isinstance(result, Measurement):
                    groups.setdefault(result.speed_key, []).append(result)
                    owners[record.path] = record
                    continue
                measured = status_of(result, BenchStatus) is BenchStatus.MEASURED
                if measured and result.get("inputs") and not result["speed"].get("shared_from"):
                    speeds.setdefault(speed_key(result["inputs"]), (display_path(record.path, config),
                                                                    result["speed"]))
                self._finish(record, result, stored[record.path], config, on_card)
            for key, jobs in groups.items():
                for job in jobs:
                    job.shared_speed = speeds.get(key)
            work = BenchGroup(config, settings)
            for job, result in executor.map_groups(work, [groups[key] for key in sorted(groups)]):
                record = owners[job.target.card.path]
                self._finish(record, result, stored[record.path], config, on_card)

    @staticmethod
    def _stored(card: Card) -> dict[str, Any] | None:
        try:
            return read_record(card.path)
        except StoreError:
            return None  # unreadable: measured again and replaced

    @staticmethod
    def _finish(record: CardRecord, result: dict[str, Any], stored: tuple[dict[str, Any] | None, Any],
                config: Config, on_card) -> None:
        """Put the result on the record; store it when it is a new measurement or its claims changed."""
        changed = result is not stored[0] or result.get("claims") != stored[1]
        measured = status_of(result, BenchStatus) is BenchStatus.MEASURED
        if changed and measured:
            result["card"] = display_path(record.path, config)
            write_record(record.path, result)
        record.bench = BenchRecord.from_json(result)
        on_card(record.path, result)

