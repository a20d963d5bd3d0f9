"""Catalog-wide rules: what no single card can know, such as two cards claiming the same model."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from .. import vocab
from ..card import Card
from .consistency import artifact_parts
from .registry import Finding, rule
from .util import key_line, plain


@dataclass(frozen=True)
class Identity:
    """What makes a card's model unique in a catalog, and where the card says it."""

    path: str
    line: int
    key: tuple[str, str, str] | None  # (name, language, library version)
    artifact: str | None  # the download URL, normalised

    def describe(self) -> str:
        if self.key is None:
            return ""
        name, language, version = self.key
        return f"{name} ({language or 'no language'}" + (f", {version})" if version else ")")


def identity_of(card: Card) -> Identity:
    name = card.name
    language = card.front_matter.get("language")
    language = "" if isinstance(language, bool) or language is None else str(
        language[0] if isinstance(language, list) and language else language).strip()
    language = language or (card.language or "")
    version = vocab.edition_version(card.edition) if card.edition else None
    parts = artifact_parts(card.download_url)
    if version is None and parts:
        version = parts["lib"]
    if version is None and card.info is not None and card.info.row("compatibility") is not None:
        version = vocab.edition_version(plain(card.info.row("compatibility").value))
    key = (name.strip().lower(), language.lower(), version or "") if name else None
    url = card.download_url.strip() if card.download_url and "://" in card.download_url else None
    return Identity(card.path, key_line(card, "name"), key, url)


class Group(list):
    """The identities sharing one key, sorted by path. What every member asks of its group about another group (the
    paths of its cards outside that group) is worked out once for the group, not once per member: a catalog that
    ships one model in hundreds of cards asks it hundreds of times."""

    __slots__ = ("_outside",)

    def __init__(self, identities: Iterable[Identity]) -> None:
        super().__init__(identities)
        self._outside: dict[int, list[str]] = {}

    def outside(self, other: Group) -> list[str]:
        """The paths of this group's cards that are not in ``other``, in order."""
        found = self._outside.get(id(other))
        if found is None:
            inside = {i.path for i in other}
            found = self._outside[id(other)] = [i.path for i in self if i.path not in inside]
        return found


def identity_index(identities: Iterable[Identity]) -> dict[str, Group]:
    """'key:...' and 'url:...' -> the identities sharing it, by path (only groups of two or more are kept)."""
    groups: dict[str, list[Identity]] = {}
    for identity in identities:
        if identity.key is not None:
            groups.setdefault("key:" + "|".join(identity.key), []).append(identity)
        if identity.artifact:
            groups.setdefault("url:" + identity.artifact, []).append(identity)
    return {k: Group(sorted(v, key=_path)) for k, v in groups.items() if len({i.path for i in v}) > 1}


def _index(context) -> dict[str, list[Identity]]:
    cached = context.cache.get("identities")
    if cached is None:
        cached = identity_index(identity_of(card) for card in context.catalog)
        context.cache["identities"] = cached
    return cached


@rule("MH117", "duplicate-model", "front matter", "error",
      "another card in the catalog describes the same model (name, language and version, or download file)",
      "merge the cards, or give each its own name/version and artifact", needs=("catalog",))
def duplicate_model(card: Card, context) -> Iterator[Finding]:
    yield from duplicate_findings(identity_of(card), _index(context), duplicate_model.rule)


def duplicate_findings(identity: Identity, index: dict[str, Group], rule_) -> Iterator[Finding]:
    """MH117's findings for one card: one per key it shares with other cards (the model, the download file), each
    naming the first three others by path; a card already named under the first key is not named again."""
    reported: Group | None = None  # the group of the first key that named other cards
    keys = []
    if identity.key is not None:
        keys.append(("key:" + "|".join(identity.key), f"model {identity.describe()}"))
    if identity.artifact:
        keys.append(("url:" + identity.artifact, "download file"))
    for key, what in keys:
        group = index.get(key)
        if not group:
            continue
        if reported is not None:
            others = [path for path in group.outside(reported) if path != identity.path]
            count = len(others)
        else:  # the usual case: no copy of the group (a replicated catalog shares one URL among hundreds of cards)
            own = bisect_right(group, identity.path, key=_path) - bisect_left(group, identity.path, key=_path)
            count = len(group) - own
            others = list(islice((i.path for i in group if i.path != identity.path), 3))
        if not count:
            continue
        if len(keys) > 1 and reported is None:  # a later key skips the cards named under this one
            reported = group
        listed = ", ".join(others[:3]) + (" ..." if count > 3 else "")  # the group is sorted by path
        yield rule_.finding(identity.path, identity.line, f"the same {what} is also described by {listed}")


def _path(identity: Identity) -> str:
    return identity.path
