"""The execute stage fills ``record.runs``; by default (frozen) it only reads stored results."""

from __future__ import annotations

from generator.card import read_card
from generator.execute.runner import Executor
from generator.execute.stage import ExecuteStage
from generator.pipeline import BuildContext
from generator.records import RunStatus
from generator.stages import run_pipeline

CARD = "---\nmodelhub: 1\nname: sq\nruntime: python\n---\n\n# Sq\n\n```python\n[n * n for n in range(4)]\n```\n"


def test_the_stage_runs_after_artifacts_and_before_bench():
    from generator.stages import default_stages

    assert [s.name for s in default_stages()].index("execute") == 1


def test_frozen_build_reads_stored_runs_without_executing(catalog):
    path = catalog.card("sq.md", CARD)
    records = run_pipeline([path], BuildContext(catalog.config, mode="frozen", quiet=True), only=["execute"])
    assert records[0].runs.status is RunStatus.MISSING
    Executor(catalog.config, "auto").run([read_card(path)])
    records = run_pipeline([path], BuildContext(catalog.config, mode="frozen", quiet=True), only=["execute"])
    assert records[0].runs.status is RunStatus.OK
    assert records[0].runs.results_text == "[0, 1, 4, 9]"
    runs = records[0].runs.to_json()
    assert runs["executed"] is False
    assert set(runs) >= {"status", "reason", "runtime", "versions", "date", "hardware", "duration", "cells",
                         "results_text"}
    assert runs["cells"][0] == {"line": 10, "stdout": "", "stderr": "", "value": "[0, 1, 4, 9]", "error": None,
                                "duration": runs["cells"][0]["duration"]}


def test_mode_off_leaves_runs_empty(catalog):
    path = catalog.card("sq.md", CARD)
    records = run_pipeline([path], BuildContext(catalog.config, mode="off", quiet=True), only=["execute"])
    assert records[0].runs is None


def test_auto_mode_executes_inside_the_build(catalog):
    path = catalog.card("sq.md", CARD)
    context = BuildContext(catalog.config, mode="frozen", quiet=True)
    records = run_pipeline([path], context, stages=[ExecuteStage(mode="auto")])
    assert records[0].runs.status is RunStatus.OK and records[0].runs.to_json()["executed"] is True
