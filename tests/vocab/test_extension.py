"""A catalog extends the vocabularies in its modelhub.toml: the checks of that catalog accept its words, other
catalogs do not, and a malformed table is a usage error naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.checks import CheckContext, RuleSelection, check_card
from generator.card import parse_card
from generator.config import ConfigError, load_config
from generator.vocab import DEFAULT, Vocabulary

CARD = """\
---
layout: model
title: Bhojpuri NER
author: A Catalog
name: ner_bhojpuri
date: 2024-01-02
tags: [ner]
task: Clinical Coding
language: bho-x
edition: Acme NLP 1.2.0
spark_version: 3.4
supported: true
annotator: AcmeTokenClassifier
---

## Description

Finds names.

## Model Information

|---|---|
|Model Name:|ner_bhojpuri|
|License:|Acme Research License|
|Edition:|Acme NLP|
"""

TOML = """\
[vocab.languages]
bho-x = "Bhojpuri (Acme transliteration)"
[vocab.tasks]
clinical-coding = { name = "Clinical Coding", aliases = ["icd coding"] }
[vocab.licenses]
acme-rl = "Acme Research License"
[vocab.editions]
acme_nlp = { name = "Acme NLP", aliases = ["acme"] }
[vocab.annotators]
Acme = ["AcmeTokenClassifier"]
"""

VOCAB_CODES = ("MH108", "MH109", "MH110", "MH111", "MH113", "MH114", "MH413")


def findings(catalog: Path) -> list[str]:
    config = load_config(catalog)
    context = CheckContext(config, selection=RuleSelection(select=VOCAB_CODES))
    return [f"{f.code} {f.message}" for f in check_card(parse_card(CARD, str(catalog / "card.md")), context)]


def test_without_the_extension_every_new_word_is_reported(tmp_path: Path):
    reported = {line.split()[0] for line in findings(tmp_path)}
    assert {"MH108", "MH109", "MH110", "MH111", "MH114"} <= reported


def test_the_catalogs_words_are_accepted(tmp_path: Path):
    (tmp_path / "modelhub.toml").write_text(TOML, encoding="utf-8")
    assert findings(tmp_path) == []
    words = Vocabulary.from_config(load_config(tmp_path))
    assert words.name("languages", "bho-x") == "Bhojpuri (Acme transliteration)"
    assert words.lookup("tasks", "ICD coding") == "clinical-coding"
    assert words.name("editions", "Acme NLP 1.2.0") == "Acme NLP"
    assert words.canonical_annotator("acmetokenclassifier") == "AcmeTokenClassifier"
    assert DEFAULT.lookup("tasks", "icd coding") is None  # the shipped vocabulary is untouched


@pytest.mark.parametrize("toml, complaint", [
    ("[vocab.colours]\nred = \"Red\"\n", "vocab.colours"),
    ("[vocab]\ntasks = \"Coding\"\n", "vocab.tasks"),
    ("[vocab.tasks]\ncoding = { name = 3 }\n", "vocab.tasks"),
    ("[vocab.tasks]\ncoding = { name = \"C\", alias = [\"x\"] }\n", "vocab.tasks"),
    ("[vocab.annotators]\nAcme = [1]\n", "vocab.annotators"),
])
def test_a_malformed_extension_is_a_configuration_error(tmp_path: Path, toml: str, complaint: str):
    (tmp_path / "modelhub.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match="modelhub.toml") as error:
        load_config(tmp_path)
    assert complaint in str(error.value)


def test_a_shipped_word_given_again_takes_the_new_name_and_keeps_its_spellings(tmp_path: Path):
    (tmp_path / "modelhub.toml").write_text('[vocab.tasks]\nner = "NER"\n[vocab.engines]\n'
                                            'onnx = { name = "ONNX Runtime", aliases = ["ort"] }\n'
                                            'acme-rt = "Acme Runtime"\n', encoding="utf-8")
    words = Vocabulary.from_config(load_config(tmp_path))
    for spelling in ("ner", "token-classification", "Named Entity Recognition", "named_entity_recognition"):
        assert words.lookup("tasks", spelling) == "named_entity_recognition"
        assert words.name("tasks", spelling) == "NER"
    assert [words.lookup("engines", s) for s in ("onnxruntime", "ort", "ONNX")] == ["onnx"] * 3
    assert words.name("engines", "onnxruntime") == "ONNX Runtime" and words.name("engines", "acme-rt") == "Acme Runtime"
    # the shipped vocabulary itself is untouched
    assert DEFAULT.name("tasks", "ner") == "Named Entity Recognition" and DEFAULT.lookup("engines", "ort") is None
