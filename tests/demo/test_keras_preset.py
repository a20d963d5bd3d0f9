"""The stand-in Keras preset is rebuilt byte for byte by its script, and is what the catalog says it is: a tiny
ALBERT text classifier whose metadata tells the truth about its size."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

from generator.demo import keras_preset

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "cards" / "artifacts" / "albert_base_en_uncased_standin.zip"

needs_keras_hub = pytest.mark.skipif(importlib.util.find_spec("keras_hub") is None, reason="keras-hub not installed")


def test_the_shipped_preset_is_a_complete_text_classifier_preset_with_fixed_timestamps():
    with zipfile.ZipFile(SHIPPED) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {"config.json", "model.weights.h5", "task.json", "task.weights.h5", "preprocessor.json",
                "tokenizer.json", "metadata.json", "assets/tokenizer/vocabulary.spm"} <= set(names)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        config = json.loads(archive.read("config.json"))
        task = json.loads(archive.read("task.json"))
        metadata = json.loads(archive.read("metadata.json"))
    assert config["class_name"] == "AlbertBackbone" and task["class_name"] == "AlbertTextClassifier"
    assert config["config"]["num_layers"] == 2 and config["config"]["vocabulary_size"] <= 50
    assert metadata["date_saved"] == keras_preset.DATE_SAVED


@needs_keras_hub
@pytest.mark.slow
def test_the_script_rebuilds_the_shipped_zip_byte_for_byte_and_its_parameter_count_is_the_configs(tmp_path):
    import keras_hub

    parameters, digest = keras_preset.build_zip(tmp_path / "preset.zip")
    assert digest == hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    with zipfile.ZipFile(SHIPPED) as archive:
        archive.extractall(tmp_path / "preset")
    metadata = json.loads((tmp_path / "preset" / "metadata.json").read_text())
    backbone = keras_hub.models.Backbone.from_preset(str(tmp_path / "preset"), load_weights=False)
    assert metadata["parameter_count"] == backbone.count_params() == parameters
