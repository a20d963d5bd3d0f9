"""Card content is untrusted: an allow-list of HTML and of link schemes, applied to everything taken from a card.

Rendered Markdown goes through ``clean_html`` (nh3, the Rust ammonia sanitiser): unknown tags and every attribute not
listed here are dropped, so ``<script>``, ``onerror=`` and ``style=`` never reach a page. URLs that the templates put
in ``href`` themselves (Download, sources) go through ``safe_url``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from pygments.token import STANDARD_TYPES

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "ol": {"start"},
}
# Pygments' short token classes (material colours them) and the wrapper of a highlighted block: nothing else.
_CLASSES = {
    "span": {name for name in STANDARD_TYPES.values() if name},
    "div": {"highlight"},
}
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")

# nh3's HTML parser looks down the whole stack of open elements for most start tags: 20,000 nested <div>s took 3 s,
# and a 2 MiB card could stall a build for minutes. Real cards nest a few dozen elements at most.
MAX_DEPTH = 64
_MARKUP = re.compile(r"<!--|<(/?)([A-Za-z][^\t\n\f\r />]*)")
# A whole start tag as the HTML tokenizer reads it (quotes only around a value, "/" inside an unquoted value), to tell
# whether it ends in "/>": in SVG and MathML that closes the element.
_SPACE = "\t\n\f\r "
_START_TAG = re.compile(rf"<[A-Za-z][^{_SPACE}/>]*+(?:[{_SPACE}]++|/(?!>)|[^{_SPACE}/>][^{_SPACE}/>=]*+"
                        rf"(?:[{_SPACE}]*+=[{_SPACE}]*+(?:\"[^\"]*+\"|'[^']*+'|[^{_SPACE}>]*+))?+)*+(/?)>")
_COMMENT_END = re.compile(r"--!?>")
_VOID = frozenset({"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
                   "keygen", "link", "meta", "param", "source", "track", "wbr"})
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp"})  # their content is text up to the end tag
_FORMATTING = frozenset({"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt",
                         "u"})  # a parser re-opens these after a block closes over them: never closed implicitly
_SCOPE_EDGE = frozenset({"applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "ol",
                         "ul", "button", "select", "svg", "math", "foreignobject", "desc", "mi", "mo", "mn", "ms",
                         "mtext", "annotation-xml"}) | _FORMATTING
_CLOSES_BY_WALK = frozenset({"address", "article", "aside", "blockquote", "center", "details", "dialog", "dir",
                             "div", "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "li",
                             "listing", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "ul", "dd",
                             "dt", "h1", "h2", "h3", "h4", "h5", "h6"})
_SAME_CLOSES = {"li": {"li"}, "p": {"p"}, "dd": {"dd", "dt"}, "dt": {"dd", "dt"}, "td": {"td", "th"},
                "th": {"td", "th"}, "tr": {"tr", "td", "th"}, "option": {"option"}}
# An element with only text inside (most of a page: highlighted tokens, cells, items) leaves the stack as it found it
# or shallower, so dropping these first for a quick check can only make the page look deeper: checked in C, then the
# slow scan runs only on pages that might nest too deep.
_LEAF = re.compile(r"<([A-Za-z][^\t\n\f\r /<>]*+)[^<>]*+>[^<]*+</\1>")
_WALK = 16  # how far an end tag looks down the stack: constant, so the pass stays linear


def bound_nesting(html: str, limit: int = MAX_DEPTH) -> str:
    """``html`` with every start tag that would open an element deeper than ``limit`` escaped, so it shows as text.

    One linear scan keeps a stack of the elements a browser would have open. It errs on the deep side: an end tag
    closes only what a parser would surely close (the top element, or a block closing over plain inline elements), a
    void element opens nothing outside SVG and MathML, a tag ending in "/>" nothing inside them, and formatting
    elements (which parsers re-open after a block closes over them) are never closed implicitly. So a parser's real
    nesting stays within a small multiple of ``limit``; HTML that never goes that deep is returned unchanged.
    """
    if html.count("<") <= limit or not _too_deep(_LEAF.sub("", html), limit - 1):
        return html
    pieces, cursor = [], 0
    for start in _too_deep(html, limit):
        pieces += [html[cursor:start], "&lt;"]
        cursor = start + 1
    pieces.append(html[cursor:])
    return "".join(pieces)


def _self_closed(html: str, start: int) -> bool:
    """Whether the start tag at ``start`` ends in "/>"; a tag longer than 256 characters counts as open (reading
    each one to its end would make a run of unfinished tags quadratic)."""
    end = html.find(">", start, start + 256)
    if end < 0 or html[end - 1] != "/":
        return False
    tag = _START_TAG.match(html, start, end + 1)
    return tag is not None and tag.group(1) == "/"


def _too_deep(html: str, limit: int) -> list[int]:
    """Where the start tags of ``bound_nesting`` that open an element deeper than ``limit`` begin."""
    stack: list[str] = []
    foreign = 0  # svg and math elements on the stack: inside them a void name opens an element too
    escaped: list[int] = []
    position = 0
    while (match := _MARKUP.search(html, position)) is not None:
        position = match.end()
        if match.group() == "<!--":
            end = _COMMENT_END.search(html, match.start() + 2)
            position = len(html) if end is None else end.end()
            continue
        name = match.group(2).lower()
        if match.group(1):  # an end tag
            for depth in range(len(stack) - 1, max(len(stack) - 1 - _WALK, -1), -1):
                if stack[depth] == name:
                    foreign -= sum(entry in ("svg", "math") for entry in stack[depth:])
                    del stack[depth:]
                    break
                if name not in _CLOSES_BY_WALK or stack[depth] in _SCOPE_EDGE:
                    break
            continue
        if name in _VOID if not foreign else _self_closed(html, match.start()):
            continue
        if stack and stack[-1] in _SAME_CLOSES.get(name, ()):
            stack.pop()
            if name == "tr" and stack and stack[-1] == "tr":
                stack.pop()
        elif stack and stack[-1] == "p" and name in _CLOSES_BY_WALK:
            stack.pop()
        if len(stack) >= limit:
            escaped.append(match.start())
            continue
        stack.append(name)
        foreign += name in ("svg", "math")
        if not foreign and name in _RAW_TEXT:
            end = re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE).search(html, position)
            position = len(html) if end is None else end.start()
    return escaped


def clean_html(html: str) -> str:
    """``html`` with only allow-listed tags, attributes, classes and URL schemes left."""
    return nh3.clean(
        bound_nesting(html),
        tags=set(_TAGS),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in _CLASSES.items()},
        url_schemes=set(SAFE_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def url_scheme(url: str) -> str | None:
    """The scheme of ``url`` in lower case, ignoring the blanks and control characters browsers ignore too."""
    text = _CONTROL.sub("", url or "")
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", text)
    return match.group(1).lower() if match else None


def safe_url(url: str | None, *, allow_relative: bool = True) -> str | None:
    """``url`` when a browser may follow it from our pages (http, https, mailto, or a relative path), else None."""
    if not url:
        return None
    text = url.strip()
    if not text or _CONTROL.search(text.replace(" ", "")):
        return None
    scheme = url_scheme(text)
    if scheme is None:
        if not allow_relative or text.startswith("//") or text.startswith("\\"):
            return None
        return text
    if scheme not in SAFE_SCHEMES:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # an unbalanced `[` in the host: nothing a browser should be sent to
        return None
    if scheme in {"http", "https"} and not parts.netloc:
        return None
    return text


def is_relative(url: str | None) -> bool:
    """A path relative to the card (no scheme, not protocol-relative): the artifact ships with the catalog."""
    return bool(url) and url_scheme(url) is None and not url.strip().startswith(("//", "\\", "#"))
