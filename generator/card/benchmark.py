"""Benchmarking blocks into numbers: Trainer metric JSON, sklearn/JSL classification reports, Markdown tables."""

from __future__ import annotations

import json
import re

from .model import Benchmark
from .tables import is_separator, split_row

_NUMBER = re.compile(r"^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?%?$")
_COLUMN_NAMES = {
    "precision": "precision", "prec": "precision", "p": "precision",
    "recall": "recall", "rec": "recall", "r": "recall",
    "f1-score": "f1", "f1": "f1", "f1_score": "f1", "f1score": "f1", "f-score": "f1",
    "support": "support", "tp": "tp", "fp": "fp", "fn": "fn", "accuracy": "accuracy", "acc": "accuracy",
}
_AVERAGES = {
    "accuracy": "accuracy", "micro avg": "micro_avg", "macro avg": "macro_avg", "weighted avg": "weighted_avg",
    "samples avg": "samples_avg", "macro-average": "macro_avg", "micro-average": "micro_avg",
    "macro average": "macro_avg", "micro average": "micro_avg", "weighted average": "weighted_avg",
    "avg / total": "weighted_avg", "macro": "macro_avg", "micro": "micro_avg", "weighted": "weighted_avg",
}


def parse_benchmark(raw: str, line: int) -> Benchmark:
    """Recognise the block's layout and pull out its numbers; unknown layouts are kept as text."""
    stripped = raw.strip()
    if stripped.startswith("{"):
        metrics = _trainer_json(stripped)
        if metrics is not None:
            return Benchmark("trainer_json", line, raw, metrics=metrics)
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    if lines and sum(1 for ln in lines if ln.lstrip().startswith("|")) >= max(2, len(lines) // 2):
        table = _markdown_table(lines, line, raw)
        if table is not None:
            return table
    report = _classification_report(lines, line, raw)
    if report is not None:
        return report
    return Benchmark("text", line, raw)


def _number(text: str) -> float | None:
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


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
    names = [_COLUMN_NAMES.get(cell.strip().lower()) for cell in cells]
    found = [n for n in names if n]
    if {"precision", "recall"} <= set(found) or {"f1"} <= set(found) and len(found) >= 2:
        return [n or cells[i].strip().lower() for i, n in enumerate(names)]
    return None


def _classification_report(lines: list[str], line: int, raw: str) -> Benchmark | None:
    header: list[str] | None = None
    bench = Benchmark("classification_report", line, raw)
    for text in lines:
        cells = [c for c in re.split(r"\s{2,}|\t|\s*\|\s*", text.strip()) if c]
        if header is None:
            header = _columns([c for c in cells])
            if header is not None:
                header = [h for h in header if h not in {"label", "entity", "class", ""}]
            continue
        numbers: list[float] = []
        words: list[str] = []
        for cell in cells:
            value = _number(cell)
            if value is None:
                if numbers:  # text after the numbers: not a report row
                    words = []
                    break
                words.append(cell)
            elif words:  # numbers before any label are a row index; skip them
                numbers.append(value)
        if not words or not numbers:
            continue
        label = " ".join(words).strip()
        average = _AVERAGES.get(label.lower())
        columns = header[-len(numbers):] if len(numbers) <= len(header) else header
        if average == "accuracy" and len(numbers) <= 2:
            bench.metrics["accuracy"] = numbers[0]
            continue
        values = dict(zip(columns, numbers))
        if average:
            for key, value in values.items():
                if key != "support":
                    bench.metrics[f"{average}_{key}"] = value
        else:
            bench.per_label[label] = values
    if header is None or not (bench.per_label or bench.metrics):
        return None
    return bench


def _markdown_table(lines: list[str], line: int, raw: str) -> Benchmark | None:
    rows = [split_row(text) for text in lines if text.lstrip().startswith("|")]
    rows = [cells for cells in rows if not is_separator(cells)]
    if len(rows) < 2:
        return None
    header = rows[0]
    bench = Benchmark("table", line, raw)
    bench.rows = [dict(zip(header, cells)) for cells in rows[1:]]
    columns = _columns(header)
    if columns:
        label_col = next((i for i, c in enumerate(columns) if c not in _COLUMN_NAMES.values()), 0)
        for cells in rows[1:]:
            if label_col >= len(cells) or not cells[label_col]:
                continue
            label = cells[label_col].strip("` ")
            values = {columns[i]: v for i, cell in enumerate(cells)
                      if i != label_col and i < len(columns) and (v := _number(cell)) is not None}
            average = _AVERAGES.get(label.lower())
            if average == "accuracy":
                if values:
                    bench.metrics["accuracy"] = next(iter(values.values()))
            elif average:
                bench.metrics.update({f"{average}_{k}": v for k, v in values.items() if k != "support"})
            elif values:
                bench.per_label[label] = values
    elif len(header) >= 2:
        for cells in rows[1:]:  # two-column "metric | value" tables
            if len(cells) >= 2 and (value := _number(cells[1])) is not None:
                bench.metrics[cells[0].strip("` ").lower().replace(" ", "_")] = value
    return bench
