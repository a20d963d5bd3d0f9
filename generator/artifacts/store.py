"""ArtifactStore: the one object that turns an artifact URL into facts (``inspect``) or into files on disk
(``materialize``), through mirrors, the cache and HTTP, honouring offline mode."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..errors import ArtifactsError
from ..fileio import read_json, write_json_atomic
from ..records import ArtifactStatus
from .cache import ArtifactCache
from .digest import memo_file, tree_digest
from .facts import ArtifactFacts
from .http import FetchError, Fetcher, RemoteInfo, Transfer
from .inspectors import DirectoryTree, inspect_file, inspect_tree, sniff
from .inspectors.onnx import OnnxError
from .inspectors.safetensors import HeaderError
from .inspectors.spark_nlp import versions_from_file_name
from .rangeio import RangeFile
from .resolve import Location, OutsideCatalog, ResolveError, resolve
from .settings import ArtifactSettings

OFFLINE_MESSAGE = "not checked: offline, no mirror"
ZIP_TAIL = 16 * 1024  # the end-of-central-directory record and, for most artifacts, the whole central directory
BLOCK = 16 * 1024  # each Range read fetches at least this much


class ArtifactError(ArtifactsError):
    """``materialize`` could not produce the files; ``kind`` is the same vocabulary as ArtifactFacts.error_kind."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class ArtifactStore:
    def __init__(self, settings: ArtifactSettings, fetcher: Fetcher | None = None) -> None:
        self.settings = settings
        self.cache = ArtifactCache(settings.cache_dir)
        self.fetcher = fetcher or Fetcher(settings)

    def close(self) -> None:
        self.fetcher.close()

    # ---- facts ------------------------------------------------------------------------------------------------
    def inspect(self, url: str, card_path: str | Path | None = None, *, refresh: bool = False,
                checksum: bool = False, expected_sha256: str | None = None,
                locate: Callable[[], Location] | None = None) -> ArtifactFacts:
        """Facts about ``url``, reading as few bytes as possible. Never raises for a bad artifact: failures come
        back as facts with ``status`` and ``error``. ``checksum`` asks for the sha256 (a full download if remote);
        so does ``expected_sha256``, and when the bytes do not match it the URL is not remembered in the cache,
        so the next build fetches it again instead of trusting what was served. ``locate`` gives where ``url``
        lives when the caller resolved it already (``ArtifactHandle.location``)."""
        checksum = checksum or bool(expected_sha256)
        transfer = Transfer()
        try:
            location = locate() if locate is not None else resolve(url, self.settings, card_path)
            if location.is_local:
                facts = self._inspect_local(location, checksum)
            else:
                facts = self._inspect_remote(location, transfer, refresh, checksum)
                if expected_sha256 and facts.sha256 and facts.sha256 != expected_sha256.strip().lower():
                    self.cache.forget(location.target)
        except OutsideCatalog as error:  # reported by MH513 from the card alone; nothing was read
            facts = ArtifactFacts.failure(url, "outside", str(error))
        except ResolveError as error:
            facts = ArtifactFacts.failure(url, "bad-url", str(error))
        except (FetchError, ArtifactError) as error:
            status = ArtifactStatus.NOT_CHECKED if error.kind == "offline" else ArtifactStatus.ERROR
            facts = ArtifactFacts.failure(url, error.kind, str(error), status=status)
        except zipfile.BadZipFile as error:
            facts = ArtifactFacts.failure(url, "bad-archive", f"{url}: not a readable zip ({error})")
        except (OnnxError, HeaderError) as error:
            facts = ArtifactFacts.failure(url, "bad-format", f"{url}: {error}")
        facts.url = url
        facts.bytes_transferred += transfer.bytes
        facts.requests += transfer.requests
        return facts

    def _inspect_local(self, location: Location, checksum: bool) -> ArtifactFacts:
        path = location.path
        assert path is not None
        where = f" (mirror {location.source[7:]})" if location.source.startswith("mirror:") else ""
        if not path.exists():
            raise ArtifactError("not-found", f"{path} does not exist{where}")
        facts = ArtifactFacts(url=location.url, resolved_url=str(path), source=location.source)
        if path.is_dir():
            tree = DirectoryTree(path)
            facts.size = sum(tree.size_of(n) for n in tree.names())
            inspect_tree(tree, facts)
            if checksum:
                facts.sha256 = self._folder_digest(path)
        else:
            facts.size = path.stat().st_size
            with path.open("rb") as handle:
                inspect_file(handle, facts.size, path.name, sniff(handle.read(16), path.name), facts)
            if checksum:
                facts.sha256 = self.cache.local_sha256(path)
        facts.versions.update(versions_from_file_name(path.name))
        return facts.stamp()

    def _inspect_remote(self, location: Location, transfer: Transfer, refresh: bool,
                        checksum: bool) -> ArtifactFacts:
        target = location.target
        stored = self.cache.facts(target)
        cached = ArtifactFacts.from_dict(stored) if stored else None
        if cached and not (checksum and not cached.sha256):
            fresh = time.time() - float(stored.get("_cached_at", 0)) < self.settings.revalidate_after
            if self.settings.offline or (fresh and not refresh):
                return _from_cache(cached)
        if self.settings.offline:
            entry = self.cache.url_entry(target)
            if entry:
                return self._facts_of_blob(location, entry, source="cache")
            raise ArtifactError("offline", f"{OFFLINE_MESSAGE} for {location.url} (add a [tool.modelhub.mirrors] "
                                           f"entry or run online once to fill the cache)")
        wanted = "-" + str(ZIP_TAIL) if _file_name(target).lower().endswith(".zip") else f"0-{BLOCK - 1}"
        if checksum:  # the whole file will be read: ask for its current size and validators, unconditionally
            info, first, span = self.fetcher.head(target, transfer), 0, b""
        else:  # one ranged GET: size, validators (or 304 for what is cached) and the first bytes to parse
            info, first, span = self.fetcher.probe(target, transfer, wanted, etag=cached.etag if cached else None,
                                                   last_modified=cached.last_modified if cached else None)
        if info.not_modified and cached:
            self._remember_facts(target, cached)
            return _from_cache(cached)
        entry = self.cache.url_entry(target)
        if entry and info.etag and entry.get("etag") == info.etag:
            facts = self._facts_of_blob(location, entry, source="cache")
        elif checksum or info.size is None or not info.accepts_ranges:
            facts = self._facts_of_blob(location, self._download_once(location, info, transfer),
                                        source=location.source)
            if not checksum and not info.accepts_ranges:
                facts.details["range"] = "ignored by the server: the whole artifact was downloaded"
        else:
            try:
                facts = self._facts_over_range(location, info, transfer, first, span)
            except FetchError as error:
                if error.kind != "range-ignored":
                    raise
                facts = self._facts_of_blob(location, self._download_once(location, info, transfer),
                                            source=location.source)
                facts.details["range"] = "ignored by the server: the whole artifact was downloaded"
        facts.resolved_url = info.url
        facts.size = info.size if info.size is not None else facts.size
        facts.etag, facts.last_modified = info.etag, info.last_modified
        facts.versions.update(versions_from_file_name(_file_name(target)))
        facts.stamp()
        self._remember_facts(target, facts)
        return facts

    def _facts_over_range(self, location: Location, info: RemoteInfo, transfer: Transfer, first: int = 0,
                          span: bytes = b"") -> ArtifactFacts:
        name = _file_name(info.url)
        assert info.size is not None
        remote = RangeFile(self.fetcher, info.url, info.size, transfer, block=BLOCK)
        remote.add_span(first, span)
        if PurePosixPath(name).suffix.lower() == ".zip":
            kind = "zip"
        else:
            kind = sniff(remote.read(16), name)
        facts = ArtifactFacts(url=location.url, source=location.source, size=info.size)
        inspect_file(remote, info.size, name, kind, facts)
        facts.details["read_with"] = "range"
        return facts

    def _facts_of_blob(self, location: Location, entry: dict, source: str) -> ArtifactFacts:
        blob = self.cache.blob_path(entry["sha256"])
        name = _file_name(location.target)
        facts = ArtifactFacts(url=location.url, resolved_url=entry.get("resolved_url", location.target),
                              source=source, size=entry.get("size"), sha256=entry["sha256"],
                              etag=entry.get("etag"), last_modified=entry.get("last_modified"))
        try:
            with blob.open("rb") as handle:
                inspect_file(handle, blob.stat().st_size, name, sniff(handle.read(16), name), facts)
        except (zipfile.BadZipFile, OnnxError, HeaderError) as error:  # keep the size and sha256 just measured
            facts.status, facts.error_kind = ArtifactStatus.ERROR, "bad-archive"
            facts.error = f"{location.url}: the downloaded file cannot be read ({error})"
        facts.versions.update(versions_from_file_name(name))
        return facts.stamp()

    def _remember_facts(self, key: str, facts: ArtifactFacts) -> None:
        if facts.ok:
            record = facts.to_dict()
            record.update(bytes_transferred=0, requests=0, _cached_at=time.time())
            self.cache.store_facts(key, record)

    # ---- files ------------------------------------------------------------------------------------------------
    def materialize(self, url: str, card_path: str | Path | None = None, *, expected_sha256: str | None = None,
                    on_progress: Callable[[int, int | None], None] | None = None,
                    locate: Callable[[], Location] | None = None) -> Path:
        """The artifact as files: a local folder as is, a zip extracted into the cache, any other file from the
        cache under its own name. Downloads are verified (size, and sha256 when ``expected_sha256`` is given).
        ``locate``: as for ``inspect``."""
        try:
            location = locate() if locate is not None else resolve(url, self.settings, card_path)
        except ResolveError as error:
            raise ArtifactError("outside" if isinstance(error, OutsideCatalog) else "bad-url", str(error)) from error
        if location.is_local:
            return self._materialize_local(location, expected_sha256)
        transfer = Transfer()
        try:
            with self.cache.lock(location.target):
                entry = self._cached_entry(location, transfer)
                if entry is None:
                    info = self.fetcher.head(location.target, transfer)
                    entry = self._download(location, info, transfer, expected_sha256, on_progress)
        except FetchError as error:
            raise ArtifactError(error.kind, str(error)) from error
        if expected_sha256 and entry["sha256"] != expected_sha256.lower():
            raise ArtifactError("checksum", f"{url}: sha256 is {entry['sha256']}, expected {expected_sha256}")
        return self._unpacked(entry["sha256"], self.cache.blob_path(entry["sha256"]), _file_name(location.target))

    def _cached_entry(self, location: Location, transfer: Transfer) -> dict | None:
        entry = self.cache.url_entry(location.target)
        if entry is None:
            if self.settings.offline:
                raise ArtifactError("offline", f"{OFFLINE_MESSAGE} for {location.url}")
            return None
        fresh = time.time() - float(entry.get("fetched_at", 0)) < self.settings.revalidate_after
        if self.settings.offline or fresh:
            return entry
        info = self.fetcher.head(location.target, transfer, etag=entry.get("etag"),
                                 last_modified=entry.get("last_modified"))
        if info.not_modified or (info.etag and info.etag == entry.get("etag")):
            self.cache.remember_url(location.target, {**entry, "fetched_at": time.time()})
            return entry
        return None

    def _download_once(self, location: Location, info: RemoteInfo, transfer: Transfer) -> dict:
        """``_download`` under the URL's lock (as ``materialize`` does), reusing the blob when another thread or
        process finished downloading this version meanwhile: two writers must never share one ``.part`` file."""
        with self.cache.lock(location.target):
            entry = self.cache.url_entry(location.target)
            if entry and info.etag and entry.get("etag") == info.etag:
                return entry
            return self._download(location, info, transfer)

    def _download(self, location: Location, info: RemoteInfo, transfer: Transfer,
                  expected_sha256: str | None = None,
                  on_progress: Callable[[int, int | None], None] | None = None) -> dict:
        """Download into partial/, verify, move into blobs/ and record the URL. Resumes an interrupted download
        when the server still has the same version (same ETag or Last-Modified and size)."""
        if info.size is not None and info.size > self.settings.max_size:
            raise FetchError("too-large", f"{location.target} is {info.size:,} bytes, over the max_size limit of "
                                          f"{self.settings.max_size:,}")
        part, meta_path = self.cache.partial(location.target)
        validators = {"etag": info.etag, "last_modified": info.last_modified, "size": info.size}
        meta = read_json(meta_path)
        resumable = bool(meta and meta == validators and (info.etag or info.last_modified) and part.exists())
        resume_from = part.stat().st_size if resumable else 0
        if not resumable:
            part.unlink(missing_ok=True)
            write_json_atomic(meta_path, validators)
        sha, size = self.fetcher.download(info.url, part, transfer, expected_size=info.size,
                                          resume_from=resume_from, if_range=info.etag or info.last_modified,
                                          on_progress=on_progress)
        if expected_sha256 and sha != expected_sha256.lower():
            part.unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
            raise FetchError("checksum", f"{location.url}: downloaded sha256 is {sha}, the card declares "
                                         f"{expected_sha256}; nothing was cached")
        self.cache.commit_blob(part, sha)
        meta_path.unlink(missing_ok=True)
        entry = {"sha256": sha, "size": size, "etag": info.etag, "last_modified": info.last_modified,
                 "resolved_url": info.url, "fetched_at": time.time()}
        self.cache.remember_url(location.target, entry)
        return entry

    def _materialize_local(self, location: Location, expected_sha256: str | None) -> Path:
        path = location.path
        assert path is not None
        if not path.exists():
            raise ArtifactError("not-found", f"{path} does not exist")
        if path.is_dir():
            if expected_sha256:
                digest = self._folder_digest(path)
                if digest != expected_sha256.lower():
                    raise ArtifactError("checksum", f"{path}: the folder's sha256 (digest of its files) is {digest}, "
                                                    f"expected {expected_sha256}")
            return path
        if expected_sha256 or zipfile.is_zipfile(path):
            sha = self.cache.local_sha256(path)
            if expected_sha256 and sha != expected_sha256.lower():
                raise ArtifactError("checksum", f"{path}: sha256 is {sha}, expected {expected_sha256}")
            if zipfile.is_zipfile(path):
                return self._extracted(sha, path)
        return path

    def _folder_digest(self, path: Path) -> str:
        """A folder artifact's sha256: ``digest.tree_digest``, remembered in the cache by file stamps."""
        return tree_digest(path, memo_file(self.settings.cache_dir))

    def _unpacked(self, sha: str, blob: Path, name: str) -> Path:
        if zipfile.is_zipfile(blob):
            return self._extracted(sha, blob)
        return self.cache.named_file(sha, name)

    def _extracted(self, sha: str, archive: Path) -> Path:
        """The zip extracted in the cache; a zip too large or unreadable (bad CRC, truncated member) is an
        ArtifactError like any other, so callers report it instead of crashing."""
        try:
            return _single_folder(self.cache.tree(sha, archive, self.settings.max_size))
        except ValueError as error:
            raise ArtifactError("too-large", str(error)) from error
        except (zipfile.BadZipFile, EOFError) as error:
            raise ArtifactError("bad-archive", f"{archive.name}: not a readable zip ({error}); replace the file "
                                               f"or fix the Download link") from error


def _from_cache(facts: ArtifactFacts) -> ArtifactFacts:
    facts.source = "cache"
    facts.bytes_transferred = 0
    facts.requests = 0
    return facts


def _file_name(url: str) -> str:
    return unquote(PurePosixPath(urlsplit(url).path).name)


def _single_folder(root: Path) -> Path:
    """A zip of one top folder stands for that folder."""
    entries = list(root.iterdir())
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else root
