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

from tests.conftest import CORPUS, needs_corpus
from tests.fuzzing import MUTATIONS, Pipeline, fuzzed, source_cards

SEED = 12
SHIPPED_INPUTS = 160
CORPUS_INPUTS = 80
BUDGET = 1.0  # CPU seconds per input


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    made = Pipeline()
    made.process(source_cards()[0][1])  # imports, rule tables and template compilation are not the input's
    return made


def _fuzz(pipeline: Pipeline, sources: list[tuple[str, bytes]], count: int, seed: int) -> None:
    failures = []
    for index in range(count):
        item = fuzzed(sources, seed, index)
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
    _fuzz(pipeline, source_cards(), SHIPPED_INPUTS, SEED)


@needs_corpus
def test_mutated_corpus_cards_neither_crash_nor_stall_any_stage(pipeline):
    shipped = len(source_cards())
    _fuzz(pipeline, source_cards(CORPUS)[:-shipped], CORPUS_INPUTS, SEED + 1)
