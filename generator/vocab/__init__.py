"""Controlled vocabularies: languages, tasks, licenses, editions, engines, annotator classes, runtime names.

The words live in data files next to this module (``data/<kind>.yaml``); a catalog adds its own in the ``[vocab]``
table of modelhub.toml (``Vocabulary.from_config``) without touching the installed package. Languages also accept
every ISO 639-2/639-3 code and ISO 639-5 family code (``yue``, ``zle``) from pycountry's ISO 639 tables, the
retired ISO 639-1 ``bh`` (Bihari, still used by published models), ``xx`` and ``multilingual``. The checks use the
vocabulary of their run's configuration, and so do the site's facets and badges (``Vocabulary.name``). Every
lookup is case-insensitive and falls back to the value as written, so an unknown value still displays (and the
checks, not the site, complain about it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

KINDS = ("languages", "tasks", "licenses", "editions", "engines", "annotators", "runtimes")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_VERSION = re.compile(r"\s*v?\d+(?:\.\d+)*\+?\s*$")


def _read(kind: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data", f"{kind}.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_Loader) or {}
    if kind == "annotators":
        return {name: {"name": name, "group": group} for group, names in data.items() for name in names}
    return {str(key): value for key, value in data.items()}


@cache
def iso639() -> dict[str, str]:
    """Every ISO 639 code pycountry knows (639-1, 639-2/B, 639-3, 639-5) -> English name."""
    import pycountry

    codes: dict[str, str] = {}
    for language in pycountry.languages:
        for attribute in ("alpha_2", "alpha_3", "bibliographic"):
            code = getattr(language, attribute, None)
            if code:
                codes.setdefault(code, language.name)
    for family in pycountry.language_families:
        codes.setdefault(family.alpha_3, family.name)
    return codes


_UNSEEN = object()
_MAX_LOOKUPS = 100_000  # distinct spellings remembered (a catalog has a few hundred; a hostile one may have more)


class Vocabulary:
    """The shipped vocabularies plus a catalog's additions (``extra``: kind -> id -> entry)."""

    def __init__(self, extra: Mapping[str, Mapping[str, dict[str, Any]]] | None = None) -> None:
        self.extra = {kind: dict(entries) for kind, entries in (extra or {}).items()}
        self._loaded: dict[str, dict[str, Any]] = {}
        self._aliases: dict[str, dict[str, str]] = {}
        self._lookups: dict[tuple[str, str], str | None] = {}  # (kind, value as written) -> id, see ``lookup``

    @classmethod
    def from_config(cls, config: Any) -> Vocabulary:
        """The shipped words plus ``[vocab]`` of the configuration (``generator.settings.VocabSection``)::

            [vocab.languages]
            bho-x = "Bhojpuri (transliterated)"                # id = display name
            [vocab.tasks]
            icd-coding = { name = "ICD Coding", aliases = ["icd-10 coding"] }
            ner = "NER"                                        # a shipped word (any spelling): new name, spellings kept
            [vocab.annotators]
            Acme = ["AcmeTokenClassifier"]                     # group = [class names]

        The settings validate the table when the configuration is loaded (a ConfigError naming file and key).
        """
        table = config.settings.vocab if config is not None else None
        if table is None:
            return DEFAULT
        extra: dict[str, dict[str, dict[str, Any]]] = {}
        for kind in ("languages", "tasks", "licenses", "editions", "engines"):
            for key, value in getattr(table, kind).items():
                name, aliases = (value, []) if isinstance(value, str) else (value.name or key, list(value.aliases))
                extra.setdefault(kind, {})[key.strip()] = {"name": name, "aliases": aliases}
        for group, names in table.annotators.items():
            extra.setdefault("annotators", {}).update(
                {n.strip(): {"name": n.strip(), "group": group} for n in names if n.strip()})
        return cls(extra) if extra else DEFAULT

    def load(self, kind: str) -> dict[str, Any]:
        """The vocabulary ``kind`` as ``id -> entry`` (a dict with at least ``name``, except ``runtimes``).

        ``annotators`` maps each canonical class name to ``{"name": class, "group": group}``.
        """
        if kind not in KINDS:
            raise KeyError(f"unknown vocabulary {kind!r}; known: {', '.join(KINDS)}")
        if kind not in self._loaded:
            shipped = _shipped(kind)
            words = dict(shipped)
            for key, entry in self.extra.get(kind, {}).items():
                # a shipped word given again (by its id or any spelling) takes the new name and keeps its spellings
                target = key if key in shipped else DEFAULT.lookup(kind, key) or key
                before = words.get(target) or {}
                spellings = [before["name"]] if "name" in before else []
                spellings += [key] if target != key else []
                words[target] = {**before, **entry,
                                 "aliases": [*spellings, *before.get("aliases", ()), *entry.get("aliases", ())]}
            self._loaded[kind] = words
        return self._loaded[kind]

    def _index(self, kind: str) -> dict[str, str]:
        """Normalised spelling -> id, for ids, display names and aliases."""
        if kind not in self._aliases:
            index: dict[str, str] = {}
            for key, entry in self.load(kind).items():
                for spelling in (key, entry.get("name", key), *entry.get("aliases", ())):
                    index.setdefault(_key(spelling), key)
            self._aliases[kind] = index
        return self._aliases[kind]

    def lookup(self, kind: str, value: Any) -> str | None:
        """The id of ``value`` in vocabulary ``kind`` (any accepted spelling), or None when it is not in it.

        Remembered for strings: a catalog asks the same few languages, tasks and licenses of every card."""
        if type(value) is not str:
            return None if value is None else self._lookup(kind, value)
        known = self._lookups.get((kind, value), _UNSEEN)
        if known is _UNSEEN:
            known = self._lookup(kind, value)
            if len(self._lookups) < _MAX_LOOKUPS:
                self._lookups[(kind, value)] = known
        return known

    def _lookup(self, kind: str, value: Any) -> str | None:
        found = self._index(kind).get(_key(value))
        if found is None and kind == "editions":
            found = self._index(kind).get(_key(_VERSION.sub("", str(value))))
        if found is None and kind == "languages" and str(value).strip().lower() in iso639():
            found = str(value).strip().lower()
        return found

    def is_language_code(self, code: str) -> bool:
        """``code`` exactly as a language code is written (lower case): shipped, the catalog's, or ISO 639."""
        return code in self.load("languages") or code in iso639() or _key(code) == "multilingual"

    def name(self, kind: str, value: Any) -> str:
        key = self.lookup(kind, value)
        if key is None:
            return "" if value is None else str(value).strip()
        entry = self.load(kind).get(key)
        if entry is None and kind == "languages":
            return iso639()[key]
        return str(entry.get("name", key))

    def canonical_annotator(self, name: Any) -> str | None:
        """The canonical spelling of an annotator class (case-insensitive match), or None when it is not known."""
        if name is None:
            return None
        if "annotators_folded" not in self._aliases:
            self._aliases["annotators_folded"] = {n.lower(): n for n in self.load("annotators")}
        return self._aliases["annotators_folded"].get(str(name).strip().lower())

    def annotator_names(self) -> frozenset[str]:
        return frozenset(self.load("annotators"))


