"""The ``artifacts`` pipeline stage: inspect each card's Download artifact (and Keras preset folders, when a
preset URL template is configured) concurrently, and put the facts on the record for the artifact rules.

Failures never raise: they become facts with ``status`` "error" or "not-checked" and a message saying why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..card import Card
from ..card.declared import artifact_url
from ..card.declared import declared_sha256 as declared_sha256_and_line
from ..config import Config
from ..pipeline import BuildContext, CardRecord
from ..records import ArtifactRecord
from .facts import ArtifactFacts
from .local import ArtifactHandle, LocalArtifacts
from .resolve import Location
from .settings import ArtifactSettings
from .store import ArtifactStore


def declared_sha256(card: Card) -> str | None:
    value, _ = declared_sha256_and_line(card)
    return value.lower() if value else None


def preset_urls(card: Card, template: str | None) -> dict[str, str]:
    if not template or not card.presets:
        return {}
    return {preset.name: template.format(preset=preset.name) for preset in card.presets}


PresetFacts = Callable[[list[Card], Config], dict[str, dict[str, dict[str, Any]]]]


def collect_facts(cards: list[Card], config: Config, *, offline: bool | None = None, quiet: bool = False,
                  refresh: bool = False, presets: PresetFacts | None = None,
                  handles: Mapping[str, ArtifactHandle] | None = None) -> dict[str, dict[str, Any]]:
    """Facts for each card that has an artifact (card path -> ArtifactFacts dict, plus ``presets`` when preset
    folders were inspected, or ``presets`` (card path -> preset -> facts, e.g. from keras-hub's own registry)
    says something). Each distinct artifact is inspected once, concurrently, with a progress bar; where
    ``handles`` (card path -> the card's artifact handle) has one, it says where the artifact lives."""
    settings = ArtifactSettings.from_config(config, offline=offline)
    template = config.settings.artifacts.preset_url
    jobs: dict[tuple[str, str | None, str | None], list[tuple[str, str | None]]] = {}
    locators: dict[tuple[str, str | None, str | None], Callable[[], Location]] = {}
    for card in cards:
        url = artifact_url(card)
        if url:
            expected = declared_sha256(card) if settings.verify_checksums else None
            key = _key(url, card, expected)
            jobs.setdefault(key, []).append((card.path, None))
            handle = (handles or {}).get(card.path)
            if handle is not None and handle.url == url and (key[1] is not None or len(urlsplit(url).scheme) > 1):
                # the handle resolves a path against the card's folder, as the inspection does for a relative URL;
                # a path with "://" after junk (``||https://...``) is inspected from the working folder, as before
                locators.setdefault(key, handle.location)
        for preset, preset_url in preset_urls(card, template).items():
            jobs.setdefault(_key(preset_url, card, None), []).append((card.path, preset))
    known = presets(cards, config) if presets is not None else {}
    out: dict[str, dict[str, Any]] = {path: {"presets": facts} for path, facts in known.items()}
    if not jobs:
        return out
    store = ArtifactStore(settings)
    results: dict[tuple[str, str | None, str | None], ArtifactFacts] = {}
    try:
        with _progress(quiet) as progress, ThreadPoolExecutor(settings.workers) as pool:
            task = progress.add_task("artifacts", total=len(jobs))
            futures = {pool.submit(store.inspect, url, card_path, refresh=refresh, expected_sha256=expected,
                                   locate=locators.get((url, card_path, expected))):
                       (url, card_path, expected) for url, card_path, expected in jobs}
            for future in as_completed(futures):
                key = futures[future]
                try:
                    results[key] = future.result()
                except Exception as error:  # a bug in an inspector must not take the build down
                    results[key] = ArtifactFacts.failure(key[0], "internal", f"inspecting failed: {error!r}")
                progress.advance(task)
    finally:
        store.close()
    for key, users in jobs.items():
        for path, preset in users:
            facts = results[key].to_dict()
            if preset is None:
                out[path] = {**facts, **({"presets": out[path]["presets"]} if "presets" in out.get(path, {})
                                         else {})}
            else:
                out.setdefault(path, {}).setdefault("presets", {})[preset] = facts
    return out


def attach_artifacts(records: list[CardRecord], config: Config, offline: bool | None = None) -> None:
    """Give each record whose card names an artifact its handle (``CardRecord.artifact``), shared by the cards
    that name the same artifact, and where it lives (``CardRecord.location``): it is resolved here, once, and the
    later stages inspect, materialise and digest it through the handle, once per build, and MH513 reads the
    location. Records that already have one keep it, so whichever stage runs first attaches them."""
    owner = next((record.artifact.owner for record in records if record.artifact is not None), None)
    for record in records:
        url = artifact_url(record.card)
        if not url or record.artifact is not None:
            continue
        if owner is None:
            owner = LocalArtifacts(config, offline)
        expected = declared_sha256(record.card) if owner.settings.verify_checksums else None
        record.artifact = owner.handle(url, record.path, expected)
        record.location = record.artifact.resolution()


class ArtifactsStage:
    """``presets``: where preset facts come from besides the preset folders (``generator.stages`` passes
    keras-hub's registry, ``execute.kerashub.registry_facts``)."""

    name = "artifacts"
    reads = ("card", "artifact", "location")  # a handle an earlier run attached is kept
    writes = ("facts", "artifact", "location")

    def __init__(self, presets: PresetFacts | None = None) -> None:
        self.presets = presets

    def process(self, records: list[CardRecord], context: BuildContext) -> None:
        attach_artifacts(records, context.config, context.offline or None)
        found = collect_facts([r.card for r in records], context.config, offline=context.offline or None,
                              quiet=context.quiet, presets=self.presets,
                              handles={r.path: r.artifact for r in records if r.artifact is not None})
        for record in records:
            if record.path in found:
                record.facts = ArtifactRecord.from_json(found[record.path])


def _key(url: str, card: Card, expected: str | None) -> tuple[str, str | None, str | None]:
    """(url, card path when the URL is relative to the card, declared sha256): one inspection per key."""
    relative = "://" not in url and not url.startswith("/")
    return url, (card.path if relative else None), expected


def _progress(quiet: bool) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True, disable=quiet)

