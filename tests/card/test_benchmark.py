"""Benchmarking blocks as newer John Snow Labs cards write them: every average row is an average, every label a
label, each stacked table read against its own header, and every label keeps the line of its row."""

from __future__ import annotations

import pytest

from generator.card import parse_card
from generator.card.benchmark import average_of, parse_benchmark

# A 2023 licensed classifier card's block: hyphenated averages, '-' placeholders in the accuracy row.
HYPHENATED = """\
       label  precision    recall  f1-score   support
    Negative       0.83      0.80      0.82       921
    Positive       0.88      0.90      0.89      1423
    accuracy          -         -      0.86      2344
   macro-avg       0.85      0.85      0.85      2344
weighted-avg       0.86      0.86      0.86      2344
"""


def test_hyphenated_average_rows_are_averages_not_labels():
    bench = parse_benchmark(HYPHENATED, 40)
    assert set(bench.per_label) == {"Negative", "Positive"}
    assert bench.metrics == {
        "accuracy": 0.86,
        "macro_avg_precision": 0.85, "macro_avg_recall": 0.85, "macro_avg_f1": 0.85,
        "weighted_avg_precision": 0.86, "weighted_avg_recall": 0.86, "weighted_avg_f1": 0.86,
    }
    assert bench.label_lines == {"Negative": 41, "Positive": 42}


def test_single_spaced_rows_with_placeholders_keep_their_columns():
    bench = parse_benchmark("label precision recall f1-score support\nB-DRUG 0.91 0.93 0.92 301\n"
                            "accuracy - - 0.9 10\nmacro - - - -\n", 1)
    assert bench.per_label == {"B-DRUG": {"precision": 0.91, "recall": 0.93, "f1": 0.92, "support": 301}}
    assert bench.metrics == {"accuracy": 0.9}  # the all-placeholder macro row adds nothing, and no word "-"


def test_an_accuracy_row_with_three_numbers_is_one_accuracy():
    bench = parse_benchmark("              precision    recall  f1-score   support\n"
                            "         pos       0.94      0.95      0.95     12500\n"
                            "    accuracy       0.95      0.95      0.95\n", 1)
    assert bench.metrics == {"accuracy": 0.95}
    assert not any(key.startswith("accuracy_") for key in bench.metrics)


def test_numeric_class_labels_are_kept():
    bench = parse_benchmark("              precision    recall  f1-score   support\n\n"
                            "           0       0.97      0.98      0.97      5000\n"
                            "           1       0.76      0.70      0.73       500\n\n"
                            "    accuracy                           0.95      5500\n", 7)
    assert bench.per_label["0"] == {"precision": 0.97, "recall": 0.98, "f1": 0.97, "support": 5000}
    assert bench.per_label["1"]["f1"] == 0.73
    assert bench.label_lines == {"0": 9, "1": 10}


def test_jsl_ner_block_with_named_average_values():
    raw = ("label\t tp\t fp\t fn\t prec\t rec\t f1\nI-Drug\t 3127\t 240\t 275\t 0.9287\t 0.9192\t 0.9239\n"
           "B-Drug\t 3760\t 213\t 190\t 0.9464\t 0.9519\t 0.9491\ntp: 6887 fp: 453 fn: 465 labels: 2\n"
           "Macro-average\t prec: 0.93755, rec: 0.93555, f1: 0.93655\n"
           "Micro-average\t prec: 0.93828, rec: 0.93676, f1: 0.93752\n")
    bench = parse_benchmark(raw, 1)
    assert set(bench.per_label) == {"I-Drug", "B-Drug"}
    assert bench.per_label["B-Drug"]["precision"] == 0.9464
    assert bench.metrics == {"macro_avg_precision": 0.93755, "macro_avg_recall": 0.93555, "macro_avg_f1": 0.93655,
                             "micro_avg_precision": 0.93828, "micro_avg_recall": 0.93676, "micro_avg_f1": 0.93752}


def test_stacked_markdown_tables_each_use_their_own_header():
    raw = """\
| label    | tp  | fp | fn | prec  | rec   | f1    |
|----------|-----|----|----|-------|-------|-------|
| PROBLEM  | 910 | 88 | 71 | 0.912 | 0.928 | 0.920 |
| TEST     | 402 | 31 | 40 | 0.928 | 0.909 | 0.918 |
| Total    | 1312| 119| 111| 0.917 | 0.922 | 0.919 |

| label     | precision | recall | f1-score | support |
|-----------|-----------|--------|----------|---------|
| macro-avg | 0.920     | 0.918  | 0.919    | 1423    |
| accuracy  | -         | -      | 0.930    | 1423    |
"""
    bench = parse_benchmark(raw, 100)
    assert set(bench.per_label) == {"PROBLEM", "TEST"}
    assert bench.per_label["TEST"] == {"tp": 402, "fp": 31, "fn": 40, "precision": 0.928, "recall": 0.909, "f1": 0.918}
    assert bench.metrics["macro_avg_precision"] == 0.920
    assert bench.metrics["accuracy"] == 0.930
    assert not any("_tp" in key or "_support" in key for key in bench.metrics)
    assert bench.metrics["total_f1"] == 0.919
    assert bench.label_lines == {"PROBLEM": 102, "TEST": 103}


@pytest.mark.parametrize("written, average", [
    ("macro-avg", "macro_avg"), ("weighted-avg", "weighted_avg"), ("Macro-average", "macro_avg"),
    ("micro avg", "micro_avg"), ("weighted_average", "weighted_avg"), ("Total", "total"), ("accuracy", "accuracy"),
    ("macro", "macro_avg"), ("PROBLEM", None), ("B-macro", None),
])
def test_average_row_spellings(written, average):
    assert average_of(written) == average


def test_two_fenced_blocks_under_one_heading_are_both_read():
    card = parse_card("---\nname: ner_x\n---\n## Benchmarking\n\n```bash\n"
                      "label  precision  recall  f1-score  support\nDRUG  0.9  0.8  0.85  10\n```\n\n"
                      "```bash\nlabel  precision  recall  f1-score  support\nDOSE  0.7  0.6  0.65  5\n"
                      "macro-avg  0.8  0.7  0.75  15\n```\n")
    bench = card.benchmark
    assert set(bench.per_label) == {"DRUG", "DOSE"}
    assert bench.label_lines == {"DRUG": 8, "DOSE": 13}
    assert bench.metrics["macro_avg_f1"] == 0.75
    assert card.text[bench.span[0]:bench.span[1]].startswith("label  precision")  # edits still target the first
