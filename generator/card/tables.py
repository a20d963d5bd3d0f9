"""Tables in card bodies: the Model Information table (both dialects), presets tables, predicted entities."""

from __future__ import annotations

import re

from .body import Table
from .model import InfoTable, Preset, TableRow

_SEPARATOR_CELL = re.compile(r"^:?-+:?$")

# Spellings seen in real cards, mapped to one normalised key. Typos are kept here on purpose: the table still
# reads, and the checks report the misspelling separately from the normalised key (row.key keeps the original).
INFO_KEYS: dict[str, str] = {
    "model name": "name", "name": "name",
    "model class": "model_class", "model_class": "model_class", "class": "model_class", "annotator": "model_class",
    "type": "type",
    "compatibility": "compatibility", "spark nlp compatibility": "compatibility",
    "spark compatibility": "spark_compatibility",
    "license": "license", "edition": "edition",
    "input labels": "input_labels", "spark inputs": "input_labels", "inputs": "input_labels",
    "input": "input_labels",
    "output labels": "output_labels", "spark outputs": "output_labels", "output": "output_labels",
    "outputs": "output_labels",
    "language": "language", "size": "size",
    "case sensitive": "case_sensitive", "case_sensitive": "case_sensitive", "case sensitivity": "case_sensitive",
    "max sentence length": "max_sentence_length", "max sentense length": "max_sentence_length",
    "max_sentence_length": "max_sentence_length", "max sentence lenght": "max_sentence_length",
    "maximum sentence length": "max_sentence_length",
    "dimension": "dimension", "dimensions": "dimension", "embedding dimension": "dimension",
    "upstream dependencies": "dependencies", "dependencies": "dependencies",
    "dependency": "dependencies",
    "parameters": "parameters", "parameter count": "parameters",
    "sha256": "sha256", "checksum": "sha256",
    "dependencies (components)": "dependencies",
    "source": "source", "framework": "framework", "engine": "engine", "architecture": "architecture",
}

INFO_SECTIONS = {"model information", "model parameters", "model info", "model information:", "model details"}


def normalize_info_key(key: str) -> str:
    cleaned = key.strip().strip("*").strip().rstrip(":").strip().lower()
    cleaned = re.sub(r"\s+", " ", cleaned)
    if cleaned in INFO_KEYS:
        return INFO_KEYS[cleaned]
    return re.sub(r"[^\w]+", "_", cleaned).strip("_")


def split_row(text: str) -> list[str]:
    body = text.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", body)]


def is_separator(cells: list[str]) -> bool:
    return bool(cells) and all(_SEPARATOR_CELL.match(cell) for cell in cells if cell) and any(cells)


def table_rows(table: Table) -> list[tuple[int, list[str]]]:
    """The table's rows as cell lists, separators dropped."""
    rows = []
    for line, text in table.lines:
        cells = split_row(text)
        if not is_separator(cells):
            rows.append((line, cells))
    return rows


def is_info_table(table: Table) -> bool:
    if "table-model" in table.attributes:
        return True
    return bool(table.section) and table.section.strip().lower().rstrip(":") in INFO_SECTIONS


def read_info_table(table: Table) -> InfoTable:
    rows: list[TableRow] = []
    for line, cells in table_rows(table):
        cells = [c for c in cells]
        if len(cells) < 2 or not cells[0]:
            continue
        key = cells[0]
        if key.lower() in {"key", "parameter", "property", "field"} and cells[1].lower() in {"value", "values"}:
            continue  # a header row
        rows.append(TableRow(key, normalize_info_key(key), cells[1], line))
    return InfoTable(rows, table.line, table.end_line, table.section)


_HEADING_INFO = re.compile(r"^([A-Za-z][\w ()]*?):\s*\*?([^*]+)\*?\s*$")


def _heading_info(title: str) -> re.Match | None:
    """``Key: *value*`` in a heading. The pattern's runs of blanks and non-stars can split a value every way (a
    heading of a few thousand blanks and one stray `*` took minutes); a star anywhere but first or last in the
    value can never match, so such a title is refused before the pattern runs, which is then linear."""
    colon = title.find(":")
    value = title[colon + 1:].strip() if colon >= 0 else ""
    if "*" in value[1:-1]:
        return None
    return _HEADING_INFO.match(title)


def read_heading_info(sections) -> InfoTable | None:
    """Old cards put metadata in headings ('## License: *Open Source*'); read those as an info table."""
    rows = []
    for section in sections:
        match = _heading_info(section.title)
        if match:
            key, value = match.groups()
            normalized = normalize_info_key(key)
            if normalized in set(INFO_KEYS.values()):
                rows.append(TableRow(key + ":", normalized, value.strip(), section.line))
    if len(rows) < 2:
        return None
    return InfoTable(rows, rows[0].line, rows[-1].line, None)


def read_presets(table: Table) -> list[Preset]:
    if not table.lines or "preset" not in table.lines[0][1].lower():
        return []
    rows = table_rows(table)
    if not rows:
        return []
    header = [c.lower() for c in rows[0][1]]
    if not header or "preset" not in header[0]:
        return []
    try:
        param_col = next(i for i, h in enumerate(header) if "param" in h)
    except StopIteration:
        param_col = None
    desc_col = next((i for i, h in enumerate(header) if "desc" in h), None)
    presets = []
    for line, cells in rows[1:]:
        if not cells or not cells[0]:
            continue
        presets.append(Preset(
            name=cells[0].strip("` "),
            parameters=cells[param_col] if param_col is not None and param_col < len(cells) else "",
            description=cells[desc_col] if desc_col is not None and desc_col < len(cells) else "",
            line=line,
        ))
    return presets


LABEL_SECTIONS = {"predicted entities", "included entities", "predicted labels", "labels", "included assertions",
                  "predicted classes", "classes", "entities", "included relations", "predicted relations"}

_BACKTICK = re.compile(r"`([^`]+)`")
_LIST_MARKER = re.compile(r"\s*+(?:[-*+]|\d++\.)(\s+)")


def _list_item(line: str) -> str | None:
    """The text of a list item, as ``^\\s*(?:[-*+]|\\d+\\.)\\s+(.+?)\\s*$`` read it, without that pattern's trial of
    every length of ``(.+?)`` against the blanks after it (quadratic in a line of spaced words)."""
    marker = _LIST_MARKER.match(line)
    if marker is None:
        return None
    text = line[marker.end():].rstrip()
    if text:
        return text
    blanks = marker.group(1)  # nothing but blanks after the marker: the pattern gives its last blank to (.+?)
    return blanks[-1] if len(blanks) > 1 else None


def read_labels(lines: list[str]) -> list[str]:
    """Labels as card authors write them: `a`, `b` / a bulleted list / 'A, B, C'. Prose gives no labels."""
    content = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith(("{:", "<", "{%", "[", "!["))]
    text = "\n".join(content)
    ticked = _BACKTICK.findall(text)
    if ticked:
        return _unique(label.strip() for label in ticked if label.strip())
    items = [item for ln in content if (item := _list_item(ln)) is not None]
    if items:
        labels = []
        for item in items:
            labels.extend(part.strip(" .`*") for part in item.split(",") if part.strip(" .`*"))
        return _unique(labels)
    if len(content) == 1:
        parts = [part.strip(" .`*") for part in re.split(r",|;", content[0])]
        if len(parts) > 1 and all(part and len(part.split()) <= 3 for part in parts):
            return _unique(parts)
        if len(parts) == 1 and parts[0] and " " not in parts[0]:
            return [parts[0]]
    return []


def _unique(values) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)
