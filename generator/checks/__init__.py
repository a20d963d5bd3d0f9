"""The validation engine: run a collection of rules over cards and return findings.

Rules live in one module per family, each declared with ``@rule`` (see ``registry``); the engine runs the
``RuleSet`` it is given (``CheckContext.rules``, ``RuleSelection.from_config(..., rules=)``), by default
``generator.checks.rules.DEFAULT_RULES``. Nothing here knows a rule by name. What a run checks is decided by a
``RuleSelection`` built from the ``rules`` table of the configuration::

    [tool.modelhub.rules]
    select = ["ALL"]                  # codes, code prefixes ("MH3") or family names ("snippets")
    ignore = ["MH114"]
    severity = { MH302 = "error" }    # per-rule severity override
    per-file-ignores = { "cards/legacy/*" = ["MH1"] }

and per card with an HTML comment anywhere in the card (card-wide, invisible on the rendered page)::

    <!-- modelhub: ignore MH301, MH405 -->
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..card import Card
from .. import vocab
from ..config import Config, ConfigError
from ..records import ArtifactRecord, BenchRecord, RunRecord, from_json
from ..settings import RulesSection
from ..vocab import Vocabulary
from .registry import Finding, Rule, RuleSet, rule

if TYPE_CHECKING:
    from ..artifacts.resolve import Location, ResolveError

__all__ = [
    "CheckContext", "Finding", "Rule", "RuleSelection", "RuleSet", "check_card", "check_cards", "default_rules",
    "suppressed_codes", "rule", "SEVERITY_ORDER",
]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
CONTEXT_KEYS = ("facts", "runs", "bench", "catalog")


def default_rules() -> RuleSet:
    """``generator.checks.rules.DEFAULT_RULES`` (imported on first use: the rule modules import this package)."""
    from .rules import DEFAULT_RULES

    return DEFAULT_RULES


@dataclass
class CheckContext:
    """What a rule may know beyond the card itself. Rules that need a missing part are skipped, not failed."""

    config: Config | None = None
    catalog: list[Card] = field(default_factory=list)  # every card of the run, for cross-card rules
    facts: ArtifactRecord | None = None  # artifact facts of this card (artifacts stage)
    runs: RunRecord | None = None  # execution results of this card (execute stage)
    bench: BenchRecord | None = None  # benchmark record of this card (bench stage)
    selection: RuleSelection | None = None
    cache: dict[Any, Any] = field(default_factory=dict)  # per-run memo shared by rules (e.g. catalog indexes)

    vocabulary: Vocabulary | None = None  # read from the configuration's [vocab] on first use
    rules: RuleSet | None = None  # the rules to run; None: the selection's, else the default rules
    location: Location | ResolveError | None = None  # where the card's artifact lives (CardRecord.location)

    def __post_init__(self) -> None:
        # A stage's JSON (a sidecar file's content, a test's literal) is read into its record here, once.
        self.facts = from_json(ArtifactRecord, self.facts)
        self.runs = from_json(RunRecord, self.runs)
        self.bench = from_json(BenchRecord, self.bench)

    @property
    def rule_set(self) -> RuleSet:
        if self.rules is None:
            self.rules = self.selection.rules if self.selection is not None else default_rules()
        return self.rules

    @property
    def vocab(self) -> Vocabulary:
        """The controlled vocabularies of this run: the shipped ones plus the configuration's ``[vocab]``."""
        if self.vocabulary is None:
            self.vocabulary = Vocabulary.from_config(self.config) if self.config else vocab.DEFAULT
        return self.vocabulary

    def has(self, key: str) -> bool:
        if key == "catalog":
            return bool(self.catalog) or "identities" in self.cache
        return getattr(self, key, None) is not None

    def for_card(self, facts: ArtifactRecord | Mapping[str, Any] | None = None,
                 runs: RunRecord | Mapping[str, Any] | None = None,
                 bench: BenchRecord | Mapping[str, Any] | None = None,
                 location: Location | ResolveError | None = None) -> CheckContext:
        """The same run-wide context with one card's stage results."""
        return CheckContext(self.config, self.catalog, facts, runs, bench, self.selection, self.cache, self.vocab,
                            self.rules, location)


