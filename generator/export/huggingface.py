"""A card as a Hugging Face README: YAML metadata the Hub (and ``huggingface_hub.ModelCard``) reads, then the body.

The metadata carries what the Hub indexes: ``language``, ``license`` (an id the Hub knows, else ``other`` with
``license_name``), ``library_name``, ``pipeline_tag``, ``tags``, ``model_name`` and a ``model-index`` with the
figures modelhub *measured* (the stored benchmark record), each with its dataset, never the card's own claims. The
card's other front-matter keys follow unchanged, so reading the README back (``parse_card``) loses nothing. The
body is the card's, with its site-only markup (kramdown attribute lines, Liquid tags) removed, under one H1 title,
plus an "Evaluation results" table of the same measured figures.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .. import vocab
from ..card import Card
from ..records import BenchStatus, status_of

# Hub pipeline tags that the task vocabulary lists among its aliases; a card's task becomes the first that matches.
PIPELINE_TAGS = frozenset({
    "audio-classification", "automatic-speech-recognition", "feature-extraction", "fill-mask", "image-classification",
    "image-to-text", "object-detection", "question-answering", "sentence-similarity", "table-question-answering",
    "text-classification", "text-generation", "text-to-speech", "text2text-generation", "token-classification",
    "translation", "summarization", "zero-shot-classification",
})
_LIBRARIES = {"transformers": "transformers", "onnx": "onnx", "keras-hub": "keras-hub", "sparknlp": "spark-nlp"}
_METRIC_NAMES = {"accuracy": "Accuracy", "spearman_cosine": "Spearman (cosine)", "pearson_cosine": "Pearson (cosine)"}
_SITE_MARKUP = re.compile(r"^\s*(?:\{:[^}]*\}|\{%.*%\})\s*$")
_HF_KEYS = ("language", "license", "license_name", "library_name", "pipeline_tag", "tags", "model_name",
            "model-index")


def huggingface_readme(card: Card, measured: dict[str, Any] | None) -> str:
    """The README text for ``card``; ``measured`` is its stored benchmark record (or None: no model-index)."""
    metadata = front_matter(card, measured)
    head = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{head}---\n\n{body(card, measured)}"


def front_matter(card: Card, measured: dict[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    languages = _languages(card)
    if languages:  # as the card writes it: one code, or a list
        data["language"] = languages if isinstance(card.front_matter.get("language"), list) else languages[0]
    license_id = _license(card.license)
    if license_id:
        data["license"] = license_id
        if license_id == "other" and card.license and vocab.lookup("licenses", card.license) != "other":
            data["license_name"] = card.front_matter.get("license_name") or _slug(card.license)
    library = library_name(card)
    if library:
        data["library_name"] = library
    tag = pipeline_tag(card)
    if tag:
        data["pipeline_tag"] = tag
    tags = list(dict.fromkeys(card.tags))
    if tags:
        data["tags"] = tags
    if card.name:
        data["model_name"] = card.front_matter.get("model_name") or card.name
    index = model_index(card, measured, tag) or _plain(card.front_matter.get("model-index"))
    if index:  # measured figures replace the card's claims; without a measurement its own block stays as written
        data["model-index"] = index
    for key, value in card.front_matter.items():  # everything else the card says, for a lossless way back
        if key not in data and key not in _HF_KEYS and value is not None:
            data[key] = _plain(value)
    return data


def _plain(value: Any) -> Any:
    """YAML-safe: dates and other objects as text (front matter keeps dates as text anyway)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _languages(card: Card) -> list[str]:
    value = card.front_matter.get("language")
    items = value if isinstance(value, list) else [value] if value is not None else []
    codes = [str(v).strip().strip("[]") for v in items if str(v).strip()]
    if not codes and card.language:
        codes = [card.language.strip("[] ")]
    return ["multilingual" if code == "xx" else code for code in codes if code]


def _license(value: str | None) -> str | None:
    if not value:
        return None
    found = vocab.lookup("licenses", value)
    if found and re.fullmatch(r"[a-z0-9][a-z0-9.\-]*", found) and found not in {"open_source", "licensed"}:
        return found
    return "other"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def library_name(card: Card) -> str | None:
    written = card.front_matter.get("library_name")
    if isinstance(written, str) and written.strip():
        return written.strip()
    if "sentence-transformers" in card.tags:
        return "sentence-transformers"
    if card.dialect == "jsl":
        return "spark-nlp"
    if card.dialect == "keras":
        return "keras-hub"
    return _LIBRARIES.get((card.runtime or "").lower())


