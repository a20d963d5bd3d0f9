"""Card Markdown to safe HTML in material's markup: markdown-it for speed, pygments for code, nh3 for safety.

markdown-it-py is several times faster than Python-Markdown, which matters at ten thousand pages; the HTML it makes
is plain CommonMark + tables, which material's typeset styles already cover. Code blocks are highlighted into the
``<div class="highlight"><pre><code>`` shape material adds its copy buttons to.
"""

from __future__ import annotations

import html
from functools import lru_cache

from markdown_it import MarkdownIt
from pygments import highlight as _pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .markup import translate
from .sanitize import clean_html

_FORMATTER = HtmlFormatter(nowrap=True)
_ALIASES = {"sh": "bash", "shell": "bash", "console": "bash", "py": "python", "py3": "python", "yml": "yaml"}
_PLAIN = {"", "text", "txt", "plain", "output", "none"}


@lru_cache(maxsize=64)
def _lexer(language: str):
    name = _ALIASES.get(language, language)
    if name in _PLAIN:
        return None
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, language: str | None = None) -> str:
    """A highlighted code block (trusted markup around escaped code), the shape material styles and copies."""
    lexer = _lexer((language or "").strip().lower())
    body = html.escape(code) if lexer is None else _pygments_highlight(code, lexer, _FORMATTER)
    return f'<div class="highlight"><pre><span></span><code>{body.rstrip()}</code></pre></div>'


def _fence(md: MarkdownIt):
    def render(renderer, tokens, index, options, env):  # markdown-it renderer rule signature
        token = tokens[index]
        language = token.info.split()[0] if token.info else ""
        return highlight_code(token.content, language) + "\n"

    return render


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")
    md.enable("strikethrough")
    md.add_render_rule("fence", _fence(md))
    md.add_render_rule("code_block", lambda renderer, tokens, i, o, e: highlight_code(tokens[i].content) + "\n")
    return md


_MD = _parser()


def markdown_html(text: str, *, translate_markup: bool = True) -> str:
    """Sanitised HTML for the Markdown ``text`` of a card (JSL/Hugo markup translated first)."""
    source = translate(text) if translate_markup else text
    if not source.strip():
        return ""
    return clean_html(_MD.render(source))


def inline_html(text: str) -> str:
    """Sanitised HTML for one line of Markdown (a table cell, a preset description), without the ``<p>``."""
    rendered = _MD.renderInline(translate(text))
    return clean_html(rendered)
