"""The ways to build the site: ``modelhub build``, plain ``mkdocs build`` with the plugin, ``modelhub serve``."""

from __future__ import annotations

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


def test_a_page_that_fails_to_render_is_reported_and_the_rest_of_the_site_is_built(tmp_path, monkeypatch, caplog):
    from generator.render import cardwork
    from generator.render.build import build_site

    cards = small_catalog(tmp_path)
    (cards / "second.md").write_text((cards / IMDB).read_text(encoding="utf-8").replace(
        "name: albert_base_sequence_classifier_imdb", "name: second_model", 1), encoding="utf-8")
    real = cardwork.build_model_page

    def failing(card, data, *, slug, **kwargs):
        if slug == "second":
            raise RuntimeError("template exploded")
        return real(card, data, slug=slug, **kwargs)

    monkeypatch.setattr(cardwork, "build_model_page", failing)
    result = build_site([cards], tmp_path / "site", offline=True)
    broken = (result.site_dir / "models" / "second" / "index.html").read_text(encoding="utf-8")
    assert "This card could not be rendered" in broken and "RuntimeError: template exploded" in broken
    assert "albert_base_sequence_classifier_imdb" in (
        result.site_dir / "models" / IMDB[:-3] / "index.html").read_text(encoding="utf-8")
    assert any("second.md: the model page could not be rendered" in r.getMessage() for r in caplog.records)
