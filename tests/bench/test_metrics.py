"""Quality metrics are scikit-learn's, under the names the card parser gives a Benchmarking block."""

from __future__ import annotations

import random

import pytest
from scipy.stats import spearmanr
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, precision_recall_fscore_support

from generator.bench.metrics import classification_metrics, label_order, similarity_metrics


def _labels(seed: int, n: int = 60) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    names = ["negative", "neutral", "positive"]
    truth = [rng.choice(names) for _ in range(n)]
    predicted = [t if rng.random() < 0.7 else rng.choice(names) for t in truth]
    return truth, predicted


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_number_equals_sklearn_on_the_same_predictions(seed):
    truth, predicted = _labels(seed)
    result = classification_metrics(truth, predicted, labels=["positive", "neutral", "negative"])
    assert result["metrics"]["accuracy"] == accuracy_score(truth, predicted)
    for average in ("macro", "micro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(truth, predicted, average=average, zero_division=0)
        assert result["metrics"][f"{average}_avg_precision"] == pytest.approx(p, abs=1e-12)
        assert result["metrics"][f"{average}_avg_recall"] == pytest.approx(r, abs=1e-12)
        assert result["metrics"][f"{average}_avg_f1"] == pytest.approx(f, abs=1e-12)
    report = classification_report(truth, predicted, output_dict=True, zero_division=0)
    for label, values in result["per_label"].items():
        assert values["precision"] == pytest.approx(report[label]["precision"])
        assert values["recall"] == pytest.approx(report[label]["recall"])
        assert values["f1"] == pytest.approx(report[label]["f1-score"])
        assert values["support"] == report[label]["support"]
    assert result["labels"] == ["positive", "neutral", "negative"]  # the model's order, not alphabetical
    assert result["confusion_matrix"] == confusion_matrix(truth, predicted, labels=result["labels"]).tolist()


def test_a_label_only_ever_predicted_counts_like_sklearn_does():
    truth = ["a", "a", "b", "b"]
    predicted = ["a", "c", "b", "b"]
    result = classification_metrics(truth, predicted, labels=["a", "b", "c", "unused"])
    p, r, f, _ = precision_recall_fscore_support(truth, predicted, average="macro", zero_division=0)
    assert result["metrics"]["macro_avg_f1"] == pytest.approx(f)
    assert result["labels"] == ["a", "b", "c"]  # a model label never seen in truth or predictions is left out
    assert result["per_label"]["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}


def test_label_order_puts_unknown_labels_after_the_models_sorted():
    assert label_order(["z", "b"], ["a"], known=["b", "a"]) == ["b", "a", "z"]


def test_mismatched_lengths_and_empty_sets_are_refused():
    with pytest.raises(ValueError, match="2 true labels but 1 predictions"):
        classification_metrics(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="no samples"):
        classification_metrics([], [])


def test_similarity_is_spearman_of_cosine_against_gold():
    similarities = [0.91, 0.12, 0.55, 0.40, 0.77, 0.05]
    gold = [4.8, 0.5, 3.0, 2.9, 4.0, 1.0]
    result = similarity_metrics(similarities, gold)
    assert result["metrics"]["spearman_cosine"] == pytest.approx(spearmanr(similarities, gold).statistic)
    assert result["samples"] == 6


def test_similarity_needs_three_pairs_and_reports_constant_input_as_none():
    with pytest.raises(ValueError, match="at least 3"):
        similarity_metrics([0.1, 0.2], [1, 2])
    result = similarity_metrics([0.5, 0.5, 0.5], [1, 2, 3])
    assert result["metrics"]["spearman_cosine"] is None
