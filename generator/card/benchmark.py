"""Benchmarking blocks into numbers: Trainer metric JSON, sklearn/JSL classification reports, Markdown tables.

One reader serves the whitespace reports and the Markdown tables: a block is a run of rows; a row whose cells are
column names (precision, recall, f1-score, tp, ...) starts a table, and every following row is read against *that*
header, so two tables stacked under one Benchmarking heading keep their own columns. A row's label is its leading
words; average rows (``macro avg``, ``macro-avg``, ``Macro-average``, ``weighted-avg``, ``Total``) go to ``metrics``
under ``<average>_<column>``, the accuracy row to ``metrics["accuracy"]``, and every other row to ``per_label``.
Placeholder cells (``-``, ``n/a``) keep their column but hold no number; a numeric label (``0``, ``1``) is a label
when the row has one number more than the header has columns.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .model import Benchmark
from .tables import is_separator, split_row

_NUMBER = re.compile(r"^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?%?$")
_INTEGER = re.compile(r"^\d+$")
_PLACEHOLDERS = frozenset({"-", "--", "–", "—", "n/a", "na", "nan", "none", "null", "?"})
_COLUMN_NAMES = {
    "precision": "precision", "prec": "precision", "p": "precision",
    "recall": "recall", "rec": "recall", "r": "recall",
    "f1-score": "f1", "f1": "f1", "f1_score": "f1", "f1score": "f1", "f-score": "f1", "f1 score": "f1",
    "f-measure": "f1",
    "support": "support", "tp": "tp", "fp": "fp", "fn": "fn", "tn": "tn", "accuracy": "accuracy", "acc": "accuracy",
}
_LABEL_COLUMNS = frozenset({"label", "labels", "entity", "entities", "class", "classes", "tag", "category", ""})
_COUNTS = frozenset({"support", "tp", "fp", "fn", "tn"})
# Average rows, keyed by the label folded by _fold (lower case, '-', '_' and runs of spaces made one space).
_AVERAGES = {
    "accuracy": "accuracy", "acc": "accuracy",
    "micro avg": "micro_avg", "macro avg": "macro_avg", "weighted avg": "weighted_avg", "samples avg": "samples_avg",
    "micro average": "micro_avg", "macro average": "macro_avg", "weighted average": "weighted_avg",
    "samples average": "samples_avg", "avg / total": "weighted_avg", "avg/total": "weighted_avg",
    "micro": "micro_avg", "macro": "macro_avg", "weighted": "weighted_avg", "total": "total", "overall": "total",
}
_PAIR = re.compile(r"([A-Za-z][\w\-]*)\s*[:=]\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?%?)")


def parse_benchmark(raw: str, line: int) -> Benchmark:
    """Recognise the block's layout and pull out its numbers; unknown layouts are kept as text.

    ``line`` is the line of ``raw``'s first character in the card; each parsed label keeps its own line.
    """
    stripped = raw.strip()
    if stripped.startswith("{"):
        metrics = _trainer_json(stripped)
        if metrics is not None:
            return Benchmark("trainer_json", line, raw, metrics=metrics)
    numbered = [(line + index, text) for index, text in enumerate(raw.splitlines()) if text.strip()]
    piped = sum(1 for _, text in numbered if text.lstrip().startswith("|"))
    if numbered and piped >= max(2, len(numbered) // 2):
        table = _markdown_table(numbered, line, raw)
        if table is not None:
            return table
    report = _classification_report(numbered, line, raw)
    if report is not None:
        return report
    return Benchmark("text", line, raw)


def merge_benchmarks(first: Benchmark, others: list[Benchmark]) -> Benchmark:
    """Several blocks under one Benchmarking heading: the first keeps its place (for edits), the others add numbers
    it does not have."""
    for other in others:
        for key, value in other.metrics.items():
            first.metrics.setdefault(key, value)
        for label, values in other.per_label.items():
            if label not in first.per_label:
                first.per_label[label] = values
                first.label_lines[label] = other.label_lines.get(label, other.line)
        first.rows.extend(other.rows)
        if first.kind == "text" and other.kind != "text":
            first.kind = other.kind
    return first


def _number(text: str) -> float | None:
    text = text.strip().strip("`*")
    if not _NUMBER.match(text):
        return None
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


def _placeholder(text: str) -> bool:
    return text.strip().strip("`*").lower() in _PLACEHOLDERS


def _fold(label: str) -> str:
    return re.sub(r"[\s_\-]+", " ", label.strip().strip("`*:").lower()).strip()


def average_of(label: str) -> str | None:
    """``macro-avg`` -> ``macro_avg``, ``Weighted Average`` -> ``weighted_avg``, ``accuracy`` -> ``accuracy``."""
    return _AVERAGES.get(_fold(label))


def _trainer_json(text: str) -> dict[str, float] | None:
    candidate = re.sub(r",\s*}", "}", text)
    try:
        data = json.loads(candidate)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {str(k): float(v) for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def _columns(cells: list[str]) -> list[str] | None:
    """The header's cells as metric names (unknown cells kept lower-cased); None when this is no metrics header."""
    if any(_number(cell.strip(",;")) is not None for cell in cells):
        return None  # a row of numbers, even one that names them ("prec: 0.9, rec: 0.8")
    names = [_COLUMN_NAMES.get(_fold_header(cell)) for cell in cells]
    found = {n for n in names if n}
    if {"precision", "recall"} <= found or ("f1" in found and len(found) >= 2):
        return [n or _fold_header(cells[i]) for i, n in enumerate(names)]
    return None


def _fold_header(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.strip().strip("`*:").lower())


