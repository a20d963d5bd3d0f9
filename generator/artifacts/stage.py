"""The ``artifacts`` pipeline stage: inspect each card's Download artifact (and Keras preset folders, when a
preset URL template is configured) concurrently, and put the facts on the record for the artifact rules.

Failures never raise: they become facts with ``status`` "error" or "not-checked" and a message saying why.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..card import Card
from ..pipeline import BuildContext, CardRecord, register_stage
from .facts import ArtifactFacts
from .settings import ArtifactSettings
from .store import ArtifactStore


def artifact_url(card: Card) -> str | None:
    """The Download link (or the artifact: front matter), else the Copy-S3-URI link."""
    return card.download_url or card.s3_uri


def declared_sha256(card: Card) -> str | None:
    artifact = card.front_matter.get("artifact")
    if isinstance(artifact, dict) and artifact.get("sha256"):
        return str(artifact["sha256"]).strip().lower()
    row = card.info.row("sha256") if card.info else None
    return row.value.strip().lower() if row and row.value.strip() else None


def preset_urls(card: Card, template: str | None) -> dict[str, str]:
    if not template or not card.presets:
        return {}
    return {preset.name: template.format(preset=preset.name) for preset in card.presets}


class ArtifactsStage:
    name = "artifacts"
    order = 10

    def process(self, records: list[CardRecord], context: BuildContext) -> None:
        settings = ArtifactSettings.from_config(context.config, offline=context.offline or None)
        template = context.config.section("artifacts").get("preset_url")
        refresh = bool(context.options.get("refresh_artifacts"))
        jobs: dict[tuple[str, str | None, bool], list[tuple[CardRecord, str | None]]] = {}
        for record in records:
            url = artifact_url(record.card)
            if url:
                checksum = settings.verify_checksums and declared_sha256(record.card) is not None
                jobs.setdefault(_key(url, record.card, checksum), []).append((record, None))
            for preset, preset_url in preset_urls(record.card, template).items():
                jobs.setdefault(_key(preset_url, record.card, False), []).append((record, preset))
        if not jobs:
            return
        store = ArtifactStore(settings)
        results: dict[tuple[str, str | None, bool], ArtifactFacts] = {}
        try:
            with _progress(context) as progress, ThreadPoolExecutor(settings.workers) as pool:
                task = progress.add_task("artifacts", total=len(jobs))
                futures = {pool.submit(store.inspect, url, card_path, refresh=refresh, checksum=checksum):
                           (url, card_path, checksum) for url, card_path, checksum in jobs}
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
            for record, preset in users:
                facts = results[key].to_dict()
                if preset is None:
                    record.facts = {**facts, **({"presets": record.facts["presets"]}
                                                if record.facts and "presets" in record.facts else {})}
                else:
                    record.facts = record.facts or {}
                    record.facts.setdefault("presets", {})[preset] = facts


def _key(url: str, card: Card, checksum: bool) -> tuple[str, str | None, bool]:
    """(url, card path when the URL is relative to the card, checksum wanted): one inspection per key."""
    relative = "://" not in url and not url.startswith("/")
    return url, (card.path if relative else None), checksum


def _progress(context: BuildContext) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True, disable=context.quiet)


register_stage(ArtifactsStage())
