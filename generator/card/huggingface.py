"""What a Hugging Face README says beyond its YAML keys: its `model-index` as the card's claims, its name.

``model-index`` is the Hub's structured evaluation block: results, each with a task, a dataset and metrics. Its
numbers are claims like a JSL Benchmarking block, so they become a ``Benchmark`` (kind ``model_index``) that MH702
compares with what modelhub measured. The metric ``type`` is the metric's name (``accuracy``, ``macro_avg_f1``,
``spearman_cosine``); when the same type is given for several datasets, the first result's value is the claim.
"""

from __future__ import annotations

from typing import Any

from .model import Benchmark


def model_index_benchmark(front_matter: dict[str, Any], line: int) -> Benchmark | None:
    """The claims of a ``model-index`` block, or None when there is none (or it holds no numbers)."""
    index = front_matter.get("model-index")
    if not isinstance(index, list):
        return None
    bench = Benchmark("model_index", line, "")
    for model in index:
        results = model.get("results") if isinstance(model, dict) else None
        for result in results if isinstance(results, list) else []:
            if not isinstance(result, dict):
                continue
            dataset = result.get("dataset") if isinstance(result.get("dataset"), dict) else {}
            for metric in result.get("metrics") or []:
                if not isinstance(metric, dict) or not isinstance(metric.get("type"), str):
                    continue
                value = metric.get("value")
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                key = metric["type"].strip()
                if key not in bench.metrics:
                    bench.metrics[key] = float(value)
                    bench.rows.append({"metric": key, "value": str(value), "name": str(metric.get("name") or key),
                                       "dataset": str(dataset.get("name") or dataset.get("type") or "")})
    if not bench.metrics:
        return None
    bench.raw = "\n".join(f"{row['metric']}: {row['value']}" for row in bench.rows)
    return bench


