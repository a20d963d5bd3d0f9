"""Translate the site-generator markup cards carry (kramdown, Liquid, Hugo shortcodes, JSL HTML) into CommonMark.

JSL cards were written for Jekyll: kramdown attribute lists (``{:.btn-box}``, ``{:.h2_title}``), Liquid includes
that pulled in the language switcher, ``<div class="tabs-box" markdown="1">`` wrappers and disabled ``<button>``s.
Keras pages were written for Hugo (``{{< keras/source link=... >}}``, ``{{< relref ... >}}``). The model page builds
its own button box and content tabs from the parsed card, so this module only removes or rewrites the markup and
keeps every word of prose. Pure text in, text out.
"""

from __future__ import annotations

import re

_LIQUID_TAG = re.compile(r"\{%-?.*?-?%\}", re.S)
_LIQUID_OUTPUT = re.compile(r"\{\{(?![<%]).*?\}\}", re.S)
_IAL_LINE = re.compile(r"^[ \t]*\{:[^}\n]*\}[ \t]*$", re.M)
_IAL_INLINE = re.compile(r"\{:[^}\n]*\}")
_BUTTON = re.compile(r"<button\b[^>]*>.*?</button>", re.S | re.I)
_DIV_LINE = re.compile(r"^[ \t]*</?div\b[^>\n]*>[ \t]*$", re.M | re.I)
_SHORTCODE_RELREF = re.compile(r"\{\{<\s*relref\s+\"([^\"]*)\"\s*>\}\}")
_SHORTCODE_SOURCE = re.compile(r"\{\{<\s*[\w/]*source\s+link=\"([^\"]+)\"\s*>\}\}")
_SHORTCODE_ANY = re.compile(r"\{\{[<%].*?[>%]\}\}", re.S)
_BLANKS = re.compile(r"\n{3,}")

KERAS_DOCS = "https://keras.io"


def drop_button_boxes(text: str) -> str:
    """Remove each ``{:.btn-box}`` paragraph: the page draws its own Download / Copy URI / demo buttons."""
    lines = text.split("\n")
    kept: list[str] = []
    skipping = False
    for line in lines:
        stripped = line.strip()
        if re.fullmatch(r"\{:\s*\.btn-box\s*\}", stripped):
            skipping = True
            continue
        if skipping:
            if stripped == "" or stripped.startswith("#"):
                skipping = False
            else:
                continue
        kept.append(line)
    return "\n".join(kept)


def relref_url(target: str) -> str:
    """A Hugo ``relref`` into the Keras docs, as the public keras.io address it is published at."""
    path, _, anchor = target.partition("#")
    if path.startswith("/docs/"):
        path = path[len("/docs"):]
    url = KERAS_DOCS + path.rstrip("/") + "/"
    return url + ("#" + anchor if anchor else "")


_SEPARATOR_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)+\|?\s*$")


def add_missing_table_headers(text: str) -> str:
    """kramdown accepts a table that starts with its ``|---|---|`` line; CommonMark needs a header row first,
    so an empty one is added (JSL's Model Information tables are written this way)."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        if _SEPARATOR_ROW.match(line) and not (out and out[-1].strip().startswith("|")):
            columns = line.strip().strip("|").count("|") + 1
            out.append("|" + " |" * columns)
        out.append(line)
    return "\n".join(out)


def translate(text: str) -> str:
    """CommonMark for ``text``: Jekyll/Hugo markup removed or rewritten, prose and code untouched in meaning."""
    text = drop_button_boxes(text)
    text = _SHORTCODE_RELREF.sub(lambda m: relref_url(m.group(1)), text)
    text = _SHORTCODE_SOURCE.sub(lambda m: f"[View source]({m.group(1)})", text)
    text = _SHORTCODE_ANY.sub("", text)
    text = _LIQUID_TAG.sub("", text)
    text = _LIQUID_OUTPUT.sub("", text)
    text = _IAL_LINE.sub("", text)
    text = _IAL_INLINE.sub("", text)
    text = _BUTTON.sub("", text)
    text = _DIV_LINE.sub("", text)
    text = add_missing_table_headers(text)
    return _BLANKS.sub("\n\n", text).strip("\n")


def plain_text(text: str) -> str:
    """Markdown reduced to words, for summaries and the search index (no markup, links become their text)."""
    text = translate(text)
    text = re.sub(r"```.*?(```|$)", " ", text, flags=re.S)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"[`*]+|(?<!\w)_+|_+(?!\w)", "", text)
    text = re.sub(r"[#>|]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()
