"""The ``check`` pipeline stage (order 90): findings for every record, using what earlier stages learnt."""

from __future__ import annotations

from ..pipeline import BuildContext, CardRecord, register_stage
from . import RULES, CheckContext, RuleSelection, check_card


class CheckStage:
    name = "check"
    order = 90

    def process(self, records: list[CardRecord], context: BuildContext) -> None:
        selection = RuleSelection.from_config(context.config, context.options.get("select"),
                                              context.options.get("ignore"))
        shared = CheckContext(context.config, [r.card for r in records], selection=selection)
        for record in records:
            # Findings a stage attached directly (codes that are not rules) are kept; rule findings are recomputed.
            kept = [f for f in record.findings if getattr(f, "code", None) not in RULES]
            found = check_card(record.card, shared.for_card(record.facts, record.runs, record.bench))
            record.findings = kept + found


register_stage(CheckStage())
