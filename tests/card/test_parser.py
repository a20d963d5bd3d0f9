"""The parser reads every dialect and every real card, and never raises on content."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.card import parse_card, read_card
from tests.conftest import all_reference_files, needs_corpus, seed

S3 = "s3://auxdata.johnsnowlabs.com/public/models/"
HTTPS = "https://s3.amazonaws.com/auxdata.johnsnowlabs.com/public/models/"


@pytest.mark.parametrize("path", all_reference_files(), ids=lambda p: p.name)
def test_every_reference_card_parses_without_exception(path):
    card = read_card(path)
    assert card.source == path.read_bytes()
    assert card.dialect in {"jsl", "huggingface", "keras", "native", "unknown"}


@needs_corpus
def test_reference_files_are_present():
    assert len(all_reference_files()) >= 220


def test_seed_001_golden():
    card = read_card(seed(1))
    record = card.to_record()
    assert record["dialect"] == "jsl"
    assert record["name"] == "albert_base_sequence_classifier_imdb"
    assert record["language"] == "en"
    assert record["task"] == ["Text Classification"]
    assert record["edition"] == "Spark NLP 3.4.0"
    assert record["annotator"] == "AlBertForSequenceClassification"
    assert record["date"] == "2021-12-16"
    assert record["labels"] == ["neg", "pos"]
    assert record["download_url"] == HTTPS + "albert_base_sequence_classifier_imdb_en_3.4.0_3.0_1639652560396.zip"
    assert record["s3_uri"] == S3 + "albert_base_sequence_classifier_imdb_en_3.4.0_3.0_1639652560396.zip"
    assert [(s["tab"], s["language"]) for s in record["snippets"]] == [
        ("python", "python"), ("scala", "scala"), ("nlu", "python")]
    assert record["snippets"][0]["line"] == 45
    assert record["snippets"][0]["code"].startswith("document_assembler = DocumentAssembler()")
    assert record["benchmark"]["kind"] == "trainer_json"
    assert record["benchmark"]["metrics"]["eval_accuracy"] == 0.94604
    assert record["benchmark"]["metrics"]["eval_samples_per_second"] == 144.06
    assert record["info"]["max_sentence_length"] == "512"
    assert record["info"]["size"] == "44.9 MB"
    assert record["info"]["output_labels"] == "[ner]"
    assert record["results"]["text"].splitlines()[3] == "* |[neg, neg]          |"
    assert [s["title"] for s in record["sections"]] == [
        "Description", "Predicted Entities", "How to use", "Results", "Model Information", "Data Source",
        "Benchmarking"]
    assert record["diagnostics"] == []


def test_seed_001_keeps_the_misspelt_table_key_for_the_checks():
    row = read_card(seed(1)).info.row("max_sentence_length")
    assert row.key == "Max sentense length:" and row.line == 125


def test_seed_000_golden():
    card = read_card(seed(0))
    assert card.name == "albert_base_toxicity"
    assert card.engine == "openvino"
    assert card.date == dt.date(2024, 8, 24)
    assert card.labels == []
    assert card.results is None and card.benchmark is None
    assert card.info.values["case_sensitive"] == "true"
    assert card.download_url.endswith("albert_base_toxicity_en_5.4.2_3.0_1724533542430.zip")
    assert card.front_matter["article_header"] == {"type": "cover"}
    assert [s.tab for s in card.snippets] == ["python", "scala"]


def test_seed_002_golden():
    card = read_card(seed(2))
    assert card.labels == ["Business", "Sci/Tech", "Sports", "World"]
    assert card.benchmark.metrics["eval_accuracy"] == pytest.approx(0.9472368421052632)
    assert card.s3_uri == S3 + "albert_base_sequence_classifier_ag_news_en_3.4.0_3.0_1639648298937.zip"
    # the unindented nested key: article_header is empty and 'type' became a top-level key
    assert list(card.front_matter)[-3:] == ["article_header", "type", "use_language_switcher"]


def test_seed_003_is_a_keras_api_page_with_presets():
    card = read_card(seed(3))
    assert card.dialect == "keras"
    assert card.title == "AlbertTextClassifier model"
    assert [(p.name, p.parameters) for p in card.presets] == [
        ("albert_base_en_uncased", "11.68M"), ("albert_large_en_uncased", "17.68M"),
        ("albert_extra_large_en_uncased", "58.72M"), ("albert_extra_extra_large_en_uncased", "222.60M")]
    assert card.markup["shortcode"] == 7  # 3 source/original tags and 4 relref links
    assert all(s.language == "python" for s in card.snippets)
    assert len(card.snippets) == 8


def test_seed_004_golden():
    card = read_card(seed(4))
    assert card.name == "albert_base_uncased"
    assert card.task == ["Embeddings"]
    assert card.info.values["dimension"] == "768"
    assert card.info.values["language"] == "[en]"
    assert card.results.language == "bash" and "I\t[1.0153148174285889" in card.results.text
    assert [s.tab for s in card.snippets] == ["python", "scala", "nlu"]
    assert card.markup["liquid"] == 1 and card.markup["html"] >= 2


def test_huggingface_readme_card(tmp_path):
    text = """---
language: en
license: apache-2.0
library_name: sentence-transformers
pipeline_tag: sentence-similarity
model-index:
- name: all-MiniLM-L6-v2
  results: []
---

# all-MiniLM-L6-v2
This is a model.

