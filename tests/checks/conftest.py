"""Cards for the rule tests: one clean card every rule must accept, and helpers to break it one defect at a time."""

from __future__ import annotations

import pytest

from generator.card import Card, parse_card
from generator.checks import CheckContext, Finding, RuleSelection, check_card

# A Models Hub card with none of the seed cards' defects: every rule must stay silent on it.
CLEAN = '''---
layout: model
title: ALBERT Sequence Classification Base - IMDB (albert_base_sequence_classifier_imdb)
author: John Snow Labs
name: albert_base_sequence_classifier_imdb
date: 2021-12-16
tags: [albert, imdb, sequence_classification, en, open_source]
task: Text Classification
language: en
nav_key: models
edition: Spark NLP 3.4.0
spark_version: 3.0
supported: true
annotator: AlbertForSequenceClassification
article_header:
  type: cover
use_language_switcher: "Python-Scala-Java"
---

## Description

`albert_base_sequence_classifier_imdb` is a fine-tuned ALBERT model for sentiment analysis of movie reviews.

## Predicted Entities

`neg`, `pos`

{:.btn-box}
<button class="button button-orange" disabled>Live Demo</button>
[Download](https://s3.amazonaws.com/auxdata.johnsnowlabs.com/public/models/albert_base_sequence_classifier_imdb_en_3.4.0_3.0_1639652560396.zip){:.button.button-orange.button-orange-trans.arr.button-icon}
[Copy S3 URI](s3://auxdata.johnsnowlabs.com/public/models/albert_base_sequence_classifier_imdb_en_3.4.0_3.0_1639652560396.zip){:.button.button-orange.button-orange-trans.button-icon.button-copy-s3}

## How to use

<div class="tabs-box" markdown="1">
{% include programmingLanguageSelectScalaPythonNLU.html %}
```python
document_assembler = DocumentAssembler() \\
.setInputCol('text') \\
.setOutputCol('document')

tokenizer = Tokenizer() \\
.setInputCols(['document']) \\
.setOutputCol('token')

sequenceClassifier = AlbertForSequenceClassification \\
.pretrained('albert_base_sequence_classifier_imdb', 'en') \\
.setInputCols(['token', 'document']) \\
.setOutputCol('class') \\
.setCaseSensitive(False) \\
.setMaxSentenceLength(512)

pipeline = Pipeline(stages=[document_assembler, tokenizer, sequenceClassifier])

example = spark.createDataFrame([['I really liked that movie!']]).toDF("text")
result = pipeline.fit(example).transform(example)
result.select(F.col("class.result")).show()
```
```scala
val document_assembler = DocumentAssembler()
.setInputCol("text")
.setOutputCol("document")

val tokenizer = Tokenizer()
.setInputCols("document")
.setOutputCol("token")

// the classifier
val sequenceClassifier = AlbertForSequenceClassification.pretrained("albert_base_sequence_classifier_imdb", "en")
.setInputCols("document", "token")
.setOutputCol("class")
.setCaseSensitive(false)
.setMaxSentenceLength(512)

val pipeline = new Pipeline().setStages(Array(document_assembler, tokenizer, sequenceClassifier))

val example = Seq("I really liked that movie!").toDS.toDF("text")

val result = pipeline.fit(example).transform(example)
result.select("class.result").show(false)
```

{:.nlu-block}
```python
import nlu
nlu.load("en.classify.albert.imdb").predict("""I really liked that movie!""")
```

</div>

## Results

```bash
+------+
|result|
+------+
|[pos] |
+------+
```

{:.model-param}
## Model Information

{:.table-model}
|---|---|
|Model Name:|albert_base_sequence_classifier_imdb|
|Compatibility:|Spark NLP 3.4.0+|
|License:|Open Source|
|Edition:|Official|
|Input Labels:|[token, document]|
|Output Labels:|[class]|
|Language:|en|
|Size:|44.9 MB|
|Case sensitive:|false|
|Max sentence length:|512|

## Data Source

[https://huggingface.co/datasets/imdb](https://huggingface.co/datasets/imdb)

## Benchmarking

```bash
              precision    recall  f1-score   support
         neg       0.95      0.94      0.95     12500
         pos       0.94      0.95      0.95     12500
    accuracy                           0.95     25000
```
'''

CLEAN_PATH = "cards/2021-12-16-albert_base_sequence_classifier_imdb_en.md"


def card_of(text: str, path: str = CLEAN_PATH) -> Card:
    return parse_card(text, path)


def run(text: str, path: str = CLEAN_PATH, select: tuple[str, ...] = ("ALL",), **context) -> list[Finding]:
    selection = RuleSelection(select=select)
    return check_card(card_of(text, path), CheckContext(selection=selection, **context))


def codes(text: str, path: str = CLEAN_PATH, **context) -> list[str]:
    return [f.code for f in run(text, path, **context)]


def only(code: str, text: str, path: str = CLEAN_PATH, **context) -> list[Finding]:
    """The findings of one rule on ``text``."""
    return run(text, path, select=(code,), **context)


def broken(*replacements: tuple[str, str], text: str = CLEAN) -> str:
    """CLEAN with each (old, new) replaced once; fails loudly when ``old`` is not in the card."""
    for old, new in replacements:
        assert old in text, f"test card does not contain {old!r}"
        text = text.replace(old, new, 1)
    return text


@pytest.fixture
def clean() -> str:
    return CLEAN
