"""The kagglehub cache layout: kagglehub itself finds a laid-out preset, names come from snippets and handles from
keras-hub's own registry, and a handle cannot steer files out of the cache."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from generator.execute import kerashub

needs_kagglehub = pytest.mark.skipif(importlib.util.find_spec("kagglehub") is None, reason="kagglehub not installed")
needs_keras_hub = pytest.mark.skipif(importlib.util.find_spec("keras_hub") is None, reason="keras-hub not installed")


def preset_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "preset"
    (folder / "assets" / "tokenizer").mkdir(parents=True)
    (folder / "config.json").write_text('{"class_name": "AlbertBackbone"}')
    (folder / "model.weights.h5").write_bytes(b"weights")
    (folder / "assets" / "tokenizer" / "vocabulary.spm").write_bytes(b"spm")
    return folder


def test_preset_names_are_the_string_literals_passed_to_from_preset_in_order_once_each():
    code = ('a = keras_hub.models.AlbertTextClassifier.from_preset(\n'
            '    "albert_base_en_uncased",\n    num_classes=4)\n'
            "b = keras_hub.models.CausalLM.from_preset('gemma_2b_en')\n"
            "c = Backbone.from_preset(preset='bert_base_en')\n"
            "d = X.from_preset(name_in_a_variable)\n"
            'e = Y.from_preset("albert_base_en_uncased")\n')
    assert kerashub.preset_names(code) == ["albert_base_en_uncased", "gemma_2b_en", "bert_base_en"]


@pytest.mark.parametrize(("handle", "variation"), [
    ("kaggle://keras/albert/keras/albert_base_en_uncased/5", "albert_base_en_uncased"),
    ("kaggle://keras/albert/keras/albert_base_en_uncased", None),  # unversioned: kagglehub would ask the API
    ("https://www.kaggle.com/models/keras/albert/keras/albert_base_en_uncased/5", None),
    ("kaggle://keras/albert/keras/../5", None),
])
def test_variation_of_a_handle(handle, variation):
    assert kerashub.variation_of(handle) == variation


@pytest.mark.parametrize("handle", ["kaggle://../../../etc/5", "kaggle://keras/albert/keras/../5",
                                    "kaggle://keras/albert/keras/x/../../5", "kaggle://keras/a/b/c/notaversion"])
def test_a_handle_that_would_leave_the_cache_is_refused(tmp_path, handle):
    with pytest.raises(kerashub.KerasHubError):
        kerashub.lay_out_preset(tmp_path / "cache", handle, preset_folder(tmp_path))
    assert not (tmp_path / "cache").exists()


def test_a_folder_without_config_json_is_not_a_preset(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(kerashub.KerasHubError, match="no config.json"):
        kerashub.lay_out_preset(tmp_path / "cache", "kaggle://keras/albert/keras/albert_base_en_uncased/5",
                                tmp_path / "empty")


@needs_kagglehub
def test_kagglehub_serves_every_file_of_a_laid_out_preset_from_the_cache(tmp_path, monkeypatch):
    from kagglehub.cache import Cache
    from kagglehub.handle import parse_model_handle

    handle = "kaggle://keras/albert/keras/albert_base_en_uncased/5"
    bundle = kerashub.lay_out_preset(tmp_path / "cache", handle, preset_folder(tmp_path))
    monkeypatch.setenv("KAGGLEHUB_CACHE", str(tmp_path / "cache"))
    parsed = parse_model_handle(handle.removeprefix("kaggle://"))
    for name in ("config.json", "model.weights.h5", "assets/tokenizer/vocabulary.spm"):
        found = Cache().load_from_cache(parsed, name)
        assert found == str(bundle / name) and Path(found).read_bytes() == (tmp_path / "preset" / name).read_bytes()
    assert Cache().load_from_cache(parsed) == str(bundle)  # the whole bundle is marked complete
    assert Cache().load_from_cache(parsed, "task.json") is None  # what the preset lacks is not invented


def test_the_offline_environment_points_kagglehub_at_the_cache_only(tmp_path):
    env = kerashub.offline_env(tmp_path / "kaggle")
    assert env["KAGGLEHUB_CACHE"] == str(tmp_path / "kaggle")
    assert env["KAGGLE_CONFIG_DIR"].startswith(str(tmp_path / "kaggle"))  # never the user's ~/.kaggle
    assert env["KERAS_BACKEND"] == "torch" and env["TORCHDYNAMO_DISABLE"] == "1"


@needs_keras_hub
@pytest.mark.slow
def test_the_registry_is_keras_hubs_own(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    from keras_hub.src.utils.preset_utils import BUILTIN_PRESETS

    registry = kerashub.preset_registry()
    assert set(registry) == {name for name, entry in BUILTIN_PRESETS.items() if entry.get("kaggle_handle")}
    for name, entry in registry.items():
        assert entry.handle == BUILTIN_PRESETS[name]["kaggle_handle"]
        assert entry.parameters == BUILTIN_PRESETS[name]["metadata"].get("params")
    assert kerashub.variation_of(registry["albert_base_en_uncased"].handle) == "albert_base_en_uncased"


def test_a_registry_that_cannot_be_read_names_the_failing_import(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'sentencepiece'\" >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(kerashub.KerasHubError, match="No module named 'sentencepiece'"):
        kerashub.preset_registry(str(fake))


def test_the_registry_is_read_once_per_interpreter_and_version_into_the_cache(tmp_path, monkeypatch):
    calls = tmp_path / "calls"
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\necho x >> {calls}\n"
                    "echo '{\"bert_tiny_en\": {\"handle\": \"kaggle://keras/bert/keras/bert_tiny_en/2\", "
                    "\"parameters\": 4385920, \"description\": \"tiny\"}}'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(kerashub, "keras_hub_version", lambda: "0.17.0")
    first = kerashub.preset_registry(str(fake), tmp_path / "cache")
    kerashub.preset_registry.cache_clear()
    again = kerashub.preset_registry(str(fake), tmp_path / "cache")
    assert first == again and again["bert_tiny_en"].parameters == 4385920
    assert calls.read_text().count("x") == 1  # the second process read the memo, not keras-hub
    monkeypatch.setattr(kerashub, "keras_hub_version", lambda: "0.18.0")  # another keras-hub: read again
    kerashub.preset_registry.cache_clear()
    kerashub.preset_registry(str(fake), tmp_path / "cache")
    assert calls.read_text().count("x") == 2



def test_every_catalog_shares_one_registry_read_in_the_environment_cache(tmp_path, monkeypatch):
    from generator.card import parse_card
    from generator.config import Config

    from ..conftest import seed

    reads: list[str] = []

    def read(python):
        reads.append(python)
        return {"albert_base_en_uncased": {"handle": "kaggle://keras/albert/keras/albert_base_en_uncased/2",
                                           "parameters": 11683584, "description": "base"}}

    monkeypatch.setattr(kerashub, "_read_registry", read)
    monkeypatch.setattr(kerashub, "keras_hub_version", lambda: "0.17.0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    text = seed(3).read_bytes()  # the Keras API page of ALBERT, with its presets table
    for catalog in ("one", "two"):  # two catalogs built with this interpreter
        kerashub.preset_registry.cache_clear()
        path = tmp_path / catalog / "albert-text-classifier.md"
        card = parse_card(text, str(path))
        assert card.dialect == "keras" and card.presets
        facts = kerashub.registry_facts([card], Config(tmp_path / catalog))
        assert facts[str(path)]["albert_base_en_uncased"]["parameters"] == 11683584
    assert len(reads) == 1  # read once, for both
    assert len(list((tmp_path / "xdg" / "modelhub" / "keras-hub").glob("keras-hub-presets-*.json"))) == 1
    assert not (tmp_path / "one" / ".modelhub-cache").exists()  # not a fact of either catalog
