"""Model cards: parse every dialect into a ``Card`` and edit one block without touching the rest."""

from .edit import replace_benchmark, replace_results, replace_span, set_front_matter_value
from .model import Benchmark, Card, Diagnostic, InfoTable, Link, Preset, ResultsBlock, Section, Snippet, TableRow
from .parser import parse_card, read_card

__all__ = [
    "Benchmark", "Card", "Diagnostic", "InfoTable", "Link", "Preset", "ResultsBlock", "Section", "Snippet",
    "TableRow", "parse_card", "read_card", "replace_benchmark", "replace_results", "replace_span", "set_front_matter_value",
]
