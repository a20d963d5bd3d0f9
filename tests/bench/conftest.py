"""Shared by the bench tests: a catalog whose one card's model (a real tiny ALBERT classifier) is served on
127.0.0.1 as a zip and measured once, in the execution sandbox, on a labelled set written here."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from generator.bench.stage import BenchStage
from generator.card import read_card
from generator.config import load_config
from generator.pipeline import BuildContext, CardRecord
from tests.builders import build_tiny_albert_classifier, zip_directory
from tests.servers import ArtifactServer

WORDS = ["good", "bad", "great", "terrible", "movie", "food", "service", "day", "really", "liked", "hate", "kind"]
SETTINGS = "[bench]\nrepetitions = 2\nwarmup = 1\nbatch_sizes = [1, 8]\neval_batch_size = 8\n"


def labelled_rows(count: int, rng: random.Random) -> list[tuple[str, str]]:
    return [(" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))), rng.choice(["negative", "positive"]))
            for _ in range(count)]


def write_card(path: Path, url: str, *, extra: str = "", block: str = '{"eval_accuracy": 0.95}') -> Path:
    path.write_text(f"""---
name: tiny_albert_sentiment
runtime: transformers
task: Text Classification
artifact: {{url: "{url}"}}
benchmark: {{dataset: cards/data/eval.csv, text_column: text, label_column: label{extra}}}
---

# Tiny ALBERT sentiment

## Benchmarking

```bash
{block}
```
""", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    """A catalog folder with one card whose model is served over HTTP, measured once (mode force)."""
    root = tmp_path_factory.mktemp("catalog")
    (root / "modelhub.toml").write_text(SETTINGS + "\n[artifacts]\ncache_dir = \".cache\"\n", encoding="utf-8")
    data = root / "cards" / "data"
    data.mkdir(parents=True)
    rows = labelled_rows(40, random.Random(7))
    with (data / "eval.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    model = build_tiny_albert_classifier(root / "build" / "model")
    archive = zip_directory(model, root / "build" / "tiny_albert.zip")
    server = ArtifactServer()
    url = server.add("/models/tiny_albert.zip", archive)
    card = write_card(root / "cards" / "tiny.md", url)
    records = [CardRecord(read_card(card))]
    BenchStage().process(records, BuildContext(load_config(card), mode="force", quiet=True))
    yield {"root": root, "card": card, "rows": rows, "bench": records[0].bench.to_json(), "server": server,
           "model": model}
    server.close()
