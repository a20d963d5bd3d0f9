"""Translate the site-generator markup cards carry (kramdown, Liquid, Hugo shortcodes, JSL HTML) into CommonMark.

JSL cards were written for Jekyll: kramdown attribute lists (``{:.btn-box}``, ``{:.h2_title}``), Liquid includes
that pulled in the language switcher, ``<div class="tabs-box" markdown="1">`` wrappers and disabled ``<button>``s.
Keras pages were written for Hugo (``{{< keras/source link=... >}}``, ``{{< relref ... >}}``). The model page builds
its own button box and content tabs from the parsed card, so this module only removes or rewrites the markup and
keeps every word of prose. Pure text in, text out.
"""

from __future__ import annotations

import re

from .memo import text_memo

# Each pattern that spans text ends with an alternative that consumes what could never close, so an opener without
# its closer is scanned once, not once per opener (ten thousand ``{%`` with no ``%}`` were quadratic): the callers
# keep such a match as it was written (``_drop``).
_LIQUID_TAG = re.compile(r"\{%(?:-?.*?-?%\}|(.*))", re.S)
_LIQUID_OUTPUT = re.compile(r"\{\{(?![<%])(?:.*?\}\}|(.*))", re.S)
_IAL_LINE = re.compile(r"^[ \t]*+\{:[^}\n]*+\}[ \t]*+$", re.M)
_IAL_INLINE = re.compile(r"\{:[^}\n]*+(?:\}|([^}]?))")  # unclosed: kept, with the rest of its line
_BUTTON = re.compile(r"<button\b(?:[^>]*+>.*?</button>|([^>]*+>.*|[^>]*+))", re.S | re.I)
_DIV_LINE = re.compile(r"^[ \t]*+</?div\b[^>\n]*+>[ \t]*+$", re.M | re.I)
_SHORTCODE_RELREF = re.compile(r"\{\{<\s*+relref\s++\"([^\"]*+)\"\s*+>\}\}")
_SHORTCODE_SOURCE = re.compile(r"\{\{<\s*+[\w/]*source\s++link=\"([^\"]++)\"\s*+>\}\}")
_SHORTCODE_ANY = re.compile(r"\{\{[<%](?:.*?[>%]\}\}|(.*))", re.S)
_BLANKS = re.compile(r"\n{3,}")


def _drop(match: re.Match) -> str:
    """Remove a match, or keep it when it is an opener that never closes (its last group)."""
    return match.group(0) if match.group(match.re.groups) is not None else ""


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


_SEPARATOR_ROW = re.compile(r"^\s*+\|?\s*+:?-{2,}+:?\s*+(?:\|\s*+:?-{2,}+:?\s*+)++\|?\s*+$")


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
    text = _SHORTCODE_ANY.sub(_drop, text)
    text = _LIQUID_TAG.sub(_drop, text)
    text = _LIQUID_OUTPUT.sub(_drop, text)
    text = _IAL_LINE.sub("", text)
    text = _IAL_INLINE.sub(_drop, text)
    text = _BUTTON.sub(_drop, text)
    text = _DIV_LINE.sub("", text)
    text = add_missing_table_headers(text)
    return _BLANKS.sub("\n\n", text).strip("\n")


@text_memo(entries=2048, longest=20_000)
def plain_text(text: str) -> str:
    """Markdown reduced to words, for summaries and the search index (no markup, links become their text)."""
    text = translate(text)
    text = _PLAIN_FENCE.sub(" ", text)
    text = _PLAIN_IMAGE.sub(_link_text, text)
    text = _PLAIN_LINK.sub(_link_text, text)
    text = _PLAIN_TAG.sub(lambda m: " " if m.group(1) else m.group(0), text)
    text = _PLAIN_EMPHASIS.sub(_emphasis, text)
    text = re.sub(r"[#>|]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# ``[text](url)`` whose text runs to the first `]` and url to the first `)`: when one is missing, the opener and
# everything up to where it failed is consumed as written, since every later opener before that point fails too.
_PLAIN_FENCE = re.compile(r"```.*?(```|$)", re.S)
_PLAIN_IMAGE = re.compile(r"!\[([^\]]*+)(?:\](?:\(([^)]*+)(\))?)?)?")
_PLAIN_LINK = re.compile(r"\[([^\]]*+)(?:\](?:\(([^)]*+)(\))?)?)?")
_PLAIN_TAG = re.compile(r"<(?:([^>]++)>|[^>]*+)")


# Backticks and stars go; a run of underscores goes unless it joins two word characters (snake_case stays), as
# ``(?<!\w)_+|_+(?!\w)`` decided by retrying every suffix of the run (quadratic in a line of underscores).
_PLAIN_EMPHASIS = re.compile(r"[`*]++|_++")
_WORD = re.compile(r"\w")


def _emphasis(match: re.Match) -> str:
    if match.group()[0] != "_":
        return ""
    text, start, end = match.string, match.start(), match.end()
    joins = start > 0 and end < len(text) and _WORD.match(text[start - 1]) and _WORD.match(text[end])
    return match.group() if joins else ""


def _link_text(match: re.Match) -> str:
    return match.group(1) if match.group(3) else match.group(0)
