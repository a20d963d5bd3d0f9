"""Artifact rules (MH5xx): the card's numbers against the artifact its Download link serves.

Every rule reads ``context.facts`` (the artifacts stage's ``records.ArtifactRecord``) and names both values and
where each came from: the card line, and the file inside the artifact (``facts.origin``) plus the URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..card import Card
from ..card.declared import artifact_url, declared_sha256
from ..records import ArtifactRecord, ArtifactStatus
from .registry import Finding, rule
from .util import as_bool, key_line, plain, same_version

FAMILY = "artifacts"

UNREACHABLE = {"unreachable", "timeout", "http", "redirects", "forbidden"}
UNREADABLE = {"bad-archive", "bad-format", "truncated", "too-large", "checksum", "range-ignored", "internal"}

DECIMAL = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
BINARY = {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}
_SIZE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([KMGT]?i?B)\s*$", re.IGNORECASE)
_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMBGT]?)\s*$", re.IGNORECASE)
_COUNT_UNITS = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "G": 10**9, "T": 10**12}
_SET_CASE = re.compile(r"setCaseSensitive\(\s*(true|false)\s*\)", re.IGNORECASE)
_SET_LENGTH = re.compile(r"setMaxSentenceLength\(\s*(\d+)\s*\)")


# ---- helpers: reading both sides --------------------------------------------------------------------------------
def _ok(facts: ArtifactRecord | None) -> bool:
    return facts is not None and facts.ok


def _from(facts: ArtifactRecord, name: str) -> str:
    """Where the artifact's value came from, e.g. 'config.json (id2label) in http://host/model.zip'."""
    origin = facts.origin.get(name)
    return f"{origin} in {facts.where}" if origin else f"{facts.where}"


def _row(card: Card, key: str):
    return card.info.row(key) if card.info else None


def parse_size(text: str) -> tuple[float, str, int] | None:
    """'44.9 MB' -> (44.9, 'MB', 1 decimal); '1.2 GiB' -> (1.2, 'GIB', 1); None when it is not a size."""
    match = _SIZE.match(plain(text))
    if not match:
        return None
    unit = match.group(2).upper()
    if unit not in DECIMAL and unit not in BINARY:
        return None
    number = match.group(1).replace(",", ".")
    return float(number), unit, len(number.partition(".")[2])


def size_matches(text: str, actual: int) -> str | None:
    """Which convention makes ``text`` agree with ``actual`` bytes: 'decimal', 'binary', or None.

    A written size agrees when the actual size rounds to it at the precision written (44.9 MB covers
    44.85-44.95 MB). "MB" is ambiguous in practice (many tools print MiB as MB), so both conventions are tried."""
    parsed = parse_size(text)
    if parsed is None:
        return None
    value, unit, decimals = parsed
    half_step = 0.5 * 10 ** -decimals
    tried = [("binary", BINARY[unit])] if unit in BINARY else [("decimal", DECIMAL[unit])]
    if unit in DECIMAL and unit != "B":
        tried.append(("binary", BINARY[unit[0] + "IB"]))
    for name, factor in tried:
        if abs(actual / factor - value) <= half_step + 1e-9:
            return name
    return None


def parse_count(text: str) -> tuple[int, int] | None:
    """'11.68M' -> (11_680_000, 5_000): the value and the rounding half-step its written precision allows."""
    match = _COUNT.match(plain(text).replace(",", ""))
    if not match:
        return None
    number, unit = match.group(1), match.group(2).upper()
    factor = _COUNT_UNITS[unit]
    decimals = len(number.split(".")[1]) if "." in number else 0
    return int(float(number) * factor), int(0.5 * 10 ** -decimals * factor)


def size_agrees(text: str, actual: int) -> bool | None:
    """MH504's verdict on a written size: a byte count must be exact, a size with a unit must round to the
    artifact's at the precision written (decimal or binary units); None when ``text`` is not a size."""
    if text.strip().isdigit():
        return int(text) == actual
    if parse_size(text) is None:
        return None
    return size_matches(text, actual) is not None


def count_agrees(text: str, actual: int) -> bool | None:
    """MH511's verdict on a written parameter count ('11.68M' covers 11,675,000-11,685,000); None when ``text``
    is not a count."""
    parsed = parse_count(text)
    if parsed is None:
        return None
    value, half_step = parsed
    return abs(int(actual) - value) <= half_step


def case_agrees(text: str, actual: bool) -> bool | None:
    """MH508's verdict on a written case sensitivity; None when ``text`` is not a yes/no."""
    claimed = as_bool(text)
    return None if claimed is None else claimed == bool(actual)


