"""Spark NLP model zips: Spark ML persistence writes ``metadata/part-00000``, one JSON line with the class,
sparkVersion, uid and the paramMap (caseSensitive, maxSentenceLength, dimension, inputCols, outputCol ...)."""

from __future__ import annotations

import json
import re

from ..facts import ArtifactFacts
from .tree import Tree
from .values import as_bool, as_int, as_str

# name_lang_sparknlpversion_sparkversion_timestamp.zip, as the Models Hub names its downloads
FILE_NAME = re.compile(r"^(?P<name>.+)_(?P<lang>[a-z]{2,3}|xx)_(?P<nlp>\d+\.\d+(?:\.\d+)*)_(?P<spark>\d+\.\d+)"
                       r"_(?P<timestamp>\d{10,})\.zip$")


def applies(tree: Tree) -> bool:
    return tree.find_path("metadata/part-00000") is not None


def inspect(tree: Tree, facts: ArtifactFacts) -> None:
    member = tree.find_path("metadata/part-00000")
    assert member is not None
    where = f"{member} in the artifact"
    first_line = tree.read(member).decode("utf-8", "replace").strip().splitlines()
    try:
        metadata = json.loads(first_line[0]) if first_line else {}
    except ValueError as error:
        facts.details["metadata_error"] = f"{member} is not JSON: {error}"
        metadata = {}
    facts.format = "spark-nlp"
    params = dict(metadata.get("defaultParamMap") or {})
    params.update(metadata.get("paramMap") or {})
    class_path = metadata.get("class")
    if class_path:
        facts.set("class_name", str(class_path).rsplit(".", 1)[-1], f"{where} (class)")
        facts.details["class"] = class_path
    facts.set("spark_version", as_str(metadata.get("sparkVersion")), f"{where} (sparkVersion)")
    facts.set("case_sensitive", as_bool(params.get("caseSensitive")), f"{where} (paramMap.caseSensitive)")
    facts.set("max_sentence_length", as_int(params.get("maxSentenceLength")), f"{where} (paramMap.maxSentenceLength)")
    facts.set("dimension", as_int(params.get("dimension")), f"{where} (paramMap.dimension)")
    for key in ("labels", "classes"):
        if isinstance(params.get(key), list):
            facts.set("labels", [str(v) for v in params[key]], f"{where} (paramMap.{key})")
            break
    facts.details["uid"] = metadata.get("uid")
    facts.details["timestamp"] = metadata.get("timestamp")
    facts.details["input_cols"] = params.get("inputCols")
    facts.details["output_col"] = params.get("outputCol")
    facts.details["param_map"] = metadata.get("paramMap") or {}
    if facts.spark_version:
        facts.versions["spark"] = facts.spark_version
    facts.details["fields"] = sorted({n.split("/")[1] for n in tree.names() if n.startswith("fields/") and
                                      n.count("/") >= 2})


def versions_from_file_name(name: str) -> dict[str, str]:
    """Spark NLP and Spark versions encoded in a Models Hub download name."""
    match = FILE_NAME.match(name)
    if not match:
        return {}
    return {"spark_nlp_from_name": match["nlp"], "spark_from_name": match["spark"], "timestamp": match["timestamp"]}
