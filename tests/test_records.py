"""The stage records: typed attributes read once from the stage's JSON, which they give back unchanged (results files,
per-model JSON and models.json stay byte for byte what they were); status words are enums whose values are the words
written there."""

from __future__ import annotations

import json
import pickle

import pytest

from generator.pipeline import CardRecord
from generator.records import (
    ArtifactRecord,
    ArtifactStatus,
    BenchRecord,
    BenchStatus,
    RunReason,
    RunRecord,
    RunStatus,
    from_json,
    status_of,
    to_json,
)
from tests.checks.conftest import card_of


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


STORED_RUN = {"status": "failed", "reason": "ZeroDivisionError", "runtime": "python", "date": "2026-01-02T03:04:05",
              "cells": [{"line": 10, "stdout": "1\n", "value": None, "error": None},
                        {"line": 14, "stdout": "", "value": None, "error": {"line": 15, "type": "ZeroDivisionError"}}],
              "a_key_from_a_newer_version": {"kept": [1, 2]}, "executed": False}


def test_a_run_record_reads_its_json_once_and_gives_it_back_unchanged():
    run = RunRecord.from_json(STORED_RUN)
    assert run.status is RunStatus.FAILED and run.reason == "ZeroDivisionError" and run.runtime == "python"
    assert [cell.line for cell in run.cells] == [10, 14] and [cell.error_line for cell in run.cells] == [None, 15]
    assert run.skipped is None  # written before skipped blocks were recorded
    assert json.dumps(to_json(run)) == json.dumps(STORED_RUN)  # same keys, same order, unknown keys kept


def test_an_unknown_status_word_reads_as_no_status_and_is_written_back_as_it_was():
    run = RunRecord.from_json({"status": "exploded", "reason": "edited by hand"})
    assert run.status is None and run.reason == "edited by hand"
    assert run.to_json()["status"] == "exploded"
    assert BenchRecord.from_json({"status": "ok"}).status is None  # a run word is not a bench status


def test_artifact_facts_and_their_presets_are_typed():
    facts = ArtifactRecord.from_json({
        "url": "http://host/m.zip", "resolved_url": None, "status": "ok", "size": 1234, "labels": ["neg", "pos"],
        "origin": {"labels": "config.json id2label"},
        "presets": {"base": {"status": "ok", "parameters": 11_683_584, "url": "kaggle://x"}}})
    assert facts.ok and facts.where == "http://host/m.zip" and facts.size == 1234 and facts.labels == ("neg", "pos")
    assert facts.origin["labels"] == "config.json id2label"
    assert facts.presets["base"].ok and facts.presets["base"].parameters == 11_683_584
    assert not ArtifactRecord.from_json({"status": "not-checked", "error": "offline"}).ok


def test_a_bench_record_types_its_claims():
    bench = BenchRecord.from_json({"status": "measured", "stale": None, "quality": {"metrics": {"accuracy": 0.9}},
                                   "claims": [{"kind": "quality", "metric": "accuracy", "claimed": 0.95,
                                               "measured": 0.9, "tolerance": 0.02, "within": False, "line": 12}]})
    assert bench.status is BenchStatus.MEASURED and bench.stale is None
    (claim,) = bench.claims
    assert (claim.kind, claim.metric, claim.claimed, claim.measured, claim.within, claim.line) == (
        "quality", "accuracy", 0.95, 0.9, False, 12)


def test_from_json_keeps_a_record_and_none():
    run = RunRecord.from_json(STORED_RUN)
    assert from_json(RunRecord, run) is run and from_json(RunRecord, None) is None and to_json(None) is None
    assert from_json(RunRecord, STORED_RUN) == run  # records compare by their JSON


def test_a_card_record_serialises_its_stage_records_and_pickles_for_the_process_pool():
    record = CardRecord(card_of("---\nmodelhub: 1\nname: x\n---\n# X\n", "cards/x.md"),
                        facts=ArtifactRecord.from_json({"url": "m.zip", "status": "error", "error_kind": "not-found"}),
                        runs=RunRecord.from_json(STORED_RUN), bench=BenchRecord.from_json({"status": "missing"}))
    data = record.to_dict()
    assert data["runs"] == STORED_RUN and data["bench"] == {"status": "missing"}
    assert data["facts"]["error_kind"] == "not-found"
    again = pickle.loads(pickle.dumps(record))
    assert again.runs == record.runs and again.runs.cells[1].error_line == 15 and again.facts.status == "error"


def test_the_reason_code_is_handed_over_beside_the_json_and_never_written():
    run = RunRecord.from_json({"status": "not_executed", "reason": "the card opts out of execution (execute: false)",
                               "cells": [], "reason_code": "opted-out"})
    assert run.reason_code is RunReason.OPTED_OUT and run.reason_code.by_design
    assert list(run.to_json()) == ["status", "reason", "cells"]  # the per-model JSON is what it was
    assert RunRecord.from_json({"status": "not_executed", "reason_code": "made-up"}).reason_code is None
    assert not RunReason.SANDBOX_FAILED.by_design
