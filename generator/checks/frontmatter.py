"""Front-matter rules (MH1xx): required keys per dialect, value types, dates, vocabularies, unknown keys."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import vocab
from ..card import Card
from .registry import Finding, rule
from .schema import fields_for, known_keys, required_keys, type_validator, types_certainly_valid
from .util import as_items, card_date, did_you_mean, is_empty, key_line, plain

FAMILY = "front matter"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?$")
_FILE_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")
_FILE_DATE_LIKE = re.compile(r"^(\d{2,4})[-_.]+(\d{1,2})[-_.]+(\d{1,2})[-_.]")
_TYPE_NAMES = {"string": "text", "array": "a list", "object": "a mapping", "boolean": "true or false",
               "number": "a number", "integer": "a whole number"}


@rule("MH101", "missing-required-field", FAMILY, "error", "a required front-matter field is missing or empty",
      "add the key with a value; see `modelhub schema` for what each dialect requires")
def missing_required(card: Card, context) -> Iterator[Finding]:
    if card.front_matter_span is None:
        return  # MH001 already says there is no front matter
    for key in required_keys(card.dialect, card.front_matter):
        value = card.front_matter.get(key)
        if key == "annotator" and is_empty(value):
            value = card.front_matter.get("class")
        if is_empty(value):
            state = "is empty" if key in card.front_matter else "is missing"
            yield missing_required.rule.finding(
                card.path, key_line(card, key), f"required field `{key}` {state} ({card.dialect} card)")


def _describe(schema_types: Any) -> str:
    if isinstance(schema_types, str):
        return _TYPE_NAMES.get(schema_types, schema_types)
    return " or ".join(_TYPE_NAMES.get(t, t) for t in schema_types)


def _raw_value(card: Card, key: str) -> str | None:
    line = card.key_lines.get(key)
    if not line:
        return None
    text = card.text.splitlines()[line - 1]
    return text.split(":", 1)[1].strip() if ":" in text else None


@rule("MH102", "wrong-type", FAMILY, "error", "a front-matter value has the wrong type",
      "write the value in the type the schema gives (`modelhub schema`); quote text YAML would read otherwise")
def wrong_type(card: Card, context) -> Iterator[Finding]:
    data = card.front_matter
    if not data:
        return
    if types_certainly_valid(card.dialect, data):
        yield from _numeric_versions(card)
        return
    validator = type_validator(card.dialect)
    for error in validator.iter_errors(data):
        if not error.path:
            continue
        key = str(error.path[0])
        value = data.get(key)
        if value is None:
            continue  # empty values are MH101's business when required, harmless otherwise
        line = key_line(card, key)
        if error.validator == "anyOf" and error.context:  # a list item is wrong: report the deepest cause
            deepest = max(error.context, key=lambda e: len(e.absolute_path))
            if len(deepest.absolute_path) > 1:
                error = deepest
        if isinstance(value, bool) and key in ("language", "name", "title", "task"):
            raw = _raw_value(card, key) or str(value).lower()
            yield wrong_type.rule.finding(
                card.path, line, f"`{key}: {raw}` is read by YAML as the boolean {str(value).lower()}",
                f"quote it: {key}: \"{raw}\"")
            continue
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in list(error.absolute_path)[1:])
        if isinstance(error.instance, bool) and where:
            yield wrong_type.rule.finding(
                card.path, line, f"`{key}{where}` is read by YAML as the boolean {str(error.instance).lower()}",
                "quote it, e.g. \"false\" (front matter is YAML 1.2: only true and false are booleans)")
            continue
        expected = error.validator_value if error.validator == "type" else (
            [s.get("type") for s in error.schema.get("anyOf", []) if s.get("type")] or "a valid value")
        yield wrong_type.rule.finding(
            card.path, line, f"`{key}{where}` should be {_describe(expected)}, not {type(error.instance).__name__}"
            f" ({error.instance!r})")
    yield from _numeric_versions(card)


def _numeric_versions(card: Card) -> Iterator[Finding]:
    """`spark_version: 3.10` reads as the float 3.1: the version the author wrote is lost."""
    data = card.front_matter
    for key in ("spark_version", "edition"):
        value = data.get(key)
        if not isinstance(value, float):
            continue
        raw = _raw_value(card, key)
        if raw and raw.strip("'\"") != repr(value):
            yield wrong_type.rule.finding(
                card.path, key_line(card, key), f"`{key}: {raw}` is read by YAML as the number {value!r}",
                f"quote it: {key}: \"{raw}\"")


@rule("MH103", "invalid-date", FAMILY, "error", "the date is not a valid calendar date",
      "write the date as YYYY-MM-DD, e.g. 2024-08-24")
def invalid_date(card: Card, context) -> Iterator[Finding]:
    if "date" not in card.front_matter or is_empty(card.front_matter.get("date")):
        return
    if card_date(card) is None:
        raw = card.front_matter.get("date")
        yield invalid_date.rule.finding(card.path, key_line(card, "date"), f"date {raw!r} is not a valid date")


@rule("MH104", "date-not-iso", FAMILY, "warning", "the date is not written as YYYY-MM-DD",
      "rewrite it as YYYY-MM-DD (`modelhub fix` does this); day/month order is ambiguous otherwise")
def date_not_iso(card: Card, context) -> Iterator[Finding]:
    raw = card.front_matter.get("date")
    if raw is None or isinstance(raw, (dt.date, dt.datetime)) or card_date(card) is None:
        return
    text = str(raw).strip()
    if not _ISO_DATE.match(text):
        yield date_not_iso.rule.finding(
            card.path, key_line(card, "date"), f"date {text!r} is not in YYYY-MM-DD form (read as "
            f"{card_date(card).isoformat()})", f"write `date: {card_date(card).isoformat()}`",
            fix=(text, card_date(card).isoformat()))


def file_date(path: str) -> tuple[dt.date | None, bool]:
    """The date prefix of a Jekyll post name (date, well-formed); (None, False) when there is none."""
    name = Path(path).name
    match = _FILE_DATE.match(name)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups())), True
        except ValueError:
            return None, False
    return None, False


@rule("MH105", "date-disagrees-with-file-name", FAMILY, "warning",
      "the front-matter date differs from the date in the file name",
      "make the `date` and the file name's YYYY-MM-DD prefix the same")
def date_vs_file_name(card: Card, context) -> Iterator[Finding]:
    stamped, ok = file_date(card.path)
    if not ok or card_date(card) is None or stamped == card_date(card):
        return
    yield date_vs_file_name.rule.finding(
        card.path, key_line(card, "date"),
        f"date {card_date(card).isoformat()} differs from the file name's date {stamped.isoformat()}")


@rule("MH106", "malformed-file-name-date", FAMILY, "warning",
      "the file name starts with a malformed or impossible date",
      "name the file YYYY-MM-DD-<name>_<lang>.md (Jekyll only publishes posts with a valid date prefix)")
def malformed_file_date(card: Card, context) -> Iterator[Finding]:
    name = Path(card.path).name
    if _FILE_DATE.match(name):
        stamped, ok = file_date(card.path)
        if not ok:
            yield malformed_file_date.rule.finding(card.path, 1, f"file name {name!r} starts with an impossible date")
        return
    match = _FILE_DATE_LIKE.match(name)
    if match and len(match.group(1)) == 4:
        expected = card_date(card).isoformat() if card_date(card) else "YYYY-MM-DD"
        yield malformed_file_date.rule.finding(
            card.path, 1, f"file name {name!r} starts with a malformed date prefix",
            f"rename the file to start with {expected}-")


def lost_indentation(card: Card) -> dict[str, str]:
    """Keys that look like children of the mapping key just above them whose indentation was lost.

    ``article_header:`` with no value followed by a top-level ``type: cover`` is the real-world case.
    Returns child key -> parent key.
    """
    fields = fields_for(card.dialect)
    known = known_keys(card.dialect)
    lines = sorted((line, key) for key, line in card.key_lines.items())
    out: dict[str, str] = {}
    for (line, key), (next_line, next_key) in zip(lines, lines[1:]):
        field = fields.get(key)
        if field is None or field.schema.get("type") != "object" or card.front_matter.get(key) is not None:
            continue
        if next_key not in known and next_line == line + 1:
            out[next_key] = key
    return out


@rule("MH107", "unknown-key", FAMILY, "warning", "front-matter key is not part of the schema",
      "check the spelling; `modelhub schema` lists the known keys")
def unknown_key(card: Card, context) -> Iterator[Finding]:
    if card.dialect in ("huggingface",) or not card.front_matter:
        return  # Hugging Face metadata is open-ended
    known = known_keys(card.dialect)
    claimed = lost_indentation(card)
    for key in card.front_matter:
        if key in known or key in claimed:
            continue
        suggestion = did_you_mean(key, known, 0.7)
        line = key_line(card, key)
        if suggestion:
            yield unknown_key.rule.finding(card.path, line, f"unknown key `{key}`; did you mean `{suggestion}`?",
                                           f"rename `{key}` to `{suggestion}`")
        else:
            yield unknown_key.rule.finding(card.path, line, f"unknown key `{key}` for a {card.dialect} card",
                                           "remove it, or keep it knowing the catalog ignores it", severity="info")


@rule("MH108", "unknown-language", FAMILY, "error", "the language is not an ISO 639 code (or `xx`, `multilingual`)",
      "use an ISO 639 code such as `en` (639-1), `yue` (639-3) or `zle` (639-5), `xx`/`multilingual` for many "
      "languages, or add the catalog's own code under [vocab.languages] in modelhub.toml")
def unknown_language(card: Card, context) -> Iterator[Finding]:
    value = card.front_matter.get("language")
    if value is None or isinstance(value, bool):
        return  # missing: MH101; a YAML boolean is `true`/`false` written as a language: MH102
    words = _vocab(context)
    for code in (value if isinstance(value, list) else [value]):
        text = str(code).strip()
        if text and not words.is_language_code(text):
            lowered = text.lower()
            hint = f"write `{lowered}`" if words.is_language_code(lowered) else None
            by_name = next((k for k, e in words.load("languages").items() if e["name"].lower() == lowered), None)
            if by_name:
                hint = f"use the code `{by_name}` ({words.name('languages', by_name)})"
            yield unknown_language.rule.finding(card.path, key_line(card, "language"),
                                                f"`{text}` is not a known language code", hint)


def _vocab(context) -> vocab.Vocabulary:
    """The run's vocabularies (shipped plus the configuration's [vocab]); the shipped ones without a context."""
    return getattr(context, "vocab", None) or vocab.DEFAULT


def _vocabulary_rule(code: str, name: str, kind: str, key: str, label: str):
    @rule(code, name, FAMILY, "warning", f"the {label} is not in the controlled vocabulary",
          f"use one of the known {label}s (`modelhub schema`), or add the catalog's own under [vocab.{kind}] in "
          "modelhub.toml")
    def check(card: Card, context) -> Iterator[Finding]:
        value = card.front_matter.get(key)
        if value is None or isinstance(value, (dict, bool)):
            return
        items = value if isinstance(value, list) else [value]
        for item in items:
            text = plain(str(item))
            if not text or _vocab(context).lookup(kind, text) is not None:
                continue
            choices = [e.get("name", k) for k, e in _vocab(context).load(kind).items()]
            suggestion = did_you_mean(text, choices, 0.6)
            message = f"{label} `{text}` is not a known {label}" + (f"; did you mean `{suggestion}`?"
                                                                    if suggestion else "")
            yield check.rule.finding(card.path, key_line(card, key), message,
                                     f"write `{key}: {suggestion}`" if suggestion else None)

    check.__name__ = name.replace("-", "_")
    return check


unknown_task = _vocabulary_rule("MH109", "unknown-task", "tasks", "task", "task")
unknown_engine = _vocabulary_rule("MH112", "unknown-engine", "engines", "engine", "engine")


@rule("MH110", "unknown-license", FAMILY, "warning", "the license is not a known license or is misspelt",
      "use a known license name (generator/vocab/data/licenses.yaml), e.g. `Open Source`, `Licensed`, `apache-2.0`")
def unknown_license(card: Card, context) -> Iterator[Finding]:
    places: list[tuple[str, int]] = []
    if isinstance(card.front_matter.get("license"), str):
        places.append((card.front_matter["license"], key_line(card, "license")))
    row = card.info.row("license") if card.info else None
    if row is not None and row.value.strip():
        places.append((row.value, row.line))
    choices = [e.get("name", k) for k, e in _vocab(context).load("licenses").items()]
    for value, line in places:
        text = plain(value)
        if not text or _vocab(context).lookup("licenses", text) is not None:
            continue
        suggestion = did_you_mean(text, choices, 0.75)
        yield unknown_license.rule.finding(
            card.path, line, f"license `{text}` is not a known license" + (
                f"; did you mean `{suggestion}`?" if suggestion else ""),
            f"write `{suggestion}`" if suggestion else None, severity=None if suggestion else "info")


@rule("MH111", "invalid-edition", FAMILY, "warning", "the edition is not a known product with a version",
      "write the product and the library version, e.g. `edition: Spark NLP 5.4.2`")
def invalid_edition(card: Card, context) -> Iterator[Finding]:
    value = card.front_matter.get("edition")
    if not isinstance(value, str) or not value.strip():
        return
    line = key_line(card, "edition")
    if _vocab(context).lookup("editions", value) is None:
        choices = [e["name"] for e in _vocab(context).load("editions").values()]
        product = re.sub(r"\s*v?\d+(\.\d+)*\+?\s*$", "", value)
        suggestion = did_you_mean(product, choices, 0.6)
        yield invalid_edition.rule.finding(card.path, line, f"edition `{value}` names no known product" + (
            f"; did you mean `{suggestion}`?" if suggestion else ""))
    elif vocab.edition_version(value) is None:
        yield invalid_edition.rule.finding(card.path, line, f"edition `{value}` has no library version")


def _annotator_values(card: Card) -> list[tuple[str, str, int]]:
    """(where, class name, line) for the front-matter annotator/class keys and the table's Model Class row."""
    out = []
    for key in ("annotator", "class"):
        value = card.front_matter.get(key)
        if isinstance(value, str) and value.strip():
            out.append((f"`{key}`", value.strip(), key_line(card, key)))
    row = card.info.row("model_class") if card.info else None
    if row is not None and plain(row.value):
        out.append(("Model Class", plain(row.value), row.line))
    return out


