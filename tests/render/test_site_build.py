"""The built site, read as files: every card has a page, the index and models.json cover the catalog, model pages
stay out of the nav and out of material's search, shipped artifacts are copied, hostile content is inert."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from generator.card import read_card

from .catalog import EDIT_URI
from .conftest import page_path


class _Scan(HTMLParser):
    """Every tag with its attributes, and the text of inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def scan(path: Path) -> _Scan:
    parser = _Scan()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def models_json(site: Path) -> list[dict]:
    index = json.loads((site / "models.json").read_text(encoding="utf-8"))
    assert index["format"] == 2 and index["count"] == len(index["models"])
    return index["models"]


def test_every_card_has_a_page_an_entry_in_models_json_and_its_full_record_beside_its_page(built_site):
    site = built_site["site"]
    text = (site / "models.json").read_text(encoding="utf-8")
    records = models_json(site)
    assert sorted(r["name"] or "" for r in records if r["name"]) == sorted(
        n for n in built_site["names"] if n != "AlbertTextClassifier")
    assert len(records) == len(built_site["names"])
    assert str(built_site["root"]) not in text  # relative paths only
    for record in records:
        page = page_path(site, record["url"])
        assert page.is_file(), record["url"]
        assert not record["path"].startswith("/") and record["path"].startswith("cards/")
        full = json.loads((site / record["json"]).read_text(encoding="utf-8"))
        assert full["url"] == record["url"] and full["path"] == record["path"] and full["name"] == record["name"]
        assert "findings" in full and "facts" in full and "runs" in full and "bench" in full


def test_keras_api_page_becomes_the_albert_family_page_with_its_presets(built_site):
    records = {r["path"].rsplit("/", 1)[-1]: r for r in models_json(built_site["site"])}
    keras = records["albert-text-classifier.md"]
    assert keras["url"] == "families/albert/" and keras["family"] == "ALBERT"
    html = (built_site["site"] / "families" / "albert" / "index.html").read_text(encoding="utf-8")
    for preset, parameters in [("albert_base_en_uncased", "11.68M"), ("albert_extra_extra_large_en_uncased",
                                                                       "222.60M")]:
        assert re.search(rf"<code>{preset}</code></td>\s*<td class=\"mh-num\">{re.escape(parameters)}", html)
    # every JSL ALBERT card is a row with a link to its model page
    assert 'href="../../models/2021-12-16-albert_base_sequence_classifier_imdb_en/"' in html
    assert "AlbertTextClassifier class" in html and "from_preset method" in html
    families = (built_site["site"] / "families" / "index.html").read_text(encoding="utf-8")
    assert 'href="../families/albert/"' in families or 'href="albert/"' in families


def test_model_pages_are_out_of_the_nav_and_there_is_no_full_text_search_index(built_site):
    site = built_site["site"]
    catalog = (site / "index.html").read_text(encoding="utf-8")
    nav = re.findall(r'class="md-nav__link[^"]*"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*class="md-nav__link',
                     catalog)
    assert not any("models/" in a or "models/" in b for a, b in nav)
    assert not (site / "search" / "search_index.json").exists()
    assert not list((site / "models").glob("mh-shell-*")), "page shells must not be left in the site"


def test_model_page_keeps_the_material_look_with_its_own_title_and_toc(built_site):
    site = built_site["site"]
    page = (site / "models" / "2021-12-16-albert_base_sequence_classifier_imdb_en" / "index.html").read_text(
        encoding="utf-8")
    assert "<title>ALBERT Sequence Classification Base - IMDB (albert_base_sequence_classifier_imdb) - " in page
    assert "MHSHELL" not in page
    assert 'class="md-header' in page and "assets/stylesheets/main." in page
    toc = re.findall(r'<a href="#([a-z0-9-]+)" class="md-nav__link">', page)
    assert toc[:4] == ["description", "predicted-entities", "how-to-use", "results"]
    assert page.count("<h1") == 1


