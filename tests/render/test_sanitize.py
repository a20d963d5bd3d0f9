"""Card HTML keeps its words and loses everything that could run or restyle the page."""

from __future__ import annotations

import re

import pytest

from generator.render.sanitize import MAX_DEPTH, bound_nesting, clean_html, is_relative, safe_url


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" java\tscript:alert(1)">x</a>',
    '<iframe src="https://example.org"></iframe>',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<form action="https://example.org"><input name=a></form>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<span class="md-button">x</span>',
])
def test_clean_html_removes_every_way_to_run_script(hostile):
    cleaned = clean_html(hostile).lower()
    for needle in ("<script", "onerror", "onload", "javascript:", "<iframe", "style=", "<form", "data:text",
                   "<object", "<embed", "md-button"):
        assert needle not in cleaned


def test_clean_html_keeps_content_markup():
    html = ('<p>See <a href="https://arxiv.org/abs/1909.11942">the paper</a> and <code>x</code>.</p>'
            '<table><tr><td>1</td></tr></table><div class="highlight"><pre><span class="k">def</span></pre></div>')
    cleaned = clean_html(html)
    assert 'href="https://arxiv.org/abs/1909.11942"' in cleaned and 'rel="noopener noreferrer nofollow"' in cleaned
    assert "<table>" in cleaned and '<span class="k">def</span>' in cleaned and 'class="highlight"' in cleaned


@pytest.mark.parametrize("url, expected", [
    ("https://s3.amazonaws.com/a/b.zip", "https://s3.amazonaws.com/a/b.zip"),
    ("http://127.0.0.1:8000/x.zip", "http://127.0.0.1:8000/x.zip"),
    ("artifacts/demo.zip", "artifacts/demo.zip"),
    ("javascript:alert(1)", None),
    (" JAVASCRIPT:alert(1)", None),
    ("java\nscript:alert(1)", None),
    ("data:text/html;base64,xx", None),
    ("vbscript:x", None),
    ("s3://bucket/key.zip", None),
    ("//evil.example/x", None),
    ("https:///nohost", None),
    ("", None),
    (None, None),
])
def test_safe_url_allows_web_links_and_relative_paths_only(url, expected):
    assert safe_url(url) == expected


def test_absolute_links_only_when_asked():
    assert safe_url("artifacts/demo.zip", allow_relative=False) is None
    assert is_relative("artifacts/demo.zip") and not is_relative("https://x.y/z") and not is_relative("#top")


@pytest.mark.parametrize("url", ["http://[::1/x", "https://[bad"])
def test_a_url_with_an_unbalanced_bracket_in_its_host_is_not_safe(url):
    assert safe_url(url) is None


def _depth(html: str) -> int:
    """How deep the elements of sanitised ``html`` nest (it is well formed: every element closed)."""
    depth = deepest = 0
    for close, name in re.findall(r"<(/?)([a-z0-9]+)", html):
        if name in {"br", "hr", "img"}:
            continue
        depth += -1 if close else 1
        deepest = max(deepest, depth)
    return deepest


def test_html_nested_past_the_limit_shows_its_excess_tags_as_text():
    page = clean_html("<div>" * 5_000 + "deep words" + "</div>" * 5_000)
    assert _depth(page) == MAX_DEPTH
    assert "deep words" in page and page.count("&lt;div&gt;") == 5_000 - MAX_DEPTH


@pytest.mark.parametrize("unit", [
    "<div>", "<div/>", "<div></span>",  # a self-closing slash opens a <div> all the same; a stray end tag closes none
    "<span><div></span>", "<span><span><div></span></span>",  # an end tag cannot close over a <div>
    '<div><b id="{}"></div>x',  # a parser re-opens a closed-over <b> (distinct ones are all kept)
    "<table><td>", "<ul><li><p>", "<svg><g><link>", "<svg><g/ >", '<svg><g a"=x b="/>">', "<p><b>", "<!---><div>",
])
def test_no_shape_of_markup_nests_far_past_the_limit(unit):
    page = clean_html("".join(unit.format(index) for index in range(3_000)) + "end")
    assert "end" in page or unit.startswith("<svg>")  # nh3 drops SVG with its text
    assert _depth(page) <= 4 * MAX_DEPTH


@pytest.mark.parametrize("html", [
    "<ul>" + "<li>item<ul>" * 20 + "</ul></li>" * 20 + "</ul>",
    "<table>" + "<tr><td>a<td>b" * 500 + "</table>",  # cells and rows closed by the next one
    "<p>one<p>two<div>three</div>" * 300,
    "<ul>" + "<li>unclosed" * 500 + "</ul>",
    "<!-- <div><div><div> -->" * 300 + "<script><div><div></script>" * 300 + "<br><img src=x>" * 300,
    "<svg>" + '<path d="M0 0"/>' * 300 + "</svg>" + "<svg><g/></svg>" * 300,
])
def test_html_that_real_cards_write_passes_the_depth_bound_unchanged(html):
    assert bound_nesting(html) == html
