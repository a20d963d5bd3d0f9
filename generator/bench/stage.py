"""The ``bench`` pipeline stage (order 30): a benchmark record on every card record.

Modes (``BuildContext.mode``, or ``options["bench_mode"]``): ``off`` does nothing; ``frozen`` never measures and
reads the stored ``<card>.bench.json`` (flagging it stale when the card or its evaluation set changed since);
``auto`` measures what is missing or stale; ``force`` measures everything. Measured records are written beside
their cards, atomically; cards that cannot be measured here get "not_measured" with the reason, and no file.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..card import Card
from ..config import Config
from ..pipeline import BuildContext, CardRecord, register_stage
from .evalset import EvalSetError, display_path, load_eval_set
from .hardware import versions
from .record import BenchSettings, not_measured, refresh_claims
from .runner import Plan, SandboxProber, measure, plan_card
from .store import StoreError, cache_key, read_record, record_path, write_record


def stale_reason(plan: Plan, stored: dict[str, Any], config: Config) -> str | None:
    """Why a stored record no longer describes the card, judged without fetching the model."""
    if stored.get("card_key") and stored["card_key"] != cache_key(plan.card_parts()):
        return f"the card's model, runtime or benchmark entry changed since it was measured on {_day(stored)}"
    old = (stored.get("inputs") or {}).get("versions") or {}
    new = {k: v for k, v in versions().items() if k != "modelhub"}
    changed = [f"{name} {old.get(name, '-')} -> {new.get(name, '-')}" for name in sorted(set(old) | set(new))
               if old and old.get(name) != new.get(name)]
    if changed:
        return f"library versions changed since it was measured on {_day(stored)} ({', '.join(changed)})"
    if plan.spec is not None and (stored.get("inputs") or {}).get("dataset"):
        try:
            digest = load_eval_set(plan.spec, card_path=plan.card.path, config=config).digest
        except EvalSetError:
            return None  # the check rules report the unusable set itself
        if digest != stored["inputs"]["dataset"]:
            return f"the evaluation set changed since it was measured on {_day(stored)}"
    return None


def _day(record: dict[str, Any]) -> str:
    return str(record.get("date") or "an unknown date")[:10]


def frozen_record(card: Card, config: Config, settings: BenchSettings | None = None) -> dict[str, Any]:
    """What frozen mode knows: the reason a card cannot be measured, or the stored record (its claims compared
    with the card as it is now), or that none exists."""
    plan = plan_card(card, config)
    if plan.reason:
        return not_measured(card, plan.reason)
    try:
        stored = read_record(card.path)
    except StoreError as error:
        return not_measured(card, str(error), status="missing")
    if stored is None:
        return not_measured(card, f"no stored benchmark ({record_path(card.path).name}); run `modelhub bench "
                                  "--mode auto` and commit it", status="missing")
    refresh_claims(card, stored, settings or BenchSettings.from_config(config))
    stale = stale_reason(plan, stored, config)
    return {**stored, "stale": stale} if stale else stored


def _guarded(card: Card, work) -> dict[str, Any]:
    """One card's record; a defect in modelhub shows on that card instead of stopping the build."""
    try:
        return work(card)
    except Exception as error:  # noqa: BLE001 - reported as a failed measurement (MH708)
        message = f"internal error while benchmarking: {type(error).__name__}: {error}"
        return not_measured(card, message, error=message)


class BenchStage:
    name = "bench"
    order = 30

    def process(self, records: list[CardRecord], context: BuildContext) -> None:
        mode = context.options.get("bench_mode") or context.mode
        if mode == "off" or not records:
            return
        config = context.config
        settings = BenchSettings.from_config(config, **(context.options.get("bench_settings") or {}))
        if mode == "frozen":
            for record in records:
                record.bench = _guarded(record.card, lambda card: frozen_record(card, config, settings))
            return
        prober = SandboxProber(config, settings)
        console = Console(stderr=True)
        try:
            with Progress(TextColumn("[bold]bench[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console, transient=True,
                          disable=context.quiet) as progress:
                task = progress.add_task("", total=len(records))
                # cards that share a model follow each other, so they share one warm worker
                for record in sorted(records, key=lambda r: (r.card.runtime or "", str(r.card.download_url))):
                    progress.update(task, description=record.card.stem)
                    record.bench = _guarded(record.card, lambda card: self._measure(
                        card, config, settings, prober, mode, context,
                        lambda text: progress.update(task, description=text)))
                    progress.advance(task)
        finally:
            prober.close()

    @staticmethod
    def _measure(card: Card, config: Config, settings: BenchSettings, prober: SandboxProber, mode: str,
                 context: BuildContext, progress) -> dict[str, Any]:
        plan = plan_card(card, config)
        try:
            stored = read_record(card.path)
        except StoreError:
            stored = None  # unreadable: measured again and replaced
        claims_before = (stored or {}).get("claims")
        result = measure(plan, config, settings, prober, stored=stored, reuse=(mode == "auto"),
                         offline=context.offline or None, progress=progress)
        changed = result is not stored or result.get("claims") != claims_before
        if changed and result.get("status") == "measured" and context.options.get("bench_store", True):
            result["card"] = display_path(card.path, config)
            write_record(card.path, result)
        return result


register_stage(BenchStage())
