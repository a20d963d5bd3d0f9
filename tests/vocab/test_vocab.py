"""Controlled vocabularies: display names for the site's facets, canonical spellings for the checks."""

from __future__ import annotations

import pytest

from generator import vocab


def test_languages_are_iso_639_plus_multilingual():
    languages = vocab.load("languages")
    assert len(languages) == 185 and all(len(code) == 2 for code in languages)  # 639-1 names, xx and retired bh
    assert vocab.language_name("de") == "German"
    assert vocab.language_name("xx") == "Multilingual"
    assert vocab.language_name("no") == "Norwegian"
    assert vocab.language_name("[en]") == "English"
    assert vocab.language_name("qq") == "qq"  # unknown codes display as written


@pytest.mark.parametrize("code, name", [
    ("yue", "Yue Chinese"),  # ISO 639-3
    ("zle", "East Slavic languages"), ("zlw", "West Slavic languages"),  # ISO 639-5 families
    ("ger", "German"),  # ISO 639-2/B
    ("bh", "Bihari languages"),  # retired ISO 639-1, still on published models
    ("multilingual", "Multilingual"),
])
def test_codes_beyond_iso_639_1_come_from_the_iso_tables(code, name):
    assert vocab.DEFAULT.is_language_code(code)
    assert vocab.language_name(code) == name


def test_not_every_word_is_a_language():
    assert not vocab.DEFAULT.is_language_code("english")
    assert not vocab.DEFAULT.is_language_code("qq")
    assert not vocab.DEFAULT.is_language_code("EN")  # codes are written in lower case


def test_names_in_any_accepted_spelling():
    assert vocab.task_name("token-classification") == "Named Entity Recognition"
    assert vocab.task_name("text classification") == "Text Classification"
    assert vocab.license_name("open source") == "Open Source"
    assert vocab.license_name("Apache-2.0") == "Apache 2.0"
    assert vocab.engine_name("openvino") == "OpenVINO"
    assert vocab.edition_name("Spark NLP 5.4.2") == "Spark NLP"
    assert vocab.edition_name("Spark NLP for Healthcare 3.0.1") == "Healthcare NLP"
    assert vocab.lookup("editions", "Official") is None  # who publishes the model, not a product
    assert vocab.edition_version("Spark NLP 5.4.2") == "5.4.2"
    assert vocab.task_name("Something New") == "Something New"


def test_canonical_annotator_spelling():
    assert vocab.canonical_annotator("AlBertForSequenceClassification") == "AlbertForSequenceClassification"
    assert vocab.canonical_annotator("AlbertEmbeddings") == "AlbertEmbeddings"
    assert vocab.canonical_annotator("robertaembeddings") == "RoBertaEmbeddings"
    assert vocab.canonical_annotator("NoSuchAnnotator") is None


def test_runtime_names_include_the_annotators():
    names = vocab.runtime_names("sparknlp-python")
    assert {"spark", "Pipeline", "DocumentAssembler", "AlbertForSequenceClassification"} <= names
    assert vocab.runtime_names("unknown-runtime") == frozenset()
    assert vocab.renamed_modules() == {"keras_nlp": "keras_hub"}


@pytest.mark.parametrize("kind", vocab.KINDS)
def test_every_vocabulary_loads_as_a_mapping(kind):
    data = vocab.load(kind)
    assert isinstance(data, dict) and data
    if kind not in ("runtimes",):
        assert all("name" in entry for entry in data.values())


def test_an_unknown_vocabulary_name_is_refused():
    with pytest.raises(KeyError):
        vocab.load("colours")
