"""The pipeline: card -> artifacts -> execute -> bench -> check, composed in one place; each stage reads only the
card and what earlier stages wrote, by its declarations and in a real run."""

from __future__ import annotations

import dataclasses

import pytest

from generator.checks.rules import DEFAULT_RULES
from generator.config import load_config
from generator.pipeline import BuildContext, CardRecord, CardStage
from generator.stages import ORDER, default_stages, run_pipeline
from tests.conftest import seed

FIELDS = {f.name for f in dataclasses.fields(CardRecord)}


def test_the_stages_run_in_the_documented_order():
    assert ORDER == ("card", "artifacts", "execute", "bench", "check")
    assert [CardStage.name, *(stage.name for stage in default_stages())] == list(ORDER)


def test_each_stage_reads_only_the_card_and_what_earlier_stages_wrote():
    written: set[str] = set()
    for stage in [CardStage(), *default_stages()]:
        assert set(stage.reads) <= FIELDS and set(stage.writes) <= FIELDS, stage.name
        assert set(stage.reads) <= written | set(stage.writes), f"{stage.name} reads a later stage's field"
        assert not set(stage.writes) & (written - set(stage.reads)) or stage.name == "check", stage.name
        written |= set(stage.writes)
    assert written == FIELDS  # every field has a stage that fills it


def test_only_chooses_stages_by_name_in_the_pipelines_order_however_given():
    names = ["check", "bench", "artifacts"]
    assert [stage.name for stage in default_stages(iter(names))] == ["artifacts", "bench", "check"]
    assert [stage.name for stage in default_stages(name for name in names)] == ["artifacts", "bench", "check"]
    with pytest.raises(ValueError, match="unknown stage"):
        default_stages(["render"])


def test_stages_are_objects_passed_in_not_registered():
    first, second = default_stages(), default_stages()
    assert all(a is not b and type(a) is type(b) for a, b in zip(first, second))
    rules = DEFAULT_RULES + []
    assert default_stages(["check"], rules=rules)[0].rules is rules


class GuardedRecord(CardRecord):
    """A record that refuses reads of fields the running stage did not declare (and of fields no earlier stage has
    written yet)."""

    allowed: frozenset[str] | None = None

    def __getattribute__(self, name: str):
        allowed = object.__getattribute__(self, "allowed")
        if allowed is not None and name in FIELDS and name not in allowed:
            raise AssertionError(f"a stage read record.{name} without declaring it")
        return object.__getattribute__(self, name)


def test_a_real_run_touches_only_the_declared_fields(tmp_path):
    import shutil

    for number in (1, 2):
        shutil.copy(seed(number), tmp_path / seed(number).name)
    context = BuildContext(load_config(tmp_path), mode="frozen", offline=True, quiet=True)
    records = [GuardedRecord(record.card) for record in CardStage().load([tmp_path], context.config)]
    for stage in default_stages():
        for record in records:
            record.allowed = frozenset({*stage.reads, *stage.writes})
        stage.process(records, context)
        for record in records:
            record.allowed = None
    assert all(record.runs is not None and record.bench is not None for record in records)
    assert {f.code for record in records for f in record.findings}  # the check stage ran on what it read


def test_run_pipeline_parses_each_card_once_and_runs_the_chosen_stages(tmp_path, monkeypatch):
    import shutil

    from generator.card import parser

    shutil.copy(seed(1), tmp_path / "a.md")
    calls = []
    real = parser.parse_card
    monkeypatch.setattr(parser, "parse_card", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    records = run_pipeline([tmp_path], BuildContext(load_config(tmp_path), mode="off", offline=True, quiet=True),
                           only=["check"])
    assert len(calls) == 1 and records[0].findings and records[0].runs is None and records[0].bench is None


@pytest.mark.parametrize("stages", [["execute", "bench"], ["bench"]])
def test_each_card_gets_one_runtime_plan_shared_by_execute_and_bench(tmp_path, monkeypatch, stages):
    import shutil

    import generator.execute.plan as plan_module

    chosen = []
    choose = plan_module.choose_runtime
    monkeypatch.setattr(plan_module, "choose_runtime",
                        lambda card, code: chosen.append(card.path) or choose(card, code))
    for number in (0, 1, 3):
        shutil.copy(seed(number), tmp_path / seed(number).name)
    context = BuildContext(load_config(tmp_path), mode="frozen", offline=True, quiet=True)
    records = run_pipeline([tmp_path], context, only=stages)
    assert sorted(chosen) == sorted(record.path for record in records)  # one runtime decision per card, not two
    assert all(record.plan is not None and record.bench is not None for record in records)