def length_agrees(value: str | int, actual: int | float, exact: bool) -> bool | None:
    """MH509's verdict on a written max sentence length: a saved Spark NLP parameter (``exact``) must be the card's,
    any other model's limit at least the card's; None when ``value`` is not a number."""
    written = str(value) if isinstance(value, int) else plain(value)
    if not re.fullmatch(r"\d+", written):
        return None
    return int(written) == int(actual) if exact else int(written) <= int(actual)


def dimension_agrees(text: str, actual: int | float) -> bool | None:
    """MH510's verdict on a written embedding dimension (its first number); None when it has no number."""
    match = re.search(r"\d+", text)
    return None if match is None else int(match.group(0)) == int(actual)


def sha256_agrees(declared: str, actual: str) -> bool:
    """MH505's verdict: the same digest, whatever the letter case."""
    return plain(declared).lower() == actual.lower()


def class_agrees(declared: str, facts: ArtifactRecord) -> bool:
    """MH506's verdict: the card names the artifact's class or one of its architectures, letter for letter."""
    return plain(declared) in [facts.class_name, *facts.architectures]


def labels_agree(declared: list[str], actual: tuple[Any, ...]) -> bool:
    """MH507's verdict: the same labels (the order is a separate, softer finding)."""
    return {plain(label) for label in declared} == {str(label) for label in actual}


def spark_version_agrees(declared: str, actual: str) -> bool:
    """MH512's verdict: the same major.minor ('3.0' agrees with '3.0.2': a card states major.minor, Spark writes the
    full version)."""
    a, b = re.findall(r"\d+", declared), re.findall(r"\d+", actual)
    width = min(len(a), len(b), 2) or 1
    return a[:width] == b[:width]


def row_agrees(fact: str, text: str | None, facts: ArtifactRecord) -> bool | None:
    """The artifact rules' verdict on a Model Information value against the artifact's ``fact`` (the model page
    shows it beside the row, so the page and the rules never disagree); None when they cannot be compared."""
    actual = getattr(facts, fact, None)
    if actual is None or text is None:
        return None
    if fact == "size":
        return size_agrees(text, int(actual))
    if fact == "parameters":
        return count_agrees(text, int(actual))
    if fact == "case_sensitive":
        return case_agrees(text, actual)
    if fact == "max_sentence_length":
        return length_agrees(text, actual, exact=facts.format == "spark-nlp")
    if fact == "dimension":
        return dimension_agrees(text, actual)
    if fact == "sha256":
        return sha256_agrees(text, actual)
    if fact == "class_name":
        return class_agrees(text, facts)
    if fact == "labels":
        written = [part.strip("`'\"") for part in re.split(r"[,\s]+", plain(text).strip("[] "))]
        return labels_agree([label for label in written if label], actual)
    if fact == "spark_version":
        return spark_version_agrees(text, actual)
    return None


def _human(size: int) -> str:
    return f"{size:,} bytes ({size / 10**6:.2f} MB = {size / 2**20:.2f} MiB)"


# ---- reachability -----------------------------------------------------------------------------------------------
@rule("MH500", "artifact-not-verified", FAMILY, "info",
      "the artifact was not checked (offline with no mirror or cached copy)",
      "add a [tool.modelhub.mirrors] entry for the URL, or run once online to fill the artifact cache",
      needs=("facts",))
