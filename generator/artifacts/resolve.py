"""Where an artifact URL really lives: a local path, a mirror, or an HTTP(S) URL.

Handles http(s)://, file://, plain paths (relative to the card), ``s3://bucket/key`` (mapped to the public HTTPS
endpoint) and the ``mirrors`` table, whose targets are folders, ``pkg://package/subpath`` or other base URLs.

A card's URL is untrusted: a local path (plain, relative, ``file://``) must resolve, symlinks followed, inside the
catalog root, the artifact cache or a configured local mirror, and a ``pkg://`` path inside its package; anything
else is an ``OutsideCatalog`` error (rule MH510), so ``/etc/shadow`` or ``../../root/.ssh`` never reach the
inspectors or the sandbox. Paths a user types on the command line (``modelhub inspect``, ``new --from``) are not
confined (``ArtifactSettings.confined`` is False there).
"""

from __future__ import annotations

import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import ArtifactsError
from .settings import ArtifactSettings


class ResolveError(ArtifactsError, ValueError):
    """A URL that cannot point at anything (unknown scheme, missing package in a pkg:// mirror)."""


class OutsideCatalog(ResolveError):
    """A card's local path that resolves outside the catalog root, the artifact cache and the local mirrors."""


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
    """The location to read ``url`` from, mirrors first; local paths are confined (see the module docstring)."""
    try:
        return _resolve(url.strip(), settings, card_path)
    except ResolveError:
        raise
    except ValueError as error:  # an unbalanced `[` in the host, a NUL byte in a path: nothing it could point at
        raise ResolveError(f"not a usable URL or path: {url.strip()!r} ({error})") from None


def _resolve(written: str, settings: ArtifactSettings, card_path: str | Path | None) -> Location:
    candidate = s3_to_https(written, settings.s3_endpoint) if written.startswith("s3://") else written
    mirrored = _through_mirror(written, candidate, settings)
    if mirrored is not None:
        return mirrored
    scheme = urlsplit(candidate).scheme.lower()
    if scheme in {"http", "https"}:
        return Location(written, candidate, "http", "http")
    if scheme == "file":
        return _local(written, Path(unquote(urlsplit(candidate).path)), settings)
    if scheme == "pkg":
        return _local(written, package_path(candidate), settings, package_root(candidate))
    if scheme and len(scheme) > 1:
        raise ResolveError(f"unsupported URL scheme {scheme!r} in {written!r} (use http(s), s3, file or a path)")
    path = Path(candidate).expanduser()
    if not path.is_absolute():
        base = Path(card_path).resolve().parent if card_path else Path.cwd()
        path = base / path
    return _local(written, path, settings)


def allowed_roots(settings: ArtifactSettings) -> list[Path]:
    """Where a card's local path may lead: the catalog root, the artifact cache and every local mirror folder."""
    roots = [settings.root, settings.cache_dir]
    for target in settings.mirrors.values():
        if not target.startswith(("http://", "https://")):
            try:
                roots.append(_mirror_base(target, settings))
            except ResolveError:
                continue
    return [Path(os.path.realpath(root)) for root in roots]


def confine(written: str, path: Path, roots: list[Path]) -> Path:
    """``path`` with symlinks resolved, if it lies inside one of ``roots``; else OutsideCatalog."""
    real = Path(os.path.realpath(path))
    if any(real == root or root in real.parents for root in roots):
        return real
    raise OutsideCatalog(f"{written!r} resolves to {real}, outside the catalog root, the artifact cache and the "
                         "configured mirrors")


def _local(written: str, path: Path, settings: ArtifactSettings, within: Path | None = None,
           source: str = "file") -> Location:
    """A local location; confined to ``within`` (a package, a mirror folder) or else to ``allowed_roots``."""
    if settings.confined:
        path = confine(written, path, [Path(os.path.realpath(within))] if within else allowed_roots(settings))
    return Location(written, str(path), "file", source, path)


def package_root(url: str) -> Path:
    """The folder of the installed package a ``pkg://`` URL names."""
    return package_path(f"pkg://{urlsplit(url).netloc}")


def package_path(url: str) -> Path:
    """``pkg://package/sub/path`` -> the folder inside an installed Python package."""
    parts = urlsplit(url)
    try:
        root = importlib.resources.files(parts.netloc)
    except (ModuleNotFoundError, TypeError) as error:
        raise ResolveError(f"{url}: Python package {parts.netloc!r} is not installed (pip install it)") from error
    return Path(str(root.joinpath(*[p for p in parts.path.split("/") if p])))


def _mirror_base(target: str, settings: ArtifactSettings) -> Path:
    if target.startswith("pkg://"):
        return package_path(target)
    if target.startswith("file://"):
        return Path(unquote(urlsplit(target).path))
    base = Path(target).expanduser()
    return base if base.is_absolute() else settings.root / base


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
            base = _mirror_base(target, settings)
            path = base / unquote(rest) if rest else base
            if not path.exists() and path.suffix == ".zip" and path.with_suffix("").is_dir():
                path = path.with_suffix("")  # mirrors may hold the zip already extracted
            return _local(written, path, settings, base, source)
    return None
