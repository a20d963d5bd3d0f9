"""Artifacts: resolve a card's Download URL (mirrors, cache, s3, file, http), read facts from it without
downloading it (HTTP Range), or materialize it as files in a content-addressed cache.

    facts = inspect_artifact(url, card_path=card.path, config=config)   # ArtifactFacts; never raises
    folder = materialize(url, card_path=card.path, config=config)       # Path; raises ArtifactError
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..config import Config, load_config
from .facts import ArtifactFacts
from ..settings import parse_size as parse_byte_size
from .settings import ArtifactSettings
from .store import OFFLINE_MESSAGE, ArtifactError, ArtifactStore

__all__ = ["OFFLINE_MESSAGE", "ArtifactError", "ArtifactFacts", "ArtifactSettings", "ArtifactStore",
           "download_bar", "inspect_artifact", "materialize", "parse_byte_size", "settings_for"]


def settings_for(config: Config | None = None, card_path: str | Path | None = None,
                 offline: bool | None = None, confined: bool = True) -> ArtifactSettings:
    settings = ArtifactSettings.from_config(config or load_config(card_path), offline=offline)
    settings.confined = confined
    return settings


def inspect_artifact(url: str, *, card_path: str | Path | None = None, config: Config | None = None,
                     offline: bool | None = None, checksum: bool = False, refresh: bool = False,
                     confined: bool = True) -> ArtifactFacts:
    """Facts about the artifact at ``url`` (remote ones are read with Range requests, never downloaded whole
    unless ``checksum`` asks for the sha256 or the server ignores Range). ``confined=False`` for a path a user
    typed (a card's paths stay in the catalog, the cache and the mirrors)."""
    store = ArtifactStore(settings_for(config, card_path, offline, confined))
    try:
        return store.inspect(url, card_path, refresh=refresh, checksum=checksum)
    finally:
        store.close()


def materialize(url: str, *, card_path: str | Path | None = None, config: Config | None = None,
                offline: bool | None = None, expected_sha256: str | None = None, progress: bool = False) -> Path:
    """The artifact as a local folder or file: downloaded atomically into the cache and verified, zips
    extracted; local folders and mirror folders are returned as they are. ``progress`` shows a download bar."""
    store = ArtifactStore(settings_for(config, card_path, offline))
    try:
        with download_bar(url, enabled=progress) as on_progress:
            return store.materialize(url, card_path, expected_sha256=expected_sha256, on_progress=on_progress)
    finally:
        store.close()


@contextmanager
def download_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int | None], None]]:
    """A rich progress bar (bytes, speed, time left) on stderr, fed by ``on_progress(bytes, total)``."""
    from rich.console import Console
    from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn,
                               TransferSpeedColumn)

    name = label.rstrip("/").rsplit("/", 1)[-1]
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True,
                  disable=not enabled) as bar:
        task = bar.add_task(f"downloading {name}", total=None)

        def advance(count: int, total: int | None) -> None:
            bar.update(task, advance=count, total=total)

        yield advance
