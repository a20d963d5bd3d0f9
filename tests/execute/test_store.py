"""Stored results: committable JSON beside the card, written atomically, keyed by everything that shapes output."""

from __future__ import annotations

import json
import os

import pytest

from generator import fileio
from generator.execute import store
from generator.artifacts.digest import tree_digest


def test_results_live_beside_the_card(tmp_path):
    assert store.results_path(tmp_path / "cards" / "2021-x_en.md") == tmp_path / "cards" / "2021-x_en.results.json"


def test_writing_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    card = tmp_path / "x.md"
    store.write_stored(card, {"status": "ok", "reason": "1"})
    before = store.results_path(card).read_text()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(fileio.os, "replace", explode)
    with pytest.raises(OSError):
        store.write_stored(card, {"status": "ok", "reason": "2"})
    assert store.results_path(card).read_text() == before  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["x.results.json"]  # no temporary file left behind


def test_the_file_is_stable_json_and_transient_keys_are_left_out(tmp_path):
    card = tmp_path / "x.md"
    assert store.write_stored(card, {"status": "ok", "executed": True, "cached": False, "b": 1, "a": 2})
    text = store.results_path(card).read_text()
    assert json.loads(text) == {"a": 2, "b": 1, "format": store.FORMAT, "status": "ok"}
    assert text.endswith("}\n") and text.index('"a"') < text.index('"b"')  # sorted keys: small git diffs


def test_the_results_text_is_derived_from_the_cells_not_stored_twice(tmp_path):
    card = tmp_path / "x.md"
    cells = [{"line": 3, "stdout": "x" * 1000 + "\n", "value": "42"}]
    store.write_stored(card, {"status": "ok", "cells": cells, "results_text": "x" * 1000 + "\n42"})
    assert "results_text" not in json.loads(store.results_path(card).read_text())
    assert store.read_stored(card)["results_text"] == "x" * 1000 + "\n42"
    assert store.results_path(card).stat().st_size < 1300


def test_an_identical_result_is_not_rewritten(tmp_path):
    card = tmp_path / "x.md"
    store.write_stored(card, {"status": "ok"})
    stamp = os.stat(store.results_path(card)).st_mtime_ns
    assert store.write_stored(card, {"status": "ok", "executed": True}) is False
    assert os.stat(store.results_path(card)).st_mtime_ns == stamp


def test_unreadable_or_foreign_files_read_as_missing(tmp_path):
    card = tmp_path / "x.md"
    store.results_path(card).write_text("{not json")
    assert store.read_stored(card) is None
    store.results_path(card).write_text('{"format": 999}')
    assert store.read_stored(card) is None


@pytest.mark.parametrize("change", ["code", "artifact", "versions", "settings", "runtime"])
def test_the_cache_key_changes_with_every_input(change):
    inputs = {"code": "c1", "artifact": "d1", "versions": {"torch": "2.13.0"}, "settings": {"seed": 0},
              "runtime": "transformers"}
    changed = dict(inputs)
    changed[change] = {"torch": "2.14.0"} if change == "versions" else {"seed": 1} if change == "settings" else "other"
    assert store.cache_key(inputs) != store.cache_key(changed)
    assert store.cache_key(inputs) == store.cache_key(dict(reversed(list(inputs.items()))))


def test_the_artifact_digest_follows_content_and_is_remembered(tmp_path):
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    (model / "config.json").write_text("{}")
    (model / "sub" / "weights.bin").write_bytes(b"\x00" * 10)
    memo = tmp_path / "memo.json"
    first = tree_digest(model, memo)
    assert json.loads(memo.read_text())[str(model.resolve())]["digest"] == first
    assert tree_digest(model, memo) == first
    (model / "sub" / "weights.bin").write_bytes(b"\x01" * 10)
    assert tree_digest(model, memo) != first
