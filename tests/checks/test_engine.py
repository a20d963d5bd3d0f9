"""The engine: rule collections, selection and severity from configuration, per-card suppression, context needs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from generator.card import parse_card
from generator.checks import CheckContext, RuleSelection, RuleSet, check_card, check_cards, default_rules, rule
from generator.checks.rules import DEFAULT_RULES, FAMILY_MODULES
from generator.config import Config, ConfigError, load_config
from tests.checks.conftest import CLEAN, broken, card_of

TWO_DEFECTS = broken(("|Max sentence length:|512|", "|Max sentense length:|512|"),
                     ("|Language:|en|", "|Language:|[en]|"))


def _codes(text: str, selection: RuleSelection, path: str = "cards/2021-12-16-albert_base_sequence_classifier_imdb_en.md"):
    return [f.code for f in check_card(card_of(text, path), CheckContext(selection=selection))]


def test_every_rule_has_a_stable_code_family_severity_summary_and_hint():
    rules = default_rules()
    assert rules is DEFAULT_RULES and len(rules) >= 50
    for code, rule_ in rules.items():
        assert code.startswith("MH") and code[2:].isdigit() and len(code) == 5
        assert rule_.severity in ("error", "warning", "info") and rule_.family and rule_.summary and rule_.hint


def test_rule_modules_list_includes_the_other_stages_rule_families():
    names = [module.__name__ for module in FAMILY_MODULES]
    for name in ("generator.checks.artifacts", "generator.checks.execution", "generator.checks.bench"):
        assert name in names


def test_declaring_a_rule_registers_nothing_and_a_code_is_declared_once():
    @rule("MH095", "test-declared", "parse", "info", "test rule", "none")
    def declared(card, context):
        return []

    assert "MH095" not in default_rules() and declared.rule.code == "MH095"
    with pytest.raises(ValueError, match="MH095 is declared twice"):
        RuleSet([declared.rule, replace(declared.rule, check=lambda card, context: [])])
    assert "MH095" in DEFAULT_RULES + [declared.rule] and "MH095" not in DEFAULT_RULES


def test_a_selection_and_its_rules_travel_to_worker_processes():
    import pickle

    selection = pickle.loads(pickle.dumps(RuleSelection(select=("parse",))))
    assert sorted(selection.rules) == sorted(DEFAULT_RULES) and selection.rules["MH002"].family == "parse"


def test_parse_diagnostics_are_configurable_rules():
    for code in ("MH000", "MH001", "MH002", "MH003", "MH004", "MH005", "MH006"):
        assert DEFAULT_RULES[code].family == "parse"
    card = parse_card("---\ntitle: [unclosed\n---\n```python\nx = 1\n", "x.md")
    findings = check_card(card, CheckContext(selection=RuleSelection(select=("parse",))))
    assert [(f.code, f.line) for f in findings] == [("MH002", 2), ("MH006", 4)]  # the line where `[` opens
    assert check_card(card, CheckContext(selection=RuleSelection(select=("parse",), ignore=("MH002",))))[0].code == "MH006"


def test_select_and_ignore_by_code_prefix_and_family_most_specific_wins():
    assert set(_codes(TWO_DEFECTS, RuleSelection())) == {"MH202", "MH401"}
    assert _codes(TWO_DEFECTS, RuleSelection(select=("MH2",))) == ["MH202"]
    assert _codes(TWO_DEFECTS, RuleSelection(select=("cross-field",))) == ["MH401"]
    assert _codes(TWO_DEFECTS, RuleSelection(ignore=("MH4",))) == ["MH202"]
    assert _codes(TWO_DEFECTS, RuleSelection(select=("MH401",), ignore=("MH4",))) == ["MH401"]


def test_configuration_sets_selection_severity_and_per_file_ignores(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.modelhub.rules]\nignore = ["MH202"]\nseverity = { MH401 = "error" }\n'
        'per-file-ignores = { "legacy/*" = ["MH4"] }\n')
    selection = RuleSelection.from_config(load_config(tmp_path))
    findings = check_card(card_of(TWO_DEFECTS, "cards/x.md"), CheckContext(selection=selection))
    assert [(f.code, f.severity) for f in findings] == [("MH401", "error")]
    assert check_card(card_of(TWO_DEFECTS, "legacy/x.md"), CheckContext(selection=selection)) == []


def test_command_line_select_replaces_and_ignore_extends_the_configuration():
    config = Config(Path("."), {"rules": {"select": ["MH2"], "ignore": ["MH203"]}})
    selection = RuleSelection.from_config(config, select=["MH4"], ignore=["MH402"])
    assert selection.select == ("MH4",) and selection.ignore == ("MH203", "MH402")


@pytest.mark.parametrize("rules", [{"select": ["MH9X"]}, {"severity": {"MH401": "fatal"}}, {"ignore": 3},
                                   {"per-file-ignores": ["x"]}])
def test_bad_rule_configuration_is_a_clear_error(rules):
    with pytest.raises(ConfigError) as error:
        RuleSelection.from_config(Config(Path("."), {"rules": rules}, Path("pyproject.toml")))
    assert "pyproject.toml" in str(error.value)


def test_a_card_silences_rules_with_an_html_comment():
    silenced = TWO_DEFECTS + "\n<!-- modelhub: ignore MH202, MH4 -->\n"
    assert _codes(silenced, RuleSelection()) == []
    one = TWO_DEFECTS + "\n<!-- modelhub: ignore MH202 -->\n"
    assert _codes(one, RuleSelection()) == ["MH401"]
    everything = TWO_DEFECTS + "<!--modelhub:ignore ALL-->"
    assert _codes(everything, RuleSelection()) == []


def test_silencing_comments_are_read_as_before_and_in_linear_time():
    from generator.checks import suppressed_codes
    from tests.timing import assert_linear

    def codes(text):
        return suppressed_codes(parse_card(f"---\nname: x\n---\n{text}\n"))

    assert codes("<!-- modelhub: ignore MH1, MH202 --> <!--MODELHUB:IGNORE ALL-->") == ("MH1", "MH202", "ALL")
    assert codes("<!-- modelhub: ignore MH1 > --> <!-- modelhub: ignore-->") == ()
    assert codes("<!-- modelhub: ignore <!-- modelhub: ignore MH3 -->") == ("<!--", "modelhub:", "ignore", "MH3")
    assert_linear(lambda n: "<!-- modelhub: ignore MH1 " * n, codes, 1_000)


def test_rules_needing_artifact_facts_are_skipped_without_them():
    seen = []

    @rule("MH098", "test-needs-facts", "artifacts", "warning", "test rule", "none", needs=("facts",))
    def needs_facts(card, context):
        seen.append(context.facts)
        yield needs_facts.rule.finding(card.path, 1, "facts seen")

    selection = RuleSelection(select=("MH098",), rules=DEFAULT_RULES + [needs_facts.rule])
    assert check_card(card_of(CLEAN), CheckContext(selection=selection)) == []
    findings = check_card(card_of(CLEAN), CheckContext(selection=selection, facts={"size": 1}))
    assert [f.message for f in findings] == ["facts seen"] and [facts.size for facts in seen] == [1]


def test_a_crashing_rule_becomes_a_finding_not_a_crash():
    @rule("MH097", "test-crash", "results", "warning", "test rule", "none")
    def crash(card, context):
        raise ZeroDivisionError("boom")
        yield

    selection = RuleSelection(select=("MH097",), rules=RuleSet([crash.rule]))
    findings = check_card(card_of(CLEAN), CheckContext(selection=selection))
    assert findings[0].code == "MH999" and "ZeroDivisionError: boom" in findings[0].message


def test_severity_override_applies_to_findings():
    selection = RuleSelection(select=("MH202",), severity={"MH2": "info"})
    findings = check_card(card_of(TWO_DEFECTS), CheckContext(selection=selection))
    assert [f.severity for f in findings] == ["info"]


def test_severity_override_keeps_the_findings_autofix():
    selection = RuleSelection(select=("MH104",), severity={"MH104": "error"})
    findings = check_card(card_of(broken(("date: 2021-12-16", "date: 16/12/2021"))), CheckContext(selection=selection))
    assert [(f.code, f.severity, f.fix) for f in findings] == [("MH104", "error", ("16/12/2021", "2021-12-16"))]


def test_check_cards_passes_each_card_its_own_stage_records():
    card = card_of(CLEAN, "cards/a.md")
    results = check_cards([card], facts={"cards/a.md": {"x": 1}})
    assert results == {"cards/a.md": []}