@cache
def _shipped(kind: str) -> dict[str, Any]:
    return _read(kind)


DEFAULT = Vocabulary()


def load(kind: str) -> dict[str, Any]:
    """The shipped vocabulary ``kind`` (see ``Vocabulary.load``)."""
    return DEFAULT.load(kind)


def _key(value: Any) -> str:
    return re.sub(r"[\s_\-]+", " ", str(value).strip().lower())


def lookup(kind: str, value: Any) -> str | None:
    """The id of ``value`` in the shipped vocabulary ``kind`` (any accepted spelling), or None."""
    return DEFAULT.lookup(kind, value)


def _name(kind: str, value: Any) -> str:
    return DEFAULT.name(kind, value)


def language_name(code: Any) -> str:
    """English name of an ISO 639 code (``xx`` is Multilingual): ``language_name("de") == "German"``,
    ``language_name("zle") == "East Slavic languages"``."""
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


def canonical_annotator(name: Any) -> str | None:
    """The canonical spelling of an annotator class (case-insensitive match), or None when it is not a known class.

    ``canonical_annotator("AlBertForSequenceClassification") == "AlbertForSequenceClassification"``.
    """
    return DEFAULT.canonical_annotator(name)


@cache
def annotator_names() -> frozenset[str]:
    """Every known annotator class name, canonical spelling."""
    return DEFAULT.annotator_names()


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
