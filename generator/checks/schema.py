"""The front-matter schema: every known key, its type, which dialects use it and which require it.

One table (``FIELDS``) drives three things: the JSON Schema printed by ``modelhub schema`` (for editor completion
and validation), the type checks (MH102, through ``jsonschema``), and the required/unknown-key rules (MH101, MH107).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from .. import vocab

ALL_DIALECTS = ("jsl", "huggingface", "keras", "native", "unknown")
JSL, HF, KERAS, NATIVE = ("jsl", "unknown"), ("huggingface",), ("keras",), ("native",)

_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_STRING_OR_LIST = {"anyOf": [_STRING, _STRINGS]}
_VERSION = {"anyOf": [{"type": "string", "pattern": r"^\d+(\.\d+)*$"}, {"type": "number"}]}


@dataclass(frozen=True)
class Field:
    name: str
    schema: dict[str, Any]
    description: str
    dialects: tuple[str, ...] = ALL_DIALECTS
    vocabulary: str | None = None  # controlled vocabulary the value comes from (enum in the JSON Schema)


FIELDS: tuple[Field, ...] = (
    # ---- shared by every dialect ----------------------------------------------------------------------------
    Field("title", _STRING, "Page title shown in the catalog."),
    Field("name", _STRING, "Model identifier, as passed to `.pretrained(name, lang)`.",
          JSL + NATIVE),
    Field("date", {"type": "string", "format": "date"}, "Publication date, YYYY-MM-DD.", JSL + NATIVE),
    Field("author", _STRING, "Who published the model.", JSL + NATIVE),
    Field("tags", _STRING_OR_LIST, "Free keywords for search (a list; Jekyll also splits a string on spaces).", JSL + HF + NATIVE),
    Field("task", _STRING_OR_LIST, "What the model does (one of the task vocabulary).", JSL + NATIVE, "tasks"),
    Field("language", _STRING_OR_LIST, "ISO 639-1 code of the language (xx: multilingual).",
          JSL + HF + NATIVE, "languages"),
    Field("license", _STRING, "License of the model.", JSL + HF + NATIVE, "licenses"),
    Field("engine", _STRING, "Inference engine of the weights.", JSL + NATIVE, "engines"),
    Field("description", _STRING, "One-paragraph summary (native cards; others use a Description section).",
          ("native", "keras", "unknown")),
    # ---- John Snow Labs Models Hub (Jekyll) ------------------------------------------------------------------
    Field("layout", _STRING, "Jekyll layout; `model` for model pages.", JSL),
    Field("edition", _STRING, "Product and library version, e.g. `Spark NLP 5.4.2`.", JSL + NATIVE, "editions"),
    Field("spark_version", _VERSION, "Apache Spark version the model is built for, e.g. `3.0`.", JSL + NATIVE),
    Field("supported", {"type": "boolean"}, "Whether the model is supported on current releases.", JSL + NATIVE),
    Field("deprecated", {"type": "boolean"}, "Whether the model is deprecated.", JSL + NATIVE),
    Field("recommended", {"type": "boolean"}, "Whether the model is recommended.", JSL),
    Field("annotator", _STRING, "Annotator class that loads the model.", JSL + NATIVE, "annotators"),
    Field("class", _STRING, "Annotator class (older cards; same as `annotator`).", JSL, "annotators"),
    Field("article_header", {"type": "object"}, "Jekyll TeXt theme header settings, e.g. `type: cover`.", JSL),
    Field("use_language_switcher", _STRING, "Code tabs the page offers, e.g. `Python-Scala-Java`.", JSL),
    Field("nav_key", _STRING, "Navigation section of the site.", JSL),
    Field("repository", _STRING, "Models repository, e.g. `public/models` or `clinical/models`.", JSL),
    Field("categories", _STRING_OR_LIST, "Jekyll categories.", JSL),
    Field("sidebar", {"type": "object"}, "Jekyll sidebar settings.", JSL),
    Field("permalink", _STRING, "Jekyll permalink.", JSL),
    Field("published", {"type": "boolean"}, "Jekyll: whether the page is published.", JSL),
    Field("excerpt", _STRING, "Jekyll excerpt.", JSL),
    Field("show_nav", {"type": "boolean"}, "Jekyll: show the navigation.", JSL),
    # ---- Hugging Face README cards ---------------------------------------------------------------------------
    *(Field(key, schema, "Hugging Face model card metadata.", HF) for key, schema in (
        ("library_name", _STRING), ("pipeline_tag", _STRING), ("base_model", _STRING_OR_LIST),
        ("datasets", _STRING_OR_LIST), ("metrics", _STRING_OR_LIST), ("model-index", {"type": "array"}),
        ("widget", {"type": "array"}), ("inference", {"anyOf": [{"type": "boolean"}, {"type": "object"}]}),
        ("license_name", _STRING), ("license_link", _STRING), ("thumbnail", _STRING),
        ("co2_eq_emissions", {"anyOf": [{"type": "number"}, {"type": "object"}]}), ("model_name", _STRING),
        ("extra_gated_prompt", _STRING), ("extra_gated_fields", {"type": "object"}), ("new_version", _STRING),
        ("base_model_relation", _STRING), ("model_creator", _STRING), ("model_type", _STRING),
        ("quantized_by", _STRING),
    )),
    # ---- Keras-Hub API pages (Hugo) --------------------------------------------------------------------------
    *(Field(key, schema, "Hugo page parameter.", KERAS) for key, schema in (
        ("toc", {"type": "boolean"}), ("weight", {"type": "number"}), ("type", _STRING), ("linkTitle", _STRING),
        ("aliases", _STRINGS), ("draft", {"type": "boolean"}), ("menu", {"type": "object"}),
    )),
    # ---- modelhub's own dialect ------------------------------------------------------------------------------
    Field("modelhub", {"type": "integer", "minimum": 1}, "Native card format version (currently 1).", NATIVE),
    Field("runtime", _STRING, "Runtime that executes the snippets, e.g. `transformers`, `python`.", NATIVE),
    Field("labels", _STRINGS, "Labels the model predicts.", NATIVE),
    Field("info", {"type": "object"}, "Model information (case_sensitive, max_sentence_length, ...).", NATIVE),
    Field("artifact", {"type": "object", "properties": {
        "url": {"type": "string", "description": "Where the model artifact is downloaded from."},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "format": {"type": "string"}, "size": {"type": "integer", "minimum": 0},
    }}, "The downloadable model artifact.", NATIVE),
    Field("dataset", {"anyOf": [_STRING, {"type": "object"}]}, "Evaluation data set for benchmarks.", NATIVE),
    Field("benchmark", {"type": "object"}, "How to benchmark the model: dataset, kind, columns (bench stage).",
          NATIVE),
    Field("hub_id", _STRING, "The model's Hugging Face Hub id, e.g. `sentence-transformers/all-MiniLM-L6-v2`.",
          NATIVE),
    Field("presets", {"type": "array"}, "Named presets of the model.", NATIVE),
    Field("source", _STRING, "Where the model comes from.", NATIVE),
    Field("homepage", _STRING, "Project page.", NATIVE),
    Field("parameters", {"anyOf": [_STRING, {"type": "number"}]}, "Parameter count.", NATIVE),
)

# Required keys per dialect. A JSL card that uses any of the modern Models Hub keys commits to all of them.
REQUIRED: dict[str, tuple[str, ...]] = {
    "jsl": ("title", "name", "date"),
    "native": ("modelhub", "name", "title", "task", "language", "license"),
    "keras": ("title",),
    "huggingface": (),
    "unknown": ("title",),
}
JSL_MODERN = ("task", "language", "edition", "spark_version", "supported", "annotator")


@cache
def fields_for(dialect: str) -> dict[str, Field]:
    return {f.name: f for f in FIELDS if dialect in f.dialects}


@cache
def known_keys(dialect: str) -> frozenset[str]:
    return frozenset(fields_for(dialect))


def required_keys(dialect: str, front_matter: dict[str, Any]) -> tuple[str, ...]:
    required = REQUIRED.get(dialect, ())
    if dialect == "jsl" and any(key in front_matter for key in ("edition", "spark_version", "engine")):
        required = required + tuple(k for k in JSL_MODERN if k not in required)
    return required


def _property(field: Field, with_vocabulary: bool) -> dict[str, Any]:
    prop = dict(field.schema)
    prop["description"] = field.description
    if with_vocabulary and field.vocabulary in ("languages", "annotators", "engines"):
        values = sorted(vocab.load(field.vocabulary))
        if field.name == "language":
            prop = {"description": field.description,
                    "anyOf": [{"enum": values}, {"type": "array", "items": {"enum": values}}]}
        else:
            prop["examples"] = values
    elif with_vocabulary and field.vocabulary:
        prop["examples"] = sorted(str(e.get("name", k)) for k, e in vocab.load(field.vocabulary).items())
    return prop


@cache
def _schema(dialect: str | None, with_vocabulary: bool) -> dict[str, Any]:
    fields = FIELDS if dialect is None else tuple(fields_for(dialect).values())
    seen: dict[str, dict[str, Any]] = {}
    for field in fields:
        seen.setdefault(field.name, _property(field, with_vocabulary))
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://modelhub.invalid/schema/front-matter" + (f"-{dialect}" if dialect else "") + ".json",
        "title": "modelhub card front matter" + (f" ({dialect} dialect)" if dialect else ""),
        "description": "The YAML between the --- fences at the top of a model card.",
        "type": "object",
        "properties": seen,
        "additionalProperties": True,
    }
    if dialect is not None and REQUIRED.get(dialect):
        schema["required"] = list(REQUIRED[dialect])
    return schema


def front_matter_schema(dialect: str | None = None, with_vocabulary: bool = True) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the front matter, for one dialect or (None) all of them."""
    import copy

    return copy.deepcopy(_schema(dialect, with_vocabulary))


