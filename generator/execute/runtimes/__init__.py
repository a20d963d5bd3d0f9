"""Runtimes: how a card's snippets are run (which libraries, how the model is found offline, how to warm up).

One module per runtime, each defining a ``Runtime`` class; ``RUNTIMES`` is the default collection of their
objects, name -> runtime, built here once. Adding a runtime never touches the runner: the functions below take the
collection to choose from (``runtimes=``), so a caller can pass its own. ``choose_runtime(card)`` picks one from the
front matter ``runtime:`` or the snippet's imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ...card import Card
from .base import Runtime, WorkerPlan, installed_versions
from .keras_hub import KerasHubRuntime
from .onnx import OnnxRuntime
from .python import PythonRuntime
from .sparknlp import SparkNlpRuntime
from .transformers import TransformersRuntime

__all__ = ["RUNTIMES", "Runtime", "WorkerPlan", "choose_runtime", "get_runtime", "infer_runtime_name",
           "installed_versions", "runtime_collection"]


def runtime_collection(runtimes: Iterable[Runtime]) -> dict[str, Runtime]:
    """Runtime objects as the name -> runtime mapping the functions below choose from."""
    return {runtime.name: runtime for runtime in runtimes}


RUNTIMES: Mapping[str, Runtime] = runtime_collection(
    [PythonRuntime(), TransformersRuntime(), OnnxRuntime(), SparkNlpRuntime(), KerasHubRuntime()])

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


def get_runtime(name: str, runtimes: Mapping[str, Runtime] = RUNTIMES) -> Runtime | None:
    return runtimes.get(ALIASES.get(name.strip().lower(), name.strip().lower()))


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


def choose_runtime(card: Card, code: str, runtimes: Mapping[str, Runtime] = RUNTIMES
                   ) -> tuple[str, Runtime | None]:
    """(name, runtime) for a card: front matter ``runtime:`` wins; otherwise inferred from ``code``.
    The runtime is None when the name is unknown."""
    written = card.runtime
    name = ALIASES.get(written.strip().lower(), written.strip().lower()) if written else infer_runtime_name(
        code, is_spark_nlp_card(card))
    return name, get_runtime(name, runtimes)


def is_spark_nlp_card(card: Card) -> bool:
    """A Models Hub page for a Spark NLP model (Spark version, Spark NLP edition or an annotator class)."""
    edition = (card.edition or "").lower()
    return card.dialect == "jsl" and bool(card.spark_version or "spark nlp" in edition or card.annotator)
