"""Front matter reads as YAML 1.2 (only true/false are booleans), behind a byte order mark too, and keeps lists as
lists: `language: no` is Norwegian, `spark_version: [3.2, 3.0]` is two versions."""

from __future__ import annotations

from generator.card import parse_card
from tests.checks.conftest import only

NORWEGIAN = "---\nname: bert_ner_nb\nlanguage: no\nsupported: true\ndeprecated: off\ntags: [ner, no, yes]\n---\n# NER\n"


def test_no_yes_on_off_stay_words():
    card = parse_card(NORWEGIAN)
    assert card.front_matter["language"] == "no"
    assert card.language == "no"
    assert card.front_matter["tags"] == ["ner", "no", "yes"]
    assert card.front_matter["supported"] is True
    assert card.deprecated is False  # `off` as written still means not deprecated


def test_norwegian_is_a_known_language_not_a_type_error():
    assert only("MH108", NORWEGIAN) == []
    # only `deprecated: off` is a type error: in YAML 1.2 it is the word "off", not a boolean
    assert [finding.line for finding in only("MH102", NORWEGIAN)] == [5]


def test_real_hugging_face_language_codes_are_accepted():
    card = "---\nlanguage: [multilingual, zle, zlw, yue, bh, en]\nlicense: apache-2.0\n---\n# m\n"
    assert only("MH108", card) == []
    [finding] = only("MH108", "---\nname: x\nlanguage: [en, english]\n---\n# m\n")
    assert "`english` is not a known language code" in finding.message and finding.line == 3


def test_a_byte_order_mark_does_not_hide_the_front_matter():
    card = parse_card("\ufeff---\nname: ner_x\ntitle: NER\n---\n## Description\n\nText.\n".encode("utf-8"))
    assert card.front_matter == {"name": "ner_x", "title": "NER"}
    assert card.key_lines == {"name": 2, "title": 3}
    assert [d.code for d in card.diagnostics] == []
    assert card.sections[0].line == 5


def test_list_values_stay_lists():
    card = parse_card("---\nname: x\nspark_version: [3.2, 3.0]\n---\n# m\n")
    assert card.spark_versions == ["3.2", "3.0"]
    assert card.spark_version == "3.2"
    assert card.to_record()["spark_versions"] == ["3.2", "3.0"]
