"""Execution rules (MH620-MH639): whether the card's Results block is what its own example really prints.

They read the run record of the execute stage (``context.runs``: its status and reason code, never its reason's
words, and the line of the first block its runtime plan runs, ``example_line``); without one (execution off) they
are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..card import Card
from ..execute.compare import fresh_output, normalize_results, results_diff
from ..records import RunRecord, RunStatus
from .registry import Finding, rule

FAMILY = "execution"
WRITE_HINT = "run `modelhub run --mode auto --write {path}` to put the real output in the card"


def _runs(context: Any) -> RunRecord | None:
    return getattr(context, "runs", None)


def _hint(card: Card) -> str:
    return WRITE_HINT.format(path=card.path)


@rule("MH620", "results-differ", FAMILY, "warning", "the Results block differs from what the example prints",
      "run `modelhub run --mode auto --write CARD` to put the real output in the card", needs=("runs",))
def results_differ(card: Card, context: Any) -> Iterator[Finding]:
    run = _runs(context)
    diff = results_diff(card, run)
    if diff is None:
        return
    changed = sum(1 for line in diff[2:] if line[:1] in "+-")
    yield results_differ.rule.finding(
        card.path, card.results.line,
        f"the Results block differs from the output of the example run on {run.date} ({changed} lines)",
        hint=_hint(card))


@rule("MH621", "results-block-missing", FAMILY, "info", "the example runs but the card shows no Results block",
      "run `modelhub run --mode auto --write CARD` to add a Results block with the real output", needs=("runs",))
def results_block_missing(card: Card, context: Any) -> Iterator[Finding]:
    run = _runs(context)
    output = fresh_output(run)
    if card.results is None and output is not None and normalize_results(output):
        line = run.cells[0].line if run.cells else card.body_line
        yield results_block_missing.rule.finding(card.path, line, hint=_hint(card))


@rule("MH622", "example-fails", FAMILY, "error", "the card's example raises an error when run",
      "fix the snippet (the traceback is in the card's .results.json), then run `modelhub run --mode auto CARD`",
      needs=("runs",))
def example_fails(card: Card, context: Any) -> Iterator[Finding]:
    run = _runs(context)
    if run.status is not RunStatus.FAILED:
        return
    line = card.body_line
    for cell in run.cells:
        if cell.error:
            line = cell.error_line or cell.line or line
    yield example_fails.rule.finding(card.path, line, f"the example fails when run: {run.reason}")


@rule("MH623", "results-outdated", FAMILY, "warning", "the stored run no longer matches the card",
      "run `modelhub run --mode auto CARD` to run the example again", needs=("runs",))
def results_outdated(card: Card, context: Any) -> Iterator[Finding]:
    run = _runs(context)
    if run.status is RunStatus.STALE:
        yield results_outdated.rule.finding(card.path, run.example_line or card.body_line, str(run.reason))


@rule("MH624", "results-not-stored", FAMILY, "info", "the example has never been run: no stored results",
      "run `modelhub run --mode auto CARD` and commit the .results.json beside the card", needs=("runs",))
def results_not_stored(card: Card, context: Any) -> Iterator[Finding]:
    run = _runs(context)
    if run.status is RunStatus.MISSING:
        yield results_not_stored.rule.finding(card.path, run.example_line or card.body_line)


@rule("MH625", "example-not-executed", FAMILY, "info", "the card's example cannot be executed here",
      "install what the reason names, or mark the card `execute: false` if it is not meant to run",
      needs=("runs",))
def example_not_executed(card: Card, context: Any) -> Iterator[Finding]:
    run = _runs(context)
    if run.status is not RunStatus.NOT_EXECUTED or (run.reason_code is not None and run.reason_code.by_design):
        return  # nothing to run, by design (opted out, no Python example)
    yield example_not_executed.rule.finding(card.path, run.example_line or card.body_line,
                                            f"the example was not executed: {run.reason or ''}")
