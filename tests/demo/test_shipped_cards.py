"""The runnable cards shipped in cards/: their stated facts equal what the real model files say, the catalog config
reaches those files offline, and every example runs as written and prints what the Results block shows."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from generator.artifacts.resolve import resolve
from generator.artifacts.settings import ArtifactSettings
from generator.config import load_config
from generator.execute.hfcache import lay_out_model
from tests.conftest import SEED_NAMES

from .conftest import (
    ALBERT_CARD,
    ALBERT_ZIP,
    CARDS,
    MINILM_CARD,
    ONNX_CARD,
    REPO,
    RUNNABLE_CARDS,
    minilm_dir,
    onnx_file,
)


def float_parameters(safetensors_file: Path) -> int:
    """Parameter count from the safetensors header: float tensors only (buffers such as position_ids are int)."""
    with safetensors_file.open("rb") as handle:
        header = json.loads(handle.read(struct.unpack("<Q", handle.read(8))[0]))
    return sum(int(np.prod(t["shape"])) for k, t in header.items()
               if k != "__metadata__" and t["dtype"].startswith(("F", "BF")))


def info(card) -> dict[str, str]:
    return card.info.values


def number(text: str) -> int:
    return int(text.replace(",", ""))


# ---- every runnable card ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", RUNNABLE_CARDS, ids=lambda p: p.name)
def test_card_is_a_clean_native_card_with_a_download_link_and_an_evaluation_set(path, cards):
    card = cards[path.name]
    assert card.dialect == "native" and card.front_matter["modelhub"] == 1
    assert not card.diagnostics
    assert card.name and card.title and card.task and card.language == "en" and card.license == "apache-2.0"
    assert any(link.kind == "download" for link in card.links)
    assert [s.language for s in card.snippets if s.tab == "python"] == ["python"]
    assert card.results is not None and card.benchmark is not None
    dataset = (path.parent / card.front_matter["benchmark"]["dataset"]).resolve()
    assert dataset.is_file() and dataset.is_relative_to(CARDS / "data")
    assert "team" in card.front_matter["benchmark"]["note"]  # labelled as team-written demo data


# sha256 of the five seed documents as they were handed over (000-004).
SEED_SHA256 = {
    "2024-08-24-albert_base_toxicity_en.md": "9e2ae50044c12833e50ac43b18577924a0a31fb333438f956f55928f4fc72bdf",
    "2021-12-16-albert_base_sequence_classifier_imdb_en.md":
        "c08094c92c328fa186dbdb9be2d618b4ae0dd28414910627dd51dbfe5ba372c3",
    "2021-12-16-albert_base_sequence_classifier_ag_news_en.md":
        "d8ae61f83eee6ac6857e80febeda1cacaddbcabbfd67434eb5024a3eb50aa99e",
    "albert-text-classifier.md": "690749758d024737f8bf53b4df88bd77dfa5aef3168f057595cac027b76fee0e",
    "2020-04-28-albert_base_uncased_en.md": "142acbee88d044d3fe563f35251a43cbac9b8e20ca8cdda8e81888e27dfb8cf7",
}


def test_seed_documents_are_still_shipped_byte_for_byte():
    """The five seed documents stay in cards/ unchanged (their defects are what the site shows the checker find)."""
    assert set(SEED_SHA256) == set(SEED_NAMES)
    changed = [name for name, digest in SEED_SHA256.items()
               if hashlib.sha256((CARDS / name).read_bytes()).hexdigest() != digest]
    assert not changed


# ---- the demo ALBERT card against its zip ---------------------------------------------------------------------

def test_albert_card_states_the_shipped_zip_size_and_checksum(cards):
    card = cards[ALBERT_CARD.name]
    artifact = card.front_matter["artifact"]
    data = ALBERT_ZIP.read_bytes()
    assert artifact["url"] == "artifacts/demo_albert_sentiment_en.zip" == card.download_url
    assert (ALBERT_CARD.parent / artifact["url"]).resolve() == ALBERT_ZIP
    assert artifact["size"] == len(data) < 5_000_000
    assert artifact["sha256"] == hashlib.sha256(data).hexdigest() == info(card)["sha256"]
    assert f"{len(data) / 1000:.1f} KB" == info(card)["size"]


def test_albert_card_model_information_matches_the_artifact(cards, albert_dir):
    card = cards[ALBERT_CARD.name]
    config = json.loads((albert_dir / "config.json").read_text())
    tokenizer = json.loads((albert_dir / "tokenizer_config.json").read_text())
    assert card.labels == [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
    assert info(card)["labels"] == ", ".join(card.labels)
    assert number(info(card)["parameters"]) == float_parameters(albert_dir / "model.safetensors")
    assert int(info(card)["max_sentence_length"]) == config["max_position_embeddings"] == tokenizer["model_max_length"]
    assert info(card)["case_sensitive"] == "false" and tokenizer["do_lower_case"] is True
    assert info(card)["vocabulary"].startswith(f"{config['vocab_size']} ")
    assert info(card)["model_class"] == config["architectures"][0] == card.front_matter["annotator"]


@pytest.mark.slow
def test_albert_card_benchmark_is_what_the_zip_scores_on_the_eval_set(cards, albert_dir):
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support
    from transformers import pipeline

    card = cards[ALBERT_CARD.name]
    with (ALBERT_CARD.parent / card.front_matter["benchmark"]["dataset"]).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    classifier = pipeline("text-classification", model=str(albert_dir))
    predicted = [p["label"] for p in classifier([row["text"] for row in rows])]
    gold = [row["label"] for row in rows]
    assert set(predicted) <= set(card.labels)
    assert card.benchmark.metrics["accuracy"] == pytest.approx(accuracy_score(gold, predicted), abs=5e-5)
    _, _, f1, _ = precision_recall_fscore_support(gold, predicted, average="macro")
    assert card.benchmark.metrics["macro_avg_f1"] == pytest.approx(f1, abs=5e-5)
    assert accuracy_score(gold, predicted) >= 0.9


# ---- all-MiniLM-L6-v2 against the package's model folder -------------------------------------------------------

def test_minilm_card_facts_match_the_installed_model_folder(cards):
    card, folder = cards[MINILM_CARD.name], minilm_dir()
    pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    sentence = json.loads((folder / "sentence_bert_config.json").read_text())
    config = json.loads((folder / "config.json").read_text())
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert int(info(card)["dimension"]) == pooling["word_embedding_dimension"] == config["hidden_size"] == 384
    assert int(info(card)["max_sentence_length"]) == sentence["max_seq_length"] == 256
    assert number(info(card)["parameters"]) == float_parameters(folder / "model.safetensors")
    assert card.front_matter["artifact"]["size"] == size and info(card)["size"] == f"{size / 1e6:.1f} MB"
    assert info(card)["vocabulary"].startswith(f"{config['vocab_size']:,} ")
    assert f"{config['num_hidden_layers']} layers" in info(card)["architecture"]


# ---- paraphrase-MiniLM-L3-v2 ONNX against the package's file ----------------------------------------------------

def test_onnx_card_facts_match_the_installed_onnx_file(cards):
    import onnx

    card, path = cards[ONNX_CARD.name], onnx_file()
    model = onnx.load(str(path))
    floats = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE}
    parameters = sum(int(np.prod(t.dims)) for t in model.graph.initializer if t.data_type in floats)
    embeddings = next(t for t in model.graph.initializer if t.name.endswith("word_embeddings.weight"))
    assert number(info(card)["parameters"]) == parameters
    assert card.front_matter["artifact"]["size"] == path.stat().st_size
    assert info(card)["onnx_file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info(card)["size"] == f"{path.stat().st_size / 1e6:.1f} MB"
    assert f"opset {model.opset_import[0].version}" in info(card)["framework"]
    # the tokenizer the example borrows has exactly the vocabulary the graph's embedding table was trained with
    vocab_lines = (minilm_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert list(embeddings.dims) == [len(vocab_lines), int(info(card)["dimension"])]
    assert [i.name for i in model.graph.input] == ["input_ids", "attention_mask"]


# ---- the catalog configuration ----------------------------------------------------------------------------------

def test_catalog_config_is_found_from_the_cards_folder_and_builds_frozen_offline():
    config = load_config(CARDS)
    assert config.source == REPO / "modelhub.toml"
    assert config.settings.execute.mode == "frozen"
    assert ArtifactSettings.from_config(config).offline is True


@pytest.mark.parametrize(("card_path", "expected"), [
    (MINILM_CARD, lambda: minilm_dir()),
    (ONNX_CARD, lambda: onnx_file().parent),
    (ALBERT_CARD, lambda: ALBERT_ZIP),
], ids=["minilm", "onnx", "albert"])
def test_each_download_link_resolves_to_the_local_files_without_network(card_path, expected, cards):
    config = load_config(CARDS)
    location = resolve(cards[card_path.name].download_url, ArtifactSettings.from_config(config), card_path)
    assert location.is_local and location.path.resolve() == expected().resolve()


def test_onnx_benchmark_names_a_tokenizer_the_mirrors_resolve_and_an_output_the_graph_has(cards):
    import onnxruntime as ort

    entry = cards[ONNX_CARD.name].front_matter["benchmark"]
    location = resolve(entry["tokenizer"], ArtifactSettings.from_config(load_config(CARDS)), ONNX_CARD)
    assert location.path.resolve() == minilm_dir().resolve() and (location.path / "tokenizer.json").is_file()
    session = ort.InferenceSession(str(onnx_file()), providers=["CPUExecutionProvider"])
    shapes = {o.name: o.shape for o in session.get_outputs()}
    assert len(shapes[entry["output"]]) == 2 and shapes[entry["output"]][-1] == 384  # (batch, 384)


def test_mirrors_also_cover_links_to_single_files_of_a_model():
    settings = ArtifactSettings.from_config(load_config(CARDS))
    location = resolve("https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/config.json",
                       settings)
    assert location.path == minilm_dir() / "config.json" and location.path.is_file()


# ---- the examples run as written ------------------------------------------------------------------------------

def run_card_example(card, tmp_path: Path, models: dict[str, Path]) -> str:
    """Run the card's Python blocks in a fresh interpreter, offline, with ``models`` laid out as a hub cache
    the way the transformers runtime does it; returns stdout."""
    hub = tmp_path / "hf" / "hub"
    for repo_id, folder in models.items():
        assert lay_out_model(hub, [repo_id], folder, "0" * 40) == [repo_id]
    script = tmp_path / "example.py"
    script.write_text("\n".join(s.code for s in card.snippets if s.tab == "python"), encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "HF_HOME": str(tmp_path / "hf"),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "0"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def assert_results_block_shows(card, stdout: str) -> None:
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert lines, "the example printed nothing"
    for line in lines:
        assert line in card.results.text, f"{line!r} is printed by the example but not in the Results block"


@pytest.mark.slow
def test_albert_example_classifies_with_the_cards_own_name(cards, albert_dir, tmp_path):
    card = cards[ALBERT_CARD.name]
    stdout = run_card_example(card, tmp_path, {card.name: albert_dir})
    rows = [line.split(None, 2) for line in stdout.splitlines()]
    assert len(rows) == 3 and all(label in card.labels for label, _, _ in rows)
    assert [label for label, _, _ in rows] == ["positive", "negative", "positive"]
    assert_results_block_shows(card, stdout)


@pytest.mark.slow
def test_minilm_example_prints_384_dimensions_and_a_higher_score_for_the_paraphrase(cards, tmp_path):
    card = cards[MINILM_CARD.name]
    stdout = run_card_example(card, tmp_path, {card.front_matter["hub_id"]: minilm_dir()})
    shape, paraphrase, unrelated = stdout.splitlines()
    assert shape == "(3, 384)"
    assert float(paraphrase.split()[0]) > 0.5 > float(unrelated.split()[0])
    assert_results_block_shows(card, stdout)


@pytest.mark.slow
def test_onnx_example_runs_with_onnxruntime_and_the_borrowed_tokenizer(cards, tmp_path):
    card = cards[ONNX_CARD.name]
    stdout = run_card_example(card, tmp_path, {})
    shape, paraphrase, unrelated = stdout.splitlines()
    assert shape == "(3, 384)"
    assert float(paraphrase.split()[0]) > 0.5 > float(unrelated.split()[0])
    assert_results_block_shows(card, stdout)


# ---- the similarity claims ------------------------------------------------------------------------------------

def scored_pairs() -> tuple[list[str], list[str], list[float]]:
    with (CARDS / "data" / "sts_pairs_demo.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["sentence1"] for r in rows], [r["sentence2"] for r in rows], [float(r["score"]) for r in rows]


def spearman_of_cosines(left: np.ndarray, right: np.ndarray, gold: list[float]) -> float:
    from scipy.stats import spearmanr

    cosine = (left * right).sum(1) / np.linalg.norm(left, axis=1) / np.linalg.norm(right, axis=1)
    return float(spearmanr(cosine, gold).statistic)


@pytest.mark.slow
def test_minilm_card_similarity_claim_is_measured_on_the_team_pairs(cards):
    from sentence_transformers import SentenceTransformer

    first, second, gold = scored_pairs()
    model = SentenceTransformer(str(minilm_dir()), device="cpu")
    measured = spearman_of_cosines(model.encode(first), model.encode(second), gold)
    assert cards[MINILM_CARD.name].benchmark.raw.strip() == f"spearman_cosine: {measured:.4f}"


@pytest.mark.slow
def test_onnx_card_similarity_claim_is_measured_on_the_team_pairs(cards):
    """Also evidence that the borrowed tokenizer is the right one: a wrong vocabulary scores near zero."""
    import onnxruntime as ort
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(minilm_dir()))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(onnx_file()), options, providers=["CPUExecutionProvider"])

    def encode(texts: list[str]) -> np.ndarray:
        batch = tokenizer(texts, padding=True, truncation=True, max_length=128, return_tensors="np")
        return session.run(["461"], {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]})[0]

    first, second, gold = scored_pairs()
    measured = spearman_of_cosines(encode(first), encode(second), gold)
    assert measured > 0.7
    assert cards[ONNX_CARD.name].benchmark.raw.strip() == f"spearman_cosine: {measured:.4f}"


def test_shipped_zip_has_fixed_timestamps_and_sorted_members():
    with zipfile.ZipFile(ALBERT_ZIP) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
