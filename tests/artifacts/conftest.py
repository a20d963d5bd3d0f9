"""Artifacts built once per test session (real models, real zips), and settings that keep fault tests fast."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.artifacts import ArtifactSettings, ArtifactStore
from generator.config import Config
from tests.builders import (build_keras_preset, build_onnx_file, build_spark_nlp_model_zip,
                            build_tiny_albert_classifier, zip_directory)

IMDB_ZIP = "albert_base_sequence_classifier_imdb_en_3.4.0_3.0_1639652560396.zip"


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("artifacts")
    albert = build_tiny_albert_classifier(root / "tiny_albert", labels=("neg", "pos"))
    return {
        "albert_dir": albert,
        "albert_zip": zip_directory(albert, root / "tiny_albert.zip"),
        "spark_zip": build_spark_nlp_model_zip(root / IMDB_ZIP),
        "keras_preset": build_keras_preset(root / "albert_base_en_uncased"),
        "onnx": build_onnx_file(root / "tiny.onnx"),
    }


def fast_settings(cache: Path, **overrides) -> ArtifactSettings:
    """Short timeouts and backoff so a stalled or failing server costs a fraction of a second. Local paths are
    taken as a user types them (not confined to a catalog: ``test_resolve`` covers confinement)."""
    values = dict(cache_dir=cache, connect_timeout=2.0, read_timeout=0.4, retries=2, backoff=0.01,
                  revalidate_after=3600.0, workers=4, confined=False)
    values.update(overrides)
    return ArtifactSettings(**values)


@pytest.fixture
def settings(tmp_path) -> ArtifactSettings:
    return fast_settings(tmp_path / "cache")


@pytest.fixture
def store(settings):
    store = ArtifactStore(settings)
    yield store
    store.close()


def config_for(root: Path, **artifacts) -> Config:
    table = {"cache_dir": str(root / "cache"), "read_timeout": 0.4, "retries": 1, "backoff": 0.01, **artifacts}
    return Config(root, {"artifacts": table})
