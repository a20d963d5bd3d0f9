"""Artifact findings for ``modelhub check --artifacts``: inspect the cards' artifacts, then run only the rules
that need facts (MH5xx), so the static findings the check command already has are not repeated."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..card import read_card
from ..checks import CheckContext, RuleSelection, check_card, load_rules
from ..checks.registry import Finding
from ..config import Config
from .stage import collect_facts


def artifact_findings(paths: Iterable[str | Path], config: Config, selection: RuleSelection | None = None, *,
                      offline: bool | None = None, quiet: bool = False) -> dict[str, list[Finding]]:
    """Card path -> findings of the rules that read artifact facts."""
    cards = [read_card(path) for path in paths]
    facts = collect_facts(cards, config, offline=offline, quiet=quiet)
    needing = {code for code, rule_ in load_rules().items() if "facts" in rule_.needs}
    selection = selection or RuleSelection.from_config(config)
    out: dict[str, list[Finding]] = {}
    for card in cards:
        if card.path not in facts:
            continue
        context = CheckContext(config, facts=facts[card.path], selection=selection)
        out[card.path] = [f for f in check_card(card, context) if f.code in needing]
    return out
