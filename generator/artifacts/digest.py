"""A content digest of an artifact (folder or file), remembered by file stamps so an unchanged model is hashed once.

A folder's ``sha256`` (what ``modelhub new --from DIR`` writes in a card, what ``check --artifacts`` and ``run``
verify) is ``tree_digest``: the sha256 of one line per file, ``<relative path>\\0<sha256 of its bytes>\\n``, in
walk order (a folder's own files by name, then each subfolder by name). A file's ``sha256`` is the plain sha256
of its bytes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .cache import sha256_file
from ..fileio import read_json, write_json_atomic


MEMO = "digests.json"  # in the artifact cache folder: digests by file stamps


def memo_file(cache_dir: str | Path) -> Path:
    """Where the digests of a cache's local artifacts are remembered."""
    return Path(cache_dir) / MEMO


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    found = []
    seen = {os.path.realpath(path)}
    for folder, dirs, names in os.walk(path, followlinks=True):
        # a linked folder is walked once: a link back up the tree (a loop) or two links to one folder would
        # otherwise multiply the walk
        kept = []
        for name in sorted(dirs):
            real = os.path.realpath(os.path.join(folder, name))
            if real not in seen:
                seen.add(real)
                kept.append(name)
        dirs[:] = kept
        found.extend(Path(folder, name) for name in sorted(names))
    return found


def _stamp(path: Path, files: list[Path]) -> str:
    parts = []
    for file in files:
        info = file.stat()
        parts.append(f"{file.relative_to(path) if path.is_dir() else file.name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def tree_digest(path: str | Path, memo: str | Path | None = None) -> str:
    """sha256 over every file's relative name and content. ``memo`` (a JSON file) remembers digests by stamps."""
    path = Path(path).resolve()
    files = _files(path)
    stamp = _stamp(path, files)
    memo_path = Path(memo) if memo else None
    known = (read_json(memo_path) if memo_path is not None else None) or {}
    entry = known.get(str(path))
    if isinstance(entry, dict) and entry.get("stamp") == stamp:
        return entry["digest"]
    total = hashlib.sha256()
    for file in files:
        name = str(file.relative_to(path)) if path.is_dir() else file.name
        total.update(f"{name}\0{sha256_file(file)}\n".encode())
    digest = total.hexdigest()
    if memo_path is not None:
        known[str(path)] = {"stamp": stamp, "digest": digest}
        try:
            write_json_atomic(memo_path, known)
        except OSError:
            pass
    return digest
