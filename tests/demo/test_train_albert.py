"""The demo ALBERT training script: reads team-written CSVs, trains reproducibly, zips deterministically."""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from generator.demo import train_albert
from generator.demo.train_albert import (
    LABELS,
    TrainingSettings,
    build_demo_model,
    read_labelled_csv,
    write_deterministic_zip,
)

from .conftest import ALBERT_ZIP, DATA

QUICK = replace(TrainingSettings(), epochs=1, max_steps=4)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_csv(path: Path, rows: list[tuple[str, str]], header=("text", "label")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# ---- the shipped data -------------------------------------------------------------------------------------------

def test_training_set_has_a_few_hundred_balanced_distinct_sentences():
    examples = read_labelled_csv(DATA / "demo_sentiment_train.csv")
    assert len(examples) >= 300
    assert {label: sum(e.label == label for e in examples) for label in LABELS} == {"negative": 160,
                                                                                      "positive": 160}
    assert len({e.text for e in examples}) == len(examples)
    assert all(3 <= len(e.text.split()) <= 30 for e in examples)


def test_eval_set_is_balanced_and_shares_no_sentence_with_training():
    train = {e.text.lower() for e in read_labelled_csv(DATA / "demo_sentiment_train.csv")}
    held_out = read_labelled_csv(DATA / "demo_sentiment_eval.csv")
    assert 80 <= len(held_out) <= 100
    assert sum(e.label == "positive" for e in held_out) == sum(e.label == "negative" for e in held_out)
    assert len({e.text for e in held_out}) == len(held_out)
    assert not train & {e.text.lower() for e in held_out}


def test_scored_pairs_have_scores_between_0_and_5():
    with (DATA / "sts_pairs_demo.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert 40 <= len(rows) <= 60
    assert set(rows[0]) == {"sentence1", "sentence2", "score"}
    scores = [float(row["score"]) for row in rows]
    assert all(0 <= score <= 5 for score in scores)
    assert min(scores) < 1 and max(scores) > 4  # the set spans unrelated to near-identical pairs


# ---- reading CSVs -----------------------------------------------------------------------------------------------

def test_unknown_label_is_reported_with_file_and_line(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [("Great food.", "positive"), ("Meh.", "neutral")])
    with pytest.raises(ValueError, match=r"bad\.csv:3: label 'neutral' is not one of negative, positive"):
        read_labelled_csv(path)


def test_missing_column_is_reported(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [("Great food.", "positive")], header=("sentence", "label"))
    with pytest.raises(ValueError, match="missing column.*text"):
        read_labelled_csv(path)


def test_command_line_refuses_a_missing_data_file(tmp_path, capsys):
    code = train_albert.main(["--train", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "x.zip"), "--quiet"])
    assert code == 2
    assert "nope.csv: no such file" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_the_output_is_always_named_and_the_data_is_read_from_the_working_folder(tmp_path, monkeypatch, capsys):
    """The trainer writes only where it is told: no default inside the package or the repository around it."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        train_albert.main(["--quiet"])
    assert exit_.value.code == 2 and "--out" in capsys.readouterr().err
    assert train_albert.main(["--out", "x.zip", "--quiet"]) == 2  # cards/data/... relative to here: absent
    assert f"{Path('cards') / 'data' / 'demo_sentiment_train.csv'}: no such file" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ---- determinism ------------------------------------------------------------------------------------------------

def test_deterministic_zip_ignores_file_times_and_creation_order(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder, order in ((first, ("x.json", "sub/y.bin")), (second, ("sub/y.bin", "x.json"))):
        for name in order:
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(name.encode() * 50)
    (second / "x.json").touch()  # a later mtime
    write_deterministic_zip(first, tmp_path / "a.zip")
    write_deterministic_zip(second, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.namelist() == ["sub/y.bin", "x.json"]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert not list(tmp_path.glob(".a.zip.*"))  # no temporary file left behind


def test_two_quick_trainings_write_the_same_zip_and_another_seed_does_not(tmp_path):
    train, held_out = DATA / "demo_sentiment_train.csv", DATA / "demo_sentiment_eval.csv"
    one = build_demo_model(train, held_out, tmp_path / "one.zip", QUICK)
    two = build_demo_model(train, held_out, tmp_path / "two.zip", QUICK)
    other = build_demo_model(train, held_out, tmp_path / "other.zip", replace(QUICK, seed=QUICK.seed + 1))
    assert one.steps == 4
    assert one.zip_sha256 == two.zip_sha256 == sha256(tmp_path / "one.zip")
    assert other.zip_sha256 != one.zip_sha256


def test_zip_is_a_loadable_hugging_face_model_directory(tmp_path):
    report = build_demo_model(DATA / "demo_sentiment_train.csv", DATA / "demo_sentiment_eval.csv",
                              tmp_path / "m.zip", QUICK, model_dir=tmp_path / "dir")
    with zipfile.ZipFile(report.zip_path) as archive:
        names = set(archive.namelist())
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "spiece.model",
            "training_settings.json"} <= names
    config = json.loads((tmp_path / "dir" / "config.json").read_text())
    assert config["id2label"] == {"0": "negative", "1": "positive"}
    assert config["max_position_embeddings"] == 128
    settings = json.loads((tmp_path / "dir" / "training_settings.json").read_text())
    assert settings["max_steps"] == 4 and settings["seed"] == QUICK.seed


@pytest.mark.slow
def test_full_training_reproduces_the_shipped_zip_byte_for_byte(tmp_path):
    """What the demo card promises: the committed zip is exactly what the script builds (same library versions)."""
    report = build_demo_model(DATA / "demo_sentiment_train.csv", DATA / "demo_sentiment_eval.csv",
                              tmp_path / "demo.zip")
    assert report.eval_accuracy >= 0.9
    assert report.seconds < 180
    assert report.zip_sha256 == sha256(ALBERT_ZIP), (
        "the shipped zip differs from a fresh training run: if the library versions changed on purpose, rebuild it "
        "with `python -m generator.demo.train_albert` and update the card's sha256 and size")
