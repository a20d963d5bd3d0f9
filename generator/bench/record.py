"""The benchmark record of one card: plain JSON-able data the page, the checks and the store all read.

``status`` is "measured", "not_measured" (with the reason: runtime unavailable, no model, measurement failed) or
"missing" (frozen mode and nothing stored). Metrics are computed here, from the predictions the worker returned.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..card import Card
from pydantic import ValidationError

from ..config import Config, ConfigError
from ..records import BenchStatus, status_of
from ..settings import BenchSection, settings_error
from .chart import latency_chart
from .claims import compare_claims
from .evalset import EvalSet
from .metrics import classification_metrics, similarity_metrics



@dataclass
class BenchSettings:
    """``[tool.modelhub.bench]``: how hard to measure and how strictly to compare."""

    batch_sizes: list[int] = field(default_factory=lambda: [1, 8, 32])
    warmup: int = 1
    repetitions: int = 5
    eval_batch_size: int = 8
    max_length_cap: int = 512
    tolerance: float = 0.02  # absolute, for quality metrics (0.02 = two points of accuracy)
    speed_tolerance: float = 0.5  # relative, for throughput claims
    trainer_average: str = "micro"  # which average a Trainer block's eval_f1/precision/recall means
    timeout: float = 1800.0  # seconds for one card's whole measurement
    memory: int | None = None  # worker memory cap, bytes; None keeps the execution stage's default

    @classmethod
    def from_config(cls, config: Config | None, **overrides: Any) -> BenchSettings:
        """The typed ``bench`` table, with command-line ``overrides`` (None: not given) validated the same way."""
        table = config.settings.bench if config is not None else BenchSection()
        given = {k: v for k, v in overrides.items() if v is not None}
        if given:
            try:
                table = BenchSection.model_validate({**table.model_dump(), **given})
            except ValidationError as error:
                raise ConfigError(settings_error(error, given, None, "bench")) from None
        values = table.model_dump()
        values.pop("dataset_dirs")  # the evaluation-set loader reads them from the configuration
        return cls(**values)

    def probe_settings(self) -> dict[str, Any]:
        """The part the worker needs (and the part that changes the numbers, so it is in the cache key)."""
        return {"batch_sizes": list(self.batch_sizes), "warmup": self.warmup, "repetitions": self.repetitions,
                "eval_batch_size": self.eval_batch_size, "max_length_cap": self.max_length_cap}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def not_measured(card: Card, reason: str, *, status: BenchStatus = BenchStatus.NOT_MEASURED,
                 **extra: Any) -> dict[str, Any]:
    """A record that says plainly why there are no numbers."""
    return {"card": card.path, "status": status, "reason": reason, "hardware": None, "versions": None,
            "date": None, "speed": None, "quality": None, "claims": [], "chart_svg": None, **extra}


def align_labels(truth: list[str], model_labels: list[str]) -> tuple[list[str], str | None]:
    """Dataset labels in the model's vocabulary: integer class ids become the model's label names.
    Returns the labels and a warning when the two vocabularies do not meet at all."""
    if not model_labels:
        return truth, None
    if set(truth) <= set(model_labels):
        return truth, None
    if all(t.lstrip("-").isdigit() for t in truth) and all(0 <= int(t) < len(model_labels) for t in truth):
        return [model_labels[int(t)] for t in truth], None
    lowered = {label.lower(): label for label in model_labels}
    if all(t.lower() in lowered for t in truth):
        return [lowered[t.lower()] for t in truth], None
    unknown = sorted(set(truth) - set(model_labels))
    return truth, (f"dataset labels {', '.join(unknown[:5])} are not among the model's labels "
                   f"{', '.join(model_labels[:8])}; add a label_map to the card's benchmark entry")


def quality_from(evalset: EvalSet, answer: dict[str, Any], note: str | None = None) -> dict[str, Any]:
    """Metrics from the worker's predictions (classification) or cosine similarities (scored pairs)."""
    described = evalset.describe()
    if note:
        described["note"] = note
    eval_seconds = answer.get("eval_seconds") or 0
    if evalset.spec.kind == "similarity":
        quality = similarity_metrics(answer["similarities"], evalset.scores)
        quality["similarities"] = answer["similarities"]
    else:
        truth, warning = align_labels(evalset.labels, answer.get("labels") or [])
        quality = classification_metrics(truth, answer["predictions"], answer.get("labels") or [])
        quality["predictions"] = answer["predictions"]
        if warning:
            quality["warning"] = warning
    quality["dataset"] = described
    quality["eval_seconds"] = eval_seconds
    quality["eval_samples_per_second"] = round(len(evalset) / eval_seconds, 3) if eval_seconds else None
    return quality


def refresh_claims(card: Card, record: dict[str, Any], settings: BenchSettings) -> bool:
    """Compare a stored record with the card's Benchmarking block as it is now (the block may have been edited
    since the measurement); returns whether the claims changed."""
    if status_of(record, BenchStatus) is not BenchStatus.MEASURED:
        return False
    quality = record.get("quality")
    claims = compare_claims(card.benchmark, quality if quality and "error" not in quality else None,
                            record.get("speed"), tolerance=settings.tolerance,
                            speed_tolerance=settings.speed_tolerance, trainer_average=settings.trainer_average)
    fresh = [claim.to_dict() for claim in claims]
    changed = fresh != record.get("claims")
    record["claims"] = fresh
    return changed


def measured_record(card: Card, answer: dict[str, Any], *, settings: BenchSettings, evalset: EvalSet | None,
                    eval_error: str | None, runtime: str, task: str, artifact_bytes: int | None,
                    key: str, inputs: dict[str, Any], note: str | None = None) -> dict[str, Any]:
    """Everything measured for one card, with the card's claims compared and the chart drawn."""
    speed = {
        "load_seconds": answer["load_seconds"],
        "import_seconds": answer.get("import_seconds"),
        "parameters": answer["parameters"],
        "artifact_bytes": artifact_bytes,
        "max_length": answer["max_length"],
        "memory": answer.get("memory") or {},
        "latency": answer["latency"],
    }
    quality: dict[str, Any] | None = None
    if evalset is not None:
        quality = quality_from(evalset, answer, note)
    elif eval_error:
        quality = {"error": eval_error}
    title = f"{card.name or card.stem}: latency by batch size"
    record = {
        "card": card.path, "status": BenchStatus.MEASURED, "reason": None, "key": key, "inputs": inputs,
        "runtime": runtime, "task": task,
        "hardware": answer["hardware"], "versions": answer["versions"], "date": answer["date"],
        "settings": settings.probe_settings(),
        "speed": speed, "quality": quality,
        "claims": [],
        "chart_svg": latency_chart(answer["latency"], title=title, chart_id=f"bench-{card.stem}"),
    }
    refresh_claims(card, record, settings)
    return record
