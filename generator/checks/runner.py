"""Check cards on disk, across processes when there are many: each worker parses and checks its share, the parent
adds the catalog-wide findings (duplicate models) from the small identity records the workers send back.

With earlier pipeline stages (``check --artifacts`` passes the artifacts stage), the cards are parsed once here, the
stages run over them, and each card is checked once with what they found."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..card import parse_card
from ..config import Config
from ..pipeline import BuildContext, CardStage, Stage, run_stages
from ..vocab import DEFAULT, Vocabulary
from . import CheckContext, RuleSelection, _is_suppressed, check_card, suppressed_codes
from .catalog import Identity, duplicate_findings, identity_index, identity_of
from .registry import Finding

PARALLEL_THRESHOLD = 400  # below this many cards, a process pool costs more than it saves
_PROCESS_CACHE: dict = {}  # per-process memo shared by the cards one process checks (rule lists)


@dataclass
class CheckedCard:
    path: str
    findings: list[Finding]
    identity: Identity
    suppressed: tuple[str, ...]


def _check_source(path: str, source: bytes | None, selection: RuleSelection, words: Vocabulary) -> CheckedCard:
    from ..card import read_card

    card = read_card(path) if source is None else parse_card(source, path)
    findings = check_card(card, CheckContext(selection=selection, cache=_PROCESS_CACHE, vocabulary=words))
    return CheckedCard(path, findings, identity_of(card), suppressed_codes(card))


def _check_batch(paths: list[str], selection: RuleSelection, words: Vocabulary) -> list[CheckedCard]:
    return [_check_source(path, None, selection, words) for path in paths]


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def check_paths(paths: Iterable[str | Path], config: Config | None = None, selection: RuleSelection | None = None,
                jobs: int | None = None, progress: Callable[[int], None] | None = None, *,
                stages: Sequence[Stage] = (), context: BuildContext | None = None) -> list[CheckedCard]:
    """Parse and check every card file, in order; ``jobs`` > 1 spreads the work over processes. ``stages`` run
    first (in this process, with ``context``), and the rules see the records they filled."""
    selection = selection or RuleSelection.from_config(config)
    words = Vocabulary.from_config(config) if config is not None else DEFAULT
    names = [str(p) for p in paths]
    jobs = default_jobs() if jobs is None else max(1, jobs)
    checked: list[CheckedCard] = []
    if stages:
        records = run_stages(CardStage().load(names), context or BuildContext(config), stages)
        for record in records:
            context_ = CheckContext(selection=selection, cache=_PROCESS_CACHE, vocabulary=words, facts=record.facts,
                                    runs=record.runs, bench=record.bench, location=record.location)
            checked.append(CheckedCard(record.path, check_card(record.card, context_), identity_of(record.card),
                                       suppressed_codes(record.card)))
            if progress:
                progress(1)
    elif jobs == 1 or len(names) < PARALLEL_THRESHOLD:
        for path in names:
            checked.append(_check_source(path, None, selection, words))
            if progress:
                progress(1)
    else:
        size = max(50, len(names) // (jobs * 8))
        batches = [names[i:i + size] for i in range(0, len(names), size)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for batch in pool.map(_check_batch, batches, [selection] * len(batches), [words] * len(batches)):
                checked.extend(batch)
                if progress:
                    progress(len(batch))
    add_catalog_findings(checked, selection)
    return checked


def add_catalog_findings(checked: list[CheckedCard], selection: RuleSelection) -> None:
    """The cross-card rules, from the identities the per-card pass collected."""
    rule_ = selection.rules.get("MH117")
    if rule_ is None or len(checked) < 2:
        return
    index = identity_index(item.identity for item in checked)
    if not index:
        return
    severity = selection.severity_of(rule_)
    for item in checked:
        if not selection.enabled(rule_, item.path) or _is_suppressed(rule_.code, item.suppressed):
            continue
        extra = [f if f.severity == severity else Finding(f.code, severity, f.path, f.line, f.message, f.hint,
                                                          f.column, f.name)
                 for f in duplicate_findings(item.identity, index, rule_)]
        if extra:
            item.findings = sorted(item.findings + extra, key=lambda f: (f.line, f.column or 0, f.code))
