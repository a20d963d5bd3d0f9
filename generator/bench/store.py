"""Benchmark records on disk: ``<card stem>.bench.json`` beside the card, committable, written atomically.

A record carries the cache key it was measured under; the key hashes everything that changes the numbers (the
card's model and evaluation entry, the artifact and dataset digests, the settings, library versions, the probe's
own version). Hardware is recorded but not keyed: a catalog measured on one machine builds on any other.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import BenchError

SUFFIX = ".bench.json"
SCHEMA = 1
PROBE_VERSION = 2  # bump when the probe measures differently, so stored records become stale


def record_path(card_path: str | Path) -> Path:
    path = Path(card_path)
    return path.with_name(path.stem + SUFFIX)


def cache_key(parts: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of ``parts``."""
    canonical = json.dumps({"schema": SCHEMA, "probe": PROBE_VERSION, **parts}, sort_keys=True,
                           separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class StoreError(BenchError, ValueError):
    """A stored record that cannot be read; the message names the file."""


def read_record(card_path: str | Path) -> dict[str, Any] | None:
    """The stored record for a card, None when there is none. Raises StoreError for an unreadable file."""
    path = record_path(card_path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise StoreError(f"{path}: unreadable benchmark record ({error}); delete it and run "
                         "`modelhub bench --mode force` to measure again") from error
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise StoreError(f"{path}: not a modelhub benchmark record (schema {SCHEMA} expected); delete it and run "
                         "`modelhub bench --mode force`")
    return data


def write_record(card_path: str | Path, record: dict[str, Any]) -> Path:
    """Write the record next to the card: a temporary file in the same folder, then an atomic rename."""
    from ..fileio import write_json_atomic

    path = record_path(card_path)
    write_json_atomic(path, {**record, "schema": SCHEMA})
    return path


def tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
