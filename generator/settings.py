"""Typed settings: every key of ``modelhub.toml`` (or ``[tool.modelhub]`` in pyproject.toml), one model per table.

This module is the single source of truth for configuration: the code reads ``Config.settings`` (a ``Settings``),
never the raw TOML, and the README's configuration table is ``reference_table()`` (a test compares the two). A key
is declared once, with its type, default and meaning:

    memory: Size = key(6 * 2**30, "address-space cap of a sandbox worker", shown="6G")

Units: sizes are bytes (an integer) or strings such as ``"6G"`` (binary: K, M, G, T, KiB, ...) or ``"100 MB"``
(decimal: KB, MB, GB, TB); durations are seconds (a number) or strings such as ``"30s"``, ``"2m"``, ``"1h30m"``.
A wrong type, an unknown value or an unknown key is a ``ConfigError`` naming the file, the line, the dotted key
and the expected form (``settings_error``); commands turn it into exit status 2.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from .errors import UsageError


class ConfigError(UsageError, ValueError):
    """A configuration file that cannot be read or holds a wrong value; the message names file, key and remedy."""


# ---- units ---------------------------------------------------------------------------------------------------------

_SIZE_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40,
               "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
               "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|sec|min|s|m|h|d)", re.IGNORECASE)

SIZE_FORM = 'a size: bytes (an integer) or a string such as "6G", "512 MiB" or "100 MB"'
DURATION_FORM = 'a duration: seconds (a number) or a string such as "30s", "2m" or "1h30m"'


def parse_size(value: Any) -> int:
    """``123`` -> 123 bytes, ``"6G"``/``"6 GiB"`` -> 6 * 2**30, ``"44.9 MB"`` -> 44_900_000."""
    if isinstance(value, bool):
        raise ValueError("not a size")
    if isinstance(value, (int, float)) and value >= 0 and math.isfinite(value):
        return int(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", value) if isinstance(value, str) else None
    if not match or match.group(2).lower() not in _SIZE_UNITS:
        raise ValueError(f"not a size: {value!r} (write e.g. 500 MB or 2 GiB)")
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])


def parse_duration(value: Any) -> float:
    """``90`` / ``"90"`` / ``"90s"`` -> 90.0, ``"2m"`` -> 120.0, ``"1h30m"`` -> 5400.0, ``"500ms"`` -> 0.5."""
    if isinstance(value, bool):
        raise ValueError("not a duration")
    if isinstance(value, (int, float)) and value >= 0 and math.isfinite(value):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            return float(text)
        parts = _DURATION_PART.findall(text)
        if parts and re.fullmatch(r"(?:\s*\d+(?:\.\d+)?\s*(?:ms|sec|min|s|m|h|d)\s*)+", text, re.IGNORECASE):
            return sum(float(number) * _DURATION_UNITS[unit.lower()] for number, unit in parts)
    raise ValueError(f"not a duration: {value!r}")


def _codes(value: Any) -> Any:
    """Rule codes as a list, or one string of codes separated by commas or spaces."""
    if isinstance(value, str):
        return [code for code in re.split(r"[,\s]+", value) if code]
    return value


class Form(str):
    """The expected form of a value as error messages state it, with the ``short`` name the README table uses
    (metadata of an Annotated type, or a key's own ``form``)."""

    short: str

    def __new__(cls, text: str, short: str) -> Form:
        self = super().__new__(cls, text)
        self.short = short
        return self


Size = Annotated[int, BeforeValidator(parse_size), Form(SIZE_FORM, "size")]
Duration = Annotated[float, BeforeValidator(parse_duration), Form(DURATION_FORM, "duration")]
PathText = Annotated[str, Form("a path (a string; relative to the configuration file's folder)", "path")]
Codes = Annotated[list[str], BeforeValidator(_codes), Form('a list of rule codes, prefixes or families, e.g. '
                                                            '["MH1", "MH303", "snippets"]', "list of rule codes")]
Count = Annotated[int, Field(ge=1), Form("an integer, 1 or more", "integer ≥ 1")]
Count0 = Annotated[int, Field(ge=0), Form("an integer, 0 or more", "integer ≥ 0")]
Ratio = Annotated[float, Field(ge=0), Form("a number, 0 or more", "number ≥ 0")]

_MISSING: Any = object()


def key(default: Any, meaning: str, *, shown: str | None = None, example: Any = _MISSING,
        alias: str | None = None, form: Form | None = None) -> Any:
    """A settings key: its default, what it means, how the README shows the default (``shown``) and, when its
    type does not say it well, its ``form``. ``example`` is a valid TOML value the round-trip test uses when the
    default is not one (None)."""
    extra = {"shown": shown, "example": None if example is _MISSING else example,
             "has_example": example is not _MISSING, "form": form, "short": form.short if form else None}
    if isinstance(default, (list, dict)):
        return Field(default_factory=lambda: type(default)(default), description=meaning, alias=alias,
                     json_schema_extra=extra)
    return Field(default, description=meaning, alias=alias, json_schema_extra=extra)


class Section(BaseModel):
    """One table: unknown keys and values of the wrong type are refused (TOML types, no silent coercion)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class Timeouts(Section):
    connect: Duration | None = key(None, "connection timeout (same as artifacts.connect_timeout)", example="3s")
    read: Duration | None = key(None, "read timeout (same as artifacts.read_timeout)", example="20s")


class ArtifactsSection(Section):
    """``[artifacts]``: fetching, caching and inspecting the artifacts behind the cards' Download links."""

    cache_dir: PathText | None = key(None, "content-addressed downloads, extracted trees and facts",
                                     shown="<cache_dir>/artifacts", example="cache/artifacts")
    offline: bool = key(False, "only the cache and the mirrors, never the network (also MODELHUB_OFFLINE=1)")
    s3_endpoint: str = key("https://s3.amazonaws.com/", "base URL that s3://bucket/key links are read from")
    timeout: Duration | None = key(None, "connect and read timeout at once", example="10s")
    timeouts: Timeouts | None = key(None, "connect and read timeouts as a table", shown="-",
                                    example={"connect": 3, "read": "20s"},
                                    form=Form("a table { connect = DURATION, read = DURATION }",
                                              "table {connect, read} of durations"))
    connect_timeout: Duration | None = key(None, "seconds to wait for a connection", shown="\"3s\"", example="3s")
    read_timeout: Duration | None = key(None, "seconds to wait for bytes", shown="\"20s\"", example="20s")
    retries: Count0 = key(3, "retries on 5xx, 429, dropped connections and timeouts, with backoff")
    backoff: Duration = key(0.5, "first retry delay, doubled per retry", shown="\"0.5s\"")
    max_redirects: Count0 = key(5, "redirects followed per request")
    max_size: Size = key(20 * 10**9, "larger downloads are refused", shown='"20 GB"')
    workers: Count = key(8, "artifacts inspected concurrently")
    revalidate_after: Duration = key(86400.0, "how long a cached inspection is trusted without asking the server",
                                     shown='"1d"')
    verify_checksums: bool = key(True, "download an artifact whose card declares a sha256 and hash it")
    credentials: dict[str, str] = key({}, "host = name of the environment variable holding a bearer token, sent "
                                          "to that exact host only", example={"mirror.internal": "MIRROR_TOKEN"})
    preset_url: str | None = key(None, "where the presets of a Keras-style presets table are; {preset} is "
                                       "replaced by the preset's name", example="presets/{preset}")


Mode = Literal["off", "frozen", "auto", "force"]


class ExecuteSection(Section):
    """``[execute]``: the sandbox that runs the cards' examples, and the build's execution mode."""

    mode: Mode = key("frozen", "the mode of `modelhub build`/`serve` and plain `mkdocs build` when no --mode is "
                               "given: off, frozen (stored results only), auto (run what changed), force")
    snippet_timeout: Duration = key(120.0, "wall clock per cell", shown='"2m"')
    card_timeout: Duration = key(600.0, "wall clock per card", shown='"10m"')
    startup_timeout: Duration = key(300.0, "wall clock for a worker to start and load its model", shown='"5m"')
    memory: Size = key(6 * 2**30, "address-space cap of a sandbox worker", shown='"6G"')
    cpu_per_cell: Duration = key(300.0, "CPU time per cell (whole seconds, rounded up)", shown='"5m"')
    cpu_total: Duration = key(3600.0, "CPU time over a worker's life (whole seconds, rounded up)", shown='"1h"')
    processes: Count = key(256, "processes and threads of the sandbox user")
    file_size: Size = key(2**30, "largest file a snippet may write", shown='"1G"')
    open_files: Count = key(1024, "open files per sandbox process")
    output_cap: Count = key(100_000, "characters kept per stream and cell")
    network: Literal["auto", "namespace", "audit-hook", "allow"] = key(
        "auto", "network isolation: a namespace where the kernel allows it, else an audit hook (auto); "
                "allow is for tests only")
    seed: int = key(0, "seed of random, numpy and torch in each card")
    env_allow: list[str] = key([], "extra environment variable names passed into the sandbox",
                               example=["MY_VAR"])
    sparknlp_jar: PathText | None = key(None, "a local Spark NLP jar (else $SPARK_NLP_JAR or pyspark's jars)",
                                        example="jars/spark-nlp.jar")


class BenchSection(Section):
    """``[bench]``: how hard to measure, and how strictly to compare with the cards' claims."""

    batch_sizes: list[Count] = key([1, 8, 32], "batch sizes timed",
                                                         shown="[1, 8, 32]")
    warmup: Count0 = key(1, "untimed runs before timing")
    repetitions: Count = key(5, "timed runs per batch size")
    eval_batch_size: Count = key(8, "batch size over the evaluation set")
    max_length_cap: Count = key(512, "longest input timed, in tokens")
    tolerance: Ratio = key(0.02, "claimed vs measured quality, absolute (0.02 = two points of accuracy)")
    speed_tolerance: Ratio = key(0.5, "claimed vs measured throughput, relative")
    trainer_average: Literal["micro", "macro", "weighted"] = key(
        "micro", "which average a Trainer block's eval_f1/precision/recall means")
    timeout: Duration = key(1800.0, "one card's whole measurement", shown='"30m"')
    memory: Size | None = key(None, "address-space cap of the measuring worker", shown="execute.memory",
                              example="8G")
    dataset_dirs: list[PathText] = key([], "folders holding Hugging Face dataset ids", example=["datasets"])


class RulesSection(Section):
    """``[rules]``: which rules run, and at which severity (the most specific selector wins, as in ruff)."""

    select: Codes = key(["ALL"], "rules that run: codes, prefixes (\"MH3\"), families (\"snippets\") or ALL",
                        shown='["ALL"]')
    ignore: Codes = key([], "rules that do not run", example=["MH207"])
    severity: dict[str, Literal["error", "warning", "info"]] = key(
        {}, "CODE = error, warning or info", example={"MH401": "error"})
    per_file_ignores: dict[str, Codes] = key({}, '"glob" = [codes] ignored in the matching card files',
                                             alias="per-file-ignores", example={"legacy/*": ["MH1"]})


class SiteSection(Section):
    """``[site]``: the rendered catalog."""

    edit_uri: str | None = key(None, "base of the \"Edit this card\" link; the card's path is appended",
                               example="https://github.com/org/repo/edit/main/")


class CardsSection(Section):
    """``[cards]``: where the cards are, and which files under a card folder are cards."""

    paths: list[PathText] = key(["cards"], "card folders (or files) `modelhub check` reads when given no PATH")
    include: list[str] = key(["**/*.md"], "globs, relative to a card folder, of the files that are cards "
                                          "(`**/` spans folders)")
    exclude: list[str] = key([], "globs of files under a card folder that are not cards", example=["drafts/**"])

    def globs(self) -> dict[str, list[str]]:
        """``include``/``exclude`` as keyword arguments of ``cards_on_disk.iter_card_paths``."""
        return {"include": self.include, "exclude": self.exclude}


class VocabTerm(Section):
    """One word of a vocabulary: its display name and other spellings accepted as it."""

    name: str | None = key(None, "display name (default: the id)")
    aliases: list[str] = key([], "other spellings accepted as this word")


VocabWords = dict[str, str | VocabTerm]


class VocabSection(Section):
    """``[vocab]``: the catalog's own words, added to the shipped vocabularies (id = name, or {name, aliases}); the
    name is what the site's facets and badges show; a shipped word given here (by id or any spelling) takes that
    name and keeps its spellings."""

    languages: VocabWords = key({}, "language codes the catalog uses beyond ISO 639: code = name",
                                example={"bho-x": "Bhojpuri (transliterated)"})
    tasks: VocabWords = key({}, "tasks: id = name or {name, aliases}",
                            example={"icd-coding": {"name": "ICD Coding", "aliases": ["icd-10 coding"]}})
    licenses: VocabWords = key({}, "licenses: id = name or {name, aliases}", example={"acme-rl": "Acme License"})
    editions: VocabWords = key({}, "products (editions): id = name or {name, aliases}",
                               example={"acme_nlp": {"name": "Acme NLP", "aliases": ["acme"]}})
    engines: VocabWords = key({}, "inference engines: id = name or {name, aliases}",
                              example={"acme-rt": "Acme Runtime"})
    annotators: dict[str, list[str]] = key({}, "annotator classes: group = [class names]",
                                           example={"Acme": ["AcmeTokenClassifier"]})


class Settings(Section):
    """Everything ``modelhub.toml`` / ``[tool.modelhub]`` may say."""

    cache_dir: PathText = key(".modelhub-cache", "downloads, inspections and measurements (gitignore it)")
    cards: CardsSection = Field(default_factory=CardsSection)
    artifacts: ArtifactsSection = Field(default_factory=ArtifactsSection)
    mirrors: dict[str, str] = key({}, "URL prefix = a folder, another base URL, or pkg://<package>/<folder>; the "
                                      "longest matching prefix wins",
                                  example={"https://s3.amazonaws.com/": "/srv/mirror"})
    execute: ExecuteSection = Field(default_factory=ExecuteSection)
    bench: BenchSection = Field(default_factory=BenchSection)
    rules: RulesSection = Field(default_factory=RulesSection)
    site: SiteSection = Field(default_factory=SiteSection)
    vocab: VocabSection = Field(default_factory=VocabSection)


# ---- reading ---------------------------------------------------------------------------------------------------

def parse_settings(data: dict[str, Any], source: Path | None = None, prefix: str = "") -> Settings:
    """Validate a configuration table; ``prefix`` is where it sits in the file (``tool.modelhub`` in pyproject)."""
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(settings_error(error, data, source, prefix)) from None


def settings_error(error: ValidationError, data: dict[str, Any], source: Path | None, prefix: str) -> str:
    """One line per problem: ``file:line: key = value: expected FORM`` or ``unknown key ... (did you mean ...?)``."""
    try:
        text = source.read_text(encoding="utf-8") if source else ""
    except OSError:
        text = ""
    base = [part for part in prefix.split(".") if part]
    lines = []
    seen = set()
    for problem in error.errors():
        loc = tuple(problem["loc"])
        if loc in seen:
            continue
        seen.add(loc)
        where = str(source) if source else "configuration"
        line = _line_of(text, (*base, *loc)) if text else None
        if line:
            where += f":{line}"
        dotted = _dotted((*base, *loc))
        if problem["type"] == "extra_forbidden":
            lines.append(f"{where}: {_unknown(loc, base)}")
            continue
        value = problem.get("input")
        shown = json.dumps(value, default=str) if not isinstance(value, dict) else "a table"
        lines.append(f"{where}: {dotted} = {shown}: expected {_form_at(loc)}")
    return "\n".join(lines) or str(error)


def _field_name(model: type[BaseModel], part: str) -> str | None:
    for name, info in model.model_fields.items():
        if part in (name, info.alias):
            return name
    return None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _field_at(loc: tuple[Any, ...]) -> tuple[FieldInfo | None, type[BaseModel] | None, int]:
    """The deepest declared field along ``loc``, the model it holds, and how many parts of ``loc`` it covers
    (dict keys and list indexes below it belong to it)."""
    model: Any = Settings
    found, depth = None, 0
    for part in loc:
        if model is None or isinstance(part, int):
            break
        name = _field_name(model, part)
        if name is None:
            break
        found, depth = model.model_fields[name], depth + 1
        model = _inner_model(found.annotation)
    return found, model, depth


def _unknown(loc: tuple[str, ...], base: list[str]) -> str:
    parent, name = loc[:-1], loc[-1]
    model = _field_at(parent)[1] if parent else Settings
    known = [info.alias or field for field, info in model.model_fields.items()] if model else []
    table = _dotted((*base, *parent)) if (base or parent) else "the top level"
    what = f"unknown key {_dotted((*base, *loc))}"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        what += f" (did you mean {_dotted((*base, *parent, close[0]))}?)"
    return f"{what}; {table if parent or base else 'the top level'} accepts: {', '.join(known)}"


def _form_at(loc: tuple[Any, ...]) -> str:
    """The form of the value at ``loc``: a key's own form, or that of the list item or table value below it."""
    info, _, depth = _field_at(loc)
    if info is None:
        return "a valid value"
    annotation, metadata = info.annotation, tuple(info.metadata)
    for _ in loc[depth:]:
        while True:
            if any(isinstance(item, Form) for item in metadata):
                return _form(annotation, metadata)
            origin, args = typing.get_origin(annotation), typing.get_args(annotation)
            if origin is Annotated:
                annotation, metadata = args[0], args[1:]
            elif origin in (typing.Union, types.UnionType):
                annotation, metadata = next(arg for arg in args if arg is not type(None)), ()
            else:
                break
        if typing.get_origin(annotation) in (list, dict):
            annotation, metadata = typing.get_args(annotation)[-1], ()
    return _form(annotation, metadata)


def form_of(info: FieldInfo, short: bool = False) -> str:
    """How a key's value is written, from its type (``Form`` metadata wins); ``short`` for the README table."""
    extra = info.json_schema_extra or {}
    if extra.get("form"):
        return extra["short"] if short else extra["form"]
    return _form(info.annotation, info.metadata, short)


_SCALARS = {bool: ("true or false", "bool"), int: ("an integer", "integer"), float: ("a number", "number"),
            str: ("a string", "string")}


def _form(annotation: Any, metadata: list[Any] | tuple[Any, ...] = (), short: bool = False) -> str:
    for item in metadata:
        if isinstance(item, Form):
            return item.short if short else str(item)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        return _form(args[0], args[1:], short)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_form(arg, (), short) for arg in args if arg is not type(None))
    if origin is Literal:
        return " \\| ".join(map(str, args)) if short else "one of " + ", ".join(json.dumps(arg) for arg in args)
    if origin is list:
        return f"list of {_form(args[0], (), True)}" if short else f"a list, each item {_form(args[0])}"
    if origin is dict:
        return f"table of {_form(args[1], (), True)}" if short else f"a table whose values are each {_form(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table" if short else "a table"
    return _SCALARS[annotation][short] if annotation in _SCALARS else str(annotation)


