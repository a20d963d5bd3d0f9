"""What a card declares about its model artifact: where it is and the sha256 it must have. The artifacts stage
fetches and verifies against these, and the rules report them, from this one reading."""

from __future__ import annotations

from .model import Card


def plain(value: str | None) -> str:
    """A table or front-matter value without Markdown emphasis, code ticks, brackets or a trailing '+'."""
    text = (value or "").strip()
    if text[:1] in "*_`" or text[-1:] in "*_`":
        text = text.strip("*_`").strip()
    return text


def artifact_url(card: Card) -> str | None:
    """The Download link (or the artifact: front matter), else the Copy-S3-URI link."""
    return card.download_url or card.s3_uri


def declared_sha256(card: Card) -> tuple[str | None, int]:
    """The sha256 the card declares (front matter ``artifact.sha256`` or the info table, Markdown removed) and
    its line; the artifacts stage verifies downloads against the same value the rules report."""
    artifact = card.front_matter.get("artifact")
    if isinstance(artifact, dict) and artifact.get("sha256"):
        return str(artifact["sha256"]).strip(), card.key_lines.get("artifact", 1)
    row = card.info.row("sha256") if card.info else None
    return (plain(row.value), row.line) if row and plain(row.value) else (None, 0)
