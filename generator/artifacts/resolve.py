"""Where an artifact URL really lives: a local path, a mirror, or an HTTP(S) URL.

Handles http(s)://, file://, plain paths (relative to the card), ``s3://bucket/key`` (mapped to the public HTTPS
endpoint) and the ``mirrors`` table, whose targets are folders, ``pkg://package/subpath`` or other base URLs.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .settings import ArtifactSettings


class ResolveError(ValueError):
    """A URL that cannot point at anything (unknown scheme, missing package in a pkg:// mirror)."""


@dataclass(frozen=True)
class Location:
    url: str  # as written in the card
    target: str  # the URL or path that is actually read
    kind: str  # "http" | "file"
    source: str  # "http" | "file" | "mirror:<prefix>"
    path: Path | None = None

    @property
    def is_local(self) -> bool:
        return self.kind == "file"


def s3_to_https(url: str, endpoint: str) -> str:
    """``s3://bucket/key`` -> ``<endpoint>bucket/key`` (path-style, works for public buckets)."""
    parts = urlsplit(url)
    return endpoint.rstrip("/") + "/" + parts.netloc + parts.path


def resolve(url: str, settings: ArtifactSettings, card_path: str | Path | None = None) -> Location:
    """The location to read ``url`` from, mirrors first."""
    written = url.strip()
    candidate = s3_to_https(written, settings.s3_endpoint) if written.startswith("s3://") else written
    mirrored = _through_mirror(written, candidate, settings)
    if mirrored is not None:
        return mirrored
    scheme = urlsplit(candidate).scheme.lower()
    if scheme in {"http", "https"}:
        return Location(written, candidate, "http", "http")
    if scheme == "file":
        path = Path(unquote(urlsplit(candidate).path))
        return Location(written, str(path), "file", "file", path)
    if scheme == "pkg":
        path = package_path(candidate)
        return Location(written, str(path), "file", "file", path)
    if scheme and len(scheme) > 1:
        raise ResolveError(f"unsupported URL scheme {scheme!r} in {written!r} (use http(s), s3, file or a path)")
    path = Path(candidate).expanduser()
    if not path.is_absolute():
        base = Path(card_path).resolve().parent if card_path else Path.cwd()
        path = base / path
    return Location(written, str(path), "file", "file", path)


def package_path(url: str) -> Path:
    """``pkg://package/sub/path`` -> the folder inside an installed Python package."""
    parts = urlsplit(url)
    try:
        root = importlib.resources.files(parts.netloc)
    except (ModuleNotFoundError, TypeError) as error:
        raise ResolveError(f"{url}: Python package {parts.netloc!r} is not installed (pip install it)") from error
    return Path(str(root.joinpath(*[p for p in parts.path.split("/") if p])))


def _through_mirror(written: str, candidate: str, settings: ArtifactSettings) -> Location | None:
    for prefix in sorted(settings.mirrors, key=len, reverse=True):
        for url in (written, candidate):
            if not url.startswith(prefix):
                continue
            rest = url[len(prefix):].lstrip("/")
            target = settings.mirrors[prefix]
            source = f"mirror:{prefix}"
            if target.startswith(("http://", "https://")):
                return Location(written, target.rstrip("/") + ("/" + rest if rest else ""), "http", source)
            if target.startswith("pkg://"):
                base = package_path(target)
            elif target.startswith("file://"):
                base = Path(unquote(urlsplit(target).path))
            else:
                base = Path(target).expanduser()
                base = base if base.is_absolute() else settings.root / base
            path = base / unquote(rest) if rest else base
            if not path.exists() and path.suffix == ".zip" and path.with_suffix("").is_dir():
                path = path.with_suffix("")  # mirrors may hold the zip already extracted
            return Location(written, str(path), "file", source, path)
    return None