def _dotted(parts: tuple[Any, ...] | list[Any]) -> str:
    """``execute.memory``, ``mirrors."https://host/x"``, ``bench.batch_sizes[1]``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + (part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part))
    return out


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")


def _key_parts(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', text))


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line that sets ``loc`` (or, failing that, its table's header): best effort, for the message."""
    lines = text.splitlines()
    loc = tuple(part for part in loc if not isinstance(part, int))
    for cut in range(len(loc), 0, -1):
        table, name = loc[:cut - 1], loc[cut - 1]
        current: tuple[str, ...] = ()
        for number, line in enumerate(lines, 1):
            header = _HEADER.match(line)
            if header:
                current = _key_parts(header.group(1))
                if current == (*table, name):
                    return number
                continue
            if "=" not in line:
                continue
            left = _key_parts(line.split("=", 1)[0].strip())
            if left and (*current, *left) == (*table, name):
                return number
    return None


# ---- the reference (README) --------------------------------------------------------------------------------------

def iter_keys(model: type[BaseModel] = Settings, parents: tuple[str, ...] = ()
              ) -> Iterator[tuple[str, FieldInfo]]:
    """Every documented key, dotted (``execute.memory``), in declaration order; tables are walked into."""
    for name, info in model.model_fields.items():
        dotted = (*parents, info.alias or name)
        inner = _inner_model(info.annotation)
        if inner is not None and info.json_schema_extra is None:
            yield from iter_keys(inner, dotted)
        else:
            yield ".".join(dotted), info


def shown_default(info: FieldInfo) -> str:
    extra = info.json_schema_extra or {}
    if extra.get("shown"):
        return str(extra["shown"])
    default = info.get_default(call_default_factory=True)
    if default is None:
        return "-"
    return json.dumps(default)


def reference_table() -> str:
    """The README's configuration table (key, form, default, meaning), generated from the models above."""
    rows = ["| key | type / form | default | meaning |", "|---|---|---|---|"]
    for dotted, info in iter_keys():
        cells = [f"`{dotted}`", form_of(info, short=True), f"`{shown_default(info)}`", info.description or ""]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)
