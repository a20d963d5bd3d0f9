"""Editing a card changes the bytes of one block and nothing else."""

from __future__ import annotations

import pytest

from generator.card import parse_card, read_card, replace_results, set_front_matter_value
from generator.card.edit import serialize
from tests.conftest import all_reference_files, seed


@pytest.mark.parametrize("path", all_reference_files(), ids=lambda p: p.name)
def test_parse_then_write_is_byte_identical(path):
    assert serialize(read_card(path)) == path.read_bytes()


def _diff_outside(old: bytes, new: bytes) -> tuple[bytes, bytes]:
    """The differing middle of two byte strings, after the common prefix and suffix are removed."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return old[prefix:len(old) - suffix], new[prefix:len(new) - suffix]


def test_replace_fenced_results_rewrites_only_the_block():
    card = read_card(seed(1))
    new = replace_results(card, "[pos]\n")
    old_part, new_part = _diff_outside(card.source, new)
    assert b"[neg, neg]" in old_part and new_part.strip().endswith(b"[pos]")
    reparsed = parse_card(new)
    assert reparsed.results.text == "[pos]\n"
    assert reparsed.results.language == "bash"
    assert reparsed.benchmark.metrics == card.benchmark.metrics


def test_card_without_results_gets_a_section_before_model_information():
    card = read_card(seed(0))
    new = replace_results(card, "label: toxic", language="text")
    reparsed = parse_card(new)
    assert reparsed.results.text == "label: toxic\n"
    titles = [s.title for s in reparsed.sections]
    assert titles.index("Results") == titles.index("Model Information") - 1
    assert b"{:.model-param}\n## Model Information" in new  # the attribute list stays with its heading
    assert new.replace(b"## Results\n\n```text\nlabel: toxic\n```\n\n", b"", 1) == card.source


def test_prose_results_section_becomes_a_fenced_block():
    card = parse_card("---\nname: x\n---\n## Results\nSome prose.\n\n## Data Source\nx\n")
    new = replace_results(card, "42")
    assert parse_card(new).results.text == "42\n"
    assert new.endswith(b"## Data Source\nx\n")


def test_set_front_matter_value_changes_one_value():
    card = read_card(seed(1))
    new = set_front_matter_value(card, "spark_version", 3.4)
    old_part, new_part = _diff_outside(card.source, new)
    assert (old_part, new_part) == (b"0", b"4")
    assert parse_card(new).spark_version == "3.4"
    as_string = set_front_matter_value(card, "spark_version", "3.4")
    assert parse_card(as_string).front_matter["spark_version"] == "3.4"  # quoted, so it stays a string


def test_set_front_matter_value_appends_a_missing_key():
    card = read_card(seed(4))
    new = set_front_matter_value(card, "engine", "onnx")
    assert parse_card(new).engine == "onnx"
    assert new.replace(b"engine: onnx\n", b"", 1) == card.source


def test_set_front_matter_value_quotes_what_yaml_would_misread():
    card = parse_card("---\nname: x\ntitle: old # keep\n---\n")
    new = set_front_matter_value(card, "title", "a: b")
    assert parse_card(new).title == "a: b"
    assert b"# keep" in new


def test_set_block_value_replaces_its_indented_lines():
    card = parse_card("---\nname: x\nartifact:\n  url: a\n  size: 1\nlanguage: en\n---\nbody\n")
    new = set_front_matter_value(card, "artifact", {"url": "b"})
    reparsed = parse_card(new)
    assert reparsed.front_matter["artifact"] == {"url": "b"} and reparsed.language == "en"


def test_crlf_cards_keep_their_line_endings():
    card = parse_card(b"---\r\nname: x\r\n---\r\n## Results\r\n```\r\nold\r\n```\r\n")
    new = replace_results(card, "new\nlines")
    assert b"new\r\nlines\r\n```" in new and b"\n" not in new.replace(b"\r\n", b"")
