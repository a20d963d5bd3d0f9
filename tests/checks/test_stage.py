"""The `check` pipeline stage: every record gets its findings, using what the earlier stages learnt."""

from __future__ import annotations

from generator.checks import Finding, rule
from generator.checks.rules import DEFAULT_RULES
from generator.checks.stage import CheckStage
from generator.config import Config
from generator.pipeline import BuildContext, CardRecord
from generator.stages import default_stages
from tests.checks.conftest import CLEAN, broken, card_of


def test_stage_is_the_last_of_the_default_stages():
    assert default_stages()[-1].name == "check"


def test_stage_sets_findings_and_keeps_those_other_stages_attached():
    foreign = Finding("XX001", "warning", "cards/b.md", 1, "from another stage")
    records = [CardRecord(card_of(CLEAN, "cards/a.md")),
               CardRecord(card_of(broken(("|Language:|en|", "|Language:|[en]|")), "cards/b.md"), findings=[foreign])]
    CheckStage().process(records, BuildContext(Config(".", {})))
    assert [f.code for f in records[0].findings] == ["MH117"]  # a and b describe the same model
    assert [f.code for f in records[1].findings] == ["XX001", "MH117", "MH401"]


def test_stage_gives_rules_the_records_facts():
    seen = []

    @rule("MH096", "test-facts", "parse", "info", "test rule", "none", needs=("facts",))
    def facts_rule(card, context):
        seen.append(context.facts)
        return []

    records = [CardRecord(card_of(CLEAN, "cards/a.md"), facts={"files": 3}), CardRecord(card_of(CLEAN, "cards/b.md"))]
    stage = CheckStage(rules=DEFAULT_RULES + [facts_rule.rule])
    stage.process(records, BuildContext(Config(".", {"rules": {"select": ["MH096"]}})))
    assert [facts.to_json() for facts in seen] == [{"files": 3}]  # read once into the artifacts stage's record
