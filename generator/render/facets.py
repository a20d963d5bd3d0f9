"""What a card contributes to each catalog facet: a stable key (for URLs) and a display name (for people).

Keys come from the controlled vocabularies in ``generator.vocab`` when a value is known there (so ``token
classification`` and ``ner`` land in one facet value), else from the value as written; display names always come
from the vocabulary, which falls back to the value itself. The vocabulary is passed in: the build gives the
catalog's (``Vocabulary.from_config``: the shipped words plus ``[vocab]`` of modelhub.toml, with their names).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..vocab import DEFAULT, Vocabulary
from ..records import RunStatus, status_of
from .families import family_key, family_of

FacetValue = tuple[str, str]  # (key, display name)


@dataclass(frozen=True)
class Facet:
    id: str  # the URL parameter
    label: str
    values: Callable[[dict[str, Any], Vocabulary], list[FacetValue]]


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "unknown"


def _known(words: Vocabulary, kind: str, value: Any) -> FacetValue | None:
    if value is None or not str(value).strip():
        return None
    key = words.lookup(kind, value) or _slug(str(value))
    return key, words.name(kind, value) or str(value)


def task_values(record: dict[str, Any], words: Vocabulary = DEFAULT) -> list[FacetValue]:
    return _unique([_known(words, "tasks", task) for task in record.get("task") or []])


def language_values(record: dict[str, Any], words: Vocabulary = DEFAULT) -> list[FacetValue]:
    value = record.get("language")
    if value is None:
        return []
    code = str(value).strip().strip("[]").strip()
    return _unique([_known(words, "languages", code)])


def edition_values(record: dict[str, Any], words: Vocabulary = DEFAULT) -> list[FacetValue]:
    """The product a model ships in (JSL edition) or, for other dialects, the framework it is written for."""
    edition = record.get("edition")
    if edition:
        return _unique([_known(words, "editions", edition)])
    front = record.get("front_matter") or {}
    library = front.get("library_name") if isinstance(front, dict) else None
    if library:
        return [(_slug(str(library)), str(library))]
    if record.get("dialect") == "keras":
        return [("keras-hub", "Keras Hub")]
    return []


def annotator_values(record: dict[str, Any], words: Vocabulary = DEFAULT) -> list[FacetValue]:
    annotator = record.get("annotator")
    if not annotator:
        return []
    name = words.canonical_annotator(annotator) or str(annotator).strip()
    return [(name.lower(), name)]


def engine_values(record: dict[str, Any], words: Vocabulary = DEFAULT) -> list[FacetValue]:
    return _unique([_known(words, "engines", record.get("engine"))])


def license_values(record: dict[str, Any], words: Vocabulary = DEFAULT) -> list[FacetValue]:
    value = record.get("license") or (record.get("info") or {}).get("license")
    return _unique([_known(words, "licenses", value)])


def status_values(record: dict[str, Any], words: Vocabulary = DEFAULT) -> list[FacetValue]:
    """Supported or deprecated, as the card says; and whether its checks pass."""
    values: list[FacetValue] = []
    front = record.get("front_matter") or {}
    if record.get("supported") is False or (isinstance(front, dict) and front.get("deprecated")):
        values.append(("deprecated", "Deprecated"))
    elif record.get("supported") is True:
        values.append(("supported", "Supported"))
    severities = {finding.get("severity") for finding in record.get("findings") or []}
    if "error" in severities:
        values.append(("check-errors", "Fails checks"))
    elif "warning" in severities:
        values.append(("check-warnings", "Passes with warnings"))
    else:
        values.append(("checks-pass", "Passes checks"))
    runs = record.get("runs") or {}
    if status_of(runs, RunStatus) is RunStatus.OK:
        values.append(("verified", "Results verified by a run"))
    return values


def family_values(record: dict[str, Any], words: Vocabulary = DEFAULT) -> list[FacetValue]:
    family = family_of(record)
    return [(family_key(family), family)] if family else []


FACETS: tuple[Facet, ...] = (
    Facet("task", "Task", task_values),
    Facet("language", "Language", language_values),
    Facet("edition", "Edition / framework", edition_values),
    Facet("annotator", "Annotator", annotator_values),
    Facet("family", "Family", family_values),
    Facet("engine", "Engine", engine_values),
    Facet("license", "License", license_values),
    Facet("status", "Status", status_values),
)


def _unique(values: list[FacetValue | None]) -> list[FacetValue]:
    seen: dict[str, FacetValue] = {}
    for value in values:
        if value is not None and value[0] not in seen:
            seen[value[0]] = value
    return list(seen.values())


def facet_values(record: dict[str, Any], words: Vocabulary = DEFAULT) -> dict[str, list[FacetValue]]:
    """Every facet's values for one record, by facet id, named by ``words``."""
    return {facet.id: facet.values(record, words) for facet in FACETS}
