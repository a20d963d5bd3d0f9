"""Autofix: apply the replacements that findings carry, changing only those characters of the card.

A rule makes a finding fixable by giving it ``fix=(old, new)``: on the finding's line, the first ``old`` becomes
``new``. Fixes are applied from the end of the file backwards so earlier offsets stay valid; two fixes that
touch the same characters are not both applied (the second waits for the next run).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..card import Card
from ..card.edit import serialize
from .registry import Finding


def line_span(text: str, line: int) -> tuple[int, int]:
    """Character offsets of a 1-based line (without its newline)."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text), len(text)
    end = text.find("\n", start)
    return start, len(text) if end < 0 else end


def apply_fixes(card: Card, findings: Iterable[Finding]) -> tuple[bytes, list[Finding]]:
    """The card's new bytes and the findings whose fix was applied."""
    edits: list[tuple[int, int, str, Finding]] = []
    for finding in findings:
        if not finding.fix or finding.path != card.path:
            continue
        old, new = finding.fix
        start, end = line_span(card.text, finding.line)
        at = card.text.find(old, start, end) if old else -1
        if at < 0:
            continue
        edits.append((at, at + len(old), new, finding))
    applied: list[Finding] = []
    text = card.editable_text()
    last_start = len(text) + 1
    for start, end, new, finding in sorted(edits, key=lambda e: e[0], reverse=True):
        if end > last_start:  # overlaps a fix already applied further down
            continue
        text = text[:start] + new + text[end:]
        last_start = start
        applied.append(finding)
    if not applied:
        return serialize(card), []
    return text.encode("utf-8", "surrogateescape"), list(reversed(applied))
