"""Card HTML keeps its words and loses everything that could run or restyle the page."""

from __future__ import annotations

import pytest

from generator.render.sanitize import clean_html, is_relative, safe_url


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