@dataclass
class _Row:
    line: int
    label: str
    values: list[float | None]  # one per value cell, None for a placeholder
    named: dict[str, float] | None = None  # "prec: 0.9, rec: 0.8" rows name their values


class _Reader:
    """Turns rows read against a header into the Benchmark's metrics and per-label numbers."""

    def __init__(self, bench: Benchmark) -> None:
        self.bench = bench

    def add(self, header: list[str], row: _Row) -> None:
        values = row.named if row.named is not None else _align(header, row.values)
        average = average_of(row.label)
        if average == "accuracy":
            found = next((values[k] for k in ("accuracy", "f1", "precision", "recall") if values.get(k) is not None),
                         None)
            if found is None:
                found = next((v for k, v in values.items() if k not in _COUNTS and v is not None), None)
            if found is not None:
                self.bench.metrics["accuracy"] = found
            return
        numbers = {k: v for k, v in values.items() if v is not None}
        if average:
            self.bench.metrics.update({f"{average}_{k}": v for k, v in numbers.items() if k not in _COUNTS})
        elif numbers and row.label:
            self.bench.per_label[row.label] = numbers
            self.bench.label_lines[row.label] = row.line


def _align(header: list[str], values: list[float | None]) -> dict[str, float | None]:
    """Values against the header's metric columns: all of them, or the rightmost ones (sklearn's accuracy row
    leaves precision and recall blank), or, when the row has no support, the rightmost ones before support."""
    if not header:
        return {}
    if len(values) >= len(header):
        return dict(zip(header, values[-len(header):]))
    columns = header
    last = values[-1] if values else None
    if columns[-1] == "support" and last is not None and not float(last).is_integer():
        columns = columns[:-1]
    return dict(zip(columns[-len(values):], values))


def _text_row(line: int, text: str, width: int) -> _Row | None:
    """A whitespace report row: leading words are the label, the rest numbers or placeholders."""
    pairs = _PAIR.findall(text)
    named = {_COLUMN_NAMES[_fold_header(k)]: _number(v) for k, v in pairs if _fold_header(k) in _COLUMN_NAMES}
    if len(named) >= 2:
        label = text[:text.find(pairs[0][0])].strip().rstrip(":,").strip()
        return _Row(line, label, [], {k: v for k, v in named.items() if v is not None}) if label else None
    tokens = [token for token in re.split(r"[\s|]+", text.strip()) if token]
    words: list[str] = []
    index = 0
    if len(tokens) > 1 and _INTEGER.match(tokens[0]) and _number(tokens[1]) is None and not _placeholder(tokens[1]):
        index = 1  # a printed DataFrame's row index before the label
    while index < len(tokens) and _number(tokens[index]) is None and not _placeholder(tokens[index]):
        words.append(tokens[index])
        index += 1
    rest = tokens[index:]
    if any(_number(t) is None and not _placeholder(t) for t in rest):
        return None  # words after the numbers: prose, not a report row
    values = [_number(t) for t in rest]
    if not words and len(values) == width + 1 and rest and _INTEGER.match(rest[0]):
        return _Row(line, rest[0], values[1:])  # a numeric class label: 0, 1, 2
    if not words or not values:
        return None
    return _Row(line, " ".join(words), values)


def _classification_report(numbered: list[tuple[int, str]], line: int, raw: str) -> Benchmark | None:
    bench = Benchmark("classification_report", line, raw)
    reader = _Reader(bench)
    header: list[str] | None = None
    for number, text in numbered:
        columns = _columns(_header_cells(text.replace("|", "  ")))
        if columns is not None:
            header = [c for c in columns if c not in _LABEL_COLUMNS and _COLUMN_NAMES.get(c, c) in
                      _COLUMN_NAMES.values()]
            continue
        if header is None:
            continue
        row = _text_row(number, text, len(header))
        if row is not None:
            reader.add(header, row)
    if not (bench.per_label or bench.metrics):
        return None
    return bench


def _header_cells(text: str) -> list[str]:
    """Header words; 'f1 score' and 'f1-score' stay one column."""
    return [cell for cell in re.split(r"\t+|\s{2,}|\s(?!score\b)", text.strip()) if cell]


def _markdown_table(numbered: list[tuple[int, str]], line: int, raw: str) -> Benchmark | None:
    rows = [(number, split_row(text)) for number, text in numbered if text.lstrip().startswith("|")]
    if len(rows) < 2:
        return None
    bench = Benchmark("table", line, raw)
    reader = _Reader(bench)
    header: list[str] | None = None
    columns: list[str] | None = None
    label_col = 0
    for index, (number, cells) in enumerate(rows):
        if is_separator(cells):
            continue
        starts_table = header is None or (index + 1 < len(rows) and is_separator(rows[index + 1][1]))
        if starts_table:
            header, columns = cells, _columns(cells)
            if columns:
                label_col = next((i for i, c in enumerate(columns) if c not in _COLUMN_NAMES.values()), 0)
            continue
        bench.rows.append(dict(zip(header, cells)))
        if columns:
            label = cells[label_col].strip("`* ") if label_col < len(cells) else ""
            metric_columns = [(i, c) for i, c in enumerate(columns) if i != label_col and c in
                              _COLUMN_NAMES.values()]
            named = {c: _number(cells[i]) for i, c in metric_columns if i < len(cells)}
            reader.add([c for _, c in metric_columns], _Row(number, label, [], named))
        elif len(header) >= 2 and len(cells) >= 2 and (value := _number(cells[1])) is not None:
            bench.metrics[cells[0].strip("`* ").lower().replace(" ", "_")] = value  # "metric | value" tables
    return bench
