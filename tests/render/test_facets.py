"""Facet values come from the vocabularies: one key per meaning, display names for people."""

from __future__ import annotations

from pathlib import Path

from generator.card import read_card
from generator.render.facets import facet_values

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
