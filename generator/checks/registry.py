"""Rules: every check has a stable code, a family, a default severity, a message and a fix hint.

A rule is a function ``(card, context) -> Iterable[Finding]`` declared with ``@rule(...)`` in the module of its
family; the ``context`` carries what is known beyond the card (the catalog, artifact facts, run results), so rules
stay pure. Declaring a rule registers nothing: a ``RuleSet`` is an explicit collection, built from the modules it is
given (``RuleSet.from_modules``) and passed to the engine; ``generator.checks.rules`` builds the default one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
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


def rule(code: str, name: str, family: str, severity: str, summary: str, hint: str,
         needs: tuple[str, ...] = ()) -> Callable:
    """Declare a check function under a stable code (its ``Rule`` is ``function.rule``)."""
    if severity not in SEVERITIES:
        raise ValueError(f"{code}: unknown severity {severity!r}")

    def declare(function: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        function.rule = Rule(code, name, family, severity, summary, hint, function, needs)  # type: ignore[attr-defined]
        return function

    return declare


class RuleSet(Mapping[str, Rule]):
    """An explicit collection of rules, code -> ``Rule``; two rules with one code are refused. Compared and hashed
    by identity (a memo key); pickled by the names of its modules when it was built from modules (rules made in a
    function do not pickle)."""

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __init__(self, rules: Iterable[Rule] = (), modules: tuple[str, ...] = ()) -> None:
        self._modules = modules
        self._rules: dict[str, Rule] = {}
        for rule_ in rules:
            known = self._rules.get(rule_.code)
            if known is not None and known.check is not rule_.check:
                raise ValueError(f"rule code {rule_.code} is declared twice ({known.name} and {rule_.name})")
            self._rules[rule_.code] = rule_

    @classmethod
    def from_modules(cls, modules: Iterable[ModuleType]) -> RuleSet:
        """The rules declared in ``modules``: their functions (and tuples of functions) that carry a ``.rule``."""
        found: list[Rule] = []
        for module in modules:
            for value in vars(module).values():
                for item in value if isinstance(value, tuple) else (value,):
                    declared = getattr(item, "rule", None)
                    if isinstance(declared, Rule) and declared.check is item:
                        found.append(declared)
        return cls(found, tuple(module.__name__ for module in modules))

    def __reduce__(self) -> tuple:
        if self._modules:
            return _from_module_names, (self._modules,)
        return RuleSet, (list(self._rules.values()),)

    def __getitem__(self, code: str) -> Rule:
        return self._rules[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __add__(self, other: Iterable[Rule]) -> RuleSet:
        extra = other.values() if isinstance(other, RuleSet) else other
        return RuleSet([*self._rules.values(), *extra])

    def __repr__(self) -> str:
        return f"RuleSet({len(self._rules)} rules)"


def _from_module_names(names: tuple[str, ...]) -> RuleSet:
    import importlib

    return RuleSet.from_modules([importlib.import_module(name) for name in names])
