"""Evaluation sets: what the card declares (front matter ``benchmark:``) and the rows read from it.

A set is a local CSV, JSONL/JSON or Parquet file, a folder laid out like a Hugging Face dataset repository, or a
Hugging Face dataset id found in the local hub cache or a configured mirror folder (never downloaded from the Hub).
Sampling is deterministic: the same seed and size give the same rows on every machine.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..artifacts.cache import sha256_file
from ..card import Card
from ..config import Config
from ..errors import BenchError

SPEC_KEYS = ("benchmark", "evaluation")
KINDS = ("classification", "similarity")
FILE_FORMATS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
                ".parquet": "parquet"}
SPLIT_ALIASES = {"test": ("test", "testing"), "validation": ("validation", "valid", "dev", "val"),
                 "train": ("train", "training")}


class EvalSetError(BenchError, ValueError):
    """An evaluation set that cannot be used; ``line`` points at the card's ``benchmark:`` key."""

    def __init__(self, message: str, line: int = 1, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.hint = hint


@dataclass(frozen=True)
class EvalSpec:
    """The evaluation set a card declares, with the columns to read and how many rows to sample."""

    dataset: str
    kind: str = "classification"
    text_column: str = "text"
    label_column: str = "label"
    sentence1_column: str = "sentence1"
    sentence2_column: str = "sentence2"
    score_column: str = "score"
    split: str | None = None
    sample: int | None = None
    seed: int = 0
    max_length: int | None = None
    label_map: dict[str, str] = field(default_factory=dict)
    tokenizer: str | None = None  # where an ONNX graph's tokenizer is (URL, pkg://, or a path), when not beside it
    output: str | None = None  # which ONNX output holds the logits or the sentence embedding
    line: int = 1

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"dataset": self.dataset, "kind": self.kind, "split": self.split,
                                "sample": self.sample, "seed": self.seed}
        if self.kind == "similarity":
            data.update(sentence1_column=self.sentence1_column, sentence2_column=self.sentence2_column,
                        score_column=self.score_column)
        else:
            data.update(text_column=self.text_column, label_column=self.label_column)
        if self.label_map:
            data["label_map"] = dict(self.label_map)
        data.update({k: v for k, v in (("tokenizer", self.tokenizer), ("output", self.output)) if v})
        return data


def read_spec(card: Card) -> EvalSpec | None:
    """The card's declared evaluation set, or None when it declares none. Raises EvalSetError when malformed."""
    key = next((k for k in SPEC_KEYS if k in card.front_matter), None)
    if key is None:
        return None
    line = card.key_lines.get(key, 1)
    value = card.front_matter[key]
    if isinstance(value, str):
        value = {"dataset": value}
    if not isinstance(value, dict):
        raise EvalSetError(f"front matter `{key}:` must be a mapping with a `dataset:` entry, "
                           f"not {type(value).__name__}", line,
                           f"write `{key}:` as a mapping, e.g. `{key}: {{dataset: cards/data/eval.csv, "
                           "text_column: text, label_column: label}`")
    dataset = value.get("dataset") or value.get("path") or value.get("data")
    if not isinstance(dataset, str) or not dataset.strip():
        raise EvalSetError(f"front matter `{key}:` has no `dataset:`", line,
                           "name a CSV/JSONL/Parquet file, a dataset folder or a Hugging Face dataset id")
    unknown = sorted(set(value) - {"dataset", "path", "data", "kind", "task", "text_column", "label_column",
                                   "sentence1_column", "sentence2_column", "score_column", "split", "sample",
                                   "sample_size", "seed", "max_length", "label_map", "labelled", "note",
                                   "description", "tokenizer", "output"})
    if unknown:
        raise EvalSetError(f"front matter `{key}:` has unknown entries: {', '.join(unknown)}", line,
                           "known entries: dataset, kind, text_column, label_column, sentence1_column, "
                           "sentence2_column, score_column, split, sample, seed, max_length, label_map, "
                           "tokenizer, output, note")
    kind = str(value.get("kind") or value.get("task") or "").strip().lower()
    if not kind:
        kind = "similarity" if "score_column" in value or "sentence1_column" in value else "classification"
    kind = {"sts": "similarity", "sentence-similarity": "similarity", "embedding": "similarity",
            "text-classification": "classification"}.get(kind, kind)
    if kind not in KINDS:
        raise EvalSetError(f"front matter `{key}: kind` is {kind!r}; modelhub measures {' or '.join(KINDS)}", line,
                           "use kind: classification (text + label) or kind: similarity (scored sentence pairs)")
    sample = value.get("sample", value.get("sample_size"))
    for name, number in (("sample", sample), ("seed", value.get("seed")), ("max_length", value.get("max_length"))):
        if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < 0):
            raise EvalSetError(f"front matter `{key}: {name}` must be a whole number >= 0, not {number!r}", line,
                               f"write e.g. `{name}: 200`")
    label_map = value.get("label_map") or {}
    if not isinstance(label_map, dict):
        raise EvalSetError(f"front matter `{key}: label_map` must be a mapping from dataset label to model label",
                           line, "write e.g. `label_map: {0: negative, 1: positive}`")
    columns = {name: str(value[name]) for name in ("text_column", "label_column", "sentence1_column",
                                                   "sentence2_column", "score_column") if value.get(name)}
    return EvalSpec(dataset=dataset.strip(), kind=kind, split=_opt_str(value.get("split")),
                    sample=sample or None, seed=int(value.get("seed") or 0), max_length=value.get("max_length"),
                    label_map={str(k): str(v) for k, v in label_map.items()}, line=line,
                    tokenizer=_opt_str(value.get("tokenizer")), output=_opt_str(value.get("output")), **columns)


