"""Compare a card's Results block with the output of a run (pure; used by the MH620 rule and ``modelhub run``), and
the text a run's cells put in a Results block."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..card import Card
from ..records import RunRecord, RunStatus, from_json


def normalize_results(text: str | None) -> str:
    """Line endings, trailing spaces and surrounding blank lines do not count as differences."""
    lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def fresh_output(run: RunRecord | Mapping[str, Any] | None) -> str | None:
    """The output a successful run puts in the Results block, or None when the run has none to offer."""
    run = from_json(RunRecord, run)
    if run is None or run.status is not RunStatus.OK:
        return None
    return run.results_text


def results_diff(card: Card, run: RunRecord | Mapping[str, Any] | None) -> list[str] | None:
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


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def terminal_text(text: str) -> str:
    """``text`` as a terminal leaves it on screen: colour codes dropped, ``\r`` and backspaces rewrite the line
    (progress bars such as Keras' and tqdm's print their final state once, not every redraw)."""
    lines = []
    for raw in _ANSI.sub("", text).split("\n"):
        line: list[str] = []
        cursor = 0
        for char in raw:
            if char == "\r":
                cursor = 0
            elif char == "\b":
                cursor = max(0, cursor - 1)
            else:
                if cursor < len(line):
                    line[cursor] = char
                else:
                    line.append(char)
                cursor += 1
        lines.append("".join(line).rstrip())
    return "\n".join(lines)


def results_text(cells: Iterable[Any]) -> str:
    """What the Results block shows: each cell's printed output (as a terminal shows it) and final value, in
    order (like a notebook)."""
    pieces = []
    for cell in cells:
        data = cell if isinstance(cell, dict) else cell.to_dict()
        if data.get("stdout"):
            pieces.append(terminal_text(data["stdout"]).rstrip("\n"))
        if data.get("value") is not None:
            pieces.append(data["value"])
    return "\n".join(pieces).strip("\n")
