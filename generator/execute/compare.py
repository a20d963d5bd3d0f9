"""Compare a card's Results block with the output of a run (pure; used by the MH620 rule and ``modelhub run``)."""

from __future__ import annotations

import difflib
from typing import Any

from ..card import Card


def normalize_results(text: str | None) -> str:
    """Line endings, trailing spaces and surrounding blank lines do not count as differences."""
    lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def fresh_output(run: dict[str, Any] | None) -> str | None:
    """The output a successful run puts in the Results block, or None when the run has none to offer."""
    if not run or run.get("status") != "ok" or run.get("results_text") is None:
        return None
    return run["results_text"]


def results_diff(card: Card, run: dict[str, Any] | None) -> list[str] | None:
    """Unified diff lines from the card's Results block to the run's output; None when they agree or the run has
    nothing to compare (failed, not executed) or the card has no Results block."""
    fresh = fresh_output(run)
    if fresh is None or card.results is None:
        return None
    written, produced = normalize_results(card.results.text), normalize_results(fresh)
    if written == produced:
        return None
    return list(difflib.unified_diff(written.split("\n"), produced.split("\n"),
                                     f"{card.path} (Results, line {card.results.line})", "output of the example",
                                     lineterm=""))