def _opt_str(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


@dataclass
class EvalSet:
    """Rows read from an evaluation set, after sampling: texts and labels, or sentence pairs and gold scores."""

    spec: EvalSpec
    source: str  # the file that was read, as a path relative to the catalog root when possible
    digest: str  # sha256 of that file's bytes
    total: int  # rows in the split before sampling
    indices: list[int]  # which rows were kept
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.indices)

    def describe(self) -> dict[str, Any]:
        """What the page says about the set: where it came from, how much of it was used."""
        return {**self.spec.to_dict(), "source": self.source, "sha256": self.digest, "rows": self.total,
                "used": len(self), "sampled": len(self) < self.total}


# ---- locating the file ------------------------------------------------------------------------------------------
def resolve_dataset(spec: EvalSpec, *, card_path: str | Path | None, config: Config) -> Path:
    """The file to read for ``spec``: a path (catalog root, then the card's folder), a dataset folder's split file,
    or a Hugging Face dataset id in the hub cache or a mirror. URLs go through the artifact cache."""
    name = spec.dataset
    if "://" in name and not name.startswith(("file://", "hf://")):
        return _from_url(name, spec, card_path, config)
    if name.startswith("file://"):
        name = name[len("file://"):]
    candidates: list[Path] = []
    if not name.startswith("hf://"):
        raw = Path(name).expanduser()
        candidates = [raw] if raw.is_absolute() else [config.path(raw)]
        if card_path is not None and not raw.is_absolute():
            candidates.append(Path(card_path).parent / raw)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
        if candidate.is_dir():
            return split_file(candidate, spec)
    repo_id = name[len("hf://"):] if name.startswith("hf://") else name
    repo_id = repo_id.removeprefix("datasets/")
    if repo_id.count("/") <= 1 and not Path(repo_id).suffix:
        folder = _hub_dataset_folder(repo_id, config)
        if folder is not None:
            return split_file(folder, spec)
    looked = ", ".join(str(c) for c in candidates) or f"the Hugging Face cache and mirrors for {repo_id}"
    raise EvalSetError(f"evaluation set {spec.dataset!r} not found (looked in {looked})", spec.line,
                       "commit the file next to the card (e.g. cards/data/), or put the dataset in the Hugging Face "
                       "cache or a folder listed in [tool.modelhub.bench] dataset_dirs")


def _from_url(url: str, spec: EvalSpec, card_path: str | Path | None, config: Config) -> Path:
    try:
        from ..artifacts import materialize  # the artifact cache: mirrors, checksums, atomic downloads
    except ImportError as error:  # pragma: no cover - the artifacts package ships with modelhub
        raise EvalSetError(f"evaluation set {url}: cannot fetch URLs ({error})", spec.line) from error
    try:
        path = Path(materialize(url, card_path=card_path, config=config))
    except Exception as error:  # noqa: BLE001 - any fetch failure becomes a finding, never a crash
        raise EvalSetError(f"evaluation set {url} could not be fetched: {error}", spec.line,
                           "check the URL or configure a mirror") from error
    return split_file(path, spec) if path.is_dir() else path


