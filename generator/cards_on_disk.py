"""Finding card files on disk: the one place that knows which files under a folder are cards."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

CARD_SUFFIXES = (".md", ".markdown", ".txt")


def iter_card_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand folders into the card files below them (sorted, hidden folders skipped); files are kept as given."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.suffix.lower() in CARD_SUFFIXES and child.is_file() and not any(
                    part.startswith(".") for part in child.relative_to(path).parts
                ):
                    yield child
        else:
            yield path
