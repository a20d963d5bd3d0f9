"""Finding card files on disk: the one place that knows which files under a folder are cards."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

CARD_SUFFIXES = (".md", ".markdown", ".txt")


def iter_card_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand folders into the card files below them (sorted, hidden folders skipped); files are kept as given."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(_cards_below(path))
        else:
            yield path


def _cards_below(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # never descend into .git, .venv, caches
        for name in files:
            if not name.startswith(".") and name.lower().endswith(CARD_SUFFIXES):
                yield Path(root, name)
