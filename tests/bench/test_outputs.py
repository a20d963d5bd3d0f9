"""What a record turns into: the SVG chart, the page's Markdown tables, the card's block, the file beside the card."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from generator.bench.chart import latency_chart, log_ticks
from generator.bench.store import StoreError, cache_key, read_record, record_path, write_record
from generator.bench.tables import bench_markdown, jsl_block
from generator.card.benchmark import parse_benchmark

ROWS = [{"input": i, "batch_size": b, "tokens": t, "p50_ms": p, "p95_ms": p * 1.2, "samples_per_second": b / p * 1e3,
         "repetitions": 3}
        for i, t, scale in (("short", 12, 1.0), ("long", 256, 9.0))
        for b, p in ((1, 10 * scale), (8, 30 * scale), (32, 90 * scale))]
RECORD = {
    "status": "measured", "date": "2026-01-02T03:04:05+00:00",
    "hardware": {"cpu": "Test CPU", "cores": 2, "gpu": None, "torch_threads": 1},
    "versions": {"torch": "2.13.0", "transformers": "5.0"}, "settings": {"warmup": 1},
    "speed": {"load_seconds": 1.5, "parameters": 1234, "artifact_bytes": 2_500_000, "max_length": 256,
              "memory": {"peak_rss_bytes": 300 * 2**20}, "latency": ROWS},
    "quality": {"kind": "classification", "samples": 4, "labels": ["neg", "pos"],
                "metrics": {"accuracy": 0.75, "macro_avg_precision": 0.8333, "macro_avg_recall": 0.75,
                            "macro_avg_f1": 0.7333, "micro_avg_precision": 0.75, "micro_avg_recall": 0.75,
                            "micro_avg_f1": 0.75, "weighted_avg_precision": 0.8333, "weighted_avg_recall": 0.75,
                            "weighted_avg_f1": 0.7333},
                "per_label": {"neg": {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2},
                              "pos": {"precision": 0.6667, "recall": 1.0, "f1": 0.8, "support": 2}},
                "confusion_matrix": [[1, 1], [0, 2]],
                "dataset": {"source": "cards/data/e.csv", "rows": 4, "used": 4, "sampled": False,
                            "note": "A demo set written for modelhub."}},
    "claims": [{"metric": "accuracy", "label": None, "claimed": 0.95, "measured": 0.75, "difference": -0.2,
                "tolerance": 0.02, "within": False}],
}


def test_chart_is_well_formed_accessible_svg_with_every_point():
    svg = latency_chart(ROWS, title="tiny <model>", chart_id="bench-tiny model")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "bench-tiny-model-title bench-tiny-model-desc"
    assert root.find(f"{ns}title").text == "tiny <model>"
    desc = root.find(f"{ns}desc").text
    assert "batch 32: 810 ms median" in desc and "short input (12 tokens)" in desc
    assert len(root.findall(f".//{ns}polyline")) == 2
    markers = root.findall(f".//{ns}circle") + root.findall(f".//{ns}rect")[1:]  # the first rect is the background
    assert len(markers) == 6


def test_higher_latency_is_drawn_higher_up():
    root = ET.fromstring(latency_chart(ROWS))
    ns = "{http://www.w3.org/2000/svg}"
    circles = root.findall(f".//{ns}circle")  # short input: 10, 30, 90 ms
    ys = [float(c.get("cy")) for c in circles]
    xs = [float(c.get("cx")) for c in circles]
    assert ys[0] > ys[1] > ys[2] and xs[0] < xs[1] < xs[2]


def test_log_ticks_are_round_and_cover_the_range():
    assert log_ticks(12, 97) == [10, 20, 50, 100]
    assert log_ticks(1.3, 4411) == [1, 10, 100, 1000, 10000]  # many decades: one tick per decade
    assert log_ticks(0.4, 0.9) == [0.2, 0.5, 1]


def test_page_markdown_has_speed_quality_and_claims_with_provenance():
    text = bench_markdown(RECORD)
    assert "| long | 256 | 32 | 810.0 ms | 972.0 ms |" in text
    assert "Test CPU (2 cores, 1 thread(s), no GPU)" in text and "2026-01-02" in text
    assert "| neg | 1.0000 | 0.5000 | 0.6667 | 2 |" in text
    assert "A demo set written for modelhub." in text
    assert "| true \\ predicted | neg | pos |" in text and "| neg | 1 | 1 |" in text
    assert "| accuracy | 0.9500 | 0.7500 | -0.2000 | **no** (±0.02) |" in text
    assert "2.4 MB" in text and "300.0 MB" in text


def test_not_measured_is_said_plainly():
    assert bench_markdown({"status": "not_measured", "reason": "Spark NLP is not installed"}) == (
        "**Not measured.** Spark NLP is not installed\n")


def test_jsl_block_reads_back_as_the_same_numbers():
    block = jsl_block(RECORD)
    assert block.startswith("# measured by modelhub ") and "cards/data/e.csv" in block.splitlines()[0]
    parsed = parse_benchmark(block, 1)
    assert parsed.kind == "classification_report"
    assert parsed.metrics["accuracy"] == 0.75 and parsed.metrics["macro_avg_f1"] == 0.7333
    assert parsed.per_label == {"neg": {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2.0},
                                "pos": {"precision": 0.6667, "recall": 1.0, "f1": 0.8, "support": 2.0}}


def test_no_quality_means_no_block():
    assert jsl_block({**RECORD, "quality": None}) is None


def test_record_is_written_atomically_beside_the_card_and_read_back(tmp_path):
    card = tmp_path / "cards" / "model.md"
    card.parent.mkdir()
    path = write_record(card, {"status": "measured", "key": "k"})
    assert path == record_path(card) == tmp_path / "cards" / "model.bench.json"
    assert read_record(card)["key"] == "k"
    assert [p.name for p in card.parent.iterdir()] == ["model.bench.json"]  # no temporary file left behind
    path.write_text("{ half", encoding="utf-8")
    with pytest.raises(StoreError, match="model.bench.json: unreadable benchmark record"):
        read_record(card)
    path.write_text(json.dumps({"schema": 99}), encoding="utf-8")
    with pytest.raises(StoreError, match="not a modelhub benchmark record"):
        read_record(card)


def test_cache_key_is_canonical():
    assert cache_key({"a": 1, "b": [1, 2]}) == cache_key({"b": [1, 2], "a": 1})
    assert cache_key({"a": 1}) != cache_key({"a": 2})


def test_a_page_without_an_evaluation_set_says_so():
    text = bench_markdown({**RECORD, "quality": None, "claims": []})
    assert "### Speed" in text and "Not measured: the card declares no evaluation set" in text