def test_download_link_is_the_cards_url_and_copy_uri_the_s3_uri(built_site):
    card = read_card(built_site["cards"] / "2021-12-16-albert_base_sequence_classifier_imdb_en.md")
    parsed = scan(page_path(built_site["site"], "models/2021-12-16-albert_base_sequence_classifier_imdb_en/"))
    links = [attrs for tag, attrs in parsed.tags if tag == "a" and "mh-download-link" in (attrs.get("class") or "")]
    assert [a["href"] for a in links] == [card.download_url]
    copies = [attrs["data-mh-copy"] for tag, attrs in parsed.tags if "data-mh-copy" in attrs]
    assert copies == [card.s3_uri]


def test_an_artifact_shipped_with_the_cards_is_copied_and_linked(built_site):
    site = built_site["site"]
    copied = site / "files" / "artifacts" / "tiny_local_model.zip"
    assert hashlib.sha256(copied.read_bytes()).hexdigest() == built_site["tiny_sha256"]
    parsed = scan(page_path(site, "models/tiny-local/"))
    hrefs = [a["href"] for t, a in parsed.tags if t == "a" and "mh-download-link" in (a.get("class") or "")]
    assert hrefs == ["../../files/artifacts/tiny_local_model.zip"]


def test_edit_link_uses_the_configured_edit_uri(built_site):
    parsed = scan(page_path(built_site["site"], "models/tiny-local/"))
    edits = [a["href"] for t, a in parsed.tags if t == "a" and a.get("rel") == "edit"]
    assert edits == [EDIT_URI + "cards/tiny-local.md"]


def test_results_say_where_they_come_from(built_site):
    html = page_path(built_site["site"], "models/2021-12-16-albert_base_sequence_classifier_imdb_en/").read_text(
        encoding="utf-8")
    block = html[html.index('id="results"'):html.index('id="model-information"')]
    assert "From the card, not verified:" in block and "Produced by a run" not in block
    assert "[pos, pos, pos, pos]" in block


def test_sitemap_lists_every_page_and_404_exists(built_site):
    site = built_site["site"]
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for record in models_json(site):
        assert f"<loc>{record['url']}</loc>" in sitemap
    assert "<loc>families/albert/</loc>" in sitemap and "<loc>about/</loc>" in sitemap
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode() == sitemap
    assert "Page not found" in (site / "404.html").read_text(encoding="utf-8")


def test_hostile_card_content_cannot_run_script(built_site):
    site = built_site["site"]
    for url in ("models/hostile/", ""):
        parsed = scan(page_path(site, url))
        for tag, attrs in parsed.tags:
            assert tag not in {"iframe", "form", "object", "embed", "svg"} or tag == "svg" and not any(
                k.startswith("on") for k in attrs), (tag, attrs)
            for key, value in attrs.items():
                assert not key.startswith("on"), (tag, attrs)
                assert "javascript:" not in (value or "").replace(" ", "").lower() or key == "data-mh-copy", (tag, attrs)
                assert key != "style", (tag, attrs)
        assert not any("pwned" in script for script in parsed.scripts)
    index_files = list((site / "catalog-index").rglob("*.json"))
    assert index_files and not any(b"<" in p.read_bytes() for p in index_files)
    listed = json.loads((site / "catalog-index" / "list.json").read_text())
    prefix, suffix = json.loads((site / "catalog-index" / "meta.json").read_text())["url"]
    number = listed["n"].index("hostile_card")
    assert prefix + listed["u"][number] + suffix == "models/hostile/"
    title, _ = json.loads((site / "catalog-index" / "docs" / "0.json").read_text())[number]
    assert title.startswith("Hostile card") and "script" not in title


def test_a_card_with_broken_front_matter_still_gets_a_page_with_its_error(built_site):
    html = page_path(built_site["site"], "models/broken/").read_text(encoding="utf-8")
    assert "MH002" in html and "front matter is not valid YAML" in html
    assert "A card whose front matter is not valid YAML" in html


def test_files_written_after_the_build_are_readable_by_a_web_server(built_site):
    site = built_site["site"]
    for name in ("models.json", "sitemap.xml", "sitemap.xml.gz"):
        assert (site / name).stat().st_mode & 0o044 == 0o044, name  # not the temporary file's private 0600
