"""Benchmark rules (MH700-MH710): the card's evaluation entry and Benchmarking block, and the bench stage's record."""

from __future__ import annotations

import pytest

from generator.card import parse_card
from generator.checks import CheckContext, RuleSelection, check_card

CARD = """---
modelhub: 1
name: tiny
runtime: transformers
{front}---

# Tiny

## Benchmarking

```bash
{block}
```
"""
TRAINER = '{"eval_accuracy": 0.95, "eval_samples_per_second": 140.0}'


def card(front: str = "benchmark: {dataset: data/eval.csv}\n", block: str = TRAINER):
    return parse_card(CARD.format(front=front, block=block), "cards/tiny.md")


def codes(card_, bench=None, select=("MH7",)):
    findings = check_card(card_, CheckContext(selection=RuleSelection(select=select), bench=bench))
    return [(f.code, f.line, f.message) for f in findings]


def measured(**extra):
    record = {"status": "measured", "reason": None, "hardware": {"cpu": "Test CPU", "cores": 2},
              "speed": {"latency": []}, "quality": None, "claims": []}
    record.update(extra)
    return record


def claim(metric, claimed, measured_, within, kind="quality", label=None, claimed_as=None):
    return {"metric": metric, "claimed": claimed, "measured": measured_, "within": within, "kind": kind,
            "tolerance": 0.02 if kind == "quality" else 0.5, "claimed_as": claimed_as or metric, "line": 13,
            "label": label, "difference": measured_ - claimed}


def test_a_clean_card_and_a_matching_measurement_give_no_findings():
    assert codes(card(), measured(claims=[claim("accuracy", 0.95, 0.951, True, claimed_as="eval_accuracy")],
                                  quality={"metrics": {"accuracy": 0.951}, "dataset": {"source": "d", "used": 9}})) == []


@pytest.mark.parametrize("front, expected", [
    ("benchmark: [a.csv]\n", "must be a mapping"),
    ("benchmark: {dataset: a.csv, size: 3}\n", "unknown entries: size"),
])
def test_mh700_a_malformed_benchmark_entry_points_at_its_line(front, expected):
    ((code, line, message),) = codes(card(front))
    assert (code, line) == ("MH700", 5) and expected in message


@pytest.mark.parametrize("block", ["ToDo", "TBD", "Lorem ipsum dolor sit amet, consectetur adipiscing elit"])
def test_mh701_a_placeholder_block_is_not_results(block):
    ((code, line, message),) = codes(card(block=block))
    assert code == "MH701" and line == 13 and block[:10] in message


def test_mh701_leaves_real_text_blocks_alone():
    assert codes(card(block="spearman_cosine: 0.75")) == []


def test_mh702_names_the_claimed_and_measured_numbers_and_the_label():
    bench = measured(claims=[claim("recall", 0.9, 0.5, False, label="positive")],
                     quality={"metrics": {}, "dataset": {"source": "cards/data/eval.csv", "used": 40}})
    ((code, line, message),) = codes(card(), bench)
    assert (code, line) == ("MH702", 13)
    assert message == ("card claims recall of 'positive' 0.9000; measured 0.5000 on cards/data/eval.csv (40 rows): "
                       "off by -0.4000, beyond ±0.02")


def test_mh703_speed_claims_name_the_hardware_and_are_only_info():
    bench = measured(claims=[claim("samples_per_second", 140.0, 12.5, False, kind="speed",
                                   claimed_as="eval_samples_per_second")])
    findings = check_card(card(), CheckContext(selection=RuleSelection(select=("MH703",)), bench=bench))
    (finding,) = findings
    assert finding.severity == "info" and "140 samples/s; measured 12.5 samples/s on Test CPU (2 cores)" in (
        finding.message)


def test_mh704_and_mh708_tell_unavailable_from_failed():
    unavailable = {"status": "not_measured", "reason": "the sparknlp runtime is not available here: no pyspark"}
    failed = {"status": "not_measured", "reason": "measurement failed: boom", "error": "boom"}
    assert [c for c, _, _ in codes(card(), unavailable)] == ["MH704"]
    assert [c for c, _, _ in codes(card(), failed)] == ["MH708"]


def test_mh705_missing_and_mh706_stale():
    missing = {"status": "missing", "reason": "no stored benchmark (tiny.bench.json)"}
    assert codes(card(), missing) == [("MH705", 1, "no stored benchmark (tiny.bench.json)")]
    stale = measured(stale="the evaluation set changed since it was measured on 2025-01-01")
    assert "MH706" in [c for c, _, _ in codes(card(), stale)]


def test_mh707_an_unusable_evaluation_set_points_at_the_entry():
    bench = measured(quality={"error": "evaluation set 'data/eval.csv' not found", "line": 5, "hint": "commit it"})
    ((code, line, message),) = codes(card(), bench)
    assert (code, line) == ("MH707", 5) and "not found" in message


def test_mh709_labels_that_do_not_meet():
    bench = measured(quality={"metrics": {"accuracy": 0.0}, "warning": "dataset labels 0, 1 are not among the "
                              "model's labels LABEL_0, LABEL_1; add a label_map"})
    assert [c for c, _, _ in codes(card(), bench)] == ["MH709"]


def test_mh710_quality_claims_without_an_evaluation_set_are_unverified():
    ((code, line, message),) = codes(card(front=""), measured())
    assert (code, line) == ("MH710", 12) and "eval_accuracy" in message
    assert codes(card(front="", block='{"eval_samples_per_second": 3.0}'), measured()) == []


def test_rules_needing_a_record_are_skipped_without_one():
    assert codes(card()) == []