@cache
def type_validator(dialect: str):
    """A jsonschema validator of value types only (vocabularies and required keys have their own rules)."""
    from jsonschema import Draft202012Validator

    schema = dict(_schema(dialect, False))
    schema.pop("required", None)
    return Draft202012Validator(schema)


_PYTHON_TYPES = {"string": (str,), "array": (list,), "object": (dict,), "boolean": (bool,),
                 "number": (int, float), "integer": (int,)}


def _accepts(schema: dict[str, Any], value: Any) -> bool:
    """A quick, conservative type test: True only when ``value`` certainly satisfies ``schema``'s types."""
    if "anyOf" in schema:
        return any(_accepts(option, value) for option in schema["anyOf"])
    kind = schema.get("type")
    if kind is None:
        return True
    if isinstance(value, bool) and kind not in ("boolean",):
        return False
    if not isinstance(value, _PYTHON_TYPES.get(kind, (object,))):
        return False
    if kind == "array" and "items" in schema:
        return all(_accepts(schema["items"], item) for item in value)
    if kind == "string" and "pattern" in schema:
        return False  # let jsonschema decide
    if kind == "object" and "properties" in schema:
        return False
    return True


def types_certainly_valid(dialect: str, data: dict[str, Any]) -> bool:
    """True when every known key has a value of its schema type, without running the full validator."""
    fields = fields_for(dialect)
    for key, value in data.items():
        field = fields.get(key)
        if field is not None and value is not None and not _accepts(field.schema, value):
            return False
    return True
