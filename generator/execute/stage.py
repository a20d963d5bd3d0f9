"""The ``execute`` pipeline stage: puts each card's runtime plan in ``record.plan`` (the one the bench stage measures
with) and its run (stored or fresh, see ``runner``) in ``record.runs``.

The mode is the stage's own (``ExecuteStage(mode=...)``) or ``context.mode``; the default ``frozen`` only reads
stored results, so a docs build never executes anything unless asked to. ``context.executor`` is where the cards
execute (``generator.executors``; local by default).
"""

from __future__ import annotations

from ..artifacts.stage import attach_artifacts
from ..pipeline import BuildContext, CardRecord
from ..records import EXAMPLE_LINE, RunRecord
from .progress import run_progress
from .runner import Executor


class ExecuteStage:
    name = "execute"
    reads = ("card", "artifact", "location")
    writes = ("runs", "artifact", "location", "plan")  # attaches the handle when the artifacts stage did not run

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode  # None: the context's mode

    def process(self, records: list[CardRecord], context: BuildContext) -> None:
        mode = self.mode or context.mode or "frozen"
        if mode == "off":
            return
        attach_artifacts(records, context.config, context.offline or None)
        show = not context.quiet and mode in ("auto", "force")
        with run_progress(enabled=show) as (on_start, on_card):
            executor = Executor(context.config, mode, on_start=on_start, on_card=on_card, offline=context.offline,
                                executor=context.executor)
            for record in records:
                record.plan = executor.plan(record.card)
            runs = executor.run((record.card for record in records),
                                artifacts={r.path: r.artifact for r in records if r.artifact is not None},
                                plans={r.path: r.plan for r in records})
        for record in records:
            run, cells = runs.get(record.path), record.plan.cells
            # the rules point at the first block the plan runs: they never pick the card's blocks again
            record.runs = None if run is None else RunRecord.from_json(
                {**run, EXAMPLE_LINE: cells[0].line if cells else None})

