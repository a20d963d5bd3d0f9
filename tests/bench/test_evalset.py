"""Evaluation sets: declared in front matter, found on disk or in the Hugging Face cache, sampled deterministically."""

from __future__ import annotations

import importlib.util
import json

import pytest

from generator.bench.evalset import EvalSetError, EvalSpec, load_eval_set, read_spec, sample_indices, split_file
from generator.card import parse_card
from generator.config import Config


def _card(front: str, path: str = "cards/x.md"):
    return parse_card(f"---\nname: x\n{front}---\n\n# X\n", path)


def _write_csv(path, rows, header=("text", "label")):
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] + [",".join(f'"{c}"' for c in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_spec_is_read_with_defaults_and_its_line():
    card = _card("benchmark:\n  dataset: cards/data/eval.csv\n  sample: 10\n")
    spec = read_spec(card)
    assert spec.dataset == "cards/data/eval.csv"
    assert (spec.kind, spec.text_column, spec.label_column, spec.sample, spec.line) == (
        "classification", "text", "label", 10, 3)


def test_scored_pair_columns_make_a_similarity_spec():
    spec = read_spec(_card("benchmark: {dataset: pairs.csv, score_column: score}\n"))
    assert spec.kind == "similarity"


def test_a_card_without_a_benchmark_entry_declares_nothing():
    assert read_spec(_card("")) is None


@pytest.mark.parametrize("front, message", [
    ("benchmark: [a, b]\n", "must be a mapping"),
    ("benchmark: {text_column: t}\n", "has no `dataset:`"),
    ("benchmark: {dataset: a.csv, colour: red}\n", "unknown entries: colour"),
    ("benchmark: {dataset: a.csv, sample: -3}\n", "benchmark: sample` must be a whole number >= 0, not -3"),
    ("benchmark: {dataset: a.csv, kind: ranking}\n", "modelhub measures classification or similarity"),
    ("benchmark: {dataset: a.csv, label_map: [1]}\n", "label_map"),
])
def test_malformed_specs_say_what_is_wrong_at_the_key_line(front, message):
    with pytest.raises(EvalSetError, match=message) as error:
        read_spec(_card(front))
    assert error.value.line == 3 and error.value.hint


def test_csv_relative_to_the_catalog_root_is_read_and_sampled_deterministically(tmp_path):
    rows = [(f"text {i}", "positive" if i % 2 else "negative") for i in range(50)]
    _write_csv(tmp_path / "cards" / "data" / "eval.csv", rows)
    spec = EvalSpec("cards/data/eval.csv", sample=12, seed=3)
    first = load_eval_set(spec, card_path=tmp_path / "cards" / "x.md", config=Config(tmp_path))
    second = load_eval_set(spec, card_path=None, config=Config(tmp_path))
    assert len(first) == 12 and first.indices == second.indices and first.texts == second.texts
    assert first.indices == sorted(first.indices)
    assert all(first.texts[k] == f"text {i}" for k, i in enumerate(first.indices))
    assert first.describe()["source"] == "cards/data/eval.csv"
    assert first.describe()["rows"] == 50 and first.describe()["sampled"] is True
    assert load_eval_set(EvalSpec("cards/data/eval.csv", sample=12, seed=4), card_path=None,
                         config=Config(tmp_path)).indices != first.indices


def test_path_relative_to_the_card_is_found_too(tmp_path):
    _write_csv(tmp_path / "cards" / "near.csv", [("a", "x"), ("b", "y")])
    evalset = load_eval_set(EvalSpec("near.csv"), card_path=tmp_path / "cards" / "x.md", config=Config(tmp_path))
    assert evalset.labels == ["x", "y"]


def test_jsonl_with_a_label_map(tmp_path):
    lines = [json.dumps({"sentence": f"s{i}", "y": i % 2}) for i in range(4)]
    (tmp_path / "set.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = EvalSpec("set.jsonl", text_column="sentence", label_column="y", label_map={"0": "neg", "1": "pos"})
    evalset = load_eval_set(spec, card_path=None, config=Config(tmp_path))
    assert evalset.texts == ["s0", "s1", "s2", "s3"] and evalset.labels == ["neg", "pos", "neg", "pos"]


def test_scored_pairs(tmp_path):
    _write_csv(tmp_path / "pairs.csv", [("a cat", "a kitten", "4.5"), ("a car", "the sea", "0.2"),
                                        ("tea", "hot tea", "3")], header=("sentence1", "sentence2", "score"))
    evalset = load_eval_set(EvalSpec("pairs.csv", kind="similarity"), card_path=None, config=Config(tmp_path))
    assert evalset.pairs[1] == ("a car", "the sea") and evalset.scores == [4.5, 0.2, 3.0]


def test_hugging_face_dataset_in_the_hub_cache_picks_the_split(tmp_path, monkeypatch):
    snapshot = tmp_path / "hf" / "hub" / "datasets--acme--reviews" / "snapshots" / "abc123"
    _write_csv(snapshot / "data" / "train-00000-of-00001.csv", [("train row", "pos")])
    _write_csv(snapshot / "data" / "test-00000-of-00001.csv", [("test row", "neg")])
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    config = Config(tmp_path)
    assert load_eval_set(EvalSpec("acme/reviews"), card_path=None, config=config).texts == ["test row"]
    assert load_eval_set(EvalSpec("hf://datasets/acme/reviews", split="train"), card_path=None,
                         config=config).texts == ["train row"]


def test_a_mirror_folder_from_the_configuration(tmp_path):
    _write_csv(tmp_path / "mirror" / "acme--reviews" / "validation.csv", [("dev row", "pos")])
    config = Config(tmp_path, {"bench": {"dataset_dirs": ["mirror"]}})
    assert load_eval_set(EvalSpec("acme/reviews"), card_path=None, config=config).texts == ["dev row"]


def test_a_missing_split_lists_the_files_it_found(tmp_path):
    _write_csv(tmp_path / "train.csv", [("a", "b")])
    with pytest.raises(EvalSetError, match=r"no validation split \(files: train.csv\)"):
        split_file(tmp_path, EvalSpec(str(tmp_path), split="validation"))


def test_missing_file_and_missing_column_are_clear(tmp_path):
    with pytest.raises(EvalSetError, match="'nowhere.csv' not found") as error:
        load_eval_set(EvalSpec("nowhere.csv", line=7), card_path=None, config=Config(tmp_path))
    assert error.value.line == 7
    _write_csv(tmp_path / "e.csv", [("a", "b")], header=("sentence", "label"))
    with pytest.raises(EvalSetError, match=r"no column 'text' \(columns: sentence, label\)"):
        load_eval_set(EvalSpec("e.csv"), card_path=None, config=Config(tmp_path))


def test_broken_jsonl_names_the_line(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"text": "a", "label": "x"}\n{oops\n', encoding="utf-8")
    with pytest.raises(EvalSetError, match=r"bad.jsonl:2: invalid JSON line"):
        load_eval_set(EvalSpec("bad.jsonl"), card_path=None, config=Config(tmp_path))


def test_parquet_without_pyarrow_says_what_to_install(tmp_path):
    (tmp_path / "set.parquet").write_bytes(b"PAR1not really")
    if importlib.util.find_spec("pyarrow") is None:
        with pytest.raises(EvalSetError, match="needs pyarrow") as error:
            load_eval_set(EvalSpec("set.parquet"), card_path=None, config=Config(tmp_path))
        assert "pip install pyarrow" in error.value.hint
    else:
        with pytest.raises(EvalSetError, match="unreadable Parquet"):
            load_eval_set(EvalSpec("set.parquet"), card_path=None, config=Config(tmp_path))


def test_sampling_keeps_everything_when_asked_for_more_than_there_is():
    assert sample_indices(5, 10, 0) == [0, 1, 2, 3, 4]
    assert sample_indices(5, None, 0) == [0, 1, 2, 3, 4]
