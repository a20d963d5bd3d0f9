"""Newer (2023) John Snow Labs cards as the site publishes them: a licensed NER model with a hyphenated
classification report, and a pretrained pipeline built on it. The checker is quiet on the clean cards and, on a
real defect, points at the line to edit."""

from __future__ import annotations

from tests.checks.conftest import only, run

LICENSED_NER = '''\
---
layout: model
title: Detect Drug Entities (Clinical)
author: John Snow Labs
name: ner_posology_small
date: 2023-04-21
tags: [licensed, en, ner, clinical, posology]
task: Named Entity Recognition
language: en
edition: Healthcare NLP 4.4.0
spark_version: 3.0
supported: true
annotator: MedicalNerModel
article_header:
  type: cover
use_language_switcher: "Python-Scala-Java"
---

## Description

This model detects drug, dosage and frequency mentions in clinical notes.

## Predicted Entities

`DRUG`, `DOSAGE`, `FREQUENCY`

## How to use

```python
ner = MedicalNerModel.pretrained("ner_posology_small", "en", "clinical/models") \\
    .setInputCols(["sentence", "token", "embeddings"]) \\
    .setOutputCol("ner")
```

## Model Information

{:.table-model}
|---|---|
|Model Name:|ner_posology_small|
|Compatibility:|Healthcare NLP 4.4.0+|
|License:|Licensed|
|Edition:|Official|
|Input Labels:|[sentence, token, embeddings]|
|Output Labels:|[ner]|
|Language:|en|

## Benchmarking

```bash
       label  precision    recall  f1-score   support
        DRUG       0.92      0.94      0.93      2252
      DOSAGE       0.81      0.78      0.79       451
   FREQUENCY       0.88      0.89      0.88       902
    accuracy          -         -      0.90      3605
   macro-avg       0.87      0.87      0.87      3605
weighted-avg       0.90      0.90      0.90      3605
```
'''

PIPELINE = '''\
---
layout: model
title: Pipeline to Detect Drug Entities (Clinical)
author: John Snow Labs
name: ner_posology_small_pipeline
date: 2023-06-17
tags: [licensed, en, ner, clinical, pipeline]
task: Named Entity Recognition
language: en
edition: Healthcare NLP 4.4.4
spark_version: 3.2
supported: true
annotator: PipelineModel
---

## Description

This pretrained pipeline is built on the top of the [ner_posology_small](https://nlp.johnsnowlabs.com/2023/04/21/ner_posology_small_en.html) model.

## How to use

```python
from sparknlp.pretrained import PretrainedPipeline
pipeline = PretrainedPipeline("ner_posology_small_pipeline", "en", "clinical/models")
```
'''


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_clean_licensed_card_has_no_cross_field_findings():
    assert [f for f in run(LICENSED_NER) if f.code.startswith("MH4")] == []


def test_official_is_not_the_open_source_product():
    assert only("MH413", LICENSED_NER) == []
    healthcare_in_open_source = LICENSED_NER.replace("edition: Healthcare NLP 4.4.0", "edition: Spark NLP 4.4.0")
    table_says_finance = healthcare_in_open_source.replace("|Edition:|Official|", "|Edition:|Finance NLP|")
    [finding] = only("MH413", table_says_finance)
    assert finding.line == line_of(table_says_finance, "|Edition:|Finance NLP|")


def test_average_rows_cause_no_label_findings_and_stay_in_the_record():
    assert only("MH412", LICENSED_NER) == []
    from generator.card import parse_card

    bench = parse_card(LICENSED_NER).benchmark
    assert bench.metrics["macro_avg_f1"] == 0.87 and bench.metrics["weighted_avg_recall"] == 0.90
    assert bench.metrics["accuracy"] == 0.90


def test_a_label_missing_from_the_list_points_at_its_benchmark_row():
    text = LICENSED_NER.replace("      DOSAGE       0.81", "       ROUTE       0.70      0.70      0.70       100\n"
                                "      DOSAGE       0.81")
    [finding] = only("MH412", text)
    assert "ROUTE" in finding.message
    assert finding.line == line_of(text, "ROUTE       0.70")


def test_a_listed_label_the_benchmark_lacks_points_at_the_list():
    text = LICENSED_NER.replace("`DRUG`, `DOSAGE`, `FREQUENCY`", "`DRUG`, `DOSAGE`,\n`FREQUENCY`, `STRENGTH`")
    [finding] = only("MH412", text)
    assert "STRENGTH" in finding.message
    assert finding.line == line_of(text, "`STRENGTH`")


def test_a_pipeline_may_name_the_model_it_is_built_on():
    assert only("MH411", PIPELINE) == []


def test_a_pipeline_naming_another_pipeline_is_still_a_copy_paste():
    text = PIPELINE.replace("the top of the [ner_posology_small]", "the top of the [ner_posology_large_pipeline]")
    [finding] = only("MH411", text)
    assert "ner_posology_large_pipeline" in finding.message
    assert finding.line == line_of(text, "ner_posology_large_pipeline")
