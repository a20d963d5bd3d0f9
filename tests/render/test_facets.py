"""Facet values come from the vocabularies: one key per meaning, display names for people."""

from __future__ import annotations

from pathlib import Path

from generator.card import read_card
from generator.config import Config
from generator.render.facets import facet_values
from generator.render.model_page import badges_of
from generator.vocab import Vocabulary

REPO = Path(__file__).resolve().parents[2]


def record(name: str) -> dict:
    return read_card(REPO / "cards" / name).to_record()


def test_seed_card_facets():
    facets = facet_values(record("2024-08-24-albert_base_toxicity_en.md"))
    assert facets["task"] == [("text_classification", "Text Classification")]
    assert facets["language"] == [("en", "English")]
    assert facets["edition"] == [("spark_nlp", "Spark NLP")]
    assert facets["engine"] == [("openvino", "OpenVINO")]
    assert facets["license"] == [("open_source", "Open Source")]  # from the Model Information table
    assert facets["annotator"] == [("albertforsequenceclassification", "AlbertForSequenceClassification")]
    assert facets["family"] == [("albert", "Albert")]
    assert ("supported", "Supported") in facets["status"]


def test_spellings_of_one_task_share_a_key_and_unknown_values_still_show():
    a = facet_values({"task": ["token-classification"], "language": "de"})
    b = facet_values({"task": ["Named Entity Recognition"], "language": "[de]"})
    assert a["task"] == b["task"] == [("named_entity_recognition", "Named Entity Recognition")]
    assert a["language"] == b["language"] == [("de", "German")]
    odd = facet_values({"task": ["Quantum Poetry"], "engine": "Abacus"})
    assert odd["task"] == [("quantum-poetry", "Quantum Poetry")] and odd["engine"] == [("abacus", "Abacus")]


def test_status_reflects_support_checks_and_runs():
    status = dict(facet_values({"supported": False, "findings": [{"severity": "warning"}],
                                "runs": {"status": "ok"}})["status"])
    assert set(status) == {"deprecated", "check-warnings", "verified"}
    assert dict(facet_values({"findings": [{"severity": "error"}]})["status"]).keys() == {"check-errors"}


def test_framework_for_other_dialects():
    assert facet_values({"dialect": "keras"})["edition"] == [("keras-hub", "Keras Hub")]
    assert facet_values({"front_matter": {"library_name": "transformers"}})["edition"] == [
        ("transformers", "transformers")]


def test_the_catalogs_vocabulary_names_facets_and_badges():
    words = Vocabulary.from_config(Config(REPO, {"vocab": {
        "languages": {"bho-x": "Bhojpuri (transliterated)"},
        "tasks": {"icd-coding": {"name": "ICD Coding", "aliases": ["icd-10 coding"]}, "ner": "NER"},
        "licenses": {"acme-rl": "Acme Research License"}, "engines": {"acme-rt": "Acme Runtime"}}}))
    card = {"task": ["ICD-10 coding", "token-classification"], "language": "[bho-x]", "license": "acme-rl",
            "engine": "acme-rt"}
    facets = facet_values(card, words)
    assert facets["task"] == [("icd-coding", "ICD Coding"), ("named_entity_recognition", "NER")]
    assert facets["language"] == [("bho-x", "Bhojpuri (transliterated)")]
    assert facets["license"] == [("acme-rl", "Acme Research License")]
    assert facets["engine"] == [("acme-rt", "Acme Runtime")]
    assert {b["label"] for b in badges_of(card, words=words)} == {
        "ICD Coding", "NER", "Bhojpuri (transliterated)", "Acme Research License", "Acme Runtime"}
    # without the catalog's words the values still show, as written
    assert facet_values(card)["language"] == [("bho-x", "bho-x")]
    assert facet_values(card)["task"][1] == ("named_entity_recognition", "Named Entity Recognition")
