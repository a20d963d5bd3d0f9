"""Measuring cards: decide what can be measured, read the evaluation set, fetch the model, run the probe in the
execution stage's sandboxed worker, and turn its answer into a record.

Nothing here runs model code in this process: the probe runs in ``generator.execute``'s worker (own process group,
no network, resource caps), one worker per (runtime, artifact), reused across the cards that share a model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..artifacts import ArtifactError
from ..artifacts.local import ArtifactHandle, LocalArtifacts
from ..card import Card
from ..card.declared import artifact_url
from ..config import Config
from ..execute.plan import CardPlan, plan_card
from ..records import BenchStatus, status_of
from .evalset import EvalSet, EvalSetError, EvalSpec, load_eval_set, read_spec
from .hardware import versions
from .probe import parse_answer
from .record import BenchSettings, measured_record, not_measured, refresh_claims
from .store import cache_key, tree_size

PROBE_RUNTIMES = ("transformers", "onnx")  # runtimes the probe has adapters for
CLASSIFICATION_TASKS = {"text classification", "text-classification", "sentiment analysis", "sentiment-analysis",
                        "sequence classification", "sequence-classification", "zero-shot classification"}
SIMILARITY_TASKS = {"sentence similarity", "sentence-similarity", "embeddings", "sentence embeddings",
                    "feature-extraction", "feature extraction", "text embedding", "text embeddings",
                    "semantic similarity"}
PROBE_CELL = "from generator.bench.probe import probe_main\nprint(probe_main({request!r}))\n"


@dataclass
class Target:
    """What will be measured for one card, or why nothing can be."""

    card: Card
    runtime: str | None = None
    task: str | None = None  # classification | similarity | forward (speed only); None: decided by the artifact
    url: str | None = None
    spec: EvalSpec | None = None
    spec_error: EvalSetError | None = None
    max_length: int | None = None
    reason: str | None = None

    def card_parts(self) -> dict[str, Any]:
        """The card's side of the cache key: cheap to compute without the artifact (frozen mode uses it)."""
        return {"runtime": self.runtime, "task": self.task, "url": self.url, "max_length": self.max_length,
                "spec": self.spec.to_dict() if self.spec else None,
                "benchmark_entry": self.card.front_matter.get("benchmark")}


def card_max_length(card: Card) -> int | None:
    """The card's max sentence length (info table or front matter), if it states one."""
    for value in (card.front_matter.get("max_sentence_length"),
                  card.info.values.get("max_sentence_length") if card.info else None):
        match = re.search(r"\d+", str(value or ""))
        if match:
            return int(match.group())
    return None


def infer_task(card: Card, spec: EvalSpec | None) -> str | None:
    if spec is not None:
        return spec.kind
    tasks = {t.strip().lower() for t in card.task} | {t.strip().lower() for t in card.tags}
    if tasks & CLASSIFICATION_TASKS or (card.annotator or "").endswith("ForSequenceClassification"):
        return "classification"
    if tasks & SIMILARITY_TASKS:
        return "similarity"
    return None


def task_from_artifact(path: Path) -> str | None:
    """A model folder says what it is: sentence-transformers modules, or a sequence-classification head."""
    folder = path if path.is_dir() else path.parent
    if (folder / "modules.json").is_file():
        return "similarity"
    config = folder / "config.json"
    if config.is_file():
        try:
            architectures = json.loads(config.read_text(encoding="utf-8")).get("architectures") or []
        except (OSError, ValueError):
            return None
        if any(str(a).endswith("ForSequenceClassification") for a in architectures):
            return "classification"
    return None


def target_of(card: Card, config: Config, plan: CardPlan | None = None) -> Target:
    """What to measure with the runtime the card's runtime plan chose (``plan``, made by the execute stage; made
    here with the same ``execute.plan.plan_card`` when that stage did not run), and the task; or why the card
    cannot be measured here."""
    plan = plan or plan_card(card, config.settings.execute)
    target = Target(card, url=artifact_url(card), max_length=card_max_length(card))
    try:
        target.spec = read_spec(card)
    except EvalSetError as error:
        target.spec_error = error
    if target.spec is not None and target.spec.max_length:
        target.max_length = target.spec.max_length
    name, runtime = plan.runtime_name, plan.runtime
    target.runtime = name
    target.task = infer_task(card, target.spec)
    if runtime is None:
        target.reason = f"no runtime named {name!r} (front matter `runtime:`)"
        return target
    if plan.unavailable:
        target.reason = f"the {name} runtime is not available here: {plan.unavailable}"
        return target
    if name == "python" and target.url:
        target.runtime = "transformers"  # a plain-Python card with a model folder: measure it with transformers
    elif name not in PROBE_RUNTIMES:
        target.reason = (f"modelhub has no benchmark probe for the {name} runtime yet (it measures transformers "
                         "and onnx)")
        return target
    if not target.url:
        target.reason = "the card names no model artifact (Download link or front matter `artifact:`) to measure"
    return target


