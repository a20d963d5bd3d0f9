"""Parse diagnostics (MH000-MH008) as rules, so they can be selected, ignored and re-graded like any other.

The parser records these while reading a card (``card.diagnostics``); this module only turns them into findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..card import Card
from .registry import Finding, rule

_PARSE_RULES = {
    "MH000": ("unreadable-card", "error", "card file cannot be read", "check the path and the file's permissions"),
    "MH001": ("missing-front-matter", "error", "card has no (closed) YAML front matter",
              "start the file with '---', the metadata as YAML, and a closing '---'"),
    "MH002": ("invalid-yaml", "error", "front matter is not valid YAML",
              "fix the YAML at this line (quote values containing ': ' or starting with '{', '[', '@' or '`')"),
    "MH003": ("bad-encoding", "error", "card is not UTF-8 text", "re-save the file as UTF-8"),
    "MH004": ("card-too-large", "warning", "card is too large to parse completely",
              "move large outputs or data out of the card and link to them"),
    "MH005": ("front-matter-not-mapping", "error", "front matter is not a mapping of keys to values",
              "write the metadata as 'key: value' lines"),
    "MH006": ("unclosed-code-block", "error", "code block is never closed", "add a closing ``` line after the code"),
    "MH007": ("front-matter-over-budget", "error",
              "front matter expands (through YAML aliases) or nests beyond what a card needs",
              "write the values out instead of nesting aliases (&anchor / *alias) inside each other"),
    "MH008": ("line-too-long", "warning", "a line is longer than the page shows",
              "break the line, or move what it holds out of the card and link to it"),
}


def _declare(code: str, name: str, severity: str, summary: str, hint: str):
    @rule(code, name, "parse", severity, summary, hint)
    def diagnostics(card: Card, context) -> Iterator[Finding]:
        for diagnostic in card.diagnostics:
            if diagnostic.code == code:
                yield diagnostics.rule.finding(card.path, diagnostic.line, diagnostic.message,
                                               diagnostic.hint or None, diagnostic.column)

    diagnostics.__name__ = name.replace("-", "_")
    return diagnostics


PARSE_RULES = tuple(_declare(code, *fields) for code, fields in _PARSE_RULES.items())
