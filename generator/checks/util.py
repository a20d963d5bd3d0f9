"""Small helpers the rule families share: where a key is, what a value means, what a misspelling was meant to be."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from functools import lru_cache
from collections.abc import Iterable
from typing import Any
from urllib.parse import SplitResult, urlsplit

from ..card import Card
from ..card.declared import plain
from ..card.model import parse_date

@lru_cache(maxsize=4096)
def _date_from_text(text: str) -> dt.date | None:
    return parse_date(text)


def card_date(card: Card) -> dt.date | None:
    """``card.date``, memoised on the written value (date parsing tries several formats and is slow)."""
    raw = card.front_matter.get("date")
    if raw is None or isinstance(raw, (dt.date, dt.datetime)):
        return card.date
    return _date_from_text(str(raw))


def key_line(card: Card, key: str) -> int:
    """The line of front-matter ``key``; the first front-matter line when the key is absent."""
    line = card.key_lines.get(key)
    if line:
        return line
    if card.front_matter_lines:
        return card.front_matter_lines[0]
    return 1


def split_url(url: str) -> SplitResult | None:
    """``urlsplit`` of a card's URL, or None for one it refuses (an unbalanced `[` in the host) instead of raising."""
    try:
        return urlsplit(url.strip())
    except ValueError:
        return None


def did_you_mean(value: str, choices: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The closest of ``choices`` to ``value`` (case-insensitive), or None when nothing is close."""
    choices = list(choices)
    folded = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(value.lower(), list(folded), n=1, cutoff=cutoff)
    return folded[match[0]] if match else None


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, (list, dict, tuple)) and not value)


def as_items(value: str | None) -> list[str]:
    """'[a, b]' / 'a, b' / '`a`, `b`' -> ['a', 'b']."""
    text = plain(value).strip("[]() ")
    return [part.strip(" `'\"*") for part in re.split(r"[,;]", text) if part.strip(" `'\"*")]


def as_bool(value: Any) -> bool | None:
    """true/false/yes/no/1/0 (and 1.0/0.0, seen in old tables) -> bool; anything else -> None."""
    if isinstance(value, bool):
        return value
    text = plain(str(value)).lower() if value is not None else ""
    if text in {"true", "yes", "1", "1.0"}:
        return True
    if text in {"false", "no", "0", "0.0"}:
        return False
    return None


def version_tuple(text: str | None) -> tuple[int, ...] | None:
    match = re.search(r"\d+(?:\.\d+)*", text or "")
    return tuple(int(p) for p in match.group(0).split(".")) if match else None


def same_version(a: str | None, b: str | None) -> bool:
    """Versions agree when the shorter is a prefix of the longer: '2.4' matches '2.4.2' (a table often gives only
    major.minor), '3.0' matches '3.0.0'; a missing version agrees with anything."""
    ta, tb = version_tuple(a), version_tuple(b)
    if ta is None or tb is None:
        return True
    ta, tb = _trim(ta), _trim(tb)
    width = min(len(ta), len(tb))
    return ta[:width] == tb[:width]


def _trim(version: tuple[int, ...]) -> tuple[int, ...]:
    """(3, 0, 0) -> (3,): trailing zeros add no precision."""
    while len(version) > 1 and version[-1] == 0:
        version = version[:-1]
    return version


_PIPELINE_CLASSES = {"pipelinemodel", "pretrainedpipeline", "pipeline"}


def is_pipeline(card: Card) -> bool:
    """A pretrained pipeline card: it is built on other models and names them (`..._pipeline`, a `pipeline` tag,
    a pipeline class, or examples that load it with PretrainedPipeline)."""
    if (card.name or "").endswith("_pipeline") or "pipeline" in {tag.lower() for tag in card.tags}:
        return True
    if (card.annotator or "").strip().lower() in _PIPELINE_CLASSES:
        return True
    return any("PretrainedPipeline(" in snippet.code for snippet in card.snippets)


def description_text(card: Card) -> tuple[str, int] | None:
    """The Description section's text and first line (or the native `description` key)."""
    section = card.section("description", "overview", "model description")
    if section is None:
        value = card.front_matter.get("description")
        if isinstance(value, str) and value.strip():
            return value, key_line(card, "description")
        return None
    start, end = section.body_span
    text = card.text[start:end]
    cut = text.find("{:.btn-box}")
    if cut >= 0:
        text = text[:cut]
    # keep line numbers: blank out link-button and markup lines instead of removing them
    lines = ["" if re.match(r"^\s*(\{[:%]|<|\[[^\]]*\]\()", ln) else ln for ln in text.split("\n")]
    return "\n".join(lines), section.line + 1
