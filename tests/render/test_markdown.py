"""Card Markdown renders to material's markup, sanitised; inline text takes a fast path with the same result."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.render.markdown import _MD, highlight_code, inline_html, markdown_html
from generator.render.sanitize import clean_html


def test_code_blocks_are_highlighted_in_materials_shape():
    html = markdown_html("```python\nimport nlu\n```")
    assert html.startswith('<div class="highlight"><pre><span></span><code>')
    assert '<span class="kn">import</span>' in html


def test_unknown_languages_are_escaped_not_dropped():
    assert highlight_code("<b>x</b>", "no-such-language") == \
        '<div class="highlight"><pre><span></span><code>&lt;b&gt;x&lt;/b&gt;</code></pre></div>'


def test_tables_and_jsl_markup_render():
    html = markdown_html("{:.table-model}\n|---|---|\n|Model Name:|albert|\n\n{:.btn-box}\n[Download](https://x.y/z.zip)")
    assert "<table>" in html and "albert" in html and "Download" not in html and "{:" not in html


def test_raw_html_in_a_card_is_sanitised():
    html = markdown_html('Hi <img src="x" onerror="alert(1)"> <script>alert(2)</script>\n\n[a](javascript:alert(3))')
    assert "onerror" not in html and "<script" not in html and 'href="javascript' not in html


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab _`[](){}*<>&!\\~:/.x1-")), max_size=40))
@example("``1`")  # a double backtick run that nothing closes is text, not the start of `1`
@example("` a ` and ` `")  # one padding space is dropped each side of a code span, an all-space span is kept
def test_inline_fast_path_matches_the_parser(text):
    assert inline_html(text) == clean_html(_MD.renderInline(text)) or "{" in text or "}" in text
