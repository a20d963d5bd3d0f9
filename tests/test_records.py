"""The status words of the stage records: enums whose values are the words written in results files, per-model JSON
and models.json, so typing a record never changes its JSON."""

from __future__ import annotations

import json
import pickle

import pytest

from generator.records import ArtifactStatus, BenchStatus, RunStatus, status_of


def test_the_words_are_stable():
    assert [s.value for s in ArtifactStatus] == ["ok", "error", "not-checked"]
    assert [s.value for s in RunStatus] == ["ok", "failed", "not_executed", "stale", "missing"]
    assert [s.value for s in BenchStatus] == ["measured", "not_measured", "missing"]


@pytest.mark.parametrize("member", [*ArtifactStatus, *RunStatus, *BenchStatus])
def test_a_member_serialises_as_its_word_and_reads_back_as_itself(member):
    record = {"status": member, "reason": None}
    text = json.dumps(record, sort_keys=True)
    assert text == json.dumps({"status": member.value, "reason": None}, sort_keys=True)
    assert f"{member}" == str(member) == member.value  # messages and templates show the word
    assert status_of(json.loads(text), type(member)) is member
    assert pickle.loads(pickle.dumps(record)) == record  # the build cache keeps records as pickles


def test_no_record_no_status_or_an_unknown_word_is_none():
    assert status_of(None, RunStatus) is None
    assert status_of({}, RunStatus) is None
    assert status_of({"status": None}, BenchStatus) is None
    assert status_of({"status": "exploded"}, RunStatus) is None  # a hand-edited results file is not a crash
    assert status_of({"status": "measured"}, RunStatus) is None  # a bench word is not a run status
