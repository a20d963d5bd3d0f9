"""Claimed vs measured: every number in the card's Benchmarking block that modelhub also measured, side by side.

Quality metrics are compared with an absolute tolerance (``[tool.modelhub.bench] tolerance``, default 0.02);
throughput with a relative one (``speed_tolerance``, default 0.5), because the card's hardware is rarely stated.
Hugging Face Trainer blocks report one averaged precision/recall/F1; which average is configurable
(``trainer_average``, default "micro": in the seed cards eval_f1 equals eval_accuracy, which only micro gives).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from ..card.model import Benchmark

RATIO_METRICS = ("accuracy", "precision", "recall", "f1", "spearman", "pearson")
_TEXT_PAIR = re.compile(r"^\s*([A-Za-z][\w .\-/]*?)\s*[:=|]?\s+(-?\d+(?:\.\d+)?%?)\s*$")


@dataclass(frozen=True)
class Claim:
    metric: str  # measured metric name: accuracy, macro_avg_f1, spearman_cosine, samples_per_second ...
    claimed: float
    measured: float
    tolerance: float
    within: bool
    kind: str  # "quality" | "speed"
    claimed_as: str  # the name in the card
    line: int  # the Benchmarking block's first line
    label: str | None = None  # per-label claims

    @property
    def difference(self) -> float:
        return self.measured - self.claimed

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["difference"] = round(self.difference, 6)
        return data

    def describe(self) -> str:
        name = f"{self.metric} of {self.label!r}" if self.label else self.metric
        if self.kind == "speed":
            return (f"card claims {self.claimed_as} {self.claimed:g} samples/s; measured {self.measured:g} samples/s "
                    f"({self.measured / self.claimed:.2f}x)")
        return f"card claims {name} {self.claimed:.4g}; measured {self.measured:.4g} (difference {self.difference:+.4f})"


def claimed_metrics(benchmark: Benchmark, trainer_average: str = "micro") -> dict[str, tuple[str, float]]:
    """The block's numbers under measured-metric names: {measured name: (name in the card, value)}."""
    raw: dict[str, float] = dict(benchmark.metrics)
    if benchmark.kind == "text":
        raw.update(_text_pairs(benchmark.raw))
    found: dict[str, tuple[str, float]] = {}
    for written, value in raw.items():
        name = canonical_metric(written, trainer_average)
        if name is not None and name not in found:
            found[name] = (written, _as_ratio(name, value))
    return found


def canonical_metric(written: str, trainer_average: str = "micro") -> str | None:
    """``eval_accuracy`` -> accuracy, ``eval_f1`` -> micro_avg_f1, ``sts-test_spearman_cosine`` -> spearman_cosine."""
    name = written.strip().lower().replace("-", "_").replace(" ", "_")
    name = re.sub(r"^(eval|test|validation|val|dev)_", "", name)
    if name in {"samples_per_second", "samples/s", "throughput"}:
        return "samples_per_second"
    if "spearman" in name:
        return "spearman_cosine"
    if "pearson" in name:
        return "pearson_cosine"
    if name in {"accuracy", "acc"}:
        return "accuracy"
    match = re.fullmatch(r"(?:(macro|micro|weighted)_(?:avg_)?)?(precision|recall|f1|f1_score)", name)
    if match:
        average = match.group(1) or trainer_average
        metric = "f1" if match.group(2).startswith("f1") else match.group(2)
        return f"{average}_avg_{metric}"
    return None


def _as_ratio(name: str, value: float) -> float:
    """Percentages written without a % sign (94.7 for 0.947) become ratios."""
    if any(part in name for part in RATIO_METRICS) and 1 < value <= 100:
        return value / 100
    return value


def _text_pairs(raw: str) -> dict[str, float]:
    pairs = {}
    for line in raw.splitlines():
        match = _TEXT_PAIR.match(line)
        if match and not line.lstrip().startswith("#"):
            text = match.group(2)
            pairs[match.group(1).strip()] = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    return pairs


def compare_claims(benchmark: Benchmark | None, quality: dict[str, Any] | None, speed: dict[str, Any] | None, *,
                   tolerance: float = 0.02, speed_tolerance: float = 0.5, trainer_average: str = "micro"
                   ) -> list[Claim]:
    """One Claim per number the card states and modelhub measured."""
    if benchmark is None:
        return []
    claims: list[Claim] = []
    measured = dict((quality or {}).get("metrics") or {})
    for name, (written, value) in claimed_metrics(benchmark, trainer_average).items():
        if name == "samples_per_second":
            actual = measured_throughput(quality, speed)
            if actual is not None and value > 0:
                within = abs(actual - value) / value <= speed_tolerance
                claims.append(Claim(name, value, actual, speed_tolerance, within, "speed", written, benchmark.line))
        elif measured.get(name) is not None:
            actual = float(measured[name])
            claims.append(Claim(name, value, actual, tolerance, abs(actual - value) <= tolerance + 1e-12,
                                "quality", written, benchmark.line))
    per_label = {label.lower(): values for label, values in ((quality or {}).get("per_label") or {}).items()}
    for label, values in benchmark.per_label.items():
        actual_values = per_label.get(label.strip().lower())
        if actual_values is None:
            continue
        for metric in ("precision", "recall", "f1"):
            if metric in values and metric in actual_values:
                claimed = _as_ratio(metric, float(values[metric]))
                actual = float(actual_values[metric])
                claims.append(Claim(metric, claimed, actual, tolerance, abs(actual - claimed) <= tolerance + 1e-12,
                                    "quality", metric, benchmark.line, label=label))
    return claims


def measured_throughput(quality: dict[str, Any] | None, speed: dict[str, Any] | None) -> float | None:
    """Samples per second over the evaluation set (what Trainer's eval_samples_per_second means); without one,
    the short-input throughput at batch size 8 (Trainer's default evaluation batch size)."""
    if quality and quality.get("eval_samples_per_second"):
        return float(quality["eval_samples_per_second"])
    for row in (speed or {}).get("latency") or []:
        if row.get("input") == "short" and row.get("batch_size") == 8 and row.get("samples_per_second"):
            return float(row["samples_per_second"])
    return None
