"""The checker on real cards: the seeds' known defects are found, and the corpus never crashes a rule."""

from __future__ import annotations

from collections import Counter

import pytest

from generator.card import read_card
from generator.checks import check_cards
from generator.checks.runner import check_paths
from tests.conftest import corpus_files, needs_corpus, seed, seed_paths

# The defects a reader of each seed can verify by eye, by (code, line).
SEED_DEFECTS = {
    0: {("MH411", 26), ("MH303", 76), ("MH410", 95), ("MH407", 98), ("MH204", 22), ("MH204", 28)},
    1: {("MH113", 14), ("MH115", 16), ("MH303", 84), ("MH601", 103), ("MH410", 121), ("MH202", 125)},
    2: {("MH113", 14), ("MH115", 16), ("MH303", 84), ("MH410", 111), ("MH202", 115)},
    3: {("MH307", 15), ("MH414", 22), ("MH414", 37), ("MH302", 98)},
    4: {("MH113", 14), ("MH115", 16), ("MH410", 87), ("MH401", 88)},
}


@pytest.fixture(scope="module")
def seed_findings():
    cards = [read_card(seed(n)) for n in SEED_DEFECTS]
    return {n: check_cards([card])[card.path] for n, card in zip(SEED_DEFECTS, cards)}


@pytest.mark.parametrize("number", sorted(SEED_DEFECTS))
def test_seed_defects_are_found(seed_findings, number):
    found = {(f.code, f.line) for f in seed_findings[number]}
    assert SEED_DEFECTS[number] <= found, SEED_DEFECTS[number] - found


def test_at_least_eight_real_defects_across_the_seeds(seed_findings):
    assert sum(len(v) for v in SEED_DEFECTS.values()) >= 8
    assert all(f.code != "MH999" for findings in seed_findings.values() for f in findings)


def test_no_false_alarms_of_the_kinds_reviewed_on_the_seeds(seed_findings):
    everything = [f for findings in seed_findings.values() for f in findings]
    # correct Spark NLP code: the Python tabs use only names the runtime provides or they define
    assert not [f for f in seed_findings[0] + seed_findings[1] + seed_findings[2] if f.code in ("MH301", "MH302")]
    # the Keras page's API signatures (`AlbertTextClassifier(backbone, num_classes, ...)`) are not examples
    assert not [f for f in seed_findings[3] if f.code == "MH302" and f.line in (15, 144, 199, 207)]
    # a Keras page is not held to Spark NLP front-matter keys
    assert not [f for f in seed_findings[3] if f.code.startswith("MH1")]
    assert not [f for f in everything if f.code in ("MH403", "MH404")]  # the seeds' download links are consistent


@needs_corpus
def test_corpus_checks_without_crashing_and_finds_its_known_defects():
    checked = check_paths(corpus_files() + seed_paths(), jobs=1)
    counts = Counter(f.code for item in checked for f in item.findings)
    assert counts["MH999"] == 0
    by_file = {item.path.rsplit("/", 1)[-1]: {f.code for f in item.findings} for item in checked}
    # `language: no` is Norwegian (front matter is YAML 1.2), so the two cards of norne_6B_100 are one model twice
    assert "MH102" not in by_file["2020-05-06-norne_6B_100_no.md"]
    assert "MH117" in by_file["2020-05-06-norne_6B_100_no.md"]
    assert "MH106" in by_file["2020--03-25-ner_diseases_en.md"]
    assert "MH403" in by_file["2020-01-02-bert_base_uncased.md"]  # links the cased model's zip
    assert "MH411" in by_file["2020-03-19-explain_document_ml.md"]
