"""The ways to build the site: ``modelhub build``, plain ``mkdocs build`` with the plugin, ``modelhub serve``."""

from __future__ import annotations

import pytest

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from generator.cli import main
from tests.serving import get, running_server, wait_for

REPO = Path(__file__).resolve().parents[2]
IMDB = "2021-12-16-albert_base_sequence_classifier_imdb_en.md"
KERAS = "albert-text-classifier.md"


def small_catalog(root: Path) -> Path:
    cards = root / "cards"
    cards.mkdir(parents=True)
    for name in (IMDB, KERAS):
        shutil.copyfile(REPO / "cards" / name, cards / name)
    (root / "modelhub.toml").write_text("[artifacts]\noffline = true\n", encoding="utf-8")
    return cards


def test_modelhub_build_writes_the_site_and_reports_errors_with_strict(tmp_path, capsys):
    cards = small_catalog(tmp_path)
    site = tmp_path / "site"
    assert main(["build", str(cards), "--site-dir", str(site), "--offline"]) == 0
    assert (site / "models" / IMDB[:-3] / "index.html").is_file()
    assert (site / "families" / "albert" / "index.html").is_file()
    assert (site / "catalog-index" / "meta.json").is_file() and (site / "models.json").is_file()
    assert "2 cards" in capsys.readouterr().err
    # the IMDB seed keeps its defects: --strict turns its error findings into a failing exit code
    assert main(["build", str(cards), "--site-dir", str(site), "--offline", "--strict", "--quiet"]) == 1


def test_a_build_parses_each_card_once_and_the_family_page_shows_the_parsed_keras_card(tmp_path, monkeypatch):
    """The family page shows the Keras API page as the record pass parsed it (from the build cache), not a
    second reading of the file."""
    from generator.card import parser

    parsed: list[str] = []
    real = parser.parse_card

    def parse_card(source, path="<memory>"):
        parsed.append(Path(path).name)
        return real(source, path)

    monkeypatch.setattr(parser, "parse_card", parse_card)
    cards = small_catalog(tmp_path)
    site = tmp_path / "site"
    assert main(["build", str(cards), "--site-dir", str(site), "--offline", "--no-cache", "--jobs", "1",
                 "--quiet"]) == 0
    assert sorted(parsed) == sorted([IMDB, KERAS])
    family = (site / "families" / "albert" / "index.html").read_text(encoding="utf-8")
    assert "AlbertTextClassifier" in family and "albert_base_en_uncased" in family


