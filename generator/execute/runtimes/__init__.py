"""Runtimes: how a card's snippets are run (which libraries, how the model is found offline, how to warm up).

Each runtime module registers itself with ``register_runtime``; ``RUNTIME_MODULES`` lists them, and adding a runtime
never touches the runner. ``choose_runtime(card)`` picks one from the front matter ``runtime:`` or the snippet's imports.
"""

from __future__ import annotations

import importlib
import re

from ...card import Card
from .base import Runtime, WorkerPlan, installed_versions

__all__ = ["RUNTIMES", "RUNTIME_MODULES", "Runtime", "WorkerPlan", "choose_runtime", "get_runtime",
           "infer_runtime_name", "installed_versions", "register_runtime"]

RUNTIME_MODULES = [
    "generator.execute.runtimes.python",
    "generator.execute.runtimes.transformers",
    "generator.execute.runtimes.onnx",
    "generator.execute.runtimes.sparknlp",
    "generator.execute.runtimes.keras_hub",
]

RUNTIMES: dict[str, Runtime] = {}

# Spellings seen in front matter -> runtime name.
ALIASES = {
    "hf": "transformers", "huggingface": "transformers", "hugging-face": "transformers",
    "sentence-transformers": "transformers", "sentence_transformers": "transformers", "pytorch": "transformers",
    "spark-nlp": "sparknlp", "spark_nlp": "sparknlp", "spark nlp": "sparknlp",
    "keras_hub": "keras-hub", "keras-nlp": "keras-hub", "keras_nlp": "keras-hub", "keras": "keras-hub",
    "onnxruntime": "onnx", "python3": "python", "py": "python",
}

_SPARK = re.compile(r"^\s*(?:from|import)\s+(?:sparknlp|pyspark)\b|\bDocumentAssembler\s*\(|\.pretrained\s*\(", re.M)
_KERAS = re.compile(r"\b(?:keras_hub|keras_nlp)\b")
_ONNX = re.compile(r"^\s*(?:from|import)\s+onnxruntime\b|\bonnxruntime\.", re.M)
_TRANSFORMERS = re.compile(r"^\s*(?:from|import)\s+(?:transformers|sentence_transformers)\b", re.M)


def register_runtime(runtime: Runtime) -> Runtime:
    RUNTIMES[runtime.name] = runtime
    return runtime


def _load() -> None:
    for module in RUNTIME_MODULES:
        importlib.import_module(module)


def get_runtime(name: str) -> Runtime | None:
    _load()
    return RUNTIMES.get(ALIASES.get(name.strip().lower(), name.strip().lower()))


def infer_runtime_name(code: str, spark_card: bool = False) -> str:
    """The runtime a snippet needs, from what it imports and calls (``spark_card``: the card is a Spark NLP model
    page, whose snippets often leave the Spark NLP imports out)."""
    if _SPARK.search(code):
        return "sparknlp"
    if _KERAS.search(code):
        return "keras-hub"
    if _ONNX.search(code):
        return "onnx"
    if _TRANSFORMERS.search(code):
        return "transformers"
    if spark_card:
        return "sparknlp"
    return "python"


def choose_runtime(card: Card, code: str) -> tuple[str, Runtime | None]:
    """(name, runtime) for a card: front matter ``runtime:`` wins; otherwise inferred from ``code``.
    The runtime is None when the name is unknown."""
    written = card.runtime
    name = ALIASES.get(written.strip().lower(), written.strip().lower()) if written else infer_runtime_name(
        code, is_spark_nlp_card(card))
    return name, get_runtime(name)


def is_spark_nlp_card(card: Card) -> bool:
    """A Models Hub page for a Spark NLP model (Spark version, Spark NLP edition or an annotator class)."""
    edition = (card.edition or "").lower()
    return card.dialect == "jsl" and bool(card.spark_version or "spark nlp" in edition or card.annotator)
