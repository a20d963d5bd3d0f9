"""Stored run results: one committable JSON file beside each card (``cards/<stem>.results.json``).

CI builds read them (mode ``frozen``) and never execute; ``auto`` re-executes a card only when its cache key
changed. The key covers the example code, the artifact's content digest, the runtime and its library versions and
the sandbox settings; the inputs are stored too, so a stale result can say what changed. The Results text is not
stored: it is derived from the cells' output on reading, so each output is kept once (printing 100 MB stores at
most ``output_cap`` characters).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..fileio import read_json, write_json_atomic
from .compare import results_text

FORMAT = 1
SUFFIX = ".results.json"
# Keys that describe this particular invocation or are derived from the cells; never written to the store.
TRANSIENT = ("executed", "cached", "stale_reasons", "stored_status", "refused", "results_text", "reason_code")


def results_path(card_path: str | Path) -> Path:
    card_path = Path(card_path)
    return card_path.with_name(card_path.stem + SUFFIX)


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def cache_key(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({"format": FORMAT, **inputs}).encode("utf-8")).hexdigest()


def read_stored(card_path: str | Path) -> dict[str, Any] | None:
    """The stored run of a card, or None when there is none (or it is unreadable or of another format)."""
    data = read_json(results_path(card_path))
    if data is None or data.get("format") != FORMAT:
        return None
    cells = data.get("cells")
    data["results_text"] = results_text(cells) if cells and isinstance(cells, list) else None
    return data


def write_stored(card_path: str | Path, run: dict[str, Any]) -> bool:
    """Store ``run`` beside the card unless the file already holds exactly it; returns whether it wrote."""
    data = {key: value for key, value in run.items() if key not in TRANSIENT}
    data["format"] = FORMAT
    path = results_path(card_path)
    if read_json(path) == json.loads(json.dumps(data)):
        return False
    write_json_atomic(path, data)
    return True
