"""``modelhub new --from URL|DIR``: a card scaffolded from the artifact's facts (name, labels, size, sha256,
parameters, dimension, case sensitivity, max length), in the JSL dialect or the native one, so nobody types
those numbers by hand. A model folder's own README.md front matter gives license, task (``pipeline_tag``), language
and title (else its first heading); a local artifact is linked relative to the card, so the catalog stays portable.
Prose sections are left for the author, marked as such."""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import yaml

from ..artifacts import ArtifactFacts, inspect_artifact
from ..card import read_card
from ..vocab import task_name
from ..fileio import write_bytes_atomic
from .common import config_for

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
    parser.add_argument("--task", help="task, e.g. 'Text Classification' (default: guessed from the model class)")
    parser.add_argument("--license", help="license of the model (the artifact does not say; required for native)")
    parser.add_argument("--edition", help="JSL edition, e.g. 'Spark NLP 5.4.2' (default: from the file name)")
    parser.add_argument("--output", "-o", default="-", help="card file to write, or - for stdout (default)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing card")
    parser.add_argument("--offline", action="store_true", help="use only the cache and mirrors")
    parser.add_argument("--no-checksum", action="store_true",
                        help="do not compute the sha256 (which downloads a remote artifact)")


def run(args: argparse.Namespace) -> int:
    config = config_for(None if args.output == "-" else [Path(args.output).parent])
    facts = inspect_artifact(args.source, config=config, offline=args.offline or None,
                             checksum=not args.no_checksum, confined=False)
    if not facts.ok:
        print(f"modelhub: cannot scaffold a card: {facts.error}", file=sys.stderr)
        return 1
    readme = readme_facts(args.source)
    name, language = identity(args.source, args.name, args.language or readme.get("language"))
    choices = Choices(name, language, _dt.date.today(), args.task or readme.get("task") or task_of(facts),
                      args.license or readme.get("license"), args.edition or _edition(facts), readme.get("title"),
                      card_url(args.source, facts.url, None if args.output == "-" else Path(args.output)))
    text = (jsl_card if args.dialect == "jsl" else native_card)(facts, choices)
    missing = [flag for flag, value in (("--task", choices.task), ("--license", choices.license),
                                        ("--edition", choices.edition if args.dialect == "jsl" else "-"))
               if not value]
    if missing:
        print(f"modelhub new: the artifact does not say {', '.join(f[2:] for f in missing)}; pass "
              f"{', '.join(missing)} or fill them in before `modelhub check`", file=sys.stderr)
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


@dataclass(frozen=True)
class Choices:
    """What the card says that the artifact cannot: from the options, the file name, or today."""

    name: str
    language: str
    date: _dt.date
    task: str | None = None
    license: str | None = None
    edition: str | None = None
    title: str | None = None
    url: str | None = None  # the artifact as the card links it (default: as given)


def readme_facts(source: str) -> dict[str, str]:
    """What a local model folder's README.md says about the model: license, task (``pipeline_tag``), language and
    title (front matter, else the first heading). Empty for URLs, files and folders without one."""
    folder = Path(source)
    if "://" in source or not folder.is_dir():
        return {}
    readme = next((folder / name for name in ("README.md", "readme.md") if (folder / name).is_file()), None)
    if readme is None:
        return {}
    card = read_card(readme)
    found = {"license": card.license, "title": card.title,
             "task": task_name(card.task[0]) if card.task else None,
             "language": card.language[0] if isinstance(card.language, list) and card.language else card.language}
    return {key: str(value).strip() for key, value in found.items() if isinstance(value, str) and value.strip()}


def card_url(source: str, url: str, card: Path | None) -> str:
    """A local artifact relative to the card's folder (to the working folder for stdout); URLs as they are."""
    if "://" in source or not Path(source).exists():
        return url
    base = (card.parent if card is not None else Path.cwd()).resolve()
    return Path(os.path.relpath(Path(source).resolve(), base)).as_posix()


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


def native_card(facts: ArtifactFacts, chosen: Choices) -> str:
    front: dict = {"modelhub": 1, "name": chosen.name, "title": chosen.title or chosen.name.replace("_", " "),
                   "date": chosen.date,
                   "language": chosen.language}
    if chosen.task:
        front["task"] = chosen.task
    if chosen.license:
        front["license"] = chosen.license
    if facts.class_name:
        front["annotator"] = facts.class_name
    if facts.labels:
        front["labels"] = list(facts.labels)
    info = {key.lower().replace(" ", "_"): _typed(value) for key, value in _info(facts) if key != "SHA256"}
    if info:
        front["info"] = info
    artifact: dict = {"url": chosen.url or facts.url, "format": facts.format}
    if facts.sha256:
        artifact["sha256"] = facts.sha256
    if facts.size:
        artifact["size"] = facts.size  # bytes, exactly
    front["artifact"] = artifact
    body = f"\n## Description\n\n{AUTHOR_NOTE}\n\n## How to use\n\n{AUTHOR_NOTE}\n"
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000) + "---\n" + body


def jsl_card(facts: ArtifactFacts, chosen: Choices) -> str:
    name, language = chosen.name, chosen.language
    spark = (facts.versions or {}).get("spark_from_name") or _minor(facts.spark_version)
    lines = ["---", "layout: model", f"title: {chosen.title or name.replace('_', ' ')}", "author: John Snow Labs",
             f"name: {name}",
             f"date: {chosen.date.isoformat()}", f"tags: [{language}, open_source]"]
    if chosen.task:
        lines.append(f"task: {chosen.task}")
    lines.append(f"language: {language}")
    if chosen.edition:
        lines.append(f"edition: {chosen.edition}")
    if spark:
        lines.append(f"spark_version: {spark}")
    lines.append("supported: true")
    if facts.class_name:
        lines.append(f"annotator: {facts.class_name}")
    lines += ["article_header:", "  type: cover", 'use_language_switcher: "Python-Scala-Java"', "---", "",
              "## Description", "", AUTHOR_NOTE, ""]
    if facts.labels:
        lines += ["## Predicted Entities", "", ", ".join(f"`{label}`" for label in facts.labels), ""]
    url = chosen.url or facts.url
    lines += ["{:.btn-box}", f"[Download]({url}){{:.button.button-orange.button-orange-trans.arr.button-icon}}"]
    s3 = _s3_uri(facts.url)
    if s3:
        lines.append(f"[Copy S3 URI]({s3}){{:.button.button-orange.button-orange-trans.button-icon.button-copy-s3}}")
    lines += ["", "## How to use", "", AUTHOR_NOTE, "", "## Model Information", "", "{:.table-model}", "|---|---|",
              f"|Model Name:|{name}|"]
    if chosen.edition:
        lines.append(f"|Compatibility:|{chosen.edition}+|")
    lines += [f"|License:|{chosen.license or 'Open Source'}|", "|Edition:|Official|"]
    inputs, output = facts.details.get("input_cols"), facts.details.get("output_col")
    if inputs:
        lines.append(f"|Input Labels:|[{', '.join(inputs)}]|")
    if output:
        lines.append(f"|Output Labels:|[{output}]|")
    lines.append(f"|Language:|{language}|")
    lines += [f"|{key}:|{value}|" for key, value in _info(facts)]
    return "\n".join(lines) + "\n"


def _edition(facts: ArtifactFacts) -> str | None:
    version = (facts.versions or {}).get("spark_nlp_from_name")
    return f"Spark NLP {version}" if version else None


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
