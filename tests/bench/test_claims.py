"""Claimed vs measured: the card's Benchmarking numbers, matched by meaning, compared within a tolerance."""

from __future__ import annotations

import pytest

from generator.bench.claims import canonical_metric, claimed_metrics, compare_claims
from generator.card import read_card
from generator.card.benchmark import parse_benchmark
from tests.conftest import seed

QUALITY = {"metrics": {"accuracy": 0.60, "micro_avg_f1": 0.60, "macro_avg_f1": 0.55, "micro_avg_precision": 0.60,
                       "micro_avg_recall": 0.60, "spearman_cosine": 0.81},
           "per_label": {"Positive": {"precision": 0.7, "recall": 0.5, "f1": 0.58}},
           "eval_samples_per_second": 50.0}


@pytest.mark.parametrize("written, expected", [
    ("eval_accuracy", "accuracy"), ("eval_f1", "micro_avg_f1"), ("macro_avg_f1", "macro_avg_f1"),
    ("weighted avg f1-score", "weighted_avg_f1"), ("weighted_avg_recall", "weighted_avg_recall"),
    ("sts-test_spearman_cosine", "spearman_cosine"), ("eval_samples_per_second", "samples_per_second"),
    ("eval_loss", None), ("epoch", None),
])
def test_names_in_cards_map_to_measured_metrics(written, expected):
    assert canonical_metric(written) == expected


def test_trainer_average_is_configurable():
    assert canonical_metric("eval_precision", "weighted") == "weighted_avg_precision"


def test_seed_trainer_block_against_a_measurement():
    card = read_card(seed(1))  # claims eval_accuracy 0.94604, 144.06 samples/s
    claims = {c.metric: c for c in compare_claims(card.benchmark, QUALITY, None)}
    accuracy = claims["accuracy"]
    assert (accuracy.claimed, accuracy.measured, accuracy.within) == (0.94604, 0.60, False)
    assert accuracy.claimed_as == "eval_accuracy" and accuracy.line == card.benchmark.line
    assert "0.946" in accuracy.describe() and "0.6" in accuracy.describe()
    assert claims["micro_avg_f1"].within is False
    speed = claims["samples_per_second"]
    assert speed.kind == "speed" and speed.measured == 50.0 and speed.within is False
    assert "144.06" in speed.describe()


def test_within_tolerance_is_not_a_mismatch_and_the_tolerance_is_used():
    block = parse_benchmark('{"eval_accuracy": 0.61}', 10)
    (claim,) = compare_claims(block, QUALITY, None, tolerance=0.02)
    assert claim.within is True
    (claim,) = compare_claims(block, QUALITY, None, tolerance=0.005)
    assert claim.within is False


def test_per_label_claims_match_labels_case_insensitively():
    raw = ("label  precision  recall  f1-score  support\n"
           "positive  0.90  0.50  0.58  100\n"
           "accuracy        0.61  200\n")
    claims = compare_claims(parse_benchmark(raw, 5), QUALITY, None)
    by = {(c.metric, c.label): c for c in claims}
    assert by[("precision", "positive")].within is False and by[("recall", "positive")].within is True
    assert by[("accuracy", None)].within is True


def test_percent_numbers_without_a_sign_are_read_as_percent():
    block = parse_benchmark("| metric | value |\n|---|---|\n| Accuracy | 60.5 |\n", 3)
    assert claimed_metrics(block)["accuracy"] == ("accuracy", 0.605)


def test_plain_text_pairs_are_claims_too():
    block = parse_benchmark("# measured on pairs.csv\nmetric           value\nspearman_cosine  0.80\n", 3)
    (claim,) = compare_claims(block, QUALITY, None)
    assert claim.metric == "spearman_cosine" and claim.within is True


def test_speed_claims_fall_back_to_batch_8_throughput_without_an_evaluation_set():
    block = parse_benchmark('{"eval_samples_per_second": 100}', 1)
    speed = {"latency": [{"input": "short", "batch_size": 8, "samples_per_second": 120.0}]}
    (claim,) = compare_claims(block, None, speed, speed_tolerance=0.5)
    assert claim.measured == 120.0 and claim.within is True


def test_nothing_measured_means_nothing_compared():
    card = read_card(seed(1))
    assert compare_claims(card.benchmark, None, None) == []
    assert compare_claims(None, QUALITY, None) == []


def test_model_index_claims_are_compared_like_a_benchmarking_block():
    from generator.card import parse_card

    card = parse_card("---\nlicense: mit\nlibrary_name: transformers\nmodel-index:\n- name: m\n  results:\n"
                      "  - task: {type: text-classification}\n    dataset: {name: d, type: d}\n    metrics:\n"
                      "    - {type: accuracy, value: 0.91}\n    - {type: macro_avg_f1, value: 0.55}\n---\n# m\n")
    claims = {c.metric: c for c in compare_claims(card.benchmark, QUALITY, None)}
    assert claims["accuracy"].claimed == 0.91 and not claims["accuracy"].within  # measured 0.60
    assert claims["macro_avg_f1"].within
    assert claims["accuracy"].line == 4  # the model-index key
