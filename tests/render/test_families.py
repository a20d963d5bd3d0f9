"""Families group cards by architecture; parameter counts print the way preset tables print them."""

from __future__ import annotations

import pytest

from generator.render.families import (class_name_of, family_of, format_parameters, group_families,
                                       parse_parameters, strip_head)


@pytest.mark.parametrize("class_name, family", [
    ("AlbertForSequenceClassification", "Albert"),
    ("AlbertEmbeddings", "Albert"),
    ("AlbertTextClassifier", "Albert"),
    ("AlbertTextClassifierPreprocessor", "Albert"),
    ("BertSentenceEmbeddings", "Bert"),
    ("RoBertaForTokenClassification", "RoBerta"),
    ("NerDLModel", "NerDL"),
    ("T5Transformer", "T5"),
    ("Model", "Model"),
])
def test_strip_head(class_name, family):
    assert strip_head(class_name) == family


def test_family_from_annotator_keras_title_or_leading_identifier():
    assert family_of({"annotator": "AlBertForSequenceClassification"}) == "Albert"
    assert class_name_of({"dialect": "keras", "title": "AlbertTextClassifier model"}) == "AlbertTextClassifier"
    assert family_of({"annotator": "BertModel + mean pooling (sentence-transformers)"}) == "Bert"
    assert family_of({"title": "no class here"}) is None


def test_group_families_names_the_family_as_the_titles_spell_it():
    records = [
        {"annotator": "AlBertEmbeddings", "title": "ALBERT Embeddings (Base Uncase)"},
        {"annotator": "AlbertForSequenceClassification", "title": "ALBERT Sequence Classification Base"},
        {"dialect": "keras", "title": "AlbertTextClassifier model"},
        {"annotator": "NerDLModel", "title": "Detect entities"},
        {"title": "no family"},
    ]
    families = group_families(records)
    assert list(families) == ["albert", "nerdl"]
    assert families["albert"].name == "ALBERT" and families["albert"].members == [0, 1, 2]
    assert families["albert"].api_pages == [2]
    assert families["nerdl"].name == "NerDL"


@pytest.mark.parametrize("text, count", [("11.68M", 11_680_000), ("222.60M", 222_600_000), ("1.1B", 1_100_000_000),
                                         ("340K", 340_000), ("4,385,920", 4_385_920), (12, 12), ("many", None)])
def test_parse_parameters(text, count):
    assert parse_parameters(text) == count


@pytest.mark.parametrize("count, text", [(11_683_584, "11.68M"), (1_100_000_000, "1.10B"), (340_000, "340.00K"),
                                         (999, "999"), (None, "—")])
def test_format_parameters(count, text):
    assert format_parameters(count) == text
