"""Where the benchmarks take their cards from: the reference corpus named by MODELHUB_CORPUS (CI sets it to
../shared/corpus/jsl) and the shipped catalog in cards/. Without MODELHUB_CORPUS the benchmarks still run, on the
shipped cards alone, and say so."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CARDS = REPO / "cards"


def corpus_folder() -> Path | None:
    value = os.environ.get("MODELHUB_CORPUS", "")
    if not value:
        print("MODELHUB_CORPUS is not set: measuring on the shipped cards in cards/ only", file=sys.stderr)
        return None
    folder = Path(value).resolve()
    if not folder.is_dir():
        sys.exit(f"MODELHUB_CORPUS={value}: no such folder (point it at a folder of cards, e.g. ../shared/corpus/jsl)")
    return folder


def card_files() -> list[Path]:
    """The corpus cards (if any) followed by the shipped ones, in a stable order."""
    folder = corpus_folder()
    corpus = sorted(folder.glob("*.md")) if folder else []
    return corpus + sorted(CARDS.glob("*.md"))
