"""Round-trip editing: change one block of a card and leave every other byte exactly as it was.

Each function takes a parsed ``Card`` and returns the new file content as bytes; writing it to disk (atomically)
is the caller's job, so these stay pure and testable.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .model import Card, Span


def serialize(card: Card) -> bytes:
    """The card as bytes. Without edits this is the source, byte for byte."""
    return card.source


def replace_span(card: Card, span: Span, new_text: str) -> bytes:
    start, end = span
    text = card.editable_text()
    return (text[:start] + new_text + text[end:]).encode("utf-8", "surrogateescape")


def _newline(card: Card) -> str:
    return "\r\n" if "\r\n" in card.text[:4096] else "\n"


def replace_results(card: Card, output: str, language: str = "") -> bytes:
    """Put ``output`` in the card's Results block.

    A fenced Results block keeps its fence and language; a prose Results section becomes a fenced block; a card
    without one gets a ``## Results`` section before Model Information (or at the end).
    """
    nl = _newline(card)
    body = output.replace("\r\n", "\n").rstrip("\n").replace("\n", nl) + nl
    fence = "````" if "```" in output else "```"
    block = card.results
    if block is not None and block.language is not None:
        return replace_span(card, block.span, body)
    if block is not None:
        return replace_span(card, block.span, f"{nl}{fence}{language}{nl}{body}{fence}{nl}{nl}")
    section = card.section("Model Information", "Model Parameters", "Data Source", "Benchmarking")
    new_section = f"## Results{nl}{nl}{fence}{language}{nl}{body}{fence}{nl}{nl}"
    if section is not None:
        start = section.span[0]
        # keep a kramdown attribute line that belongs to the next heading (e.g. "{:.model-param}") after us
        before = card.text[:start]
        prev_line_start = before.rstrip("\r\n").rfind("\n") + 1
        if before[prev_line_start:].strip().startswith("{:"):
            start = prev_line_start
        return replace_span(card, (start, start), new_section)
    text = card.text
    prefix = "" if text.endswith(("\n", "\r")) or not text else nl
    return replace_span(card, (len(text), len(text)), f"{prefix}{nl}{new_section}".rstrip("\r\n") + nl)


def format_yaml_scalar(value: Any) -> str:
    """One YAML value in flow style, the way a person would type it (no document markers)."""
    if isinstance(value, str) and re.fullmatch(r"[\w][\w .,/+()\-]*", value) and value.lower() not in {
        "true", "false", "yes", "no", "null", "on", "off", "~"
    } and not re.fullmatch(r"[\d.\-+e]+", value):
        return value
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    if dumped.endswith("\n..."):
        dumped = dumped[: -len("\n...")]
    if dumped.endswith("..."):
        dumped = dumped[:-3].strip()
    return dumped


def set_front_matter_value(card: Card, key: str, value: Any) -> bytes:
    """Set one top-level front-matter key, rewriting only that key's value (or appending the key at the end)."""
    if card.front_matter_span is None:
        raise ValueError(f"{card.path}: card has no front matter to edit")
    start, end = card.front_matter_span
    yaml_text = card.text[start:end]
    nl = _newline(card)
    rendered = format_yaml_scalar(value)
    match = re.search(rf"^{re.escape(key)}[ \t]*:([^\r\n]*)", yaml_text, re.MULTILINE)
    if match is None:
        insertion = f"{key}: {rendered}{nl}"
        if yaml_text and not yaml_text.endswith("\n"):
            insertion = nl + insertion
        return replace_span(card, (end, end), insertion)
    value_start = start + match.start(1)
    value_end = start + match.end(1)
    if match.group(1).strip() == "":  # a block value continues on the following indented lines
        continuation = re.match(r"(?:\r?\n(?:[ \t]+|-)[^\r\n]*)*", card.text[value_end:end])
        value_end += len(continuation.group(0)) if continuation else 0
    comment = re.search(r"[ \t]+#[^\r\n]*$", match.group(1))
    suffix = comment.group(0) if comment else ""
    return replace_span(card, (value_start, value_end), f" {rendered}{suffix}")


BENCHMARK_TITLES = ("Benchmarking", "Benchmark", "Benchmarks", "Benchmarking Results", "Evaluation Results")


def replace_benchmark(card: Card, text: str, language: str = "bash") -> bytes:
    """Put ``text`` in the card's Benchmarking block, the way ``replace_results`` does for Results.

    A fenced block keeps its fence and language; a prose/table block or an empty Benchmarking section becomes a
    fenced block; a card without one gets a ``## Benchmarking`` section at the end.
    """
    nl = _newline(card)
    body = text.replace("\r\n", "\n").rstrip("\n").replace("\n", nl) + nl
    fence = "````" if "```" in text else "```"
    block = card.benchmark
    if block is not None and block.span is not None and block.language is not None:
        return replace_span(card, block.span, body)
    fenced = f"{nl}{fence}{language}{nl}{body}{fence}{nl}{nl}"
    if block is not None and block.span is not None:
        return replace_span(card, block.span, fenced)
    section = card.section(*BENCHMARK_TITLES)
    if section is not None:
        return replace_span(card, section.body_span, fenced)
    existing = card.text
    prefix = "" if existing.endswith(("\n", "\r")) or not existing else nl
    addition = f"{prefix}{nl}## Benchmarking{nl}{nl}{fence}{language}{nl}{body}{fence}{nl}"
    return replace_span(card, (len(existing), len(existing)), addition)
