"""Controlled vocabularies: languages, tasks, licenses, editions, engines, annotator classes, runtime names.

The words live in data files next to this module (``data/<kind>.yaml``) so a catalog maintainer can extend them
without touching code. The checks use them to validate cards; the site uses the ``*_name`` functions for facet
display names. Every lookup is case-insensitive and falls back to the value as written, so an unknown value still
displays (and the checks, not the site, complain about it).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

KINDS = ("languages", "tasks", "licenses", "editions", "engines", "annotators", "runtimes")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_VERSION = re.compile(r"\s*v?\d+(?:\.\d+)*\+?\s*$")


@cache
def load(kind: str) -> dict[str, Any]:
    """The vocabulary ``kind`` as ``id -> entry`` (a dict with at least ``name``, except ``runtimes``).

    ``annotators`` maps each canonical class name to ``{"name": class, "group": group}``.
    """
    if kind not in KINDS:
        raise KeyError(f"unknown vocabulary {kind!r}; known: {', '.join(KINDS)}")
    text = resources.files(__package__).joinpath("data", f"{kind}.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_Loader) or {}
    if kind == "annotators":
        return {name: {"name": name, "group": group} for group, names in data.items() for name in names}
    return {str(key): value for key, value in data.items()}


def _key(value: Any) -> str:
    return re.sub(r"[\s_\-]+", " ", str(value).strip().lower())


@cache
def _aliases(kind: str) -> dict[str, str]:
    """Normalised spelling -> id, for ids, display names and aliases."""
    index: dict[str, str] = {}
    for key, entry in load(kind).items():
        for spelling in (key, entry.get("name", key), *entry.get("aliases", ())):
            index.setdefault(_key(spelling), key)
    return index


def lookup(kind: str, value: Any) -> str | None:
    """The id of ``value`` in vocabulary ``kind`` (any accepted spelling), or None when it is not in it."""
    if value is None:
        return None
    found = _aliases(kind).get(_key(value))
    if found is None and kind == "editions":
        found = _aliases(kind).get(_key(_VERSION.sub("", str(value))))
    return found


def _name(kind: str, value: Any) -> str:
    key = lookup(kind, value)
    if key is None:
        return "" if value is None else str(value).strip()
    return str(load(kind)[key].get("name", key))


def language_name(code: Any) -> str:
    """English name of an ISO 639-1 code (``xx`` is Multilingual): ``language_name("de") == "German"``."""
    return _name("languages", str(code).strip().strip("[]").strip() if code is not None else code)


def task_name(value: Any) -> str:
    """Display name of a task in any accepted spelling: ``task_name("token-classification")``."""
    return _name("tasks", value)


def license_name(value: Any) -> str:
    """Display name of a license: ``license_name("open source") == "Open Source"``."""
    return _name("licenses", value)


def edition_name(value: Any) -> str:
    """Product name of an edition, without its version: ``edition_name("Spark NLP 5.4.2") == "Spark NLP"``."""
    return _name("editions", value)


def edition_version(value: Any) -> str | None:
    """The version in an edition string: ``edition_version("Spark NLP 5.4.2") == "5.4.2"``; None without one."""
    match = re.search(r"(\d+(?:\.\d+)+|\d+)\+?\s*$", str(value or ""))
    return match.group(1) if match else None


def engine_name(value: Any) -> str:
    """Display name of an inference engine: ``engine_name("openvino") == "OpenVINO"``."""
    return _name("engines", value)


@cache
def _annotators_folded() -> dict[str, str]:
    return {name.lower(): name for name in load("annotators")}


def canonical_annotator(name: Any) -> str | None:
    """The canonical spelling of an annotator class (case-insensitive match), or None when it is not a known class.

    ``canonical_annotator("AlBertForSequenceClassification") == "AlbertForSequenceClassification"``.
    """
    if name is None:
        return None
    return _annotators_folded().get(str(name).strip().lower())


@cache
def annotator_names() -> frozenset[str]:
    """Every known annotator class name, canonical spelling."""
    return frozenset(load("annotators"))


@cache
def runtime_names(runtime: str) -> frozenset[str]:
    """Names a snippet may use without defining them when it runs on ``runtime`` (see data/runtimes.yaml)."""
    entry = load("runtimes").get(runtime) or {}
    names = set(entry.get("names", ()))
    if entry.get("annotators"):
        names |= annotator_names()
    return frozenset(names)


def renamed_modules() -> dict[str, str]:
    """Modules that were renamed: old name -> new name (``keras_nlp`` -> ``keras_hub``)."""
    return dict(load("runtimes").get("renamed_modules", {}).get("names", {}))
