"""Cross-field rules (MH4xx): front matter, Model Information table, snippets, download link and prose agree."""

from __future__ import annotations

import pytest

from generator.checks.consistency import artifact_parts
from tests.checks.conftest import CLEAN, broken, only

URL_FILE = "albert_base_sequence_classifier_imdb_en_3.4.0_3.0_1639652560396.zip"


@pytest.mark.parametrize("code, replacements, expected", [
    ("MH401", [("|Language:|en|", "|Language:|[en]|")], "written as a list `[en]`; write `en`"),
    ("MH401", [("|Language:|en|", "|Language:|de|")], "differs from the front matter's `language: en`"),
    ("MH402", [("|Compatibility:|Spark NLP 3.4.0+|", "|Compatibility:|Spark NLP 3.3.0+|")],
     "differs from `edition: Spark NLP 3.4.0`"),
    ("MH403", [(URL_FILE, URL_FILE.replace("imdb", "ag_news"))] * 2,
     "download file is for `albert_base_sequence_classifier_ag_news_en`"),
    ("MH403", [("edition: Spark NLP 3.4.0", "edition: Spark NLP 3.5.0"),
               ("|Compatibility:|Spark NLP 3.4.0+|", "|Compatibility:|Spark NLP 3.5.0+|")],
     "built with Spark NLP 3.4.0 but `edition` says 3.5.0"),
    ("MH403", [("spark_version: 3.0", "spark_version: 2.4")], "built for Spark 3.0 but `spark_version` says 2.4"),
    ("MH403", [("date: 2021-12-16", "date: 2022-06-01")], "timestamp is 2021-12-16 but the card's date is 2022-06-01"),
    ("MH404", [("[Copy S3 URI](s3://auxdata.johnsnowlabs.com/public/models/albert_base_sequence_classifier_imdb",
                "[Copy S3 URI](s3://auxdata.johnsnowlabs.com/public/models/albert_base_sequence_classifier_ag_news")],
     "is not the Download link's object"),
    ("MH405", [("|Model Name:|albert_base_sequence_classifier_imdb|", "|Model Name:|albert_base_imdb|")],
     "table Model Name `albert_base_imdb` differs"),
    ("MH406", [("|Compatibility:|", "|Model Class:|BertForSequenceClassification|\n|Compatibility:|")],
     "table Model Class `BertForSequenceClassification` differs from the front matter's "
     "`AlbertForSequenceClassification`"),
    ("MH407", [("|Case sensitive:|false|", "|Case sensitive:|true|")],
     "Case sensitive `true` but the Python example calls setCaseSensitive(false)"),
    ("MH408", [("|Max sentence length:|512|", "|Max sentence length:|128|")],
     "Max sentence length 128 but the Python example calls setMaxSentenceLength(512)"),
    ("MH409", [("|Input Labels:|[token, document]|", "|Input Labels:|[sentence, token]|")],
     "table Input Labels [sentence, token] but the Python example reads [token, document]"),
    ("MH410", [("|Output Labels:|[class]|", "|Output Labels:|[ner]|")],
     "table Output Labels [ner] but the Python example writes `class`"),
    ("MH411", [("`albert_base_sequence_classifier_imdb` is a fine-tuned ALBERT model for sentiment analysis of movie",
                "albert_base_sequence_classifier_ag_news is a fine-tuned ALBERT model for sentiment analysis of movie")],
     "the description is about `albert_base_sequence_classifier_ag_news`"),
    ("MH412", [("         pos       0.94", "         mixed     0.50      0.50      0.50       100\n         pos       0.94")],
     "the benchmark measures labels the Predicted Entities do not list: mixed"),
    ("MH412", [("`neg`, `pos`", "`neg`, `pos`, `neutral`")], "labels the benchmark does not measure: neutral"),
    ("MH413", [("|Edition:|Official|", "|Edition:|Healthcare|")], "is Healthcare NLP, but `edition: Spark NLP 3.4.0`"),
    ("MH414", [("sentiment analysis of movie reviews.", "sentiment analysis of movie reviews, built on "
                "`AlbertForSequenceClasification`.")], "the examples use `AlbertForSequenceClassification`"),
])
def test_rule_fires_on_the_defect(code, replacements, expected):
    text = CLEAN
    for old, new in replacements:
        text = text.replace(old, new)
    assert text != CLEAN
    findings = only(code, text)
    assert findings and any(expected in f.message for f in findings), [f.message for f in findings]


def test_date_disagreement_with_the_download_timestamp_is_information_only():
    [finding] = only("MH403", broken(("date: 2021-12-16", "date: 2022-06-01")))
    assert finding.severity == "info"
    assert only("MH403", broken(("date: 2021-12-16", "date: 2021-12-20"))) == []  # within a week: fine


def test_table_versions_may_be_less_precise_than_the_artifact():
    text = broken(("|Compatibility:|Spark NLP 3.4.0+|", "|Compatibility:|Spark NLP 3.4+|"))
    assert only("MH402", text) == []


def test_swapped_compatibility_rows_are_named_as_such():
    legacy = ("---\nlayout: model\ntitle: NER\nname: ner_x\ndate: 2020-10-06\nclass: NerDLModel\nlanguage: en\n---\n"
              "[Download](https://s3.amazonaws.com/auxdata.johnsnowlabs.com/clinical/models/"
              "ner_x_en_2.6.0_2.4_1601594787264.zip)\n\n## Model Information\n\n"
              "| Model Name | ner_x |\n| Spark Compatibility | 2.6.2 |\n| Spark NLP Compatibility | 2.4 |\n")
    [finding] = only("MH402", legacy, path="2020-10-06-ner_x_en.md")
    assert "look swapped" in finding.message


def test_s3_and_download_in_both_url_styles_agree():
    text = broken(("[Download](https://s3.amazonaws.com/auxdata.johnsnowlabs.com/public/",
                   "[Download](https://auxdata.johnsnowlabs.com.s3.amazonaws.com/public/"))
    assert only("MH404", text) == []


def test_older_cards_that_list_predicted_labels_as_output_labels_are_not_flagged():
    text = broken(("|Output Labels:|[class]|", "|Output Labels:|neg, pos|"))
    assert only("MH410", text) == []


def test_description_may_mention_the_models_it_depends_on():
    text = broken(("sentiment analysis of movie reviews.",
                   "sentiment analysis of movie reviews, trained on `albert_base_uncased_embeddings`."),
                  ("|Size:|44.9 MB|", "|Size:|44.9 MB|\n|Dependencies:|albert_base_uncased_embeddings|"))
    assert only("MH411", text) == []


def test_identifier_rule_ignores_related_but_different_classes():
    text = broken(("sentiment analysis of movie reviews.", "sentiment analysis, like `BertForSequenceClassification`."))
    assert only("MH414", text) == []


def test_artifact_file_names_are_read_by_the_naming_scheme():
    parts = artifact_parts(f"https://s3.amazonaws.com/bucket/models/{URL_FILE}")
    assert parts == {"stem": "albert_base_sequence_classifier_imdb_en", "lib": "3.4.0", "spark": "3.0",
                     "epoch": "1639652560396"}
    assert artifact_parts("https://example.org/model.zip") is None
