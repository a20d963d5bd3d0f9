"""Card Markdown to safe HTML in material's markup: markdown-it for speed, pygments for code, nh3 for safety.

markdown-it-py is several times faster than Python-Markdown, which matters at ten thousand pages; the HTML it makes
is plain CommonMark + tables, which material's typeset styles already cover. Code blocks are highlighted into the
``<div class="highlight"><pre><code>`` shape material adds its copy buttons to.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from pygments import highlight as _pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.util import ClassNotFound

from ..card.parser import LONG_LINE, MAX_LINE_CHARS
from .lexers import lexer_by_name
from .linkdest import use_fast_destinations
from .markup import translate
from .memo import text_memo
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
        return lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def cap_lines(text: str) -> str:
    """``text`` with each line longer than ``MAX_LINE_CHARS`` cut there and marked (MH008 reports it): a 200,000
    character line took the highlighter seconds, and no reader scrolls through it."""
    if len(text) <= MAX_LINE_CHARS or LONG_LINE.search(text) is None:
        return text
    return LONG_LINE.sub(lambda m: f"{m.group()[:MAX_LINE_CHARS]} … [line cut: {len(m.group()):,} characters, "
                                    f"the first {MAX_LINE_CHARS:,} shown]", text)


@lru_cache(maxsize=2048)
def highlight_code(code: str, language: str | None = None) -> str:
    """A highlighted code block (trusted markup around escaped code), the shape material styles and copies.

    Memoised: catalogs repeat the same snippets across many cards (a model family's cards differ in one name)."""
    code = cap_lines(code)
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
    md = use_fast_destinations(MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}))
    md.enable("table")
    md.enable("strikethrough")
    md.add_render_rule("fence", _fence(md))
    md.add_render_rule("code_block", lambda renderer, tokens, i, o, e: highlight_code(tokens[i].content) + "\n")
    return md


_MD = _parser()


@text_memo(entries=2048, longest=20_000)
def markdown_html(text: str, *, translate_markup: bool = True) -> str:
    """Sanitised HTML for the Markdown ``text`` of a card (JSL/Hugo markup translated first). Memoised: cards
    repeat whole sections."""
    text = cap_lines(text)
    source = translate(text) if translate_markup else text
    if not source.strip():
        return ""
    return clean_html(_MD.render(source))


# The Markdown one page renders as Markdown. markdown-it reads dense Markdown (a link, emphasis and code on every line,
# nested lists, tables) at 3-7 s of CPU per MiB and its worst shapes (lines of `*_` or `[[a]`) at up to 17, so a
# 2 MiB card (MH004's cap) stalled a build for 10-25 s; the rest is shown as plain text, which costs next to nothing.
# Real cards have a few KB (the largest of the 221 corpus cards has 7.5 KB).
MAX_MARKDOWN_CHARS = 64 * 1024


class MarkdownBudget:
    """What is left of one page's ``MAX_MARKDOWN_CHARS``: ``html`` renders a card's sections in page order while it
    lasts; the section that passes it is cut at a paragraph (or line) and its rest, and every later section, are shown
    as escaped plain text after one note saying why. ``code`` highlights the usage tabs' snippets from the same
    budget (pygments is about as slow), then escapes them."""

    def __init__(self, chars: int = MAX_MARKDOWN_CHARS) -> None:
        self.chars = self.left = chars
        self.noted = False

    def code(self, code: str, language: str | None) -> str:
        """A highlighted code block while the budget lasts, then the same block escaped without highlighting."""
        if len(code) <= self.left:
            self.left -= len(code)
            return highlight_code(code, language)
        self.left = 0
        return highlight_code(code)

    def html(self, text: str) -> str:
        if len(text) <= self.left:
            self.left -= len(text)
            return markdown_html(text)
        cut = text.rfind("\n\n", 0, self.left + 1)
        if cut < 0:
            cut = text.rfind("\n", 0, self.left + 1)
        head, rest = text[:max(cut, 0)], text[max(cut, 0):]
        self.left = 0
        note = "" if self.noted else (
            '<p class="mh-note mh-note--plain-text">The rest of this card is shown as plain text: it has more than '
            f"the {self.chars // 1024:,} KiB of Markdown a page renders. Move large outputs or data out of the "
            "card and link to them.</p>")
        self.noted = True
        rest = rest.strip("\n")
        plain = f'<pre class="mh-plain-text">{html.escape(cap_lines(rest))}</pre>' if rest.strip() else ""
        return markdown_html(head) + note + plain


# What can make inline Markdown more than words and `code`: emphasis, links, HTML, entities, escapes, markup.
# A run of two or more backticks opens a code span only where a run of the same length closes it: the parser decides.
_INLINE_SYNTAX = re.compile(r"[*<>&\\~{}]|``|!\[|\]\(|\]\[|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_CODE_SPAN = re.compile(r"`([^`]+)`")


@text_memo(entries=8192, longest=2_000)
def inline_html(text: str) -> str:
    """Sanitised HTML for one line of Markdown (a table cell, a finding's message), without the ``<p>``.

    Most such lines are words and `code` only: those are escaped directly, without a parser or sanitiser run
    (a page has dozens of them, and at ten thousand pages that is most of the rendering time). A line longer than
    ``MAX_LINE_CHARS`` is cut as in ``markdown_html``: a 200,000 character table cell of link openers took seconds.
    """
    text = cap_lines(text)
    if not _INLINE_SYNTAX.search(text):
        pieces, cursor = [], 0
        for match in _CODE_SPAN.finditer(text):
            pieces.append(html.escape(text[cursor:match.start()]))
            code = match.group(1)
            if code[0] == code[-1] == " " and code.strip(" "):  # CommonMark drops one padding space each side
                code = code[1:-1]
            pieces.append(f"<code>{html.escape(code)}</code>")
            cursor = match.end()
        pieces.append(html.escape(text[cursor:]))
        return "".join(pieces)
    rendered = _MD.renderInline(translate(text))
    return clean_html(rendered)
