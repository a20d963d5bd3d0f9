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


def clean_html(html: str) -> str:
    """``html`` with only allow-listed tags, attributes, classes and URL schemes left."""
    return nh3.clean(
        html,
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