def test_modelhub_build_with_a_missing_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["build", str(tmp_path / "nowhere"), "--site-dir", str(tmp_path / "site")]) == 2
    assert "nowhere: no such file or folder" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_modelhub_build_and_serve_with_a_broken_configuration_say_which_file(tmp_path, capsys):
    cards = small_catalog(tmp_path)
    (tmp_path / "modelhub.toml").write_text("[artifacts\noffline = true\n", encoding="utf-8")
    assert main(["build", str(cards), "--site-dir", str(tmp_path / "site")]) == 2
    assert f"modelhub build: {tmp_path / 'modelhub.toml'}: invalid TOML" in capsys.readouterr().err
    assert main(["serve", str(cards)]) == 2
    assert f"modelhub serve: {tmp_path / 'modelhub.toml'}: invalid TOML" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_plain_mkdocs_build_generates_the_catalog_with_the_plugin_and_custom_templates(tmp_path):
    small_catalog(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Plain\ntheme:\n  name: material\n  font: false\nplugins:\n  - modelhub:\n      cards: [cards]\n"
        "      templates: my-templates\n", encoding="utf-8")
    # a catalog may override any one template by name; the others stay modelhub's
    (tmp_path / "my-templates" / "partials").mkdir(parents=True)
    (tmp_path / "my-templates" / "partials" / "badges.html.j2").write_text(
        '<p class="our-badges">{{ badges | length }} badges</p>', encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    site = tmp_path / "site"
    catalog = (site / "index.html").read_text(encoding="utf-8")
    assert 'id="mh-catalog"' in catalog
    model = (site / "models" / IMDB[:-3] / "index.html").read_text(encoding="utf-8")
    assert '<p class="our-badges">7 badges</p>' in model and 'id="how-to-use"' in model
    # with no nav in mkdocs.yml, the automatic nav still leaves out model pages, shells and family pages
    assert "models/" not in "".join(line for line in catalog.splitlines() if "md-nav__link" in line)
    assert "families/albert/" not in "".join(line for line in catalog.splitlines() if "md-nav__link" in line)


def test_serve_rebuilds_when_a_card_changes(tmp_path):
    cards = small_catalog(tmp_path)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "generator", "serve", str(cards), "--offline"]
    with running_server(command, cwd=REPO, env=env) as base:
        page = f"{base}models/{IMDB[:-3]}/"
        assert wait_for(lambda: (get(page) or "").count("IMDB") > 0, 120), "the site was never served"
        card = cards / IMDB
        card.write_text(card.read_text(encoding="utf-8").replace(
            "title: ALBERT Sequence Classification Base - IMDB", "title: Edited while serving - IMDB", 1),
            encoding="utf-8")
        assert wait_for(lambda: "Edited while serving" in (get(page) or ""), 120), "no rebuild after the edit"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_page_that_fails_to_render_is_reported_and_the_rest_of_the_site_is_built(tmp_path, monkeypatch, caplog,
                                                                                  jobs):
    """In the building process or in a worker (the failure comes back with the page's files): the page says why,
    the log names the card, and the next build renders it again."""
    from generator.render import cardwork
    from generator.render.build import build_site

    monkeypatch.setattr(cardwork, "MIN_PARALLEL", 1)  # with jobs=2, a pool even for this small catalog

    cards = small_catalog(tmp_path)
    (cards / "second.md").write_text((cards / IMDB).read_text(encoding="utf-8").replace(
        "name: albert_base_sequence_classifier_imdb", "name: second_model", 1), encoding="utf-8")
    real = cardwork.build_model_page

    def failing(card, data, *, slug, **kwargs):
        if slug == "second":
            raise RuntimeError("template exploded")
        return real(card, data, slug=slug, **kwargs)

    monkeypatch.setattr(cardwork, "build_model_page", failing)
    result = build_site([cards], tmp_path / "site", offline=True, jobs=jobs)
    assert result.stats.processes == (2 if jobs == 2 else 0) and result.stats.pages_failed == 1
    broken = (result.site_dir / "models" / "second" / "index.html").read_text(encoding="utf-8")
    assert "This card could not be rendered" in broken and "RuntimeError: template exploded" in broken
    assert "albert_base_sequence_classifier_imdb" in (
        result.site_dir / "models" / IMDB[:-3] / "index.html").read_text(encoding="utf-8")
    assert any("second.md: the model page could not be rendered" in r.getMessage() for r in caplog.records)
    monkeypatch.setattr(cardwork, "build_model_page", real)
    imdb = cards / IMDB  # an edit elsewhere, so the build is not skipped as up to date
    imdb.write_text(imdb.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    again = build_site([cards], tmp_path / "site", offline=True, jobs=jobs)
    assert again.stats.pages_written == 2 and again.stats.pages_failed == 0
    assert "second_model" in (result.site_dir / "models" / "second" / "index.html").read_text(encoding="utf-8")


def python_card(name: str, artifact: str | None) -> str:
    front = f"artifact: {{url: {artifact}}}\n" if artifact else ""
    return (f"---\nname: {name}\nruntime: python\n{front}---\n\n# {name}\n\n"
            f"```python\nprint('hello', 'from', {name!r})\n```\n")


def test_build_shards_execute_every_card_once_and_each_renders_the_whole_catalog(tmp_path, capsys):
    """A CI matrix: each job builds with --shard I/2 --mode auto; the cards that share a model are executed by one
    job, the two jobs together execute every card exactly once, and each job's site shows every card."""
    from generator.card import read_card
    from generator.executors.shard import Shard, artifact_key

    cards = tmp_path / "cards"
    (tmp_path / "models" / "a").mkdir(parents=True)
    (tmp_path / "models" / "a" / "weights.txt").write_text("a")
    (tmp_path / "models" / "b").mkdir()
    (tmp_path / "models" / "b" / "weights.txt").write_text("b")
    cards.mkdir()
    (tmp_path / "modelhub.toml").write_text("[artifacts]\noffline = true\n", encoding="utf-8")
    names = {"a1": "../models/a", "a2": "../models/a", "a3": "../models/a", "b1": "../models/b", "n1": None,
             "n2": None}
    for name, artifact in names.items():
        (cards / f"{name}.md").write_text(python_card(name, artifact), encoding="utf-8")
    executed: list[set[str]] = []
    for index in range(2):
        before = {path.name: path.read_bytes() for path in cards.glob("*.results.json")}
        site = tmp_path / f"site-{index}"
        assert main(["build", str(cards), "--site-dir", str(site), "--mode", "auto", "--shard", f"{index}/2",
                     "--quiet"]) == 0, capsys.readouterr().err
        after = {path.name: path.read_bytes() for path in cards.glob("*.results.json")}
        assert all(after[name] == data for name, data in before.items())  # the other shard's results stay
        executed.append({name.split(".")[0] for name in after if name not in before})
        # the shard's site renders every card: its own with fresh results, the others from what is stored
        for name in names:
            page = (site / "models" / name / "index.html").read_text(encoding="utf-8")
            assert (f"hello from {name}" in page) == (name in executed[0] or index == 1), (index, name)
    assert executed[0] and executed[1] and not executed[0] & executed[1]
    assert executed[0] | executed[1] == set(names)
    assert {"a1", "a2", "a3"} <= executed[0] or {"a1", "a2", "a3"} <= executed[1]  # one job runs model a
    shard0 = Shard(0, 2).select([read_card(cards / f"{name}.md") for name in names], artifact_key)
    assert executed[0] == {card.name for card in shard0}


def test_build_shard_misuse_is_a_usage_error_before_anything_is_built(tmp_path, capsys):
    cards = small_catalog(tmp_path)
    site = tmp_path / "site"
    assert main(["build", str(cards), "--site-dir", str(site), "--shard", "3/2"]) == 2
    assert "--shard 3/2: I must be 0 to N-1" in capsys.readouterr().err
    # frozen (the default) executes nothing: a shard of it means a mistaken CI job
    for mode in ([], ["--mode", "frozen"], ["--mode", "off"]):
        assert main(["build", str(cards), "--site-dir", str(site), "--shard", "0/2", *mode]) == 2
        err = capsys.readouterr().err
        assert "--shard 0/2 chooses which cards execute" in err and "--mode auto or force" in err, err
    assert not site.exists()


def test_plain_mkdocs_takes_the_shard_as_a_plugin_option_and_refuses_a_bad_one(tmp_path):
    small_catalog(tmp_path)
    (tmp_path / "docs").mkdir()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    for shard, words in (("2/2", "I must be 0 to N-1"), ("0/2", "chooses which cards execute")):
        (tmp_path / "mkdocs.yml").write_text(
            "site_name: Plain\ntheme:\n  name: material\n  font: false\nplugins:\n  - modelhub:\n"
            f"      cards: [cards]\n      shard: {shard}\n", encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 1 and words in done.stderr, done.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def test_the_catalogs_vocabulary_names_the_facets_and_badges_of_the_site(tmp_path, capsys):
    cards = small_catalog(tmp_path)
    (tmp_path / "modelhub.toml").write_text(
        '[artifacts]\noffline = true\n[vocab.tasks]\ntext_classification = "Sentiment & topics"\n'
        '[vocab.languages]\nen = { name = "English (US)" }\n', encoding="utf-8")
    site = tmp_path / "site"
    assert main(["build", str(cards), "--site-dir", str(site), "--offline", "--quiet"]) == 0, capsys.readouterr().err
    meta = json.loads((site / "catalog-index" / "meta.json").read_text(encoding="utf-8"))
    names = {facet["id"]: {key: name for key, name, _ in facet["values"]} for facet in meta["facets"]}
    assert names["task"]["text_classification"] == "Sentiment & topics" and names["language"]["en"] == "English (US)"
    page = (site / "models" / IMDB[:-3] / "index.html").read_text(encoding="utf-8")
    assert "Sentiment &amp; topics" in page and "English (US)" in page
