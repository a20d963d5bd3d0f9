from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.servers import artifact_server, second_server  # noqa: F401  (loopback HTTP fixtures for every suite)

REPO = Path(__file__).resolve().parents[1]
CARDS = REPO / "cards"

# The five seed documents the product was created from, shipped unchanged in cards/, numbered as they were handed
# over (000-004). Tests name them by number.
SEED_NAMES = (
    "2024-08-24-albert_base_toxicity_en.md",
    "2021-12-16-albert_base_sequence_classifier_imdb_en.md",
    "2021-12-16-albert_base_sequence_classifier_ag_news_en.md",
    "albert-text-classifier.md",
    "2020-04-28-albert_base_uncased_en.md",
)

# The larger reference corpus (221 real John Snow Labs cards) is optional: tests that want it read its folder from
# MODELHUB_CORPUS (CI sets it to ../shared/corpus/jsl) and skip, saying so, where it is not set.
_corpus = os.environ.get("MODELHUB_CORPUS", "")
CORPUS: Path | None = Path(_corpus).resolve() if _corpus else None
CORPUS_REASON = ("reference corpus not available: set MODELHUB_CORPUS to a folder of real cards "
                 "(CI uses ../shared/corpus/jsl)")
needs_corpus = pytest.mark.skipif(CORPUS is None or not CORPUS.is_dir(), reason=CORPUS_REASON)


def seed(number: int) -> Path:
    return CARDS / SEED_NAMES[number]


def seed_paths() -> list[Path]:
    return [seed(number) for number in range(len(SEED_NAMES))]


@pytest.fixture
def seed_path():
    return seed


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A folder holding exactly the five seed cards (for commands that take a folder)."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for path in seed_paths():
        shutil.copy(path, folder / path.name)
    return folder


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.md")) if CORPUS is not None and CORPUS.is_dir() else []


def all_reference_files() -> list[Path]:
    return corpus_files() + seed_paths()
