"""The ``check`` pipeline stage, the last before rendering: findings for every record, using what the earlier
stages (artifacts, execute, bench) learnt."""

from __future__ import annotations

from ..pipeline import BuildContext, CardRecord
from . import CheckContext, RuleSelection, check_card
from .registry import RuleSet


class CheckStage:
    name = "check"
    reads = ("card", "facts", "runs", "bench", "location", "findings")
    writes = ("findings",)

    def __init__(self, rules: RuleSet | None = None, selection: RuleSelection | None = None) -> None:
        self.rules = rules  # None: the default rules (generator.checks.rules)
        self.selection = selection  # None: the configuration's [rules] table

    def process(self, records: list[CardRecord], context: BuildContext) -> None:
        selection = self.selection or RuleSelection.from_config(context.config, rules=self.rules)
        shared = CheckContext(context.config, [r.card for r in records], selection=selection, rules=self.rules)
        rules = shared.rule_set
        for record in records:
            # Findings a stage attached directly (codes that are not rules) are kept; rule findings are recomputed.
            kept = [f for f in record.findings if getattr(f, "code", None) not in rules]
            found = check_card(record.card, shared.for_card(record.facts, record.runs, record.bench, record.location))
            record.findings = kept + found