```python
# Load model from HuggingFace Hub
model = SentenceTransformer('sentence-transformers/all-MiniLM-L6-v2')
```
"""
    card = parse_card(text)
    assert card.dialect == "huggingface"
    assert card.task == ["sentence-similarity"]
    assert card.title == "all-MiniLM-L6-v2"
    assert [s.title for s in card.sections] == ["all-MiniLM-L6-v2"]  # the comment in code is no heading
    assert card.snippets[0].first_line == "# Load model from HuggingFace Hub"


def test_native_dialect_reads_labels_and_info_from_front_matter():
    card = parse_card("""---
modelhub: 1
name: tiny_albert
task: Text Classification
language: en
labels: [negative, positive]
info:
  case_sensitive: false
  max_sentence_length: 128
artifact:
  url: https://example.org/tiny_albert.zip
---

## Example

```python
print(1)
```
""")
    assert card.dialect == "native"
    assert card.labels == ["negative", "positive"]
    assert card.info.values == {"case_sensitive": "false", "max_sentence_length": "128"}
    assert card.download_url == "https://example.org/tiny_albert.zip"


def test_day_first_dates_and_class_for_annotator():
    card = parse_card("---\nname: x\ndate: 16/12/2021\nclass: NerDLModel\n---\n")
    assert card.date == dt.date(2021, 12, 16)
    assert card.annotator == "NerDLModel"


def test_pipe_table_with_spaced_keys():
    card = parse_card("---\nname: pos\n---\n## Model Information\n{:.table-model}\n|---|---|\n"
                      "| Model Name              | pos_clinical        |\n| Model Class | PerceptronModel |\n"
                      "| Input Labels | token, sentence |\n")
    assert card.info.values == {"name": "pos_clinical", "model_class": "PerceptronModel",
                                "input_labels": "token, sentence"}
    assert card.annotator == "PerceptronModel"


def test_sklearn_classification_report_benchmark():
    card = parse_card("""---
name: x
---
## Benchmarking

```bash
              precision    recall  f1-score   support

         neg       0.95      0.94      0.94     12500
         pos       0.94      0.95      0.95     12500

    accuracy                           0.95     25000
   macro avg       0.95      0.95      0.95     25000
weighted avg       0.95      0.95      0.95     25000
```
""")
    bench = card.benchmark
    assert bench.kind == "classification_report"
    assert bench.per_label["neg"] == {"precision": 0.95, "recall": 0.94, "f1": 0.94, "support": 12500}
    assert bench.metrics["accuracy"] == 0.95
    assert bench.metrics["macro_avg_f1"] == 0.95
    assert bench.labels == ["neg", "pos"]


def test_markdown_table_benchmark():
    card = parse_card("---\nname: x\n---\n## Benchmarking\n\n| label | precision | recall | f1 |\n|---|---|---|---|\n"
                      "| PER | 0.9 | 0.8 | 0.85 |\n| macro avg | 0.9 | 0.8 | 0.85 |\n")
    assert card.benchmark.kind == "table"
    assert card.benchmark.per_label == {"PER": {"precision": 0.9, "recall": 0.8, "f1": 0.85}}
    assert card.benchmark.metrics["macro_avg_f1"] == 0.85


class TestDefectsBecomeDiagnostics:
    def test_invalid_yaml_names_the_line_and_keeps_the_rest(self):
        card = parse_card("---\nname: ok_model\ntitle: [unclosed\nlanguage: en\n---\n## Description\ntext\n")
        codes = [(d.code, d.line) for d in card.diagnostics]
        assert codes[0][0] == "MH002" and codes[0][1] in (3, 4)
        assert card.name == "ok_model" and card.language == "en"
        assert [s.title for s in card.sections] == ["Description"]

    def test_no_front_matter(self):
        card = parse_card("# Just a heading\n\n[Download](https://x/y.zip)\n")
        assert card.diagnostics[0].code == "MH001"
        assert card.download_url == "https://x/y.zip"

    def test_unclosed_front_matter(self):
        card = parse_card("---\nname: x\n")
        assert card.diagnostics[0].code == "MH001"

    def test_undecodable_bytes_report_line_and_round_trip(self):
        source = b"---\nname: x\n---\nfine\nbad \xff\xfe here\n"
        card = parse_card(source)
        diagnostic = card.diagnostics[0]
        assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("MH003", 5, 5)
        from generator.card.edit import serialize
        assert serialize(card) == source

    def test_huge_file_is_parsed_up_to_the_cap(self):
        source = b"---\nname: big\n---\n## Results\n```\n" + b"x" * 80 + b"\n" * 0 + (b"line\n" * 600_000) + b"```\n"
        card = parse_card(source)
        assert any(d.code == "MH004" for d in card.diagnostics)
        assert card.name == "big"

    def test_front_matter_that_is_not_a_mapping(self):
        card = parse_card("---\n- a\n- b\n---\nbody\n")
        assert card.diagnostics[0].code == "MH005"

    def test_unterminated_code_fence(self):
        card = parse_card("---\nname: x\n---\n```python\nprint(1)\n")
        assert [d.code for d in card.diagnostics] == ["MH006"]
        assert card.snippets[0].code == "print(1)\n"

    def test_missing_file(self, tmp_path):
        card = read_card(tmp_path / "nope.md")
        assert card.diagnostics[0].code == "MH000"
