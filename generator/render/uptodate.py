"""A site that is up to date is not built again: ``build_site``'s fast path for a rebuild where nothing changed.

A build reads, besides its cards: the cards' stored results, every other file under the card folders, the artifact
cache, the installed libraries, modelhub's code, settings and templates, and mkdocs' side (the configuration with
what it inherits and the environment variables it names, docs_dir, the theme folders, hooks, watched paths). The
*input stamp* is a hash of all of it: file contents where they are small and few (configuration, modelhub's code),
file stamps (size, mtime, inode) where they are many (cards, docs, templates, caches). After a successful build the
stamp is stored in the build cache with the stamp of every file the build left in the site folder. A later build
with the same input stamp, whose site folder still holds exactly those files untouched, has nothing to do: it costs
the stamps (stat calls), not a parse, a check, a page or a mkdocs run.

Builds that execute cards (modes ``auto`` and ``force``) and builds without a cache are never skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .buildcache import FORMAT, CardScan, _write, file_stamp


@dataclass
class Outcome:
    """What a build reported, kept so a skipped build reports the same."""

    cards: int
    severities: dict[str, int]
    pages: int
    failed: list[tuple[str, str]] = field(default_factory=list)


def tree_stamps(folder: str | Path, digest: Any) -> None:
    """Add every file below ``folder`` (hidden folders skipped) with its file stamp to ``digest``, in a stable order."""
    folder = str(folder)
    if os.path.isfile(folder):
        digest.update(f"{folder}\0{file_stamp(folder)}\n".encode("utf-8", "surrogateescape"))
        return
    for base, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(base, name)
            digest.update(f"{path}\0{file_stamp(path)}\n".encode("utf-8", "surrogateescape"))


def input_stamp(*, raw_mkdocs: dict[str, Any], options: dict[str, Any], folders: list[str], scan: CardScan,
                fingerprint: str) -> str:
    """The stamp of everything a frozen build reads (see the module's docstring). ``raw_mkdocs``: mkdocs'
    configuration as loaded (INHERIT merged, ``!ENV`` resolved); ``options``: the plugin's; ``folders``: docs_dir,
    theme and template folders, hooks and watched paths; ``scan``: the cards, their stamps and the environment's;
    ``fingerprint``: modelhub's code, settings and templates."""
    digest = hashlib.sha256()
    digest.update(json.dumps([FORMAT, fingerprint, raw_mkdocs, options], sort_keys=True, default=str).encode())
    variables = {k: v for k, v in os.environ.items() if k.startswith("MODELHUB_")}
    digest.update(json.dumps(variables, sort_keys=True).encode())
    for folder in folders:
        tree_stamps(folder, digest)
    digest.update(scan.environment.encode())
    for path in scan.paths:
        digest.update(f"{path}\0{scan.stamps[path]}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def site_files(site_dir: Path, known: Mapping[str, tuple] | None = None,
               sealed: Collection[str] = ()) -> dict[str, tuple]:
    """Every file in the site folder (hidden ones included) with its file stamp, by path relative to it (folders
    behind symbolic links are not entered).

    ``known``: stamps the caller already has (pages it has just written, or kept untouched since they were
    recorded), taken instead of a ``stat``; ``sealed``: folders (relative, ending in ``/``) whose files are all in
    ``known``, not even listed. A stamp that is no longer true, or a file a sealed folder gained, can only make the
    next up-to-date check see a change and build again: never skip a build it should have made."""
    known = known or {}
    out: dict[str, tuple] = {}

    def walk(folder: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            relative = prefix + entry.name
            if not is_dir:
                stamp = known.get(relative)
                if stamp is None:
                    try:
                        status = entry.stat()
                        stamp = (status.st_size, status.st_mtime_ns, status.st_ino)
                    except OSError:
                        stamp = ()
                out[relative] = stamp
            elif entry.is_symlink():
                continue
            elif relative + "/" in sealed:
                present.add(relative + "/")
            else:
                walk(entry.path, relative + "/")

    present: set[str] = set()
    walk(str(site_dir), "")
    if present:
        for relative, stamp in known.items():
            folder = relative[:relative.rfind("/") + 1]
            if folder in present:
                out[relative] = stamp
    return out


def _record_path(cache_folder: Path, site_dir: Path) -> Path:
    name = hashlib.sha256(str(Path(site_dir).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return Path(cache_folder) / "sites" / f"{name}.built"


@dataclass
class LastBuild:
    """What ``remember`` kept of the last build into a site folder."""

    stamp: str  # its input stamp
    files: dict[str, tuple]  # what it left in the site folder: path relative to it -> file stamp
    outcome: Outcome


def last_build(cache_folder: Path, site_dir: Path) -> LastBuild | None:
    """The last build into ``site_dir`` as ``remember`` kept it; None when there is none (or it is damaged or from
    another version)."""
    try:
        data = pickle.loads(_record_path(cache_folder, site_dir).read_bytes())
    except Exception:  # noqa: BLE001 - missing, damaged or from another version: build
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        return None
    return LastBuild(data.get("stamp", ""), data["files"], data.get("outcome"))


def unchanged(last: LastBuild | None, site_dir: Path, stamp: str) -> Outcome | None:
    """The last build's outcome when it had the same input stamp and left ``site_dir`` as it is now; else None."""
    if last is None or last.stamp != stamp or not Path(site_dir).is_dir():
        return None
    return last.outcome if site_files(Path(site_dir)) == last.files else None


def remember(cache_folder: Path, site_dir: Path, stamp: str, outcome: Outcome,
             known: Mapping[str, tuple] | None = None, sealed: Collection[str] = ()) -> None:
    """After a successful build from inputs with ``stamp``: what it left in ``site_dir`` (``known``, ``sealed``:
    see ``site_files``)."""
    data = {"format": FORMAT, "stamp": stamp, "files": site_files(Path(site_dir), known, sealed),
            "outcome": outcome}
    _write(_record_path(cache_folder, site_dir), pickle.dumps(data, pickle.HIGHEST_PROTOCOL))


def forget(cache_folder: Path, site_dir: Path) -> None:
    """Before a build writes into ``site_dir``: a build that stops half way must not look up to date."""
    _record_path(cache_folder, site_dir).unlink(missing_ok=True)
