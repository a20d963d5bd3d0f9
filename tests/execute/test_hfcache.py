"""The transformers runtime's offline hub cache: hub ids and card names resolve to the verified artifact."""

from __future__ import annotations

import pytest

from generator.execute.hfcache import lay_out_model, repo_folder, valid_repo_id


@pytest.mark.parametrize("name, valid", [
    ("sentence-transformers/all-MiniLM-L6-v2", True), ("albert_base_sequence_classifier_imdb", True),
    ("demo-albert", True), ("a/b/c", False), ("bad--name", False), ("-x", False), ("x" * 97, False),
    ("spaces not allowed", False),
])
def test_repo_ids_are_validated_like_the_hub_does(name, valid):
    assert valid_repo_id(name) is valid


def test_every_alias_gets_a_snapshot_and_a_main_ref(tmp_path):
    model = tmp_path / "model"
    (model / "1_Pooling").mkdir(parents=True)
    (model / "config.json").write_text('{"model_type": "bert"}')
    (model / "1_Pooling" / "config.json").write_text("{}")
    cache = tmp_path / "hub"
    done = lay_out_model(cache, ["org/model", "card-name", "not valid"], model, "a" * 40)
    assert done == ["org/model", "card-name"]
    for repo in done:
        folder = repo_folder(cache, repo)
        assert (folder / "refs" / "main").read_text() == "a" * 40
        snapshot = folder / "snapshots" / ("a" * 40)
        assert (snapshot / "config.json").read_text() == '{"model_type": "bert"}'
        assert (snapshot / "1_Pooling" / "config.json").exists()
    assert repo_folder(cache, "org/model").name == "models--org--model"


def test_huggingface_hub_finds_the_files_offline(tmp_path, monkeypatch):
    hub = pytest.importorskip("huggingface_hub")
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    lay_out_model(tmp_path / "hub", ["org/model"], model, "b" * 40)
    found = hub.try_to_load_from_cache("org/model", "config.json", cache_dir=tmp_path / "hub")
    assert found is not None and found.endswith("config.json")
