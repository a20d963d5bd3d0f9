"""Fuzzed cards never crash a stage nor stall it: seeded mutations of the shipped cards (and of the corpus cards when
MODELHUB_CORPUS is set) go through parse, every static check, the catalog summary and the rendered page in this
process. Each must raise nothing (a rule that crashes is an MH999 finding: that counts too) and take under a second
of CPU time: the budget is about super-linear blowups (they took 5 to 150 s on 50-250 KB inputs), not
micro-timing, and CPU time does not count what other processes on the machine take.

``benchmarks/bench_fuzz.py`` runs the same inputs by the ten thousand; a failure here names the input's seed and
index, and ``tests.fuzzing.fuzzed(source_cards(), seed, index)`` makes it again.
"""

from __future__ import annotations

import pytest

from tests.conftest import CORPUS, needs_corpus, seed
from tests.fuzzing import MUTATIONS, FuzzInput, Pipeline, fuzzed, source_cards

SEED = 12
SHIPPED_INPUTS = 160
CORPUS_INPUTS = 80
BUDGET = 1.0  # CPU seconds per input


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    made = Pipeline()
    made.process(source_cards()[0][1])  # imports, rule tables and template compilation are not the input's
    return made


def _within_budget(pipeline: Pipeline, items: list[FuzzInput]) -> None:
    failures = []
    for item in items:
        outcome = pipeline.process(item.data)
        if outcome.seconds > BUDGET:  # once more: a page fault or a cold cache is not a blowup
            outcome = pipeline.process(item.data)
        if outcome.error or outcome.seconds > BUDGET:
            failures.append(f"{item.label} ({len(item.data):,} bytes, {outcome.seconds:.2f} s): "
                            f"{outcome.error or 'over the budget'}")
    assert not failures, "\n".join(failures)


def test_the_mutations_cover_what_the_issue_names():
    assert {"flip_bytes", "truncate", "duplicate_span", "repeat_token", "huge_line", "deep_nesting", "nested_list",
            "odd_bytes", "bom", "line_endings", "nuls", "yaml_anchors", "unbalanced"} <= set(MUTATIONS)


def test_inputs_are_reproducible_from_seed_and_index():
    sources = source_cards()
    first, again = fuzzed(sources, SEED, 7), fuzzed(sources, SEED, 7)
    assert first == again and first.data != fuzzed(sources, SEED, 8).data


def test_mutated_shipped_cards_neither_crash_nor_stall_any_stage(pipeline):
    sources = source_cards()
    _within_budget(pipeline, [fuzzed(sources, SEED, index) for index in range(SHIPPED_INPUTS)])


@needs_corpus
def test_mutated_corpus_cards_neither_crash_nor_stall_any_stage(pipeline):
    sources = source_cards(CORPUS)[:-len(source_cards())]
    _within_budget(pipeline, [fuzzed(sources, SEED + 1, index) for index in range(CORPUS_INPUTS)])


# Link openers that no ")" closes, repeated without a space: markdown-it read each one's destination up to 32
# openers ahead, one character at a time (``generator/render/linkdest.py``), and a table cell was rendered whole.
UNCLOSED_LINKS = ["[a](b", "![a](", "[a](b{:", "[a](" + "()" * 20, "[a]((b)"]
CELL_CARD = seed(4)  # its Model Information table has an "Edition" row


def _unclosed_links_in(unit: str, where: str) -> FuzzInput:
    source = CELL_CARD.read_bytes()
    run = unit.encode() * (200_000 // len(unit))
    if where == "a table cell":
        data = source.replace(b"|Edition:|Official|", b"|Edition:|Off" + run + b"icial|", 1)
    else:  # ten lines just under MAX_LINE_CHARS (the page does not cut them) in one paragraph of the body: markdown-it
        # spends 3-5 microseconds a character on them (it was 10-13, and as much again in LONG_LINE's scan)
        lines = b"\n".join(run[start:start + 9_990] for start in range(0, len(run) // 2, 9_990))
        data = source.replace(b"\n## Description\n", b"\n## Description\n" + lines + b"\n", 1)
    assert data != source
    return FuzzInput(0, 0, str(CELL_CARD), (f"{unit!r} repeated in {where}",), data)


@pytest.mark.parametrize("where", ["a table cell", "the body"])
@pytest.mark.parametrize("unit", UNCLOSED_LINKS)
def test_unclosed_link_openers_by_the_thousand_stay_within_the_budget(pipeline, unit, where):
    _within_budget(pipeline, [_unclosed_links_in(unit, where)])


@needs_corpus
def test_the_link_inputs_bench_fuzz_found_over_a_second_stay_within_the_budget(pipeline):
    """Seed 1 of ``benchmarks/bench_fuzz.py`` (sources: the corpus, then the shipped cards): link openers by the
    ten thousand in a Model Information cell took 1.6 to 5.0 s."""
    sources = source_cards(CORPUS)
    _within_budget(pipeline, [fuzzed(sources, 1, index) for index in (9196, 2294, 7838)])


# Raw HTML nested 20,000 to 60,000 deep (30,000 tags): nh3's parser looked down the whole stack of open elements for each start tag, 3 s for
# 20,000 nested <div>s and minutes for a 2 MiB card (``generator/render/sanitize.py`` bounds the depth). Not 2 MiB
# here: markdown-it alone spends 5-10 s on that many inline tags, depth or not (dense syntax, a separate item).
NESTED_HTML = ["<div>", "<span><div></span>", "<div/>", "<table><td>", "<svg><link>"]


@pytest.mark.parametrize("unit", NESTED_HTML)
def test_raw_html_nested_by_the_ten_thousand_stays_within_the_budget(pipeline, unit):
    source = CELL_CARD.read_bytes()
    line = unit.encode() * (9_990 // len(unit))
    units = 30_000 // unit.count("<")
    body = b"\n".join([line] * (units // (9_990 // len(unit)) + 1))
    data = source.replace(b"\n## Description\n", b"\n## Description\n" + body + b"\n", 1)
    assert data.count(unit.encode()) >= units
    _within_budget(pipeline, [FuzzInput(0, 0, str(CELL_CARD), (f"{unit!r} nested in the body",), data)])
