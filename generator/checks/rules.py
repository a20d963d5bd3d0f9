"""The default rules: every family module of this package, listed once. A catalog or a test that wants other rules
builds its own ``RuleSet`` (``DEFAULT_RULES + [...]``, or ``RuleSet.from_modules(...)``) and passes it in."""

from __future__ import annotations

from . import artifacts, bench, catalog, consistency, execution, frontmatter, parse, results, snippets, structure
from .registry import RuleSet

FAMILY_MODULES = (parse, frontmatter, structure, snippets, consistency, results, catalog, artifacts, execution, bench)

DEFAULT_RULES = RuleSet.from_modules(FAMILY_MODULES)
