"""The plugin inside someone else's mkdocs site: their index and nav stay theirs, the catalog lives at
``catalog_path`` and joins the nav, model pages are reachable and out of the nav, ``mkdocs serve`` follows cards."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.render.conftest import serving as static_site
from tests.serving import get, running_server, wait_for

REPO = Path(__file__).resolve().parents[2]
IMDB = "2021-12-16-albert_base_sequence_classifier_imdb_en"
KERAS = "albert-text-classifier"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def existing_site(root: Path, nav: str | None = None, catalog_path: str = "models/") -> Path:
    """A documentation site with its own home page, a guide and an explicit nav; the cards live beside it."""
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Acme docs\n\nWelcome to the Acme handbook.\n", encoding="utf-8")
    (root / "docs" / "guide.md").write_text("# Guide\n\nHow we ship models.\n", encoding="utf-8")
    cards = root / "model-cards"
    cards.mkdir()
    for name in (IMDB, KERAS):
        shutil.copyfile(REPO / "cards" / f"{name}.md", cards / f"{name}.md")
    (root / "modelhub.toml").write_text("[artifacts]\noffline = true\n", encoding="utf-8")
    nav = nav if nav is not None else "nav:\n  - Home: index.md\n  - Guide: guide.md\n"
    (root / "mkdocs.yml").write_text(
        "site_name: Acme\ntheme:\n  name: material\n  font: false\n" + nav +
        f"plugins:\n  - search\n  - modelhub:\n      cards: [model-cards]\n      catalog_path: {catalog_path}\n",
        encoding="utf-8")
    return root


def mkdocs(root: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", *arguments], cwd=root, env=ENV, capture_output=True,
                          text=True, timeout=300)


def nav_links(html: str) -> list[str]:
    """The hrefs of the site navigation (material's md-nav links)."""
    return re.findall(r'<a href="([^"]*)" class="md-nav__link', html)


def test_the_catalog_joins_an_existing_site_at_its_path_with_the_sites_own_pages_and_nav(tmp_path):
    root = existing_site(tmp_path)
    done = mkdocs(root, "build")
    assert done.returncode == 0, done.stderr
    assert "not included in the" not in done.stderr and "WARNING" not in done.stderr, done.stderr
    site = root / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Welcome to the Acme handbook." in home and 'id="mh-catalog"' not in home
    assert "How we ship models." in (site / "guide" / "index.html").read_text(encoding="utf-8")
    catalog = (site / "models" / "index.html").read_text(encoding="utf-8")
    assert 'id="mh-catalog"' in catalog
    assert 'data-index="../models/catalog-index/"' in catalog and (site / "models" / "catalog-index" /
                                                                   "meta.json").is_file()
    # the catalog and the families list are added to the site's nav; model, family and shell pages are not in it
    links = nav_links(home)
    assert "guide/" in links
    assert {link for link in links if link.startswith("models/")} == {"models/", "models/families/"}
    model = site / "models" / "models" / IMDB / "index.html"
    page = model.read_text(encoding="utf-8")
    assert "albert_base_sequence_classifier_imdb" in page and 'id="how-to-use"' in page
    assert all(IMDB not in link for link in nav_links(page))
    assert (site / "models" / "families" / "albert" / "index.html").is_file()
    assert not list((site / "models").rglob("mh-shell-*"))
    # the catalog's search index points at the model page, which exists where the catalog links it
    listed = json.loads((site / "models" / "models.json").read_text(encoding="utf-8"))["models"]
    urls = {entry["url"] for entry in listed}
    assert f"models/models/{IMDB}/" in urls and all((site / url / "index.html").is_file() for url in urls)
    # a model page leads back to the catalog (badges, "back"), not to the site's home page
    assert 'href="../../../models/?task=text_classification"' in page
    sitemap = (site / "models" / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>models/models/{IMDB}/</loc>" in sitemap and "<loc>models/families/albert/</loc>" in sitemap


def test_a_catalog_at_a_path_leaves_the_sitemap_and_404_page_at_the_sites_root_to_the_site(tmp_path):
    import gzip
    from xml.etree import ElementTree

    def locs(path: Path) -> list[str]:
        tree = ElementTree.fromstring(path.read_bytes())
        return [node.text for node in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]

    root = existing_site(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text("site_url: https://acme.example/docs/\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    # the host site alone, as mkdocs builds it: its own root files
    alone = root / "alone.yml"
    alone.write_text(config.read_text(encoding="utf-8").split("  - modelhub:")[0], encoding="utf-8")
    done = mkdocs(root, "build", "-f", str(alone), "-d", str(root / "site-alone"))
    assert done.returncode == 0, done.stderr
    done = mkdocs(root, "build")
    assert done.returncode == 0, done.stderr
    site, before = root / "site", root / "site-alone"
    # sitemap.xml is mkdocs' own: the site's pages and the catalog's mkdocs pages, no shell, no model page
    host = locs(site / "sitemap.xml")
    assert set(locs(before / "sitemap.xml")) <= set(host)
    assert {"https://acme.example/docs/", "https://acme.example/docs/guide/", "https://acme.example/docs/models/",
            "https://acme.example/docs/models/families/albert/"} <= set(host)
    assert not [url for url in host if "mh-shell" in url or "/models/models/" in url]
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == (site / "sitemap.xml").read_bytes()
    # the catalog's own sitemap, inside the catalog: every catalog page, model pages included, absolute
    catalog = locs(site / "models" / "sitemap.xml")
    assert f"https://acme.example/docs/models/models/{IMDB}/" in catalog
    assert all(url.startswith("https://acme.example/docs/models/") for url in catalog)
    assert gzip.decompress((site / "models" / "sitemap.xml.gz").read_bytes()) == \
        (site / "models" / "sitemap.xml").read_bytes()
    # 404.html is the theme's, as without the catalog: not the catalog's "search the catalog" page
    page = (site / "404.html").read_text(encoding="utf-8")
    assert "404 - Not found" in page and "404 - Not found" in (before / "404.html").read_text(encoding="utf-8")
    assert "There is no page at this address" not in page


@pytest.mark.browser
def test_in_a_browser_the_catalog_at_its_path_finds_a_model_and_the_model_page_leads_back(tmp_path, browser):
    root = existing_site(tmp_path)
    assert mkdocs(root, "build").returncode == 0
    with static_site(root / "site") as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # the site enables material's search, which owns ?q=: the catalog's own text query is ?query=
        page.goto(base + "models/?query=imdb")
        page.wait_for_selector("#mh-catalog[data-mh-ready='true']")
        assert page.input_value("#mh-query") == "imdb" and not page.is_checked("#__search")
        results = page.locator(".mh-result__name")
        assert results.count() == 1
        page.fill("#mh-query", "albert imdb")
        page.wait_for_function("location.search.includes('query=albert')")
        assert "q=" not in page.url.split("?", 1)[1].replace("query=", "")
        results.first.click()
        page.wait_for_url(f"{base}models/models/{IMDB}/")
        assert "albert_base_sequence_classifier_imdb" in page.content()
        page.locator("a.mh-badge[href*='task=']").first.click()
        page.wait_for_url(f"{base}models/?task=*")
        page.wait_for_selector("#mh-catalog[data-mh-ready='true']")
        assert page.locator(".mh-result__name").count() >= 1
        context.close()
    assert errors == []


def test_a_nav_that_lists_the_catalog_keeps_its_own_place_and_title(tmp_path):
    root = existing_site(tmp_path, nav="nav:\n  - Home: index.md\n  - Our models: models/index.md\n"
                                      "  - Guide: guide.md\n")
    done = mkdocs(root, "build")
    assert done.returncode == 0, done.stderr
    assert "not included in the" not in done.stderr, done.stderr
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    links = nav_links(home)
    assert links.index("models/") < links.index("guide/") and links.count("models/") == 1
    assert "Our models" in home and "models/families/" not in links
    assert (root / "site" / "models" / "families" / "index.html").is_file()  # reachable, just not in the nav


def test_without_a_nav_the_automatic_one_lists_the_catalog_but_no_model_pages(tmp_path):
    root = existing_site(tmp_path, nav="", catalog_path="catalog")
    done = mkdocs(root, "build")
    assert done.returncode == 0, done.stderr
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    links = nav_links(home)
    assert "catalog/" in links and "guide/" in links
    assert not [link for link in links if "catalog/models/" in link or "catalog/families/albert" in link]
    assert (root / "site" / "catalog" / "models" / IMDB / "index.html").is_file()


def test_catalog_path_must_stay_inside_the_site(tmp_path):
    root = existing_site(tmp_path, catalog_path="../outside")
    done = mkdocs(root, "build")
    assert done.returncode != 0
    assert "catalog_path" in done.stderr and "must be a folder inside the site" in done.stderr
    assert not (tmp_path / "outside").exists()


def test_the_plugin_reads_only_its_options_not_the_environment(tmp_path):
    root = existing_site(tmp_path)
    env = {**ENV, "MODELHUB_CARDS": str(tmp_path / "elsewhere"), "MODELHUB_MODE": "force"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (root / "site" / "models" / "models" / IMDB / "index.html").is_file()


def test_mkdocs_serve_rebuilds_when_a_card_outside_docs_changes(tmp_path):
    root = existing_site(tmp_path)
    with running_server([sys.executable, "-m", "mkdocs", "serve"], cwd=root, env=ENV) as base:
        page = f"{base}models/models/{IMDB}/"
        assert wait_for(lambda: "IMDB" in (get(page) or ""), 120), "the site was never served"
        card = root / "model-cards" / f"{IMDB}.md"
        card.write_text(card.read_text(encoding="utf-8").replace(
            "title: ALBERT Sequence Classification Base - IMDB", "title: Edited while serving - IMDB", 1),
            encoding="utf-8")
        assert wait_for(lambda: "Edited while serving" in (get(page) or ""), 120), "no rebuild after the edit"
