"""A build's artifacts as local files: each artifact resolved, materialised and digested once, whichever stage asks
first, and handed to the others.

    artifacts = LocalArtifacts(config)
    handle = artifacts.handle(url, card_path=card.path, expected_sha256=declared)   # the same object for the same key
    handle.location()           # where it lives (resolve.Location); raises ResolveError, the same one on every call
    local = handle.local()      # LocalArtifact(path, digest); raises ArtifactError, the same one on every call

The artifacts stage puts a handle on each record with an artifact (``CardRecord.artifact``); its inspection, the
path rule (MH513), execution and the benchmarks read ``location()`` and ``local()`` of it, so a model is resolved
once, and materialised and digested once, per build.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from .digest import memo_file, tree_digest
from .resolve import Location, ResolveError, resolve
from .settings import ArtifactSettings
from .store import ArtifactError, ArtifactStore


@dataclass(frozen=True)
class LocalArtifact:
    """An artifact on this machine: the folder or file to load, and the digest of its content."""

    path: Path
    digest: str


def artifact_key(url: str, card_path: str | Path | None,
                 expected_sha256: str | None) -> tuple[str, str | None, str | None]:
    """(url, card folder when the URL is relative to the card, declared sha256): one artifact per key."""
    relative = "://" not in url and not url.startswith("/")
    folder = str(Path(card_path).parent) if relative and card_path is not None else None
    return url, folder, expected_sha256.lower() if expected_sha256 else None


class ArtifactHandle:
    """One artifact of the build, not yet on disk: ``local()`` materialises it on first use (through the cache and
    mirrors, verified against the declared sha256) and digests it; every later call gets the same answer."""

    def __init__(self, owner: LocalArtifacts, url: str, card_path: str | Path | None,
                 expected_sha256: str | None) -> None:
        self.owner = owner
        self.url = url
        self.card_path = str(card_path) if card_path is not None else None
        self.expected_sha256 = expected_sha256.lower() if expected_sha256 else None
        self._lock = threading.RLock()  # local() asks location() while it holds it
        self._location: Location | ResolveError | None = None
        self._local: LocalArtifact | None = None
        self._error: ArtifactError | None = None

    def resolution(self) -> Location | ResolveError:
        """Where the artifact lives (``resolve.resolve``: mirrors, confinement of local paths), or why it cannot
        be had (``OutsideCatalog`` for a path leading out), worked out on the first call."""
        with self._lock:
            if self._location is None:
                try:
                    self._location = resolve(self.url, self.owner.settings, self.card_path)
                except ResolveError as error:
                    self._location = error
            return self._location

    def location(self) -> Location:
        """``resolution()``, raising its ``ResolveError``."""
        found = self.resolution()
        if isinstance(found, ResolveError):
            raise found
        return found

    def local(self) -> LocalArtifact:
        with self._lock:
            if self._local is None and self._error is None:
                try:
                    self._local = self.owner.materialize(self)
                except ArtifactError as error:
                    self._error = error
            if self._error is not None:
                raise self._error
            assert self._local is not None
            return self._local


class LocalArtifacts:
    """The handles of one build, one per artifact key, sharing one store and one digest memo."""

    def __init__(self, config: Config, offline: bool | None = None) -> None:
        self.settings = ArtifactSettings.from_config(config, offline=offline)
        self._handles: dict[tuple[str, str | None, str | None], ArtifactHandle] = {}
        self._lock = threading.Lock()

    def handle(self, url: str, card_path: str | Path | None = None,
               expected_sha256: str | None = None) -> ArtifactHandle:
        key = artifact_key(url, card_path, expected_sha256)
        with self._lock:
            found = self._handles.get(key)
            if found is None:
                found = self._handles[key] = ArtifactHandle(self, url, card_path, expected_sha256)
            return found

    def materialize(self, handle: ArtifactHandle) -> LocalArtifact:
        store = ArtifactStore(self.settings)
        try:
            path = Path(store.materialize(handle.url, handle.card_path, expected_sha256=handle.expected_sha256,
                                          locate=handle.location))
        finally:
            store.close()
        try:
            return LocalArtifact(path, tree_digest(path, memo_file(self.settings.cache_dir)))
        except PermissionError as error:  # without root: a file this user may not read, so no snippet may either
            raise ArtifactError("unreadable", f"{error.filename or path} is not readable by this user: nothing of "
                                "it is handed to snippets (chmod o+r it if it is meant to be)") from error