@rule("MH113", "annotator-spelling", FAMILY, "warning", "annotator class name is not spelt as the library spells it",
      "use the canonical class name; the misspelt one does not exist in the library and splits the catalog's facets")
def annotator_spelling(card: Card, context) -> Iterator[Finding]:
    for where, value, line in _annotator_values(card):
        canonical = _vocab(context).canonical_annotator(value)
        if canonical and canonical != value:
            yield annotator_spelling.rule.finding(
                card.path, line, f"{where} `{value}` should be spelt `{canonical}`", f"write `{canonical}`",
                fix=(value, canonical))


@rule("MH114", "unknown-annotator", FAMILY, "info", "annotator class is not in the known class list",
      "check the class name; if it is right, add it under [vocab.annotators] in modelhub.toml")
def unknown_annotator(card: Card, context) -> Iterator[Finding]:
    words = _vocab(context)
    for where, value, line in _annotator_values(card):
        if words.canonical_annotator(value) is not None:
            continue
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]+", value):
            continue
        suggestion = did_you_mean(value, words.annotator_names(), 0.85)
        if suggestion:
            yield unknown_annotator.rule.finding(
                card.path, line, f"{where} `{value}` is not a known class; did you mean `{suggestion}`?",
                f"write `{suggestion}`", severity="warning")
        else:
            yield unknown_annotator.rule.finding(card.path, line, f"{where} `{value}` is not a known class")


