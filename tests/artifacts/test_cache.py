"""The cache is content-addressed and written atomically: interrupted work never looks finished."""

from __future__ import annotations

import pytest

from generator.artifacts import ArtifactStore
from generator.artifacts import cache as cache_module
from generator.artifacts.cache import ArtifactCache
from generator.fileio import read_json, write_json_atomic
from tests.artifacts.conftest import fast_settings


def test_atomic_json_write_leaves_nothing_behind_when_it_fails(tmp_path):
    target = tmp_path / "facts.json"
    write_json_atomic(target, {"a": 1})
    with pytest.raises(TypeError):
        write_json_atomic(target, {"a": object()})
    assert read_json(target) == {"a": 1} and [p.name for p in tmp_path.iterdir()] == ["facts.json"]


def test_half_extracted_tree_from_a_killed_run_is_not_used(tmp_path, built):
    store = ArtifactStore(fast_settings(tmp_path / "cache"))
    leftover = tmp_path / "cache" / "trees" / ".tmp-killed"
    leftover.mkdir(parents=True)
    (leftover / "config.json").write_text("{")  # what a killed extraction left
    folder = store.materialize(str(built["albert_zip"]))
    assert folder.parent == tmp_path / "cache" / "trees" and not folder.name.startswith(".tmp")
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in built["albert_dir"].iterdir())


def test_local_zip_is_hashed_once_until_it_changes(tmp_path, built, monkeypatch):
    calls = []
    original = cache_module.sha256_file
    monkeypatch.setattr(cache_module, "sha256_file", lambda path: calls.append(path) or original(path))
    zipped = tmp_path / "m.zip"
    zipped.write_bytes(built["albert_zip"].read_bytes())
    cache = ArtifactCache(tmp_path / "cache")
    first = cache.local_sha256(zipped)
    assert cache.local_sha256(zipped) == first and len(calls) == 1
    zipped.write_bytes(built["spark_zip"].read_bytes())
    assert cache.local_sha256(zipped) != first and len(calls) == 2

