"""The bench stage end to end: a real tiny ALBERT classifier, served on 127.0.0.1 as a zip, measured in the
execution sandbox on a labelled set this test writes; its card claims accuracy 0.95."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from generator.bench.record import BenchSettings
from generator.bench.runner import Target, measure, target_of
from generator.bench.stage import BenchStage, frozen_record
from generator.bench.store import read_record, record_path
from generator.card import read_card
from generator.checks import CheckContext, RuleSelection, check_card
from generator.config import load_config
from generator.pipeline import BuildContext, CardRecord
from tests.bench.conftest import SETTINGS, write_card
from tests.conftest import seed


def test_measured_metrics_equal_sklearn_on_the_same_predictions(catalog):
    bench = catalog["bench"]
    assert bench["status"] == "measured", bench.get("reason")
    quality = bench["quality"]
    truth = [label for _, label in catalog["rows"]]
    predicted = quality["predictions"]
    assert len(predicted) == len(truth) == quality["samples"] == 40
    assert set(predicted) <= {"negative", "positive"}
    metrics = quality["metrics"]
    assert metrics["accuracy"] == accuracy_score(truth, predicted)
    for average in ("macro", "micro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(truth, predicted, average=average, zero_division=0)
        assert (metrics[f"{average}_avg_precision"], metrics[f"{average}_avg_recall"],
                metrics[f"{average}_avg_f1"]) == pytest.approx((p, r, f), abs=1e-12)
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=quality["labels"], zero_division=0)
    for i, label in enumerate(quality["labels"]):
        assert quality["per_label"][label] == pytest.approx(
            {"precision": p[i], "recall": r[i], "f1": f[i], "support": s[i]})
    assert quality["confusion_matrix"] == confusion_matrix(truth, predicted, labels=quality["labels"]).tolist()
    assert quality["dataset"]["source"] == "cards/data/eval.csv" and quality["dataset"]["rows"] == 40


def test_the_card_claiming_accuracy_095_gets_a_finding_naming_both_numbers(catalog):
    bench = catalog["bench"]
    card = read_card(catalog["card"])
    (claim,) = [c for c in bench["claims"] if c["metric"] == "accuracy"]
    assert claim["claimed"] == 0.95 and claim["within"] is False
    findings = check_card(card, CheckContext(selection=RuleSelection(select=("MH7",)), bench=bench))
    (finding,) = [f for f in findings if f.code == "MH702"]
    measured = bench["quality"]["metrics"]["accuracy"]
    assert "0.9500" in finding.message and f"{measured:.4f}" in finding.message
    assert finding.line == card.benchmark.line and finding.severity == "warning"


def test_speed_figures_are_present_positive_and_tagged(catalog):
    bench = catalog["bench"]
    speed = bench["speed"]
    assert speed["load_seconds"] > 0 and speed["artifact_bytes"] > 0
    assert speed["parameters"] == 10_935  # the fixture model's parameter count
    assert speed["max_length"] == 64  # the model's own limit (no card value)
    assert speed["memory"]["peak_rss_bytes"] >= speed["memory"]["rss_after_load_bytes"] > 0
    assert "since the model load" in speed["memory"]["peak_method"]  # not the worker's whole life
    rows = speed["latency"]
    assert {(r["input"], r["batch_size"]) for r in rows} == {("short", 1), ("short", 8), ("long", 1), ("long", 8)}
    for row in rows:
        assert 0 < row["p50_ms"] <= row["p95_ms"] and row["samples_per_second"] > 0 and row["repetitions"] == 2
    long_tokens = {r["tokens"] for r in rows if r["input"] == "long"}
    assert long_tokens == {64}  # the long input fills the max length
    assert bench["hardware"]["cpu"] and bench["hardware"]["cores"] >= 1
    assert bench["versions"]["torch"] and bench["versions"]["transformers"] and bench["date"]
    assert "<svg" in bench["chart_svg"] and "batch 8" in bench["chart_svg"]


def test_the_record_is_stored_beside_the_card_and_a_second_run_reuses_it(catalog):
    card = read_card(catalog["card"])
    stored = read_record(card.path)
    assert record_path(card.path).parent == catalog["card"].parent
    assert stored["key"] == catalog["bench"]["key"] and stored["card"] == "cards/tiny.md"
    config = load_config(card.path)

    def must_not_run(*_):
        raise AssertionError("an unchanged card was measured again")

    again = measure(target_of(card, config), config, BenchSettings.from_config(config), must_not_run, stored=stored)
    assert again is stored


def test_frozen_mode_reads_the_store_and_flags_a_changed_evaluation_set(catalog, tmp_path):
    card = read_card(catalog["card"])
    config = load_config(card.path)
    assert frozen_record(card, config)["key"] == catalog["bench"]["key"]
    assert not frozen_record(card, config).get("stale")
    data = catalog["root"] / "cards" / "data" / "eval.csv"
    original = data.read_bytes()
    try:
        data.write_bytes(original + b"an extra row,positive\n")
        record = frozen_record(card, config)
        assert "evaluation set changed" in record["stale"]
        findings = check_card(card, CheckContext(selection=RuleSelection(select=("MH706",)), bench=record))
        assert [f.code for f in findings] == ["MH706"]
    finally:
        data.write_bytes(original)


def test_frozen_mode_flags_a_record_measured_with_other_library_versions(catalog):
    card = read_card(catalog["card"])
    path = record_path(card.path)
    original = path.read_bytes()
    try:
        stored = json.loads(original)
        stored["inputs"]["versions"]["torch"] = "1.0.0"
        path.write_text(json.dumps(stored), encoding="utf-8")
        stale = frozen_record(card, load_config(card.path))["stale"]
        assert "library versions changed" in stale and "torch 1.0.0 -> " in stale
    finally:
        path.write_bytes(original)


def test_frozen_mode_without_a_record_says_missing(tmp_path, catalog):
    (tmp_path / "modelhub.toml").write_text(SETTINGS, encoding="utf-8")
    card = read_card(write_card(tmp_path / "other.md", str(catalog["model"])))
    record = frozen_record(card, load_config(card.path))
    assert record["status"] == "missing" and "modelhub bench --mode auto" in record["reason"]
    assert not record_path(card.path).exists()


@pytest.mark.parametrize("number, reason", [(1, "pyspark is not installed"), (3, "keras")])
def test_a_card_whose_runtime_is_unavailable_is_not_measured_with_the_reason(number, reason):
    card = read_card(seed(number))
    records = [CardRecord(card)]
    BenchStage().process(records, BuildContext(load_config(card.path), mode="auto", quiet=True))
    bench = records[0].bench.to_json()
    assert bench["status"] == "not_measured" and reason in bench["reason"]
    assert bench["speed"] is None and bench["quality"] is None
    assert not record_path(card.path).exists()
    findings = check_card(card, CheckContext(selection=RuleSelection(select=("MH704",)), bench=bench))
    assert [f.code for f in findings] == ["MH704"] and reason in findings[0].message


def test_a_worker_that_fails_is_reported_not_raised(tmp_path, catalog):
    (tmp_path / "modelhub.toml").write_text(SETTINGS, encoding="utf-8")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text(json.dumps({"architectures": ["AlbertForSequenceClassification"]}))
    card = read_card(write_card(tmp_path / "broken.md", str(broken)))
    config = load_config(card.path)

    def failing(target: Target, assets: dict[str, Path], request: dict):
        return {"error": "OSError: no model weights in model/", "traceback": "..."}

    record = measure(target_of(card, config), config, BenchSettings.from_config(config), failing)
    assert record["status"] == "not_measured" and "no model weights" in record["reason"]
    findings = check_card(card, CheckContext(selection=RuleSelection(select=("MH7",)), bench=record))
    assert [f.code for f in findings] == ["MH708"]


def test_a_measurement_over_its_time_limit_is_stopped_and_the_next_card_still_runs(tmp_path, catalog):
    (tmp_path / "modelhub.toml").write_text(SETTINGS + "timeout = 1\n", encoding="utf-8")
    model = shutil.copytree(catalog["model"], tmp_path / "model")  # a card's model lives in its catalog (MH513)
    slow = read_card(write_card(tmp_path / "slow.md", str(model)))
    unavailable = read_card(seed(1))
    records = [CardRecord(slow), CardRecord(unavailable)]
    BenchStage().process(records, BuildContext(load_config(slow.path), mode="force", quiet=True))
    bench = records[0].bench.to_json()
    assert bench["status"] == "not_measured" and bench["error"]
    assert "measurement failed" in bench["reason"] and "timed out" in bench["reason"]
    assert records[1].bench.to_json()["status"] == "not_measured" and "pyspark" in records[1].bench.to_json()["reason"]
    assert not record_path(slow.path).exists()  # failures are not stored: the next auto run tries again
