from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers import artifact_server, second_server  # noqa: F401  (loopback HTTP fixtures for every suite)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus" / "jsl"


def seed(number: int) -> Path:
    return next(SEEDS.glob(f"{number:03d}_*"))


@pytest.fixture
def seed_path():
    return seed


def corpus_files() -> list[Path]:
    return sorted(CORPUS.iterdir()) if CORPUS.exists() else []


def all_reference_files() -> list[Path]:
    return corpus_files() + sorted(SEEDS.iterdir())
