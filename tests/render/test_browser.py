"""The site in a real browser: Debian's chromium, driven by Playwright, against the built site served on 127.0.0.1.

Screenshots go to test-artifacts/ (gitignored). ``MODELHUB_README_SCREENSHOTS=1`` runs one more test that builds the
shipped catalog (cards/) and refreshes the two README images under .github/screenshots/.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
README_SHOTS = REPO / ".github" / "screenshots"
IMDB = "models/2021-12-16-albert_base_sequence_classifier_imdb_en/"


@pytest.fixture
def page(browser, site_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site_server)
    page = context.new_page()
    page.errors = []
    page.elsewhere = []  # requests to any host but the site's: a static site must need none (no CDN, no fonts)
    page.on("request", lambda request: request.url.startswith(site_server) or request.url.startswith("data:")
            or page.elsewhere.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def open_catalog(page, query: str = "") -> None:
    page.goto("./" + query)
    page.wait_for_selector("#mh-catalog[data-mh-ready='true']")


def renders(page) -> int:
    return int(page.get_attribute("#mh-catalog", "data-mh-renders"))


def wait_for_render(page, before: int) -> None:
    page.wait_for_function(f"Number(document.getElementById('mh-catalog').dataset.mhRenders) > {before}")


def wait_for_address(page, expected: dict[str, str]) -> None:
    """The address bar holds exactly ``expected`` as its query: it follows the state once the results are drawn."""
    page.wait_for_function("""expected => {
        const params = new URLSearchParams(location.search);
        return [...params.keys()].length === Object.keys(expected).length
            && Object.entries(expected).every(([key, value]) => params.get(key) === value);
    }""", arg=expected)


def listed_names(page) -> list[str]:
    return page.locator(".mh-result__name").all_inner_texts()


def test_catalog_loads_and_lists_every_card(page, built_site):
    open_catalog(page)
    total = len(built_site["names"])
    assert page.inner_text("#mh-count") == f"All {total} models"
    names = listed_names(page)
    assert len(names) == 20  # one page
    before = renders(page)
    page.click(".mh-pager__page >> text=Next ›")
    wait_for_render(page, before)
    names += listed_names(page)
    assert sorted(names) == sorted(built_site["names"])
    wait_for_address(page, {"page": "2"})
    shot(page, "catalog-page-2")
    assert page.errors == [] and page.elsewhere == []


def test_typing_a_query_narrows_the_list(page):
    open_catalog(page)
    before = renders(page)
    page.fill("#mh-query", "imdb")
    wait_for_render(page, before)
    assert listed_names(page)[0] == "albert_base_sequence_classifier_imdb"
    count = int(page.get_attribute("#mh-catalog", "data-mh-count"))
    assert 1 <= count < 27
    before = renders(page)
    page.fill("#mh-query", "hostile tri")  # two words: both must match (prefix), from name and description
    wait_for_render(page, before)
    assert listed_names(page) == ["hostile_card"]
    wait_for_address(page, {"q": "hostile tri"})
    assert page.evaluate("window.mhCatalog.lastQueryMs") < 1000
    shot(page, "catalog-query")


def test_facet_click_filters_updates_the_url_and_a_reload_restores_it(page):
    open_catalog(page)
    german = page.locator(".mh-facet[data-facet='language'] label", has_text="German")
    expected = int(german.locator(".mh-facet__count").inner_text())
    before = renders(page)
    german.click()
    wait_for_render(page, before)
    wait_for_address(page, {"language": "de"})
    assert int(page.get_attribute("#mh-catalog", "data-mh-count")) == expected
    assert all(badges.count("German") for badges in page.locator(".mh-result__badges").all_inner_texts())
    names = listed_names(page)
    # a second facet narrows within the first; the counts of the first facet stay as they were
    before = renders(page)
    page.locator(".mh-facet[data-facet='task'] label", has_text="Text Classification").click()
    wait_for_render(page, before)
    wait_for_address(page, {"language": "de", "task": "text_classification"})
    filtered = listed_names(page)
    assert set(filtered) <= set(names) and "tiny_local_model" in filtered
    page.fill("#mh-query", "tiny")
    page.wait_for_function("document.getElementById('mh-catalog').dataset.mhCount === '1'")
    wait_for_address(page, {"language": "de", "task": "text_classification", "q": "tiny"})
    url = page.url

    page.reload()
    page.wait_for_selector("#mh-catalog[data-mh-ready='true']")
    assert page.url == url
    assert page.input_value("#mh-query") == "tiny"
    assert page.locator(".mh-facet[data-facet='language'] input[data-value='de']").is_checked()
    assert page.locator(".mh-facet[data-facet='task'] input[data-value='text_classification']").is_checked()
    assert listed_names(page) == ["tiny_local_model"]
    shot(page, "catalog-filtered")
    assert page.errors == []


def test_a_facet_toggled_from_the_keyboard_keeps_the_focus_and_its_count(page, built_site):
    """A search updates the facet boxes in place: the box a keyboard user toggles keeps the focus, and the next
    Tab goes on from it."""
    open_catalog(page)
    german = page.locator(".mh-facet[data-facet='language'] label", has_text="German")
    expected = int(german.locator(".mh-facet__count").inner_text())
    box = ".mh-facet[data-facet='language'] input[data-value='de']"
    page.focus(box)
    before = renders(page)
    page.keyboard.press("Space")
    wait_for_render(page, before)
    assert page.is_checked(box)
    assert page.evaluate("document.activeElement.dataset.value") == "de"
    assert int(page.get_attribute("#mh-catalog", "data-mh-count")) == expected
    assert page.inner_text("#mh-count") == f"{expected} models of {len(built_site['names'])}"
    before = renders(page)
    page.keyboard.press("Space")
    wait_for_render(page, before)
    assert not page.is_checked(box)
    assert page.evaluate("document.activeElement.dataset.value") == "de"
    assert page.inner_text("#mh-count") == f"All {len(built_site['names'])} models"
    page.evaluate("""() => {
        const controls = [...document.querySelectorAll('.mh-facets input, .mh-facets button')];
        controls[controls.indexOf(document.activeElement) + 1].dataset.next = "yes";
    }""")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.next") == "yes"
    wait_for_address(page, {})
    assert page.errors == []


def test_sorting_by_newest_puts_the_latest_card_first(page):
    open_catalog(page, "?sort=newest")
    assert page.input_value("#mh-sort") == "newest"
    dates = page.locator(".mh-result__date").all_inner_texts()
    assert dates == sorted(dates, reverse=True) and dates[0] == "2024-08-24"


def test_model_page_download_link_has_the_cards_url(page, built_site, site_server):
    page.goto(IMDB)
    href = page.get_attribute("a.mh-download-link", "href")
    assert href == ("https://s3.amazonaws.com/auxdata.johnsnowlabs.com/public/models/"
                    "albert_base_sequence_classifier_imdb_en_3.4.0_3.0_1639652560396.zip")
    shot(page, "model-page")
    assert page.elsewhere == []
    # a card whose artifact ships with the catalog links to the copy, and the copy downloads
    page.goto("models/tiny-local/")
    with page.expect_download() as download:
        page.click("a.mh-download-link")
    data = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(data).hexdigest() == built_site["tiny_sha256"]


def test_copy_button_puts_the_uri_on_the_clipboard(browser, site_server):
    context = browser.new_context(base_url=site_server, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(IMDB)
        button = page.locator("button.mh-copy-uri")
        uri = button.get_attribute("data-mh-copy")
        assert uri.startswith("s3://auxdata.johnsnowlabs.com/")
        button.click()
        page.wait_for_function("document.querySelector('button.mh-copy-uri').textContent === 'Copied'")
        assert page.evaluate("navigator.clipboard.readText()") == uri
    finally:
        context.close()


def test_how_to_use_tabs_switch(page):
    page.goto(IMDB)
    tabs = page.locator("#how-to-use ~ .tabbed-set").first
    blocks = tabs.locator(".tabbed-block")
    assert tabs.locator(".tabbed-labels label").all_inner_texts() == ["Python", "Scala", "NLU"]
    assert blocks.nth(0).is_visible() and not blocks.nth(1).is_visible()
    assert "DocumentAssembler()" in blocks.nth(0).inner_text()
    tabs.locator(".tabbed-labels label", has_text="Scala").click()
    assert blocks.nth(1).is_visible() and not blocks.nth(0).is_visible()
    assert "val document_assembler" in blocks.nth(1).inner_text()
    tabs.locator(".tabbed-labels label", has_text="NLU").click()
    assert blocks.nth(2).is_visible() and "nlu.load" in blocks.nth(2).inner_text()
    # material adds its copy button to each code block
    assert tabs.locator(".tabbed-block").nth(2).locator("button.md-code__button, button.md-clipboard").count() >= 1


def test_hostile_card_runs_no_script(page):
    page.goto("models/hostile/")
    page.wait_for_load_state("load")
    page.click("text=click me", timeout=2000) if page.locator("a:has-text('click me')").count() else None
    for text in ("this", "that"):
        links = page.locator(f"a:text-is('{text}')")
        if links.count():
            links.first.click()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("[onerror], [onclick], iframe, form").count() == 0
    assert page.locator("a.mh-download-link").count() == 0  # its javascript: Download link is not a link
    assert "Hostile card <script>" in page.title()  # shown as text
    shot(page, "hostile-card")
    open_catalog(page, "?q=hostile")
    assert listed_names(page) == ["hostile_card"]
    assert page.evaluate("window.__pwned") is None
    assert page.errors == []


def test_catalog_screenshot(page):
    open_catalog(page, "?task=text_classification")
    shot(page, "catalog")
    assert re.match(r"\d+ models of \d+", page.inner_text("#mh-count"))


@pytest.mark.skipif(not os.environ.get("MODELHUB_README_SCREENSHOTS"), reason="refreshes the README images on request")
def test_readme_screenshots_of_the_shipped_catalog(browser, tmp_path):
    from generator.render.build import build_site

    from .conftest import serving

    result = build_site([REPO / "cards"], tmp_path / "site", offline=True)
    README_SHOTS.mkdir(parents=True, exist_ok=True)
    with serving(result.site_dir) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=base)
        page = context.new_page()
        open_catalog(page)
        page.screenshot(path=str(README_SHOTS / "catalog.png"))
        page.goto("models/demo-albert-sentiment/")
        page.screenshot(path=str(README_SHOTS / "model-page.png"))
        context.close()
    assert (README_SHOTS / "catalog.png").stat().st_size > 10_000
