"""The build cache: what an earlier build learnt about each card, keyed by content, so an unchanged card is neither
checked nor rendered again.

Under ``<cache_dir>/build/``:

- ``records/<process>-<time>-<n>.pack``: cards' summaries and full records (after stages and checks, with their JSON
  form), uncompressed pickles (zlib at its fastest level cost a third of a millisecond a card each way, against 2.3
  times the disk: about 18 KB a card), each under its content key (the card's bytes, its facts, runs and bench
  record, and the build's fingerprint: modelhub's code, settings, templates, mode). The record pass writes one pack
  per batch of cards (a file per card cost a quarter of a millisecond a card in making the file alone), ending with
  a table of where each record is and a marker; the page pass reads the records back. A pack goes when no current
  entry refers to any record in it.
- ``entries/<nn>.pickle``: per card path, the file stamps (size, mtime, inode of the card and its stored results)
  seen when its record was made, its content key and its summary. When the stamps and the environment (installed
  libraries, artifact cache, other files under the card folders, the fingerprint) are unchanged, the card is not
  even parsed: its summary is taken as it is. The entries are spread over ``ENTRY_SHARDS`` files by a hash of the
  card's path, and a build writes only the files whose entries changed: one edited card rewrites one file, not the
  whole catalog's entries.
- ``pages/<key>.pickle``: a family page's content, named by a hash of everything it shows (see
  ``incremental.SiteWork.family_page``).
- ``layout.pickle``: the catalog's order, slugs and families (``site.Layout``), named by a digest of every card's
  ``site.layout_digest`` and the fingerprint: an edit that changes no card's place takes them as they are.
- ``sites/<hash of site folder>.json``: the key of every model page in that site folder, so a page whose record,
  place in the catalog and page shell did not change is kept instead of written again (when no card's place
  changed, an unchanged record keeps its page key without the key being made again); ``.postings`` beside it: the
  catalog index's postings with the page keys they were made from (``catalog_index.Postings``), so an edited card
  re-indexes that card only; ``.models``: the entries of models.json by page key, so only an edited card's entry is
  made again.

The cache holds derived data only: deleting it costs one full build. Files are written atomically (see ``_write``);
an unreadable entry or pack is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO


FORMAT = 1
PACK_MAGIC = b"MHPACK1\0"  # ends every pack, before the offset of its table
SIDECARS = (".results.json", ".bench.json")  # stored results read by the frozen stages, beside each card
# Folders of the cache directory that hold what builds derive, not what they read: this cache
DERIVED = ("build",)


@dataclass
class Entry:
    stamp: tuple
    key: str
    summary: Any  # cardwork.CardSummary, as the record pass made it; None when ``final`` holds it (own_summary)
    catalog: str = ""  # digest of the catalog's identities that ``final`` and ``extra`` were made from
    final: Any = None  # the summary with the catalog-wide findings added (None: no such findings)
    extra: tuple = ()  # the catalog-wide findings (MH117)
    layout: bytes = b""  # the summary's ``site.layout_digest``: what its place in the catalog is made from
    counts: tuple = (0, 0, 0)  # the record's own findings (without ``extra``) by severity: error, warning, info


def file_stamp(path: str | Path) -> tuple:
    try:
        status = os.stat(path)
    except OSError:
        return ()
    return (status.st_size, status.st_mtime_ns, status.st_ino)


def card_stamp(path: str, listed: dict[str, set[str]] | None = None) -> tuple:
    """The card's file stamp and its stored results' (``<stem>.results.json``, ``<stem>.bench.json``). ``listed``:
    folder -> the names of its files, as just listed: stored results absent from a listed folder are not looked up
    (most cards have none, and a file that is not there costs a system call per card and name all the same)."""
    stem = os.path.splitext(path)[0]
    names = listed.get(os.path.dirname(path)) if listed is not None else None
    if names is None:
        return (file_stamp(path),) + tuple(file_stamp(stem + suffix) for suffix in SIDECARS)
    base = os.path.basename(stem)
    return (file_stamp(path),) + tuple(file_stamp(stem + suffix) if base + suffix in names else ()
                                       for suffix in SIDECARS)


def installed_distributions() -> list[str]:
    """Every installed distribution's folder name (``name-version.dist-info``) on ``sys.path``: library versions
    without reading a metadata file."""
    import sys

    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found.extend(name for name in names if name.endswith((".dist-info", ".egg-info")))
    return sorted(found)


def environment_stamp(card_roots: Iterable[Path], card_paths: set[str], cache_dir: Path,
                      listed: dict[str, set[str]] | None = None) -> str:
    """What the frozen stages read besides the card and its stored results: installed library versions, the
    artifact cache (without the ``DERIVED`` folders), and every other file under the card folders (shipped
    artifacts, evaluation sets). ``listed`` is given the names of the files of each card folder it walks."""
    digest = hashlib.sha256()
    digest.update("\n".join(installed_distributions()).encode())
    derived = {(cache_dir / name).resolve() for name in DERIVED}
    folders = [(cache_dir, derived)] + [(Path(root), set()) for root in card_roots]
    for folder, skip in folders:
        if not folder.is_dir():
            continue
        for base, dirs, files in os.walk(folder):
            if skip and Path(base).resolve() == cache_dir.resolve():
                dirs[:] = [d for d in dirs if (Path(base) / d).resolve() not in skip]
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") or folder == cache_dir)
            if listed is not None and not skip:
                listed[base] = set(files)
            for name in sorted(files):
                path = os.path.join(base, name)
                if path in card_paths or name.endswith(SIDECARS):
                    continue
                digest.update(path.encode("utf-8", "surrogateescape"))
                digest.update(repr(file_stamp(path)).encode())
    return digest.hexdigest()


@dataclass
class CardScan:
    """The card files of a build in order, each with its ``card_stamp``, and the ``environment_stamp``: taken once
    per build (the up-to-date check and the record pass both read them)."""

    roots: tuple[str, ...]  # the card files and folders scanned
    paths: list[str]
    stamps: dict[str, tuple]
    environment: str


def scan_cards(card_roots: list[Path], config: Any) -> CardScan:
    """The ``CardScan`` of the cards under ``card_roots`` (``config``: the catalog's ``Config``)."""
    from ..cards_on_disk import card_path_names

    paths = card_path_names(card_roots, **config.settings.cards.globs())
    listed: dict[str, set[str]] = {}
    environment = environment_stamp(card_roots, set(paths), config.cache_dir, listed)
    return CardScan(tuple(map(str, card_roots)), paths, {path: card_stamp(path, listed) for path in paths},
                    environment)


def _write(path: str | Path, data: bytes, made: set[str] | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so readers see the old file or the new one,
    never half of one; ``made``: folders known to exist. No fsync: this is a cache, and losing a file to a crash
    costs a rebuild of what it held, not data."""
    _write_with(path, lambda handle: handle.write(data), made)


def _dump(path: str | Path, value: Any) -> None:
    """``value`` pickled into ``path`` as ``_write`` writes, streamed: a catalog-wide value (the index's postings:
    about 55 MB pickled at 50,000 cards) is never held as bytes as well."""
    _write_with(path, lambda handle: pickle.dump(value, handle, pickle.HIGHEST_PROTOCOL))


def _write_with(path: str | Path, fill: Callable[[BinaryIO], Any], made: set[str] | None = None) -> None:
    folder, name = os.path.split(os.fspath(path))
    if made is None or folder not in made:
        os.makedirs(folder, exist_ok=True)
        if made is not None:
            made.add(folder)
    target = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        try:
            handle = open(target, "wb")
        except FileNotFoundError:  # the folder was removed since it was made (another build pruning the cache)
            os.makedirs(folder, exist_ok=True)
            handle = open(target, "wb")
        with handle:
            fill(handle)
        os.replace(target, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise


def _pack_table(path: str) -> dict[str, tuple[int, int, int]] | None:
    """The table of a pack (key -> offset, head size, body size), or None when it is not a whole pack."""
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size < len(PACK_MAGIC) + 8:
                return None
            handle.seek(size - len(PACK_MAGIC) - 8)
            tail = handle.read()
            start = int.from_bytes(tail[-8:], "little")
            if tail[:len(PACK_MAGIC)] != PACK_MAGIC or not 0 <= start <= size - len(tail):
                return None
            handle.seek(start)
            table = pickle.loads(handle.read(size - len(tail) - start))
    except Exception:  # noqa: BLE001 - unreadable or damaged
        return None
    if not isinstance(table, dict) or not all(isinstance(k, str) and isinstance(v, tuple) and len(v) == 3
                                              for k, v in table.items()):
        return None
    return table


class BuildCache:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.records = self.folder / "records"
        self._loaded: dict[str, dict[str, tuple]] = {}  # shard file -> signature, as load_entries read it
        self._made: set[str] = set()  # folders this process created or found
        self._where: dict[str, tuple[str, int, int, int]] = {}  # record key -> (pack, offset, head size, body size)
        self._packs: set[str] = set()  # the packs whose tables are in ``_where``
        self._listed: int | None = None  # mtime of the records folder when its packs were last looked for
        self._serial = itertools.count()

    # ---- records -------------------------------------------------------------------------------------------
    def store_records(self, items: Iterable[tuple[str, Any, Any]]) -> None:
        """Store ``(key, summary, record)`` triples in one new pack file (see the module's docstring): a build
        writes a pack per batch of cards, not a file per card."""
        parts: list[bytes] = []
        table: dict[str, tuple[int, int, int]] = {}
        offset = 0
        for key, summary, record in items:
            head = pickle.dumps(summary, pickle.HIGHEST_PROTOCOL)
            body = pickle.dumps(record, pickle.HIGHEST_PROTOCOL)
            table[key] = (offset, len(head), len(body))
            parts += (head, body)
            offset += len(head) + len(body)
        if not table:
            return
        parts += (pickle.dumps(table, pickle.HIGHEST_PROTOCOL), PACK_MAGIC, offset.to_bytes(8, "little"))
        path = os.path.join(self.records, f"{os.getpid()}-{time.time_ns()}-{next(self._serial)}.pack")
        _write(path, b"".join(parts), self._made)  # atomic: a reader finds a whole pack or none
        self._packs.add(path)
        for key, (start, head, body) in table.items():
            self._where[key] = (path, start, head, body)

    def _look_for_packs(self) -> None:
        """Read the tables of the packs written since the last look, by this process or another (a look costs one
        ``stat`` when the folder did not change)."""
        try:
            changed = os.stat(self.records).st_mtime_ns
            if changed == self._listed:
                return
            names = os.listdir(self.records)
        except OSError:
            return
        self._listed = changed
        for name in names:
            path = os.path.join(self.records, name)
            if not name.endswith(".pack") or path in self._packs:
                continue
            table = _pack_table(path)
            if table is None:  # damaged: its records are misses, made again
                continue
            self._packs.add(path)
            for key, place in table.items():
                self._where.setdefault(key, (path, *place))

    def _load(self, key: str, *, body: bool) -> Any:
        """The summary (the head) or the full record (the body) stored under ``key``; None when absent or damaged."""
        where = self._where.get(key)
        if where is None:
            self._look_for_packs()
            where = self._where.get(key)
            if where is None:
                return None
        path, start, head, size = where
        try:
            with open(path, "rb") as handle:
                handle.seek(start + head if body else start)
                return pickle.loads(handle.read(size if body else head))
        except Exception:  # noqa: BLE001 - a pack removed or damaged since it was read is a miss
            self._where.pop(key, None)
            return None

    def load_summary(self, key: str) -> Any:
        return self._load(key, body=False)

    def load_record(self, key: str) -> Any:
        return self._load(key, body=True)

    def has_record(self, key: str) -> bool:
        if key not in self._where:
            self._look_for_packs()
        return key in self._where

    def prune_records(self, keep: set[str]) -> int:
        """Delete the packs none of whose records a current entry refers to (a pack with one such record stays
        whole: at most one older version of each card is kept beside it); returns how many records went."""
        self._look_for_packs()
        live = {self._where[key][0] for key in keep if key in self._where}
        for path in sorted(self._packs - live):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            self._packs.discard(path)
        gone = [key for key, where in self._where.items() if where[0] not in self._packs]
        for key in gone:
            del self._where[key]
        with contextlib.suppress(OSError):  # one file per record, as builds before the packs stored them
            for entry in os.scandir(self.records):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
        return len(gone)

    # ---- pages the catalog renders (family pages) -------------------------------------------------------------
    def _page_path(self, key: str) -> Path:
        return self.folder / "pages" / f"{key}.pickle"

    def load_page(self, key: str) -> Any:
        try:
            return pickle.loads(self._page_path(key).read_bytes())
        except Exception:  # noqa: BLE001 - missing or damaged: render it again
            return None

    def store_page(self, key: str, page: Any) -> None:
        _dump(self._page_path(key), page)

    def load_family_keys(self) -> dict[str, str] | None:
        """The family page keys the last build used, by a digest of each family's members (``"places"``: the key of
        the catalog's places they were made with), or None."""
        try:
            data = pickle.loads((self.folder / "family-keys.pickle").read_bytes())
        except Exception:  # noqa: BLE001 - missing or damaged: the keys are made again
            return None
        return data.get("keys") if isinstance(data, dict) and data.get("format") == FORMAT else None

    def save_family_keys(self, keys: dict[str, str]) -> None:
        _dump(self.folder / "family-keys.pickle", {"format": FORMAT, "keys": keys})

    def prune_pages(self, keep: set[str]) -> None:
        """Delete the stored pages of families that changed or went away."""
        folder = self.folder / "pages"
        if folder.is_dir():
            for path in folder.glob("*.pickle"):
                if path.stem not in keep:
                    path.unlink(missing_ok=True)

    # ---- entries -------------------------------------------------------------------------------------------
    def load_entries(self, environment: str) -> dict[str, Entry]:
        """The entries of the last build, or none when it ran in another environment (a shard file that is
        missing, unusable or from another environment loses its cards' entries only)."""
        self._loaded = {}
        entries: dict[str, Entry] = {}
        folder = self.folder / "entries"
        try:
            names = [name for name in os.listdir(folder) if name.endswith(".pickle")]
        except OSError:
            return entries
        for name in names:
            try:
                data = pickle.loads((folder / name).read_bytes())
            except Exception:  # noqa: BLE001 - damaged or from another version: those cards start afresh
                continue
            if isinstance(data, dict) and data.get("format") == FORMAT and data.get("environment") == environment:
                shard = data.get("entries", {})
                entries.update(shard)
                self._loaded[name] = _signature(shard)
        return entries

    def save_entries(self, environment: str, entries: dict[str, Entry]) -> None:
        """Write the shard files whose entries differ from the ones ``load_entries`` read; remove the others."""
        shards: dict[str, dict[str, Entry]] = {}
        for path, entry in entries.items():
            shards.setdefault(entry_shard(path), {})[path] = entry
        folder = self.folder / "entries"
        for name, shard in shards.items():
            if self._loaded.get(name) != _signature(shard):
                _dump(folder / name, {"format": FORMAT, "environment": environment, "entries": shard})
        try:
            present = os.listdir(folder)
        except OSError:
            present = []
        for name in present:
            if name.endswith(".pickle") and name not in shards:
                (folder / name).unlink(missing_ok=True)
        self._loaded = {name: _signature(shard) for name, shard in shards.items()}

    # ---- the catalog's layout -----------------------------------------------------------------------------
    def load_layout(self, digest: str) -> Any:
        """The catalog layout (``site.Layout``) stored under ``digest``, or None."""
        try:
            data = pickle.loads((self.folder / "layout.pickle").read_bytes())
        except Exception:  # noqa: BLE001 - missing or damaged: the catalog works it out again
            return None
        ok = isinstance(data, dict) and data.get("format") == FORMAT and data.get("digest") == digest
        return data.get("layout") if ok else None

    def save_layout(self, digest: str, layout: Any) -> None:
        _dump(self.folder / "layout.pickle", {"format": FORMAT, "digest": digest, "layout": layout})

    # ---- site manifests ------------------------------------------------------------------------------------
    def _manifest_path(self, site_dir: Path) -> Path:
        name = hashlib.sha256(str(Path(site_dir).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
        return self.folder / "sites" / f"{name}.json"

    def take_manifest(self, site_dir: Path) -> dict[str, Any]:
        """The page keys the last build wrote into ``site_dir``; the file is removed, so a build that stops
        half way leaves no manifest and the next one writes every page."""
        path = self._manifest_path(site_dir)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        path.unlink(missing_ok=True)
        return data if isinstance(data, dict) and data.get("format") == FORMAT else {}

    def load_postings(self, site_dir: Path) -> Any:
        """The catalog index's postings the last build made for ``site_dir`` (``catalog_index.Postings``), or None."""
        try:
            data = pickle.loads(self._manifest_path(site_dir).with_suffix(".postings").read_bytes())
        except Exception:  # noqa: BLE001 - missing or damaged: the index is made from scratch
            return None
        return data.get("postings") if isinstance(data, dict) and data.get("format") == FORMAT else None

    def save_postings(self, site_dir: Path, postings: Any) -> None:
        _dump(self._manifest_path(site_dir).with_suffix(".postings"), {"format": FORMAT, "postings": postings})

    def load_models(self, site_dir: Path) -> dict[str, bytes] | None:
        """The entries of the models.json the last build wrote into ``site_dir``, by page key, or None."""
        try:
            data = pickle.loads(self._manifest_path(site_dir).with_suffix(".models").read_bytes())
        except Exception:  # noqa: BLE001 - missing or damaged: every entry is made again
            return None
        return data.get("entries") if isinstance(data, dict) and data.get("format") == FORMAT else None

    def save_models(self, site_dir: Path, entries: dict[str, bytes]) -> None:
        _dump(self._manifest_path(site_dir).with_suffix(".models"), {"format": FORMAT, "entries": entries})

    def save_manifest(self, site_dir: Path, pages: dict[str, list[str]], index: str = "", places: str = "") -> None:
        """``pages``: model JSON file -> [page key, page file, record key]; ``index``: the key of the catalog index;
        ``places``: the key of every card's place in the catalog (``incremental.SiteWork.write_pages``)."""
        text = json.dumps({"format": FORMAT, "pages": pages, "index": index, "places": places},
                          separators=(",", ":"), sort_keys=True)
        _write(self._manifest_path(site_dir), text.encode("utf-8"))


ENTRY_SHARDS = 64


def entry_shard(path: str) -> str:
    """The file of the entries a card's entry is kept in."""
    number = int.from_bytes(hashlib.sha256(path.encode("utf-8", "surrogateescape")).digest()[:4], "little")
    return f"{number % ENTRY_SHARDS:02d}.pickle"


def _signature(shard: dict[str, Entry]) -> dict[str, tuple]:
    """What makes a shard's entries the same: each card's stamps and content key (the key decides the summary) and
    the catalog its catalog-wide findings came from."""
    return {path: (entry.stamp, entry.key, entry.catalog) for path, entry in shard.items()}
