"""The catalog shipped in cards/, built as `make site` builds it and served on 127.0.0.1 (issue: the shipped catalog).

Every card has a page; the runnable cards show Results and benchmarks produced by runs, with dates and versions;
the seed cards show their findings; the demo ALBERT zip is served by the site itself and is the committed file.
"""

from __future__ import annotations

import functools
import hashlib
import html
import http.server
import json
import re
import shutil
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from generator.card import read_card
from generator.cli import main as cli_main
from generator.config import load_config
from generator.render.build import build_site

REPO = Path(__file__).resolve().parents[1]
CARDS = REPO / "cards"
RUNNABLE = ("all-minilm-l6-v2", "paraphrase-minilm-l3-v2-onnx", "demo-albert-sentiment")


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("shipped") / "site"
    build_site([CARDS], site, mode="frozen", config=load_config(REPO), mkdocs_yml=REPO / "mkdocs.yml")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_every_card_has_a_page(served_site):
    site, base = served_site
    models = json.loads(_get(base + "models.json"))
    records = models if isinstance(models, list) else models.get("models", [])
    card_files = sorted(p for p in CARDS.glob("*.md"))
    assert len(records) == len(card_files) == 8
    for card in card_files:
        if read_card(card).dialect == "keras":  # the Keras API page becomes the ALBERT family page
            assert b"albert_base_en_uncased" in _get(base + "families/albert/")
        else:
            assert b"<h1" in _get(base + f"models/{card.stem}/")


@pytest.mark.parametrize("stem", RUNNABLE)
def test_runnable_cards_show_results_and_benchmarks_produced_by_runs(served_site, stem):
    _, base = served_site
    page = _get(base + f"models/{stem}/").decode()
    produced = re.search(r"Produced by a run on (\d{4}-\d{2}-\d{2}) with ([^<]+)", page)
    assert produced, "the Results block must say which run produced it"
    assert "python 3." in produced.group(2)
    assert "Not verified" not in page.split('id="results"', 1)[-1].split("</section>", 1)[0]
    assert "<h3>Speed" in page and "samples/s" in page  # a measured speed table
    assert "<h3>Quality" in page


@pytest.mark.parametrize("stem, code", [
    ("2024-08-24-albert_base_toxicity_en", "MH411"),  # description names another model
    ("2021-12-16-albert_base_sequence_classifier_imdb_en", "MH303"),  # Scala uses an undefined variable
    ("2021-12-16-albert_base_sequence_classifier_ag_news_en", "MH113"),  # AlBert spelling
    ("2020-04-28-albert_base_uncased_en", "MH401"),  # table language as a list
])
def test_seed_cards_show_their_findings_and_say_why_nothing_ran(served_site, stem, code):
    _, base = served_site
    page = _get(base + f"models/{stem}/").decode()
    assert code in page
    assert "Not verified" in page and "sparknlp" in page


def test_the_demo_zip_is_served_by_the_site_from_every_link_to_it(served_site):
    _, base = served_site
    page_url = base + "models/demo-albert-sentiment/"
    page = _get(page_url).decode()
    card = read_card(CARDS / "demo-albert-sentiment.md")
    expected = card.front_matter["artifact"]["sha256"]
    links = set(re.findall(r'href="([^"]*demo_albert_sentiment_en\.zip)"', page))
    assert links, "the page links the demo zip"
    for link in links:  # the Download button and the link in the description
        data = _get(urllib.parse.urljoin(page_url, link))
        assert hashlib.sha256(data).hexdigest() == expected
    assert hashlib.sha256((CARDS / "artifacts" / "demo_albert_sentiment_en.zip").read_bytes()).hexdigest() == expected


def test_the_keras_page_shows_each_example_blocks_real_outcome(served_site):
    """Stored run of the Keras API page: the runnable examples are Verified with keras and keras-hub versions and
    their real output, the stand-in preset is named as such, unmirrored presets and API signatures are not run, and
    the block that fails on the page's own defect shows the real error beside the check finding it matches."""
    _, base = served_site
    page = html.unescape(_get(base + "families/albert/").decode())
    summary = page[page.index('id="example-results"'):page.index('class="mh-outcomes"')]
    produced = re.search(r"Verified</span> Produced by a run on \d{4}-\d{2}-\d{2} with ([^:<]+)", summary)
    assert produced and "keras 3." in produced.group(1) and "keras-hub 0." in produced.group(1)
    assert "small stand-in preset" in summary and "not the published weights" in summary
    stored = json.loads((CARDS / "albert-text-classifier.results.json").read_text())
    first = stored["cells"][0]
    assert first["error"] is None and f'id="example-{first["line"]}"' in page
    block = page[page.index(f'id="example-{first["line"]}"'):]
    assert block.index("Verified") < block.index("sparse_categorical_accuracy") < block.index("</div>")
    assert "not available offline: preset not mirrored" in page and "gemma_2b_en" in page
    failing = page[page.index('id="finding-MH302-98"') - 400:]
    assert "Fails" in failing and "NameError: name 'io' is not defined" in failing
    assert "`io` is used without `import io`" in failing


def test_the_stored_runs_and_measurements_are_current_for_the_locked_environment(tmp_path, monkeypatch, capsys):
    # The committed Results and benchmarks must be what this code and the locked packages would produce: `auto`
    # mode on an unchanged copy executes and measures nothing. When this fails, the inputs of a stored record
    # changed (code, artifact digest, versions): run `modelhub run cards --mode auto --write` and
    # `modelhub bench cards --mode auto --write` and commit the refreshed files with the change.
    shutil.copytree(CARDS, tmp_path / "cards")
    shutil.copy(REPO / "modelhub.toml", tmp_path / "modelhub.toml")
    monkeypatch.chdir(tmp_path)
    assert cli_main(["run", "cards", "--mode", "auto", "--quiet"]) in (0, 1)  # 1: the Keras page's failing block
    assert "executed 0 cards (0 snippets, 0 workers)" in capsys.readouterr().out
    cli_main(["bench", "cards", "--mode", "auto", "--format", "json", "--quiet"])
    fresh = {record["card"]: record for record in map(json.loads, capsys.readouterr().out.splitlines())}
    for stem in RUNNABLE:
        stored = json.loads((CARDS / f"{stem}.bench.json").read_text(encoding="utf-8"))
        assert (fresh[f"cards/{stem}.md"]["key"], fresh[f"cards/{stem}.md"]["date"]) == (stored["key"], stored["date"])