def _codes(values: Any, where: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [v for v in re.split(r"[,\s]+", values) if v]
    if not isinstance(values, (list, tuple)):
        raise ConfigError(f"{where} must be a list of rule codes, not {type(values).__name__}")
    return tuple(str(v).strip() for v in values if str(v).strip())


@dataclass(frozen=True, eq=False)
class RuleSelection:
    """Which of a ``RuleSet`` run and at which severity. Like ruff: the most specific matching selector wins.
    Compared (and hashed, as a memo key) by identity: one selection per run."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rules: RuleSet = field(default_factory=default_rules)

    @classmethod
    def from_config(cls, config: Config | None, select: Iterable[str] | None = None,
                    ignore: Iterable[str] | None = None, rules: RuleSet | None = None) -> RuleSelection:
        """The config's ``rules`` table over ``rules`` (default: the default rules); ``select``/``ignore`` from the
        command line replace/extend it."""
        table = config.settings.rules if config is not None else RulesSection()
        where = (f"{config.source}: {config.prefix + '.' if config.prefix else ''}rules" if config and config.source
                 else "configuration: rules")
        chosen = tuple(table.select)
        if select:
            chosen = _codes(list(select), "--select")
        ignored = tuple(table.ignore) + _codes(list(ignore or ()), "--ignore")
        selection = cls(chosen, ignored, dict(table.severity),
                        {glob: tuple(codes) for glob, codes in table.per_file_ignores.items()},
                        default_rules() if rules is None else rules)
        unknown = selection.unknown_selectors()
        if unknown:
            raise ConfigError(f"{where}: unknown rule selector(s) {', '.join(unknown)}; "
                              "see `modelhub check --list-rules`")
        return selection

    def unknown_selectors(self) -> list[str]:
        rules = self.rules
        families = {r.family for r in rules.values()}
        out = []
        for selector in (*self.select, *self.ignore, *self.severity, *(c for v in self.per_file_ignores.values()
                                                                           for c in v)):
            if selector == "ALL" or selector in families or any(code.startswith(selector) for code in rules):
                continue
            out.append(selector)
        return out

    @staticmethod
    def _specificity(selector: str, rule_: Rule) -> int:
        """How precisely ``selector`` names the rule: -1 for no match, larger for closer matches."""
        if selector == "ALL":
            return 0
        if selector == rule_.family:
            return 1
        if rule_.code.startswith(selector):
            return 1 + len(selector)
        return -1

    def enabled(self, rule_: Rule, path: str | None = None) -> bool:
        chosen = max((self._specificity(s, rule_) for s in self.select), default=-1)
        dropped = max((self._specificity(s, rule_) for s in self.ignore), default=-1)
        if path is not None and self.per_file_ignores:
            for pattern, codes in self.per_file_ignores.items():
                if _path_matches(path, pattern):
                    dropped = max(dropped, *(self._specificity(s, rule_) for s in codes))
        return chosen >= 0 and chosen > dropped

    def severity_of(self, rule_: Rule) -> str:
        best, level = -1, rule_.severity
        for selector, value in self.severity.items():
            score = self._specificity(selector, rule_)
            if score > best:
                best, level = score, value
        return level


def _path_matches(path: str, pattern: str) -> bool:
    normalized = path.replace("\\", "/")
    return fnmatch.fnmatch(normalized, pattern) or fnmatch.fnmatch(normalized, f"*/{pattern}")


_SUPPRESS = re.compile(r"<!--\s*+modelhub\s*+:\s*+ignore\b", re.IGNORECASE)


def suppressed_codes(card: Card) -> tuple[str, ...]:
    """Codes (or prefixes, or ``ALL``) a card silences with ``<!-- modelhub: ignore MH301 MH405 -->``.

    The codes run to the first ``>`` after ``ignore``, which must close ``-->``. That ``>`` is found once for every
    comment before it (searching from each of ten thousand unclosed comments was quadratic)."""
    text = card.text
    if "modelhub" not in text:
        return ()
    codes: list[str] = []
    position = 0
    close = -1
    while (match := _SUPPRESS.search(text, position)) is not None:
        if close < match.end():
            close = text.find(">", match.end())
            if close < 0:
                break
        if close - 2 >= match.end() and text.startswith("--", close - 2):
            codes.extend(c for c in re.split(r"[,\s]+", text[match.end():close - 2].strip()) if c)
            position = close + 1
        else:
            position = match.start() + 1
    return tuple(codes)


def _is_suppressed(code: str, suppressed: tuple[str, ...]) -> bool:
    return any(s == "ALL" or code.startswith(s) for s in suppressed)


def active_rules(selection: RuleSelection, context: CheckContext, path: str | None = None) -> list[Rule]:
    """The rules to run on one card; memoised per run (keyed by the selection and rule set themselves), since only
    per-file ignores make it depend on the path."""
    rules = context.rule_set
    available = tuple(context.has(key) for key in CONTEXT_KEYS)
    memo_key = ("active", selection, rules, available, path if selection.per_file_ignores else None)
    cached = context.cache.get(memo_key)
    if cached is None:
        cached = [r for code, r in sorted(rules.items()) if r.check is not None and selection.enabled(r, path)
                  and all(context.has(key) for key in r.needs)]
        if not selection.per_file_ignores:
            context.cache[memo_key] = cached
    return cached


def _severity(selection: RuleSelection, rule_: Rule, cache: dict[Any, Any]) -> str:
    if not selection.severity:
        return rule_.severity
    key = ("severity", selection, rule_.code)
    if key not in cache:
        cache[key] = selection.severity_of(rule_)
    return cache[key]


def check_card(card: Card, context: CheckContext | None = None) -> list[Finding]:
    """Every enabled rule on one card, sorted by line; a rule that crashes becomes an MH999 finding, not a crash."""
    context = context or CheckContext()
    if context.selection is None:
        context.selection = RuleSelection.from_config(context.config)
    selection = context.selection
    suppressed = suppressed_codes(card)
    findings: list[Finding] = []
    for rule_ in active_rules(selection, context, card.path):
        if suppressed and _is_suppressed(rule_.code, suppressed):
            continue
        try:
            produced = list(rule_.check(card, context))
        except Exception as error:  # noqa: BLE001 - a defect in one rule must not hide the others' findings
            findings.append(Finding("MH999", "error", card.path, 1,
                                    f"rule {rule_.code} ({rule_.name}) crashed: {type(error).__name__}: {error}",
                                    "this is a bug in modelhub; please report it with the card", name="rule-crash"))
            continue
        level = _severity(selection, rule_, context.cache)
        for finding in produced:
            if level != rule_.severity and finding.severity == rule_.severity:
                finding = replace(finding, severity=level)
            findings.append(finding)
    findings.sort(key=lambda f: (f.line, f.column or 0, f.code))
    return findings


def check_cards(cards: list[Card], config: Config | None = None, *, facts: Mapping[str, Any] | None = None,
                runs: Mapping[str, Any] | None = None, bench: Mapping[str, Any] | None = None,
                selection: RuleSelection | None = None, rules: RuleSet | None = None) -> dict[str, list[Finding]]:
    """Check a catalog: every card against every enabled rule, cross-card rules seeing all of ``cards``.

    ``facts``/``runs``/``bench`` map a card path to that card's stage record; rules needing them are skipped for
    cards that have none.
    """
    selection = selection or RuleSelection.from_config(config, rules=rules)
    shared = CheckContext(config, list(cards), selection=selection, rules=rules)
    out: dict[str, list[Finding]] = {}
    for card in cards:
        context = shared.for_card((facts or {}).get(card.path), (runs or {}).get(card.path),
                                  (bench or {}).get(card.path))
        out[card.path] = check_card(card, context)
    return out
