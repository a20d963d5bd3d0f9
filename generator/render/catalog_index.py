"""The catalog's search index: small files the browser loads on demand, so ten thousand cards stay light.

Layout (all JSON, under ``catalog-index/``):

- ``meta.json``     counts, facet vocabularies (key, display name, count), date vocabulary, the term shards that exist,
  ``url``: the ``[folder, ending]`` most records' URLs share
- ``columns.json``  one array per facet (and dates): the value ids of every record, record ids in name order
- ``list.json``     ``{"u": [...], "n": [...]}``: the URL of every record (``short_urls``: without the shared folder
  and ending) and its name, so any page of results renders at once, whatever its order (one array per field
  compresses better than one pair per record)
- ``docs/<n>.json`` ``[title, summary]`` of records ``n*CHUNK`` .. ``(n+1)*CHUNK-1``, filled in after the list
- ``terms/<key>.json`` the terms starting with the two characters ``key`` and their postings, split into strong
  fields (name, title, tags, predicted entities) and weak ones (description), delta-encoded

The first load is ``meta`` + ``columns`` + ``list``; a query loads one term shard per word it types, and the titles
and summaries of the page of results it shows come from the docs chunks they are in. No file
holds page text, and every string is shown with ``textContent`` by the client, never as HTML.
"""

from __future__ import annotations

import hashlib
import json
import re
from array import array
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .facets import FACETS

CHUNK = 100
MAX_WEAK_TOKENS = 400
MIN_TERM, MAX_TERM = 2, 40
REINDEX_AT_MOST = 64  # cards (or a hundredth of the catalog) an index update re-indexes; more are indexed afresh
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was were which with".split()
)


def tokens(text: str) -> list[str]:
    """Lower-case word tokens of ``text``; the client splits queries the same way (``[\\p{L}\\p{N}]+``)."""
    return [t for t in _WORD.findall((text or "").lower()) if MIN_TERM <= len(t) <= MAX_TERM]


def name_tokens(text: str) -> list[str]:
    """Tokens of an identifier, with its camel-case parts too: ``AlbertForSequenceClassification`` gives
    ``albertforsequenceclassification``, ``albert``, ``for``, ``sequence``, ``classification``."""
    found = tokens(text)
    for word in _WORD.findall(text or ""):
        parts = _CAMEL.findall(word)
        if len(parts) > 1:
            found.extend(p.lower() for p in parts if MIN_TERM <= len(p) <= MAX_TERM)
    return found


def shard_key(term: str) -> str:
    """The file a term lives in: its first two characters, spelled safely for a file name."""
    return "".join(c if ("a" <= c <= "z" or "0" <= c <= "9") else f"_{ord(c):x}" for c in term[:2])


Terms = tuple[str, str]  # strong and weak terms, each space-separated, once each, in first-seen order


@dataclass
class Entry:
    """What the index needs of one card: display fields, facet values, and its terms in two weights."""

    url: str
    name: str
    title: str
    summary: str
    date: str | None
    facets: dict[str, list[tuple[str, str]]]
    terms: Terms = ("", "")  # ``card_terms`` of the card: its strong and weak terms (``entry_terms``)


def card_terms(record: dict[str, Any], name: str, description: str) -> Terms:
    """The terms of a card's own text, strong (name, title, tags, labels) and weak (description): what the index
    needs of a card besides its facets, computed once where the card is read. Only which terms a card has counts
    for the index, so each is kept once, in one string (a build cache of many cards keeps and loads them fast)."""
    strong = name_tokens(name) + tokens(record.get("title") or "")
    for tag in record.get("tags") or []:
        strong += name_tokens(str(tag))
    for label in record.get("labels") or []:
        strong += name_tokens(str(label))
    weak = tokens(description)[:MAX_WEAK_TOKENS]
    return " ".join(dict.fromkeys(strong)), " ".join(dict.fromkeys(weak))


@lru_cache(maxsize=4096)
def _display_terms(display: str) -> frozenset[str]:
    """The terms of a facet value's display name (a few hundred distinct ones in a whole catalog)."""
    return frozenset(name_tokens(display))


def entry_for(record: dict[str, Any], *, url: str, name: str, summary: str,
              facets: dict[str, list[tuple[str, str]]], terms: Terms | None = None, description: str = "") -> Entry:
    """``terms``: ``card_terms`` of the record when already known; else they are made from it and ``description``."""
    return Entry(url, as_text(name), as_text(record.get("title") or name), as_text(summary), record.get("date"), facets,
                 terms if terms is not None else card_terms(record, name, description))


