"""``modelhub new --from URL|DIR``: a card scaffolded from the artifact's facts (name, labels, size, sha256,
parameters, dimension, case sensitivity, max length), in the JSL dialect or the native one, so nobody types
those numbers by hand. Prose sections are left for the author, marked as such."""

from __future__ import annotations

import argparse
import datetime as _dt
import re
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import yaml

from ..artifacts import ArtifactFacts, inspect_artifact
from ..artifacts.cache import write_bytes_atomic
from ..config import ConfigError, load_config

TASKS = (("ForSequenceClassification", "Text Classification"), ("ForTokenClassification", "Named Entity Recognition"),
         ("ForQuestionAnswering", "Question Answering"), ("Embeddings", "Embeddings"),
         ("ClassifierDL", "Text Classification"), ("NerDL", "Named Entity Recognition"),
         ("ForMaskedLM", "Fill Mask"), ("Backbone", "Embeddings"))
SPARK_NAME = re.compile(r"^(?P<name>.+)_(?P<lang>[a-z]{2,3}|xx)_\d+(?:\.\d+)+_\d+\.\d+_\d{10,}$")
AUTHOR_NOTE = "<!-- modelhub new: write this section -->"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="source", required=True, metavar="URL|DIR", help="the artifact to describe")
    parser.add_argument("--dialect", choices=("jsl", "native"), default="native")
    parser.add_argument("--name", help="model name (default: from the artifact's file name)")
    parser.add_argument("--language", default=None, help="language code (default: from the file name, else en)")
    parser.add_argument("--output", "-o", default="-", help="card file to write, or - for stdout (default)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing card")
    parser.add_argument("--offline", action="store_true", help="use only the cache and mirrors")
    parser.add_argument("--no-checksum", action="store_true",
                        help="do not compute the sha256 (which downloads a remote artifact)")


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(None if args.output == "-" else Path(args.output).parent)
    except ConfigError as error:
        print(f"modelhub: {error}", file=sys.stderr)
        return 2
    facts = inspect_artifact(args.source, config=config, offline=args.offline or None,
                             checksum=not args.no_checksum)
    if not facts.ok:
        print(f"modelhub: cannot scaffold a card: {facts.error}", file=sys.stderr)
        return 1
    name, language = identity(args.source, args.name, args.language)
    text = (jsl_card if args.dialect == "jsl" else native_card)(facts, name, language, _dt.date.today())
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args.output)
    if out.exists() and not args.force:
        print(f"modelhub: {out} exists; pass --force to overwrite it", file=sys.stderr)
        return 1
    write_bytes_atomic(out, text.encode("utf-8"))
    print(f"wrote {out} ({args.dialect} dialect) from {facts.resolved_url or facts.url}", file=sys.stderr)
    return 0


def identity(source: str, name: str | None, language: str | None) -> tuple[str, str]:
    """Model name and language from the options, else from a Models Hub style file name."""
    stem = PurePosixPath(unquote(urlsplit(source).path) if "://" in source else source).name
    stem = re.sub(r"\.(zip|onnx|safetensors)$", "", stem)
    match = SPARK_NAME.match(stem)
    guessed_name, guessed_language = (match["name"], match["lang"]) if match else (stem, None)
    return name or guessed_name, language or guessed_language or "en"


def task_of(facts: ArtifactFacts) -> str | None:
    for needle, task in TASKS:
        if needle.lower() in (facts.class_name or "").lower():
            return task
    return None


def human_size(size: int) -> str:
    """Decimal units, one decimal: the convention the size rule checks first."""
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def human_count(count: int) -> str:
    for unit, factor in (("B", 10**9), ("M", 10**6), ("K", 10**3)):
        if count >= factor:
            return f"{count / factor:.2f}{unit}"
    return str(count)


def _info(facts: ArtifactFacts) -> list[tuple[str, str]]:
    rows = []
    if facts.case_sensitive is not None:
        rows.append(("Case sensitive", str(facts.case_sensitive).lower()))
    if facts.max_sentence_length:
        rows.append(("Max sentence length", str(facts.max_sentence_length)))
    if facts.dimension:
        rows.append(("Dimension", str(facts.dimension)))
    if facts.parameters:
        rows.append(("Parameters", human_count(facts.parameters)))
    if facts.size:
        rows.append(("Size", human_size(facts.size)))
    if facts.sha256:
        rows.append(("SHA256", facts.sha256))
    return rows