def artifact_not_verified(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    if facts.status is ArtifactStatus.NOT_CHECKED:
        yield artifact_not_verified.rule.finding(card.path, _url_line(card), facts.error)


@rule("MH501", "artifact-not-found", FAMILY, "error", "the Download link points at nothing",
      "fix the Download link (or the mirror folder), or publish the artifact at that URL", needs=("facts",))
def artifact_not_found(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    if facts.status is ArtifactStatus.ERROR and facts.error_kind in {"not-found", "bad-url"}:
        yield artifact_not_found.rule.finding(card.path, _url_line(card), f"Download artifact not found: "
                                                                          f"{facts.error}")


@rule("MH502", "artifact-unreachable", FAMILY, "warning", "the artifact's server could not be reached",
      "check the host and your network; retry later, or configure a mirror for air-gapped builds",
      needs=("facts",))
def artifact_unreachable(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    if facts.status is ArtifactStatus.ERROR and facts.error_kind in UNREACHABLE:
        yield artifact_unreachable.rule.finding(card.path, _url_line(card), f"artifact not verified: "
                                                                            f"{facts.error}")


@rule("MH503", "artifact-unreadable", FAMILY, "error", "the artifact was reached but could not be read",
      "re-upload the artifact (it is truncated, corrupt or not the format its name says)", needs=("facts",))
def artifact_unreadable(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    if facts.status is ArtifactStatus.ERROR and facts.error_kind in UNREADABLE:
        yield artifact_unreadable.rule.finding(card.path, _url_line(card), str(facts.error))


# ---- numbers and names --------------------------------------------------------------------------------------
@rule("MH504", "size-mismatch", FAMILY, "warning", "the card's Size does not match the artifact",
      "write the size the artifact really has (modelhub inspect URL prints it)", needs=("facts",))
def size_mismatch(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    row = _row(card, "size")
    declared = (row.value, row.line) if row is not None else _front_matter_size(card)
    if not _ok(facts) or declared is None or not facts.size:
        return
    text, line = declared
    actual = int(facts.size)
    verdict = size_agrees(text, actual)
    if text.strip().isdigit():  # a byte count (the native artifact.size): exact
        if not verdict:
            yield size_mismatch.rule.finding(
                card.path, line, f"artifact.size says {int(text):,} bytes (line {line}) but the artifact is "
                                 f"{actual:,} bytes (from {facts.where})")
        return
    if verdict is None:
        return
    convention = size_matches(text, actual)
    source = f"{facts.where}"
    if not verdict:
        yield size_mismatch.rule.finding(
            card.path, line, f"Size says {plain(text)} (line {line}) but the artifact is {_human(actual)} "
                             f"(from {source}); neither decimal MB nor binary MiB matches")
    elif convention == "binary" and parse_size(text)[1] in DECIMAL:
        yield size_mismatch.rule.finding(
            card.path, line, f"Size {plain(text)} matches the artifact's {actual:,} bytes only as binary units "
                             f"({actual / 2**20:.2f} MiB), not decimal ({actual / 10**6:.2f} MB)",
            hint="write the unit the number is in: MiB for binary sizes, or the decimal MB figure", severity="info")


@rule("MH505", "checksum-mismatch", FAMILY, "error", "the artifact's sha256 differs from the one the card declares",
      "the artifact changed or the card is wrong: re-publish the artifact or update the checksum",
      needs=("facts",))
def checksum_mismatch(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    declared, line = declared_sha256(card)
    if not declared or not facts.sha256:  # also when the bytes were fetched but could not be parsed
        return
    if not sha256_agrees(declared, facts.sha256):
        yield checksum_mismatch.rule.finding(
            card.path, line, f"card declares sha256 {declared} (line {line}) but "
                             f"{facts.where} has sha256 {facts.sha256}")


@rule("MH506", "class-mismatch", FAMILY, "error", "the card's annotator/class differs from the artifact's class",
      "name the class the artifact was saved as (or link the right artifact)", needs=("facts",))
def class_mismatch(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    declared = card.annotator
    if not _ok(facts) or not declared or not facts.class_name:
        return
    line = card.key_lines.get("annotator") or card.key_lines.get("class") or _info_line(card, "model_class")
    if class_agrees(declared, facts):
        return
    where = _from(facts, "class_name")
    if plain(declared).lower() in {a.lower() for a in [facts.class_name, *facts.architectures]}:
        yield class_mismatch.rule.finding(
            card.path, line, f"annotator {plain(declared)} (line {line}) differs only in letter case from the "
                             f"artifact's class {facts.class_name} ({where})", severity="info",
            hint=f"write {facts.class_name}, the class name the code uses")
        return
    yield class_mismatch.rule.finding(card.path, line, f"card says annotator {plain(declared)} (line {line}) but "
                                                       f"the artifact is a {facts.class_name} ({where})")


@rule("MH507", "labels-mismatch", FAMILY, "error", "the card's labels differ from the artifact's id2label",
      "list exactly the labels the model predicts (modelhub inspect shows them in id2label order)",
      needs=("facts",))
def labels_mismatch(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    if not _ok(facts) or not card.labels or not facts.labels:
        return
    declared, actual = [plain(x) for x in card.labels], [str(x) for x in facts.labels]
    line = card.labels_line or card.body_line
    where = _from(facts, "labels")
    if not labels_agree(card.labels, facts.labels):
        missing = [label for label in actual if label not in declared]
        extra = [label for label in declared if label not in actual]
        parts = []
        if extra:
            parts.append(f"not in the artifact: {', '.join(extra)}")
        if missing:
            parts.append(f"missing from the card: {', '.join(missing)}")
        yield labels_mismatch.rule.finding(
            card.path, line, f"card labels [{', '.join(declared)}] (line {line}) vs artifact labels "
                             f"[{', '.join(actual)}] ({where}): {'; '.join(parts)}")
    elif declared != actual and card.dialect == "native":
        yield labels_mismatch.rule.finding(
            card.path, line, f"labels are listed as [{', '.join(declared)}] (line {line}) but the model's "
                             f"id2label order is [{', '.join(actual)}] ({where})", severity="warning",
            hint="list labels in id2label order so index i means the same label everywhere")


@rule("MH508", "case-sensitivity-mismatch", FAMILY, "error",
      "the card's case sensitivity differs from the artifact's", "state what the artifact does", needs=("facts",))
def case_sensitivity_mismatch(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    if not _ok(facts) or facts.case_sensitive is None:
        return
    actual = facts.case_sensitive
    for value, line, place in _declared_case(card):
        if value != actual:
            yield case_sensitivity_mismatch.rule.finding(
                card.path, line, f"{place} says case sensitive = {str(value).lower()} (line {line}) but the "
                                 f"artifact is case {'sensitive' if actual else 'insensitive'} "
                                 f"({_from(facts, 'case_sensitive')})")


@rule("MH509", "max-sentence-length-mismatch", FAMILY, "warning",
      "the card's max sentence length disagrees with the artifact", "state the length the artifact uses",
      needs=("facts",))
def max_sentence_length_mismatch(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    if not _ok(facts) or not facts.max_sentence_length:
        return
    actual = int(facts.max_sentence_length)
    exact = facts.format == "spark-nlp"  # a saved parameter, not a model limit
    for value, line, place in _declared_length(card):
        if not length_agrees(value, actual, exact):
            relation = "" if exact else "more than the model accepts: "
            yield max_sentence_length_mismatch.rule.finding(
                card.path, line, f"{place} says max sentence length {value} (line {line}), {relation}the artifact "
                                 f"has {actual} ({_from(facts, 'max_sentence_length')})")


@rule("MH510", "dimension-mismatch", FAMILY, "error", "the card's embedding dimension differs from the artifact's",
      "write the artifact's dimension", needs=("facts",))
def dimension_mismatch(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    row = _row(card, "dimension")
    if not _ok(facts) or row is None or not facts.dimension:
        return
    if dimension_agrees(row.value, facts.dimension) is False:
        written = re.search(r"\d+", row.value).group(0)
        yield dimension_mismatch.rule.finding(
            card.path, row.line, f"Dimension says {written} (line {row.line}) but the artifact has "
                                 f"{facts.dimension} ({_from(facts, 'dimension')})")


@rule("MH511", "parameter-count-mismatch", FAMILY, "warning",
      "a parameter count in the card differs from the artifact's", "copy the count the artifact reports",
      needs=("facts",))
def parameter_count_mismatch(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    claims: list[tuple[str, int, str, ArtifactRecord]] = []
    row = _row(card, "parameters")
    if row is not None and _ok(facts):
        claims.append((row.value, row.line, "Parameters", facts))
    for preset in card.presets:
        preset_facts = facts.presets.get(preset.name)
        if _ok(preset_facts):
            claims.append((preset.parameters, preset.line, f"preset {preset.name}", preset_facts))
    for text, line, place, source in claims:
        actual = source.parameters
        if actual is not None and count_agrees(text, actual) is False:
            yield parameter_count_mismatch.rule.finding(
                card.path, line, f"{place} claims {plain(text)} parameters (line {line}) but the artifact has "
                                 f"{int(actual):,} ({_from(source, 'parameters')})")


@rule("MH512", "spark-version-mismatch", FAMILY, "warning",
      "the card's Spark or Spark NLP version differs from the artifact's", "state the versions the artifact was "
      "saved with (metadata/part-00000 sparkVersion; the version in the file name)", needs=("facts",))
def spark_version_mismatch(card: Card, context) -> Iterator[Finding]:
    facts = context.facts
    if not _ok(facts):
        return
    declared, actual = card.spark_version, facts.spark_version
    line = key_line(card, "spark_version")
    if declared and actual and not spark_version_agrees(declared, actual):
        yield spark_version_mismatch.rule.finding(
            card.path, line, f"spark_version says {declared} (line {line}) but the artifact was saved with Spark "
                             f"{actual} ({_from(facts, 'spark_version')})")
    from_name = facts.versions.get("spark_nlp_from_name")
    edition = card.edition
    if from_name and edition and re.search(r"\d", edition) and not same_version(edition, from_name):
        eline = key_line(card, "edition")
        yield spark_version_mismatch.rule.finding(
            card.path, eline, f"edition says {edition} (line {eline}) but the artifact's file name says Spark NLP "
                              f"{from_name} ({facts.where})")


# ---- where local paths lead --------------------------------------------------------------------------------
@rule("MH513", "path-outside-catalog", FAMILY, "error",
      "a local artifact or asset path leads outside the catalog, the artifact cache and the configured mirrors",
      "point it at a file inside the catalog, or add a [mirrors] entry for the folder the artifacts live in; until "
      "then the card's example is not executed", needs=("config",))
def path_outside_catalog(card: Card, context) -> Iterator[Finding]:
    from ..artifacts.resolve import OutsideCatalog, ResolveError, resolve
    from ..artifacts.settings import ArtifactSettings
    from ..config import ConfigError

    settings = context.cache.get("artifact_settings")
    if settings is None:
        try:
            settings = context.cache["artifact_settings"] = ArtifactSettings.from_config(context.config)
        except ConfigError:
            return
    for number, (what, url, line) in enumerate(card_paths(card)):
        resolved = context.location if number == 0 and url == artifact_url(card) else None
        try:
            if isinstance(resolved, ResolveError):  # the build resolved the artifact once: not again here
                raise resolved
            if resolved is None:
                resolve(url, settings, card.path)
        except OutsideCatalog as error:
            yield path_outside_catalog.rule.finding(card.path, line, f"{what}: {error}")
        except ResolveError:
            continue


def card_paths(card: Card) -> Iterator[tuple[str, str, int]]:
    """(what, URL, line) of every artifact and asset URL the card names."""
    url = card.download_url or card.s3_uri
    if url:
        artifact = card.front_matter.get("artifact")
        written_in_front_matter = isinstance(artifact, dict) and artifact.get("url")
        yield "the artifact", url, (_nested_key_line(card, "artifact", "url") if written_in_front_matter
                                    else _url_line(card))
    assets = card.front_matter.get("assets")
    if isinstance(assets, dict):
        for name, value in assets.items():
            yield f"asset {name}", str(value), _nested_key_line(card, "assets", str(name))


def _nested_key_line(card: Card, parent: str, key: str) -> int:
    """The line of ``parent: {key: ...}`` in the front matter (the parent's line when it cannot be told)."""
    line = key_line(card, parent)
    if card.front_matter_lines:
        lines = card.text.splitlines()
        pattern = re.compile(rf"^\s+['\"]?{re.escape(key)}['\"]?\s*:|[{{,]\s*['\"]?{re.escape(key)}['\"]?\s*:")
        for number in range(line, min(len(lines), card.front_matter_lines[1]) + 1):
            if pattern.search(lines[number - 1]):
                return number
    return line


# ---- small readers --------------------------------------------------------------------------------------------
def _url_line(card: Card) -> int:
    for link in card.links:
        if link.kind in ("download", "s3"):
            return link.line
    return card.key_lines.get("artifact") or card.body_line


def _info_line(card: Card, key: str) -> int:
    row = _row(card, key)
    return row.line if row else card.body_line


def _front_matter_size(card: Card) -> tuple[str, int] | None:
    artifact = card.front_matter.get("artifact")
    if isinstance(artifact, dict) and artifact.get("size"):
        return str(artifact["size"]), card.key_lines.get("artifact", 1)
    return None


def _declared_case(card: Card) -> list[tuple[bool, int, str]]:
    out = []
    row = _row(card, "case_sensitive")
    if row is not None and as_bool(row.value) is not None:
        out.append((bool(as_bool(row.value)), row.line, "the Model Information table"))
    for snippet in card.snippets:
        for match in _SET_CASE.finditer(snippet.code):
            line = snippet.line + snippet.code.count("\n", 0, match.start())
            out.append((match.group(1).lower() == "true", line, f"the {snippet.tab or 'code'} example"))
    return out


def _declared_length(card: Card) -> list[tuple[int, int, str]]:
    out = []
    row = _row(card, "max_sentence_length")
    if row is not None and re.fullmatch(r"\d+", plain(row.value)):
        out.append((int(plain(row.value)), row.line, "the Model Information table"))
    for snippet in card.snippets:
        for match in _SET_LENGTH.finditer(snippet.code):
            line = snippet.line + snippet.code.count("\n", 0, match.start())
            out.append((int(match.group(1)), line, f"the {snippet.tab or 'code'} example"))
    return out