def _open_eval_set(target: Target, config: Config) -> tuple[EvalSet | None, dict[str, Any] | None]:
    """The evaluation set, or the error to put in the record's quality part."""
    if target.spec_error is not None:
        error = target.spec_error
        return None, {"error": str(error), "line": error.line, "hint": error.hint}
    if target.spec is None:
        return None, None
    try:
        return load_eval_set(target.spec, card_path=target.card.path, config=config), None
    except EvalSetError as error:
        return None, {"error": str(error), "line": error.line, "hint": error.hint}


# (target, folders to expose by name, request) -> the probe's answer. Request values "@name" are the exposed folders.
Prober = Callable[[Target, dict[str, Path], dict[str, Any]], dict[str, Any]]


class SandboxProber:
    """Runs the probe in the execution stage's sandboxed worker; the worker of one (runtime, artifact) serves the
    cards that follow each other with that model (the stage orders cards by model)."""

    def __init__(self, config: Config, settings: BenchSettings) -> None:
        self.config = config
        self.settings = settings
        self._workers: dict[tuple[str, str], Any] = {}

    def __call__(self, target: Target, assets: dict[str, Path], request: dict[str, Any]) -> dict[str, Any]:
        worker = self._worker(target.runtime or "transformers", assets["model"])
        files: dict[str, Path] = {}
        for name, path in assets.items():
            files.update(asset_files(name, path))
        cwd = worker.begin_card(target.card.path, None, files=files)
        request = {key: str(cwd / value[1:]) if isinstance(value, str) and value[1:] in assets
                   and value.startswith("@") else value for key, value in request.items()}
        seconds = self.settings.timeout
        cell = worker.execute(PROBE_CELL.format(request=json.dumps(request)), timeout=seconds, cpu=int(seconds))
        answer = parse_answer(cell.stdout)
        if answer is None:
            error = cell.error or {}
            why = error.get("message") or worker.death or cell.stderr.strip()[-500:] or "no answer from the worker"
            if not worker.alive:
                self._workers = {k: w for k, w in self._workers.items() if w is not worker}
            raise RuntimeError(f"the benchmark worker stopped: {why}")
        return answer

    def _worker(self, runtime_name: str, artifact: Path) -> Any:
        from ..execute import worker_for_runtime
        from ..execute.sandbox import SandboxLimits

        key = (runtime_name, str(artifact))
        worker = self._workers.get(key)
        if worker is not None and worker.alive:
            return worker
        self.close()  # one live worker at a time: a catalog of many models must not keep them all in memory
        execute_settings = self.config.settings.execute
        limits = SandboxLimits.from_settings(execute_settings)
        seconds = self.settings.timeout
        limits = replace(limits, snippet_timeout=max(limits.snippet_timeout, seconds),
                         card_timeout=max(limits.card_timeout, seconds),
                         cpu_per_cell=max(limits.cpu_per_cell, int(seconds)),
                         cpu_total=max(limits.cpu_total, int(seconds) * 4))
        if self.settings.memory:
            limits = replace(limits, memory=self.settings.memory)
        # The model reaches the probe as files in the card folder (``asset_files``), not through the runtime's
        # warm-up: the probe times the load itself.
        worker = worker_for_runtime(runtime_name, None, limits=limits, settings=execute_settings, warm=False)
        self._workers[key] = worker
        return worker

    def close(self) -> None:
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()


def asset_files(name: str, source: Path) -> dict[str, Path]:
    """A folder's (or one file's) files under ``name/`` in the worker's card folder, one by one (the sandbox links
    or copies files; a folder it cannot read is recreated file by file)."""
    if source.is_file():
        return {f"{name}/{source.name}": source}
    return {f"{name}/{path.relative_to(source).as_posix()}": path
            for path in sorted(source.rglob("*")) if path.is_file()}


# The inputs that decide a speed measurement: cards whose inputs agree on these share one (the evaluation set, the
# card's own benchmark entry and its URL spelling do not change how fast the model is).
SPEED_INPUTS = ("runtime", "task", "artifact", "tokenizer", "max_length", "settings", "versions")
SPEED_ANSWER = ("load_seconds", "import_seconds", "memory", "latency")  # the probe's speed figures


def speed_key(inputs: dict[str, Any]) -> str:
    return cache_key({"speed": {name: inputs.get(name) for name in SPEED_INPUTS}})


@dataclass
class Measurement:
    """One card, ready to be probed: the request for the worker and what turns its answer into a record.
    ``shared_speed`` is (card, speed part of a record) when another card already measured this model's speed."""

    target: Target
    card_key: str
    key: str
    inputs: dict[str, Any]
    request: dict[str, Any]
    assets: dict[str, Path]
    evalset: EvalSet | None
    eval_error: dict[str, Any] | None
    task: str
    artifact_bytes: int
    shared_speed: tuple[str, dict[str, Any]] | None = None

    @property
    def speed_key(self) -> str:
        return speed_key(self.inputs)


def measure(target: Target, config: Config, settings: BenchSettings, prober: Prober, *,
            stored: dict[str, Any] | None = None, reuse: bool = True, offline: bool | None = None,
            artifact: ArtifactHandle | None = None) -> dict[str, Any]:
    """The record for one planned card: reused from ``stored`` when its key still matches (and ``reuse``)."""
    prepared = prepare(target, config, settings, stored=stored, reuse=reuse, offline=offline, artifact=artifact)
    return prepared if isinstance(prepared, dict) else complete(prepared, settings, prober)


