"""Atomic writes: every file modelhub writes (cards, stored results, caches) goes through here, so a killed
process leaves the old file or the new one, never half of either. And guarded reads: a file a card author
controls is opened only when it is a regular file, so a FIFO, socket or device named ``card.md`` never blocks or
feeds a command."""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from .errors import ModelhubError


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write a temporary file in the same folder, fsync, rename over ``path`` (keeping its permissions)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: str | Path, data: Any) -> None:
    """Stable JSON (sorted keys, indented, final newline: small diffs when committed), written atomically."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def read_json(path: str | Path) -> dict[str, Any] | None:
    """A JSON object from ``path``, or None when the file is missing, unreadable or not an object."""
    try:
        data = json.loads(read_regular_bytes(path).decode("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"))


class NotRegularFileError(ModelhubError, OSError):
    """The path exists but is not a regular file; it was not opened for reading."""

    def __init__(self, kind: str, path: str | Path) -> None:
        super().__init__(errno.EINVAL, f"{kind}, not a regular file", str(path))
        self.kind = kind


def _refuse_unless_regular(mode: int, path: str | Path) -> None:
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(next((name for test, name in _KINDS if test(mode)), "a special file"), path)


def read_regular_bytes(path: str | Path) -> bytes:
    """The bytes of ``path`` if it is a regular file (symlinks followed); ``NotRegularFileError`` otherwise.

    The type is checked before opening (opening a FIFO blocks until a writer comes; opening a device can act on
    it) and again on the open descriptor, which is opened non-blocking, in case the path was swapped in between.
    """
    _refuse_unless_regular(os.stat(path).st_mode, path)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as handle:
        _refuse_unless_regular(os.fstat(descriptor).st_mode, path)
        return handle.read()