def _hub_dataset_folder(repo_id: str, config: Config) -> Path | None:
    """A dataset repository in a configured mirror folder or the local Hugging Face hub cache (newest snapshot)."""
    for mirror in config.settings.bench.dataset_dirs:
        base = config.path(mirror)
        for candidate in (base / repo_id, base / repo_id.replace("/", "--")):
            if candidate.is_dir():
                return candidate
    hf_home = Path(os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface")
    hub = Path(os.environ.get("HF_HUB_CACHE") or hf_home / "hub")
    snapshots = hub / f"datasets--{repo_id.replace('/', '--')}" / "snapshots"
    if snapshots.is_dir():
        found = sorted((p for p in snapshots.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        if found:
            return found[-1]
    return None


def split_file(folder: Path, spec: EvalSpec) -> Path:
    """The data file of the wanted split in a dataset folder (``test.csv``, ``data/test-00000-of-00001.parquet``,
    ``test/*.jsonl``...). Without a split, test is preferred over validation over train."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FILE_FORMATS
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts)
                   and p.name not in {"dataset_info.json", "dataset_dict.json", "state.json"})
    if not files:
        raise EvalSetError(f"dataset folder {folder} has no CSV, JSONL, JSON or Parquet file", spec.line,
                           "put the split's data file in the folder (e.g. test.csv)")
    wanted = [spec.split] if spec.split else ["test", "validation", "train"]
    for split in wanted:
        names = SPLIT_ALIASES.get(split, (split,))
        for path in files:
            parts = [path.stem.lower().split("-")[0], *(p.lower() for p in path.relative_to(folder).parts[:-1])]
            if any(part in names for part in parts):
                return path
    if not spec.split and len(files) == 1:
        return files[0]
    raise EvalSetError(f"dataset folder {folder} has no {spec.split or 'test/validation/train'} split "
                       f"(files: {', '.join(p.name for p in files[:6])})", spec.line,
                       "set `split:` in the card's benchmark entry to one of the folder's splits")


# ---- reading rows ---------------------------------------------------------------------------------------------
def read_rows(path: Path, spec: EvalSpec) -> list[dict[str, Any]]:
    """Rows of a CSV/TSV/JSONL/JSON/Parquet file as dictionaries."""
    kind = FILE_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise EvalSetError(f"{path}: unknown evaluation file type {path.suffix!r}", spec.line,
                           f"use one of {', '.join(sorted(FILE_FORMATS))}")
    if kind == "parquet":
        return _parquet_rows(path, spec)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise EvalSetError(f"{path}: not UTF-8 text ({error})", spec.line, "save the file as UTF-8") from error
    if kind in {"csv", "tsv"}:
        return list(csv.DictReader(io.StringIO(text), delimiter="\t" if kind == "tsv" else ","))
    if kind == "json":
        try:
            data = json.loads(text)
        except ValueError as error:
            raise EvalSetError(f"{path}: invalid JSON ({error})", spec.line, "fix the file or use JSONL") from error
        if isinstance(data, dict):  # {"data": [...]} or {"test": [...]}
            data = data.get(spec.split or "", data.get("data", data.get("rows")))
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise EvalSetError(f"{path}: expected a list of objects", spec.line, "write one object per row")
        return data
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            raise EvalSetError(f"{path}:{number}: invalid JSON line ({error})", spec.line,
                               "every line of a JSONL file must be one JSON object") from error
        if not isinstance(row, dict):
            raise EvalSetError(f"{path}:{number}: expected an object, got {type(row).__name__}", spec.line,
                               "every line of a JSONL file must be one JSON object")
        rows.append(row)
    return rows


def _parquet_rows(path: Path, spec: EvalSpec) -> list[dict[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as error:
        raise EvalSetError(f"{path}: reading Parquet needs pyarrow, which is not installed", spec.line,
                           "pip install pyarrow, or convert the split to CSV or JSONL") from error
    try:
        return pq.read_table(path).to_pylist()
    except Exception as error:  # noqa: BLE001 - a corrupt file is a finding
        raise EvalSetError(f"{path}: unreadable Parquet file ({error})", spec.line) from error


def sample_indices(total: int, size: int | None, seed: int) -> list[int]:
    """Deterministic sample of row numbers, in file order: the same (total, size, seed) always gives the same rows."""
    if size is None or size >= total:
        return list(range(total))
    return sorted(random.Random(seed).sample(range(total), size))


def load_eval_set(spec: EvalSpec, *, card_path: str | Path | None, config: Config) -> EvalSet:
    """Find, read, check and sample the evaluation set a card declares."""
    path = resolve_dataset(spec, card_path=card_path, config=config)
    rows = read_rows(path, spec)
    if not rows:
        raise EvalSetError(f"{path}: the evaluation set has no rows", spec.line, "add labelled rows to the file")
    wanted = ([spec.sentence1_column, spec.sentence2_column, spec.score_column] if spec.kind == "similarity"
              else [spec.text_column, spec.label_column])
    columns = list(rows[0])
    missing = [name for name in wanted if name not in columns]
    if missing:
        raise EvalSetError(f"{path}: no column {', '.join(repr(m) for m in missing)} "
                           f"(columns: {', '.join(map(str, columns))})", spec.line,
                           "set text_column/label_column (or sentence1_column/sentence2_column/score_column) "
                           "in the card's benchmark entry")
    indices = sample_indices(len(rows), spec.sample, spec.seed)
    chosen = [rows[i] for i in indices]
    evalset = EvalSet(spec, display_path(path, config), sha256_file(path), len(rows), indices)
    for offset, row in zip(indices, chosen):
        if spec.kind == "similarity":
            try:
                score = float(row[spec.score_column])
            except (TypeError, ValueError) as error:
                raise EvalSetError(f"{path}: row {offset + 1}: score {row[spec.score_column]!r} is not a number",
                                   spec.line, "scores must be numbers") from error
            evalset.pairs.append((str(row[spec.sentence1_column] or ""), str(row[spec.sentence2_column] or "")))
            evalset.scores.append(score)
        else:
            label = row[spec.label_column]
            if label is None or str(label).strip() == "":
                raise EvalSetError(f"{path}: row {offset + 1} has no label", spec.line,
                                   "every evaluation row needs a label")
            evalset.texts.append(str(row[spec.text_column] or ""))
            evalset.labels.append(spec.label_map.get(str(label).strip(), str(label).strip()))
    return evalset


def display_path(path: str | Path, config: Config) -> str:
    """A path as the catalog's files should name it: relative to the catalog root when it is inside it."""
    path = Path(path)
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return str(path)
