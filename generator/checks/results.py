"""Static Results checks (MH60x-MH61x): the Results block as written must be possible for the example as written.

These rules read only the card. Whether the Results block matches a real run is the execution stage's business
(MH62x-MH63x).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import lru_cache

from ..card import Card
from ..card.code import parse_python
from .registry import Finding, rule

FAMILY = "results"

# ``\s*+`` where two runs of blanks used to split the same indentation every way (quadratic in it); the border's
# run of [-=+] is taken whole and must end in `+` with at least three characters, as ``\+[-=+]+\+`` required.
_BORDER = re.compile(r"^\s*+[*#]?\s*+\+[-=+]*+(?<=[-=+]{2}\+)\s*+$")
_ROW = re.compile(r"^\s*+[*#]?\s*+\|(.*)\|\s*$")


def show_table(text: str) -> tuple[list[str], list[list[str]]] | None:
    """A Spark ``DataFrame.show()`` table (``+---+`` borders) as (header, rows); None when the block is not one."""
    lines = text.splitlines()
    if not any(_BORDER.match(line) for line in lines):
        return None
    rows = [[cell.strip() for cell in match.group(1).split("|")] for line in lines if (match := _ROW.match(line))]
    if not rows:
        return None
    return rows[0], rows[1:]


def example_rows(card: Card) -> tuple[int, str] | None:
    """How many input rows the example builds (``spark.createDataFrame([[..], [..]])`` / ``Seq(.., ..)``)."""
    for snippet in card.snippets:
        if snippet.tab == "python":
            count = _python_rows(snippet.code)
            if count is not None:
                return count, "Python"
    for snippet in card.snippets:
        if snippet.tab == "scala":
            match = re.search(r"\bSeq\s*\(", snippet.code)
            if match and ".toDF" in snippet.code[match.end():match.end() + 2000]:
                inner = _balanced_inner(snippet.code, match.end() - 1)
                if inner is not None and inner.strip():
                    strings = re.findall(r'"(?:\\.|[^"\\])*"', inner)
                    if strings and not re.sub(r'"(?:\\.|[^"\\])*"|[\s,()]', "", inner):
                        return len(strings), "Scala"
    return None


def _balanced_inner(text: str, open_at: int) -> str | None:
    depth = 0
    for index in range(open_at, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return text[open_at + 1:index]
    return None


@lru_cache(maxsize=4096)
def _python_rows(code: str) -> int | None:
    try:
        tree = parse_python(code)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "createDataFrame" and node.args
                and isinstance(node.args[0], (ast.List, ast.Tuple))):
            items = node.args[0].elts
            if items and all(isinstance(item, (ast.List, ast.Tuple, ast.Constant)) for item in items):
                if all(isinstance(item, ast.Constant) and item.value == "" for item in items):
                    continue
                if any(isinstance(item, (ast.List, ast.Tuple)) and len(item.elts) == 1
                       and isinstance(item.elts[0], ast.Constant) and item.elts[0].value == "" for item in items):
                    continue  # the empty frame used to fit a pipeline
                return len(items)
    return None


def _explodes(card: Card) -> bool:
    return any("explode" in s.code or "posexplode" in s.code for s in card.snippets)


@rule("MH601", "results-more-rows-than-examples", FAMILY, "error",
      "the Results block shows more document rows than the example has input rows",
      "regenerate the Results block from the example (`modelhub run`), or show the example that produced it")
def more_rows(card: Card, context) -> Iterator[Finding]:
    if card.results is None or not card.results.text.strip() or _explodes(card):
        return
    table = show_table(card.results.text)
    if table is None:
        return
    header, rows = table
    if not rows or not all(any(cell.startswith("[") for cell in row) for row in rows):
        return  # rows that are not one document each (exploded chunks, tokens): not comparable
    counted = example_rows(card)
    if counted is None:
        return
    count, tab = counted
    if len(rows) > count:
        yield more_rows.rule.finding(
            card.path, card.results.line, f"the Results block shows {len(rows)} rows but the {tab} example has "
            f"{count} input row{'s' if count != 1 else ''}")


_LABEL_COLUMNS = {"entity", "label", "labels", "ner_label", "class", "result", "prediction", "sentiment",
                  "category", "assertion"}


def _split_cell(cell: str) -> list[str]:
    text = cell.strip()
    if text.startswith("[") and text.endswith("]"):
        return [part.strip() for part in text[1:-1].split(",") if part.strip()]
    return [text] if text else []


def _label_key(label: str) -> str:
    return re.sub(r"^[BIES]-", "", label.strip()).lower()


@rule("MH602", "results-label-not-predicted", FAMILY, "warning",
      "the Results block shows a label the card does not list among its predicted labels",
      "list the label under Predicted Entities, or regenerate the Results block")
def unknown_result_label(card: Card, context) -> Iterator[Finding]:
    if card.results is None or not card.labels:
        return
    table = show_table(card.results.text)
    if table is None:
        return
    header, rows = table
    columns = [i for i, name in enumerate(header) if name.strip().lower() in _LABEL_COLUMNS]
    if not columns:
        return
    known = {_label_key(label) for label in card.labels} | {"o"}
    unknown: list[str] = []
    for row in rows:
        for index in columns:
            if index < len(row):
                for label in _split_cell(row[index]):
                    if _label_key(label) not in known and label not in unknown:
                        unknown.append(label)
    if unknown:
        yield unknown_result_label.rule.finding(
            card.path, card.results.line, f"the Results block shows {', '.join(f'`{u}`' for u in unknown)}, "
            f"not among the predicted labels ({', '.join(card.labels)})")


@rule("MH603", "results-empty", FAMILY, "warning", "the Results section is empty",
      "fill it from a real run (`modelhub run --write`) or remove the section")
def results_empty(card: Card, context) -> Iterator[Finding]:
    if card.results is not None and not card.results.text.strip():
        yield results_empty.rule.finding(card.path, card.results.section_line or card.results.line,
                                         "the Results section is empty")
