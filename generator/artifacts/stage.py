"""The ``artifacts`` pipeline stage: inspect each card's Download artifact (and Keras preset folders, when a
preset URL template is configured) concurrently, and put the facts on the record for the artifact rules.

Failures never raise: they become facts with ``status`` "error" or "not-checked" and a message saying why.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..card import Card
from ..checks.artifacts import declared_sha256 as declared_sha256_and_line
from ..config import Config
from ..pipeline import BuildContext, CardRecord
from ..records import ArtifactStatus
from .facts import ArtifactFacts
from .local import LocalArtifacts
from .settings import ArtifactSettings
from .store import ArtifactStore


def artifact_url(card: Card) -> str | None:
    """The Download link (or the artifact: front matter), else the Copy-S3-URI link."""
    return card.download_url or card.s3_uri


def declared_sha256(card: Card) -> str | None:
    value, _ = declared_sha256_and_line(card)
    return value.lower() if value else None


def preset_urls(card: Card, template: str | None) -> dict[str, str]:
    if not template or not card.presets:
        return {}
    return {preset.name: template.format(preset=preset.name) for preset in card.presets}


def registry_facts(cards: list[Card], cache: Path | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """Keras API pages' presets tables against keras-hub's own registry (the installed package, read once into
    ``cache`` when given): card path -> preset -> facts MH511 compares each row with. Nothing where keras-hub is not
    installed."""
    pages = [card for card in cards if card.presets and card.dialect == "keras"]
    if not pages:
        return {}
    from ..execute import kerashub

    try:
        registry, version = kerashub.preset_registry(cache=cache), kerashub.keras_hub_version()
    except kerashub.KerasHubError:
        return {}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for card in pages:
        for preset in card.presets:
            entry = registry.get(preset.name)
            if entry is not None and entry.parameters is not None:
                out.setdefault(card.path, {})[preset.name] = {
                    "status": ArtifactStatus.OK, "parameters": entry.parameters, "url": entry.handle,
                    "origin": {"parameters": f"keras-hub {version}'s preset registry (metadata params)"}}
    return out


def collect_facts(cards: list[Card], config: Config, *, offline: bool | None = None, quiet: bool = False,
                  refresh: bool = False) -> dict[str, dict[str, Any]]:
    """Facts for each card that has an artifact (card path -> ArtifactFacts dict, plus ``presets`` when preset
    folders were inspected). Each distinct artifact is inspected once, concurrently, with a progress bar."""
    settings = ArtifactSettings.from_config(config, offline=offline)
    template = config.settings.artifacts.preset_url
    jobs: dict[tuple[str, str | None, str | None], list[tuple[str, str | None]]] = {}
    for card in cards:
        url = artifact_url(card)
        if url:
            expected = declared_sha256(card) if settings.verify_checksums else None
            jobs.setdefault(_key(url, card, expected), []).append((card.path, None))
        for preset, preset_url in preset_urls(card, template).items():
            jobs.setdefault(_key(preset_url, card, None), []).append((card.path, preset))
    out: dict[str, dict[str, Any]] = {path: {"presets": presets} for path, presets in registry_facts(cards, config.cache_dir / "keras-hub").items()}
    if not jobs:
        return out
    store = ArtifactStore(settings)
    results: dict[tuple[str, str | None, str | None], ArtifactFacts] = {}
    try:
        with _progress(quiet) as progress, ThreadPoolExecutor(settings.workers) as pool:
            task = progress.add_task("artifacts", total=len(jobs))
            futures = {pool.submit(store.inspect, url, card_path, refresh=refresh, expected_sha256=expected):
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
    that name the same artifact: the later stages materialise and digest it through the handle, once per build.
    Records that already have one keep it, so whichever stage runs first attaches them."""
    owner = next((record.artifact.owner for record in records if record.artifact is not None), None)
    for record in records:
        url = artifact_url(record.card)
        if not url or record.artifact is not None:
            continue
        if owner is None:
            owner = LocalArtifacts(config, offline)
        expected = declared_sha256(record.card) if owner.settings.verify_checksums else None
        record.artifact = owner.handle(url, record.path, expected)


class ArtifactsStage:
    name = "artifacts"
    reads = ("card", "artifact")  # a handle an earlier run attached is kept
    writes = ("facts", "artifact")

    def process(self, records: list[CardRecord], context: BuildContext) -> None:
        found = collect_facts([r.card for r in records], context.config, offline=context.offline or None,
                              quiet=context.quiet)
        for record in records:
            if record.path in found:
                record.facts = found[record.path]
        attach_artifacts(records, context.config, context.offline or None)


def _key(url: str, card: Card, expected: str | None) -> tuple[str, str | None, str | None]:
    """(url, card path when the URL is relative to the card, declared sha256): one inspection per key."""
    relative = "://" not in url and not url.startswith("/")
    return url, (card.path if relative else None), expected


def _progress(quiet: bool) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True, disable=quiet)

