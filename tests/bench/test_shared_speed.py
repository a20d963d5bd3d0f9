"""Bench once per model: cards that share an artifact share one speed measurement (the first card measured times
the model, the others name it in ``speed.shared_from``); quality is measured per card, on each card's own set."""

from __future__ import annotations

import csv
import random

import pytest

from generator.bench.stage import BenchStage
from generator.bench.store import read_record
from generator.card import read_card
from generator.config import load_config
from generator.pipeline import BuildContext, CardRecord
from tests.bench.conftest import SETTINGS, labelled_rows, write_card

pytestmark = pytest.mark.slow


def test_cards_sharing_a_model_share_its_speed_and_keep_their_own_quality(catalog, tmp_path):
    root = tmp_path
    (root / "modelhub.toml").write_text(SETTINGS + "\n[artifacts]\ncache_dir = \".cache\"\n", encoding="utf-8")
    data = root / "cards" / "data"
    data.mkdir(parents=True)
    sizes = {"a": 24, "b": 16}
    for name, size in sizes.items():
        with (data / f"eval-{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "label"])
            writer.writerows(labelled_rows(size, random.Random(size)))
    url = catalog["server"].url("/models/tiny_albert.zip")
    paths = []
    for name in sizes:
        path = write_card(root / "cards" / f"tiny-{name}.md", url)
        path.write_text(path.read_text().replace("cards/data/eval.csv", f"cards/data/eval-{name}.csv"))
        paths.append(path)
    records = [CardRecord(read_card(path)) for path in paths]
    BenchStage().process(records, BuildContext(load_config(root), mode="force", quiet=True))
    first, second = (record.bench.to_json() for record in records)
    assert first["status"] == second["status"] == "measured", (first.get("reason"), second.get("reason"))
    assert "shared_from" not in first["speed"]
    assert second["speed"]["shared_from"] == "cards/tiny-a.md"
    assert second["speed"]["latency"] == first["speed"]["latency"]  # the same figures: timed once, not twice
    assert (first["quality"]["samples"], second["quality"]["samples"]) == (24, 16)
    assert second["quality"]["dataset"]["source"] == "cards/data/eval-b.csv"
    assert read_record(paths[1])["speed"]["shared_from"] == "cards/tiny-a.md"  # stored as measured

    # auto, with only the second card stale: its speed comes from the first card's stored record
    records = [CardRecord(read_card(path)) for path in paths]
    paths[1].write_text(paths[1].read_text().replace("eval-b.csv", "eval-a.csv"))
    records[1] = CardRecord(read_card(paths[1]))
    BenchStage().process(records, BuildContext(load_config(root), mode="auto", quiet=True))
    assert records[0].bench.to_json()["key"] == first["key"]  # reused
    assert records[1].bench.to_json()["speed"]["latency"] == first["speed"]["latency"]
    assert records[1].bench.to_json()["quality"]["samples"] == 24
