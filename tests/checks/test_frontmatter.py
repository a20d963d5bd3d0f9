"""Front-matter rules (MH1xx): each fires on a card with the defect and stays silent on a card without it."""

from __future__ import annotations

import pytest

from tests.checks.conftest import CLEAN, broken, codes, only


def test_the_clean_card_has_no_findings_at_all():
    assert codes(CLEAN) == []


@pytest.mark.parametrize("code, replacements, expected", [
    ("MH101", [("name: albert_base_sequence_classifier_imdb\n", "")], "`name` is missing"),
    ("MH101", [("title: ALBERT Sequence Classification Base - IMDB (albert_base_sequence_classifier_imdb)",
                "title: ")], "`title` is empty"),
    ("MH101", [("spark_version: 3.0\n", "")], "`spark_version` is missing"),
    ("MH102", [("supported: true", "supported: maybe")], "`supported` should be true or false"),
    ("MH102", [("language: en", "language: false")], "read by YAML as the boolean false"),
    ("MH102", [("tags: [albert,", "tags: [False, albert,")], "`tags[0]` is read by YAML as the boolean false"),
    ("MH102", [("spark_version: 3.0", "spark_version: 3.10")], "read by YAML as the number 3.1"),
    ("MH103", [("date: 2021-12-16", "date: 2021-02-30")], "is not a valid date"),
    ("MH104", [("date: 2021-12-16", "date: 16/12/2021")], "not in YYYY-MM-DD form (read as 2021-12-16)"),
    ("MH105", [("date: 2021-12-16", "date: 2021-12-17")], "differs from the file name's date 2021-12-16"),
    ("MH107", [("nav_key: models", "nav_kye: models")], "did you mean `nav_key`?"),
    ("MH107", [("nav_key: models", "colour: blue")], "unknown key `colour`"),
    ("MH108", [("language: en", "language: english")], "`english` is not a known language code"),
    ("MH109", [("task: Text Classification", "task: Text Clasification")], "did you mean `Text Classification`?"),
    ("MH110", [("|License:|Open Source|", "|License:|Licenced|")], "did you mean `Licensed`?"),
    ("MH111", [("edition: Spark NLP 3.4.0", "edition: Spork NLP 3.4.0")], "names no known product"),
    ("MH111", [("edition: Spark NLP 3.4.0", "edition: Spark NLP")], "has no library version"),
    ("MH112", [("nav_key: models", "engine: openvinno")], "did you mean `OpenVINO`?"),
    ("MH113", [("annotator: AlbertForSequenceClassification", "annotator: AlBertForSequenceClassification")],
     "should be spelt `AlbertForSequenceClassification`"),
    ("MH114", [("annotator: AlbertForSequenceClassification", "annotator: AlbertForSequenceClasification")],
     "did you mean `AlbertForSequenceClassification`?"),
    ("MH115", [("article_header:\n  type: cover", "article_header:\ntype: cover")],
     "`type` was probably meant to be indented under `article_header`"),
    ("MH116", [("name: albert_base_sequence_classifier_imdb\n", "name: albert_base_sequence_classifier_ag_news\n")],
     "does not match the card's name"),
])
def test_rule_fires_on_the_defect(code, replacements, expected):
    findings = only(code, broken(*replacements))
    assert findings, f"{code} did not fire"
    assert any(expected in f.message for f in findings), [f.message for f in findings]
    assert all(f.code == code and f.line >= 1 and f.hint for f in findings)


def test_missing_field_points_at_the_front_matter_and_empty_field_at_its_line():
    missing = only("MH101", broken(("name: albert_base_sequence_classifier_imdb\n", "")))
    assert missing[0].line == 2
    empty = only("MH101", broken(("date: 2021-12-16", "date:")))
    assert empty[0].line == 6


def test_required_fields_depend_on_the_dialect():
    # A Hugging Face card needs none of the Spark NLP keys; a legacy JSL page is not held to the modern keys.
    hf = "---\nlicense: apache-2.0\nlibrary_name: transformers\npipeline_tag: text-classification\n---\n# Model\n"
    assert only("MH101", hf, path="README.md") == []
    legacy = "---\nlayout: model\ntitle: NER\nname: ner_dl\ndate: 2020-01-01\nclass: NerDLModel\n---\n"
    assert only("MH101", legacy, path="2020-01-01-ner_dl_en.md") == []
    native = "---\nmodelhub: 1\nname: tiny\ntask: Text Classification\nlanguage: en\n---\n"
    missing = {f.message.split("`")[1] for f in only("MH101", native, path="tiny.md")}
    assert missing == {"title", "license"}


def test_dates_that_are_fine():
    for value in ("2021-12-16", "2021-12-16 11:33:00 +0800", "'2021-12-16'"):
        text = broken(("date: 2021-12-16", f"date: {value}"))
        assert only("MH103", text) == [] and only("MH104", text) == [] and only("MH105", text) == []


def test_file_name_date_prefix():
    assert only("MH106", CLEAN, path="cards/2021--12-16-x_en.md")[0].message.startswith("file name '2021--12-16")
    assert only("MH106", CLEAN, path="cards/2021-02-30-x_en.md")
    assert only("MH106", CLEAN, path="cards/x.md") == []
    assert only("MH105", CLEAN, path="cards/albert.md") == []  # no date in the name: nothing to compare


def test_known_values_are_accepted_in_any_accepted_spelling():
    text = broken(("task: Text Classification", "task: [text-classification, Sentiment Analysis]"),
                  ("nav_key: models", "engine: onnx\nlicense: apache-2.0"), ("language: en", "language: xx"))
    assert [f.code for f in only("MH1", text, path="cards/2021-12-16-albert_base_sequence_classifier_imdb_xx.md")] == []


def test_unknown_key_rule_leaves_hugging_face_metadata_alone():
    hf = "---\nlicense: mit\nlibrary_name: transformers\nmodel_creator: someone\nwhatever_new_key: 1\n---\n"
    assert only("MH107", hf, path="README.md") == []