def prepare(target: Target, config: Config, settings: BenchSettings, *, stored: dict[str, Any] | None = None,
            reuse: bool = True, offline: bool | None = None,
            artifact: ArtifactHandle | None = None) -> Measurement | dict[str, Any]:
    """Everything short of probing: the finished record when nothing needs measuring (cannot be measured here, or
    ``stored`` still matches and ``reuse``), else the ``Measurement`` to probe. ``artifact`` is the card's
    artifact as the build resolved it (the artifacts stage's handle, already materialised when the card ran)."""
    card = target.card
    card_key = cache_key(target.card_parts())
    if target.reason:
        return not_measured(card, target.reason, card_key=card_key)
    evalset, eval_error = _open_eval_set(target, config)
    if artifact is None or artifact.url != target.url:
        artifact = LocalArtifacts(config, offline).handle(target.url or "", card.path)
    assets: dict[str, Path] = {}
    digests: dict[str, str] = {}
    try:
        model = artifact.local()
    except ArtifactError as error:  # an unreachable artifact is a reason, not a crash
        return not_measured(card, f"the model artifact could not be fetched: {error}", card_key=card_key)
    assets["model"], digests["model"] = model.path, model.digest
    if target.spec is not None and target.spec.tokenizer:
        try:
            tokenizer = artifact.owner.handle(target.spec.tokenizer, card.path).local()
        except ArtifactError as error:
            return not_measured(card, f"the tokenizer {target.spec.tokenizer} could not be fetched: {error}",
                                card_key=card_key)
        assets["tokenizer"], digests["tokenizer"] = tokenizer.path, tokenizer.digest
    artifact_path = model.path
    task = target.task or task_from_artifact(artifact_path) or "forward"  # forward: speed only, no quality
    if target.runtime == "onnx" and not artifact_path.is_dir() and artifact_path.suffix != ".onnx":
        return not_measured(card, f"the ONNX runtime needs a .onnx file or folder, got {artifact_path.name}",
                            card_key=card_key)
    inputs = {
        **target.card_parts(), "task": task,
        "artifact": digests["model"],
        "tokenizer": digests.get("tokenizer"),
        "dataset": evalset.digest if evalset else None,
        "settings": settings.probe_settings(),
        "versions": {k: v for k, v in versions().items() if k != "modelhub"},
    }
    key = cache_key(inputs)
    if reuse and stored and stored.get("key") == key and status_of(stored, BenchStatus) is BenchStatus.MEASURED:
        refresh_claims(card, stored, settings)
        return stored
    request: dict[str, Any] = {"runtime": target.runtime, "task": task, "max_length": target.max_length,
                               "settings": settings.probe_settings(), "model": "@model"}
    if "tokenizer" in assets:
        request["tokenizer"] = "@tokenizer"
    if target.spec is not None and target.spec.output:
        request["output"] = target.spec.output
    if evalset is not None and evalset.spec.kind == "similarity":
        request["quality"] = {"pairs": [list(p) for p in evalset.pairs]}
    elif evalset is not None:
        request["quality"] = {"texts": evalset.texts}
    return Measurement(target, card_key, key, inputs, request, assets, evalset, eval_error, task,
                       tree_size(artifact_path))


def complete(job: Measurement, settings: BenchSettings, prober: Prober) -> dict[str, Any]:
    """Probe the card and make its record. With ``job.shared_speed`` the probe skips the timing loops (the model
    still loads, for quality) and the record carries the shared speed figures, naming the card they were taken on."""
    card = job.target.card
    request = job.request if job.shared_speed is None else {**job.request, "speed": False}
    try:
        answer = prober(job.target, job.assets, request)
    except Exception as error:  # noqa: BLE001 - a worker that dies is reported on the card
        return not_measured(card, f"measurement failed: {error}", card_key=job.card_key, key=job.key,
                            error=str(error))
    if answer.get("error"):
        return not_measured(card, f"measurement failed: {answer['error']}", card_key=job.card_key, key=job.key,
                            error=answer["error"], traceback=answer.get("traceback"))
    if job.shared_speed is not None:
        answer.update({name: job.shared_speed[1].get(name) for name in SPEED_ANSWER})
    note = None
    if job.target.spec is not None and isinstance(card.front_matter.get("benchmark"), dict):
        note = card.front_matter["benchmark"].get("note") or card.front_matter["benchmark"].get("description")
    record = measured_record(card, answer, settings=settings, evalset=job.evalset,
                             eval_error=(job.eval_error or {}).get("error"), runtime=job.target.runtime or "",
                             task=job.task, artifact_bytes=job.artifact_bytes, key=job.key, inputs=job.inputs,
                             note=note)
    if job.shared_speed is not None:
        record["speed"]["shared_from"] = job.shared_speed[0]
    if job.eval_error and record.get("quality"):
        record["quality"].update({k: v for k, v in job.eval_error.items() if k != "error"})
    record["card_key"] = job.card_key
    return record
