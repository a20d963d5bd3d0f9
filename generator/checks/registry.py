"""The rule registry: every check has a stable code, a family, a default severity, a message and a fix hint.

Rules are registered with ``@rule(...)`` in the module of their family and found through ``RULES``; nothing calls a
rule directly. A rule is a function ``(card, context) -> Iterable[Finding]``; the ``context`` carries what is known
beyond the card (the catalog, artifact facts, run results), so rules stay pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem in one card, at one place, with what to do about it."""

    code: str
    severity: str
    path: str
    line: int
    message: str
    hint: str = ""
    column: int | None = None
    name: str = ""
    fix: tuple[str, str] | None = None  # (old, new): replace the first `old` on this line with `new`

    def to_dict(self) -> dict[str, Any]:
        data = {"code": self.code, "name": self.name, "severity": self.severity, "path": self.path,
                "line": self.line, "column": self.column, "message": self.message, "hint": self.hint}
        if self.fix:
            data["fix"] = {"old": self.fix[0], "new": self.fix[1]}
        return data


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    family: str
    severity: str
    summary: str
    hint: str
    check: Callable[..., Iterable[Finding]] | None = field(default=None, compare=False, repr=False)
    needs: tuple[str, ...] = ()  # context keys the rule needs (e.g. "facts"); it is skipped when they are absent

    def finding(self, card_path: str, line: int, message: str | None = None, hint: str | None = None,
                column: int | None = None, severity: str | None = None,
                fix: tuple[str, str] | None = None) -> Finding:
        """A finding of this rule; message and hint default to the rule's own. ``fix`` makes it autofixable."""
        return Finding(self.code, severity or self.severity, card_path, max(1, int(line or 1)),
                       message or self.summary, self.hint if hint is None else hint, column, self.name, fix)


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, family: str, severity: str, summary: str, hint: str,
         needs: tuple[str, ...] = ()) -> Callable:
    """Register a check function under a stable code."""
    if severity not in SEVERITIES:
        raise ValueError(f"{code}: unknown severity {severity!r}")

    def register(function: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        if code in RULES and RULES[code].check is not function:
            raise ValueError(f"rule code {code} is registered twice ({RULES[code].name} and {name})")
        RULES[code] = Rule(code, name, family, severity, summary, hint, function, needs)
        function.rule = RULES[code]  # type: ignore[attr-defined]
        return function

    return register