def native_card(facts: ArtifactFacts, name: str, language: str, today: _dt.date) -> str:
    front: dict = {"modelhub": 1, "name": name, "title": name.replace("_", " "), "date": today,
                   "language": language}
    task = task_of(facts)
    if task:
        front["task"] = task
    if facts.class_name:
        front["annotator"] = facts.class_name
    if facts.labels:
        front["labels"] = list(facts.labels)
    info = {key.lower().replace(" ", "_"): _typed(value) for key, value in _info(facts) if key != "SHA256"}
    if info:
        front["info"] = info
    artifact = {"url": facts.url, "format": facts.format}
    if facts.sha256:
        artifact["sha256"] = facts.sha256
    if facts.size:
        artifact["size"] = human_size(facts.size)
    front["artifact"] = artifact
    body = (f"\n## Description\n\n{AUTHOR_NOTE}\n\n## How to use\n\n{AUTHOR_NOTE}\n")
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000) + "---\n" + body


def jsl_card(facts: ArtifactFacts, name: str, language: str, today: _dt.date) -> str:
    versions = facts.versions or {}
    nlp = versions.get("spark_nlp_from_name")
    spark = versions.get("spark_from_name") or _minor(facts.spark_version)
    lines = ["---", "layout: model", f"title: {name.replace('_', ' ')}", "author: John Snow Labs", f"name: {name}",
             f"date: {today.isoformat()}", f"tags: [{language}, open_source]"]
    task = task_of(facts)
    if task:
        lines.append(f"task: {task}")
    lines.append(f"language: {language}")
    if nlp:
        lines.append(f"edition: Spark NLP {nlp}")
    if spark:
        lines.append(f"spark_version: {spark}")
    lines.append("supported: true")
    if facts.class_name:
        lines.append(f"annotator: {facts.class_name}")
    lines += ["article_header:", "  type: cover", 'use_language_switcher: "Python-Scala-Java"', "---", "",
              "## Description", "", AUTHOR_NOTE, ""]
    if facts.labels:
        lines += ["## Predicted Entities", "", ", ".join(f"`{label}`" for label in facts.labels), ""]
    lines += ["{:.btn-box}", f"[Download]({facts.url}){{:.button.button-orange.button-orange-trans.arr.button-icon}}"]
    s3 = _s3_uri(facts.url)
    if s3:
        lines.append(f"[Copy S3 URI]({s3}){{:.button.button-orange.button-orange-trans.button-icon.button-copy-s3}}")
    lines += ["", "## How to use", "", AUTHOR_NOTE, "", "## Model Information", "", "{:.table-model}", "|---|---|",
              f"|Model Name:|{name}|"]
    if nlp:
        lines.append(f"|Compatibility:|Spark NLP {nlp}+|")
    lines += ["|License:|Open Source|", "|Edition:|Official|"]
    inputs, output = facts.details.get("input_cols"), facts.details.get("output_col")
    if inputs:
        lines.append(f"|Input Labels:|[{', '.join(inputs)}]|")
    if output:
        lines.append(f"|Output Labels:|[{output}]|")
    lines.append(f"|Language:|{language}|")
    lines += [f"|{key}:|{value}|" for key, value in _info(facts)]
    return "\n".join(lines) + "\n"


def _typed(value: str):
    if value in ("true", "false"):
        return value == "true"
    return int(value) if value.isdigit() else value


def _minor(version: str | None) -> str | None:
    parts = re.findall(r"\d+", version or "")
    return ".".join(parts[:2]) if parts else None


def _s3_uri(url: str) -> str | None:
    if url.startswith("s3://"):
        return url
    parts = urlsplit(url)
    if parts.hostname == "s3.amazonaws.com" and parts.path.count("/") >= 2:
        return "s3://" + parts.path.lstrip("/")
    return None