@rule("MH115", "lost-indentation", FAMILY, "warning", "a nested front-matter key lost its indentation",
      "indent the child key under its parent (two spaces)")
def lost_indentation_rule(card: Card, context) -> Iterator[Finding]:
    for child, parent in lost_indentation(card).items():
        yield lost_indentation_rule.rule.finding(
            card.path, key_line(card, child),
            f"`{parent}:` is empty and `{child}` follows at the top level; `{child}` was probably meant to be "
            f"indented under `{parent}`", f"write `{parent}:` then `  {child}: ...` on the next line")


_STEM_PREFIX = re.compile(r"^\d{4}-+\d{1,2}-+\d{1,2}-")


@rule("MH116", "name-disagrees-with-file-name", FAMILY, "warning",
      "the model name and language do not match the file name",
      "name the file YYYY-MM-DD-<name>_<lang>.md, with the card's `name` and `language`")
def name_vs_file_name(card: Card, context) -> Iterator[Finding]:
    if card.dialect != "jsl" or not card.name:
        return
    stem = Path(card.path).stem
    if not _STEM_PREFIX.match(stem):
        return
    rest = _STEM_PREFIX.sub("", stem)
    if not re.fullmatch(r"[a-z0-9_]+", rest) or not re.fullmatch(r"[A-Za-z0-9_]+", card.name):
        return  # titled file names (`Explain-Document.md`) follow no scheme
    language = card.language if card.language and not isinstance(card.front_matter.get("language"), bool) else None
    expected = {card.name.lower()} | ({f"{card.name}_{language}".lower()} if language else set())
    if rest.lower() in expected:
        return
    shown = f"{card.name}_{language}" if language else card.name
    yield name_vs_file_name.rule.finding(
        card.path, key_line(card, "name"), f"file name `{Path(card.path).name}` does not match the card's "
        f"name `{card.name}`" + (f" and language `{language}`" if language else ""),
        f"rename the file to end in `{shown}.md`, or fix `name`")


__all__ = ["as_items"]