def entry_terms(entry: Entry) -> tuple[set[str], set[str]]:
    """The terms an entry is found by, strong and weak (its facet values' names are weak terms), stopwords left out:
    made only for the entries whose postings are built."""
    strong, weak = entry.terms
    weak_terms = set(weak.split())
    for values in entry.facets.values():
        for _key, display in values:
            weak_terms |= _display_terms(display)
    return set(strong.split()) - STOPWORDS, weak_terms - STOPWORDS


def _ids() -> array:
    return array("i")


_NO_IDS = _ids()


def _deltas(ids: Sequence[int]) -> list[int]:
    """``[3, 5, 9]`` -> ``[3, 2, 4]``: each id as the step from the one before (the first from 0)."""
    return [value - previous for previous, value in zip([0, *ids], ids)]


def _dump(data: Any) -> bytes:
    """Compact JSON; ``<``, ``>`` and ``&`` escaped too, so no index file can ever read as markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")


_TAG = re.compile(r"<[^>]*>")


def as_text(value: str | None) -> str:
    """A display field reduced to text: card HTML in a title or name is removed, not carried into the index."""
    return " ".join(_TAG.sub(" ", value or "").split())


def short_urls(urls: list[str]) -> tuple[str, str, list[str]]:
    """The folder and the ending most URLs share (``models/`` and ``/``), written once in ``meta.json``, and each
    URL without them. A URL elsewhere (a Keras API page's family page) stays whole; a whole URL has a ``/`` and a
    short one never does, which is how the client tells them apart."""
    ends = Counter(next((end for end in ("/", ".html") if url.endswith(end)), "") for url in urls)
    suffix = ends.most_common(1)[0][0] if urls else ""
    stems = [url[:len(url) - len(suffix)] if url.endswith(suffix) else None for url in urls]
    folders = Counter(stem[:stem.rfind("/") + 1] for stem in stems if stem is not None)
    prefix = folders.most_common(1)[0][0] if folders else ""
    short = []
    for url, stem in zip(urls, stems):
        middle = stem[len(prefix):] if stem is not None and stem.startswith(prefix) else ""
        short.append(middle if middle and "/" not in middle else url if "/" in url else "./" + url)
    return prefix, suffix, short


def build_index(entries: list[Entry], facet_names: dict[str, dict[str, str]] | None = None) -> dict[str, bytes]:
    """The index files (relative path -> bytes) for ``entries``, which must already be in display order.

    ``facet_names`` overrides display names per facet (``{"family": {"albert": "ALBERT"}}``).
    """
    return index_and_postings(entries, facet_names)[0]


class LazyEntries(Sequence[Entry]):
    """``count`` entries, each made by ``make(index)`` when it is first asked for: given to ``index_and_postings``,
    an update makes the entries of the changed cards only."""

    def __init__(self, count: int, make: Callable[[int], Entry]) -> None:
        self._count, self._make = count, make
        self._made: dict[int, Entry] = {}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not 0 <= index < self._count:
            raise IndexError(index)
        entry = self._made.get(index)
        if entry is None:
            entry = self._made[index] = self._make(index)
        return entry


@dataclass
class Shown:
    """What the index's files besides the term shards were made from, kept with the postings: an update in which no
    changed card's facets or date changed takes the facet columns and vocabularies as they are and dumps the changed
    cards' list and docs files only."""

    facet_names: dict[str, dict[str, str]]
    facets: list[bytes]  # per card: a digest of its facet values and date (``_facet_text``)
    names: list[str]  # per card, as list.json has them
    short: list[str]  # per card: its short URL, as list.json has them
    docs: list[list[str]]  # per card: [title unless it is the name, summary], as its docs file has them
    files: dict[str, bytes]  # columns.json, list.json, docs/<n>.json
    meta: dict[str, Any]  # url, facets, dates: the parts of meta.json they decide


def _facet_text(entry: Entry) -> bytes:
    """A digest of what the facet columns and vocabularies read of an entry: its facet values and date."""
    return hashlib.blake2b(repr((entry.facets, entry.date)).encode("utf-8", "surrogateescape"), digest_size=16
                           ).digest()


def _doc(entry: Entry) -> list[str]:
    return [entry.title if entry.title != entry.name else "", entry.summary]


def index_and_postings(entries: Sequence[Entry], facet_names: dict[str, dict[str, str]] | None = None, *,
                       keys: list[str] | None = None, previous: Postings | None = None,
                       ) -> tuple[dict[str, bytes], Postings]:
    """``build_index``, and its ``Postings`` for the next index. ``keys``: per entry, a key of what it was made
    from (the same key, the same entry); with the ``previous`` postings (which this takes over) of the same URLs in
    the same order, only the entries whose key changed have their terms made again, and only the term shards they
    touch are dumped again; when none of them changed its facets or date, only they are read at all (``entries``
    may be ``LazyEntries``). The files are the same as ``build_index``'s either way."""
    facet_names = facet_names or {}
    changed = previous.reusable(keys, entries) if previous is not None else None
    shown = previous.shown if changed is not None and previous is not None else None
    if shown is not None and shown.facet_names == facet_names and \
            all(_facet_text(entries[doc]) == shown.facets[doc] for doc in changed):
        assert previous is not None and keys is not None
        return _updated_index(previous, shown, entries, keys, changed)
    entries = [entries[i] for i in range(len(entries))]
    files: dict[str, bytes] = {}
    # facet vocabularies, most frequent first
    columns: dict[str, list[Any]] = {}
    facets_meta = []
    facet_dicts = [entry.facets for entry in entries]
    for facet in FACETS:  # a few list comprehensions per facet: this runs over every card on every build
        given = facet_names.get(facet.id, {})
        values = [facets.get(facet.id, ()) for facets in facet_dicts]
        counts = Counter([key for pairs in values for key, _ in pairs])
        names: dict[str, str] = {}  # each value's display name as its first card has it
        for pairs in values:
            for key, display in pairs:
                if key not in names:
                    names[key] = given.get(key, display)
        ordered = sorted(counts, key=lambda k: (-counts[k], names[k].lower()))
        position = {key: i for i, key in enumerate(ordered)}
        columns[facet.id] = [-1 if not pairs else position[pairs[0][0]] if len(pairs) == 1 else
                             [position[key] for key, _ in pairs] for pairs in values]
        facets_meta.append({"id": facet.id, "label": facet.label,
                            "values": [[key, names[key], counts[key]] for key in ordered]})
    dates = sorted({entry.date for entry in entries if entry.date})
    date_position = {date: i for i, date in enumerate(dates)}
    columns["date"] = [date_position.get(entry.date, -1) if entry.date else -1 for entry in entries]
    files["columns.json"] = _dump(columns)

    prefix, suffix, urls = short_urls([e.url for e in entries])
    card_names = [e.name for e in entries]
    files["list.json"] = _dump({"u": urls, "n": card_names})
    docs = [_doc(entry) for entry in entries]
    for start in range(0, len(entries), CHUNK):
        files[f"docs/{start // CHUNK}.json"] = _dump(docs[start:start + CHUNK])

    postings = Postings.update(previous, entries, keys) if previous is not None and keys is not None else None
    if postings is None:
        postings = Postings.build(entries, keys)
    meta = {"url": [prefix, suffix], "facets": facets_meta, "dates": dates}
    postings.shown = Shown(facet_names, [_facet_text(entry) for entry in entries], card_names, urls, docs,
                           dict(files), meta) if keys is not None else None  # no keys: nothing to update next time
    return _with_terms_and_meta(files, postings, len(entries), meta), postings


def _updated_index(previous: Postings, shown: Shown, entries: Sequence[Entry], keys: list[str], changed: list[int],
                   ) -> tuple[dict[str, bytes], Postings]:
    """``index_and_postings`` when no changed card changed its facets or date: the columns and vocabularies stay,
    list.json is dumped again only when a changed card's name changed, and only the docs files of changed cards."""
    files = shown.files
    renamed = False
    for doc in changed:
        entry = entries[doc]
        renamed = renamed or entry.name != shown.names[doc]
        shown.names[doc] = entry.name
        shown.docs[doc] = _doc(entry)
    if renamed:  # the same URLs in the same places (``reusable``): the short ones stay
        files["list.json"] = _dump({"u": shown.short, "n": shown.names})
    for chunk in sorted({doc // CHUNK for doc in changed}):
        files[f"docs/{chunk}.json"] = _dump(shown.docs[chunk * CHUNK:(chunk + 1) * CHUNK])
    postings = Postings.update(previous, entries, keys)
    assert postings is not None  # ``reusable`` said so
    return _with_terms_and_meta(dict(files), postings, len(entries), shown.meta), postings


def _with_terms_and_meta(files: dict[str, bytes], postings: Postings, count: int, meta: dict[str, Any],
                         ) -> dict[str, bytes]:
    """``files`` with the term shards of ``postings`` and meta.json (its version: a digest of every other file)."""
    files.update((f"terms/{key}.json", data) for key, data in sorted(postings.shards.items()))
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode())
        digest.update(files[path])
    files["meta.json"] = _dump({
        "version": digest.hexdigest()[:16],
        "count": count,
        "chunk": CHUNK,
        "url": meta["url"],
        "facets": meta["facets"],
        "dates": meta["dates"],
        "shards": sorted(postings.shards),
        "min_term": MIN_TERM,
        "stopwords": sorted(STOPWORDS),
    })
    return files


@dataclass
class Postings:
    """The term postings of an index with what they were made from, kept from one build to the next: an edit that
    leaves every card in its place makes the edited cards' terms again and dumps the shards they are in, instead of
    every card's terms and every shard. Each card is a document id: its place in display order."""

    keys: list[str] | None  # per card, the key of what its entry was made from (None: unknown, nothing to reuse)
    urls: list[str]  # per card: the same URLs in the same order are the same places
    terms: list[tuple[str, str]]  # per card: its strong and weak terms as indexed (``entry_terms``), space-separated
    strong: dict[str, array]  # term -> ascending document ids (``array('i')``: 4 bytes an id, not a 36-byte int
    weak: dict[str, array]  # in a list: a catalog of 50,000 cards has about two million postings)
    shard_terms: dict[str, list[str]]  # shard key -> its terms, sorted
    shards: dict[str, bytes]  # shard key -> its file
    shown: Shown | None = None  # what the other files were made from (``index_and_postings`` sets it)

    @classmethod
    def build(cls, entries: list[Entry], keys: list[str] | None = None) -> Postings:
        strong: dict[str, array] = defaultdict(_ids)
        weak: dict[str, array] = defaultdict(_ids)
        terms = []
        for doc, entry in enumerate(entries):
            found_strong, found_weak = entry_terms(entry)
            for term in found_strong:
                strong[term].append(doc)
            for term in found_weak:
                weak[term].append(doc)
            terms.append((" ".join(found_strong), " ".join(found_weak)))
        shard_terms: dict[str, list[str]] = defaultdict(list)
        for term in sorted(strong.keys() | weak.keys()):
            shard_terms[shard_key(term)].append(term)
        postings = cls(None if keys is None else list(keys), [e.url for e in entries], terms, dict(strong), dict(weak),
                       dict(shard_terms), {})
        postings.shards = {key: postings.dump(key) for key in shard_terms}
        return postings

    def reusable(self, keys: list[str] | None, entries: Sequence[Entry]) -> list[int] | None:
        """The cards (document ids) whose key changed, when ``update`` can bring these postings up to date for
        ``entries`` with ``keys``: every card in its place (a card whose key is the same has the same URL; a changed
        card's URL is looked at) and few keys changed. None when it cannot: added, removed, renamed or moved cards
        change ids; new settings or code change every key, and making the postings afresh is cheaper."""
        if keys is None or self.keys is None or len(self.keys) != len(keys) or len(entries) != len(keys):
            return None
        changed = [doc for doc, (key, before) in enumerate(zip(keys, self.keys)) if key != before]
        if len(changed) > max(REINDEX_AT_MOST, len(keys) // 100) or \
                any(entries[doc].url != self.urls[doc] for doc in changed):
            return None
        return changed

    @classmethod
    def update(cls, previous: Postings, entries: Sequence[Entry], keys: list[str]) -> Postings | None:
        """``previous`` brought up to date with the entries whose key changed (in place), reading those entries only;
        None when it cannot be (``reusable``)."""
        changed = previous.reusable(keys, entries)
        if changed is None:
            return None
        touched: set[str] = set()
        for doc in changed:
            old_strong, old_weak = (set(text.split()) for text in previous.terms[doc])
            new_strong, new_weak = entry_terms(entries[doc])
            for postings, old, new in ((previous.strong, old_strong, new_strong), (previous.weak, old_weak, new_weak)):
                for term in old - new:
                    ids = postings[term]
                    del ids[bisect_left(ids, doc)]
                    if not ids:
                        del postings[term]
                    touched.add(term)
                for term in new - old:
                    insort(postings.setdefault(term, _ids()), doc)
                    touched.add(term)
            previous.terms[doc] = (" ".join(new_strong), " ".join(new_weak))
        for term in touched:
            key = shard_key(term)
            listed = previous.shard_terms.setdefault(key, [])
            place = bisect_left(listed, term)
            present = place < len(listed) and listed[place] == term
            if term in previous.strong or term in previous.weak:
                if not present:
                    listed.insert(place, term)
            elif present:
                del listed[place]
        for key in {shard_key(term) for term in touched}:
            if previous.shard_terms[key]:
                previous.shards[key] = previous.dump(key)
            else:
                del previous.shard_terms[key]
                previous.shards.pop(key, None)
        previous.keys = list(keys)  # a copy: the caller may change its list
        return previous

    def dump(self, key: str) -> bytes:
        """The file of one term shard: its terms, and for each the strong postings and the weak ones not strong,
        delta-encoded."""
        shard: dict[str, list] = {"t": [], "s": [], "w": []}
        for term in self.shard_terms[key]:
            strong, weak = self.strong.get(term, _NO_IDS), self.weak.get(term, _NO_IDS)
            if strong and weak:
                in_strong = set(strong)
                weak = [d for d in weak if d not in in_strong]
            shard["t"].append(term)
            shard["s"].append(_deltas(strong))
            shard["w"].append(_deltas(weak))
        return _dump(shard)
