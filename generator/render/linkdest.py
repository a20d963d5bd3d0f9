"""Link destinations (``[text](destination ...)``) read in one regular-expression match instead of a character loop.

markdown-it-py reads a destination one character at a time in Python, and a ``(`` opens a nesting level, up to 32
before the destination is refused. Every ``[...](`` starts such a read, so in a run of unclosed openers
(``[a](b[a](b...``, ``![a](![a](...``) each one reads up to 32 of the following ones: 200 KB took 2 to 3 s to render. ``parse_link_destination`` gives the same answer for every input (``tests/render/test_linkdest.py`` compares
the two) with the reading done by ``re`` at C speed; ``use_fast_destinations`` puts it on one MarkdownIt instance.

The CommonMark rules it implements: ``<...>`` holds anything but a newline or another ``<`` up to the first ``>``
(a backslash escapes the next character); a bare destination runs to a space, a control character or a ``)`` that
closes nothing, with backslash escapes, balanced parentheses at most 32 deep, and at least one character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.helpers import parseLinkLabel as _parse_link_label

MAX_NESTING = 32  # markdown-it's limit on parentheses nested in a bare destination

_ANGLED = re.compile(r"<((?:[^\n<>\\]|\\[\s\S])*+)>")
# One character of a bare destination outside parentheses: not a space, control character, backslash or parenthesis;
# a backslash and the character after it (a space ends the destination instead); a backslash that ends the text.
_CHARACTER = r"(?:[^\x00-\x20\x7f\\()]|\\[^ ]|\\\Z)"


def _bare_pattern(depth: int) -> re.Pattern[str]:
    """Characters and balanced groups nested at most ``depth`` deep, possessively: a ``(`` left over is one that no
    ``)`` closes within the destination, or one nested deeper than ``depth``."""
    content = _CHARACTER
    for _ in range(depth):
        content = rf"(?:{_CHARACTER}|\((?:{content})*+\))"
    return re.compile(rf"(?:{content})*+")


_BARE = _bare_pattern(MAX_NESTING)
# Shortcuts past that match (it costs about 20 microseconds where it nests 32 deep): a destination without
# parentheses or backslashes, as most are, and one that opens more parentheses than allowed before closing any,
# as each of a run of unclosed ``[a](b`` does.
_PLAIN = re.compile(r"[^\x00-\x20\x7f\\()]++(?![\\(])")
_TOO_DEEP = re.compile(rf"(?:[^\x00-\x20\x7f\\()]*+\(){{{MAX_NESTING + 1}}}")


@dataclass(frozen=True, slots=True)
class Destination:
    """What the link rules read: ``ok``, the position after the destination and its unescaped text."""

    ok: bool
    pos: int = 0
    str: str = ""


_REFUSED = Destination(False)


def parse_link_destination(string: str, pos: int, maximum: int) -> Destination:
    """The destination starting at ``pos`` in ``string[:maximum]``, markdown-it's helper contract."""
    if pos < maximum and string[pos] == "<":
        angled = _ANGLED.match(string, pos, maximum)
        return Destination(True, angled.end(), unescapeAll(angled.group(1))) if angled else _REFUSED
    plain = _PLAIN.match(string, pos, maximum)
    if plain:
        return Destination(True, plain.end(), unescapeAll(plain.group()))
    if _TOO_DEEP.match(string, pos, maximum):
        return _REFUSED
    bare = _BARE.match(string, pos, maximum)
    end = bare.end() if bare else pos
    if end == pos or (end < maximum and string[end] == "("):  # empty, or a "(" never closed or nested too deep
        return _REFUSED
    return Destination(True, end, unescapeAll(string[pos:end]))


def parse_link_label(state, start: int, disable_nested: bool = False) -> int:  # noqa: ANN001 - StateInline
    """markdown-it's ``parseLinkLabel``, which steps over every token after the ``[`` looking for its ``]``: where no
    ``]`` follows in the text at all, it can only fail, so it fails at once (a line of unclosed ``[`` or ``![`` was
    quadratic: 128 KiB of them took 2.5-3 s)."""
    if state.src.find("]", start + 1, state.posMax) < 0:
        return -1
    return _parse_link_label(state, start, disable_nested)


def use_fast_destinations(md: MarkdownIt) -> MarkdownIt:
    """``md`` with its link, image and reference rules reading destinations with ``parse_link_destination`` and
    labels with ``parse_link_label``."""
    helpers = md.helpers
    md.helpers = SimpleNamespace(parseLinkLabel=parse_link_label, parseLinkTitle=helpers.parseLinkTitle,
                                 parseLinkDestination=parse_link_destination)
    return md