def pipeline_tag(card: Card) -> str | None:
    written = card.front_matter.get("pipeline_tag")
    if isinstance(written, str) and written.strip():
        return written.strip()
    for task in card.task:
        key = vocab.lookup("tasks", task)
        if key is None:
            continue
        entry = vocab.load("tasks")[key]
        for spelling in (key, *entry.get("aliases", ())):
            if spelling in PIPELINE_TAGS:
                return spelling
    return None


def model_index(card: Card, measured: dict[str, Any] | None, tag: str | None) -> list[dict[str, Any]] | None:
    """One result: the measured quality metrics on the benchmark's dataset."""
    quality = (measured or {}).get("quality") or {}
    metrics = {k: v for k, v in (quality.get("metrics") or {}).items()
               if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if status_of(measured, BenchStatus) is not BenchStatus.MEASURED or not metrics:
        return None
    dataset = quality.get("dataset") or {}
    written = str(dataset.get("dataset") or dataset.get("source") or "evaluation set")
    result: dict[str, Any] = {
        "task": {"type": tag or str(quality.get("kind") or "other"),
                 "name": vocab.task_name(card.task[0]) if card.task else str(quality.get("kind") or "")},
        "dataset": {"name": str(dataset.get("note") or written), "type": PurePosixPath(written).stem or written},
        "metrics": [{"type": key, "value": round(float(value), 6), "name": metric_name(key), "verified": False}
                    for key, value in metrics.items()],
    }
    if dataset.get("split"):
        result["dataset"]["split"] = str(dataset["split"])
    return [{"name": card.name or card.stem, "results": [result]}]


def metric_name(key: str) -> str:
    """``macro_avg_f1`` -> ``Macro avg F1``."""
    if key in _METRIC_NAMES:
        return _METRIC_NAMES[key]
    words = key.replace("_", " ").split()
    return " ".join(["F1" if w == "f1" else w for w in words]).capitalize().replace(" f1", " F1")


def body(card: Card, measured: dict[str, Any] | None) -> str:
    text = card.text[_body_offset(card):]
    lines = [line for line in text.splitlines() if not _SITE_MARKUP.match(line)]
    content = "\n".join(lines).strip("\n")
    title = _plain_title(card.title or card.name or card.stem)
    if not re.match(r"^#\s", content):
        content = f"# {title}\n\n{content}"
    table = evaluation_table(measured)
    if table:
        content = f"{content.rstrip()}\n\n## Evaluation results\n\n{table}"
    return content.rstrip() + "\n"


def _body_offset(card: Card) -> int:
    lines = card.text.splitlines(keepends=True)
    return sum(len(line) for line in lines[:max(0, card.body_line - 1)])


def _plain_title(title: str) -> str:
    return re.sub(r"[*_`]+", "", title).strip()


def evaluation_table(measured: dict[str, Any] | None) -> str:
    quality = (measured or {}).get("quality") or {}
    metrics = quality.get("metrics") or {}
    if status_of(measured, BenchStatus) is not BenchStatus.MEASURED or not metrics:
        return ""
    dataset = quality.get("dataset") or {}
    where = dataset.get("dataset") or dataset.get("source") or "the evaluation set"
    used = dataset.get("used") or quality.get("samples")
    lines = [f"Measured by modelhub on `{where}`" + (f" ({used} examples)" if used else "") +
             (f", {str(measured.get('date'))[:10]}" if measured.get("date") else "") + ":", "",
             "| Metric | Value |", "|---|---|"]
    lines += [f"| {metric_name(key)} | {float(value):.4f} |" for key, value in metrics.items()
              if isinstance(value, (int, float)) and not isinstance(value, bool)]
    return "\n".join(lines) + "\n"


def export_path(card: Card, out_dir: Path) -> Path:
    """Where a card's README goes: ``<out>/<name>/README.md`` (the Hub's layout: one folder per model)."""
    folder = re.sub(r"[^A-Za-z0-9._-]+", "-", card.name or card.stem).strip(".-") or "model"
    return out_dir / folder / "README.md"
