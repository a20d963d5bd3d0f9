"""Quality metrics from predictions, computed by scikit-learn and scipy (never ``evaluate.load``, which downloads).

Metric names match the ones the card parser gives a Benchmarking block (``accuracy``, ``macro_avg_f1``...), so a
claim and a measurement with the same name are the same quantity.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

AVERAGES = ("macro", "micro", "weighted")


def label_order(y_true: Sequence[str], y_pred: Sequence[str], known: Sequence[str] = ()) -> list[str]:
    """The labels seen in truth or predictions (sklearn's set), in the model's own order, then the rest sorted."""
    observed = {str(v) for v in (*y_true, *y_pred)}
    order = [label for label in dict.fromkeys(str(k) for k in known) if label in observed]
    return order + sorted(observed - set(order))


def classification_metrics(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] = ()
                           ) -> dict[str, Any]:
    """Accuracy, precision/recall/F1 (macro, micro, weighted), the per-label report and the confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    if not y_true:
        raise ValueError("no samples to score")
    y_true = [str(v) for v in y_true]
    y_pred = [str(v) for v in y_pred]
    order = label_order(y_true, y_pred, labels)
    metrics: dict[str, float] = {"accuracy": float(accuracy_score(y_true, y_pred))}
    for average in AVERAGES:
        precision, recall, f1, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=order, average=average, zero_division=0)
        metrics[f"{average}_avg_precision"] = float(precision)
        metrics[f"{average}_avg_recall"] = float(recall)
        metrics[f"{average}_avg_f1"] = float(f1)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=order, average=None, zero_division=0)
    per_label = {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for label, p, r, f, s in zip(order, precision, recall, f1, support)
    }
    matrix = confusion_matrix(y_true, y_pred, labels=order)
    return {
        "kind": "classification",
        "samples": len(y_true),
        "labels": order,
        "metrics": metrics,
        "per_label": per_label,
        "confusion_matrix": matrix.tolist(),  # rows: true label, columns: predicted label, both in `labels` order
    }


def similarity_metrics(similarities: Sequence[float], gold: Sequence[float]) -> dict[str, Any]:
    """Spearman (and Pearson) correlation between the model's cosine similarities and the gold scores."""
    from scipy.stats import pearsonr, spearmanr

    if len(similarities) != len(gold):
        raise ValueError(f"{len(gold)} gold scores but {len(similarities)} similarities")
    if len(gold) < 3:
        raise ValueError(f"{len(gold)} scored pairs: at least 3 are needed for a correlation")
    with warnings.catch_warnings():  # constant input: the correlation is undefined and reported as None
        warnings.simplefilter("ignore")
        spearman = spearmanr(similarities, gold).statistic
        pearson = pearsonr(similarities, gold).statistic
    return {
        "kind": "similarity",
        "samples": len(gold),
        "metrics": {"spearman_cosine": _finite(spearman), "pearson_cosine": _finite(pearson)},
    }


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None
