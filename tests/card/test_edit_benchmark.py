"""replace_benchmark writes a measured Benchmarking block and changes no other byte of the card."""

from __future__ import annotations

from generator.card import parse_card, read_card, replace_benchmark
from tests.card.test_edit import _diff_outside
from tests.conftest import seed

REPORT = """label         precision    recall  f1-score   support
negative         0.8000    0.6667    0.7273         6
positive         0.6667    0.8000    0.7273         5
accuracy                             0.7273        11
macro avg        0.7333    0.7333    0.7273        11
weighted avg     0.7394    0.7273    0.7273        11
"""


def test_fenced_block_keeps_fence_and_language_and_only_its_content_changes():
    card = read_card(seed(1))
    new = replace_benchmark(card, REPORT)
    old_part, new_part = _diff_outside(card.source, new)
    assert b"eval_accuracy" in old_part and b"macro avg" in new_part
    reparsed = parse_card(new)
    assert reparsed.benchmark.language == "bash"
    assert reparsed.benchmark.kind == "classification_report"
    assert reparsed.benchmark.metrics["accuracy"] == 0.7273
    assert reparsed.benchmark.per_label["negative"]["recall"] == 0.6667
    assert reparsed.results.text == card.results.text
    assert [s.code for s in reparsed.snippets] == [s.code for s in card.snippets]


def test_writing_the_same_block_twice_is_stable():
    card = read_card(seed(1))
    once = replace_benchmark(card, REPORT)
    twice = replace_benchmark(parse_card(once, card.path), REPORT)
    assert once == twice


def test_card_without_benchmarking_gets_a_section_at_the_end():
    card = parse_card("---\nname: x\n---\n\n## Description\n\nA model.\n", "x.md")
    new = replace_benchmark(card, REPORT).decode()
    assert new.startswith("---\nname: x\n---\n\n## Description\n\nA model.\n")
    assert new.endswith("## Benchmarking\n\n```bash\n" + REPORT + "```\n")
    assert parse_card(new).benchmark.metrics["macro_avg_f1"] == 0.7273


def test_prose_benchmarking_becomes_a_fenced_block_and_the_next_section_survives():
    source = "# T\n\n## Benchmarking\n\nToDo\n\n## References\n\nsome paper\n"
    card = parse_card(source, "t.md")
    new = replace_benchmark(card, REPORT).decode()
    assert "ToDo" not in new
    assert new.endswith("## References\n\nsome paper\n")
    assert parse_card(new).benchmark.per_label["positive"]["precision"] == 0.6667


def test_crlf_cards_stay_crlf():
    source = "---\r\nname: x\r\n---\r\n\r\n## Benchmarking\r\n\r\n```bash\r\nold\r\n```\r\n"
    card = parse_card(source.encode(), "x.md")
    new = replace_benchmark(card, "accuracy  0.5\nspearman  0.7\n")
    assert new == ("---\r\nname: x\r\n---\r\n\r\n## Benchmarking\r\n\r\n```bash\r\naccuracy  0.5\r\nspearman  0.7\r\n"
                   "```\r\n").encode()
